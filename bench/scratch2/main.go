package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/verify"
)

func main() {
	b, _ := os.ReadFile(os.Args[1])
	var h history.History
	json.Unmarshal(b, &h)
	g, _ := graph.New(1, 1000)
	first := map[string]time.Time{}
	for _, u := range h.Updates {
		if t, ok := first[u.PostID]; !ok || u.At.Before(t) {
			first[u.PostID] = u.At
		}
	}
	var lats []time.Duration
	type pl struct {
		id  string
		at  time.Duration
		lat time.Duration
		p   int32
	}
	var big []pl
	for _, p := range h.Posts {
		if f, ok := first[p.PostID]; ok {
			l := f.Sub(p.At)
			lats = append(lats, l)
			if l > 500*time.Millisecond {
				big = append(big, pl{p.PostID, p.At.Sub(h.Start), l, p.Partition})
			}
		}
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	n := len(lats)
	fmt.Println("posts", n, "p50", lats[n/2], "p90", lats[n*9/10], "p99", lats[n*99/100], "max", lats[n-1])
	for _, b := range big {
		fmt.Printf("%s at %.3fs lat %s p%d\n", b.id, b.at.Seconds(), b.lat, b.p)
	}
	for _, nt := range h.Notes {
		fmt.Printf("note %.3fs %s\n", nt.At.Sub(h.Start).Seconds(), nt.Text)
	}
	for _, w := range [][2]float64{{2.3, 6}, {6, 12}} {
		from, to := h.Start.Add(time.Duration(w[0]*1e9)), h.Start.Add(time.Duration(w[1]*1e9))
		b, _ := verify.LastSettled(h, from)
		a, _ := verify.LastSettled(h, to)
		mv := verify.CompareAssignments(b, a)
		k := verify.Stalls(h, g, mv.Kept, from, to)
		m := verify.Stalls(h, g, mv.Moved, from, to)
		fmt.Printf("window %v: kept %d moved %d; kept top %v %v; moved top %v %v\n", w, len(mv.Kept), len(mv.Moved), k[0].Length, k[1].Length, m[0].Length, m[1].Length)
		for _, s := range k[:4] {
			fmt.Printf("  kept p%d %s from %.3f\n", s.Partition, s.Length, s.From.Sub(h.Start).Seconds())
		}
	}
	for _, e := range h.Events {
		if e.Event == "assigned" || e.Event == "revoked" || e.Event == "started" {
			fmt.Printf("ev %.3f %s %s %d\n", e.TS.Sub(h.Start).Seconds(), e.Worker, e.Event, len(e.Partitions))
		}
	}
	st := verify.Stalls(h, g, verify.AllPartitions(h.Partitions), h.Start, h.End)
	for _, s := range st[:5] {
		fmt.Printf("stall p%d %s from %.3fs\n", s.Partition, s.Length, s.From.Sub(h.Start).Seconds())
	}
}

func init() {
	if len(os.Args) > 3 {
		defer func() {}()
	}
}
