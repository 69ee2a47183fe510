package verify

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// FaultBit checks that every injection of fault bit (class "no-bite"): each
// FaultMark{Fault: fault, Phase: "inject"} must be followed, at or after its
// time and before the next injection of the same fault on the same target,
// by a "bit" mark of that fault on the same target. A fault
// never injected fails too (a spec whose fault did nothing must not pass).
// Measured is the longest inject-to-bit delay; no bound applies.
//
// Not checked: whether the fault was healed, or what the symptom was (the
// fault's Bit wait decides that when it records the mark; see MemberLeft and
// MemberHasPartitions).
func FaultBit(h history.History, fault string) Result {
	const check = CheckFaultBit
	var marks []history.FaultMark
	for _, m := range h.Faults {
		if m.Fault == fault {
			marks = append(marks, m)
		}
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].At.Before(marks[j].At) })
	injects := 0
	var worst time.Duration
	var ex []string
	var first time.Time
	missed := 0
	for i, m := range marks {
		if m.Phase != history.PhaseInject {
			continue
		}
		injects++
		bit := false
		for _, n := range marks[i+1:] {
			if n.Phase == history.PhaseInject && n.Target == m.Target {
				break
			}
			if n.Phase == history.PhaseBit && n.Target == m.Target {
				bit = true
				worst = max(worst, n.At.Sub(m.At))
				break
			}
		}
		if !bit {
			missed++
			if first.IsZero() {
				first = m.At
			}
			if len(ex) < MaxExamples {
				target := m.Target
				if target == "" {
					target = "-"
				}
				ex = append(ex, fmt.Sprintf("%s on %s injected at %s never bit (seed %d, %s)", fault, target, rel(h.Start, m.At), m.Seed, healNote(h, marks[i+1:], m)))
			}
		}
	}
	if injects == 0 {
		return fail(check, ClassNoBite, fmt.Sprintf("fault %q should be injected and then seen to bite; it was never injected (%d fault marks in all).", fault, len(h.Faults)), time.Time{}, nil, 0)
	}
	if missed == 0 {
		r := pass(check, fmt.Sprintf("fault %q bit after each of its %d injections (slowest after %s).", fault, injects, worst))
		r.Measured = worst
		return r
	}
	r := fail(check, ClassNoBite, fmt.Sprintf("fault %q should bite after every injection; %d of %d injections showed no symptom.", fault, missed, injects), first, ex, missed)
	r.Measured = worst
	return r
}

func healNote(h history.History, after []history.FaultMark, inj history.FaultMark) string {
	for _, n := range after {
		if n.Phase == history.PhaseHeal && n.Target == inj.Target {
			return "healed at " + rel(h.Start, n.At)
		}
	}
	return "never healed"
}

// MemberLeft returns the time of the first error-free snapshot at or after
// since (and, when within > 0, at or before since+within) in which worker is
// not a member of the group (matched by worker id or member id). An Empty or
// Dead group counts as the worker having left. Fixtures use it to decide a
// crash or cut-off fault bit.
func MemberLeft(h history.History, worker string, since time.Time, within time.Duration) (time.Time, bool) {
	for _, s := range validSnapshots(h) {
		if s.At.Before(since) {
			continue
		}
		if within > 0 && s.At.After(since.Add(within)) {
			break
		}
		present := false
		for _, m := range s.Members {
			if isMember(m, worker) {
				present = true
			}
		}
		if !present {
			return s.At, true
		}
	}
	return time.Time{}, false
}

// MemberHasPartitions returns the time of the first error-free snapshot at
// or after since in which worker is a member with at least one partition
// assigned. Fixtures use it to decide that a worker rejoined.
func MemberHasPartitions(h history.History, worker string, since time.Time) (time.Time, bool) {
	for _, s := range validSnapshots(h) {
		if s.At.Before(since) {
			continue
		}
		for _, m := range s.Members {
			if isMember(m, worker) && len(m.Partitions) > 0 {
				return s.At, true
			}
		}
	}
	return time.Time{}, false
}
