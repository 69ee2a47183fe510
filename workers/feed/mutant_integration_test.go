//go:build mutants

package feed

import (
	"strings"
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

// TestMutantsLoseAtHandover runs a handover (worker a processes and commits
// the first half of the posts and stops; worker b reads the second half)
// with each offset mutant on both workers, and without: the correct worker
// sees every update, each mutant loses some of the second half.
func TestMutantsLoseAtHandover(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	for _, mutant := range []string{"", "commit-offset-plus-one", "skip-after-rebalance"} {
		t.Run("mutant="+mutant, func(t *testing.T) {
			cluster, bootstrap := newCluster(t)
			posts, expected := makePosts(240, nil)
			env := map[string]string{}
			if mutant != "" {
				env[mutants.EnvMutant] = mutant
			}
			v := startVerifier(t, cluster)
			a := startWorker(t, bootstrap, "a", env)
			producePosts(t, cluster, posts[:120])
			waitFor(t, "a's updates", 30*time.Second, func() bool { g, w := v.count(expected, 120); return g == w })
			waitFor(t, "a's commits", 30*time.Second, func() bool {
				var sum int64
				for _, o := range a.w.Status().Committed {
					sum += o
				}
				return sum >= 120
			})
			a.shutdown(t)
			producePosts(t, cluster, posts[120:])
			b := startWorker(t, bootstrap, "b", env)
			defer b.shutdown(t)
			waitFor(t, "b caught up", 30*time.Second, func() bool { return b.w.metrics.Consumed.Load() > 0 && lagOf(b.w) == 0 })
			time.Sleep(500 * time.Millisecond)
			got, want := v.count(expected, 240)
			switch {
			case mutant == "" && got != want:
				t.Fatalf("correct worker: %d of %d updates", got, want)
			case mutant != "" && got == want:
				t.Fatalf("%s lost nothing at the handover (%d updates)", mutant, got)
			}
			t.Logf("%q: %d of %d updates", mutant, got, want)
		})
	}
}

func lagOf(w *Worker) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var n int64
	for _, l := range w.st.lag {
		n += l
	}
	return n
}

// TestMutantsMishandlePoison: poison-skip commits past a poison post with
// no dead letter; poison-crash stops the worker with a fatal error instead
// of dead-lettering it. The correct worker dead-letters it and carries on.
func TestMutantsMishandlePoison(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	for _, mutant := range []string{"", "poison-skip", "poison-crash"} {
		t.Run("mutant="+mutant, func(t *testing.T) {
			cluster, bootstrap := newCluster(t)
			posts, expected := makePosts(60, map[int]string{30: "{not json"})
			env := map[string]string{}
			if mutant != "" {
				env[mutants.EnvMutant] = mutant
			}
			v := startVerifier(t, cluster)
			w := startWorker(t, bootstrap, "p", env)
			producePosts(t, cluster, posts)
			if mutant == "poison-crash" {
				select {
				case <-w.done:
					if w.err == nil || !strings.Contains(w.err.Error(), "cannot process post") {
						t.Fatalf("poison-crash: Run returned %v", w.err)
					}
				case <-time.After(30 * time.Second):
					t.Fatal("poison-crash kept running past a poison post")
				}
				return
			}
			defer w.shutdown(t)
			waitFor(t, "every update", 30*time.Second, func() bool { g, n := v.count(expected, 60); return g == n })
			waitFor(t, "everything committed", 30*time.Second, func() bool {
				var sum int64
				for _, o := range w.w.Status().Committed {
					sum += o
				}
				return sum == 60
			})
			time.Sleep(300 * time.Millisecond)
			v.mu.Lock()
			dead := len(v.dead)
			v.mu.Unlock()
			want := 1
			if mutant == "poison-skip" {
				want = 0
			}
			if dead != want {
				t.Fatalf("%q: %d dead letters, want %d", mutant, dead, want)
			}
		})
	}
}

// TestMutantStalePositionRewind moves partitions A -> B -> A: worker a
// owns all, b joins and takes some (and commits them further), b leaves.
// The correct a resumes at b's commits; stale-position-rewind resumes at
// its own older commits and writes b's updates again.
func TestMutantStalePositionRewind(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	for _, mutant := range []string{"", "stale-position-rewind"} {
		t.Run("mutant="+mutant, func(t *testing.T) {
			cluster, bootstrap := newCluster(t)
			posts, expected := makePosts(300, nil)
			env := map[string]string{}
			if mutant != "" {
				env[mutants.EnvMutant] = mutant
			}
			v := startVerifier(t, cluster)
			a := startWorker(t, bootstrap, "a", env)
			defer a.shutdown(t)
			waitFor(t, "a owns all", 30*time.Second, func() bool { return len(a.w.Status().Assigned) == 12 })
			producePosts(t, cluster, posts[:100])
			waitFor(t, "a's updates", 30*time.Second, func() bool { g, w := v.count(expected, 100); return g == w })
			b := startWorker(t, bootstrap, "b", nil)
			waitFor(t, "b owns some", 30*time.Second, func() bool {
				return len(b.w.Status().Assigned) > 0 && len(a.w.Status().Assigned) < 12
			})
			producePosts(t, cluster, posts[100:200])
			waitFor(t, "b's updates", 30*time.Second, func() bool { g, w := v.count(expected, 200); return g == w })
			b.shutdown(t) // its partitions go back to a
			waitFor(t, "a owns all again", 30*time.Second, func() bool { return len(a.w.Status().Assigned) == 12 })
			producePosts(t, cluster, posts[200:])
			waitFor(t, "every update", 30*time.Second, func() bool { g, w := v.count(expected, 300); return g == w })
			time.Sleep(time.Second)
			dups := v.duplicates()
			switch {
			case mutant == "" && dups != 0:
				t.Fatalf("correct worker wrote %d duplicate updates over graceful handovers", dups)
			case mutant != "" && dups == 0:
				t.Fatal("stale-position-rewind wrote no update twice after A -> B -> A")
			}
			t.Logf("%q: %d duplicate updates", mutant, dups)
		})
	}
}
