//go:build mutants

package feed

import (
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

// Every catalogue entry has a mutant in this build and every mutant is in
// the catalogue (register panics otherwise).
func TestMutantCatalogueIsBuilt(t *testing.T) {
	for _, m := range mutants.All {
		mu, err := newMutation(m.Name)
		if err != nil {
			t.Errorf("%s: %v", m.Name, err)
			continue
		}
		if mu.Name() != m.Name {
			t.Errorf("%s: built mutant says it is %q", m.Name, mu.Name())
		}
	}
	if len(registry) != len(mutants.All) {
		t.Errorf("%d mutants registered, %d in the catalogue", len(registry), len(mutants.All))
	}
}

func TestMutantChosenByEnvironment(t *testing.T) {
	env := baseEnv()
	env[mutants.EnvMutant] = "drop-updates"
	c, err := LoadConfig(envOf(env))
	if err != nil || c.Mutant != "drop-updates" {
		t.Fatalf("LoadConfig = %q, %v", c.Mutant, err)
	}
	env[mutants.EnvMutant] = "lose-all"
	if _, err := LoadConfig(envOf(env)); err == nil || !strings.Contains(err.Error(), mutants.EnvMutant+"=") || !strings.Contains(err.Error(), "unknown mutant") {
		t.Fatalf("an unknown mutant was not refused naming %s: %v", mutants.EnvMutant, err)
	}
	delete(env, mutants.EnvMutant)
	if c, err := LoadConfig(envOf(env)); err != nil || c.Mutant != "" {
		t.Fatalf("no mutant: %q, %v", c.Mutant, err)
	}
}

func feedResult(n int) Result {
	r := Result{}
	for i := 0; i < n; i++ {
		r.Records = append(r.Records, Record{Topic: "feed-updates", Key: []byte{byte('a' + i)}})
	}
	return r
}

func TestMutantDropUpdatesDropsEverySeventh(t *testing.T) {
	m, _ := newMutation("drop-updates")
	total, kept := 0, 0
	for i := 0; i < 10; i++ {
		r := feedResult(7)
		m.post(nil, &r)
		total += 7
		kept += len(r.Records)
	}
	if kept != total-total/7 {
		t.Fatalf("kept %d of %d, want %d", kept, total, total-total/7)
	}
}

func TestMutantSkipLastFollowerAndPoison(t *testing.T) {
	m, _ := newMutation("skip-last-follower")
	r := feedResult(3)
	m.post(nil, &r)
	if len(r.Records) != 2 || string(r.Records[1].Key) != "b" {
		t.Fatalf("skip-last-follower kept %v", r.Records)
	}
	skip, _ := newMutation("poison-skip")
	p := Result{Reason: "invalid post JSON", Records: []Record{{Topic: "posts-dlq"}}}
	skip.post(nil, &p)
	if p.Reason != "" || len(p.Records) != 0 {
		t.Fatalf("poison-skip left %+v", p)
	}
	crash, _ := newMutation("poison-crash")
	w := &Worker{}
	ok := feedResult(2)
	crash.post(w, &ok)
	if w.fatal != nil {
		t.Fatal("poison-crash failed on a good post")
	}
	p = Result{Reason: "unknown author 5000", Records: []Record{{Topic: "posts-dlq"}}}
	crash.post(w, &p)
	if w.fatal == nil || !strings.Contains(w.fatal.Error(), "unknown author") {
		t.Fatalf("poison-crash: fatal = %v", w.fatal)
	}
}

func TestMutantCommitOffsets(t *testing.T) {
	m, _ := newMutation("commit-offset-plus-one")
	got := m.commitOffsets(nil, map[int32]int64{0: 10, 3: 1})
	if got[0] != 11 || got[3] != 2 {
		t.Fatalf("commit-offset-plus-one sent %v", got)
	}
	// The correct worker sends what it is given.
	if got := (noMutation{}).commitOffsets(nil, map[int32]int64{0: 10}); got[0] != 10 {
		t.Fatalf("noMutation changed offsets: %v", got)
	}

	topic := "posts"
	msg := func(p int32, o int64) *kafka.Message {
		return &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: p, Offset: kafka.Offset(o)}}
	}
	b := newBatch([]*kafka.Message{msg(0, 5), msg(0, 6), msg(1, 9)}, false)
	for i := range b.posts {
		b.posts[i].processed = true
		b.posts[i].pending = 1
	}
	b.outstanding = 3
	if next := b.nextOffsets(); len(next) != 0 {
		t.Fatalf("correct worker would commit unacknowledged posts: %v", next)
	}
	if po := b.processedOffsets(); po[0] != 7 || po[1] != 10 {
		t.Fatalf("commit-before-ack offsets %v, want 0:7 1:10", po)
	}
	b.markDelivered([]recRef{{b: b, post: 0}})
	if next := b.nextOffsets(); next[0] != 6 || b.outstanding != 2 {
		t.Fatalf("ignore-delivery-errors: next %v outstanding %d", next, b.outstanding)
	}
	b.settleAll()
	if next := b.nextOffsets(); next[0] != 7 || next[1] != 10 || b.outstanding != 0 {
		t.Fatalf("close-without-flush: next %v outstanding %d", next, b.outstanding)
	}
}

func TestMutantStartOffsets(t *testing.T) {
	m, _ := newMutation("stale-position-rewind")
	m.commitOffsets(nil, map[int32]int64{2: 40})
	m.commitOffsets(nil, map[int32]int64{2: 55, 3: 7})
	tps := []kafka.TopicPartition{{Partition: 2, Offset: kafka.OffsetInvalid}, {Partition: 4, Offset: kafka.OffsetInvalid}}
	got := m.assigning(nil, nil, tps, false)
	if got[0].Offset != 55 || got[1].Offset != kafka.OffsetInvalid {
		t.Fatalf("stale-position-rewind assigns %v", got)
	}
	if tps[0].Offset != kafka.OffsetInvalid {
		t.Fatal("assigning changed its argument")
	}
}

func TestMutantRevokePlans(t *testing.T) {
	cases := map[string]struct{ revoked, lost revokePlan }{
		"":                    {revokePlan{}, revokePlan{lost: true}},
		"no-commit-on-revoke": {revokePlan{noCommit: true}, revokePlan{lost: true}},
		"zombie-buffered":     {revokePlan{keep: true}, revokePlan{lost: true, keep: true}},
		"lost-as-revoked":     {revokePlan{}, revokePlan{}},
	}
	for name, want := range cases {
		m, _ := newMutation(name)
		if got := m.revoking(nil, []int32{1}, false); got != want.revoked {
			t.Errorf("%q revoked: %+v, want %+v", name, got, want.revoked)
		}
		if got := m.revoking(nil, []int32{1}, true); got != want.lost {
			t.Errorf("%q lost: %+v, want %+v", name, got, want.lost)
		}
	}
	// zombie-buffered's queue: it gathers for prefetchWindow, the others
	// for the production window.
	for name, want := range map[string]time.Duration{"": batchWindow, "no-commit-on-revoke": batchWindow, "zombie-buffered": prefetchWindow} {
		if m, _ := newMutation(name); m.batchWindow(batchWindow) != want {
			t.Errorf("%q gathers for %s, want %s", name, m.batchWindow(batchWindow), want)
		}
	}
	w := &Worker{pending: []*kafka.Message{
		{TopicPartition: kafka.TopicPartition{Partition: 1}},
		{TopicPartition: kafka.TopicPartition{Partition: 2}},
		{TopicPartition: kafka.TopicPartition{Partition: 1}},
	}}
	taken := w.takePending([]int32{1})
	if len(taken) != 2 || len(w.pending) != 1 || w.pending[0].TopicPartition.Partition != 2 {
		t.Fatalf("takePending took %d, left %d", len(taken), len(w.pending))
	}
}

func TestMutantConfigs(t *testing.T) {
	c, err := LoadConfig(envOf(baseEnv()))
	if err != nil {
		t.Fatal(err)
	}
	c.Delivery = "exactly-once"
	for name, check := range map[string]func(cc, pc kafka.ConfigMap) bool{
		"reset-latest": func(cc, _ kafka.ConfigMap) bool { return cc["auto.offset.reset"] == "latest" },
		"heartbeat-interval-too-long": func(cc, _ kafka.ConfigMap) bool {
			return cc["heartbeat.interval.ms"] == int(c.SessionTimeout.Milliseconds()*8/10)
		},
		"eos-auto-commit": func(cc, _ kafka.ConfigMap) bool {
			return cc["enable.auto.commit"] == true && cc["enable.auto.offset.store"] == true
		},
		"eos-unfenced-txn-id": func(_, pc kafka.ConfigMap) bool {
			id, _ := pc["transactional.id"].(string)
			return strings.HasPrefix(id, c.TransactionalID()+"-") && id != c.TransactionalID()
		},
	} {
		m, _ := newMutation(name)
		cc, pc := c.ConsumerConfig(), c.ProducerConfig()
		m.clientConfig(c, cc, pc)
		if !check(*cc, *pc) {
			t.Errorf("%s: consumer %v producer %v", name, *cc, *pc)
		}
	}
}

func TestMutantPollStarvationBlocksOnceOnACelebrity(t *testing.T) {
	f := testFanout(t)
	w := &Worker{fan: f, cfg: Config{MaxPollInterval: -1900 * time.Millisecond}} // blocks 100 ms
	m, _ := newMutation("poll-starvation")
	celebs := celebrities(w)
	if len(celebs) != 10 {
		t.Fatalf("%d celebrities of 1000 users, want 10", len(celebs))
	}
	var celeb, plain int
	for u := range celebs {
		celeb = u
	}
	for celebs[plain] {
		plain++
	}
	if f.Graph.FollowerCount(celeb) < f.Graph.FollowerCount(plain) {
		t.Fatalf("celebrity %d has fewer followers than %d", celeb, plain)
	}
	took := func(author int) time.Duration {
		r := feedResult(1)
		r.Post.Author = author
		start := time.Now()
		m.post(w, &r)
		return time.Since(start)
	}
	if d := took(plain); d > 50*time.Millisecond {
		t.Fatalf("blocked %s on a plain author", d)
	}
	if d := took(celeb); d < 90*time.Millisecond {
		t.Fatalf("did not block on a celebrity (%s)", d)
	}
	if d := took(celeb); d > 50*time.Millisecond {
		t.Fatalf("blocked twice (%s)", d)
	}
}
