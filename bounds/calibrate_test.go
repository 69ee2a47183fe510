package bounds

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFitLadderKeepsTheTopWhenMemoryHoldsIt(t *testing.T) {
	c := ScaleDefaults()
	// This machine: 24 GiB, ~40 MiB per worker and proxy.
	f := c.FitLadder(Host{MemTotal: 24 << 30, MemPerMember: 40 << 20}, 50)
	if f.Value.Top() != 100 || f.Value.Kill != 10 {
		t.Fatalf("top %d kill %d, want 100 and 10 (%s)", f.Value.Top(), f.Value.Kill, f.Why)
	}
	if !strings.Contains(f.Why, "top 100") {
		t.Fatalf("why = %q", f.Why)
	}
}

func TestFitLadderCutsTheTopWhenMemoryRunsOut(t *testing.T) {
	c := ScaleDefaults()
	// 4 GiB engine: 60% holds 2457 MiB, 61 members at 40 MiB.
	f := c.FitLadder(Host{MemTotal: 4 << 30, MemPerMember: 40 << 20}, 50)
	if want := []int{1, 2, 5, 10, 25, 50}; !slices.Equal(f.Value.Ladder, want) {
		t.Fatalf("ladder %v, want %v", f.Value.Ladder, want)
	}
	if f.Value.Kill != 5 {
		t.Fatalf("kill %d, want 5 (its share of the cut top)", f.Value.Kill)
	}
	if !strings.Contains(f.Why, "memory ran out") || !strings.Contains(f.Why, "from 100 to 50") {
		t.Fatalf("why = %q", f.Why)
	}
	if err := f.Value.Validate(); err != nil {
		t.Fatalf("a cut ladder must stay valid: %v", err)
	}
	if c.Top() != 100 {
		t.Fatal("FitLadder changed its receiver")
	}
}

func TestFitLadderNeverCutsBelowTwoSizesNorOnUnknowns(t *testing.T) {
	c := ScaleDefaults()
	if f := c.FitLadder(Host{MemTotal: 1 << 20, MemPerMember: 40 << 20}, 0); !slices.Equal(f.Value.Ladder, []int{1, 2}) {
		t.Fatalf("ladder %v, want [1 2]", f.Value.Ladder)
	}
	if f := c.FitLadder(Host{}, 50); f.Value.Top() != 100 || !strings.Contains(f.Why, "not measured") {
		t.Fatalf("unknown memory changed the ladder: %v (%s)", f.Value.Ladder, f.Why)
	}
}

func TestStallBoundRisesOnlyWithTheHostsOwnStall(t *testing.T) {
	c := ScaleDefaults() // Stall 2s
	if f := c.StallBound(Host{QuietStall: 380 * time.Millisecond}); f.Value != 2*time.Second {
		t.Fatalf("quiet host: bound %s, want the stated 2s", f.Value)
	}
	f := c.StallBound(Host{QuietStall: 2 * time.Second})
	if f.Value != 3*time.Second || !strings.Contains(f.Why, "CPU ran out") {
		t.Fatalf("busy host: bound %s (%s), want 3s and the resource named", f.Value, f.Why)
	}
	// The run: 7.37 s of quiet stall. 1.5x would be 11 s: capped at
	// twice the stated bound, so the spec fails and says why.
	f = c.StallBound(Host{QuietStall: 7370 * time.Millisecond})
	if f.Value != 4*time.Second || !strings.Contains(f.Why, "capped") {
		t.Fatalf("starved host: bound %s (%s), want the 4s cap", f.Value, f.Why)
	}
}

func TestKillBoundRisesOnlyWithTheMeasuredRebalance(t *testing.T) {
	if f := KillBound(9*time.Second, 6*time.Second, Host{FleetSettle: 1170 * time.Millisecond}); f.Value != 9*time.Second {
		t.Fatalf("bound %s, want the stated 9s", f.Value)
	}
	f := KillBound(9*time.Second, 6*time.Second, Host{FleetSettle: 3 * time.Second})
	if f.Value != 12*time.Second || !strings.Contains(f.Why, "slow on this host") {
		t.Fatalf("bound %s (%s), want 12s", f.Value, f.Why)
	}
	if f := KillBound(9*time.Second, 6*time.Second, Host{FleetSettle: 10 * time.Second}); f.Value != 18*time.Second || !strings.Contains(f.Why, "capped") {
		t.Fatalf("bound %s (%s), want the 18s cap", f.Value, f.Why)
	}
}

func TestFitLadderNeverCutsBelowTheFleetAlreadyRunning(t *testing.T) {
	c := ScaleDefaults()
	// 2 GiB engine: 30 members fit, but 50 are already running.
	f := c.FitLadder(Host{MemTotal: 2 << 30, MemPerMember: 40 << 20}, 50)
	if f.Value.Top() != 50 {
		t.Fatalf("ladder %v, want the top at the 50 already running", f.Value.Ladder)
	}
}
