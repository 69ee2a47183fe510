package franzfeed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// Source is where a post came from: its partition and offset on the posts
// topic, with its key and value.
type Source struct {
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
}

// Out is one record the worker writes for a post: its key and value.
type Out struct {
	Key, Value []byte
}

// Fanout is what one post becomes: a feed update per follower, or a single
// dead letter (Dead is true and Records holds it), never both.
type Fanout struct {
	Dead       bool
	ReasonKind string
	Records    []Out
}

// ParsePost reads a posts record value. It refuses (with a reason) what the
// contract calls unparsable: an empty value, not a JSON object, truncated
// JSON, wrong field types, or no post_id (or no author_id: without one the
// author is unknowable, and 0 is a real user).
func ParsePost(value []byte) (contract.Post, error) {
	if len(bytes.TrimSpace(value)) == 0 {
		return contract.Post{}, errors.New("empty value")
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(value, &keys); err != nil {
		return contract.Post{}, fmt.Errorf("not a JSON object: %w", err)
	}
	var p contract.Post
	if err := json.Unmarshal(value, &p); err != nil {
		return contract.Post{}, fmt.Errorf("wrong field types: %w", err)
	}
	if p.ID == "" {
		return contract.Post{}, errors.New("no post_id")
	}
	if _, ok := keys["author_id"]; !ok {
		return contract.Post{}, errors.New("no author_id")
	}
	return p, nil
}

// FanOut turns one post into its records: one feed update per follower of
// its author (key: the follower id), or one dead letter (key: the post's
// key) when the value is not a post or its author is unknown. now stamps
// produced_at and the dead letter's at.
func FanOut(g *graph.Graph, worker string, src Source, now time.Time) (Fanout, error) {
	p, err := ParsePost(src.Value)
	if err != nil {
		return deadLetter(worker, src, contract.DeadLetterUnparsable, err.Error(), now)
	}
	followers, ok := g.Followers(p.Author)
	if !ok {
		return deadLetter(worker, src, contract.DeadLetterUnknownAuthor, fmt.Sprintf("author %d is not in the graph", p.Author), now)
	}
	f := Fanout{Records: make([]Out, 0, len(followers))}
	for _, fol := range followers {
		v, err := json.Marshal(contract.FeedUpdate{
			PostID: p.ID, Author: p.Author, Follower: fol, Worker: worker,
			SourcePartition: src.Partition, SourceOffset: src.Offset, ProducedAt: now.UTC(),
		})
		if err != nil {
			return Fanout{}, fmt.Errorf("encode feed update: %w", err)
		}
		f.Records = append(f.Records, Out{Key: []byte(strconv.Itoa(fol)), Value: v})
	}
	return f, nil
}

func deadLetter(worker string, src Source, kind, reason string, now time.Time) (Fanout, error) {
	v, err := json.Marshal(contract.DeadLetter{
		Reason: reason, ReasonKind: kind, SourcePartition: src.Partition, SourceOffset: src.Offset,
		Worker: worker, Raw: src.Value, At: now.UTC(),
	})
	if err != nil {
		return Fanout{}, fmt.Errorf("encode dead letter: %w", err)
	}
	return Fanout{Dead: true, ReasonKind: kind, Records: []Out{{Key: src.Key, Value: v}}}, nil
}
