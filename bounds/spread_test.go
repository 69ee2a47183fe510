package bounds

import (
	"strings"
	"testing"
)

func TestLatencySpreadParsedValidatedAndPrinted(t *testing.T) {
	b, err := FromEnv(env(EnvLatencySpread, " 1.5 "))
	if err != nil || b.LatencySpread != 1.5 {
		t.Fatalf("CHAOS_LATENCY_SPREAD=1.5: %v %v", b.LatencySpread, err)
	}
	if Defaults().LatencySpread != 2 {
		t.Errorf("default spread %v, want 2", Defaults().LatencySpread)
	}
	for _, c := range []struct{ v, want string }{
		{"0.9", "CHAOS_LATENCY_SPREAD=0.9: must be a finite ratio >= 1"},
		{"-2", "CHAOS_LATENCY_SPREAD=-2: must be a finite ratio >= 1"},
		{"twice", `CHAOS_LATENCY_SPREAD="twice": not a number`},
		{"NaN", `CHAOS_LATENCY_SPREAD="NaN": not a number`},
		{"+Inf", `CHAOS_LATENCY_SPREAD="+Inf": not a number`},
	} {
		if _, err := FromEnv(env(EnvLatencySpread, c.v)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.v, err, c.want)
		}
	}
	b.LatencySpread = 2.25
	if tab := b.Table(); !strings.Contains(tab, "LatencySpread") || !strings.Contains(tab, "2.25") || !strings.Contains(tab, EnvLatencySpread) {
		t.Errorf("table misses the spread:\n%s", tab)
	}
	if m := b.Map(); m["latency_spread"] != "2.25" {
		t.Errorf("map %v", m)
	}
	kv := map[string]string{}
	for _, e := range b.Env() {
		k, v, _ := strings.Cut(e, "=")
		kv[k] = v
	}
	if got, err := FromEnv(func(k string) string { return kv[k] }); err != nil || got != b {
		t.Errorf("round trip: %+v %v", got, err)
	}
}
