package bench

import "testing"

func TestCommitStatsFromPrometheus(t *testing.T) {
	text := `# TYPE feedworker_commit_latency_seconds histogram
feedworker_commit_latency_seconds_bucket{le="0.25"} 90
feedworker_commit_latency_seconds_bucket{le="0.5"} 95
feedworker_commit_latency_seconds_bucket{le="1"} 97
feedworker_commit_latency_seconds_bucket{le="2.5"} 100
feedworker_commit_latency_seconds_bucket{le="+Inf"} 100
feedworker_commit_latency_seconds_sum 12.5
feedworker_commit_latency_seconds_count 100
feedworker_records_consumed_total 5000
`
	var s CommitStats
	s.AddPrometheus(text)
	s.AddPrometheus("garbage\n")
	if s.Workers != 2 || s.Measured != 1 || s.Commits != 100 || s.Over500 != 5 || s.Over1s != 3 || s.Over2500 != 0 {
		t.Fatalf("%+v", s)
	}
}

func TestProcStat(t *testing.T) {
	a, ok := ParseProcStat("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n")
	if !ok || a.Busy != 200 || a.Total != 1000 {
		t.Fatalf("%+v %v", a, ok)
	}
	b, _ := ParseProcStat("cpu  250 0 150 800 100 0 0 0 0 0\n")
	if got := BusyBetween(a, b); got != 200.0/300.0 {
		t.Fatalf("busy %v", got)
	}
	if _, ok := ParseProcStat("intr 1 2 3"); ok {
		t.Fatal("no cpu line: want !ok")
	}
}
