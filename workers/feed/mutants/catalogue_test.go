package mutants

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCatalogueIsComplete(t *testing.T) {
	if len(All) < 12 {
		t.Fatalf("%d mutants, want at least 12", len(All))
	}
	seen := map[string]bool{}
	classes := map[string]int{}
	for _, m := range All {
		if seen[m.Name] {
			t.Errorf("%s listed twice", m.Name)
		}
		seen[m.Name] = true
		classes[m.Class]++
		if m.Name == "" || m.Bug == "" || m.Why == "" || m.Invariant == "" || m.Specs == "" {
			t.Errorf("%q lacks a field: %+v", m.Name, m)
		}
		switch m.Today {
		case CaughtToday, NeedsAudit, NeedsFault:
		default:
			t.Errorf("%s: expectation %q", m.Name, m.Today)
		}
	}
	for _, c := range []string{ClassCommitOrder, ClassRebalance, ClassOffsets, ClassShutdown, ClassLiveness, ClassEOS, ClassPoison, ClassFanOut} {
		if classes[c] == 0 {
			t.Errorf("no mutant of class %s", c)
		}
	}
	if _, ok := Get("drop-updates"); !ok {
		t.Error("drop-updates (the first self-test) is missing")
	}
}

// README.md carries the generated table verbatim.
func TestReadmeHasTheCatalogue(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), "<!-- mutants catalogue:") != 1 || !strings.Contains(string(b), Markdown()) {
		t.Fatal("README.md's mutants table is not the catalogue's: paste the output of go run ./cmd/selftest -readme between its markers")
	}
}
