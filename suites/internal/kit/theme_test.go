package kit

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

func TestThemeOfTakesTheFirstDeclaredLabel(t *testing.T) {
	Theme("t-process", "t-pause", "t-slow")
	Theme("t-crash", "t-crash")
	t.Setenv(EnvRun, "t-run")
	for _, c := range []struct {
		labels []string
		want   string
	}{
		{[]string{"control", "t-pause", "t-slow"}, "t-process"},
		{[]string{"t-slow", "classic", "range"}, "t-process"},
		{[]string{"t-delivery-less", "t-crash", "t-pause"}, "t-crash"},
		{[]string{"t-pause", "t-crash"}, "t-process"},
		{[]string{"classic", "range"}, "t-run"}, // no theme declared: the run's name
		{nil, "t-run"},
	} {
		if got := ThemeOf(c.labels); got != c.want {
			t.Errorf("ThemeOf(%v) = %q, want %q", c.labels, got, c.want)
		}
	}
	t.Setenv(EnvRun, "")
	if got := ThemeOf(nil); got != "suites" {
		t.Errorf("without %s: %q, want suites", EnvRun, got)
	}
}

func TestThemeRefusesALabelTwoThemesDeclare(t *testing.T) {
	Theme("t-a", "t-shared")
	defer func() {
		if recover() == nil {
			t.Fatal("a label declared by two themes did not panic")
		}
	}()
	Theme("t-b", "t-shared")
}

// Parallel processes append progress lines to one file: n must count every
// line once, whoever wrote it.
func TestAppendProgressCountsAcrossWriters(t *testing.T) {
	p := filepath.Join(t.TempDir(), "progress.log")
	const writers, each = 4, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := appendProgress(p, func(n int) string { return fmt.Sprintf("%d w%d\n", n, w) }); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var ns []int
	for _, l := range lines {
		var n, w int
		if _, err := fmt.Sscanf(l, "%d w%d", &n, &w); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		ns = append(ns, n)
	}
	sort.Ints(ns)
	if len(ns) != writers*each {
		t.Fatalf("%d lines, want %d", len(ns), writers*each)
	}
	for i, n := range ns {
		if n != i+1 {
			t.Fatalf("line numbers %v: want 1..%d each once", ns, writers*each)
		}
	}
}

// A pending spec's progress line ("[  -/768 ...]") takes no number: the
// numbered lines end at the run's total, not past it.
func TestPendingProgressLinesAreNotNumbered(t *testing.T) {
	b := []byte("[  1/768    1s] passed   a\n[  -/768    1s] pending  b\n[  2/768    2s] passed   c\n")
	if n := numberedLines(b); n != 2 {
		t.Fatalf("numbered lines = %d, want 2", n)
	}
	if n := numberedLines(nil); n != 0 {
		t.Fatalf("numbered lines of an empty file = %d", n)
	}
}
