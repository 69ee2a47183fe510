package selftest

import (
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/suites/internal/kit"
	"github.com/streamsocial/feedchaos/timeline"
	"github.com/streamsocial/feedchaos/verify"
)

var _ = Describe("a fleet whose workers silently drop feed updates (deliberately broken)", Ordered, ContinueOnFailure, Label("selftest", "smoke"), func() {
	var (
		st   *fixtures.Stage
		h    history.History
		lost verify.Result
	)

	BeforeAll(func(ctx SpecContext) {
		cfg := kit.StageConfig()
		kit.UseMutant(ctx, &cfg, "drop-updates")
		st = kit.NewStage(ctx, cfg)
		kit.AwaitStable(ctx, st, st.Fleet.IDs(), kit.B.Stable)
		loadStart := kit.StartLoad(ctx, st)
		kit.SteadyFor(ctx, st, loadStart, 2*time.Second)
		h = kit.Drain(ctx, st)
		lost = verify.NoLostUpdates(h, st.Graph)
		st.Rec.Verdict(lost.Verdict())
	}, NodeTimeout(5*time.Minute))

	It("is caught by the lost-update checker, which names the missing updates", func() {
		Expect(lost.Pass).To(BeFalse(), "a worker that drops every 7th update passed the lost-update check:\n%s", lost.Message)
		Expect(lost.Class).To(Equal(verify.ClassLost))
		Expect(lost.Examples).NotTo(BeEmpty())
		Expect(lost.Message).To(ContainSubstring("partition"))
		GinkgoWriter.Printf("caught, as it must be:\n%s\n", lost.Message)
	})

	It("still commits every post and never moves an offset back: lag and commit order alone cannot tell", func(ctx SpecContext) {
		kit.Check(st, "drop-updates", verify.CommittedMonotonic(h))
		l, err := st.Observer.Lag(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(l.Lag()).To(BeZero(), "the broken worker should have committed every post")
	})

	It("leaves a timeline whose HTML puts the failing invariant on top", func() {
		h = st.Rec.Snapshot()
		h.Spec = CurrentSpecReport().ContainerHierarchyTexts[0] // the specs of this container share the history
		paths, err := timeline.Write(timeline.Dir(kit.ArtifactsRoot(), "selftest", CurrentSpecReport().ContainerHierarchyTexts[0]), h)
		Expect(err).NotTo(HaveOccurred())
		AddReportEntry("timeline", paths.HTML)
		for _, p := range []string{paths.JSONL, paths.Text, paths.HTML} {
			Expect(p).To(BeAnExistingFile())
		}
		html, err := os.ReadFile(paths.HTML)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(html)).To(ContainSubstring(`id="verdict-failing"`))
		Expect(string(html)).To(ContainSubstring(`class="lane"`))
		// the counter-examples' sources are marked on their owners' lanes
		Expect(string(html)).To(ContainSubstring(`class="lost-update"`))
		txt, err := os.ReadFile(paths.Text)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(txt)).To(ContainSubstring(verify.ClassLost))
	})
})
