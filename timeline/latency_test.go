package timeline

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// Two partitions over three seconds: p0's updates take 10 ms, p1's 30 ms,
// except in second 1, where p1's slowest take 900 ms.
func latencyHistory() history.History {
	h := history.History{Suite: "assignment", Spec: "latency", Start: t0, End: t0.Add(4 * time.Second), Partitions: 2}
	for i := 0; i < 300; i++ {
		ts := t0.Add(time.Duration(i) * 10 * time.Millisecond)
		for p := int32(0); p < 2; p++ {
			lat := 10 * time.Millisecond
			if p == 1 {
				lat = 30 * time.Millisecond
				if i >= 100 && i < 200 && i%10 == 0 {
					lat = 900 * time.Millisecond
				}
			}
			id := fmt.Sprintf("p%d-%d", p, i)
			h.Posts = append(h.Posts, history.PostAck{At: ts.Add(2 * time.Millisecond), PostID: id, Author: 1, Partition: p, Offset: int64(i), Timestamp: ts})
			u := history.UpdateSeen{At: ts.Add(lat + 5*time.Millisecond), PostID: id, Follower: 2, Worker: "w1", SourcePartition: p, SourceOffset: int64(i), Timestamp: ts.Add(lat)}
			h.Updates = append(h.Updates, u)
			if i == 0 { // a redelivered copy counts once, with its first timestamp
				u.Timestamp = ts.Add(5 * time.Second)
				h.Updates = append(h.Updates, u)
			}
		}
	}
	// an untimed post is left out
	h.Posts = append(h.Posts, history.PostAck{At: t0, PostID: "old", Author: 1, Partition: 0})
	return h
}

func TestLatencyEventsPerSecondAndPartition(t *testing.T) {
	m := NewModel(latencyHistory())
	var lat []Event
	for _, e := range m.Events {
		if e.Kind == KindLatency {
			lat = append(lat, e)
		}
	}
	if len(lat) != 3 {
		t.Fatalf("want one latency event per second, got %d", len(lat))
	}
	for i, want := range []int64{30, 900, 30} {
		e := lat[i]
		var per map[string]int64
		if !decodeField(e, "partitions", &per) || per["0"] != 10 || per["1"] != want {
			t.Errorf("second %d: %v", i, e.Fields)
		}
		if w, _ := e.Int("worst_partition"); w != 1 {
			t.Errorf("second %d: worst %v", i, e.Fields)
		}
	}
	if !strings.Contains(lat[1].Text, "worst p1 900 ms") {
		t.Errorf("text %q", lat[1].Text)
	}
}

func TestHTMLLatencyChartSurvivesJSONL(t *testing.T) {
	m := NewModel(latencyHistory())
	page := renderHTML(t, m)
	checkWellFormed(t, page)
	for _, hook := range []string{`class="latency-chart"`, `class="lat-part"`, "p1 (peak 900 ms at", "900 ms"} {
		if !strings.Contains(page, hook) {
			t.Errorf("page lacks %s", hook)
		}
	}
	if n := strings.Count(page, `<polyline class="lat-part"`); n != 2 {
		t.Errorf("%d latency lines, want 2", n)
	}
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, m.Meta, m.Events); err != nil {
		t.Fatal(err)
	}
	ev, meta, err := ReadJSONL(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if again := renderHTML(t, Model{Meta: meta, Events: ev}); again != page {
		t.Error("the latency chart differs after a JSONL round trip")
	}
	// A history without timestamps says so rather than draw nothing.
	empty := renderHTML(t, NewModel(history.History{Spec: "x", Start: t0, End: t0.Add(time.Second)}))
	if !strings.Contains(empty, "no timed updates") {
		t.Error("no 'no timed updates' on an untimed history")
	}
}
