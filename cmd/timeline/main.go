// Command timeline prints, filters and re-renders the timeline a chaos spec
// left behind.
//
//	go run ./cmd/timeline [flags] <timeline.jsonl | artifacts dir>
//
// Given a file it prints the summary and the text timeline (filtered by
// -worker, -partition, -from, -to, -source). -html writes the HTML page
// rendered from the JSONL alone; -open prints the path of an HTML page for
// the timeline (it never launches a browser). Given a directory it lists
// every timeline.jsonl below it with PASS/FAIL, or shows the timeline if
// there is exactly one.
//
//	go run ./cmd/timeline -run-summary [reports/ | <run>-summary.json ...]
//
// prints the run summaries the chaos suite writes as one table:
// per spec, the result, the fault, measured against bound, and the
// timeline of each failure (what `make chaos` prints at its end).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/timeline"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type options struct {
	worker      string
	partition   int
	from, to    durationFlag
	sources     string
	htmlOut     string
	open        bool
	summaryOnly bool
	runSummary  bool
}

// durationFlag accepts a Go duration ("10s", "1m30s") or plain seconds ("10", "2.5").
type durationFlag struct{ d time.Duration }

func (f *durationFlag) String() string { return f.d.String() }

func (f *durationFlag) Set(s string) error {
	if d, err := time.ParseDuration(s); err == nil {
		f.d = d
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a duration: %q (want e.g. 10s or 1m30s)", s)
	}
	f.d = time.Duration(v * float64(time.Second))
	return nil
}

func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fl := flag.NewFlagSet("timeline", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&o.worker, "worker", "", "only events of this worker (faults and notes stay as context)")
	fl.IntVar(&o.partition, "partition", -1, "only events naming this partition (faults and notes stay as context)")
	fl.Var(&o.from, "from", "only events at or after this offset from the start (e.g. 10s)")
	fl.Var(&o.to, "to", "only events at or before this offset from the start (e.g. 30s)")
	fl.StringVar(&o.sources, "source", "", "only these sources, comma-separated (fault,worker,group,lag,producer,verifier,verdict,note)")
	fl.StringVar(&o.htmlOut, "html", "", "write the HTML timeline rendered from the JSONL to this file")
	fl.BoolVar(&o.open, "open", false, "print the path of an HTML page for the timeline (written to a temp file if none exists)")
	fl.BoolVar(&o.summaryOnly, "summary", false, "print the summary only")
	fl.BoolVar(&o.runSummary, "run-summary", false, "print the runs' *-summary.json (in the given dirs or files; default reports/) into one table")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: timeline [flags] <timeline.jsonl | artifacts dir>")
		fmt.Fprintln(stderr, "       timeline -run-summary [reports dir | <run>-summary.json ...]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if o.runSummary {
		in := fl.Args()
		if len(in) == 0 {
			in = []string{"reports"}
		}
		return runSummary(in, stdout, stderr)
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return 2
	}
	path := fl.Arg(0)
	st, err := os.Stat(path)
	if err != nil {
		fmt.Fprintf(stderr, "timeline: %v\n", err)
		return 1
	}
	if st.IsDir() {
		files, err := findTimelines(path)
		if err != nil {
			fmt.Fprintf(stderr, "timeline: %v\n", err)
			return 1
		}
		switch len(files) {
		case 0:
			fmt.Fprintf(stderr, "timeline: no %s below %s\n", timeline.JSONLName, path)
			return 1
		case 1:
			path = files[0]
		default:
			return list(stdout, stderr, path, files)
		}
	}
	if err := show(stdout, path, o); err != nil {
		fmt.Fprintf(stderr, "timeline: %v\n", err)
		return 1
	}
	return 0
}

func show(w io.Writer, path string, o options) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	events, meta, err := timeline.ReadJSONL(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].T < events[j].T })

	status := "PASS"
	if len(meta.Failing) > 0 {
		status = "FAIL"
	}
	fmt.Fprintf(w, "%s  %s / %s  (%s)\n", status, meta.Suite, meta.Spec, path)
	fmt.Fprint(w, timeline.Summary(events))

	if !o.summaryOnly {
		opts := timeline.TextOptions{Worker: o.worker, From: o.from.d, To: o.to.d}
		if o.partition >= 0 {
			opts.Partitions = []int32{int32(o.partition)}
		}
		if o.sources != "" {
			for _, s := range strings.Split(o.sources, ",") {
				if s = strings.TrimSpace(s); s != "" {
					opts.Sources = append(opts.Sources, s)
				}
			}
		}
		fmt.Fprintln(w)
		if err := timeline.WriteText(w, events, opts); err != nil {
			return err
		}
	}

	htmlPath := o.htmlOut
	if htmlPath != "" {
		if err := writeHTML(htmlPath, timeline.Model{Meta: meta, Events: events}); err != nil {
			return err
		}
	}
	if o.open {
		if htmlPath == "" {
			sib := filepath.Join(filepath.Dir(path), timeline.HTMLName)
			if _, err := os.Stat(sib); err == nil {
				htmlPath = sib
			} else {
				htmlPath = filepath.Join(os.TempDir(), "timeline-"+timeline.Slug(meta.Suite+"-"+meta.Spec)+".html")
				if err := writeHTML(htmlPath, timeline.Model{Meta: meta, Events: events}); err != nil {
					return err
				}
			}
		}
		if abs, err := filepath.Abs(htmlPath); err == nil {
			htmlPath = abs
		}
		fmt.Fprintf(w, "html: %s\n", htmlPath)
	}
	return nil
}

func writeHTML(path string, m timeline.Model) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := timeline.WriteHTML(f, m); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func findTimelines(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == timeline.JSONLName {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// list prints one line per timeline: status, suite/spec, failing checks, path.
func list(w, stderr io.Writer, root string, files []string) int {
	code := 0
	nfail := 0
	for _, p := range files {
		meta, err := readHeader(p)
		rel, rerr := filepath.Rel(root, p)
		if rerr != nil {
			rel = p
		}
		if err != nil {
			fmt.Fprintf(stderr, "timeline: %s: %v\n", p, err)
			fmt.Fprintf(w, "ERROR %s\n", rel)
			code = 1
			continue
		}
		status, why := "PASS", ""
		if len(meta.Failing) > 0 {
			status = "FAIL"
			nfail++
			var checks []string
			for _, e := range meta.Failing {
				c := e.Str("check")
				if cl := e.Str("class"); cl != "" {
					c += " [" + cl + "]"
				}
				checks = append(checks, c)
			}
			why = "  " + strings.Join(checks, ", ")
		}
		fmt.Fprintf(w, "%s  %s / %s%s\n      %s\n", status, meta.Suite, meta.Spec, why, rel)
	}
	fmt.Fprintf(w, "%d timelines, %d failing\n", len(files), nfail)
	return code
}

func readHeader(path string) (timeline.Meta, error) {
	var m timeline.Meta
	f, err := os.Open(path)
	if err != nil {
		return m, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	line, err := r.ReadBytes('\n')
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		if errors.Is(err, io.EOF) {
			return m, errors.New("empty timeline: no header line")
		}
		return m, err
	}
	if err := json.Unmarshal(line, &m); err != nil {
		return m, fmt.Errorf("line 1: header: %w", err)
	}
	if m.Source != timeline.SourceMeta {
		return m, fmt.Errorf("line 1: not a timeline header (source %q)", m.Source)
	}
	return m, nil
}
