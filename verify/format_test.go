package verify

import (
	"testing"
	"time"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestRelPrintsExactMilliseconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		2687 * time.Millisecond:  "+2.687s",
		2600 * time.Millisecond:  "+2.6s",
		12 * time.Second:         "+12s",
		-1500 * time.Millisecond: "-1.5s",
		0:                        "+0s",
	} {
		if got := rel(ht.T0, ht.T0.Add(d)); got != want {
			t.Errorf("rel(%v) = %q, want %q", d, got, want)
		}
	}
}
