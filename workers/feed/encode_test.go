package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// The hand-written JSON of encode.go must be indistinguishable from
// encoding/json: these tests compare it with encoding/json on tables, and
// the fuzz targets on whatever `go test -fuzz` comes up with:
//
//	go test -run '^$' -fuzz FuzzFeedUpdateEncoding -fuzztime 60s ./workers/feed
//	go test -run '^$' -fuzz FuzzPostDecoding -fuzztime 60s ./workers/feed

// Strings that exercise every branch of encoding/json's string encoding.
var oddStrings = []string{
	"", "p1", "p-0001", " ", "a b", `"`, `\`, `a"b\c`, "/", "'",
	"<", ">", "&", "<script>&amp;</script>", "\u2028", "\u2029", "a\u2028b\u2029c",
	"\x00", "\x01\x1f", "\b\f\n\r\t", "\x7f", "é", "日本語", "🙂", "\U0010FFFF", "\uFFFD",
	"\xff", "a\xffb", "\xc3", "\xc3\x28", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x80", // invalid UTF-8
	strings.Repeat("x", 1000), strings.Repeat("é<", 100),
}

var oddInts = []int64{0, 1, -1, 9, 10, -10, 99, 100, 12345, -12345, math.MaxInt32, math.MinInt32,
	math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, 1e18, -1e18}

func oddTimes(t testing.TB) []time.Time {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	times := []time.Time{
		{}, // the zero time: 0001-01-01T00:00:00Z
		base,
		base.Add(1), base.Add(10), base.Add(100 * time.Millisecond), base.Add(123456789), base.Add(999999999),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), // json.Marshal fails
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),    // json.Marshal fails
		base.In(time.FixedZone("", 0)),
		base.In(time.FixedZone("IST", 5*3600+1800)),
		base.In(time.FixedZone("PST", -8*3600)).Add(5000),
		base.In(time.FixedZone("odd", 3661)), // offset with seconds
		base.In(time.FixedZone("far", 23*3600+59*60)),
		base.In(time.FixedZone("toofar", 24*3600)), // json.Marshal fails
		base.In(time.FixedZone("neg", -(23*3600 + 59*60))),
		base.Local(),
		time.Now(), time.Now().UTC(),
		time.Unix(0, 0), time.Unix(-1, 0).UTC(),
	}
	for _, name := range []string{"America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"} {
		if loc, err := time.LoadLocation(name); err == nil {
			times = append(times, base.In(loc), base.AddDate(0, 6, 0).In(loc).Add(42))
		} else {
			t.Logf("no zone %s: %v", name, err)
		}
	}
	return times
}

// checkUpdate compares the fast encoding of u with json.Marshal(u).
func checkUpdate(t testing.TB, u contract.FeedUpdate) {
	t.Helper()
	want, wantErr := json.Marshal(u)
	prefix := []byte("prefix")
	got, err := appendFeedUpdate(prefix, u)
	if (err != nil) != (wantErr != nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("%#v: error %v, json.Marshal's %v", u, err, wantErr)
	}
	if err != nil {
		if string(got) != "prefix" {
			t.Fatalf("%#v: failed encoding changed dst to %q", u, got)
		}
		if _, ok := newUpdateTemplate(u); ok {
			t.Fatalf("%#v: template built for an update json.Marshal rejects", u)
		}
		return
	}
	if !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("%#v:\n got %s\nwant %s", u, got[len("prefix"):], want)
	}
	tpl, ok := newUpdateTemplate(u)
	if !ok {
		t.Fatalf("%#v: no template", u)
	}
	if n := tpl.size(u.Follower); n != len(want) {
		t.Fatalf("%#v: size %d, want %d", u, n, len(want))
	}
}

func TestFeedUpdateEncodingMatchesJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, s := range oddStrings {
		checkUpdate(t, contract.FeedUpdate{PostID: s, Author: 1, Follower: 2, Worker: "w1", SourcePartition: 3, SourceOffset: 4, ProducedAt: at})
		checkUpdate(t, contract.FeedUpdate{PostID: "p1", Author: 1, Follower: 2, Worker: s, SourcePartition: 3, SourceOffset: 4, ProducedAt: at})
		checkUpdate(t, contract.FeedUpdate{PostID: s, Worker: s})
	}
	for _, n := range oddInts {
		checkUpdate(t, contract.FeedUpdate{PostID: "p", Author: int(n), Follower: int(n), SourcePartition: int32(n), SourceOffset: n, ProducedAt: at})
		checkUpdate(t, contract.FeedUpdate{PostID: "p", Author: 7, Follower: int(n), SourcePartition: 1, SourceOffset: -n, ProducedAt: at})
	}
	for _, tm := range oddTimes(t) {
		checkUpdate(t, contract.FeedUpdate{PostID: "p", Author: 1, Follower: 2, Worker: "w", SourcePartition: 3, SourceOffset: 4, ProducedAt: tm})
	}
}

func TestDecimalLen(t *testing.T) {
	for _, n := range append(oddInts, 999, 1000, -999, -1000) {
		if got, want := decimalLen(int(n)), len(strconv.Itoa(int(n))); got != want {
			t.Errorf("decimalLen(%d) = %d, want %d", n, got, want)
		}
	}
}

// checkPost compares decodePost(v) with json.Unmarshal(v) (post and error)
// and returns whether the fast path decoded v.
func checkPost(t testing.TB, v []byte) (fast bool) {
	t.Helper()
	var want contract.Post
	wantErr := json.Unmarshal(v, &want)
	got, err := decodePost(v)
	if (err != nil) != (wantErr != nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("%q: error %v, json.Unmarshal's %v", v, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", v, got, want)
	}
	var p contract.Post
	fast = decodePostFast(v, &p)
	if fast {
		if wantErr != nil {
			t.Fatalf("%q: fast path accepted what json.Unmarshal rejects: %v", v, wantErr)
		}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("%q: fast path\n got %#v\nwant %#v", v, p, want)
		}
	}
	return fast
}

func TestPostDecodingMatchesJSON(t *testing.T) {
	// Posts as the producer writes them (json.Marshal) take the fast path.
	for _, s := range oddStrings {
		for _, tm := range oddTimes(t) {
			for _, n := range []int64{0, 1, -1, 999, math.MaxInt64, math.MinInt64} {
				for _, body := range []string{"", s} {
					v, err := json.Marshal(contract.Post{ID: s, Author: int(n), CreatedAt: tm, Seq: n, Body: body})
					if err != nil {
						continue // an unencodable time
					}
					fast := checkPost(t, v)
					plain := !bytes.ContainsAny(v, `\`) && tm.Year() >= 0 && n > -1e18 && n < 1e18
					if plain && !fast {
						t.Errorf("%s: a plain post missed the fast path", v)
					}
				}
			}
		}
	}

	const ok = `{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05.123456789Z","seq":7}`
	cases := []struct {
		v    string
		fast bool
	}{
		{ok, true},
		{`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7,"body":"hello"}`, true},
		{`{"post_id":"","author_id":0,"created_at":"2026-01-02T03:04:05+05:30","seq":0,"body":""}`, true},
		{`{"post_id":"é🙂","author_id":-0,"created_at":"2026-01-02T03:04:05-00:00","seq":-0}`, true},
		{"{\"post_id\":\"p\u2028<>&\",\"author_id\":1,\"created_at\":\"2026-01-02T03:04:05Z\",\"seq\":1}", true},
		{`{"post_id":"p\u2028<>&","author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":999999999999999999,"created_at":"2026-01-02T03:04:05Z","seq":-999999999999999999}`, true},
		// Numbers encoding/json decides on.
		{`{"post_id":"p","author_id":9223372036854775807,"created_at":"2026-01-02T03:04:05Z","seq":-9223372036854775808}`, false},
		{`{"post_id":"p","author_id":9223372036854775808,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":99999999999999999999999}`, false},
		{`{"post_id":"p","author_id":01,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":1.0,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":1e3,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":1E3,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":-,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":--1,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":+1,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":"1","created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":null,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":true,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		// Strings encoding/json decides on.
		{`{"post_id":"p\"1","author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p\u00e9","author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"\ud800","author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{"{\"post_id\":\"p\xff\",\"author_id\":1,\"created_at\":\"2026-01-02T03:04:05Z\",\"seq\":1}", false},
		{"{\"post_id\":\"p\xed\xa0\x80\",\"author_id\":1,\"created_at\":\"2026-01-02T03:04:05Z\",\"seq\":1}", false},
		{"{\"post_id\":\"p\x01\",\"author_id\":1,\"created_at\":\"2026-01-02T03:04:05Z\",\"seq\":1}", false},
		{"{\"post_id\":\"p\t\",\"author_id\":1,\"created_at\":\"2026-01-02T03:04:05Z\",\"seq\":1}", false},
		{`{"post_id":p1,"author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":null,"author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":1,"author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1,"body":"\n"}`, false},
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1,"body":null}`, false},
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1,"body":5}`, false},
		// Times: time.Time.UnmarshalJSON decides, on either path.
		{`{"post_id":"p","author_id":1,"created_at":"2026-13-02T03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02 03:04:05Z","seq":1}`, false},
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05z","seq":1}`, false},
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05+24:00","seq":1}`, true}, // time.Time.UnmarshalJSON accepts it, as json.Unmarshal does
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05.Z","seq":1}`, false},
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05,5Z","seq":1}`, true},          // time.Time.UnmarshalJSON accepts it, as json.Unmarshal does
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05.1234567891Z","seq":1}`, true}, // time.Time.UnmarshalJSON accepts it, as json.Unmarshal does
		{`{"post_id":"p","author_id":1,"created_at":"","seq":1}`, false},
		{`{"post_id":"p","author_id":1,"created_at":null,"seq":1}`, false},
		{`{"post_id":"p","author_id":1,"created_at":0,"seq":1}`, false},
		{`{"post_id":"p","author_id":1,"created_at":"2026-01-02T03:04:05\u005a","seq":1}`, false},
		// Shapes encoding/json decides on.
		{``, false}, {` `, false}, {`{`, false}, {`}`, false}, {`{}`, false}, {`null`, false}, {`[]`, false}, {`"p"`, false},
		{ok[:len(ok)-1], false}, {ok + ` `, false}, {` ` + ok, false}, {ok + "\n", false}, {ok + `}`, false}, {ok + `x`, false}, {ok + ok, false},
		{`{ "post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7}`, false},
		{`{"post_id" :"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7}`, false},
		{`{"Post_ID":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7}`, false},
		{`{"author_id":12,"post_id":"p1","created_at":"2026-01-02T03:04:05Z","seq":7}`, false},
		{`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z"}`, false},
		{`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7,"post_id":"p2"}`, false},
		{`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7,"extra":1}`, false},
		{`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7,"body":"b","body":"c"}`, false},
		{`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7,}`, false},
		{`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7,"body"}`, false},
		{`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7,"body":"b"`, false},
		{`{"post_id":"p1`, false}, {`{"post_id":"p1","author_id":1`, false}, {`{"post_id":"p1","author_id":1,"created_at":"2026`, false},
	}
	for _, c := range cases {
		if fast := checkPost(t, []byte(c.v)); fast != c.fast {
			t.Errorf("%s: fast path %v, want %v", c.v, fast, c.fast)
		}
	}
}

// processReference is Fanout.Process as it was with encoding/json alone: the
// oracle the fast Process must match, record for record and byte for byte.
func processReference(f *Fanout, partition int32, offset int64, key, value []byte) Result {
	var p contract.Post
	reason, kind := "", contract.DeadLetterUnparsable
	if len(bytes.TrimSpace(value)) == 0 {
		reason = "empty value"
	} else if err := json.Unmarshal(value, &p); err != nil {
		reason = "invalid post JSON: " + err.Error()
	} else if p.ID == "" {
		reason = "post has no post_id"
	} else if _, ok := f.Graph.Followers(p.Author); !ok {
		reason = fmt.Sprintf("unknown author %d (graph has users 0..%d)", p.Author, f.Graph.Users()-1)
		kind = contract.DeadLetterUnknownAuthor
	}
	if reason != "" {
		dl := contract.DeadLetter{Reason: reason, ReasonKind: kind, SourcePartition: partition, SourceOffset: offset, Worker: f.Worker, Raw: value, At: f.now()}
		v, _ := json.Marshal(dl)
		return Result{Post: p, Reason: reason, Records: []Record{{Topic: f.DLQTopic, Key: key, Value: v}}}
	}
	followers, _ := f.Graph.Followers(p.Author)
	recs := make([]Record, 0, len(followers))
	at := f.now()
	for _, fo := range followers {
		u := contract.FeedUpdate{PostID: p.ID, Author: p.Author, Follower: fo, Worker: f.Worker,
			SourcePartition: partition, SourceOffset: offset, ProducedAt: at}
		v, _ := json.Marshal(u)
		recs = append(recs, Record{Topic: f.FeedTopic, Key: []byte(strconv.Itoa(fo)), Value: v})
	}
	return Result{Post: p, Records: recs}
}

func checkProcess(t testing.TB, f *Fanout, partition int32, offset int64, key, value []byte) {
	t.Helper()
	got := f.Process(partition, offset, key, value)
	want := processReference(f, partition, offset, key, value)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Process(%d, %d, %q, %q):\n got %+v\nwant %+v", partition, offset, key, value, got, want)
	}
	// Each record owns its bytes: appending to one never changes the next.
	for i := range got.Records {
		r := &got.Records[i]
		_ = append(r.Value, 'x')
		_ = append(r.Key, 'x')
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Process(%d, %d, %q, %q): records share appendable bytes", partition, offset, key, value)
	}
}

func encodeTestFanout(t testing.TB, worker string, at time.Time) *Fanout {
	t.Helper()
	g, err := graph.New(1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return &Fanout{Graph: g, Worker: worker, FeedTopic: "feed-updates", DLQTopic: "posts-dlq", Now: func() time.Time { return at }}
}

func TestProcessMatchesReference(t *testing.T) {
	for _, worker := range []string{"w1", "", "w<1>&\u2028\xff"} {
		for _, at := range []time.Time{time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), {}, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
			f := encodeTestFanout(t, worker, at)
			for a := -1; a <= 1000; a++ {
				v, _ := json.Marshal(contract.Post{ID: "p" + strconv.Itoa(a), Author: a, CreatedAt: time.Now(), Seq: int64(a)})
				checkProcess(t, f, int32(a%12), int64(a)*3, []byte(strconv.Itoa(a)), v)
			}
			for _, v := range []string{"", " \n", "x", "{}", "null", `{"post_id":"","author_id":1,"created_at":"2026-01-02T03:04:05Z","seq":1}`,
				`{"post_id":"p","author_id":"1"}`, `{"post_id":"p<\u2028>","author_id":3,"created_at":"2026-01-02T03:04:05Z","seq":1,"body":"\ud83d\ude42"}`,
				`{"post_id":"p","author_id":3,"created_at":"2026-01-02T03:04:05Z","seq":1.5}`} {
				checkProcess(t, f, 1, 2, []byte("k"), []byte(v))
			}
		}
	}
}

func FuzzFeedUpdateEncoding(f *testing.F) {
	f.Add("p1", "w1", int64(12), int64(34), int32(5), int64(678), int64(1767322800), int64(123456789), int32(0), uint8(0))
	f.Add("p<&>", "w\u2028\u2029", int64(-1), int64(math.MaxInt64), int32(math.MinInt32), int64(math.MinInt64), int64(-62135596800), int64(0), int32(19800), uint8(2))
	f.Add("\xff\x00\"\\", "é🙂\x7f", int64(0), int64(0), int32(0), int64(0), int64(253402300800), int64(0), int32(-86400), uint8(3))
	f.Add("", "", int64(1), int64(-1), int32(1), int64(-1), int64(0), int64(-1), int32(3661), uint8(1))
	f.Fuzz(func(t *testing.T, postID, worker string, author, follower int64, partition int32, offset, sec, nsec int64, zone int32, loc uint8) {
		at := time.Unix(sec, nsec)
		switch loc % 4 {
		case 0:
			at = at.UTC()
		case 1:
			at = at.Local()
		case 2:
			at = at.In(time.FixedZone("", int(zone)%(30*3600)))
		case 3:
			at = at.In(time.FixedZone("Z9", int(zone)))
		}
		u := contract.FeedUpdate{PostID: postID, Author: int(author), Follower: int(follower), Worker: worker,
			SourcePartition: partition, SourceOffset: offset, ProducedAt: at}
		checkUpdate(t, u)
	})
}

func FuzzPostDecoding(f *testing.F) {
	for _, v := range []string{
		`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05.123456789Z","seq":7}`,
		`{"post_id":"p1","author_id":12,"created_at":"2026-01-02T03:04:05Z","seq":7,"body":"hello é"}`,
		`{"post_id":"p\u2028<","author_id":-0,"created_at":"2026-01-02T03:04:05.1+05:30","seq":-9223372036854775808}`,
		`{"post_id":"","author_id":999,"created_at":"0001-01-01T00:00:00Z","seq":0,"body":""}`,
		`{"post_id":"p","author_id":1.5e3,"created_at":null,"seq":1,"extra":[1,{"a":null}]}`,
		"{\"post_id\":\"p\xff\",\"author_id\":1,\"created_at\":\"2026-01-02T03:04:05Z\",\"seq\":1}",
		` {"Post_Id":"p","AUTHOR_ID":1} `, `[]`, `null`, ``,
	} {
		f.Add([]byte(v))
	}
	now := time.Now()
	f.Add(func() []byte {
		v, _ := json.Marshal(contract.Post{ID: "p42", Author: 7, CreatedAt: now, Seq: 42})
		return v
	}())
	f.Add(func() []byte {
		v, _ := json.Marshal(contract.Post{ID: "p42", Author: 7, CreatedAt: now.UTC(), Seq: 42, Body: "<b>&\u2029"})
		return v
	}())
	fo := encodeTestFanout(f, "w1", time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC))
	fo.Graph.Edges()
	f.Fuzz(func(t *testing.T, v []byte) {
		checkPost(t, v)
		checkProcess(t, fo, 3, 99, []byte("k"), v)
	})
}

// BenchmarkFanoutProcess measures Fanout.Process on posts as the producer
// writes them, authors drawn uniformly (about 10 followers each);
// BenchmarkFanoutProcessJSON the same with encoding/json alone (the
// worker before encode.go), for comparison.
func BenchmarkFanoutProcess(b *testing.B) {
	benchmarkProcess(b, (*Fanout).Process)
}

func BenchmarkFanoutProcessJSON(b *testing.B) {
	benchmarkProcess(b, processReference)
}

func benchmarkProcess(b *testing.B, process func(f *Fanout, partition int32, offset int64, key, value []byte) Result) {
	g, err := graph.New(1, 1000)
	if err != nil {
		b.Fatal(err)
	}
	g.Edges()
	f := &Fanout{Graph: g, Worker: "w1", FeedTopic: "feed-updates", DLQTopic: "posts-dlq"}
	r := rand.New(rand.NewPCG(1, 2))
	type in struct{ key, val []byte }
	ins := make([]in, 1024)
	updates := 0
	for i := range ins {
		a := r.IntN(1000)
		v, _ := json.Marshal(contract.Post{ID: "p" + strconv.Itoa(i), Author: a, CreatedAt: time.Now().UTC(), Seq: int64(i)})
		ins[i] = in{[]byte(strconv.Itoa(a)), v}
		updates += g.FollowerCount(a)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		x := ins[i%len(ins)]
		process(f, int32(i%12), int64(i), x.key, x.val)
		i++
	}
	b.ReportMetric(float64(updates)/float64(len(ins)), "updates/post")
}
