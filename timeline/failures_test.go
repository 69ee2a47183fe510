package timeline

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The failure marks, checked in the HTML text (browser_test.go checks them
// in a real browser when chromium is installed).

func TestHTMLLostUpdateSources(t *testing.T) {
	page := renderHTML(t, NewModel(lostUpdateHistory()))
	checkWellFormed(t, page)
	i := strings.Index(page, `data-worker="w2"`)
	j := strings.Index(page, `data-worker="w3"`)
	if i < 0 || j < i {
		t.Fatal("lanes w2, w3 missing")
	}
	if !strings.Contains(page[i:j], `class="lost-update" data-partition="2"`) {
		t.Error("no lost-update mark on w2's p2 row")
	}
	if strings.Count(page, `class="lost-update"`) != strings.Count(page[i:j], `class="lost-update"`) {
		t.Error("lost-update marks outside w2's lane")
	}
	if !strings.Contains(page, `<ol class="examples"><li>post p`) {
		t.Error("counter-examples are not listed one per item")
	}
	if strings.Contains(page, "rect class=\"overlap\"") {
		t.Error("overlap marks on a history without double ownership")
	}
	// where the lag went: p2 and p3 get their own lines
	for _, want := range []string{`class="lag-part"`, "p2 lag, peak", "p3 lag, peak"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestHTMLOwnedTwice(t *testing.T) {
	page := renderHTML(t, NewModel(ownedTwiceHistory()))
	checkWellFormed(t, page)
	if n := strings.Count(page, `<rect class="overlap" data-partition="5"`); n != 2 {
		t.Errorf("%d overlap marks for p5, want 2 (w1's and w3's lanes)", n)
	}
	if !strings.Contains(page, "p5 owned by w1 and w3 at once from &#43;11.000s to &#43;13.000s") &&
		!strings.Contains(page, "p5 owned by w3 and w1 at once from &#43;11.000s to &#43;13.000s") {
		t.Error("overlap tooltip missing")
	}
	if !strings.Contains(page, `data-fault-target="true"`) {
		t.Error("the fault's target lane is not marked")
	}
}

func TestSplitCounterExamples(t *testing.T) {
	msg := "no-lost-updates [lost]: expected 9; 2 lost from 2 posts on partitions 2. Counter-examples: post p1 -> followers 1, 2 (2 of 3 updates lost; author 4) from partition 2 offset 0, acked +1.5s, owned by w2; post p7 -> follower 3 (1 of 3 updates lost; author 1) from partition 2 offset 1, acked +2s, owned by nobody. (3 more)"
	sum, ex, more := splitCounterExamples(msg, "no-lost-updates", "lost")
	if sum != "expected 9; 2 lost from 2 posts on partitions 2." || len(ex) != 2 || more != "(3 more)" {
		t.Fatalf("summary %q\nexamples %q\nmore %q", sum, ex, more)
	}
	if !strings.HasSuffix(ex[0], "owned by w2") || !strings.HasSuffix(ex[1], "owned by nobody") {
		t.Errorf("examples %q", ex)
	}
	ls := lostSources(msg)
	if len(ls) != 2 || ls[0].Partition != 2 || ls[0].At != 1500*time.Millisecond || len(ls[0].Owners) != 1 || ls[0].Owners[0] != "w2" || len(ls[1].Owners) != 0 {
		t.Errorf("lost sources %+v", ls)
	}
	if s, ex, _ := splitCounterExamples("exclusive-ownership: fine", "exclusive-ownership", ""); s != "fine" || ex != nil {
		t.Errorf("plain message: %q %q", s, ex)
	}
	if s, ex, _ := splitCounterExamples("line one\nCounter-examples: x", "c", ""); ex != nil || !strings.HasPrefix(s, "line one") {
		t.Errorf("multi-line message split: %q %q", s, ex)
	}
	if cutLabel("a-very-long-worker-name-1", 16) != "a-very-long-wor…" || cutLabel("w1", 16) != "w1" {
		t.Error("cutLabel")
	}
}

func TestPartColorsAvoidRed(t *testing.T) {
	for p := int32(0); p < 200; p++ {
		c := partColor(p)
		var r, g, b int
		if _, err := fmt.Sscanf(c, "#%02x%02x%02x", &r, &g, &b); err != nil {
			t.Fatal(err)
		}
		if r > 180 && g < 90 && b < 90 {
			t.Errorf("p%d is red (%s): red means a fault or a failure", p, c)
		}
	}
}

// TestRebalanceWithoutGenerations: a broker that keeps generation 0 (the
// embedded one) still yields a rebalance marker per rebalance.
func TestRebalanceWithoutGenerations(t *testing.T) {
	h := crashHistory(false)
	for i := range h.Snapshots {
		h.Snapshots[i].Generation = 0
	}
	ev := FromHistory(h)
	var got []string
	for _, e := range ev {
		if e.Source == SourceGroup && e.Kind == KindRebalance {
			got = append(got, FormatT(e.T)+" "+e.Text)
		}
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "+16.500s rebalance started: generation 0 PreparingRebalance") ||
		!strings.HasPrefix(got[1], "+23.000s rebalance: generation 0 Stable") {
		t.Errorf("rebalances %q, want +16.5s (seen starting) and +23s (seen done)", got)
	}
	page := renderHTML(t, NewModel(h))
	if !strings.Contains(page, `class="rebalance-label"`) || !strings.Contains(page, ">↻<") {
		t.Error("no rebalance marker labelled ↻")
	}
}
