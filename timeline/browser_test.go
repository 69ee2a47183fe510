package timeline

// The HTML timeline checked in a real headless browser (Debian's chromium,
// driven over the DevTools protocol by chromedp): the page is rendered from
// a recorded failure, loaded from a file:// URL, queried through the DOM
// (lanes, fault bands, rebalance markers, the failing invariant and its
// counter-example, overlap and lost-update marks, label overlaps, the
// hover cursor) and screenshotted.
//
// It skips, saying why, when no chromium is installed; scripts/ensure-
// chromium.sh installs it (CI runs that first). Environment:
//
//	CHROMIUM=/path/to/chrome      the browser to use (default: chromium on PATH)
//	TIMELINE_SCREENSHOTS=dir      keep the fixtures' screenshots there (PNG)
//	TIMELINE_SHOT=page.html:out.png
//	                              TestScreenshotFile screenshots that page
//	                              (how docs/timeline-failed-run.png is made)

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/streamsocial/feedchaos/history"
)

// chromiumPath returns the browser to drive, or "" if none is installed.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless chromium for the test (one tab), or skips.
func browser(t *testing.T, width int) context.Context {
	t.Helper()
	exe := chromiumPath()
	if exe == "" {
		t.Skip("chromium is not installed (run scripts/ensure-chromium.sh, or set CHROMIUM=/path/to/chrome): the HTML timeline is not checked in a browser")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(width, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx
}

// load navigates to the page and waits for the timeline's SVG.
func load(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate("file://"+abs), chromedp.WaitVisible(chromedp.CSS("#tl"))); err != nil {
		t.Fatalf("loading %s: %v", abs, err)
	}
}

// eval evaluates a JS expression in the page and decodes its JSON value.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// screenshot takes a PNG of the whole page.
func screenshot(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return b
}

// screenshotOf takes a PNG of the first element matching the CSS selector.
func screenshotOf(t *testing.T, ctx context.Context, sel string) []byte {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := chromedp.Run(tctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", sel, err)
	}
	return b
}

func keepScreenshot(t *testing.T, name string, b []byte) string {
	t.Helper()
	dir := os.Getenv("TIMELINE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pageFacts is what the browser reports about a rendered timeline.
type pageFacts struct {
	Title          string   `json:"title"`
	Lanes          []string `json:"lanes"`
	LaneHeights    []int    `json:"laneHeights"`
	Bands          []string `json:"bands"`
	BandTooltips   []string `json:"bandTooltips"`
	Rebalances     []string `json:"rebalances"`
	Failing        string   `json:"failing"`
	FailingTop     float64  `json:"failingTop"`
	SvgTop         float64  `json:"svgTop"`
	FailMarks      []string `json:"failMarks"`
	FailLinks      []string `json:"failLinks"`
	SegsNoTitle    int      `json:"segsNoTitle"`
	Segs           int      `json:"segs"`
	Overlaps       []string `json:"overlaps"`
	LostMarks      []string `json:"lostMarks"`
	AxisLabels     []string `json:"axisLabels"`
	Overlapping    []string `json:"overlapping"`
	ClippedLabels  []string `json:"clippedLabels"`
	ChartsNonEmpty []string `json:"chartsNonEmpty"`
}

// factsJS collects pageFacts in the page. Overlapping lists pairs of
// visible SVG text labels whose boxes intersect (a person could not read
// them); ClippedLabels lists lane labels wider than the label margin.
const factsJS = `(() => {
const q = s => Array.from(document.querySelectorAll(s));
const svg = document.getElementById("tl");
const f = document.getElementById("verdict-failing");
const texts = q("#tl text").filter(t => t.textContent.trim() !== "" && !t.closest(".lane-chart-ignore"));
const boxes = texts.map(t => ({t, b: t.getBoundingClientRect()}));
const overlapping = [];
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const a = boxes[i].b, b = boxes[j].b;
  if (a.width === 0 || b.width === 0) continue;
  const ix = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const iy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  if (ix > 1 && iy > 1) overlapping.push(boxes[i].t.textContent + " / " + boxes[j].t.textContent);
}
const left = +svg.dataset.left, sx = svg.getBoundingClientRect().left;
return {
  title: document.title,
  lanes: q("g.lane").map(g => g.dataset.worker),
  laneHeights: q("g.lane > rect.lane-bg").map(r => Math.round(r.getBoundingClientRect().height)),
  bands: q("g.fault-band").map(g => g.dataset.fault + "→" + g.dataset.target),
  bandTooltips: q("g.fault-band > title").map(t => t.textContent),
  rebalances: q("line.rebalance").map(l => l.dataset.generation),
  failing: f ? f.innerText : "",
  failingTop: f ? f.getBoundingClientRect().top : -1,
  svgTop: svg.getBoundingClientRect().top,
  failMarks: q("g.fail-mark").map(g => g.id),
  failLinks: q("#verdict-failing a[href^='#fail-at-']").map(a => a.getAttribute("href")),
  segs: q("rect.seg").length,
  segsNoTitle: q("rect.seg").filter(r => !r.querySelector("title")).length,
  overlaps: q("rect.overlap").map(r => r.dataset.partition + "@" + r.closest("g.lane").dataset.worker),
  lostMarks: q(".lost-update").map(m => m.dataset.partition + "@" + (m.closest("g.lane") ? m.closest("g.lane").dataset.worker : "")),
  axisLabels: q("g.ticks text.tick-label").map(t => t.textContent),
  overlapping,
  clippedLabels: q("g.lane > text.lane-label").filter(t => t.getBoundingClientRect().right - sx > left - 2).map(t => t.textContent),
  chartsNonEmpty: q("g.lag-chart polyline, g.throughput-chart polyline").filter(p => p.getBBox().width > 0).map(p => p.getAttribute("class")),
};
})()`

func logFactsOnFailure(t *testing.T, f pageFacts) {
	if t.Failed() {
		dump, _ := json.MarshalIndent(f, "", "  ")
		t.Logf("what the browser saw:\n%s", dump)
	}
}

// renderFixture writes h's artefacts into a temp dir and returns the HTML path.
func renderFixture(t *testing.T, h history.History) string {
	t.Helper()
	p, err := Write(filepath.Join(t.TempDir(), Slug(h.Spec)), h)
	if err != nil {
		t.Fatal(err)
	}
	return p.HTML
}

func checkScreenshot(t *testing.T, name string, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: screenshot is not a PNG: %v", name, err)
	}
	r := img.Bounds()
	if r.Dx() < 800 || r.Dy() < 400 {
		t.Errorf("%s: screenshot is %dx%d, want at least 800x400", name, r.Dx(), r.Dy())
	}
	if reds := countReddish(img); reds < 50 {
		t.Errorf("%s: screenshot has %d red pixels: the failure does not show", name, reds)
	}
	t.Logf("%s: %dx%d, %d KB: %s", name, r.Dx(), r.Dy(), len(b)/1024, keepScreenshot(t, name, b))
}

func countReddish(img image.Image) int {
	n := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr>>8 > 170 && cg>>8 < 80 && cb>>8 < 80 {
				n++
			}
		}
	}
	return n
}

func TestBrowserLostUpdate(t *testing.T) {
	ctx := browser(t, 1400)
	start := time.Now()
	h := lostUpdateHistory()
	load(t, ctx, renderFixture(t, h))
	f := eval[pageFacts](t, ctx, factsJS)
	defer logFactsOnFailure(t, f)

	commonChecks(t, f, []string{"w1", "w2", "w3"})
	if !strings.HasPrefix(f.Title, "FAIL") {
		t.Errorf("title %q does not start with FAIL", f.Title)
	}
	if len(f.Bands) != 1 || f.Bands[0] != "kill -9→w2" {
		t.Errorf("fault bands %v, want [kill -9→w2]", f.Bands)
	}
	// gen 1 → PreparingRebalance at +14s (marked at its start), gen 3 at +19.5s
	if want := []string{"1", "3"}; fmt.Sprint(f.Rebalances) != fmt.Sprint(want) {
		t.Errorf("rebalance markers at generations %v, want %v", f.Rebalances, want)
	}
	for _, want := range []string{"no-lost-updates", "lost", "owned by w2", "from partition 2"} {
		if !strings.Contains(f.Failing, want) {
			t.Errorf("#verdict-failing lacks %q:\n%s", want, f.Failing)
		}
	}
	if len(f.LostMarks) == 0 {
		t.Error("no lost-update mark on the lanes")
	}
	for _, m := range f.LostMarks {
		if m != "2@w2" {
			t.Errorf("lost-update mark %s, want on w2's p2 row (2@w2)", m)
		}
	}
	if len(f.Overlaps) != 0 {
		t.Errorf("overlap marks %v on a history without double ownership", f.Overlaps)
	}
	checkScreenshot(t, "timeline-lost-update.png", screenshot(t, ctx))
	hoverCursor(t, ctx)
	t.Logf("browser check took %v", time.Since(start).Round(time.Millisecond))
}

func TestBrowserOwnedTwice(t *testing.T) {
	ctx := browser(t, 1400)
	h := ownedTwiceHistory()
	load(t, ctx, renderFixture(t, h))
	f := eval[pageFacts](t, ctx, factsJS)
	defer logFactsOnFailure(t, f)

	commonChecks(t, f, []string{"w1", "w2", "w3"})
	if len(f.Bands) != 1 || f.Bands[0] != "proxy-disable→w3" {
		t.Errorf("fault bands %v, want [proxy-disable→w3]", f.Bands)
	}
	if want := []string{"2", "3", "4"}; fmt.Sprint(f.Rebalances) != fmt.Sprint(want) {
		t.Errorf("rebalance markers at generations %v, want %v", f.Rebalances, want)
	}
	for _, want := range []string{"exclusive-ownership", "double-owned", "partition 5 owned by w1 and w3"} {
		if !strings.Contains(f.Failing, want) {
			t.Errorf("#verdict-failing lacks %q:\n%s", want, f.Failing)
		}
	}
	got := fmt.Sprint(f.Overlaps)
	if !strings.Contains(got, "5@w1") || !strings.Contains(got, "5@w3") {
		t.Errorf("overlap marks %v, want p5 marked on w1's and w3's lanes", f.Overlaps)
	}
	checkScreenshot(t, "timeline-owned-twice.png", screenshot(t, ctx))
}

func commonChecks(t *testing.T, f pageFacts, workers []string) {
	t.Helper()
	if fmt.Sprint(f.Lanes) != fmt.Sprint(workers) {
		t.Errorf("lanes %v, want one per worker %v", f.Lanes, workers)
	}
	for i, h := range f.LaneHeights {
		if h < 14 {
			t.Errorf("lane %d is %d px high: too thin to read", i, h)
		}
	}
	if f.Failing == "" {
		t.Fatal("no #verdict-failing in the page")
	}
	if f.FailingTop < 0 || f.FailingTop > f.SvgTop {
		t.Errorf("#verdict-failing at y=%v is not above the timeline (y=%v)", f.FailingTop, f.SvgTop)
	}
	if f.FailingTop > 400 {
		t.Errorf("#verdict-failing at y=%v: not visible without scrolling", f.FailingTop)
	}
	if len(f.FailLinks) == 0 || len(f.FailMarks) == 0 {
		t.Errorf("failing verdict links %v to marks %v: want a link to the counter-example's time", f.FailLinks, f.FailMarks)
	}
	if f.Segs == 0 || f.SegsNoTitle > 0 {
		t.Errorf("%d ownership bars, %d without a tooltip", f.Segs, f.SegsNoTitle)
	}
	for _, tt := range f.BandTooltips {
		if !strings.Contains(tt, "injected at") {
			t.Errorf("fault band tooltip %q does not say when it was injected", tt)
		}
	}
	if len(f.AxisLabels) < 5 {
		t.Errorf("time axis labels %v: want at least 5", f.AxisLabels)
	}
	if len(f.Overlapping) > 0 {
		t.Errorf("%d pairs of labels overlap: %v", len(f.Overlapping), f.Overlapping)
	}
	if len(f.ClippedLabels) > 0 {
		t.Errorf("lane labels run into the plot: %v", f.ClippedLabels)
	}
	if len(f.ChartsNonEmpty) < 2 {
		t.Errorf("charts with a line: %v, want lag and throughput", f.ChartsNonEmpty)
	}
}

// hoverCursor moves the mouse over the plot and checks the cursor readout
// (the page's only script) shows the time under it.
func hoverCursor(t *testing.T, ctx context.Context) {
	t.Helper()
	pos := eval[[]float64](t, ctx, `(() => {const r = document.getElementById("tl").getBoundingClientRect();
		window.scrollTo(0, r.top + window.scrollY - 40); const s = document.getElementById("tl").getBoundingClientRect();
		return [s.left + (+document.getElementById("tl").dataset.left) + 200, s.top + 60];})()`)
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.MouseEvent("mouseMoved", pos[0], pos[1])); err != nil {
		t.Fatalf("mouse move: %v", err)
	}
	got := eval[string](t, ctx, `document.getElementById("cursor-t").textContent`)
	if !strings.HasPrefix(got, "+") || !strings.HasSuffix(got, "s") {
		t.Errorf("hover readout %q, want a time like +3.250s", got)
	}
	eval[any](t, ctx, `window.scrollTo(0, 0)`)
}

// TestScreenshotFile screenshots an existing timeline page:
// TIMELINE_SHOT=artifacts/<theme>/<spec>/timeline.html:docs/out.png.
func TestScreenshotFile(t *testing.T) {
	spec := os.Getenv("TIMELINE_SHOT")
	if spec == "" {
		t.Skip("set TIMELINE_SHOT=page.html:out.png to screenshot a timeline page")
	}
	in, out, ok := strings.Cut(spec, ":")
	if !ok {
		t.Fatalf("TIMELINE_SHOT=%q: want page.html:out.png", spec)
	}
	ctx := browser(t, 1400)
	load(t, ctx, in)
	b := screenshot(t, ctx)
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d KB", out, len(b)/1024)
}

// TestBrowserCompact100Workers loads the 100-worker, 10-minute page (compact
// lanes) and checks it stays readable: a lane per worker, no label drawn
// over another, a tooltip on every bar.
func TestBrowserCompact100Workers(t *testing.T) {
	if testing.Short() {
		t.Skip("large history")
	}
	ctx := browser(t, 2000)
	path := renderFixture(t, bigHistory())
	start := time.Now()
	load(t, ctx, path)
	t.Logf("loaded the 100-worker page in %v", time.Since(start).Round(time.Millisecond))
	f := eval[pageFacts](t, ctx, factsJS)
	if len(f.Lanes) != 100 {
		t.Errorf("%d lanes, want 100", len(f.Lanes))
	}
	if len(f.Overlapping) > 0 {
		t.Errorf("%d pairs of labels overlap, e.g. %v", len(f.Overlapping), f.Overlapping[:min(5, len(f.Overlapping))])
	}
	if f.Segs == 0 || f.SegsNoTitle > 0 {
		t.Errorf("%d bars, %d without a tooltip", f.Segs, f.SegsNoTitle)
	}
	if len(f.Bands) != 9 {
		t.Errorf("%d fault bands, want 9", len(f.Bands))
	}
	if f.Failing == "" || f.FailingTop > 400 {
		t.Errorf("failing verdict %q at y=%v", f.Failing, f.FailingTop)
	}
	checkScreenshot(t, "timeline-100-workers.png", screenshotOf(t, ctx, "#tl"))
}
