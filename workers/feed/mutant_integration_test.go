//go:build mutants

package feed

import (
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

// TestMutantDropUpdates proves the deliberately broken mode loses exactly every
// 7th update while committing everything.
func TestMutantDropUpdates(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	cluster, bootstrap := newCluster(t)
	posts, expected := makePosts(200, nil)
	w := startWorker(t, bootstrap, "buggy", map[string]string{mutants.EnvMutant: "drop-updates"})
	defer func() { w.stop(); <-w.done }()
	v := startVerifier(t, cluster)
	producePosts(t, cluster, posts)
	want := len(expected) - len(expected)/7
	waitFor(t, "6/7 of the updates", 30*time.Second, func() bool { g, _ := v.count(expected, len(posts)); return g >= want })
	waitFor(t, "everything committed", 30*time.Second, func() bool {
		st := w.w.Status()
		var sum int64
		for _, o := range st.Committed {
			sum += o
		}
		return sum == int64(len(posts))
	})
	time.Sleep(300 * time.Millisecond)
	got, all := v.count(expected, len(posts))
	if got != want {
		t.Errorf("drop-updates: saw %d of %d updates, want exactly %d", got, all, want)
	}
	w.shutdown(t)
}
