package bench

import (
	"bufio"
	"strconv"
	"strings"
)

// CommitStats aggregates the workers' commit latency histograms
// (feedworker_commit_latency_seconds): how many offset commits took longer
// than half a second, a second, two and a half seconds. A commit is
// synchronous in the worker's poll loop, so a slow one holds up every
// partition the worker owns.
//
// The histogram is optional in the worker contract (a worker on another
// client library may not time its commits): Measured counts the workers
// that exposed it, and the report says "not exposed" rather than zero
// commits when none did.
type CommitStats struct {
	Workers  int    `json:"workers"`
	Measured int    `json:"measured"` // workers whose /metrics had the histogram`
	Commits  uint64 `json:"commits"`
	Over500  uint64 `json:"over_500ms"`
	Over1s   uint64 `json:"over_1s"`
	Over2500 uint64 `json:"over_2500ms"`
}

// AddPrometheus adds one worker's /metrics text to s. Text without the
// histogram adds nothing but the worker count.
func (s *CommitStats) AddPrometheus(text string) {
	s.Workers++
	le := map[string]uint64{}
	var total uint64
	seen := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "feedworker_commit_latency_seconds_")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 {
			continue
		}
		n, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			continue
		}
		seen = true
		switch {
		case f[0] == "count":
			total = n
		case strings.HasPrefix(f[0], `bucket{le="`):
			le[strings.TrimSuffix(strings.TrimPrefix(f[0], `bucket{le="`), `"}`)] = n
		}
	}
	if seen {
		s.Measured++
	}
	s.Commits += total
	over := func(bound string) uint64 {
		if n, ok := le[bound]; ok && total >= n {
			return total - n
		}
		return 0
	}
	s.Over500 += over("0.5")
	s.Over1s += over("1")
	s.Over2500 += over("2.5")
}

// CPUTimes is the host's cumulative CPU time from /proc/stat's "cpu" line,
// in clock ticks.
type CPUTimes struct {
	Busy, Total uint64
}

// ParseProcStat reads the aggregate "cpu" line of /proc/stat: busy is
// everything but idle and iowait.
func ParseProcStat(text string) (CPUTimes, bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || f[0] != "cpu" {
			continue
		}
		var t CPUTimes
		for i, v := range f[1:] {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return CPUTimes{}, false
			}
			t.Total += n
			if i != 3 && i != 4 { // idle, iowait
				t.Busy += n
			}
		}
		return t, true
	}
	return CPUTimes{}, false
}

// BusyBetween is the fraction of all CPUs busy between two readings.
func BusyBetween(a, b CPUTimes) float64 {
	if b.Total <= a.Total {
		return 0
	}
	return float64(b.Busy-a.Busy) / float64(b.Total-a.Total)
}
