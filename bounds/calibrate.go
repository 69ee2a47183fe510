package bounds

import (
	"fmt"
	"time"
)

// Host is what the scale ladder measures of the machine it runs on before
// it is judged: the facts its top and its timing bounds are fitted to.
// Zero fields are unknown and leave the stated values alone.
type Host struct {
	MemTotal     uint64        // memory of the Docker engine (docker info)
	MemPerMember uint64        // one worker and its proxy at the step below the top (docker stats, mean)
	QuietStall   time.Duration // longest stall of any partition in the quiet window before the top's one-member join
	FleetSettle  time.Duration // one member leaving the largest fleet: SIGTERM -> stable group (a rebalance of the whole fleet on this host)
}

// MemShare is the part of the engine's memory the ladder's workers and
// proxies may take; the rest is the broker's, the harness's and the
// system's.
const MemShare = 0.6

// FitCap is the most a fitted timing bound may grow over the stated one.
// The host's figures are measured on the fleet under test, so a worker
// that is slow everywhere would otherwise loosen its own bound: past the
// cap the spec fails, naming the resource that ran out.
const FitCap = 2

// StallFactor is how much longer than the host's own quiet stall a kept
// partition may wait through a join: a join may not make processing worse
// than half as bad again as the machine already is without one (issue
// "consistent feed latency" states the same 1.5x goal).
const StallFactor = 1.5

// Fitted is a bound or a ladder as fitted to a Host, with the sentence that
// says why (printed in the report next to the measurement).
type Fitted[T any] struct {
	Value T
	Why   string
}

// FitLadder cuts the ladder to the fleet sizes whose workers and proxies fit
// in MemShare of the engine's memory, measured per member at a lower step.
// The ladder is never cut below its first two sizes nor below reached (the
// fleet already running), nor when either figure is unknown; Kill keeps its
// share of a cut top (at least one).
func (c Scale) FitLadder(h Host, reached int) Fitted[Scale] {
	if h.MemTotal == 0 || h.MemPerMember == 0 {
		return Fitted[Scale]{c, "the ladder as configured (memory not measured)"}
	}
	room := uint64(float64(h.MemTotal) * MemShare)
	fits := room / h.MemPerMember
	out := c
	out.Ladder = nil
	for i, n := range c.Ladder {
		if uint64(n) > fits && i >= 2 && n > reached {
			break
		}
		out.Ladder = append(out.Ladder, n)
	}
	if out.Top() == c.Top() {
		return Fitted[Scale]{c, fmt.Sprintf("top %d: %d members fit in %.0f%% of the engine's %s at %s per worker and proxy",
			c.Top(), fits, MemShare*100, FormatBytes(h.MemTotal), FormatBytes(h.MemPerMember))}
	}
	if c.Kill > 0 {
		out.Kill = max(c.Kill*out.Top()/c.Top(), 1)
	}
	return Fitted[Scale]{out, fmt.Sprintf("top cut from %d to %d: memory ran out: %d members fit in %.0f%% of the engine's %s at %s per worker and proxy",
		c.Top(), out.Top(), fits, MemShare*100, FormatBytes(h.MemTotal), FormatBytes(h.MemPerMember))}
}

// StallBound is the longest a partition that keeps its owner may wait
// through the top's one-member join: the stated Stall, or StallFactor times
// the host's quiet stall when the host alone already stalls partitions that
// long (CPU ran out: nothing but the steady load was happening), at most
// FitCap times the stated Stall.
func (c Scale) StallBound(h Host) Fitted[time.Duration] {
	fitted := time.Duration(float64(h.QuietStall) * StallFactor)
	if fitted <= c.Stall {
		return Fitted[time.Duration]{c.Stall, fmt.Sprintf("the stated %s (quiet baseline %s)", c.Stall, h.QuietStall.Round(time.Millisecond))}
	}
	if limit := FitCap * c.Stall; fitted > limit {
		return Fitted[time.Duration]{limit, fmt.Sprintf("%s, capped at %dx the stated %s: the quiet baseline %s is too slow for this ladder (CPU ran out, or the fleet stalls without any join)",
			limit, FitCap, c.Stall, h.QuietStall.Round(time.Millisecond))}
	}
	return Fitted[time.Duration]{fitted, fmt.Sprintf("%s = %.1f x the quiet baseline %s, over the stated %s: CPU ran out, partitions stall without any join on this host",
		fitted.Round(time.Millisecond), StallFactor, h.QuietStall.Round(time.Millisecond), c.Stall)}
}

// KillBound is how long the partitions of the workers killed at once at the
// top may stay unowned: the stated reassign bound, or the session timeout
// (the coordinator's detection) plus twice the measured rebalance of the
// whole fleet, when that is longer (the rebalance of a hundred members
// itself takes longer on this host than the stated slack allows), at most
// FitCap times the stated bound.
func KillBound(reassign, session time.Duration, h Host) Fitted[time.Duration] {
	fitted := session + 2*h.FleetSettle
	if fitted <= reassign {
		return Fitted[time.Duration]{reassign, fmt.Sprintf("the stated %s (one leave rebalanced the top in %s)", reassign, h.FleetSettle.Round(time.Millisecond))}
	}
	if limit := FitCap * reassign; fitted > limit {
		return Fitted[time.Duration]{limit, fmt.Sprintf("%s, capped at %dx the stated %s: one leave took %s to rebalance the top (CPU ran out, or the fleet rebalances slowly)",
			limit, FitCap, reassign, h.FleetSettle.Round(time.Millisecond))}
	}
	return Fitted[time.Duration]{fitted, fmt.Sprintf("%s = session timeout %s + 2 x the top's measured rebalance %s, over the stated %s: a rebalance of the whole fleet is slow on this host",
		fitted.Round(time.Millisecond), session, h.FleetSettle.Round(time.Millisecond), reassign)}
}
