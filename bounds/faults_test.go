package bounds

import (
	"strings"
	"testing"
	"time"
)

// The fault magnitudes follow an overridden session timeout unless set.
func TestFaultMagnitudesDerivedUnlessSet(t *testing.T) {
	b, err := FromEnv(env(EnvSessionTimeout, "20s"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]time.Duration{
		"LatencyBelow": {b.LatencyBelow, 9 * time.Second},
		"LatencyAbove": {b.LatencyAbove, 22 * time.Second},
		"PauseShort":   {b.PauseShort, 10 * time.Second},
		"Outage":       {b.Outage, 22 * time.Second},
		"SlowMaxPoll":  {b.SlowMaxPoll, 21 * time.Second},
		"SlowDelay":    {b.SlowDelay, 24 * time.Second},
		"ReassignSlow": {b.ReassignSlow, 24 * time.Second},
	}
	for name, gw := range want {
		if gw[0] != gw[1] {
			t.Errorf("%s = %s, want %s (derived from a 20s session timeout)", name, gw[0], gw[1])
		}
	}
	// An explicit value wins, and what derives from it follows it.
	b, err = FromEnv(env(EnvSessionTimeout, "20s", EnvLatencyBelow, "3s", EnvSlowMaxPoll, "30s"))
	if err != nil {
		t.Fatal(err)
	}
	if b.LatencyBelow != 3*time.Second || b.SlowMaxPoll != 30*time.Second || b.SlowDelay != 33*time.Second || b.ReassignSlow != 33*time.Second {
		t.Errorf("explicit values: %+v", b)
	}
	b, err = FromEnv(env(EnvBiteLag, "7", EnvSoakDuration, "1h"))
	if err != nil || b.BiteLag != 7 || b.SoakDuration != time.Hour {
		t.Errorf("bite lag / soak = %d %s, %v", b.BiteLag, b.SoakDuration, err)
	}
}

// A fault too small or too large for what its spec claims is rejected.
func TestFaultMagnitudeRules(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"latency below at half the session", []string{EnvLatencyBelow, "3s"}, "CHAOS_LATENCY_BELOW=3s: must be below half of CHAOS_SESSION_TIMEOUT=6s"},
		{"latency above not above", []string{EnvLatencyAbove, "6s"}, "CHAOS_LATENCY_ABOVE=6s: must be above CHAOS_SESSION_TIMEOUT=6s"},
		{"pause short too long", []string{EnvPauseShort, "5s"}, "CHAOS_PAUSE_SHORT=5s: plus CHAOS_HEARTBEAT_INTERVAL=1s must stay below CHAOS_SESSION_TIMEOUT=6s"},
		{"outage too short", []string{EnvOutage, "5s"}, "CHAOS_BROKER_OUTAGE=5s: must be above CHAOS_SESSION_TIMEOUT=6s"},
		{"slow max poll below session", []string{EnvSlowMaxPoll, "5s", EnvSlowDelay, "9s", EnvReassignSlow, "9s"}, "CHAOS_SLOW_MAX_POLL_INTERVAL=5s: below CHAOS_SESSION_TIMEOUT=6s"},
		{"slow delay not slow", []string{EnvSlowDelay, "7s"}, "CHAOS_SLOW_PROCESS_DELAY=7s: must be above CHAOS_SLOW_MAX_POLL_INTERVAL=7s"},
		{"reassign slow too tight", []string{EnvReassignSlow, "6s"}, "CHAOS_BOUND_REASSIGN_SLOW=6s: below CHAOS_SLOW_MAX_POLL_INTERVAL=7s"},
		{"negative bite lag", []string{EnvBiteLag, "-3"}, "CHAOS_BITE_LAG=-3: must be >= 0"},
		{"bad bite lag", []string{EnvBiteLag, "lots"}, `CHAOS_BITE_LAG="lots": not an integer`},
		{"schedule too short", []string{EnvScheduleDuration, "20s"}, "CHAOS_SCHEDULE_DURATION=20s: shorter than three times CHAOS_SCHEDULE_QUIET=8s"},
		{"zero soak", []string{EnvSoakDuration, "0s"}, "CHAOS_SOAK_DURATION=0s: must be > 0"},
		{"zero rejoin", []string{EnvRejoin, "0s"}, "CHAOS_BOUND_REJOIN=0s: must be > 0"},
		{"sample vs short pause", []string{EnvPauseShort, "400ms"}, "more than a quarter of CHAOS_PAUSE_SHORT=400ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FromEnv(env(c.env...))
			if err == nil {
				t.Fatalf("want an error for %v", c.env)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error does not contain %q:\n%v", c.want, err)
			}
		})
	}
}

func TestFaultMagnitudesInTableMapAndEnv(t *testing.T) {
	b := Defaults()
	tab := b.Table()
	for _, w := range []string{"LatencyBelow", "2.7s", "CHAOS_LATENCY_ABOVE", "CHAOS_BITE_LAG", "CHAOS_SOAK_DURATION", "10m0s"} {
		if !strings.Contains(tab, w) {
			t.Errorf("table misses %q:\n%s", w, tab)
		}
	}
	m := b.Map()
	if m["latency_below"] != "2.7s" || m["bite_lag"] != "20" || m["reassign_slow"] != "10s" || m["rejoin"] != "13s" {
		t.Errorf("map %v", m)
	}
	// Explicit values survive a round trip through Env even where they
	// differ from what would be derived.
	b.LatencyAbove = 9 * time.Second
	b.BiteLag = 5
	kv := map[string]string{}
	for _, e := range b.Env() {
		k, v, _ := strings.Cut(e, "=")
		kv[k] = v
	}
	got, err := FromEnv(func(k string) string { return kv[k] })
	if err != nil || got != b {
		t.Errorf("round trip: %+v %v", got, err)
	}
}

func TestZombieGrace(t *testing.T) {
	b, err := FromEnv(env(EnvZombieGrace, "500ms"))
	if err != nil || b.ZombieGrace != 500*time.Millisecond {
		t.Fatalf("zombie grace = %v, %v", b.ZombieGrace, err)
	}
	if _, err := FromEnv(env(EnvZombieGrace, "soon")); err == nil || !strings.Contains(err.Error(), EnvZombieGrace) {
		t.Fatalf("bad zombie grace accepted or not named: %v", err)
	}
	if b, err := FromEnv(env(EnvProduceRefused, "40s")); err != nil || b.ProduceRefused != 40*time.Second || Defaults().Map()["produce_refused"] != "35s" {
		t.Fatalf("produce refused = %v, %v", b.ProduceRefused, err)
	}
	if _, err := FromEnv(env(EnvCommitHold, "3s")); err == nil || !strings.Contains(err.Error(), EnvCommitHold) {
		t.Fatalf("a commit hold of half the session timeout was accepted: %v", err)
	}
	if !strings.Contains(Defaults().Table(), "ZombieGrace") || Defaults().Map()["zombie_grace"] != "2s" {
		t.Fatalf("zombie grace not printed: %s %v", Defaults().Table(), Defaults().Map())
	}
}
