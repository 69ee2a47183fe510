package crash

import (
	"context"

	"github.com/streamsocial/feedchaos/chaos"
	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/suites/internal/specs"
)

// Two of the three workers killed at the same instant (a node or a zone
// lost): the survivor must take every partition within the same bound as
// for one death, since both sessions expire together.
var _ = specs.EvictSpec(func() specs.EvictInput {
	return specs.EvictInput{
		Describe:  "two of three workers killed with SIGKILL at once",
		Labels:    []string{"crash"},
		Combo:     specs.ClassicCoopSticky,
		Permanent: true,
		Victims: func(ctx context.Context, st *fixtures.Stage) []string {
			owner := kit.Owner(st, 0)
			survivor := kit.Without(st.Fleet.IDs(), owner)[0]
			return kit.Without(st.Fleet.IDs(), survivor)
		},
		Fault: func(ctx context.Context, st *fixtures.Stage, ws []*fixtures.Worker) chaos.Fault {
			var ps []chaos.Process
			for _, w := range ws {
				ps = append(ps, w)
			}
			return chaos.KillMany{Ps: ps}
		},
	}
})
