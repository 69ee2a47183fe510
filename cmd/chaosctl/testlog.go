package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// testLog reads `go test -json` from r, copies it to out, and prints to w
// what a person wants while unit tests run: one line per package, and the
// full output of every failing test.
func testLog(r io.Reader, out io.Writer, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	outputs := map[string]*strings.Builder{}
	for sc.Scan() {
		line := sc.Bytes()
		out.Write(line)
		out.Write([]byte{'\n'})
		var ev struct {
			Action  string
			Package string
			Test    string
			Output  string
			Elapsed float64
		}
		if json.Unmarshal(line, &ev) != nil {
			fmt.Fprintln(w, string(line))
			continue
		}
		key := ev.Package + " " + ev.Test
		switch ev.Action {
		case "output":
			b := outputs[key]
			if b == nil {
				b = &strings.Builder{}
				outputs[key] = b
			}
			if b.Len() < 64<<10 {
				b.WriteString(ev.Output)
			}
		case "skip":
			if ev.Test == "" {
				fmt.Fprintf(w, "--    %-60s (no tests)\n", ev.Package)
			}
			delete(outputs, key)
		case "pass":
			if ev.Test == "" {
				fmt.Fprintf(w, "ok    %-60s %s\n", ev.Package, time.Duration(ev.Elapsed*float64(time.Second)).Round(time.Millisecond))
			}
			delete(outputs, key)
		case "fail":
			if ev.Test == "" {
				fmt.Fprintf(w, "FAIL  %-60s %s\n", ev.Package, time.Duration(ev.Elapsed*float64(time.Second)).Round(time.Millisecond))
				if b := outputs[key]; b != nil {
					fmt.Fprint(w, indent(b.String()))
				}
			} else if b := outputs[key]; b != nil {
				fmt.Fprintf(w, "--- FAIL: %s %s\n%s", ev.Package, ev.Test, indent(b.String()))
			}
			delete(outputs, key)
		}
	}
	return sc.Err()
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("      " + l + "\n")
	}
	return b.String()
}

func runTestLog(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: chaosctl testlog OUT.json < go-test-json")
	}
	f, err := os.Create(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	return testLog(os.Stdin, f, os.Stdout)
}
