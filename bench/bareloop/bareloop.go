// Package bareloop is the baseline the bench measures the feed worker
// against: the least a consume -> fan out -> produce -> commit loop can do
// with confluent-kafka-go on the same broker, with the same client settings
// and the same at-least-once discipline (produce every update, wait for every
// acknowledgement, then commit), and none of the worker's bookkeeping.
//
// Per post it reads the author from the record key and the post id by a
// byte scan of the value (no JSON decoding), and produces one record per
// follower of the author in the social graph with key = follower id. The
// value (BARE_VALUE) is either "update" (default): the same feed update
// the worker writes (contract.FeedUpdate, same fields and order), appended
// byte by byte instead of encoded; or "raw": the post's bytes as read, the
// least a loop can write.
// Batches are formed like the worker's (up to 500 records or 20 ms after the
// first one).
//
// Configured by the worker contract's environment (KAFKA_BOOTSTRAP, GROUP_ID,
// WORKER_ID, POSTS_TOPIC, FEED_TOPIC, GRAPH_SEED, GRAPH_USERS,
// SESSION_TIMEOUT_MS, HEARTBEAT_INTERVAL_MS, MAX_POLL_INTERVAL_MS; the rest is
// ignored). It prints the contract's started and stopped events, and
// returns after committing what it produced once stop is closed. The
// command (cmd/bareloop) runs it in the bench's image; the in-process
// benchmark (bench/inproc) runs it beside the feed worker on an in-process
// broker.
package bareloop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

const (
	maxBatch    = 500
	batchWindow = 20 * time.Millisecond
)

// Run runs the loop configured by getenv (the worker contract's variables)
// until stop is closed, printing events to out and errors to errOut, and
// returns the process exit code (contract.Exit*).
func Run(getenv func(string) string, stop <-chan struct{}, out, stderr io.Writer) int {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	var bad []string
	envInt := func(k string, def int) int {
		n, err := strconv.Atoi(env(k, strconv.Itoa(def)))
		if err != nil {
			bad = append(bad, k)
		}
		return n
	}
	emit := func(worker string, kind contract.EventKind, detail map[string]string) {
		b, _ := json.Marshal(contract.Event{TS: time.Now().UTC(), Worker: worker, Event: kind, Detail: detail})
		out.Write(append(b, '\n'))
	}
	boot, group, id := env(contract.EnvBootstrap, ""), env(contract.EnvGroupID, ""), env(contract.EnvWorkerID, "")
	if boot == "" || group == "" || id == "" {
		fmt.Fprintln(stderr, "bareloop: KAFKA_BOOTSTRAP, GROUP_ID and WORKER_ID are required")
		return contract.ExitBadConfig
	}
	postsTopic := env(contract.EnvPostsTopic, contract.DefaultPostsTopic)
	rawValue := false
	switch v := env("BARE_VALUE", "update"); v {
	case "update":
	case "raw":
		rawValue = true
	default:
		fmt.Fprintf(stderr, "bareloop: BARE_VALUE=%q: want update or raw\n", v)
		return contract.ExitBadConfig
	}
	feedTopic := env(contract.EnvFeedTopic, contract.DefaultFeedTopic)
	seed, err := strconv.ParseUint(env(contract.EnvGraphSeed, "1"), 10, 64)
	if err != nil {
		fmt.Fprintf(stderr, "bareloop: %s: %v\n", contract.EnvGraphSeed, err)
		return contract.ExitBadConfig
	}
	g, err := graph.New(seed, envInt(contract.EnvGraphUsers, 1000))
	if err != nil {
		fmt.Fprintf(stderr, "bareloop: %v\n", err)
		return contract.ExitBadConfig
	}
	session, heartbeat, maxPoll := envInt(contract.EnvSessionTimeoutMS, 6000), envInt(contract.EnvHeartbeatMS, 1000), envInt(contract.EnvMaxPollMS, 30000)
	if len(bad) > 0 {
		fmt.Fprintf(stderr, "bareloop: not integers: %v\n", bad)
		return contract.ExitBadConfig
	}
	g.Edges() // build the graph before the first post

	c, err := kafka.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers":        boot,
		"group.id":                 group,
		"client.id":                id,
		"enable.auto.commit":       false,
		"enable.auto.offset.store": false,
		"auto.offset.reset":        "earliest",
		"isolation.level":          "read_committed",
		"enable.partition.eof":     false,
		"broker.address.family":    "v4",
		"log.connection.close":     false,
		"group.protocol":           "classic",
		"session.timeout.ms":       session,
		"heartbeat.interval.ms":    heartbeat,
		"max.poll.interval.ms":     maxPoll,
	})
	if err != nil {
		fmt.Fprintf(stderr, "bareloop: consumer: %v\n", err)
		return contract.ExitFatal
	}
	p, err := kafka.NewProducer(&kafka.ConfigMap{
		"bootstrap.servers":     boot,
		"client.id":             id + "-producer",
		"acks":                  "all",
		"enable.idempotence":    true,
		"linger.ms":             5,
		"broker.address.family": "v4",
		"log.connection.close":  false,
	})
	if err != nil {
		fmt.Fprintf(stderr, "bareloop: producer: %v\n", err)
		return contract.ExitFatal
	}
	go func() { // errors only; delivery reports go to dch
		for ev := range p.Events() {
			if e, ok := ev.(kafka.Error); ok {
				fmt.Fprintf(stderr, "bareloop: producer: %v\n", e)
			}
		}
	}()
	if err := c.SubscribeTopics([]string{postsTopic}, nil); err != nil {
		fmt.Fprintf(stderr, "bareloop: subscribe: %v\n", err)
		return contract.ExitFatal
	}
	emit(id, contract.EventStarted, map[string]string{"mode": "bareloop", "group": group, "value": env("BARE_VALUE", "update")})

	dch := make(chan kafka.Event, 1<<16)
	var consumed, produced, retried int64
	pending := 0
	var retry []*kafka.Message
	await := func() { // serve one delivery report; a failed record is queued to be produced again
		ev := <-dch
		pending--
		if m, ok := ev.(*kafka.Message); ok && m.TopicPartition.Error != nil {
			retried++
			m.TopicPartition.Partition = kafka.PartitionAny
			m.TopicPartition.Error = nil
			retry = append(retry, m)
			return
		}
		produced++
	}
	var batch []*kafka.Message
	stopping := false
	for !stopping {
		// Poll a batch: up to maxBatch records, or batchWindow after the first.
		batch = batch[:0]
		var windowEnd time.Time
		for len(batch) < maxBatch {
			select {
			case <-stop:
				stopping = true
			default:
			}
			if stopping {
				break
			}
			timeout := 100 * time.Millisecond
			if len(batch) > 0 {
				timeout = time.Until(windowEnd)
				if timeout <= 0 {
					break
				}
			}
			switch e := c.Poll(max(1, int(timeout.Milliseconds()))).(type) {
			case *kafka.Message:
				if e.TopicPartition.Error != nil {
					continue
				}
				if len(batch) == 0 {
					windowEnd = time.Now().Add(batchWindow)
				}
				batch = append(batch, e)
			case kafka.Error:
				if e.IsFatal() {
					fmt.Fprintf(stderr, "bareloop: fatal: %v\n", e)
					return contract.ExitFatal
				}
			}
		}
		if len(batch) == 0 {
			continue
		}
		// Fan out: one record per follower, the post's bytes as the value.
		next := map[int32]int64{}
		for _, m := range batch {
			consumed++
			author, _ := strconv.Atoi(string(m.Key))
			followers, _ := g.Followers(author)
			var head []byte // the update's fields before follower_id, shared by all followers
			var tail []byte // and after it
			if !rawValue {
				head, tail = updateParts(m, author, id)
			}
			for _, f := range followers {
				value := m.Value
				if !rawValue {
					value = make([]byte, 0, len(head)+len(tail)+8)
					value = append(value, head...)
					value = strconv.AppendInt(value, int64(f), 10)
					value = append(value, tail...)
				}
				rec := &kafka.Message{
					TopicPartition: kafka.TopicPartition{Topic: &feedTopic, Partition: kafka.PartitionAny},
					Key:            strconv.AppendInt(nil, int64(f), 10),
					Value:          value,
				}
				produce(p, rec, dch, &pending, await, stderr)
			}
			next[m.TopicPartition.Partition] = int64(m.TopicPartition.Offset) + 1
		}
		for pending > 0 || len(retry) > 0 {
			if len(retry) > 0 {
				m := retry[0]
				retry = retry[1:]
				produce(p, m, dch, &pending, await, stderr)
				continue
			}
			await()
		}
		// Commit what is acknowledged.
		tps := make([]kafka.TopicPartition, 0, len(next))
		for part, off := range next {
			tps = append(tps, kafka.TopicPartition{Topic: &postsTopic, Partition: part, Offset: kafka.Offset(off)})
		}
		if _, err := c.CommitOffsets(tps); err != nil {
			fmt.Fprintf(stderr, "bareloop: commit: %v\n", err)
		}
	}
	_ = c.Close()
	p.Flush(5000)
	p.Close()
	emit(id, contract.EventStopped, map[string]string{"consumed": strconv.FormatInt(consumed, 10),
		"produced": strconv.FormatInt(produced, 10), "retried": strconv.FormatInt(retried, 10)})
	return contract.ExitOK
}

// produce hands one record to the producer; while its queue is full it
// serves one delivery report (await) and tries again.
func produce(p *kafka.Producer, m *kafka.Message, dch chan kafka.Event, pending *int, await func(), stderr io.Writer) {
	for {
		err := p.Produce(m, dch)
		if err == nil {
			*pending++
			return
		}
		if ke, ok := err.(kafka.Error); ok && ke.Code() == kafka.ErrQueueFull && *pending > 0 {
			await()
			continue
		}
		fmt.Fprintf(stderr, "bareloop: produce: %v\n", err)
		time.Sleep(10 * time.Millisecond)
	}
}

// updateParts returns the bytes of a contract.FeedUpdate for post record m
// before and after the follower id, so that each follower's update is two
// appends and a number. The post id is found by a byte scan of the value.
func updateParts(m *kafka.Message, author int, worker string) (head, tail []byte) {
	postID := scanString(m.Value, `"post_id":"`)
	head = append(head, `{"post_id":"`...)
	head = append(head, postID...)
	head = append(head, `","author_id":`...)
	head = strconv.AppendInt(head, int64(author), 10)
	head = append(head, `,"follower_id":`...)
	tail = append(tail, `,"worker":"`...)
	tail = append(tail, worker...)
	tail = append(tail, `","source_partition":`...)
	tail = strconv.AppendInt(tail, int64(m.TopicPartition.Partition), 10)
	tail = append(tail, `,"source_offset":`...)
	tail = strconv.AppendInt(tail, int64(m.TopicPartition.Offset), 10)
	tail = append(tail, `,"produced_at":"`...)
	tail = time.Now().UTC().AppendFormat(tail, time.RFC3339Nano)
	tail = append(tail, `"}`...)
	return head, tail
}

// scanString returns the JSON string value following prefix in b (no
// escapes expected: post ids are plain).
func scanString(b []byte, prefix string) []byte {
	i := bytes.Index(b, []byte(prefix))
	if i < 0 {
		return nil
	}
	rest := b[i+len(prefix):]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return nil
}
