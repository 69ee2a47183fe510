package kit

import (
	"context"
	"sync"

	. "github.com/onsi/gomega"

	"github.com/streamsocial/feedchaos/fixtures"
)

var mutantsImage struct {
	once sync.Once
	tag  string
	err  error
}

// UseMutant makes cfg's workers run the named mutant from the suite's own
// mutants image (built on first use in this process, or from CHAOS_MUTANT
// at setup), whatever WORKER_IMAGE names. The spec fails if the image
// cannot be built.
func UseMutant(ctx context.Context, cfg *fixtures.StageConfig, name string) {
	if cfg.Images.Mutants == "" {
		mutantsImage.once.Do(func() {
			mutantsImage.tag, mutantsImage.err = fixtures.BuildImage(ctx, fixtures.MutantsImage, cfg.Log)
		})
		Expect(mutantsImage.err).NotTo(HaveOccurred(), "building the %s image", fixtures.MutantsImage.Name)
		cfg.Images.Mutants = mutantsImage.tag
	}
	cfg.Mutant = name
}
