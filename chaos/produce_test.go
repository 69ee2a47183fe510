package chaos

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClientFaulter is a broker whose faults refuse whatever hits says.
type fakeClientFaulter struct {
	mu      sync.Mutex
	added   []string // client/keys/topic/error of each fault
	hits    int64
	removed int
}

func (f *fakeClientFaulter) AddClientFault(_ context.Context, client string, keys []string, topic, kafkaErr string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.added = append(f.added, client+"/"+keys[0]+"/"+topic+"/"+kafkaErr)
	return "7", nil
}

func (f *fakeClientFaulter) FaultHits(context.Context, string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits, nil
}

func (f *fakeClientFaulter) RemoveFault(context.Context, string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed++
	return f.hits, nil
}

func TestProduceRefusedBitesOnlyOnceTheBrokerRefused(t *testing.T) {
	b := &fakeClientFaulter{}
	p := NewProduceRefused(b, "w1", "feed-updates")
	ctx := context.Background()
	if err := p.Bit(ctx, nil, time.Now(), time.Millisecond); err == nil {
		t.Fatal("bit before inject")
	}
	if err := p.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	if len(b.added) != 1 || b.added[0] != "w1/Produce/feed-updates/NOT_LEADER_OR_FOLLOWER" {
		t.Fatalf("added %v", b.added)
	}
	if err := p.Bit(ctx, nil, time.Now(), 150*time.Millisecond); !errors.Is(err, ErrNoBite) {
		t.Fatalf("bit with no refusal: %v", err)
	}
	b.mu.Lock()
	b.hits = 3
	b.mu.Unlock()
	if err := p.Bit(ctx, nil, time.Now(), time.Second); err != nil {
		t.Fatalf("bit after refusals: %v", err)
	}
	b.mu.Lock()
	b.hits = 5
	b.mu.Unlock()
	for range 2 {
		if err := p.Heal(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if b.removed != 1 || p.Refused() != 5 {
		t.Errorf("removed %d times, refused %d; want once, 5", b.removed, p.Refused())
	}
	var zero ProduceRefused
	if zero.Heal(ctx) != nil || zero.Inject(ctx) == nil {
		t.Error("zero value: heal must be a no-op and inject an error")
	}
}

// fakeHolder is a broker whose holds have held whatever hits says.
type fakeHolder struct {
	mu      sync.Mutex
	added   []string
	hits    int64
	removed int
}

func (f *fakeHolder) AddHold(_ context.Context, client string, keys []string, hold time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.added = append(f.added, client+"/"+keys[0]+"/"+hold.String())
	return "3", nil
}

func (f *fakeHolder) HoldHits(context.Context, string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits, nil
}

func (f *fakeHolder) RemoveHold(context.Context, string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed++
	return f.hits, nil
}

func TestCommitsHeldBitesOnlyOnceTheBrokerHeldACommit(t *testing.T) {
	b := &fakeHolder{}
	c := NewCommitsHeld(b, "w2", 2500*time.Millisecond)
	ctx := context.Background()
	if err := c.Bit(ctx, nil, time.Now(), time.Millisecond); err == nil {
		t.Fatal("bit before inject")
	}
	if err := c.Inject(ctx); err != nil {
		t.Fatal(err)
	}
	if len(b.added) != 1 || b.added[0] != "w2/OffsetCommit/2.5s" {
		t.Fatalf("added %v", b.added)
	}
	if err := c.Bit(ctx, nil, time.Now(), 150*time.Millisecond); !errors.Is(err, ErrNoBite) {
		t.Fatalf("bit with nothing held: %v", err)
	}
	b.mu.Lock()
	b.hits = 2
	b.mu.Unlock()
	if err := c.Bit(ctx, nil, time.Now(), time.Second); err != nil || c.Held() != 2 {
		t.Fatalf("bit after holds: %v, held %d", err, c.Held())
	}
	for range 2 {
		if err := c.Heal(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if b.removed != 1 {
		t.Errorf("removed %d times, want once", b.removed)
	}
	if err := NewCommitsHeld(b, "w2", 0).Inject(ctx); err == nil {
		t.Error("a zero hold was injected")
	}
}
