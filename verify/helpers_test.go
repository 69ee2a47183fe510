package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

const s = time.Second

var ms = time.Millisecond

func testGraph(t *testing.T) *graph.Graph {
	t.Helper()
	g, err := graph.New(7, 100)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// authorWith returns an author with at least n followers, and its followers.
func authorWith(t *testing.T, g *graph.Graph, n int) (int, []int) {
	t.Helper()
	for a := 0; a < g.Users(); a++ {
		if fs, _ := g.Followers(a); len(fs) >= n {
			return a, fs
		}
	}
	t.Fatalf("no author with %d followers", n)
	return 0, nil
}

func wantPass(t *testing.T, r Result) {
	t.Helper()
	if !r.Pass || r.Error() != nil || r.Class != "" {
		t.Fatalf("want pass, got %+v", r)
	}
}

// wantFail checks the class and that the message names every piece of
// evidence in mustName.
func wantFail(t *testing.T, r Result, class string, mustName ...string) {
	t.Helper()
	if r.Pass {
		t.Fatalf("want %s failure, got pass: %s", class, r.Message)
	}
	if r.Class != class {
		t.Fatalf("want class %q, got %q: %s", class, r.Class, r.Message)
	}
	if r.Error() == nil || r.Error().Error() != r.Message {
		t.Fatalf("Error() should carry the message")
	}
	for _, m := range mustName {
		if !strings.Contains(r.Message, m) {
			t.Errorf("message does not name %q:\n%s", m, r.Message)
		}
	}
	if len(r.Examples) > MaxExamples {
		t.Errorf("%d examples, want at most %d", len(r.Examples), MaxExamples)
	}
}

// three workers, six partitions, two each.
func fleet() []history.Member {
	return []history.Member{ht.M("w1", 0, 1), ht.M("w2", 2, 3), ht.M("w3", 4, 5)}
}

func timeMS(n int64) time.Duration { return time.Duration(n) * ms }
