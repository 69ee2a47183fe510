package bareloop

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/workers/contract"
)

// The bare loop's hand-appended update must be the same record the worker
// writes, or the comparison would not be like for like.
func TestUpdatePartsMakeAFeedUpdate(t *testing.T) {
	post, _ := json.Marshal(contract.Post{ID: "p42", Author: 7, Seq: 42})
	topic := "posts"
	m := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 3, Offset: 99}, Key: []byte("7"), Value: post}
	head, tail := updateParts(m, 7, "bare1")
	v := append(append(append([]byte{}, head...), strconv.Itoa(12)...), tail...)
	var u contract.FeedUpdate
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&u); err != nil {
		t.Fatalf("%s: %v", v, err)
	}
	if u.PostID != "p42" || u.Author != 7 || u.Follower != 12 || u.Worker != "bare1" || u.SourcePartition != 3 || u.SourceOffset != 99 || u.ProducedAt.IsZero() {
		t.Fatalf("decoded %+v from %s", u, v)
	}
	if got := scanString([]byte(`{"x":1}`), `"post_id":"`); got != nil {
		t.Fatalf("no post id: got %q", got)
	}
}
