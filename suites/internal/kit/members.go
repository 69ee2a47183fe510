package kit

import (
	"context"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
)

// Member returns worker's entry in the latest snapshot; ok is false when
// it is not a member there.
func Member(st *fixtures.Stage, worker string) (history.Member, bool) {
	s, ok := st.Rec.LastSnapshot()
	if !ok {
		return history.Member{}, false
	}
	for _, m := range s.Members {
		if m.Worker == worker {
			return m, true
		}
	}
	return history.Member{}, false
}

// AwaitRejoined waits until worker is a member under a member id other
// than old (a new process joined as it) and the group is stable with
// exactly members, every partition owned once; it returns when that was
// first observed. Use it after restarting a worker in place: AwaitStable
// alone would be satisfied by the old member, still listed until its
// session expires.
func AwaitRejoined(ctx context.Context, st *fixtures.Stage, worker, old string, members []string, within time.Duration) time.Time {
	GinkgoHelper()
	By(fmt.Sprintf("waiting for %s to rejoin under a new member id, with %s", worker, strings.Join(members, ", ")))
	since := time.Now()
	var at time.Time
	_, err := st.WaitUntil(ctx, within, worker+" rejoined", func() (bool, string) {
		s, ok := st.Rec.LastSnapshot()
		if !ok || s.At.Before(since) {
			return false, "no snapshot yet"
		}
		var id string
		for _, m := range s.Members {
			if m.Worker == worker {
				id = m.MemberID
			}
		}
		if id == "" || id == old {
			return false, fmt.Sprintf("%s's member id is %q (old %q)", worker, id, old)
		}
		if ok, why := fixtures.StableWith(s, members, st.Cfg.Partitions); !ok {
			return false, why
		}
		at = s.At
		return true, ""
	})
	Expect(err).NotTo(HaveOccurred())
	return at
}
