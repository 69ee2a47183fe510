// Package scale holds the specs that grow and shrink the fleet: the ladder
// from one worker to a hundred and back under steady load (balance, no
// loss, lag after every step, ten workers lost at once at the top), and a
// fleet with more workers than partitions, whose extra members idle until
// an owner dies.
//
// The ladder starts up to a hundred workers and their proxies on one
// machine, so it is Serial (no other spec of this run beside it) and has
// its own label: `--label-filter=ladder` selects it, `!ladder` leaves it
// out. Its configuration is bounds.Scale (CHAOS_SCALE_*).
package scale

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
)

// Its specs carry the label "scale", which names the theme in reports and
// artifacts (artifacts/scale/<spec>/).
var _ = kit.Theme("scale", "scale")
