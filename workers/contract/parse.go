package contract

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// The harness reads every worker output through the parsers below, and a
// line or record they refuse is a contract violation (reported, never
// dropped). They are strict about what the contract states and lenient
// about nothing else: unknown extra fields are allowed, missing required
// fields, wrong types, unknown event or reason kinds and timestamps that are
// not RFC 3339 are not.

// EventKinds lists every EventKind the contract defines.
var EventKinds = []EventKind{EventStarted, EventAssigned, EventRevoked, EventLost, EventCommitted, EventStopping, EventStopped, EventError, EventDeadLetter}

// DeadLetterKinds lists every DeadLetter.ReasonKind the contract defines.
var DeadLetterKinds = []string{DeadLetterUnparsable, DeadLetterUnknownAuthor}

// ParseEvent reads one stdout line as an Event. Required: a JSON object with
// "ts" (RFC 3339, fractional seconds allowed), a non-empty "worker", and an
// "event" among EventKinds. Blank lines are an error too: stdout carries
// events only (logs go to stderr).
func ParseEvent(line []byte) (Event, error) {
	var ev Event
	if err := strictObject(line, &ev, "ts", "worker", "event"); err != nil {
		return Event{}, err
	}
	if ev.TS.IsZero() {
		return Event{}, fmt.Errorf("event: ts is the zero time")
	}
	if ev.Worker == "" {
		return Event{}, fmt.Errorf("event: worker is empty")
	}
	if !slices.Contains(EventKinds, ev.Event) {
		return Event{}, fmt.Errorf("event: unknown event %q", ev.Event)
	}
	return ev, nil
}

// ParseFeedUpdate reads a feed-updates record value. Every field of
// FeedUpdate is required; post_id and worker must not be empty.
func ParseFeedUpdate(value []byte) (FeedUpdate, error) {
	var u FeedUpdate
	if err := strictObject(value, &u, "post_id", "author_id", "follower_id", "worker", "source_partition", "source_offset", "produced_at"); err != nil {
		return FeedUpdate{}, fmt.Errorf("feed update: %w", err)
	}
	if u.PostID == "" || u.Worker == "" {
		return FeedUpdate{}, fmt.Errorf("feed update: post_id or worker is empty")
	}
	return u, nil
}

// ParseDeadLetter reads a dead-letter record value. Required: "reason" (free
// text), "reason_kind" among DeadLetterKinds, "source_partition",
// "source_offset", "worker", "raw" (a JSON string) and "at" (RFC 3339). The
// returned DeadLetter has Raw nil; raw is the string as sent, to be judged
// with RawIs, since it may be base64 or text.
func ParseDeadLetter(value []byte) (d DeadLetter, raw string, err error) {
	var w struct {
		DeadLetter
		Raw json.RawMessage `json:"raw"`
	}
	if err := strictObject(value, &w, "reason", "reason_kind", "source_partition", "source_offset", "worker", "raw", "at"); err != nil {
		return DeadLetter{}, "", fmt.Errorf("dead letter: %w", err)
	}
	if err := json.Unmarshal(w.Raw, &raw); err != nil {
		return DeadLetter{}, "", fmt.Errorf("dead letter: raw is not a JSON string: %w", err)
	}
	if !slices.Contains(DeadLetterKinds, w.ReasonKind) {
		return DeadLetter{}, "", fmt.Errorf("dead letter: unknown reason_kind %q (want one of %v)", w.ReasonKind, DeadLetterKinds)
	}
	if w.Worker == "" {
		return DeadLetter{}, "", fmt.Errorf("dead letter: worker is empty")
	}
	d = w.DeadLetter
	d.Raw = nil
	return d, raw, nil
}

// RawIs reports whether a dead letter's raw field carries value: raw is
// either the standard (padded) base64 of the value's bytes, which is what
// Go's encoding/json makes of DeadLetter.Raw, or the value's text itself.
// The decoded bytes are compared first, then the text.
func RawIs(raw string, value []byte) bool {
	if b, err := base64.StdEncoding.DecodeString(raw); err == nil && bytes.Equal(b, value) {
		return true
	}
	return raw == string(value)
}

// strictObject decodes data (one JSON object) into v and checks that every
// required key is present. encoding/json reads time.Time as RFC 3339 and
// refuses anything else.
func strictObject(data []byte, v any, required ...string) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	for _, k := range required {
		if _, ok := keys[k]; !ok {
			return fmt.Errorf("missing %q", k)
		}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	return nil
}

// RFC3339 is the timestamp format of every time in the contract's JSON:
// RFC 3339 with optional fractional seconds (time.RFC3339Nano parses both).
const RFC3339 = time.RFC3339Nano
