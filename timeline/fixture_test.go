package timeline

import (
	"fmt"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func span(a, b int32) []int32 {
	var out []int32
	for p := a; p <= b; p++ {
		out = append(out, p)
	}
	return out
}

// crashHistory is a recorded 3-worker, 12-partition spec: w2 is killed at
// +10s, its partitions go to w1 and w3 at +17s (generation 2), w2 comes back
// at +22s and gets them back at +23s (generation 3). Lag on p4-p7 climbs
// while nobody consumes them and recovers after the reassignment.
// With fail set, two checkers fail: a lost update and a partition owned
// twice.
func crashHistory(fail bool) history.History {
	h := history.History{Suite: "crash", Spec: "a worker killed with SIGKILL reassigns its partitions",
		Start: t0, End: at(30), Partitions: 12}
	gen1 := []history.Member{
		{Worker: "w1", MemberID: "m1", Partitions: span(0, 3)},
		{Worker: "w2", MemberID: "m2", Partitions: span(4, 7)},
		{Worker: "w3", MemberID: "m3", Partitions: span(8, 11)},
	}
	gen2 := []history.Member{
		{Worker: "w1", MemberID: "m1", Partitions: span(0, 5)},
		{Worker: "w3", MemberID: "m3", Partitions: append(span(6, 7), span(8, 11)...)},
	}
	gen3 := []history.Member{
		{Worker: "w1", MemberID: "m1", Partitions: span(0, 3)},
		{Worker: "w3", MemberID: "m3", Partitions: span(8, 11)},
		{Worker: "w2", MemberID: "m2b", Partitions: span(4, 7)},
	}
	for i := 0; i <= 120; i++ {
		s := float64(i) * 0.25
		snap := history.GroupSnapshot{At: at(s), State: "Stable", Generation: 1, Members: gen1}
		switch {
		case s == 5 || s == 5.25:
			snap = history.GroupSnapshot{At: at(s), Err: "describe groups: timeout"}
		case s >= 16.5 && s < 17:
			snap.State = "PreparingRebalance"
		case s >= 17 && s < 23:
			snap.Generation, snap.Members = 2, gen2
		case s >= 23:
			snap.Generation, snap.Members = 3, gen3
		}
		h.Snapshots = append(h.Snapshots, snap)
	}
	h.Notes = append(h.Notes, history.Note{At: at(0), Text: "load started <script>alert(1)</script>"})
	h.Faults = append(h.Faults,
		history.FaultMark{At: at(10), Fault: "kill -9", Target: "w2", Phase: history.PhaseInject, Seed: 42, Detail: "SIGKILL to the worker container"},
		history.FaultMark{At: at(10.3), Fault: "kill -9", Target: "w2", Phase: history.PhaseBit, Detail: "container exited"},
		history.FaultMark{At: at(22), Fault: "kill -9", Target: "w2", Phase: history.PhaseHeal, Detail: "container restarted"},
	)
	we := func(s float64, w, ev string, ps []int32) {
		h.Events = append(h.Events, history.WorkerEvent{TS: at(s), Worker: w, Event: ev, Partitions: ps})
	}
	for i, w := range []string{"w1", "w2", "w3"} {
		we(0.1, w, "started", nil)
		we(0.6, w, "assigned", span(int32(4*i), int32(4*i+3)))
	}
	we(17.1, "w1", "assigned", span(4, 5))
	we(17.1, "w3", "assigned", span(6, 7))
	we(22.1, "w2", "started", nil)
	we(23.0, "w1", "revoked", span(4, 5))
	we(23.0, "w3", "lost", span(6, 7))
	we(23.1, "w2", "assigned", span(4, 7))
	for s := 1; s < 30; s += 2 {
		h.Events = append(h.Events, history.WorkerEvent{TS: at(float64(s)), Worker: "w1", Event: "committed",
			Offsets: map[int32]int64{0: int64(10 * s), 1: int64(11 * s)}})
	}
	for i := 0; i <= 60; i++ {
		s := float64(i) * 0.5
		ls := history.LagSample{At: at(s), Committed: map[int32]int64{}, End: map[int32]int64{}}
		for p := int32(0); p < 12; p++ {
			end := int64(s * 100)
			lag := int64(5)
			if p >= 4 && p <= 7 {
				switch {
				case s >= 10 && s < 17:
					lag = int64((s - 10) * 100)
				case s >= 17 && s < 25:
					lag = int64((25 - s) * 80)
				}
			}
			c := end - lag
			if c < 0 {
				c = -1
			}
			ls.End[p], ls.Committed[p] = end, c
		}
		h.Lag = append(h.Lag, ls)
	}
	n := 0
	for ms := 0; ms < 30000; ms += 10 {
		s := float64(ms) / 1000
		p := int32(n % 12)
		id := fmt.Sprintf("p-%d", n)
		h.Posts = append(h.Posts, history.PostAck{At: at(s), PostID: id, Author: n % 50, Partition: p, Offset: int64(n / 12)})
		seen := s + 0.05
		if p >= 4 && p <= 7 && s >= 10 && s < 17 {
			seen = 17.5
		}
		if seen < 30 {
			for f := 0; f < 3; f++ {
				h.Updates = append(h.Updates, history.UpdateSeen{At: at(seen), PostID: id, Follower: f, Worker: "w1",
					SourcePartition: p, SourceOffset: int64(n / 12)})
			}
		}
		n++
	}
	h.DeadLetters = append(h.DeadLetters, history.DeadLetterSeen{At: at(3), Reason: "poison", SourcePartition: 2, SourceOffset: 7})
	h.Verdicts = append(h.Verdicts, history.Verdict{At: at(30), Check: "reassignment", Pass: true,
		Message: "all partitions owned within bound", Measured: 7 * time.Second, Bound: 15 * time.Second})
	if fail {
		h.Verdicts = append(h.Verdicts,
			history.Verdict{At: at(30), Check: "no-lost-updates", Pass: false, Class: "lost",
				Message: "2 feed updates lost\npost p-1234 -> follower 17: source p5@312, owned by w2 at +10.2s <gone>\npost p-1240 -> follower 3: source p5@313",
				FirstAt: at(10.2)},
			history.Verdict{At: at(30), Check: "single-owner", Pass: false, Class: "owned-twice",
				Message: "partition 6 owned by w2 and w3 from +17.000s to +17.800s", FirstAt: at(17)},
		)
	}
	return h
}

// bigHistory is a synthetic 100-worker, 120-partition, 10-minute spec:
// snapshots every 250 ms, lag every 500 ms, ~300k updates, a worker killed
// every minute with an eager rebalance that moves every partition.
func bigHistory() history.History {
	const (
		workers    = 100
		partitions = 120
		dur        = 600 // seconds
	)
	h := history.History{Suite: "scale", Spec: "100 workers, 120 partitions, a kill a minute",
		Start: t0, End: at(dur), Partitions: partitions}
	alive := make([]bool, workers)
	for i := range alive {
		alive[i] = true
	}
	assign := func() []history.Member {
		var ids []int
		for i, a := range alive {
			if a {
				ids = append(ids, i)
			}
		}
		ms := make([]history.Member, len(ids))
		for k, i := range ids {
			ms[k] = history.Member{Worker: fmt.Sprintf("w%d", i+1), MemberID: fmt.Sprintf("m%d", i+1)}
		}
		for p := int32(0); p < partitions; p++ {
			k := int(p) % len(ids)
			ms[k].Partitions = append(ms[k].Partitions, p)
		}
		return ms
	}
	gen := int32(1)
	members := assign()
	killed := 0
	for i := 0; i < dur*4; i++ {
		s := float64(i) / 4
		if i > 0 && i%(60*4) == 0 && killed < 9 {
			victim := (killed*37 + 5) % workers
			alive[victim] = false
			killed++
			w := fmt.Sprintf("w%d", victim+1)
			h.Faults = append(h.Faults,
				history.FaultMark{At: at(s), Fault: "kill -9", Target: w, Phase: history.PhaseInject, Seed: int64(killed)},
				history.FaultMark{At: at(s + 20), Fault: "kill -9", Target: w, Phase: history.PhaseHeal})
			h.Events = append(h.Events, history.WorkerEvent{TS: at(s + 6), Worker: "w1", Event: "lost", Partitions: []int32{1, 2}})
		}
		if i > 0 && i%(60*4) == 4*6 {
			gen++
			old := members
			members = assign()
			for _, m := range old {
				h.Events = append(h.Events, history.WorkerEvent{TS: at(s), Worker: m.Worker, Event: "revoked", Partitions: m.Partitions})
			}
			for _, m := range members {
				h.Events = append(h.Events, history.WorkerEvent{TS: at(s + 0.1), Worker: m.Worker, Event: "assigned", Partitions: m.Partitions})
			}
		}
		h.Snapshots = append(h.Snapshots, history.GroupSnapshot{At: at(s), State: "Stable", Generation: gen, Members: members})
	}
	for w := 0; w < workers; w++ {
		for s := 0; s < dur; s += 5 {
			h.Events = append(h.Events, history.WorkerEvent{TS: at(float64(s) + float64(w)/100), Worker: fmt.Sprintf("w%d", w+1),
				Event: "committed", Offsets: map[int32]int64{int32(w % partitions): int64(s * 10)}})
		}
	}
	for i := 0; i < dur*2; i++ {
		s := float64(i) / 2
		ls := history.LagSample{At: at(s), Committed: make(map[int32]int64, partitions), End: make(map[int32]int64, partitions)}
		for p := int32(0); p < partitions; p++ {
			end := int64(s * 10)
			ls.End[p], ls.Committed[p] = end, end-int64(i%40)
		}
		h.Lag = append(h.Lag, ls)
	}
	n := 0
	for ms := 0; ms < dur*1000; ms += 10 { // 100 posts/s, 5 updates each: 300k updates
		s := float64(ms) / 1000
		p := int32(n % partitions)
		id := fmt.Sprintf("p-%d", n)
		h.Posts = append(h.Posts, history.PostAck{At: at(s), PostID: id, Partition: p, Offset: int64(n / partitions)})
		for f := 0; f < 5; f++ {
			h.Updates = append(h.Updates, history.UpdateSeen{At: at(s + 0.03), PostID: id, Follower: f,
				Worker: fmt.Sprintf("w%d", int(p)%workers+1), SourcePartition: p, SourceOffset: int64(n / partitions)})
		}
		n++
	}
	h.Verdicts = append(h.Verdicts, history.Verdict{At: at(dur), Check: "no-lost-updates", Pass: false, Class: "lost",
		Message: "1 feed update lost: post p-4242 -> follower 2", FirstAt: at(121)})
	return h
}
