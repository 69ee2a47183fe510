package bounds

import (
	"strings"
	"testing"
	"time"
)

func TestScaleFromEnv(t *testing.T) {
	env := map[string]string{
		EnvScaleLadder: "1, 3,9", EnvScaleKill: "2", EnvScaleMemory: "512MiB", EnvScaleStepSettle: "45s", EnvScalePartitions: "30",
	}
	c, err := ScaleFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Ladder) != 3 || c.Top() != 9 || c.Kill != 2 || c.Memory != 512<<20 || c.StepSettle != 45*time.Second || c.Partitions != 30 {
		t.Fatalf("%+v", c)
	}
	if d, err := ScaleFromEnv(func(string) string { return "" }); err != nil || d.Top() != 100 || d.Kill != 10 || d.Memory != 6<<30 {
		t.Fatalf("defaults: %+v %v", d, err)
	}
}

func TestScaleFromEnvNamesEveryBadValue(t *testing.T) {
	env := map[string]string{EnvScaleLadder: "1,5,3", EnvScaleKill: "9", EnvScaleMemory: "lots", EnvScaleStall: "soon"}
	_, err := ScaleFromEnv(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("want errors")
	}
	for _, v := range []string{EnvScaleMemory, EnvScaleStall} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error does not name %s: %v", v, err)
		}
	}
	env = map[string]string{EnvScaleLadder: "1,5,3", EnvScaleKill: "9"}
	_, err = ScaleFromEnv(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "must increase") || !strings.Contains(err.Error(), EnvScaleKill) {
		t.Fatalf("want increase and kill errors, got %v", err)
	}
}

func TestBytes(t *testing.T) {
	for s, want := range map[string]uint64{"6GiB": 6 << 30, "1.5 MiB": 3 << 19, "100": 100, "2KiB": 2048} {
		if got, err := ParseBytes(s); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", s, got, err, want)
		}
	}
	if _, err := ParseBytes("-1GiB"); err == nil {
		t.Error("negative size accepted")
	}
	if FormatBytes(3<<30) != "3.00 GiB" || FormatBytes(5<<20) != "5.0 MiB" {
		t.Errorf("%s %s", FormatBytes(3<<30), FormatBytes(5<<20))
	}
}
