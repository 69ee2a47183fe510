package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// Record is one record the worker produces: a feed update or a dead letter.
type Record struct {
	Topic string
	Key   []byte
	Value []byte
}

// Result is what one post record turns into. Exactly one of these holds:
// Reason == "" and Records are the post's feed updates (possibly none, for an
// author without followers); or Reason != "" and Records is the single
// dead-letter record saying why. A record is never silently dropped.
type Result struct {
	Post    contract.Post
	Records []Record
	Reason  string // non-empty for a poison record
}

// Fanout turns post records into feed updates. It is pure (no I/O) and safe
// for concurrent use.
type Fanout struct {
	Graph     *graph.Graph
	Worker    string
	FeedTopic string
	DLQTopic  string
	Now       func() time.Time // defaults to time.Now
	// wordedDeadLetters leaves ReasonKind out (the worded-dead-letters
	// conformance mutant; never in production).
	wordedDeadLetters bool
}

func (f *Fanout) now() time.Time {
	if f.Now != nil {
		return f.Now().UTC()
	}
	return time.Now().UTC()
}

// Process fans out the post record read from (partition, offset). A value
// that is not a JSON post, lacks a post id, or names an author outside the
// graph yields a dead letter carrying the reason, source partition and
// offset, and the raw bytes.
func (f *Fanout) Process(partition int32, offset int64, key, value []byte) Result {
	var p contract.Post
	var err error
	reason, kind := "", contract.DeadLetterUnparsable
	if len(bytes.TrimSpace(value)) == 0 {
		reason = "empty value"
	} else if p, err = decodePost(value); err != nil { // json.Unmarshal's post and error
		reason = "invalid post JSON: " + err.Error()
	} else if p.ID == "" {
		reason = "post has no post_id"
	} else if _, ok := f.Graph.Followers(p.Author); !ok {
		reason = fmt.Sprintf("unknown author %d (graph has users 0..%d)", p.Author, f.Graph.Users()-1)
		kind = contract.DeadLetterUnknownAuthor
	}
	if reason != "" {
		dl := contract.DeadLetter{
			Reason:          reason,
			ReasonKind:      kind,
			SourcePartition: partition,
			SourceOffset:    offset,
			Worker:          f.Worker,
			Raw:             value,
			At:              f.now(),
		}
		if f.wordedDeadLetters {
			dl.ReasonKind = ""
		}
		v, _ := json.Marshal(dl) // cannot fail: plain fields
		return Result{Post: p, Reason: reason, Records: []Record{{Topic: f.DLQTopic, Key: key, Value: v}}}
	}

	followers, _ := f.Graph.Followers(p.Author)
	recs := make([]Record, 0, len(followers))
	u := contract.FeedUpdate{
		PostID:          p.ID,
		Author:          p.Author,
		Worker:          f.Worker,
		SourcePartition: partition,
		SourceOffset:    offset,
		ProducedAt:      f.now(),
	}
	t, ok := newUpdateTemplate(u)
	if !ok {
		// Not encodable (a clock beyond year 9999): do what json.Marshal
		// does, record by record, as before the template existed.
		for _, fo := range followers {
			u.Follower = fo
			v, _ := json.Marshal(u)
			recs = append(recs, Record{Topic: f.FeedTopic, Key: []byte(strconv.Itoa(fo)), Value: v})
		}
		return Result{Post: p, Records: recs}
	}
	// One allocation for all the values and one for all the keys; each
	// record's slices are capped so that nothing appending to one can
	// overwrite the next.
	vsize, ksize := 0, 0
	for _, fo := range followers {
		vsize += t.size(fo)
		ksize += decimalLen(fo)
	}
	vals := make([]byte, 0, vsize)
	keys := make([]byte, 0, ksize)
	for _, fo := range followers {
		v0, k0 := len(vals), len(keys)
		vals = t.appendUpdate(vals, fo)
		keys = strconv.AppendInt(keys, int64(fo), 10)
		recs = append(recs, Record{Topic: f.FeedTopic, Key: keys[k0:len(keys):len(keys)], Value: vals[v0:len(vals):len(vals)]})
	}
	return Result{Post: p, Records: recs}
}
