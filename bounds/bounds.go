// Package bounds holds every bound and timing of the chaos suite in one
// place: the consumer timeouts given to the workers, the time limits the
// checkers enforce, and the observer's sampling interval. Defaults suit the
// kfake broker on one machine; every value can be overridden from the
// environment, and the effective values are printed at suite start and in
// every report (Table, Map).
package bounds

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Bounds is the suite's timing configuration. The zero value is invalid;
// start from Defaults or FromEnv.
type Bounds struct {
	SessionTimeout    time.Duration // consumer session.timeout.ms given to workers
	HeartbeatInterval time.Duration // consumer heartbeat.interval.ms given to workers
	MaxPollInterval   time.Duration // consumer max.poll.interval.ms given to workers
	Reassign          time.Duration // fault to partitions of a dead member owned by live ones
	ReassignGraceful  time.Duration // SIGTERM to partitions of the leaving member owned by others
	LagThreshold      int64         // total lag (records) counted as recovered
	Recovery          time.Duration // heal to lag back under LagThreshold
	Shutdown          time.Duration // SIGTERM to process exit
	Stable            time.Duration // fleet start to a stable group with all partitions owned
	Drain             time.Duration // load stop to zero lag and all updates seen
	Sample            time.Duration // observer poll interval (group snapshots, lag samples)
	NoRebalanceWindow time.Duration // control spec's watch window
}

// ReassignSlack is what Reassign adds to SessionTimeout by default: the
// coordinator's expiry check, the rebalance and one observer sample.
const ReassignSlack = 3 * time.Second

// Defaults returns the default bounds.
func Defaults() Bounds {
	return Bounds{
		SessionTimeout:    6 * time.Second,
		HeartbeatInterval: 1 * time.Second,
		MaxPollInterval:   30 * time.Second,
		Reassign:          6*time.Second + ReassignSlack,
		ReassignGraceful:  3 * time.Second,
		LagThreshold:      50,
		Recovery:          15 * time.Second,
		Shutdown:          10 * time.Second,
		Stable:            60 * time.Second,
		Drain:             60 * time.Second,
		Sample:            250 * time.Millisecond,
		NoRebalanceWindow: 10 * time.Second,
	}
}

// Environment variables, one per field.
const (
	EnvSessionTimeout    = "CHAOS_SESSION_TIMEOUT"
	EnvHeartbeatInterval = "CHAOS_HEARTBEAT_INTERVAL"
	EnvMaxPollInterval   = "CHAOS_MAX_POLL_INTERVAL"
	EnvReassign          = "CHAOS_BOUND_REASSIGN"
	EnvReassignGraceful  = "CHAOS_BOUND_REASSIGN_GRACEFUL"
	EnvLagThreshold      = "CHAOS_LAG_THRESHOLD"
	EnvRecovery          = "CHAOS_BOUND_RECOVERY"
	EnvShutdown          = "CHAOS_BOUND_SHUTDOWN"
	EnvStable            = "CHAOS_BOUND_STABLE"
	EnvDrain             = "CHAOS_BOUND_DRAIN"
	EnvSample            = "CHAOS_SAMPLE_INTERVAL"
	EnvNoRebalanceWindow = "CHAOS_NO_REBALANCE_WINDOW"
)

// field describes one duration of Bounds for parsing and printing.
type field struct {
	name, key, env, doc string
	dur                 func(*Bounds) *time.Duration // nil for LagThreshold
}

var fields = []field{
	{"SessionTimeout", "session_timeout", EnvSessionTimeout, "consumer session.timeout.ms given to workers", func(b *Bounds) *time.Duration { return &b.SessionTimeout }},
	{"HeartbeatInterval", "heartbeat_interval", EnvHeartbeatInterval, "consumer heartbeat.interval.ms given to workers", func(b *Bounds) *time.Duration { return &b.HeartbeatInterval }},
	{"MaxPollInterval", "max_poll_interval", EnvMaxPollInterval, "consumer max.poll.interval.ms given to workers", func(b *Bounds) *time.Duration { return &b.MaxPollInterval }},
	{"Reassign", "reassign", EnvReassign, "member dies -> its partitions owned by live members (default session timeout + 3s)", func(b *Bounds) *time.Duration { return &b.Reassign }},
	{"ReassignGraceful", "reassign_graceful", EnvReassignGraceful, "SIGTERM -> the leaver's partitions owned by others", func(b *Bounds) *time.Duration { return &b.ReassignGraceful }},
	{"LagThreshold", "lag_threshold", EnvLagThreshold, "total lag (records) counted as recovered", nil},
	{"Recovery", "recovery", EnvRecovery, "heal -> total lag <= lag threshold", func(b *Bounds) *time.Duration { return &b.Recovery }},
	{"Shutdown", "shutdown", EnvShutdown, "SIGTERM -> worker exited", func(b *Bounds) *time.Duration { return &b.Shutdown }},
	{"Stable", "stable", EnvStable, "fleet start -> stable group, all partitions owned", func(b *Bounds) *time.Duration { return &b.Stable }},
	{"Drain", "drain", EnvDrain, "load stop -> zero lag and all updates seen", func(b *Bounds) *time.Duration { return &b.Drain }},
	{"Sample", "sample", EnvSample, "observer poll interval (snapshots, lag samples)", func(b *Bounds) *time.Duration { return &b.Sample }},
	{"NoRebalanceWindow", "no_rebalance_window", EnvNoRebalanceWindow, "control spec: window watched for rebalances", func(b *Bounds) *time.Duration { return &b.NoRebalanceWindow }},
}

// FromEnv returns Defaults overridden by the CHAOS_* variables getenv
// returns (os.Getenv when getenv is nil). Durations are Go durations ("6s",
// "250ms"); CHAOS_LAG_THRESHOLD is an integer. An empty or blank value
// means unset. Reassign follows an overridden SessionTimeout
// (SessionTimeout + ReassignSlack) unless CHAOS_BOUND_REASSIGN is set.
//
// Every bad value is reported, all joined with errors.Join, each naming the
// variable and the value (see Validate for the cross-field rules). On error
// the returned Bounds holds what could be parsed and must not be used.
func FromEnv(getenv func(string) string) (Bounds, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	b := Defaults()
	var errs []error
	for _, f := range fields {
		v := strings.TrimSpace(getenv(f.env))
		if v == "" {
			continue
		}
		if f.dur == nil {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not an integer number of records", f.env, v))
				continue
			}
			b.LagThreshold = n
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: not a Go duration such as \"6s\" or \"250ms\"", f.env, v))
			continue
		}
		*f.dur(&b) = d
	}
	if strings.TrimSpace(getenv(EnvReassign)) == "" {
		b.Reassign = b.SessionTimeout + ReassignSlack
	}
	if len(errs) > 0 {
		// Report parse errors together with the rules the parsed values break.
		errs = append(errs, b.Validate())
		return b, errors.Join(errs...)
	}
	return b, b.Validate()
}

// Validate checks every value and the rules between them, and returns all
// violations joined, each naming the variable and its value:
//
//   - every duration > 0, LagThreshold >= 0;
//   - HeartbeatInterval < SessionTimeout (a member must heartbeat before it
//     expires);
//   - Reassign >= SessionTimeout (a dead member cannot be noticed sooner);
//   - Sample <= a quarter of Reassign, ReassignGraceful, Recovery and
//     NoRebalanceWindow (the observer must see a bound several times to
//     measure it).
func (b Bounds) Validate() error {
	var errs []error
	for _, f := range fields {
		if f.dur == nil {
			if b.LagThreshold < 0 {
				errs = append(errs, fmt.Errorf("%s=%d: must be >= 0", f.env, b.LagThreshold))
			}
			continue
		}
		if d := *f.dur(&b); d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%s: must be > 0", f.env, d))
		}
	}
	if b.HeartbeatInterval > 0 && b.SessionTimeout > 0 && b.HeartbeatInterval >= b.SessionTimeout {
		errs = append(errs, fmt.Errorf("%s=%s: must be below %s=%s", EnvHeartbeatInterval, b.HeartbeatInterval, EnvSessionTimeout, b.SessionTimeout))
	}
	if b.Reassign > 0 && b.SessionTimeout > 0 && b.Reassign < b.SessionTimeout {
		errs = append(errs, fmt.Errorf("%s=%s: below %s=%s, a dead member cannot be noticed that soon", EnvReassign, b.Reassign, EnvSessionTimeout, b.SessionTimeout))
	}
	if b.Sample > 0 {
		for _, o := range []struct {
			env string
			d   time.Duration
		}{{EnvReassign, b.Reassign}, {EnvReassignGraceful, b.ReassignGraceful}, {EnvRecovery, b.Recovery}, {EnvNoRebalanceWindow, b.NoRebalanceWindow}} {
			if o.d > 0 && b.Sample > o.d/4 {
				errs = append(errs, fmt.Errorf("%s=%s: more than a quarter of %s=%s, too coarse to measure it", EnvSample, b.Sample, o.env, o.d))
			}
		}
	}
	return errors.Join(errs...)
}

// Table returns an aligned table of the bounds: name, value, environment
// variable, what it bounds.
func (b Bounds) Table() string {
	var s strings.Builder
	w := tabwriter.NewWriter(&s, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "BOUND\tVALUE\tENV\tBOUNDS")
	for _, f := range fields {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", f.name, b.value(f), f.env, f.doc)
	}
	w.Flush()
	return s.String()
}

// Map returns the bounds for JSON reports, keyed by snake_case name
// ("session_timeout": "6s", "lag_threshold": "50").
func (b Bounds) Map() map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f.key] = b.value(f)
	}
	return m
}

// Env returns the bounds as CHAOS_* assignments (sorted), to reproduce a
// run or hand the same configuration to a child process.
func (b Bounds) Env() []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.env+"="+b.value(f))
	}
	sort.Strings(out)
	return out
}

func (b Bounds) value(f field) string {
	if f.dur == nil {
		return strconv.FormatInt(b.LagThreshold, 10)
	}
	return f.dur(&b).String()
}
