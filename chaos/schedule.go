package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
)

// FaultKind is one kind of fault a schedule may draw, with how long it may
// stay injected (its hold, from Inject to Heal) and how many targets it can
// choose from (the workers of the fleet; 0 for a fault with no target, such
// as a broker restart).
type FaultKind struct {
	Name             string
	MinHold, MaxHold time.Duration
	Weight           int // relative chance of being drawn; 0 means 1
	Targets          int
}

// Step is one fault of a schedule: inject Kind on target number Target (-1
// for none) at At after the schedule's start, heal it Hold later.
type Step struct {
	At     time.Duration
	Kind   string
	Target int
	Hold   time.Duration
}

// End is when the step is healed, from the schedule's start.
func (s Step) End() time.Duration { return s.At + s.Hold }

// Schedule is a seeded random sequence of faults: one at a time, each held
// for a drawn time, at least Quiet between one heal and the next inject
// (and before the first and after the last), all of it within Duration.
// The same seed and kinds give the same schedule, so a failing run is
// replayed with CHAOS_SEED=<seed>.
type Schedule struct {
	Seed     int64
	Duration time.Duration
	Quiet    time.Duration
	Steps    []Step
}

// NewSchedule draws a schedule from seed. Quiet is the minimum quiet time:
// the gap after each heal is Quiet plus up to half of it again, drawn. It
// fails when the parameters leave no room for a single fault, or a kind is
// malformed.
func NewSchedule(seed int64, duration, quiet time.Duration, kinds []FaultKind) (Schedule, error) {
	s := Schedule{Seed: seed, Duration: duration, Quiet: quiet}
	if err := checkKinds(duration, quiet, kinds); err != nil {
		return s, err
	}
	total := 0
	for _, k := range kinds {
		total += weight(k)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	draw := func(lo, hi time.Duration) time.Duration {
		if hi <= lo {
			return lo
		}
		d := lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
		return d.Truncate(time.Millisecond)
	}
	t := quiet
	for {
		n := rng.IntN(total)
		var k FaultKind
		for _, c := range kinds {
			if n < weight(c) {
				k = c
				break
			}
			n -= weight(c)
		}
		hold := draw(k.MinHold, k.MaxHold)
		if t+hold+quiet > duration {
			break
		}
		target := -1
		if k.Targets > 0 {
			target = rng.IntN(k.Targets)
		}
		s.Steps = append(s.Steps, Step{At: t, Kind: k.Name, Target: target, Hold: hold})
		t += hold + draw(quiet, quiet+quiet/2)
	}
	if len(s.Steps) == 0 {
		return s, fmt.Errorf("schedule of %s with quiet %s drew no fault that fits (seed %d)", duration, quiet, seed)
	}
	return s, nil
}

func weight(k FaultKind) int {
	if k.Weight <= 0 {
		return 1
	}
	return k.Weight
}

func checkKinds(duration, quiet time.Duration, kinds []FaultKind) error {
	var errs []error
	if duration <= 0 {
		errs = append(errs, fmt.Errorf("schedule duration %s: must be > 0", duration))
	}
	if quiet <= 0 {
		errs = append(errs, fmt.Errorf("quiet time %s: must be > 0", quiet))
	}
	if len(kinds) == 0 {
		errs = append(errs, errors.New("no fault kind to draw from"))
	}
	seen := map[string]bool{}
	shortest := time.Duration(-1)
	for _, k := range kinds {
		switch {
		case k.Name == "":
			errs = append(errs, errors.New("a fault kind without a name"))
		case seen[k.Name]:
			errs = append(errs, fmt.Errorf("fault kind %q given twice", k.Name))
		}
		seen[k.Name] = true
		if k.MinHold <= 0 || k.MaxHold < k.MinHold {
			errs = append(errs, fmt.Errorf("fault kind %q: hold range [%s, %s] must be positive and ordered", k.Name, k.MinHold, k.MaxHold))
		}
		if k.Targets < 0 {
			errs = append(errs, fmt.Errorf("fault kind %q: %d targets", k.Name, k.Targets))
		}
		if shortest < 0 || k.MinHold < shortest {
			shortest = k.MinHold
		}
	}
	if len(errs) == 0 && 2*quiet+shortest > duration {
		errs = append(errs, fmt.Errorf("schedule duration %s leaves no room for a fault between two quiet times of %s (shortest hold %s)", duration, quiet, shortest))
	}
	return errors.Join(errs...)
}

// Validate checks what every schedule promises, given the kinds it was
// drawn from: steps in order, each kind known and its target in range, each
// hold within its kind's range, at least Quiet before the first inject,
// between each heal and the next inject, and between the last heal and
// Duration.
func (s Schedule) Validate(kinds []FaultKind) error {
	byName := map[string]FaultKind{}
	for _, k := range kinds {
		byName[k.Name] = k
	}
	var errs []error
	prevEnd := time.Duration(0)
	for i, st := range s.Steps {
		k, ok := byName[st.Kind]
		if !ok {
			errs = append(errs, fmt.Errorf("step %d: unknown kind %q", i, st.Kind))
			continue
		}
		if st.Hold < k.MinHold || st.Hold > k.MaxHold {
			errs = append(errs, fmt.Errorf("step %d (%s): hold %s outside [%s, %s]", i, st.Kind, st.Hold, k.MinHold, k.MaxHold))
		}
		if (k.Targets == 0 && st.Target != -1) || (k.Targets > 0 && (st.Target < 0 || st.Target >= k.Targets)) {
			errs = append(errs, fmt.Errorf("step %d (%s): target %d outside its %d targets", i, st.Kind, st.Target, k.Targets))
		}
		if gap := st.At - prevEnd; gap < s.Quiet {
			errs = append(errs, fmt.Errorf("step %d (%s) at %s: only %s quiet before it, want >= %s", i, st.Kind, st.At, gap, s.Quiet))
		}
		prevEnd = st.End()
	}
	if len(s.Steps) > 0 && s.Duration-prevEnd < s.Quiet {
		errs = append(errs, fmt.Errorf("last heal at %s leaves only %s quiet before the end at %s, want >= %s", prevEnd, s.Duration-prevEnd, s.Duration, s.Quiet))
	}
	return errors.Join(errs...)
}

// String lists the schedule one step a line, with the seed that replays it.
func (s Schedule) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "schedule seed %d (replay: %s=%d), %d faults in %s, quiet >= %s\n", s.Seed, EnvSeed, s.Seed, len(s.Steps), s.Duration, s.Quiet)
	for i, st := range s.Steps {
		target := "-"
		if st.Target >= 0 {
			target = strconv.Itoa(st.Target)
		}
		fmt.Fprintf(&b, "  %2d  +%-9s %-22s target %-2s hold %s\n", i+1, st.At, st.Kind, target, st.Hold)
	}
	return b.String()
}

// EnvSeed names the variable that replays a schedule.
const EnvSeed = "CHAOS_SEED"

// SeedFromEnv returns the seed CHAOS_SEED names (getenv is os.Getenv when
// nil), or a fresh one drawn from the clock when it is unset; replayed says
// which.
func SeedFromEnv(getenv func(string) string) (seed int64, replayed bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := strings.TrimSpace(getenv(EnvSeed)); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, false, fmt.Errorf("%s=%q: not an integer seed", EnvSeed, v)
		}
		return n, true, nil
	}
	return time.Now().UnixNano() % 1_000_000_000, false, nil
}

// WithSeed marks f as drawn from the schedule with seed: its inject, bit
// and heal marks carry the seed. It still bites as f does.
func WithSeed(f Fault, seed int64) Fault { return seeded{f, seed} }

type seeded struct {
	Fault
	seed int64
}

func (s seeded) Seed() int64 { return s.seed }

func (s seeded) Bit(ctx context.Context, g GroupView, injected time.Time, within time.Duration) error {
	b, ok := s.Fault.(Biter)
	if !ok {
		return fmt.Errorf("%s cannot tell whether it bit", s.Name())
	}
	return b.Bit(ctx, g, injected, within)
}
