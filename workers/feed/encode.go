package feed

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// This file holds the worker's hand-written JSON for its hot path: encoding
// contract.FeedUpdate and decoding contract.Post. Both are byte-for-byte
// (respectively value-for-value) equivalent to encoding/json; whatever they
// do not handle themselves they hand to encoding/json, so the fast path can
// only ever be faster, never different. encode_test.go checks the
// equivalence on tables and by fuzzing.

// updateTemplate is the JSON of a contract.FeedUpdate split around the
// follower id: every update of one post shares everything but follower_id,
// so the head (up to and including `"follower_id":`) and the tail (from the
// comma after it to the closing brace) are built once per post and each
// update is head + follower id + tail.
type updateTemplate struct {
	head, tail []byte
}

// newUpdateTemplate builds the template for updates like u (u.Follower is
// ignored). It reports false when the update cannot be encoded (ProducedAt
// outside what time.Time.MarshalJSON accepts, e.g. year 10000): json.Marshal
// fails for such an update, and the caller must do what it does for that.
func newUpdateTemplate(u contract.FeedUpdate) (updateTemplate, bool) {
	const fixed = len(`{"post_id":,"author_id":,"follower_id":,"worker":,"source_partition":,"source_offset":,"produced_at":""}`)
	buf := make([]byte, 0, fixed+len(u.PostID)+len(u.Worker)+4+20+11+20+len(time.RFC3339Nano)+6)
	buf = append(buf, `{"post_id":`...)
	buf = appendJSONString(buf, u.PostID)
	buf = append(buf, `,"author_id":`...)
	buf = strconv.AppendInt(buf, int64(u.Author), 10)
	buf = append(buf, `,"follower_id":`...)
	h := len(buf)
	buf = append(buf, `,"worker":`...)
	buf = appendJSONString(buf, u.Worker)
	buf = append(buf, `,"source_partition":`...)
	buf = strconv.AppendInt(buf, int64(u.SourcePartition), 10)
	buf = append(buf, `,"source_offset":`...)
	buf = strconv.AppendInt(buf, u.SourceOffset, 10)
	buf = append(buf, `,"produced_at":"`...)
	// time.Time.MarshalJSON, which encoding/json calls, is this text in
	// quotes (RFC 3339 with nanoseconds, the same checks and error).
	buf, err := u.ProducedAt.AppendText(buf)
	if err != nil {
		return updateTemplate{}, false
	}
	buf = append(buf, `"}`...)
	return updateTemplate{head: buf[:h:h], tail: buf[h:]}, true
}

// appendUpdate appends the JSON of the template's update for follower.
func (t *updateTemplate) appendUpdate(dst []byte, follower int) []byte {
	dst = append(dst, t.head...)
	dst = strconv.AppendInt(dst, int64(follower), 10)
	return append(dst, t.tail...)
}

// size returns the length of the update for follower.
func (t *updateTemplate) size(follower int) int {
	return len(t.head) + decimalLen(follower) + len(t.tail)
}

// appendFeedUpdate appends json.Marshal(u) to dst, or returns the error
// json.Marshal would (dst unchanged).
func appendFeedUpdate(dst []byte, u contract.FeedUpdate) ([]byte, error) {
	t, ok := newUpdateTemplate(u)
	if !ok {
		_, err := json.Marshal(u)
		return dst, err
	}
	return t.appendUpdate(dst, u.Follower), nil
}

// decimalLen returns len(strconv.Itoa(n)).
func decimalLen(n int) int {
	l := 1
	if n < 0 {
		l++ // the minus sign; the digits of -n counted below
		if n > -10 {
			return l
		}
		n = -(n / 10) // cannot overflow, unlike -n for the most negative int
		l++
	}
	for n >= 10 {
		n /= 10
		l++
	}
	return l
}

// plainJSON[c] is true for the bytes encoding/json writes into a string as
// they are (with its default HTML escaping): printable ASCII except the
// quote, the backslash and <, >, &.
var plainJSON = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendJSONString appends s as encoding/json's json.Marshal writes it.
// Strings of plain printable ASCII (the usual ids) are appended as they
// are; any other string is encoded by encoding/json itself, so escapes,
// HTML-safe escaping, U+2028/U+2029 and invalid UTF-8 are exactly as
// json.Marshal writes them.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || !plainJSON[c] {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// decodePost decodes a post record's value into p as json.Unmarshal(value,
// p) does, with p the zero Post. It returns json.Unmarshal's error, if any.
func decodePost(value []byte) (contract.Post, error) {
	var p contract.Post
	if decodePostFast(value, &p) {
		return p, nil
	}
	p = contract.Post{} // the fast path may have filled some fields
	err := json.Unmarshal(value, &p)
	return p, err
}

// decodePostFast decodes value into p (the zero Post) when value is a post
// in the compact shape the producer writes with json.Marshal:
//
//	{"post_id":"...","author_id":N,"created_at":"...","seq":N}
//
// optionally with ,"body":"..." before the closing brace, with no
// whitespace, the keys exactly so spelt and ordered, strings without
// escapes or control characters and in valid UTF-8, integers without
// fraction or exponent and in range, and a created_at that
// time.Time.UnmarshalJSON accepts. For such a value it fills p exactly as
// json.Unmarshal would and returns true. For anything else it returns false,
// p holds garbage, and the caller must use json.Unmarshal: the fast path
// decides nothing about odd input, so errors (and dead-letter reasons) are
// always encoding/json's own.
func decodePostFast(b []byte, p *contract.Post) bool {
	d := postDecoder{b: b}
	var ok bool
	if !d.lit(`{"post_id":`) {
		return false
	}
	if p.ID, ok = d.str(); !ok {
		return false
	}
	if !d.lit(`,"author_id":`) {
		return false
	}
	author, ok := d.int()
	if !ok || int64(int(author)) != author {
		return false
	}
	p.Author = int(author)
	if !d.lit(`,"created_at":`) {
		return false
	}
	start := d.i
	if _, _, ok = d.rawStr(); !ok {
		return false
	}
	// encoding/json hands time.Time the raw literal, quotes included.
	if err := p.CreatedAt.UnmarshalJSON(b[start:d.i]); err != nil {
		return false
	}
	if !d.lit(`,"seq":`) {
		return false
	}
	if p.Seq, ok = d.int(); !ok {
		return false
	}
	if d.lit(`,"body":`) {
		if p.Body, ok = d.str(); !ok {
			return false
		}
	}
	return d.lit(`}`) && d.i == len(b)
}

// postDecoder scans b from i; every method advances i only on success.
type postDecoder struct {
	b []byte
	i int
}

// lit consumes s if b continues with it.
func (d *postDecoder) lit(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

// rawStr consumes a JSON string without escapes or control characters and
// returns its contents (between the quotes) and whether they are pure ASCII.
// It fails on anything else, including a string not closed before the end.
func (d *postDecoder) rawStr() (contents []byte, ascii, ok bool) {
	b, i := d.b, d.i
	if i >= len(b) || b[i] != '"' {
		return nil, false, false
	}
	i++
	start := i
	ascii = true
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			d.i = i + 1
			return b[start:i], ascii, true
		case c == '\\' || c < 0x20:
			return nil, false, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false, false
}

// str consumes a string as rawStr does and returns its value, provided it
// is valid UTF-8 (json.Unmarshal replaces invalid bytes with U+FFFD; such a
// string is left to it).
func (d *postDecoder) str() (string, bool) {
	save := d.i
	s, ascii, ok := d.rawStr()
	if !ok {
		return "", false
	}
	if !ascii && !utf8.Valid(s) {
		d.i = save
		return "", false
	}
	return string(s), true
}

// int consumes a JSON integer -?(0|[1-9][0-9]*) of at most 18 digits (so
// it fits in an int64 with room to spare; longer ones are left to
// encoding/json). A fraction or exponent after it makes the next literal
// fail to match, so such numbers are left to encoding/json as well.
func (d *postDecoder) int() (int64, bool) {
	b, i := d.b, d.i
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start := i
	var n int64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 18 || (digits > 1 && b[start] == '0') {
		return 0, false
	}
	if neg {
		n = -n
	}
	d.i = i
	return n, true
}
