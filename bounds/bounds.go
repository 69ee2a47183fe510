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
	"math"
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
	LagHold           time.Duration // how long lag must stay under LagThreshold once recovered
	Shutdown          time.Duration // SIGTERM to process exit
	Stable            time.Duration // fleet start to a stable group with all partitions owned
	Drain             time.Duration // load stop to zero lag and all updates seen
	Sample            time.Duration // observer poll interval (group snapshots, lag samples)
	NoRebalanceWindow time.Duration // control spec's watch window

	// Fault magnitudes and the bounds that go with them (see the chaos
	// catalogue). Those marked "derived" follow an overridden SessionTimeout
	// (or SlowMaxPoll) unless their own variable is set.
	LatencyBelow     time.Duration // heartbeat delay to the coordinator that must NOT rebalance (< SessionTimeout/2; derived: 45% of it)
	LatencyAbove     time.Duration // heartbeat delay to the coordinator that must evict (> SessionTimeout; derived: +2s)
	PauseShort       time.Duration // a pause that must NOT rebalance (+HeartbeatInterval < SessionTimeout; derived: half of it)
	Outage           time.Duration // a broker stopped for longer than the session timeout (derived: SessionTimeout + 2s)
	SlowMaxPoll      time.Duration // max.poll.interval given to the slow-handler worker (>= SessionTimeout; derived: +1s)
	SlowDelay        time.Duration // that worker's per-post processing delay (> SlowMaxPoll; derived: SlowMaxPoll + 3s)
	ReassignSlow     time.Duration // slow worker assigned -> its partitions owned by others (derived: SlowMaxPoll + 3s)
	Rejoin           time.Duration // heal -> a cut-off or frozen worker owns partitions again (librdkafka reconnects with up to 10s backoff)
	RejoinRefused    time.Duration // a KIP-848 static member killed and started again at once -> it owns partitions again (derived: SessionTimeout + 12s)
	BiteLag          int64         // records behind on a target's partitions that show a fault stalled it
	ZombieGrace      time.Duration // how long after the coordinator took a partition from a worker its appends from it are still excused
	CommitHold       time.Duration // how long the broker holds each commit of one worker (< half the session timeout: the held connection carries its heartbeats; derived: 40% of it)
	ProduceRefused   time.Duration // how long the broker refuses one worker's produce requests, outlasting its delivery timeout (the feed worker's message.timeout.ms is 30s)
	LatencySpread    float64       // worst partition's p99 feed-update latency over the median partition's, under steady load (>= 1)
	LatencySlack     time.Duration // ... unless it is within this much of the median's p99 (host noise at tens of ms)
	ScheduleDuration time.Duration // the seeded schedule spec's length
	ScheduleQuiet    time.Duration // minimum quiet time between two faults of a schedule
	SoakDuration     time.Duration // the seeded soak's length (make soak)
}

// WorkerDeliveryTimeout is the bundled feed worker's delivery timeout
// (librdkafka message.timeout.ms): ProduceRefused must outlast it.
const WorkerDeliveryTimeout = 30 * time.Second

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
		LagHold:           5 * time.Second,
		Shutdown:          10 * time.Second,
		Stable:            60 * time.Second,
		Drain:             60 * time.Second,
		Sample:            250 * time.Millisecond,
		NoRebalanceWindow: 10 * time.Second,

		LatencyBelow:     2700 * time.Millisecond,
		LatencyAbove:     8 * time.Second,
		PauseShort:       3 * time.Second,
		Outage:           8 * time.Second,
		SlowMaxPoll:      7 * time.Second,
		SlowDelay:        10 * time.Second,
		ReassignSlow:     7*time.Second + ReassignSlack,
		Rejoin:           13 * time.Second,
		RejoinRefused:    18 * time.Second,
		BiteLag:          20,
		ZombieGrace:      2 * time.Second,
		CommitHold:       2400 * time.Millisecond,
		ProduceRefused:   35 * time.Second,
		LatencySpread:    2,
		LatencySlack:     250 * time.Millisecond,
		ScheduleDuration: 50 * time.Second,
		ScheduleQuiet:    8 * time.Second,
		SoakDuration:     10 * time.Minute,
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
	EnvLagHold           = "CHAOS_LAG_HOLD"
	EnvShutdown          = "CHAOS_BOUND_SHUTDOWN"
	EnvStable            = "CHAOS_BOUND_STABLE"
	EnvDrain             = "CHAOS_BOUND_DRAIN"
	EnvSample            = "CHAOS_SAMPLE_INTERVAL"
	EnvNoRebalanceWindow = "CHAOS_NO_REBALANCE_WINDOW"
	EnvLatencyBelow      = "CHAOS_LATENCY_BELOW"
	EnvLatencyAbove      = "CHAOS_LATENCY_ABOVE"
	EnvPauseShort        = "CHAOS_PAUSE_SHORT"
	EnvOutage            = "CHAOS_BROKER_OUTAGE"
	EnvSlowMaxPoll       = "CHAOS_SLOW_MAX_POLL_INTERVAL"
	EnvSlowDelay         = "CHAOS_SLOW_PROCESS_DELAY"
	EnvReassignSlow      = "CHAOS_BOUND_REASSIGN_SLOW"
	EnvRejoin            = "CHAOS_BOUND_REJOIN"
	EnvRejoinRefused     = "CHAOS_BOUND_REJOIN_REFUSED"
	EnvBiteLag           = "CHAOS_BITE_LAG"
	EnvZombieGrace       = "CHAOS_ZOMBIE_GRACE"
	EnvCommitHold        = "CHAOS_COMMIT_HOLD"
	EnvProduceRefused    = "CHAOS_PRODUCE_REFUSED"
	EnvLatencySpread     = "CHAOS_LATENCY_SPREAD"
	EnvLatencySlack      = "CHAOS_LATENCY_SLACK"
	EnvScheduleDuration  = "CHAOS_SCHEDULE_DURATION"
	EnvScheduleQuiet     = "CHAOS_SCHEDULE_QUIET"
	EnvSoakDuration      = "CHAOS_SOAK_DURATION"
)

// field describes one duration of Bounds for parsing and printing.
type field struct {
	name, key, env, doc string
	dur                 func(*Bounds) *time.Duration // nil for the record counts
	count               func(*Bounds) *int64         // the record counts (LagThreshold, BiteLag)
	// derive computes the field from the others when its variable is unset
	// (nil: the default stands). Fields are derived in table order.
	derive func(Bounds) time.Duration
	// ratio is set for the ratios (LatencySpread), with dur and count nil.
	ratio func(*Bounds) *float64
}

var fields = []field{
	{"SessionTimeout", "session_timeout", EnvSessionTimeout, "consumer session.timeout.ms given to workers", func(b *Bounds) *time.Duration { return &b.SessionTimeout }, nil, nil, nil},
	{"HeartbeatInterval", "heartbeat_interval", EnvHeartbeatInterval, "consumer heartbeat.interval.ms given to workers", func(b *Bounds) *time.Duration { return &b.HeartbeatInterval }, nil, nil, nil},
	{"MaxPollInterval", "max_poll_interval", EnvMaxPollInterval, "consumer max.poll.interval.ms given to workers", func(b *Bounds) *time.Duration { return &b.MaxPollInterval }, nil, nil, nil},
	{"Reassign", "reassign", EnvReassign, "member dies -> its partitions owned by live members (default session timeout + 3s)", func(b *Bounds) *time.Duration { return &b.Reassign }, nil, nil, nil},
	{"ReassignGraceful", "reassign_graceful", EnvReassignGraceful, "SIGTERM -> the leaver's partitions owned by others", func(b *Bounds) *time.Duration { return &b.ReassignGraceful }, nil, nil, nil},
	{"LagThreshold", "lag_threshold", EnvLagThreshold, "total lag (records) counted as recovered", nil, func(b *Bounds) *int64 { return &b.LagThreshold }, nil, nil},
	{"Recovery", "recovery", EnvRecovery, "heal -> total lag <= lag threshold", func(b *Bounds) *time.Duration { return &b.Recovery }, nil, nil, nil},
	{"LagHold", "lag_hold", EnvLagHold, "lag back under its threshold -> it must stay there at least this long (seen before the load stops)", func(b *Bounds) *time.Duration { return &b.LagHold }, nil, nil, nil},
	{"Shutdown", "shutdown", EnvShutdown, "SIGTERM -> worker exited", func(b *Bounds) *time.Duration { return &b.Shutdown }, nil, nil, nil},
	{"Stable", "stable", EnvStable, "fleet start -> stable group, all partitions owned", func(b *Bounds) *time.Duration { return &b.Stable }, nil, nil, nil},
	{"Drain", "drain", EnvDrain, "load stop -> zero lag and all updates seen", func(b *Bounds) *time.Duration { return &b.Drain }, nil, nil, nil},
	{"Sample", "sample", EnvSample, "observer poll interval (snapshots, lag samples)", func(b *Bounds) *time.Duration { return &b.Sample }, nil, nil, nil},
	{"NoRebalanceWindow", "no_rebalance_window", EnvNoRebalanceWindow, "control spec: window watched for rebalances", func(b *Bounds) *time.Duration { return &b.NoRebalanceWindow }, nil, nil, nil},
	{"LatencyBelow", "latency_below", EnvLatencyBelow, "heartbeat delay to the coordinator that must not rebalance (< half the session timeout; default 45% of it)", func(b *Bounds) *time.Duration { return &b.LatencyBelow }, nil, func(b Bounds) time.Duration { return b.SessionTimeout * 45 / 100 }, nil},
	{"LatencyAbove", "latency_above", EnvLatencyAbove, "heartbeat delay to the coordinator that must evict (> session timeout; default +2s)", func(b *Bounds) *time.Duration { return &b.LatencyAbove }, nil, func(b Bounds) time.Duration { return b.SessionTimeout + 2*time.Second }, nil},
	{"PauseShort", "pause_short", EnvPauseShort, "pause that must not rebalance (+ heartbeat < session timeout; default half of it)", func(b *Bounds) *time.Duration { return &b.PauseShort }, nil, func(b Bounds) time.Duration { return b.SessionTimeout / 2 }, nil},
	{"Outage", "outage", EnvOutage, "broker stopped for longer than the session timeout (default +2s)", func(b *Bounds) *time.Duration { return &b.Outage }, nil, func(b Bounds) time.Duration { return b.SessionTimeout + 2*time.Second }, nil},
	{"SlowMaxPoll", "slow_max_poll", EnvSlowMaxPoll, "max.poll.interval of the slow-handler worker (>= session timeout; default +1s)", func(b *Bounds) *time.Duration { return &b.SlowMaxPoll }, nil, func(b Bounds) time.Duration { return b.SessionTimeout + time.Second }, nil},
	{"SlowDelay", "slow_delay", EnvSlowDelay, "per-post delay of the slow-handler worker (> its max poll; default +3s)", func(b *Bounds) *time.Duration { return &b.SlowDelay }, nil, func(b Bounds) time.Duration { return b.SlowMaxPoll + 3*time.Second }, nil},
	{"ReassignSlow", "reassign_slow", EnvReassignSlow, "slow worker assigned -> its partitions owned by others (default its max poll + 3s)", func(b *Bounds) *time.Duration { return &b.ReassignSlow }, nil, func(b Bounds) time.Duration { return b.SlowMaxPoll + ReassignSlack }, nil},
	{"Rejoin", "rejoin", EnvRejoin, "heal -> the healed worker owns partitions again (reconnect backoff up to 10s + 3s)", func(b *Bounds) *time.Duration { return &b.Rejoin }, nil, nil, nil},
	{"RejoinRefused", "rejoin_refused", EnvRejoinRefused, "KIP-848 static member killed and started again at once -> it owns partitions again (refused until its old session expires; default session timeout + 12s of the worker's join backoff)", func(b *Bounds) *time.Duration { return &b.RejoinRefused }, nil, func(b Bounds) time.Duration { return b.SessionTimeout + 12*time.Second }, nil},
	{"BiteLag", "bite_lag", EnvBiteLag, "records behind on a target's partitions that show a fault stalled it", nil, func(b *Bounds) *int64 { return &b.BiteLag }, nil, nil},
	{"ZombieGrace", "zombie_grace", EnvZombieGrace, "coordinator took a partition from a worker -> its appends from that partition stop being excused", func(b *Bounds) *time.Duration { return &b.ZombieGrace }, nil, nil, nil},
	{"CommitHold", "commit_hold", EnvCommitHold, "the broker holds each commit of one worker this long before serving it (< half the session timeout: the held connection carries its heartbeats; default 40% of it)", func(b *Bounds) *time.Duration { return &b.CommitHold }, nil, func(b Bounds) time.Duration { return b.SessionTimeout * 4 / 10 }, nil},
	{"ProduceRefused", "produce_refused", EnvProduceRefused, "the broker refuses one worker's produce requests this long (above the worker's delivery timeout, 30s for the feed worker, so its deliveries fail)", func(b *Bounds) *time.Duration { return &b.ProduceRefused }, nil, nil, nil},
	{"LatencySpread", "latency_spread", EnvLatencySpread, "worst partition's p99 feed-update latency over the median partition's, steady load (ratio >= 1)", nil, nil, nil, func(b *Bounds) *float64 { return &b.LatencySpread }},
	{"LatencySlack", "latency_slack", EnvLatencySlack, "the worst partition's p99 may exceed the spread bound while within this of the median partition's p99", func(b *Bounds) *time.Duration { return &b.LatencySlack }, nil, nil, nil},
	{"ScheduleDuration", "schedule_duration", EnvScheduleDuration, "length of the seeded schedule spec", func(b *Bounds) *time.Duration { return &b.ScheduleDuration }, nil, nil, nil},
	{"ScheduleQuiet", "schedule_quiet", EnvScheduleQuiet, "minimum quiet time between two faults of a schedule", func(b *Bounds) *time.Duration { return &b.ScheduleQuiet }, nil, nil, nil},
	{"SoakDuration", "soak_duration", EnvSoakDuration, "length of the seeded soak (make soak)", func(b *Bounds) *time.Duration { return &b.SoakDuration }, nil, nil, nil},
}

// FromEnv returns Defaults overridden by the CHAOS_* variables getenv
// returns (os.Getenv when getenv is nil). Durations are Go durations ("6s",
// "250ms"); CHAOS_LAG_THRESHOLD and CHAOS_BITE_LAG are integers,
// CHAOS_LATENCY_SPREAD a number ("2", "1.5"). An empty or blank value
// means unset. Reassign follows an overridden SessionTimeout
// (SessionTimeout + ReassignSlack) unless CHAOS_BOUND_REASSIGN is set; so do
// the fault magnitudes marked "derived" on Bounds (LatencyBelow,
// LatencyAbove, PauseShort, Outage, SlowMaxPoll, and from it SlowDelay and
// ReassignSlow, RejoinRefused), each unless its own variable is set.
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
		if f.ratio != nil {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				errs = append(errs, fmt.Errorf("%s=%q: not a number such as \"2\" or \"1.5\"", f.env, v))
				continue
			}
			*f.ratio(&b) = x
			continue
		}
		if f.dur == nil {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not an integer number of records", f.env, v))
				continue
			}
			*f.count(&b) = n
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
	for _, f := range fields {
		if f.derive != nil && strings.TrimSpace(getenv(f.env)) == "" {
			*f.dur(&b) = f.derive(b)
		}
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
//   - every duration > 0, LagThreshold and BiteLag >= 0, LatencySpread a
//     finite ratio >= 1;
//   - HeartbeatInterval < SessionTimeout (a member must heartbeat before it
//     expires);
//   - Reassign >= SessionTimeout (a dead member cannot be noticed sooner);
//   - LatencyBelow < SessionTimeout/2 (the no-rebalance rule), LatencyAbove
//     > SessionTimeout, PauseShort + HeartbeatInterval < SessionTimeout,
//     Outage > SessionTimeout (each fault has the size its spec claims);
//   - SessionTimeout <= SlowMaxPoll < SlowDelay, ReassignSlow >= SlowMaxPoll;
//   - ScheduleDuration >= 3 * ScheduleQuiet;
//   - Sample <= a quarter of Reassign, ReassignGraceful, Recovery,
//     NoRebalanceWindow, ReassignSlow and PauseShort (the observer must see
//     a bound several times to measure it).
func (b Bounds) Validate() error {
	var errs []error
	for _, f := range fields {
		if f.ratio != nil {
			if x := *f.ratio(&b); !(x >= 1) || math.IsInf(x, 0) {
				errs = append(errs, fmt.Errorf("%s=%s: must be a finite ratio >= 1 (the worst partition cannot beat the median)", f.env, strconv.FormatFloat(x, 'g', -1, 64)))
			}
			continue
		}
		if f.dur == nil {
			if n := *f.count(&b); n < 0 {
				errs = append(errs, fmt.Errorf("%s=%d: must be >= 0", f.env, n))
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
	if b.SessionTimeout > 0 {
		if b.LatencyBelow > 0 && b.LatencyBelow >= b.SessionTimeout/2 {
			errs = append(errs, fmt.Errorf("%s=%s: must be below half of %s=%s (the no-rebalance rule)", EnvLatencyBelow, b.LatencyBelow, EnvSessionTimeout, b.SessionTimeout))
		}
		if b.LatencyAbove > 0 && b.LatencyAbove <= b.SessionTimeout {
			errs = append(errs, fmt.Errorf("%s=%s: must be above %s=%s, or it cannot evict", EnvLatencyAbove, b.LatencyAbove, EnvSessionTimeout, b.SessionTimeout))
		}
		if b.PauseShort > 0 && b.HeartbeatInterval > 0 && b.HeartbeatInterval < b.SessionTimeout && b.PauseShort+b.HeartbeatInterval >= b.SessionTimeout {
			errs = append(errs, fmt.Errorf("%s=%s: plus %s=%s must stay below %s=%s, or a short pause may evict", EnvPauseShort, b.PauseShort, EnvHeartbeatInterval, b.HeartbeatInterval, EnvSessionTimeout, b.SessionTimeout))
		}
		if b.Outage > 0 && b.Outage <= b.SessionTimeout {
			errs = append(errs, fmt.Errorf("%s=%s: must be above %s=%s", EnvOutage, b.Outage, EnvSessionTimeout, b.SessionTimeout))
		}
		if b.ProduceRefused > 0 && b.ProduceRefused <= WorkerDeliveryTimeout {
			errs = append(errs, fmt.Errorf("%s=%s: must outlast the feed worker's delivery timeout (message.timeout.ms, %s), or no delivery fails and the specs' sentence \"past its delivery timeout\" is false", EnvProduceRefused, b.ProduceRefused, WorkerDeliveryTimeout))
		}
		if b.CommitHold > 0 && b.CommitHold >= b.SessionTimeout/2 {
			errs = append(errs, fmt.Errorf("%s=%s: must be below half of %s=%s (the held connection carries the heartbeats)", EnvCommitHold, b.CommitHold, EnvSessionTimeout, b.SessionTimeout))
		}
		if b.SlowMaxPoll > 0 && b.SlowMaxPoll < b.SessionTimeout {
			errs = append(errs, fmt.Errorf("%s=%s: below %s=%s, which the worker contract forbids", EnvSlowMaxPoll, b.SlowMaxPoll, EnvSessionTimeout, b.SessionTimeout))
		}
	}
	if b.SlowDelay > 0 && b.SlowMaxPoll > 0 && b.SlowDelay <= b.SlowMaxPoll {
		errs = append(errs, fmt.Errorf("%s=%s: must be above %s=%s, or the handler is not too slow", EnvSlowDelay, b.SlowDelay, EnvSlowMaxPoll, b.SlowMaxPoll))
	}
	if b.ReassignSlow > 0 && b.SlowMaxPoll > 0 && b.ReassignSlow < b.SlowMaxPoll {
		errs = append(errs, fmt.Errorf("%s=%s: below %s=%s, a slow member cannot be evicted that soon", EnvReassignSlow, b.ReassignSlow, EnvSlowMaxPoll, b.SlowMaxPoll))
	}
	if b.ScheduleDuration > 0 && b.ScheduleQuiet > 0 && b.ScheduleDuration < 3*b.ScheduleQuiet {
		errs = append(errs, fmt.Errorf("%s=%s: shorter than three times %s=%s, no room for a fault", EnvScheduleDuration, b.ScheduleDuration, EnvScheduleQuiet, b.ScheduleQuiet))
	}
	if b.Sample > 0 {
		for _, o := range []struct {
			env string
			d   time.Duration
		}{{EnvReassign, b.Reassign}, {EnvReassignGraceful, b.ReassignGraceful}, {EnvRecovery, b.Recovery}, {EnvNoRebalanceWindow, b.NoRebalanceWindow}, {EnvReassignSlow, b.ReassignSlow}, {EnvPauseShort, b.PauseShort}} {
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
	if f.ratio != nil {
		return strconv.FormatFloat(*f.ratio(&b), 'g', -1, 64)
	}
	if f.dur == nil {
		return strconv.FormatInt(*f.count(&b), 10)
	}
	return f.dur(&b).String()
}
