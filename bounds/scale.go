package bounds

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Scale is the scale suite's configuration: the ladder of fleet sizes, the
// load, and the bounds the ladder is judged by. Like Bounds, every
// value has a default and a CHAOS_SCALE_* override, is validated, and is
// printed at the start of the spec.
type Scale struct {
	Ladder     []int         // fleet sizes on the way up; the way down is the same in reverse
	Partitions int32         // partitions of posts (and feed-updates)
	PostRate   int           // steady load, posts/s
	StartLimit int           // containers started (or retired) at once
	Kill       int           // workers killed at once at the top of the ladder (0: none)
	StepSettle time.Duration // a step's last container started (or SIGTERM sent) -> stable group with exactly the new fleet, every partition owned once
	Stall      time.Duration // longest processing stall of a partition that kept its owner through a cooperative join
	LadderWall time.Duration // the whole ladder, up and down, from the first step to the last settle
	Memory     uint64        // memory of the largest fleet: workers plus their proxies (docker stats)
}

// Scale environment variables.
const (
	EnvScaleLadder     = "CHAOS_SCALE_LADDER"      // e.g. 1,2,5,10,25,50,100
	EnvScalePartitions = "CHAOS_SCALE_PARTITIONS"  // e.g. 120
	EnvScalePostRate   = "CHAOS_SCALE_POST_RATE"   // posts/s
	EnvScaleStartLimit = "CHAOS_SCALE_START_LIMIT" // containers at once
	EnvScaleKill       = "CHAOS_SCALE_KILL"        // workers killed at once at the top
	EnvScaleStepSettle = "CHAOS_SCALE_STEP_SETTLE" // duration
	EnvScaleStall      = "CHAOS_SCALE_STALL"       // duration
	EnvScaleLadderWall = "CHAOS_SCALE_LADDER_WALL" // duration
	EnvScaleMemory     = "CHAOS_SCALE_MEMORY"      // bytes, or with a KiB/MiB/GiB suffix
)

// ScaleDefaults returns the ladder and goals for this machine
// class: 1 -> 100 workers over 120 partitions, 10 killed at the top, the
// ladder in under 10 minutes, 100 workers and proxies under 6 GiB.
func ScaleDefaults() Scale {
	return Scale{
		Ladder:     []int{1, 2, 5, 10, 25, 50, 100},
		Partitions: 120,
		PostRate:   100,
		StartLimit: 16,
		Kill:       10,
		StepSettle: 30 * time.Second,
		Stall:      2 * time.Second,
		LadderWall: 10 * time.Minute,
		Memory:     6 << 30,
	}
}

// ScaleFromEnv returns ScaleDefaults overridden by the CHAOS_SCALE_*
// variables getenv returns (os.Getenv when nil); every bad value is
// reported, joined, naming the variable.
func ScaleFromEnv(getenv func(string) string) (Scale, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := ScaleDefaults()
	var errs []error
	get := func(k string) (string, bool) {
		v := strings.TrimSpace(getenv(k))
		return v, v != ""
	}
	if v, ok := get(EnvScaleLadder); ok {
		c.Ladder = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %q is not a fleet size", EnvScaleLadder, v, f))
				continue
			}
			c.Ladder = append(c.Ladder, n)
		}
	}
	ints := []struct {
		env string
		dst *int
	}{{EnvScalePostRate, &c.PostRate}, {EnvScaleStartLimit, &c.StartLimit}, {EnvScaleKill, &c.Kill}}
	for _, i := range ints {
		if v, ok := get(i.env); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not an integer", i.env, v))
				continue
			}
			*i.dst = n
		}
	}
	if v, ok := get(EnvScalePartitions); ok {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: not an integer", EnvScalePartitions, v))
		}
		c.Partitions = int32(n)
	}
	durs := []struct {
		env string
		dst *time.Duration
	}{{EnvScaleStepSettle, &c.StepSettle}, {EnvScaleStall, &c.Stall}, {EnvScaleLadderWall, &c.LadderWall}}
	for _, d := range durs {
		if v, ok := get(d.env); ok {
			x, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not a Go duration such as \"30s\"", d.env, v))
				continue
			}
			*d.dst = x
		}
	}
	if v, ok := get(EnvScaleMemory); ok {
		b, err := ParseBytes(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", EnvScaleMemory, v, err))
		}
		c.Memory = b
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	return c, c.Validate()
}

// Validate checks the values: a ladder of at least two strictly increasing
// sizes from 1 to 200; partitions, rate, limit and bounds positive; no more
// workers killed than the top of the ladder minus one.
func (c Scale) Validate() error {
	var errs []error
	if len(c.Ladder) < 2 {
		errs = append(errs, fmt.Errorf("%s: want at least two fleet sizes, got %v", EnvScaleLadder, c.Ladder))
	}
	for i, n := range c.Ladder {
		if n < 1 || n > 200 {
			errs = append(errs, fmt.Errorf("%s: fleet size %d not in [1, 200]", EnvScaleLadder, n))
		}
		if i > 0 && n <= c.Ladder[i-1] {
			errs = append(errs, fmt.Errorf("%s: sizes must increase, %d after %d", EnvScaleLadder, n, c.Ladder[i-1]))
		}
	}
	if c.Partitions < 1 || c.Partitions > 1000 {
		errs = append(errs, fmt.Errorf("%s=%d: not in [1, 1000]", EnvScalePartitions, c.Partitions))
	}
	if c.PostRate < 1 {
		errs = append(errs, fmt.Errorf("%s=%d: must be >= 1", EnvScalePostRate, c.PostRate))
	}
	if c.StartLimit < 1 {
		errs = append(errs, fmt.Errorf("%s=%d: must be >= 1", EnvScaleStartLimit, c.StartLimit))
	}
	if c.Kill < 0 || (len(c.Ladder) > 0 && c.Kill >= c.Top()) {
		errs = append(errs, fmt.Errorf("%s=%d: must be in [0, top of the ladder - 1]", EnvScaleKill, c.Kill))
	}
	for _, d := range []struct {
		env string
		d   time.Duration
	}{{EnvScaleStepSettle, c.StepSettle}, {EnvScaleStall, c.Stall}, {EnvScaleLadderWall, c.LadderWall}} {
		if d.d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%s: must be > 0", d.env, d.d))
		}
	}
	if c.Memory == 0 {
		errs = append(errs, fmt.Errorf("%s: must be > 0", EnvScaleMemory))
	}
	return errors.Join(errs...)
}

// Top returns the largest fleet size.
func (c Scale) Top() int { return c.Ladder[len(c.Ladder)-1] }

// Table prints the configuration like bounds.Bounds.Table.
func (c Scale) Table() string {
	var s strings.Builder
	w := tabwriter.NewWriter(&s, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SCALE\tVALUE\tENV")
	fmt.Fprintf(w, "Ladder\t%v\t%s\n", c.Ladder, EnvScaleLadder)
	fmt.Fprintf(w, "Partitions\t%d\t%s\n", c.Partitions, EnvScalePartitions)
	fmt.Fprintf(w, "PostRate\t%d/s\t%s\n", c.PostRate, EnvScalePostRate)
	fmt.Fprintf(w, "StartLimit\t%d\t%s\n", c.StartLimit, EnvScaleStartLimit)
	fmt.Fprintf(w, "Kill\t%d\t%s\n", c.Kill, EnvScaleKill)
	fmt.Fprintf(w, "StepSettle\t%s\t%s\n", c.StepSettle, EnvScaleStepSettle)
	fmt.Fprintf(w, "Stall\t%s\t%s\n", c.Stall, EnvScaleStall)
	fmt.Fprintf(w, "LadderWall\t%s\t%s\n", c.LadderWall, EnvScaleLadderWall)
	fmt.Fprintf(w, "Memory\t%s\t%s\n", FormatBytes(c.Memory), EnvScaleMemory)
	w.Flush()
	return s.String()
}

// ParseBytes parses "6GiB", "512MiB", "100KiB" or a plain byte count.
func ParseBytes(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	mult := uint64(1)
	for _, u := range []struct {
		suf string
		m   uint64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suf) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suf)), u.m
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("not a size such as 6GiB or 512MiB")
	}
	return uint64(f * float64(mult)), nil
}

// FormatBytes prints n in GiB, MiB or KiB with one decimal.
func FormatBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
}
