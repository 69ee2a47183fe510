package contract

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseEventAcceptsTheContract(t *testing.T) {
	for _, line := range []string{
		`{"ts":"2026-12-07T08:00:00Z","worker":"w1","event":"started"}`,
		`{"ts":"2026-12-07T08:00:00.123456789+01:00","worker":"w1","event":"assigned","partitions":[0,1],"extra":true}`,
		`{"ts":"2026-12-07T08:00:00.5Z","worker":"w1","event":"error","error":"x","detail":{"kind":"rejoin-refused","held_for":"1s"}}`,
	} {
		if _, err := ParseEvent([]byte(line)); err != nil {
			t.Errorf("ParseEvent(%s): %v", line, err)
		}
	}
	ev, _ := ParseEvent([]byte(`{"ts":"2026-12-07T08:00:00.5Z","worker":"w1","event":"error","detail":{"kind":"rejoin-refused"}}`))
	if ev.Detail[DetailKind] != ErrorKindRejoinRefused {
		t.Errorf("detail.kind = %q", ev.Detail[DetailKind])
	}
}

func TestParseEventRefusesWhatTheContractDoesNotAllow(t *testing.T) {
	for name, line := range map[string]string{
		"not JSON":           `librdkafka: connecting`,
		"blank":              ``,
		"array":              `[1,2]`,
		"no ts":              `{"worker":"w1","event":"started"}`,
		"ts not RFC 3339":    `{"ts":"2026-12-07 08:00:00","worker":"w1","event":"started"}`,
		"ts as unix number":  `{"ts":1765094400,"worker":"w1","event":"started"}`,
		"no worker":          `{"ts":"2026-12-07T08:00:00Z","event":"started"}`,
		"unknown event":      `{"ts":"2026-12-07T08:00:00Z","worker":"w1","event":"rebalanced"}`,
		"partitions strings": `{"ts":"2026-12-07T08:00:00Z","worker":"w1","event":"assigned","partitions":["0"]}`,
		"detail not strings": `{"ts":"2026-12-07T08:00:00Z","worker":"w1","event":"error","detail":{"held_for":1.5}}`,
	} {
		if _, err := ParseEvent([]byte(line)); err == nil {
			t.Errorf("%s: ParseEvent(%s) accepted it", name, line)
		}
	}
}

func TestParseFeedUpdate(t *testing.T) {
	ok := FeedUpdate{PostID: "p1", Author: 3, Follower: 4, Worker: "w1", SourcePartition: 2, SourceOffset: 9, ProducedAt: time.Now()}
	v, _ := json.Marshal(ok)
	if u, err := ParseFeedUpdate(v); err != nil || u.PostID != "p1" {
		t.Fatalf("ParseFeedUpdate(%s) = %+v, %v", v, u, err)
	}
	for name, s := range map[string]string{
		"not JSON":        `{"post_id":"p1",`,
		"no follower":     `{"post_id":"p1","author_id":3,"worker":"w1","source_partition":2,"source_offset":9,"produced_at":"2026-12-07T08:00:00Z"}`,
		"time not 3339":   `{"post_id":"p1","author_id":3,"follower_id":4,"worker":"w1","source_partition":2,"source_offset":9,"produced_at":"yesterday"}`,
		"empty post id":   `{"post_id":"","author_id":3,"follower_id":4,"worker":"w1","source_partition":2,"source_offset":9,"produced_at":"2026-12-07T08:00:00Z"}`,
		"follower string": `{"post_id":"p1","author_id":3,"follower_id":"4","worker":"w1","source_partition":2,"source_offset":9,"produced_at":"2026-12-07T08:00:00Z"}`,
	} {
		if _, err := ParseFeedUpdate([]byte(s)); err == nil {
			t.Errorf("%s: ParseFeedUpdate accepted %s", name, s)
		}
	}
}

func TestParseDeadLetterAcceptsBase64AndText(t *testing.T) {
	value := []byte("this is not a post")
	b64, _ := json.Marshal(DeadLetter{Reason: "bad", ReasonKind: DeadLetterUnparsable, Worker: "w1", Raw: value, At: time.Now()})
	text := `{"reason":"bad","reason_kind":"unparsable","source_partition":1,"source_offset":2,"worker":"w1","raw":"this is not a post","at":"2026-12-07T08:00:00Z"}`
	for _, s := range []string{string(b64), text} {
		d, raw, err := ParseDeadLetter([]byte(s))
		if err != nil {
			t.Fatalf("ParseDeadLetter(%s): %v", s, err)
		}
		if d.ReasonKind != DeadLetterUnparsable || !RawIs(raw, value) {
			t.Errorf("ParseDeadLetter(%s) = %+v, raw %q: want unparsable carrying %q", s, d, raw, value)
		}
		if RawIs(raw, []byte("another value")) {
			t.Errorf("RawIs(%q) matched another value", raw)
		}
	}
}

func TestParseDeadLetterRefusesWhatTheContractDoesNotAllow(t *testing.T) {
	base := `"reason":"x","source_partition":1,"source_offset":2,"worker":"w1","at":"2026-12-07T08:00:00Z"`
	for name, s := range map[string]string{
		"no reason_kind":      `{` + base + `,"raw":"eA=="}`,
		"unknown reason_kind": `{` + base + `,"reason_kind":"invalid post JSON","raw":"eA=="}`,
		"raw not a string":    `{` + base + `,"reason_kind":"unparsable","raw":[120]}`,
		"no raw":              `{` + base + `,"reason_kind":"unparsable"}`,
		"at not RFC 3339":     strings.Replace(`{`+base+`,"reason_kind":"unparsable","raw":"x"}`, "2026-12-07T08:00:00Z", "07/12/2026", 1),
		"not JSON":            `dead letter`,
	} {
		if _, _, err := ParseDeadLetter([]byte(s)); err == nil {
			t.Errorf("%s: ParseDeadLetter accepted %s", name, s)
		}
	}
}
