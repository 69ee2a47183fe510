package bounds

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	b := Defaults()
	if err := b.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	want := Bounds{6 * time.Second, time.Second, 30 * time.Second, 9 * time.Second, 3 * time.Second, 50,
		15 * time.Second, 5 * time.Second, 10 * time.Second, 60 * time.Second, 60 * time.Second, 250 * time.Millisecond, 10 * time.Second,
		2700 * time.Millisecond, 8 * time.Second, 3 * time.Second, 8 * time.Second, 7 * time.Second, 10 * time.Second, 10 * time.Second,
		13 * time.Second, 18 * time.Second, 20, 2 * time.Second, 2400 * time.Millisecond, 35 * time.Second, 2, 250 * time.Millisecond, 50 * time.Second, 8 * time.Second, 10 * time.Minute}
	if b != want {
		t.Fatalf("got %+v want %+v", b, want)
	}
	got, err := FromEnv(env())
	if err != nil || got != want {
		t.Fatalf("FromEnv(empty) = %+v, %v", got, err)
	}
}

func TestOverrides(t *testing.T) {
	b, err := FromEnv(env(
		EnvSessionTimeout, "10s", EnvHeartbeatInterval, "2s", EnvMaxPollInterval, "1m",
		EnvReassignGraceful, "4s", EnvLagThreshold, " 0 ", EnvRecovery, "20s", EnvShutdown, "5s",
		EnvStable, "2m", EnvDrain, "90s", EnvSample, "100ms", EnvNoRebalanceWindow, "30s",
	))
	if err != nil {
		t.Fatal(err)
	}
	want := Bounds{10 * time.Second, 2 * time.Second, time.Minute, 13 * time.Second, 4 * time.Second, 0,
		20 * time.Second, 5 * time.Second, 5 * time.Second, 2 * time.Minute, 90 * time.Second, 100 * time.Millisecond, 30 * time.Second,
		// derived from the 10s session timeout
		4500 * time.Millisecond, 12 * time.Second, 5 * time.Second, 12 * time.Second, 11 * time.Second, 14 * time.Second, 14 * time.Second,
		13 * time.Second, 22 * time.Second, 20, 2 * time.Second, 4 * time.Second, 35 * time.Second, 2, 250 * time.Millisecond, 50 * time.Second, 8 * time.Second, 10 * time.Minute}
	if b != want {
		t.Fatalf("got %+v want %+v", b, want)
	}
}

func TestReassignDerivedUnlessSet(t *testing.T) {
	b, err := FromEnv(env(EnvSessionTimeout, "45s"))
	if err != nil || b.Reassign != 48*time.Second {
		t.Fatalf("derived reassign = %v, %v", b.Reassign, err)
	}
	b, err = FromEnv(env(EnvSessionTimeout, "45s", EnvReassign, "50s"))
	if err != nil || b.Reassign != 50*time.Second {
		t.Fatalf("explicit reassign = %v, %v", b.Reassign, err)
	}
	b, err = FromEnv(env(EnvReassign, "7s"))
	if err != nil || b.Reassign != 7*time.Second || b.SessionTimeout != 6*time.Second {
		t.Fatalf("reassign alone = %+v, %v", b, err)
	}
}

func TestBadValues(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want []string // each must appear in the error
	}{
		{"unparsable duration", []string{EnvRecovery, "fast"}, []string{`CHAOS_BOUND_RECOVERY="fast"`, "not a Go duration"}},
		{"missing unit", []string{EnvShutdown, "10"}, []string{`CHAOS_BOUND_SHUTDOWN="10"`}},
		{"unparsable threshold", []string{EnvLagThreshold, "5.5"}, []string{`CHAOS_LAG_THRESHOLD="5.5"`, "integer"}},
		{"negative threshold", []string{EnvLagThreshold, "-1"}, []string{"CHAOS_LAG_THRESHOLD=-1: must be >= 0"}},
		{"zero duration", []string{EnvDrain, "0s"}, []string{"CHAOS_BOUND_DRAIN=0s: must be > 0"}},
		{"negative duration", []string{EnvStable, "-5s"}, []string{"CHAOS_BOUND_STABLE=-5s: must be > 0"}},
		{"zero max poll", []string{EnvMaxPollInterval, "0"}, []string{"CHAOS_MAX_POLL_INTERVAL=0s: must be > 0"}},
		{"heartbeat >= session", []string{EnvHeartbeatInterval, "6s"}, []string{"CHAOS_HEARTBEAT_INTERVAL=6s: must be below CHAOS_SESSION_TIMEOUT=6s"}},
		{"reassign < session", []string{EnvReassign, "5s"}, []string{"CHAOS_BOUND_REASSIGN=5s: below CHAOS_SESSION_TIMEOUT=6s"}},
		{"sample vs reassign", []string{EnvSample, "2500ms"}, []string{"CHAOS_SAMPLE_INTERVAL=2.5s: more than a quarter of CHAOS_BOUND_REASSIGN=9s"}},
		{"sample vs graceful", []string{EnvReassignGraceful, "800ms"}, []string{"more than a quarter of CHAOS_BOUND_REASSIGN_GRACEFUL=800ms"}},
		{"sample vs recovery", []string{EnvRecovery, "900ms"}, []string{"more than a quarter of CHAOS_BOUND_RECOVERY=900ms"}},
		{"sample vs window", []string{EnvNoRebalanceWindow, "999ms"}, []string{"more than a quarter of CHAOS_NO_REBALANCE_WINDOW=999ms"}},
		{"zero sample", []string{EnvSample, "0ms"}, []string{"CHAOS_SAMPLE_INTERVAL=0s: must be > 0"}},
		{"zero session", []string{EnvSessionTimeout, "0s"}, []string{"CHAOS_SESSION_TIMEOUT=0s: must be > 0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FromEnv(env(c.env...))
			if err == nil {
				t.Fatalf("want error for %v", c.env)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestAllErrorsJoined(t *testing.T) {
	_, err := FromEnv(env(EnvRecovery, "soon", EnvDrain, "-1s", EnvHeartbeatInterval, "7s", EnvLagThreshold, "many"))
	if err == nil {
		t.Fatal("want error")
	}
	for _, w := range []string{EnvRecovery, EnvDrain, EnvHeartbeatInterval, EnvLagThreshold} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("joined error misses %s:\n%v", w, err)
		}
	}
	if n := len(strings.Split(err.Error(), "\n")); n != 4 {
		t.Errorf("want 4 errors, got %d:\n%v", n, err)
	}
}

func TestTableAndMap(t *testing.T) {
	b := Defaults()
	tab := b.Table()
	lines := strings.Split(strings.TrimSpace(tab), "\n")
	if len(lines) != 1+len(fields) {
		t.Fatalf("want header + %d rows:\n%s", len(fields), tab)
	}
	col := strings.Index(lines[0], "ENV")
	for _, l := range lines[1:] {
		if strings.Index(l, "CHAOS_") != col {
			t.Errorf("not aligned:\n%s", tab)
			break
		}
	}
	for _, w := range []string{"SessionTimeout", "6s", "CHAOS_BOUND_REASSIGN ", "9s", "250ms", "CHAOS_LAG_THRESHOLD", "50"} {
		if !strings.Contains(tab, w) {
			t.Errorf("table misses %q:\n%s", w, tab)
		}
	}
	m := b.Map()
	if len(m) != len(fields) || m["session_timeout"] != "6s" || m["reassign"] != "9s" || m["lag_threshold"] != "50" || m["sample"] != "250ms" {
		t.Errorf("map %v", m)
	}
	if _, err := json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	// Env round-trips.
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

func TestProduceRefusedMustOutlastTheDeliveryTimeout(t *testing.T) {
	b := Defaults()
	b.ProduceRefused = 5 * time.Second
	if err := b.Validate(); err == nil || !strings.Contains(err.Error(), EnvProduceRefused) {
		t.Fatalf("ProduceRefused 5s validated: %v", err)
	}
	b.ProduceRefused = WorkerDeliveryTimeout + time.Second
	if err := b.Validate(); err != nil {
		t.Fatalf("ProduceRefused above the delivery timeout refused: %v", err)
	}
}
