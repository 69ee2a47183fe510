package chaos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ToxicLink is a worker's toxiproxy sidecar seen as a place for toxics: one
// proxy per broker, brokers by index (none means all). fixtures.Sidecar
// implements it.
type ToxicLink interface {
	AddToxic(ctx context.Context, name, typ, stream string, attrs map[string]any, brokers ...int) error
	RemoveToxic(ctx context.Context, name string) error
}

// Toxiproxy streams: upstream is worker to broker (requests: heartbeats,
// fetch and produce requests, commits), downstream broker to worker
// (responses).
const (
	Upstream   = "upstream"
	Downstream = "downstream"
)

// Toxic degrades one worker's own link to the brokers with a toxiproxy
// toxic, in one or both directions, on every broker's proxy or only on some
// (Brokers, e.g. just the group coordinator's). The other workers and the
// harness are untouched. Build it with the constructors below, which say
// what each toxic does; Kind names the fault in marks and reports.
//
// Shows is the symptom its spec expects: Leaves (the default) when the
// toxic must end the worker's membership, Stalls when it must only slow the
// worker down. Heal removes the toxic from every proxy of the worker; it is
// idempotent.
type Toxic struct {
	Kind    string
	Worker  string
	L       ToxicLink
	Type    string         // toxiproxy toxic type: latency, timeout, reset_peer, bandwidth, slicer
	Streams []string       // Upstream and/or Downstream
	Attrs   map[string]any // the toxic's attributes
	Brokers []int          // broker indexes; none means every broker
	Shows   Symptom
}

func (t Toxic) Name() string { return t.Kind }

func (t Toxic) Target() string {
	if len(t.Brokers) == 0 {
		return t.Worker
	}
	var bs []string
	for _, b := range t.Brokers {
		bs = append(bs, fmt.Sprintf("broker-%d", b))
	}
	return t.Worker + "->" + strings.Join(bs, ",")
}

// toxicName is the toxic's name on the proxies: one per stream, since a
// toxiproxy toxic lives on one stream.
func (t Toxic) toxicName(stream string) string { return "chaos-" + t.Kind + "-" + stream }

// Inject adds the toxic on every stream; on an error, what was added is
// removed again (Heal would do it too).
func (t Toxic) Inject(ctx context.Context) error {
	if len(t.Streams) == 0 {
		return errors.New("toxic on no stream")
	}
	for _, s := range t.Streams {
		if err := t.L.AddToxic(ctx, t.toxicName(s), t.Type, s, t.Attrs, t.Brokers...); err != nil {
			return errors.Join(fmt.Errorf("add %s toxic on %s: %w", t.Type, s, err), t.Heal(ctx))
		}
	}
	return nil
}

// Heal removes the toxic from every proxy of the worker.
func (t Toxic) Heal(ctx context.Context) error {
	var errs []error
	for _, s := range t.Streams {
		if err := retry(ctx, func() error { return t.L.RemoveToxic(ctx, t.toxicName(s)) }); err != nil {
			errs = append(errs, fmt.Errorf("remove %s toxic on %s: %w", t.Type, s, err))
		}
	}
	return errors.Join(errs...)
}

// Bit waits for the expected symptom (default: the worker left the group).
func (t Toxic) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	return bite(ctx, t.Shows, Leaves{t.Worker}, g, injected, within)
}

// ResetPeer resets (TCP RST) every connection of the worker as soon as it
// sends anything: each request the worker makes kills its connection, so it
// can neither heartbeat nor fetch. A flapping NIC or a middlebox dropping
// state looks like this. Default symptom: the worker leaves the group.
func ResetPeer(worker string, l ToxicLink) Toxic {
	return Toxic{Kind: "reset-peer", Worker: worker, L: l, Type: "reset_peer", Streams: []string{Upstream}, Attrs: map[string]any{"timeout": 0}}
}

// Blackhole drops every byte on the given streams of the worker's
// connections while keeping them open (toxiproxy's timeout toxic with
// timeout 0): requests or responses vanish without an error, so the worker
// only learns of it from its own timeouts. Both streams is a silent
// partition; one stream is a one-way (asymmetric) partition: upstream the
// broker hears nothing from the worker, downstream the broker still
// receives the worker's heartbeats but the worker never sees an answer.
// Default symptom: the worker leaves the group.
func Blackhole(worker string, l ToxicLink, streams ...string) Toxic {
	kind := "blackhole"
	if len(streams) == 1 {
		kind += "-" + streams[0]
	}
	return Toxic{Kind: kind, Worker: worker, L: l, Type: "timeout", Streams: streams, Attrs: map[string]any{"timeout": 0}}
}

// Latency delays every chunk the worker sends (upstream) or receives
// (downstream) by d ± jitter, on the given brokers' proxies (all when none).
// On the coordinator's proxy upstream it delays the worker's heartbeats as
// the coordinator sees them, and its commits and the fetches and produce
// requests it sends to that broker with them. Toxiproxy keeps the order of
// the bytes. Its symptom depends on d: below half the session timeout the
// worker only slows down (give Stalls), above the session timeout it is
// evicted (Leaves, the default).
func Latency(worker string, l ToxicLink, d, jitter time.Duration, stream string, brokers ...int) Toxic {
	kind := "latency"
	if jitter > 0 {
		kind = "jitter"
	}
	return Toxic{Kind: kind, Worker: worker, L: l, Type: "latency", Streams: []string{stream}, Brokers: brokers,
		Attrs: map[string]any{"latency": d.Milliseconds(), "jitter": jitter.Milliseconds()}}
}

// Bandwidth limits each of the worker's connections, on the given stream,
// to kbps kilobytes per second: a saturated or throttled link. The worker
// falls behind (give Stalls) but heartbeats are small and go on.
func Bandwidth(worker string, l ToxicLink, kbps int64, stream string) Toxic {
	return Toxic{Kind: "bandwidth", Worker: worker, L: l, Type: "bandwidth", Streams: []string{stream},
		Attrs: map[string]any{"rate": kbps}}
}

// Slicer cuts the worker's byte stream, on the given stream, into slices
// of about avg bytes (± variation) with delay between them: every Kafka
// response (or request) arrives in many small TCP reads, slowly. It tests
// framing under fragmentation and throughput under a trickle (give Stalls).
func Slicer(worker string, l ToxicLink, avg, variation int, delay time.Duration, stream string) Toxic {
	return Toxic{Kind: "slicer", Worker: worker, L: l, Type: "slicer", Streams: []string{stream},
		Attrs: map[string]any{"average_size": avg, "size_variation": variation, "delay": delay.Microseconds()}}
}
