package timeline

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// TextOptions filters and shapes the plain-text timeline. The zero value
// prints every event.
type TextOptions struct {
	// Worker keeps events of that worker, group changes that involve it,
	// and faults without a worker target (context).
	Worker string
	// Partitions keeps events naming any of these partitions, and faults and
	// notes (context). Nil: all.
	Partitions []int32
	// From and To bound T (inclusive); zero means unbounded on that side.
	From, To time.Duration
	// Sources keeps only these sources (nil: all).
	Sources []string
	// NoHeader omits the verdict block at the top.
	NoHeader bool
}

// Filtering reports whether any filter is set.
func (o TextOptions) Filtering() bool {
	return o.Worker != "" || len(o.Partitions) > 0 || o.From != 0 || o.To != 0 || len(o.Sources) > 0
}

// Match reports whether e passes the filters of o.
func (o TextOptions) Match(e Event) bool {
	if o.From != 0 && e.T < o.From {
		return false
	}
	if o.To != 0 && e.T > o.To {
		return false
	}
	if len(o.Sources) > 0 && !slices.Contains(o.Sources, e.Source) {
		return false
	}
	context := e.Source == SourceNote || (e.Source == SourceFault && e.Worker == "")
	if o.Worker != "" && !context {
		if e.Worker != o.Worker && !(e.Source == SourceFault && e.Str("target") == o.Worker) {
			if e.Source != SourceGroup {
				return false
			}
			var ws []string
			decodeField(e, "changed", &ws)
			if !slices.Contains(ws, o.Worker) {
				return false
			}
		}
	}
	if len(o.Partitions) > 0 && !context && e.Source != SourceFault {
		hit := false
		for _, p := range e.Partitions {
			if slices.Contains(o.Partitions, p) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// Filter returns the events of events that match o.
func Filter(events []Event, o TextOptions) []Event {
	if !o.Filtering() {
		return events
	}
	var out []Event
	for _, e := range events {
		if o.Match(e) {
			out = append(out, e)
		}
	}
	return out
}

// WriteText writes the failing verdicts as a header block (unless
// o.NoHeader), then one aligned line per matching event: time since the
// start, source, kind, worker, text, as in
// "+  12.345s  fault     inject     w2        kill -9: SIGKILL (seed 42)".
func WriteText(w io.Writer, events []Event, o TextOptions) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if !o.NoHeader {
		writeVerdictBlock(bw, events)
	}
	sel := Filter(events, o)
	tw, kw, ww := 8, 10, 9
	for _, e := range sel {
		tw = max(tw, len(fmt.Sprintf("%.3f", absDur(e.T).Seconds())))
		kw = max(kw, len(e.Kind))
		ww = max(ww, len(e.Worker))
	}
	for _, e := range sel {
		sign := "+"
		if e.T < 0 {
			sign = "-"
		}
		fmt.Fprintf(bw, "%s%*.3fs  %-9s %-*s %-*s %s\n", sign, tw, absDur(e.T).Seconds(),
			e.Source, kw, e.Kind, ww, e.Worker, oneLine(e.Text))
	}
	return bw.Flush()
}

func writeVerdictBlock(w io.Writer, events []Event) {
	var fails, passes []Event
	for _, e := range events {
		if e.Source != SourceVerdict {
			continue
		}
		if e.Kind == KindFail {
			fails = append(fails, e)
		} else {
			passes = append(passes, e)
		}
	}
	if len(fails)+len(passes) == 0 {
		return
	}
	for _, e := range fails {
		fmt.Fprintf(w, "FAIL  %s", e.Str("check"))
		if c := e.Str("class"); c != "" {
			fmt.Fprintf(w, " [%s]", c)
		}
		if ft, ok := e.Duration("first_t"); ok {
			fmt.Fprintf(w, "  first at %s", FormatT(ft))
		}
		if m, ok := e.Duration("measured"); ok {
			b, _ := e.Duration("bound")
			fmt.Fprintf(w, "  measured %v, bound %v", m, b)
		}
		fmt.Fprintln(w)
		for _, l := range strings.Split(strings.TrimRight(e.Str("message"), "\n"), "\n") {
			fmt.Fprintf(w, "      %s\n", l)
		}
	}
	if len(passes) > 0 {
		names := make([]string, len(passes))
		for i, e := range passes {
			names[i] = e.Str("check")
		}
		fmt.Fprintf(w, "PASS  %s\n", strings.Join(names, ", "))
	}
	fmt.Fprintln(w, strings.Repeat("-", 72))
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ⏎ ", "\n", " ⏎ ", "\r", " ").Replace(s)
}
