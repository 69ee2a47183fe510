package timeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// FormatVersion is the version of the JSONL layout written in the header.
const FormatVersion = 1

// Meta is the header line of a timeline.jsonl: enough, with the events, to
// re-render the text and HTML timelines without the history.
type Meta struct {
	Source     string        `json:"source"` // always "meta"
	Version    int           `json:"version"`
	Suite      string        `json:"suite"`
	Spec       string        `json:"spec"`
	Start      time.Time     `json:"start"`
	End        time.Time     `json:"end"`
	Duration   time.Duration `json:"duration"` // End - Start, ns
	Partitions int32         `json:"partitions"`
	Workers    []string      `json:"workers,omitempty"`
	Events     int           `json:"events"`
	Pass       bool          `json:"pass"`              // no verdict failed
	Failing    []Event       `json:"failing,omitempty"` // the failing verdict events, in order
}

// MetaFor builds the header for events converted from h.
func MetaFor(h history.History, events []Event) Meta {
	m := Meta{Source: SourceMeta, Version: FormatVersion, Suite: h.Suite, Spec: h.Spec,
		Start: h.Start, End: h.End, Partitions: h.Partitions, Events: len(events)}
	if !h.End.IsZero() {
		m.Duration = h.End.Sub(h.Start)
	}
	m.Workers = workersOf(events)
	m.Failing = failing(events)
	m.Pass = len(m.Failing) == 0
	return m
}

// failing returns the failing verdict events of events.
func failing(events []Event) []Event {
	var out []Event
	for _, e := range events {
		if e.Source == SourceVerdict && e.Kind == KindFail {
			out = append(out, e)
		}
	}
	return out
}

// workersOf returns every worker named by an event, naturally sorted.
func workersOf(events []Event) []string {
	seen := map[string]bool{}
	for _, e := range events {
		if e.Source == SourceWorker && e.Worker != "" {
			seen[e.Worker] = true
		}
		if e.Source == SourceGroup {
			if a, ok := e.Assignment(); ok {
				for w := range a {
					seen[w] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for w := range seen {
		out = append(out, w)
	}
	sortNatural(out)
	return out
}

// WriteJSONL writes meta as the first line (Source forced to "meta") and then
// one event per line.
func WriteJSONL(w io.Writer, meta Meta, events []Event) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	meta.Source = SourceMeta
	if meta.Version == 0 {
		meta.Version = FormatVersion
	}
	meta.Events = len(events)
	if err := enc.Encode(meta); err != nil {
		return fmt.Errorf("timeline: write header: %w", err)
	}
	for i := range events {
		if err := enc.Encode(&events[i]); err != nil {
			return fmt.Errorf("timeline: write event %d: %w", i, err)
		}
	}
	return bw.Flush()
}

// ReadJSONL reads what WriteJSONL wrote. Errors name the 1-based line.
// Blank lines are skipped. Events are returned in file order.
func ReadJSONL(r io.Reader) ([]Event, Meta, error) {
	var meta Meta
	var events []Event
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	line, haveMeta := 0, false
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if !haveMeta {
			if err := json.Unmarshal(b, &meta); err != nil {
				return nil, meta, fmt.Errorf("line %d: header: %w", line, err)
			}
			if meta.Source != SourceMeta {
				return nil, meta, fmt.Errorf("line %d: first line is not a timeline header (source %q, want %q)", line, meta.Source, SourceMeta)
			}
			if meta.Version > FormatVersion {
				return nil, meta, fmt.Errorf("line %d: timeline format version %d is newer than this reader (%d)", line, meta.Version, FormatVersion)
			}
			haveMeta = true
			continue
		}
		var e Event
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, meta, fmt.Errorf("line %d: %w", line, err)
		}
		if e.Source == "" {
			return nil, meta, fmt.Errorf("line %d: event has no source", line)
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		return nil, meta, fmt.Errorf("line %d: %w", line+1, err)
	}
	if !haveMeta {
		return nil, meta, errors.New("empty timeline: no header line")
	}
	return events, meta, nil
}
