package scratch3

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
	"github.com/streamsocial/feedchaos/workers/feed"
)

func BenchmarkProcess(b *testing.B) {
	g, _ := graph.New(1, 1000)
	g.Edges()
	f := &feed.Fanout{Graph: g, Worker: "w1", FeedTopic: "feed-updates", DLQTopic: "dlq"}
	var posts [][]byte
	for a := 0; a < 1000; a++ {
		v, _ := json.Marshal(contract.Post{ID: "p123456", Author: a, CreatedAt: time.Now(), Seq: 123456})
		posts = append(posts, v)
	}
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		r := f.Process(3, int64(i), []byte("12"), posts[i%1000])
		n += len(r.Records)
	}
	b.ReportMetric(float64(n)/float64(b.N), "updates/post")
}
