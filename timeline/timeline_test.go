package timeline

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestFromHistoryOrderAndSnapshotDedup(t *testing.T) {
	h := crashHistory(false)
	ev := FromHistory(h)
	if !sort.SliceIsSorted(ev, func(i, j int) bool { return ev[i].T < ev[j].T }) {
		t.Fatal("events not sorted by T")
	}
	var group []string
	counts := map[string]int{}
	for _, e := range ev {
		counts[e.Source]++
		if e.Source == SourceGroup {
			g, _ := e.Int("generation")
			group = append(group, e.Kind+"/"+e.Str("state")+"/"+string(rune('0'+g)))
		}
	}
	// 121 polls collapse to: first state, the observer error, the
	// rebalance starting (PreparingRebalance), generation 2 (the end of that
	// rebalance: no second marker), generation 3 (its start unseen).
	want := []string{"snapshot/Stable/1", "error//0", "rebalance/PreparingRebalance/1", "snapshot/Stable/2", "rebalance/Stable/3"}
	if strings.Join(group, " ") != strings.Join(want, " ") {
		t.Fatalf("group events = %v, want %v", group, want)
	}
	if counts[SourceLag] > 31 {
		t.Errorf("%d lag events for 30s, want at most one per second", counts[SourceLag])
	}
	if counts[SourceProducer] != 30 || counts[SourceVerifier] > 31 {
		t.Errorf("producer %d / verifier %d progress events, want one per second", counts[SourceProducer], counts[SourceVerifier])
	}
	if len(ev) > 300 {
		t.Errorf("%d events for %d posts and %d updates: records are not aggregated", len(ev), len(h.Posts), len(h.Updates))
	}
	var total int64
	for _, e := range ev {
		if e.Source == SourceProducer {
			n, _ := e.Int("acked")
			total += n
		}
	}
	if total != int64(len(h.Posts)) {
		t.Errorf("progress events count %d posts, history has %d", total, len(h.Posts))
	}

	// The reassignment event says who got what.
	for _, e := range ev {
		if e.Kind == KindRebalance {
			if g, _ := e.Int("generation"); g == 2 {
				if e.T != 17*time.Second || !strings.Contains(e.Text, "left w2") || !strings.Contains(e.Text, "w1 +[4 5]") {
					t.Errorf("gen 2 event: T=%v text=%q", e.T, e.Text)
				}
				if got := fmtParts(e.Partitions); got != "[4-7]" {
					t.Errorf("moved partitions %s, want [4-7]", got)
				}
			}
		}
	}
	// Lag spike is visible and recovers.
	var peak, last int64
	for _, e := range ev {
		if e.Source == SourceLag {
			v, _ := e.Int("total")
			peak = max(peak, v)
			last = v
		}
	}
	if peak < 2000 || last > 100 {
		t.Errorf("lag peak %d, last %d: want a spike and a recovery", peak, last)
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	m := NewModel(crashHistory(true))
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, m.Meta, m.Events); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(buf.String(), "\n")
	if !strings.Contains(first, `"source":"meta"`) || !strings.Contains(first, `"spec":"a worker killed`) || !strings.Contains(first, `"failing":[`) {
		t.Fatalf("header line: %s", first)
	}
	ev, meta, err := ReadJSONL(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if meta.Spec != m.Meta.Spec || !meta.Start.Equal(m.Meta.Start) || meta.Partitions != 12 || len(meta.Failing) != 2 || meta.Pass {
		t.Fatalf("meta = %+v", meta)
	}
	if strings.Join(meta.Workers, ",") != "w1,w2,w3" {
		t.Errorf("workers %v", meta.Workers)
	}
	if len(ev) != len(m.Events) {
		t.Fatalf("%d events read, %d written", len(ev), len(m.Events))
	}
	for i := range ev {
		a, _ := json.Marshal(m.Events[i])
		b, _ := json.Marshal(ev[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("event %d differs:\n%s\n%s", i, a, b)
		}
	}
	// Everything the renderers need survives: same text, same HTML.
	var t1, t2, h1, h2 bytes.Buffer
	WriteText(&t1, m.Events, TextOptions{})
	WriteText(&t2, ev, TextOptions{})
	if t1.String() != t2.String() {
		t.Error("text differs after a JSONL round trip")
	}
	WriteHTML(&h1, m)
	WriteHTML(&h2, Model{Meta: meta, Events: ev})
	if h1.String() != h2.String() {
		t.Error("HTML differs after a JSONL round trip")
	}
}

func TestReadJSONLErrors(t *testing.T) {
	m := NewModel(crashHistory(false))
	var buf bytes.Buffer
	WriteJSONL(&buf, m.Meta, m.Events)
	lines := strings.Split(buf.String(), "\n")
	bad := strings.Join(append(append([]string{}, lines[:2]...), append([]string{`{"t": 1, "source": `}, lines[2:]...)...), "\n")
	_, _, err := ReadJSONL(strings.NewReader(bad))
	if err == nil || !strings.HasPrefix(err.Error(), "line 3:") {
		t.Errorf("malformed line 3: err = %v", err)
	}
	_, _, err = ReadJSONL(strings.NewReader(strings.Join(lines[1:], "\n")))
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("missing header: err = %v", err)
	}
	if _, _, err = ReadJSONL(strings.NewReader("")); err == nil {
		t.Error("empty input: no error")
	}
}

var lineRE = regexp.MustCompile(`^[+-] *\d+\.\d{3}s  \S`)

func TestTextAlignmentAndFilters(t *testing.T) {
	ev := FromHistory(crashHistory(true))
	var buf bytes.Buffer
	if err := WriteText(&buf, ev, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "FAIL  no-lost-updates [lost]  first at +10.200s") {
		t.Fatalf("header block does not start with the failing verdict:\n%s", out[:min(400, len(out))])
	}
	head, body, ok := strings.Cut(out, strings.Repeat("-", 72)+"\n")
	if !ok || !strings.Contains(head, "post p-1234 -> follower 17") || !strings.Contains(head, "PASS  reassignment") {
		t.Fatalf("header block:\n%s", head)
	}
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	if len(lines) != len(ev) {
		t.Fatalf("%d lines for %d events", len(lines), len(ev))
	}
	// columns: time, source, kind, worker, text all start at the same offset
	col := func(l string, n int) int { // start of the n-th column after the time
		i := strings.Index(l, "s  ") + 3
		return i + []int{0, 10, 10 + 11, 10 + 11 + 10}[n]
	}
	for _, l := range lines {
		if !lineRE.MatchString(l) {
			t.Fatalf("malformed line %q", l)
		}
	}
	w := len(lines[0][:strings.Index(lines[0], "s  ")])
	for _, l := range lines {
		if len(l[:strings.Index(l, "s  ")]) != w {
			t.Fatalf("time column not aligned: %q", l)
		}
		if l[col(l, 1)-1] != ' ' || l[col(l, 2)-1] != ' ' || l[col(l, 3)-1] != ' ' {
			t.Fatalf("columns not aligned: %q", l)
		}
	}
	want := "+  10.000s  fault     inject     w2        kill -9: SIGKILL to the worker container (seed 42)"
	if !strings.Contains(body, want+"\n") {
		t.Errorf("missing line %q in\n%s", want, body)
	}

	// worker filter
	buf.Reset()
	WriteText(&buf, ev, TextOptions{Worker: "w2", NoHeader: true})
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		rest := l[strings.Index(l, "s  ")+3:]
		src := strings.TrimSpace(rest[:10])
		if src == SourceNote || src == SourceFault || src == SourceGroup {
			continue
		}
		if strings.TrimSpace(rest[21:31]) != "w2" {
			t.Errorf("-worker w2 kept %q", l)
		}
	}
	if !strings.Contains(buf.String(), "left w2") {
		t.Error("-worker w2 dropped the group change where w2 left")
	}
	// partition filter
	buf.Reset()
	WriteText(&buf, ev, TextOptions{Partitions: []int32{5}, NoHeader: true})
	got := buf.String()
	if !strings.Contains(got, "assigned   w1        assigned [4 5]") || strings.Contains(got, "assigned [0-3]") {
		t.Errorf("-partition 5:\n%s", got)
	}
	// time window
	buf.Reset()
	WriteText(&buf, ev, TextOptions{From: 9 * time.Second, To: 18 * time.Second, NoHeader: true})
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var s float64
		if _, err := fmtSscan(l, &s); err != nil || s < 9 || s > 18 {
			t.Errorf("window 9s-18s kept %q", l)
		}
		n++
	}
	if n == 0 {
		t.Error("window 9s-18s is empty")
	}
}

func fmtSscan(l string, s *float64) (int, error) {
	f := strings.TrimSuffix(strings.Fields(strings.TrimPrefix(l, "+"))[0], "s")
	return 1, json.Unmarshal([]byte(f), s)
}

func renderHTML(t testing.TB, m Model) string {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// checkWellFormed checks the page has one inline SVG that is well-formed
// XML, no external resources, and nothing html/template refused.
func checkWellFormed(t testing.TB, page string) {
	t.Helper()
	if strings.Count(page, "<svg") != strings.Count(page, "</svg>") {
		t.Fatal("unbalanced <svg> tags")
	}
	for _, bad := range []string{"<script src", "src=", `href="http`, "url(", "@import", "ZgotmplZ", "<link"} {
		if strings.Contains(page, bad) {
			t.Fatalf("page contains %q", bad)
		}
	}
	i, j := strings.Index(page, "<svg"), strings.LastIndex(page, "</svg>")
	if i < 0 || j < i {
		t.Fatal("no inline svg")
	}
	d := xml.NewDecoder(strings.NewReader(page[i : j+len("</svg>")]))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("svg is not well-formed: %v", err)
		}
	}
	for _, tag := range []string{"html", "body", "table", "section", "script", "style"} {
		if o, c := strings.Count(page, "<"+tag), strings.Count(page, "</"+tag+">"); o != c {
			t.Fatalf("<%s> opened %d times, closed %d times", tag, o, c)
		}
	}
}

func TestHTMLPassing(t *testing.T) {
	page := renderHTML(t, NewModel(crashHistory(false)))
	checkWellFormed(t, page)
	if n := strings.Count(page, `class="lane"`); n != 3 {
		t.Errorf("%d lanes, want 3", n)
	}
	for _, w := range []string{"w1", "w2", "w3"} {
		if !strings.Contains(page, `data-worker="`+w+`"`) {
			t.Errorf("no lane for %s", w)
		}
	}
	for _, hook := range []string{`class="fault-band"`, `data-fault="kill -9"`, `data-target="w2"`, `class="fault-bit"`,
		`class="lag-chart"`, `class="throughput-chart"`, `class="lag-line"`, `class="posts-line"`, `class="updates-line"`,
		`class="marker lost"`, `class="marker revoked"`, `class="marker assigned"`, `data-partition="5"`, ">p5<"} {
		if !strings.Contains(page, hook) {
			t.Errorf("page lacks %s", hook)
		}
	}
	if n := strings.Count(page, `class="rebalance"`); n != 2 {
		t.Errorf("%d rebalance markers, want 2 (generations 2 and 3)", n)
	}
	if strings.Contains(page, `id="verdict-failing"`) {
		t.Error("verdict-failing on a passing history")
	}
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(1)") {
		t.Error("note text not escaped")
	}
	// w1 holds p4 from the reassignment until gen 3.
	if !strings.Contains(page, "w1 holds p4 from &#43;17.000s to &#43;23.000s") {
		t.Error("ownership interval of w1/p4 missing")
	}
}

func TestHTMLFailing(t *testing.T) {
	page := renderHTML(t, NewModel(crashHistory(true)))
	checkWellFormed(t, page)
	i := strings.Index(page, `id="verdict-failing"`)
	if i < 0 {
		t.Fatal(`no id="verdict-failing"`)
	}
	if strings.Count(page, `id="verdict-failing"`) != 1 {
		t.Error("verdict-failing is not unique")
	}
	// failing first, with the counter-example, before any passing verdict
	if p := strings.Index(page, `class="verdict pass"`); p >= 0 && p < i {
		t.Error("a passing verdict is shown before the failing one")
	}
	for _, want := range []string{"no-lost-updates", "[lost]", "post p-1234 -&gt; follower 17: source p5@312", "&lt;gone&gt;",
		"single-owner", "[owned-twice]", "partition 6 owned by w2 and w3",
		`href="#fail-at-0"`, `id="fail-at-0"`, `href="#fail-at-1"`, `id="fail-at-1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if !strings.Contains(page, "<title>FAIL ") {
		t.Error("page title does not say FAIL")
	}
}

func TestHTMLCompactLanes(t *testing.T) {
	h := bigHistory()
	h.End = at(120)
	// keep two minutes to stay quick
	cut := func(ts time.Time) bool { return ts.Before(at(120)) }
	snaps := h.Snapshots[:0]
	for _, s := range h.Snapshots {
		if cut(s.At) {
			snaps = append(snaps, s)
		}
	}
	h.Snapshots = snaps
	h.Posts, h.Updates, h.Lag = h.Posts[:1000], h.Updates[:5000], h.Lag[:240]
	page := renderHTML(t, NewModel(h))
	checkWellFormed(t, page)
	if n := strings.Count(page, `class="lane"`); n != 100 {
		t.Errorf("%d lanes, want 100", n)
	}
	if !strings.Contains(page, "compact lanes") || !strings.Contains(page, "w1 holds 2 partition(s) [0 100] from") {
		t.Error("compact lanes do not carry the partitions in a title")
	}
}

func TestWriteArtifacts(t *testing.T) {
	root := t.TempDir()
	h := crashHistory(true)
	dir := Dir(root, h.Suite, h.Spec)
	if want := filepath.Join(root, "crash", "a-worker-killed-with-sigkill-reassigns-its-partitions"); dir != want {
		t.Fatalf("Dir = %s, want %s", dir, want)
	}
	p, err := Write(dir, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{p.JSONL, p.Text, p.HTML} {
		st, err := os.Stat(f)
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if filepath.Base(p.HTML) != "timeline.html" || filepath.Dir(p.HTML) != dir {
		t.Errorf("paths %+v", p)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 {
		t.Errorf("%d files in %s, want 3 (no temp files left)", len(ents), dir)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Crash Suite":                    "crash-suite",
		"  ../../etc/passwd ":            "etc-passwd",
		"kill -9 w2 → reassign (≤15s)!!": "kill-9-w2-reassign-15s",
		"":                               "unnamed",
		"日本":                             "unnamed",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	long1 := strings.Repeat("a worker killed ", 10) + "one"
	long2 := strings.Repeat("a worker killed ", 10) + "two"
	s1, s2 := Slug(long1), Slug(long2)
	if len(s1) > SlugMax+9 || s1 == s2 || !regexp.MustCompile(`^[a-z0-9-]+-[0-9a-f]{8}$`).MatchString(s1) {
		t.Errorf("long slugs %q %q", s1, s2)
	}
}

func TestSummary(t *testing.T) {
	s := Summary(FromHistory(crashHistory(true)))
	for _, want := range []string{"faults:", "+10.000s inject kill -9 → w2", "heal", "verdicts: FAIL (2 of 3 checks failed)",
		"FAIL no-lost-updates [lost] first at +10.200s: 2 feed updates lost", "peak lag", "group", "rebalance=2"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

// TestLargeHistoryHTML: 100 workers × 120 partitions × 10 minutes renders in
// under 5 s into under 20 MB.
func TestLargeHistoryHTML(t *testing.T) {
	if testing.Short() {
		t.Skip("large history")
	}
	h := bigHistory()
	start := time.Now()
	m := NewModel(h)
	conv := time.Since(start)
	var buf bytes.Buffer
	start = time.Now()
	if err := WriteHTML(&buf, m); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	var jl bytes.Buffer
	WriteJSONL(&jl, m.Meta, m.Events)
	t.Logf("100 workers × 120 partitions × 10 min: %d snapshots, %d updates -> %d events (FromHistory %v); WriteHTML %v, %.2f MB HTML; JSONL %.2f MB",
		len(h.Snapshots), len(h.Updates), len(m.Events), conv.Round(time.Millisecond), took.Round(time.Millisecond),
		float64(buf.Len())/1e6, float64(jl.Len())/1e6)
	if took > 5*time.Second {
		t.Errorf("WriteHTML took %v, want < 5s", took)
	}
	if buf.Len() > 20<<20 {
		t.Errorf("HTML is %d bytes, want < 20 MB", buf.Len())
	}
	checkWellFormed(t, buf.String())
	start = time.Now()
	p, err := Write(t.TempDir(), h)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, f := range []string{p.JSONL, p.Text, p.HTML} {
		st, _ := os.Stat(f)
		total += st.Size()
	}
	t.Logf("timeline.Write (convert, JSONL, text, HTML, to disk): %v, %.2f MB in all", time.Since(start).Round(time.Millisecond), float64(total)/1e6)
	if n := strings.Count(buf.String(), `class="lane"`); n != 100 {
		t.Errorf("%d lanes, want 100", n)
	}
}

func BenchmarkWriteHTML(b *testing.B) {
	m := NewModel(bigHistory())
	var buf bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := WriteHTML(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1e6, "MB")
}

func BenchmarkFromHistory(b *testing.B) {
	h := bigHistory()
	b.ResetTimer()
	for b.Loop() {
		FromHistory(h)
	}
}
