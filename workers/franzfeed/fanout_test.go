package franzfeed

import (
	"strconv"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

func TestFanOutOneUpdatePerFollower(t *testing.T) {
	g, _ := graph.New(1, 1000)
	author := -1
	for a := 0; a < 1000; a++ {
		if g.FollowerCount(a) > 2 {
			author = a
			break
		}
	}
	fol, _ := g.Followers(author)
	v := []byte(`{"post_id":"p1","author_id":` + strconv.Itoa(author) + `,"created_at":"2026-12-07T08:00:00Z","seq":0}`)
	f, err := FanOut(g, "w1", Source{Partition: 3, Offset: 7, Value: v}, time.Now())
	if err != nil || f.Dead || len(f.Records) != len(fol) {
		t.Fatalf("got %+v, %v; want %d updates", f, err, len(fol))
	}
	for i, r := range f.Records {
		u, err := contract.ParseFeedUpdate(r.Value)
		if err != nil {
			t.Fatal(err)
		}
		if u.Follower != fol[i] || string(r.Key) != strconv.Itoa(fol[i]) || u.SourcePartition != 3 || u.SourceOffset != 7 || u.Worker != "w1" {
			t.Fatalf("update %d: %+v key %s", i, u, r.Key)
		}
	}
}

func TestFanOutDeadLetters(t *testing.T) {
	g, _ := graph.New(1, 1000)
	for _, tc := range []struct{ value, kind string }{
		{``, contract.DeadLetterUnparsable},
		{`not json`, contract.DeadLetterUnparsable},
		{`{"post_id":"p1","author_id":`, contract.DeadLetterUnparsable},
		{`{"post_id":"p1","author_id":"x"}`, contract.DeadLetterUnparsable},
		{`{"author_id":3}`, contract.DeadLetterUnparsable},
		{`[1,2]`, contract.DeadLetterUnparsable},
		{`{"post_id":"p1","author_id":5000}`, contract.DeadLetterUnknownAuthor},
		{`{"post_id":"p1","author_id":-1}`, contract.DeadLetterUnknownAuthor},
	} {
		f, err := FanOut(g, "w1", Source{Partition: 1, Offset: 2, Key: []byte("k"), Value: []byte(tc.value)}, time.Now())
		if err != nil || !f.Dead || len(f.Records) != 1 {
			t.Fatalf("%q: got %+v, %v; want one dead letter", tc.value, f, err)
		}
		d, raw, err := contract.ParseDeadLetter(f.Records[0].Value)
		if err != nil || d.ReasonKind != tc.kind || !contract.RawIs(raw, []byte(tc.value)) || string(f.Records[0].Key) != "k" {
			t.Fatalf("%q: dead letter %+v raw %q err %v, want kind %s", tc.value, d, raw, err, tc.kind)
		}
	}
}
