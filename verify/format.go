package verify

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/history"
)

// rel formats t relative to start as "+12.3s" (millisecond precision,
// shortest form). A zero t prints "never"; a zero start prints t itself.
func rel(start, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	if start.IsZero() {
		return t.Format(time.RFC3339Nano)
	}
	d := t.Sub(start).Round(time.Millisecond)
	// Format milliseconds as an integer pair: float seconds print
	// artefacts like 2.6870000000000003.
	ms := d.Milliseconds()
	neg := ms < 0
	if neg {
		ms = -ms
	}
	s := strconv.FormatInt(ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", frac), "0")
	}
	if neg {
		s = "-" + s
	}
	if d >= 0 {
		s = "+" + s
	}
	return s + "s"
}

// parts formats partitions compactly: "0-3,7,9-10".
func parts(ps []int32) string {
	if len(ps) == 0 {
		return "none"
	}
	s := slices.Clone(ps)
	slices.Sort(s)
	s = slices.Compact(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j == i {
			fmt.Fprintf(&b, "%d", s[i])
		} else {
			fmt.Fprintf(&b, "%d-%d", s[i], s[j])
		}
		i = j + 1
	}
	return b.String()
}

// memberName is how a member is named in messages: its worker id, or its
// member id when the client id is missing.
func memberName(m history.Member) string {
	if m.Worker != "" {
		return m.Worker
	}
	return m.MemberID
}

// isMember reports whether worker names m (by worker id or member id).
func isMember(m history.Member, worker string) bool {
	return worker != "" && (m.Worker == worker || m.MemberID == worker)
}

// validSnapshots returns the snapshots without Err, sorted by time (stable).
func validSnapshots(h history.History) []history.GroupSnapshot {
	out := make([]history.GroupSnapshot, 0, len(h.Snapshots))
	for _, s := range h.Snapshots {
		if s.Err == "" {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// snapshotsIn returns the error-free snapshots with from <= At <= to (a
// zero from or to is unbounded), in time order.
func snapshotsIn(h history.History, from, to time.Time) []history.GroupSnapshot {
	var out []history.GroupSnapshot
	for _, s := range validSnapshots(h) {
		if inWindow(s.At, from, to) {
			out = append(out, s)
		}
	}
	return out
}

// inWindow reports from <= t <= to; a zero from or to is unbounded.
func inWindow(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to))
}

// window describes [from, to] for messages.
func window(start, from, to time.Time) string {
	f, t := "the start", "the end"
	if !from.IsZero() {
		f = rel(start, from)
	}
	if !to.IsZero() {
		t = rel(start, to)
	}
	return "[" + f + ", " + t + "]"
}

// ownerAt returns who owned p in the last valid snapshot at or before t
// ("nobody" when unowned or when there is no snapshot yet, "a+b" when
// several members listed it). snaps must be sorted.
func ownerAt(snaps []history.GroupSnapshot, p int32, t time.Time) string {
	i := sort.Search(len(snaps), func(i int) bool { return snaps[i].At.After(t) })
	if i == 0 {
		return "nobody (no snapshot yet)"
	}
	owners := Ownership(snaps[i-1], 0)[p]
	if len(owners) == 0 {
		return "nobody"
	}
	return strings.Join(owners, "+")
}

// snapshotAt returns the last snapshot of snaps (error-free, in time
// order: validSnapshots) taken at or before t: the group as it was then.
func snapshotAt(snaps []history.GroupSnapshot, t time.Time) (history.GroupSnapshot, bool) {
	i := sort.Search(len(snaps), func(i int) bool { return snaps[i].At.After(t) })
	if i == 0 {
		return history.GroupSnapshot{}, false
	}
	return snaps[i-1], true
}

// timedExample is one counter-example found at a point in time.
type timedExample struct {
	at   time.Time
	text string
}

// earliest orders cxs by time (stably) and returns the texts of the first
// MaxExamples of them.
func earliest(cxs []timedExample) []string {
	sort.SliceStable(cxs, func(i, j int) bool { return cxs[i].at.Before(cxs[j].at) })
	var ex []string
	for _, c := range cxs[:min(len(cxs), MaxExamples)] {
		ex = append(ex, c.text)
	}
	return ex
}
