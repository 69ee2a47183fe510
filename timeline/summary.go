package timeline

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Summary describes events for a terminal: span, counts per source and
// kind, workers, rebalances, faults (inject → heal), lag peak, and the
// verdicts with the failing ones spelled out.
func Summary(events []Event) string {
	var b strings.Builder
	if len(events) == 0 {
		return "no events\n"
	}
	counts := map[string]map[string]int{}
	workers := map[string]bool{}
	var first, last time.Duration = events[0].T, events[0].T
	var maxLag int64
	var maxLagT time.Duration
	var posts, updates, dead int64
	var fails, passes []Event
	var faults []Event
	for _, e := range events {
		first, last = min(first, e.T), max(last, e.T)
		if counts[e.Source] == nil {
			counts[e.Source] = map[string]int{}
		}
		counts[e.Source][e.Kind]++
		if e.Worker != "" && e.Source == SourceWorker {
			workers[e.Worker] = true
		}
		switch e.Source {
		case SourceLag:
			if v, _ := e.Int("total"); v > maxLag {
				maxLag, maxLagT = v, e.T
			}
		case SourceProducer:
			v, _ := e.Int("acked")
			posts += v
		case SourceVerifier:
			v, _ := e.Int("updates")
			updates += v
			d, _ := e.Int("dead_letters")
			dead += d
		case SourceFault:
			faults = append(faults, e)
		case SourceVerdict:
			if e.Kind == KindFail {
				fails = append(fails, e)
			} else {
				passes = append(passes, e)
			}
		}
	}
	fmt.Fprintf(&b, "span %s .. %s, %d events, %d workers\n", FormatT(first), FormatT(last), len(events), len(workers))
	srcs := make([]string, 0, len(counts))
	for s := range counts {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	for _, s := range srcs {
		kinds := make([]string, 0, len(counts[s]))
		total := 0
		for k, n := range counts[s] {
			kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
			total += n
		}
		sort.Strings(kinds)
		fmt.Fprintf(&b, "  %-9s %6d  %s\n", s, total, strings.Join(kinds, " "))
	}
	fmt.Fprintf(&b, "posts acked %d, feed updates seen %d, dead letters %d", posts, updates, dead)
	if maxLag > 0 {
		fmt.Fprintf(&b, ", peak lag %d at %s", maxLag, FormatT(maxLagT))
	}
	b.WriteByte('\n')
	if len(faults) > 0 {
		b.WriteString("faults:\n")
		for _, f := range faults {
			fmt.Fprintf(&b, "  %s %-6s %s\n", FormatT(f.T), f.Kind, describeFault(f))
		}
	}
	switch {
	case len(fails) == 0 && len(passes) == 0:
		b.WriteString("verdicts: none recorded\n")
	case len(fails) == 0:
		fmt.Fprintf(&b, "verdicts: PASS (%d checks)\n", len(passes))
	default:
		fmt.Fprintf(&b, "verdicts: FAIL (%d of %d checks failed)\n", len(fails), len(fails)+len(passes))
		for _, e := range fails {
			fmt.Fprintf(&b, "  FAIL %s", e.Str("check"))
			if c := e.Str("class"); c != "" {
				fmt.Fprintf(&b, " [%s]", c)
			}
			if ft, ok := e.Duration("first_t"); ok {
				fmt.Fprintf(&b, " first at %s", FormatT(ft))
			}
			fmt.Fprintf(&b, ": %s\n", firstLine(e.Str("message")))
		}
	}
	return b.String()
}

func describeFault(f Event) string {
	s := f.Str("fault")
	if t := f.Str("target"); t != "" {
		s += " → " + t
	}
	if d := f.Str("detail"); d != "" {
		s += " (" + d + ")"
	}
	if seed, ok := f.Int("seed"); ok {
		s += fmt.Sprintf(" seed=%d", seed)
	}
	return s
}
