package timeline

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Model is what WriteHTML renders: the header and the events. It is built
// from a History (NewModel) or from a timeline.jsonl (ReadJSONL).
type Model struct {
	Meta   Meta
	Events []Event
}

// NewModel converts h.
func NewModel(h history.History) Model {
	ev := FromHistory(h)
	return Model{Meta: MetaFor(h, ev), Events: ev}
}

// Layout limits. Above detailMaxWorkers workers or detailMaxRows partition
// rows in all, each lane is one bar per worker (partition count on the bar,
// the partitions in a <title>) instead of one row per held partition.
const (
	detailMaxWorkers = 16
	detailMaxRows    = 160
	tableMaxRows     = 2000

	leftMargin  = 120
	rightMargin = 24
	rowH        = 11
	compactH    = 14
	chartH      = 100
)

// WriteHTML writes one self-contained HTML page (inline CSS and SVG, a few
// lines of inline JS for the hover cursor; no external resources). DOM
// hooks: #verdict-failing (first failing verdict; only if one failed),
// .verdict.fail/.verdict.pass, a[href="#fail-at-N"] -> g#fail-at-N.fail-mark,
// g.lane[data-worker] (rect.seg[data-partition] inside), g.fault-band
// [data-fault][data-target], line.fault-bit, line.rebalance
// [data-generation], circle.marker.{lost,revoked,assigned,...},
// g.lag-chart, g.throughput-chart, table.events.
func WriteHTML(w io.Writer, m Model) error {
	p := buildPage(m)
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := pageTmpl.Execute(bw, p); err != nil {
		return fmt.Errorf("timeline: render html: %w", err)
	}
	return bw.Flush()
}

// ---- view model

type page struct {
	Title, Suite, Spec, Start, Duration string
	Partitions                          int32
	Workers                             int
	Pass                                bool
	Verdicts                            []verdictView
	Compact                             bool
	W, H                                int
	T0, Span                            string // seconds, for the hover script
	Left, PlotW                         int
	Ticks                               []tick
	Lanes                               []lane
	Bands                               []band
	Bits                                []mark
	Rebalances                          []mark
	FailMarks                           []mark
	LanesTop, LanesBottom               int
	Lag, Thru                           chart
	Legend                              []legendItem
	Table                               []row
	TableMore                           int
}

type verdictView struct {
	ID, Class, Check, VClass, Message, Measured, FirstT, Anchor, At string
}

type tick struct {
	X         string
	Label     string
	Y1, Y2    int
	LabelY    int
	BottomY   int
	ShowLabel bool
}

type lane struct {
	Worker  string
	ID      string
	Y, H    int
	LabelY  int
	Odd     bool
	Segs    []seg
	Markers []marker
}

type seg struct {
	X, Y, W, H, Fill, Opacity, Title, Label, LX, LY string
	Partition                                       string
}

type marker struct {
	Class, CX, CY, Title string
}

type band struct {
	ID, Fault, Target, Class, X, W, Label, LX, LY, Title string
	Y, H                                                 int
}

type mark struct {
	ID, X, Label, LX, Title, Gen string
	Y1, Y2, LY                   int
}

type chart struct {
	Top, Bottom int
	Title       string
	Max         string
	Lines       []polyline
	Empty       bool
	MidY        int
}

type polyline struct {
	Class, Points, Label string
}

type legendItem struct{ Label, Color string }

type row struct {
	Class, T, Source, Kind, Worker, Text string
}

func fx(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func buildPage(m Model) page {
	ev := m.Events
	meta := m.Meta
	p := page{Suite: meta.Suite, Spec: meta.Spec, Partitions: meta.Partitions}
	p.Title = meta.Spec
	if p.Title == "" {
		p.Title = "timeline"
	}
	if !meta.Start.IsZero() {
		p.Start = meta.Start.Format(time.RFC3339Nano)
	}

	// time range
	var t0, t1 time.Duration = 0, meta.Duration
	for _, e := range ev {
		t0 = min(t0, e.T)
		t1 = max(t1, e.T)
	}
	if t1-t0 < time.Second {
		t1 = t0 + time.Second
	}
	span := t1 - t0
	p.Duration = FormatT(meta.Duration)
	p.PlotW = int(math.Max(900, math.Min(1800, span.Seconds()*24)))
	p.Left = leftMargin
	p.W = leftMargin + p.PlotW + rightMargin
	p.T0 = strconv.FormatFloat(t0.Seconds(), 'f', 3, 64)
	p.Span = strconv.FormatFloat(span.Seconds(), 'f', 3, 64)
	xOf := func(t time.Duration) float64 {
		return float64(leftMargin) + float64(t-t0)/float64(span)*float64(p.PlotW)
	}

	// faults: pair inject -> heal per (fault, target)
	type open struct {
		e   Event
		idx int
	}
	var rawBands []struct {
		start, end Event
		healed     bool
	}
	opens := map[string][]open{}
	for _, e := range ev {
		if e.Source != SourceFault {
			continue
		}
		key := e.Str("fault") + "\x00" + e.Str("target")
		switch e.Kind {
		case history.PhaseInject:
			opens[key] = append(opens[key], open{e: e})
		case history.PhaseHeal:
			if os := opens[key]; len(os) > 0 {
				rawBands = append(rawBands, struct {
					start, end Event
					healed     bool
				}{os[0].e, e, true})
				opens[key] = os[1:]
			}
		}
	}
	for _, os := range opens {
		for _, o := range os {
			rawBands = append(rawBands, struct {
				start, end Event
				healed     bool
			}{o.e, Event{T: t1}, false})
		}
	}
	sort.SliceStable(rawBands, func(i, j int) bool { return rawBands[i].start.T < rawBands[j].start.T })
	// label levels so overlapping faults do not print over each other
	var levelEnd []float64
	levels := make([]int, len(rawBands))
	for i, b := range rawBands {
		x := xOf(b.start.T)
		lv := -1
		for l, end := range levelEnd {
			if x >= end+4 {
				lv = l
				break
			}
		}
		if lv < 0 {
			if len(levelEnd) < 4 {
				levelEnd = append(levelEnd, 0)
				lv = len(levelEnd) - 1
			} else {
				lv = i % 4
			}
		}
		labelW := float64(len(b.start.Str("fault"))+len(b.start.Str("target"))+3) * 6.2
		levelEnd[lv] = math.Max(xOf(b.end.T), x+labelW)
		levels[i] = lv
	}
	faultRows := max(1, len(levelEnd))
	axisH := 20
	p.LanesTop = axisH + faultRows*13 + 4

	// ownership from group snapshots
	workers := append([]string(nil), meta.Workers...)
	known := map[string]bool{}
	for _, w := range workers {
		known[w] = true
	}
	for _, w := range workersOf(ev) {
		if !known[w] {
			known[w] = true
			workers = append(workers, w)
		}
	}
	sortNatural(workers)
	type iv struct {
		p          int32
		start, end time.Duration
	}
	type setIv struct {
		ps         []int32
		start, end time.Duration
	}
	perPart := map[string][]iv{}
	perSet := map[string][]setIv{}
	cur := map[string][]int32{}
	since := map[string]time.Duration{}
	partSince := map[string]map[int32]time.Duration{}
	ever := map[string]map[int32]bool{}
	closeSet := func(w string, t time.Duration) {
		if len(cur[w]) > 0 {
			perSet[w] = append(perSet[w], setIv{cur[w], since[w], t})
		}
	}
	for _, e := range ev {
		if e.Source != SourceGroup || e.Kind == KindError {
			continue
		}
		a, ok := e.Assignment()
		if !ok {
			continue
		}
		for w, ps := range a {
			if !known[w] {
				known[w] = true
				workers = append(workers, w)
			}
			if equalInt32(ps, cur[w]) {
				continue
			}
			closeSet(w, e.T)
			if partSince[w] == nil {
				partSince[w] = map[int32]time.Duration{}
				ever[w] = map[int32]bool{}
			}
			for _, q := range setMinus(cur[w], ps) {
				perPart[w] = append(perPart[w], iv{q, partSince[w][q], e.T})
				delete(partSince[w], q)
			}
			for _, q := range setMinus(ps, cur[w]) {
				partSince[w][q] = e.T
				ever[w][q] = true
			}
			cur[w], since[w] = ps, e.T
		}
		for w, ps := range cur {
			if _, ok := a[w]; ok || len(ps) == 0 {
				continue
			}
			closeSet(w, e.T)
			for _, q := range ps {
				perPart[w] = append(perPart[w], iv{q, partSince[w][q], e.T})
				delete(partSince[w], q)
			}
			cur[w] = nil
		}
	}
	for w := range cur {
		closeSet(w, t1)
		for q, s := range partSince[w] {
			perPart[w] = append(perPart[w], iv{q, s, t1})
		}
	}
	sortNatural(workers)

	rows := 0
	for _, w := range workers {
		rows += max(1, len(ever[w]))
	}
	p.Compact = len(workers) > detailMaxWorkers || rows > detailMaxRows
	p.Workers = len(workers)
	maxHeld := 1
	for _, ivs := range perSet {
		for _, s := range ivs {
			maxHeld = max(maxHeld, len(s.ps))
		}
	}

	laneIdx := map[string]int{}
	y := p.LanesTop
	for i, w := range workers {
		l := lane{Worker: w, ID: "lane-" + slug(w, 60), Y: y, Odd: i%2 == 1}
		rowOf := map[int32]int{}
		if p.Compact {
			l.H = compactH
			for _, s := range perSet[w] {
				x0, x1 := xOf(s.start), xOf(s.end)
				sg := seg{X: fx(x0), Y: strconv.Itoa(y + 1), W: fx(math.Max(1, x1-x0)), H: strconv.Itoa(compactH - 2),
					Fill:    "#3b6fc4",
					Opacity: strconv.FormatFloat(0.3+0.7*float64(len(s.ps))/float64(maxHeld), 'f', 2, 64),
					Title: fmt.Sprintf("%s holds %d partition(s) %s from %s to %s (%.1fs)", w, len(s.ps), fmtParts(s.ps),
						FormatT(s.start), FormatT(s.end), (s.end - s.start).Seconds()),
					Partition: "",
				}
				if x1-x0 >= 16 {
					sg.Label, sg.LX, sg.LY = strconv.Itoa(len(s.ps)), fx(x0+3), strconv.Itoa(y+compactH-4)
				}
				l.Segs = append(l.Segs, sg)
			}
		} else {
			ps := make([]int32, 0, len(ever[w]))
			for q := range ever[w] {
				ps = append(ps, q)
			}
			sortInt32(ps)
			for k, q := range ps {
				rowOf[q] = k
			}
			l.H = max(1, len(ps))*rowH + 6
			ivs := perPart[w]
			sort.Slice(ivs, func(i, j int) bool {
				if ivs[i].p != ivs[j].p {
					return ivs[i].p < ivs[j].p
				}
				return ivs[i].start < ivs[j].start
			})
			for _, s := range ivs {
				x0, x1 := xOf(s.start), xOf(s.end)
				ry := y + 3 + rowOf[s.p]*rowH
				sg := seg{X: fx(x0), Y: strconv.Itoa(ry), W: fx(math.Max(1, x1-x0)), H: strconv.Itoa(rowH - 2),
					Fill: partColor(s.p), Opacity: "0.9", Partition: strconv.Itoa(int(s.p)),
					Title: fmt.Sprintf("%s holds p%d from %s to %s (%.1fs)", w, s.p, FormatT(s.start), FormatT(s.end),
						(s.end - s.start).Seconds()),
				}
				if x1-x0 >= 22 {
					sg.Label, sg.LX, sg.LY = "p"+strconv.Itoa(int(s.p)), fx(x0+2), strconv.Itoa(ry+rowH-3)
				}
				l.Segs = append(l.Segs, sg)
			}
		}
		l.LabelY = y + l.H/2 + 4
		laneIdx[w] = len(p.Lanes)
		p.Lanes = append(p.Lanes, l)
		y += l.H + 2
	}
	if len(workers) == 0 {
		y += compactH
	}
	p.LanesBottom = y

	// lifecycle markers
	for _, e := range ev {
		if e.Source != SourceWorker {
			continue
		}
		i, ok := laneIdx[e.Worker]
		if !ok {
			continue
		}
		switch e.Kind {
		case "lost", "revoked", "assigned", "started", "stopping", "stopped", "error", "dead_letter":
		default:
			continue
		}
		l := &p.Lanes[i]
		l.Markers = append(l.Markers, marker{Class: "marker " + e.Kind, CX: fx(xOf(e.T)),
			CY: strconv.Itoa(l.Y + min(l.H/2, 8)), Title: e.Worker + " " + e.Text + " at " + FormatT(e.T)})
	}

	// charts
	p.Lag.Top = p.LanesBottom + 26
	p.Lag.Bottom = p.Lag.Top + chartH
	p.Thru.Top = p.Lag.Bottom + 30
	p.Thru.Bottom = p.Thru.Top + chartH
	p.H = p.Thru.Bottom + 24
	fullTop, fullBottom := axisH, p.Thru.Bottom

	for i, b := range rawBands {
		x0, x1 := xOf(b.start.T), xOf(b.end.T)
		f, tg := b.start.Str("fault"), b.start.Str("target")
		label := f
		if tg != "" {
			label += " → " + tg
		}
		title := fmt.Sprintf("%s injected at %s", label, FormatT(b.start.T))
		if b.healed {
			title += fmt.Sprintf(", healed at %s (%.1fs)", FormatT(b.end.T), (b.end.T - b.start.T).Seconds())
		} else {
			title += ", never healed"
		}
		if d := b.start.Str("detail"); d != "" {
			title += "\n" + d
		}
		if s, ok := b.start.Int("seed"); ok {
			title += fmt.Sprintf("\nseed %d", s)
		}
		cls := "fault-band"
		if !b.healed {
			cls += " unhealed"
		}
		ly := axisH + 10 + levels[i]*13
		p.Bands = append(p.Bands, band{ID: fmt.Sprintf("fault-%d", i), Fault: f, Target: tg, Class: cls,
			X: fx(x0), W: fx(math.Max(2, x1-x0)), Y: fullTop, H: fullBottom - fullTop,
			Label: label, LX: fx(x0 + 2), LY: strconv.Itoa(ly), Title: title})
	}
	for _, e := range ev {
		if e.Source == SourceFault && e.Kind == history.PhaseBit {
			x := fx(xOf(e.T))
			p.Bits = append(p.Bits, mark{X: x, Y1: axisH, Y2: p.LanesBottom,
				Title: fmt.Sprintf("%s bit at %s: %s", e.Str("fault"), FormatT(e.T), e.Text)})
		}
	}

	lastLabel := -1e9
	for _, e := range ev {
		if e.Source != SourceGroup || e.Kind != KindRebalance {
			continue
		}
		x := xOf(e.T)
		g, _ := e.Int("generation")
		mk := mark{X: fx(x), Y1: p.LanesTop - 4, Y2: p.LanesBottom, Gen: strconv.FormatInt(g, 10),
			Title: FormatT(e.T) + " " + e.Text}
		if x-lastLabel >= 22 {
			mk.Label, mk.LX, mk.LY = "g"+mk.Gen, fx(x+2), p.LanesTop-5
			lastLabel = x
		}
		p.Rebalances = append(p.Rebalances, mk)
	}

	// verdicts: failing first
	var fails, passes []Event
	for _, e := range ev {
		if e.Source == SourceVerdict {
			if e.Kind == KindFail {
				fails = append(fails, e)
			} else {
				passes = append(passes, e)
			}
		}
	}
	p.Pass = len(fails) == 0
	for i, e := range fails {
		v := verdictFromEvent(e)
		v.Class = "verdict fail"
		if i == 0 {
			v.ID = "verdict-failing"
		}
		if ft, ok := e.Duration("first_t"); ok {
			id := fmt.Sprintf("fail-at-%d", i)
			v.Anchor = "#" + id
			x := xOf(ft)
			p.FailMarks = append(p.FailMarks, mark{ID: id, X: fx(x), Y1: axisH, Y2: fullBottom,
				Label: "✗ " + e.Str("check"), LX: fx(x + 3), LY: fullBottom - 4,
				Title: fmt.Sprintf("%s failed: first counter-example at %s\n%s", e.Str("check"), FormatT(ft), e.Str("message"))})
		}
		p.Verdicts = append(p.Verdicts, v)
	}
	for _, e := range passes {
		v := verdictFromEvent(e)
		v.Class = "verdict pass"
		p.Verdicts = append(p.Verdicts, v)
	}

	// ticks
	stepS := 1.0
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200} {
		stepS = s
		if span.Seconds()/s <= 14 {
			break
		}
	}
	for s := math.Ceil(t0.Seconds()/stepS) * stepS; s <= t1.Seconds()+1e-9; s += stepS {
		x := xOf(time.Duration(s * float64(time.Second)))
		p.Ticks = append(p.Ticks, tick{X: fx(x), Label: tickLabel(s, stepS), Y1: axisH, Y2: fullBottom,
			LabelY: 13, BottomY: p.H - 8, ShowLabel: true})
	}

	// lag chart
	p.Lag.Title = "total lag (records)"
	p.Lag.MidY = (p.Lag.Top + p.Lag.Bottom) / 2
	var lagPts []float64
	var lagTs []time.Duration
	maxLag := 0.0
	for _, e := range ev {
		if e.Source == SourceLag && e.Kind == KindSample {
			v, _ := e.Int("total")
			lagPts = append(lagPts, float64(v))
			lagTs = append(lagTs, e.T)
			maxLag = math.Max(maxLag, float64(v))
		}
	}
	if len(lagPts) == 0 {
		p.Lag.Empty = true
	} else {
		p.Lag.Max = strconv.FormatFloat(maxLag, 'f', 0, 64)
		p.Lag.Lines = []polyline{{Class: "lag-line", Label: "lag",
			Points: points(lagTs, lagPts, xOf, maxLag, p.Lag.Top, p.Lag.Bottom)}}
	}

	// throughput chart: per-second buckets with zeros filled in
	p.Thru.Title = "throughput (per second)"
	p.Thru.MidY = (p.Thru.Top + p.Thru.Bottom) / 2
	s0, s1 := secondOf(t0), secondOf(t1)
	n := int(s1-s0) + 1
	posts, ups := make([]float64, n), make([]float64, n)
	havePosts, haveUps := false, false
	for _, e := range ev {
		if e.Kind != KindProgress {
			continue
		}
		i := int(secondOf(e.T) - s0)
		if i < 0 || i >= n {
			continue
		}
		switch e.Source {
		case SourceProducer:
			v, _ := e.Int("acked")
			posts[i] += float64(v)
			havePosts = true
		case SourceVerifier:
			v, _ := e.Int("updates")
			ups[i] += float64(v)
			haveUps = true
		}
	}
	if !havePosts && !haveUps {
		p.Thru.Empty = true
	} else {
		ts := make([]time.Duration, n)
		maxT := 1.0
		for i := range ts {
			ts[i] = time.Duration(s0+int64(i))*time.Second + time.Second/2
			maxT = math.Max(maxT, math.Max(posts[i], ups[i]))
		}
		p.Thru.Max = strconv.FormatFloat(maxT, 'f', 0, 64) + "/s"
		if havePosts {
			p.Thru.Lines = append(p.Thru.Lines, polyline{Class: "posts-line", Label: "posts acked/s",
				Points: points(ts, posts, xOf, maxT, p.Thru.Top, p.Thru.Bottom)})
		}
		if haveUps {
			p.Thru.Lines = append(p.Thru.Lines, polyline{Class: "updates-line", Label: "feed updates seen/s",
				Points: points(ts, ups, xOf, maxT, p.Thru.Top, p.Thru.Bottom)})
		}
	}

	// legend (detailed lanes colour by partition)
	if !p.Compact {
		np := meta.Partitions
		for _, l := range ever {
			for q := range l {
				np = max(np, q+1)
			}
		}
		for q := int32(0); q < np && q < 64; q++ {
			p.Legend = append(p.Legend, legendItem{Label: "p" + strconv.Itoa(int(q)), Color: partColor(q)})
		}
	}

	// table of notable events
	for _, e := range ev {
		if e.Kind == KindProgress || e.Kind == KindSample || e.Kind == "committed" {
			continue
		}
		if len(p.Table) >= tableMaxRows {
			p.TableMore++
			continue
		}
		p.Table = append(p.Table, row{Class: e.Source + " " + e.Kind, T: FormatT(e.T), Source: e.Source,
			Kind: e.Kind, Worker: e.Worker, Text: e.Text})
	}
	return p
}

func verdictFromEvent(e Event) verdictView {
	v := verdictView{Check: e.Str("check"), VClass: e.Str("class"), Message: e.Str("message"), At: FormatT(e.T)}
	if m, ok := e.Duration("measured"); ok {
		b, _ := e.Duration("bound")
		v.Measured = fmt.Sprintf("measured %v, bound %v", m, b)
	}
	if ft, ok := e.Duration("first_t"); ok {
		v.FirstT = FormatT(ft)
	}
	return v
}

func points(ts []time.Duration, vs []float64, xOf func(time.Duration) float64, maxV float64, top, bottom int) string {
	var b strings.Builder
	b.Grow(len(vs) * 12)
	h := float64(bottom - top)
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(' ')
		}
		y := float64(bottom)
		if maxV > 0 {
			y -= v / maxV * h
		}
		b.WriteString(fx(xOf(ts[i])))
		b.WriteByte(',')
		b.WriteString(fx(y))
	}
	return b.String()
}

func tickLabel(s, step float64) string {
	if step < 60 || math.Mod(s, 60) != 0 {
		if math.Abs(s) >= 120 {
			m := int(s) / 60
			return fmt.Sprintf("%dm%02ds", m, int(math.Abs(s))%60)
		}
		return strconv.FormatFloat(s, 'f', -1, 64) + "s"
	}
	return fmt.Sprintf("%dm", int(s)/60)
}

// partColor spreads partitions around the hue circle (golden angle) and
// returns a hex colour (hex, not hsl(), so it is safe in any attribute).
func partColor(p int32) string {
	h := math.Mod(float64(p)*137.508, 360)
	l := 0.55
	if p%2 == 1 {
		l = 0.45
	}
	return hslHex(h, 0.65, l)
}

func hslHex(h, s, l float64) string {
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g, b = c, x, 0
	case h < 120:
		r, g, b = x, c, 0
	case h < 180:
		r, g, b = 0, c, x
	case h < 240:
		r, g, b = 0, x, c
	case h < 300:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	to := func(v float64) int { return int(math.Round((v + m) * 255)) }
	return fmt.Sprintf("#%02x%02x%02x", to(r), to(g), to(b))
}

var pageTmpl = template.Must(template.New("page").Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{if .Pass}}PASS{{else}}FAIL{{end}} {{.Title}} — timeline</title>
<style>
body{font:13px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:16px;color:#222;background:#fff}
h1{font-size:18px;margin:0 0 4px}
.meta{color:#666;margin-bottom:10px}
.verdict{border-left:6px solid #2a2;padding:6px 10px;margin:6px 0;background:#f3fbf3}
.verdict.fail{border-color:#d22;background:#fff1f1}
.verdict h2{font-size:14px;margin:0}
.verdict.fail h2{color:#b00}
.verdict pre{white-space:pre-wrap;margin:4px 0;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace}
.scroll{overflow-x:auto;border:1px solid #ddd;margin:10px 0}
svg text{font:10px ui-monospace,Menlo,Consolas,monospace;fill:#333}
.lane-bg{fill:#fafafa}.lane-bg.odd{fill:#f0f2f5}
.seg{stroke:#fff;stroke-width:.5}
.seg-label{fill:#fff;font-size:8px;pointer-events:none}
.fault-band rect{fill:#ff3b30;fill-opacity:.09;stroke:#ff3b30;stroke-opacity:.35;pointer-events:none}
.fault-band.unhealed rect{fill-opacity:.15;stroke-dasharray:4 2}
.fault-band text{fill:#b3261e;font-weight:bold;cursor:help}
.fault-bit{stroke:#b3261e;stroke-width:1;stroke-dasharray:1 2}
.rebalance{stroke:#6750a4;stroke-width:1.2;stroke-dasharray:3 2}
.rebalance-label{fill:#6750a4}
.marker{stroke:#fff;stroke-width:1}
.marker.lost{fill:#d00}.marker.revoked{fill:#f08c00}.marker.assigned{fill:#2b8a3e}
.marker.started,.marker.stopping,.marker.stopped{fill:#555}.marker.error{fill:#9c36b5}.marker.dead_letter{fill:#862e9c}
.fail-mark line{stroke:#d00;stroke-width:2}
.fail-mark text{fill:#d00;font-weight:bold}
.fail-mark:target line{stroke-width:5}
.grid{stroke:#e3e3e3}
.axis{stroke:#999}
.lag-line{fill:none;stroke:#c2410c;stroke-width:1.5}
.posts-line{fill:none;stroke:#1c7ed6;stroke-width:1.5}
.updates-line{fill:none;stroke:#2b8a3e;stroke-width:1.5}
#cursor{stroke:#000;stroke-opacity:.35;pointer-events:none}
#cursor-t{position:sticky;left:0;font:12px ui-monospace,monospace;color:#555;height:16px}
.legend span{display:inline-block;margin-right:6px;font:11px ui-monospace,monospace}
.legend i{display:inline-block;width:10px;height:10px;margin-right:2px;vertical-align:middle}
table.events{border-collapse:collapse;font:12px ui-monospace,Menlo,Consolas,monospace}
table.events td{padding:1px 8px 1px 0;vertical-align:top;white-space:nowrap}
table.events td.text{white-space:normal}
tr.fault td{color:#b3261e}tr.lost td{color:#d00}tr.fail td{color:#d00;font-weight:bold}tr.rebalance td{color:#6750a4}
</style>
</head>
<body>
<h1>{{if .Pass}}PASS{{else}}FAIL{{end}} · {{.Title}}</h1>
<div class="meta">suite {{.Suite}} · start {{.Start}} · duration {{.Duration}} · {{.Partitions}} partitions · {{.Workers}} workers{{if .Compact}} · compact lanes (hover a bar for its partitions){{end}}</div>
<section id="verdicts">
{{range .Verdicts}}<div class="{{.Class}}"{{if .ID}} id="{{.ID}}"{{end}}>
<h2>{{if eq .Class "verdict fail"}}✗ FAIL{{else}}✓ pass{{end}} {{.Check}}{{if .VClass}} [{{.VClass}}]{{end}}</h2>
{{if .Message}}<pre class="message">{{.Message}}</pre>{{end}}
<div>{{if .Measured}}{{.Measured}} · {{end}}{{if .FirstT}}first counter-example at {{if .Anchor}}<a href="{{.Anchor}}">{{.FirstT}}</a>{{else}}{{.FirstT}}{{end}} · {{end}}recorded at {{.At}}</div>
</div>
{{else}}<div class="meta">no verdicts recorded</div>
{{end}}</section>
{{if .Legend}}<div class="legend">{{range .Legend}}<span><i style="background:{{.Color}}"></i>{{.Label}}</span>{{end}}</div>{{end}}
<div class="scroll">
<div id="cursor-t">&nbsp;</div>
<svg id="tl" xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" data-t0="{{.T0}}" data-span="{{.Span}}" data-left="{{.Left}}" data-plotw="{{.PlotW}}">
<g class="ticks">{{range .Ticks}}<line class="grid" x1="{{.X}}" x2="{{.X}}" y1="{{.Y1}}" y2="{{.Y2}}"/><text x="{{.X}}" y="{{.LabelY}}" text-anchor="middle">{{.Label}}</text><text x="{{.X}}" y="{{.BottomY}}" text-anchor="middle">{{.Label}}</text>{{end}}</g>
<g class="lanes">{{range .Lanes}}
<g class="lane" id="{{.ID}}" data-worker="{{.Worker}}"><rect class="lane-bg{{if .Odd}} odd{{end}}" x="0" y="{{.Y}}" width="100%" height="{{.H}}"/><text x="4" y="{{.LabelY}}">{{.Worker}}</text>{{range .Segs}}<rect class="seg"{{if .Partition}} data-partition="{{.Partition}}"{{end}} x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}" fill-opacity="{{.Opacity}}"><title>{{.Title}}</title></rect>{{if .Label}}<text class="seg-label" x="{{.LX}}" y="{{.LY}}">{{.Label}}</text>{{end}}{{end}}{{range .Markers}}<circle class="{{.Class}}" cx="{{.CX}}" cy="{{.CY}}" r="3.5"><title>{{.Title}}</title></circle>{{end}}</g>{{end}}
</g>
<g class="faults">{{range .Bands}}<g class="{{.Class}}" id="{{.ID}}" data-fault="{{.Fault}}" data-target="{{.Target}}"><rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"/><text x="{{.LX}}" y="{{.LY}}">{{.Label}}</text><title>{{.Title}}</title></g>{{end}}{{range .Bits}}<line class="fault-bit" x1="{{.X}}" x2="{{.X}}" y1="{{.Y1}}" y2="{{.Y2}}"><title>{{.Title}}</title></line>{{end}}</g>
<g class="rebalances">{{range .Rebalances}}<line class="rebalance" data-generation="{{.Gen}}" x1="{{.X}}" x2="{{.X}}" y1="{{.Y1}}" y2="{{.Y2}}"><title>{{.Title}}</title></line>{{if .Label}}<text class="rebalance-label" x="{{.LX}}" y="{{.LY}}">{{.Label}}</text>{{end}}{{end}}</g>
<g class="lag-chart"><text x="4" y="{{.Lag.MidY}}">lag</text><line class="axis" x1="{{.Left}}" x2="{{.Left}}" y1="{{.Lag.Top}}" y2="{{.Lag.Bottom}}"/><line class="axis" x1="{{.Left}}" x2="100%" y1="{{.Lag.Bottom}}" y2="{{.Lag.Bottom}}"/><text x="{{.Left}}" y="{{.Lag.Top}}" dx="4" dy="-4">{{.Lag.Title}}{{if .Lag.Max}} · max {{.Lag.Max}}{{end}}{{if .Lag.Empty}} · no samples{{end}}</text>{{range .Lag.Lines}}<polyline class="{{.Class}}" points="{{.Points}}"><title>{{.Label}}</title></polyline>{{end}}</g>
<g class="throughput-chart"><text x="4" y="{{.Thru.MidY}}">throughput</text><line class="axis" x1="{{.Left}}" x2="{{.Left}}" y1="{{.Thru.Top}}" y2="{{.Thru.Bottom}}"/><line class="axis" x1="{{.Left}}" x2="100%" y1="{{.Thru.Bottom}}" y2="{{.Thru.Bottom}}"/><text x="{{.Left}}" y="{{.Thru.Top}}" dx="4" dy="-4">{{.Thru.Title}}{{if .Thru.Max}} · max {{.Thru.Max}}{{end}}{{if .Thru.Empty}} · no data{{end}}{{range .Thru.Lines}} · <tspan class="{{.Class}}-key">{{.Label}}</tspan>{{end}}</text>{{range .Thru.Lines}}<polyline class="{{.Class}}" points="{{.Points}}"><title>{{.Label}}</title></polyline>{{end}}</g>
<g class="fail-marks">{{range .FailMarks}}<g class="fail-mark" id="{{.ID}}"><line x1="{{.X}}" x2="{{.X}}" y1="{{.Y1}}" y2="{{.Y2}}"/><text x="{{.LX}}" y="{{.LY}}">{{.Label}}</text><title>{{.Title}}</title></g>{{end}}</g>
<line id="cursor" x1="-10" x2="-10" y1="0" y2="{{.H}}"/>
</svg>
</div>
<table class="events"><tbody>
{{range .Table}}<tr class="{{.Class}}"><td>{{.T}}</td><td>{{.Source}}</td><td>{{.Kind}}</td><td>{{.Worker}}</td><td class="text">{{.Text}}</td></tr>
{{end}}</tbody></table>
{{if .TableMore}}<p class="meta">… {{.TableMore}} more events: see timeline.txt / timeline.jsonl</p>{{end}}
<script>
(function(){var s=document.getElementById("tl"),c=document.getElementById("cursor"),o=document.getElementById("cursor-t"),d=s.dataset;
s.addEventListener("mousemove",function(e){var x=e.clientX-s.getBoundingClientRect().left,t=+d.t0+(x-d.left)/d.plotw*d.span;
c.setAttribute("x1",x);c.setAttribute("x2",x);o.textContent=x<d.left?"":(t<0?"-":"+")+Math.abs(t).toFixed(3)+"s";});})();
</script>
</body>
</html>
`
