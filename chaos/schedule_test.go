package chaos

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var testKinds = []FaultKind{
	{Name: "sigkill-restart", MinHold: 2 * time.Second, MaxHold: 4 * time.Second, Weight: 2, Targets: 3},
	{Name: "pause", MinHold: time.Second, MaxHold: 3 * time.Second, Targets: 3},
	{Name: "broker-restart", MinHold: time.Second, MaxHold: time.Second, Targets: 0},
}

func TestScheduleSameSeedSameSchedule(t *testing.T) {
	a, err := NewSchedule(42, 5*time.Minute, 8*time.Second, testKinds)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSchedule(42, 5*time.Minute, 8*time.Second, testKinds)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different schedules:\n%s\n%s", a, b)
	}
	c, err := NewSchedule(43, 5*time.Minute, 8*time.Second, testKinds)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Steps, c.Steps) {
		t.Fatalf("seeds 42 and 43 drew the same schedule:\n%s", a)
	}
	if len(a.Steps) < 10 {
		t.Fatalf("a 5-minute schedule with 8s quiet drew only %d faults:\n%s", len(a.Steps), a)
	}
}

// Over many seeds: quiet time respected, holds within their kind's range,
// targets in range, everything healed a quiet time before the end, and
// every kind drawn at some point.
func TestScheduleProperties(t *testing.T) {
	drawn := map[string]int{}
	for seed := int64(0); seed < 300; seed++ {
		s, err := NewSchedule(seed, 2*time.Minute, 5*time.Second, testKinds)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := s.Validate(testKinds); err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, s)
		}
		for i, st := range s.Steps {
			drawn[st.Kind]++
			if st.At%time.Millisecond != 0 || st.Hold%time.Millisecond != 0 {
				t.Fatalf("seed %d step %d: not whole milliseconds: %+v", seed, i, st)
			}
			if i > 0 {
				gap := st.At - s.Steps[i-1].End()
				if gap > s.Quiet+s.Quiet/2 {
					t.Fatalf("seed %d step %d: gap %s above quiet + half", seed, i, gap)
				}
			}
		}
	}
	for _, k := range testKinds {
		if drawn[k.Name] == 0 {
			t.Errorf("kind %s never drawn in 300 schedules", k.Name)
		}
	}
	// Weight 2 is drawn about twice as often as weight 1.
	if r := float64(drawn["sigkill-restart"]) / float64(drawn["pause"]); r < 1.5 || r > 2.6 {
		t.Errorf("weight 2 vs 1 drawn %d vs %d times", drawn["sigkill-restart"], drawn["pause"])
	}
}

// Validate catches a schedule that breaks its promises.
func TestScheduleValidateCatchesBadSchedules(t *testing.T) {
	good := Schedule{Seed: 1, Duration: time.Minute, Quiet: 5 * time.Second, Steps: []Step{
		{At: 5 * time.Second, Kind: "pause", Target: 0, Hold: 2 * time.Second},
		{At: 12 * time.Second, Kind: "broker-restart", Target: -1, Hold: time.Second},
	}}
	if err := good.Validate(testKinds); err != nil {
		t.Fatalf("good schedule rejected: %v", err)
	}
	cases := []struct {
		name string
		mut  func(*Schedule)
		want string
	}{
		{"quiet too short between faults", func(s *Schedule) { s.Steps[1].At = 10 * time.Second }, "only 3s quiet before it"},
		{"no quiet before the first", func(s *Schedule) { s.Steps[0].At = time.Second }, "only 1s quiet before it"},
		{"hold too long", func(s *Schedule) { s.Steps[0].Hold = 4 * time.Second }, "hold 4s outside [1s, 3s]"},
		{"target out of range", func(s *Schedule) { s.Steps[0].Target = 3 }, "target 3 outside its 3 targets"},
		{"target on a targetless kind", func(s *Schedule) { s.Steps[1].Target = 0 }, "target 0 outside its 0 targets"},
		{"unknown kind", func(s *Schedule) { s.Steps[0].Kind = "meteor" }, `unknown kind "meteor"`},
		{"no quiet at the end", func(s *Schedule) { s.Duration = 15 * time.Second }, "leaves only 2s quiet before the end"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := good
			s.Steps = append([]Step(nil), good.Steps...)
			c.mut(&s)
			err := s.Validate(testKinds)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want error containing %q, got %v", c.want, err)
			}
		})
	}
}

func TestScheduleBadParameters(t *testing.T) {
	cases := []struct {
		name     string
		dur, q   time.Duration
		kinds    []FaultKind
		wantText string
	}{
		{"no kinds", time.Minute, time.Second, nil, "no fault kind"},
		{"zero quiet", time.Minute, 0, testKinds, "quiet time 0s"},
		{"zero duration", 0, time.Second, testKinds, "schedule duration 0s"},
		{"unordered hold", time.Minute, time.Second, []FaultKind{{Name: "x", MinHold: 3 * time.Second, MaxHold: time.Second}}, "hold range [3s, 1s]"},
		{"duplicate kind", time.Minute, time.Second, []FaultKind{{Name: "x", MinHold: 1, MaxHold: 1}, {Name: "x", MinHold: 1, MaxHold: 1}}, `"x" given twice`},
		{"no room", 10 * time.Second, 5 * time.Second, testKinds, "leaves no room"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewSchedule(1, c.dur, c.q, c.kinds)
			if err == nil || !strings.Contains(err.Error(), c.wantText) {
				t.Fatalf("want error containing %q, got %v", c.wantText, err)
			}
		})
	}
}

func TestScheduleStringNamesTheReplaySeed(t *testing.T) {
	s, err := NewSchedule(777, time.Minute, 5*time.Second, testKinds)
	if err != nil {
		t.Fatal(err)
	}
	out := s.String()
	if !strings.Contains(out, "CHAOS_SEED=777") || strings.Count(out, "\n") != len(s.Steps)+1 {
		t.Fatalf("schedule text:\n%s", out)
	}
}

func TestSeedFromEnv(t *testing.T) {
	seed, replayed, err := SeedFromEnv(func(string) string { return " 12345 " })
	if err != nil || !replayed || seed != 12345 {
		t.Fatalf("got %d %v %v", seed, replayed, err)
	}
	if _, _, err := SeedFromEnv(func(string) string { return "abc" }); err == nil || !strings.Contains(err.Error(), `CHAOS_SEED="abc"`) {
		t.Fatalf("bad seed accepted: %v", err)
	}
	seed, replayed, err = SeedFromEnv(func(string) string { return "" })
	if err != nil || replayed || seed < 0 {
		t.Fatalf("fresh seed: %d %v %v", seed, replayed, err)
	}
}
