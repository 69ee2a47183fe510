package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/bounds"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// conf runs the clauses on one stage.
type conf struct {
	st *fixtures.Stage
	b  bounds.Bounds
	r  *report

	poison []poison
}

// poison is a record the worker must dead-letter, and where it landed.
type poison struct {
	kind      string
	value     []byte
	partition int32
	offset    int64
}

func (c *conf) run(ctx context.Context) {
	fleet := c.st.Fleet.Workers()
	if _, err := c.st.WaitStable(ctx, c.st.Fleet.IDs(), c.b.Stable); err != nil {
		c.r.clause("join", err, "")
		return
	}
	c.st.Producer.Start()
	time.Sleep(2 * time.Second) // some records consumed and committed before the clauses
	if err := c.producePoison(ctx); err != nil {
		c.r.clause("records", err, "")
		return
	}
	c.r.clause("bad-env", c.badEnv(ctx), "DELIVERY=sometimes exited 2 naming DELIVERY")
	c.r.clause("endpoints", c.endpoints(ctx, fleet), "/healthz 200, /status names the worker and its partitions, /metrics 200")
	c.r.clause("static-restart", c.staticRestart(ctx, fleet[0], fleet[1]), fleet[0].ID()+" came back with its partitions, no rebalance")
	c.r.clause("sigterm", c.sigterm(ctx, fleet[1]), fmt.Sprintf("exit 0 within %s, stopping and stopped printed", c.b.Shutdown))
	slow, err := c.second(ctx)
	c.r.clause("second-signal", err, "exit 130 at once during a slow shutdown")
	_, derr := c.st.Drain(ctx, c.b.Drain) // stops the load
	h := c.st.Rec.Snapshot()
	ids := []string{fleet[0].ID(), fleet[1].ID()}
	if slow != "" {
		ids = append(ids, slow)
	}
	c.r.clause("events", events(h, ids), "every stdout line a contract event; started and assigned from each worker")
	c.r.clause("records", errors.Join(c.records(h), wrap("drain", derr)), "feed updates and dead letters parse; poison dead-lettered with reason_kind and raw")
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// producePoison writes a value that is not JSON and a post by an author
// the graph does not know.
func (c *conf) producePoison(ctx context.Context) error {
	users := c.st.Cfg.GraphUsers
	post, _ := json.Marshal(contract.Post{ID: "conformance-unknown", Author: users + 7, CreatedAt: time.Now().UTC(), Seq: -1})
	for _, p := range []poison{
		{kind: contract.DeadLetterUnparsable, value: []byte("this is not a post")},
		{kind: contract.DeadLetterUnknownAuthor, value: post},
	} {
		var err error
		key := []byte(strconv.Itoa(users + 7))
		if p.partition, p.offset, err = c.st.Producer.ProduceRaw(ctx, key, p.value); err != nil {
			return fmt.Errorf("produce poison: %w", err)
		}
		c.poison = append(c.poison, p)
	}
	return nil
}

// badEnv starts one more worker with DELIVERY=sometimes: it must exit 2
// within 15 s and say DELIVERY on stdout or stderr.
func (c *conf) badEnv(ctx context.Context) error {
	ws, err := c.st.Fleet.AddWithEnv(ctx, 1, map[string]string{contract.EnvDelivery: "sometimes"})
	if len(ws) == 0 || ws[0] == nil || ws[0].ContainerID() == "" {
		return fmt.Errorf("start a worker with %s=sometimes: %w", contract.EnvDelivery, err)
	}
	// err may say the container exited at once: that is what is wanted.
	w := ws[0]
	code, err := w.WaitExit(ctx, 15*time.Second)
	if err != nil {
		return err
	}
	if code != contract.ExitBadConfig {
		return fmt.Errorf("%s=sometimes: exit code %d, want %d", contract.EnvDelivery, code, contract.ExitBadConfig)
	}
	logs, err := w.Logs(ctx)
	if err != nil {
		return err
	}
	if !strings.Contains(logs, contract.EnvDelivery) {
		return fmt.Errorf("%s=sometimes exited 2 but its output does not name %s: %q", contract.EnvDelivery, contract.EnvDelivery, history.Truncate([]byte(logs)))
	}
	return nil
}

// endpoints asks every worker's /healthz, /status and /metrics.
func (c *conf) endpoints(ctx context.Context, ws []*fixtures.Worker) error {
	var errs []error
	for _, w := range ws {
		if !w.Healthy(ctx) {
			errs = append(errs, fmt.Errorf("%s: %s is not 200", w.ID(), contract.PathHealth))
		}
		st, err := w.Status(ctx)
		switch {
		case err != nil:
			errs = append(errs, err)
		case st.Worker != w.ID():
			errs = append(errs, fmt.Errorf("%s: %s names worker %q", w.ID(), contract.PathStatus, st.Worker))
		case len(st.Assigned) == 0:
			errs = append(errs, fmt.Errorf("%s: %s shows no assigned partition in a stable group of 2 over 6 partitions", w.ID(), contract.PathStatus))
		}
		if _, err := w.Metrics(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// staticRestart stops victim with SIGTERM, starts it again in place, and
// judges the window with verify.StaticRejoin once the group has it back
// under a new member id.
func (c *conf) staticRestart(ctx context.Context, victim, other *fixtures.Worker) error {
	s, ok := c.st.Rec.LastSnapshot()
	if !ok {
		return errors.New("no group snapshot")
	}
	old := ""
	for _, m := range s.Members {
		if m.Worker == victim.ID() {
			old = m.MemberID
		}
	}
	if old == "" {
		return fmt.Errorf("%s is not a member of the group", victim.ID())
	}
	from := time.Now().Add(-time.Second)
	code, _, err := victim.Terminate(ctx, c.b.Shutdown)
	if err != nil {
		return err
	}
	if err := victim.Start(ctx); err != nil { // also after a wrong exit: the later clauses need a fleet
		return err
	}
	if code != contract.ExitOK {
		return fmt.Errorf("%s exited %d on SIGTERM", victim.ID(), code)
	}
	members := []string{victim.ID(), other.ID()}
	if _, err := c.st.WaitUntil(ctx, c.b.Stable, victim.ID()+" back under a new member id", func() (bool, string) {
		s, ok := c.st.Rec.LastSnapshot()
		if !ok {
			return false, "no snapshot"
		}
		for _, m := range s.Members {
			if m.Worker == victim.ID() && m.MemberID != old {
				return fixtures.StableWith(s, members, c.st.Cfg.Partitions)
			}
		}
		return false, "old member id still in the group"
	}); err != nil {
		return err
	}
	time.Sleep(2 * time.Second) // a few snapshots of the settled group
	r := verify.StaticRejoin(c.st.Rec.Snapshot(), victim.ID(), from, time.Now())
	if !r.Pass {
		return fmt.Errorf("%s: %s", r.Class, r.Message)
	}
	return nil
}

// sigterm stops w with SIGTERM: exit 0 within the shutdown bound, having
// printed stopping and stopped.
func (c *conf) sigterm(ctx context.Context, w *fixtures.Worker) error {
	from := time.Now()
	code, took, err := w.Terminate(ctx, c.b.Shutdown)
	if err != nil {
		return err
	}
	if code != contract.ExitOK {
		return fmt.Errorf("%s exited %d after %s, want %d", w.ID(), code, took.Round(time.Millisecond), contract.ExitOK)
	}
	time.Sleep(500 * time.Millisecond) // the last stdout lines reach the recorder
	var seen []string
	for _, e := range c.st.Rec.Snapshot().Events {
		if e.Worker == w.ID() && !e.TS.Before(from.Add(-time.Second)) {
			seen = append(seen, e.Event)
		}
	}
	for _, want := range []contract.EventKind{contract.EventStopping, contract.EventStopped} {
		if !slices.Contains(seen, string(want)) {
			return fmt.Errorf("%s exited 0 in %s but printed no %s event (printed %v)", w.ID(), took.Round(time.Millisecond), want, seen)
		}
	}
	return nil
}

// second starts a worker that takes 3 s per post, sends SIGTERM while it
// is mid-post and SIGTERM again 300 ms later: it must exit 130 within 2 s
// of the second. It returns the worker's id.
func (c *conf) second(ctx context.Context) (string, error) {
	ws, err := c.st.Fleet.AddWithEnv(ctx, 1, map[string]string{contract.EnvProcessDelayMS: "3000"})
	if err != nil {
		return "", err
	}
	w := ws[0]
	if _, err := c.st.WaitUntil(ctx, c.b.Stable, w.ID()+" assigned partitions", func() (bool, string) {
		for _, e := range c.st.Rec.Snapshot().Events {
			if e.Worker == w.ID() && e.Event == string(contract.EventAssigned) && len(e.Partitions) > 0 {
				return true, ""
			}
		}
		return false, "no assigned event yet"
	}); err != nil {
		return w.ID(), err
	}
	time.Sleep(time.Second) // a post in hand
	if err := w.Signal(ctx, "TERM"); err != nil {
		return w.ID(), err
	}
	time.Sleep(300 * time.Millisecond)
	if err := w.Signal(ctx, "TERM"); err != nil {
		return w.ID(), fmt.Errorf("second SIGTERM (the worker exited after the first within 300 ms, with 3 s posts in hand?): %w", err)
	}
	code, err := w.WaitExit(ctx, 2*time.Second)
	if err != nil {
		return w.ID(), err
	}
	if code != contract.ExitSecondSignal {
		return w.ID(), fmt.Errorf("%s exited %d after the second SIGTERM, want %d", w.ID(), code, contract.ExitSecondSignal)
	}
	return w.ID(), nil
}

// events: no stdout line refused, and every worker of ids printed started
// and a non-empty assigned.
func events(h history.History, ids []string) error {
	var errs []error
	for _, v := range h.Violations {
		if v.Source == history.SourceStdout {
			errs = append(errs, fmt.Errorf("stdout of %s: %s: %q", v.Worker, v.Reason, v.Line))
		}
	}
	for _, id := range ids {
		started, assigned := false, false
		for _, e := range h.Events {
			if e.Worker != id {
				continue
			}
			started = started || e.Event == string(contract.EventStarted)
			assigned = assigned || (e.Event == string(contract.EventAssigned) && len(e.Partitions) > 0)
		}
		if !started || !assigned {
			errs = append(errs, fmt.Errorf("%s printed started %v, assigned with partitions %v", id, started, assigned))
		}
	}
	return errors.Join(errs...)
}

// records: no feed update or dead letter refused, some feed updates read,
// and every poison record dead-lettered with its reason_kind and raw.
func (c *conf) records(h history.History) error {
	var errs []error
	for _, v := range h.Violations {
		if v.Source != history.SourceStdout {
			errs = append(errs, fmt.Errorf("%s at partition %d offset %d: %s: %q", v.Source, v.Partition, v.Offset, v.Reason, v.Line))
		}
	}
	if len(h.Updates) == 0 {
		errs = append(errs, errors.New("no feed update read"))
	}
	for _, p := range c.poison {
		var got []string
		ok := false
		for _, d := range h.DeadLetters {
			if d.SourcePartition == p.partition && d.SourceOffset == p.offset {
				ok = ok || (d.ReasonKind == p.kind && contract.RawIs(d.Raw, p.value))
				got = append(got, fmt.Sprintf("reason_kind %q raw %q", d.ReasonKind, d.Raw))
			}
		}
		if !ok {
			errs = append(errs, fmt.Errorf("%s poison at partition %d offset %d: dead letters %v, want reason_kind %q carrying its value", p.kind, p.partition, p.offset, got, p.kind))
		}
	}
	return errors.Join(errs...)
}
