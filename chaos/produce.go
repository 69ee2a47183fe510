package chaos

import (
	"context"
	"errors"
	"time"
)

// ClientFaulter installs request faults that select one client's requests
// in the broker itself (its control API, POST /faults with "client"; see
// cmd/kfakebroker/control.go), and counts what they refused.
// fixtures.Broker implements it through an adapter in the suites' kit.
type ClientFaulter interface {
	// AddClientFault refuses client's requests of the kinds keys, on topic
	// ("" any), with kafkaErr, until removed. client matches a client id
	// equal to it or starting with it and "-".
	AddClientFault(ctx context.Context, client string, keys []string, topic, kafkaErr string) (id string, err error)
	// FaultHits is how many requests fault id has refused (-1 if gone).
	FaultHits(ctx context.Context, id string) (int64, error)
	// RemoveFault removes fault id and returns its hits (-1 if gone).
	RemoveFault(ctx context.Context, id string) (hits int64, err error)
}

// ProduceRefusedError is the retriable error ProduceRefused answers with by
// default: the client refreshes its metadata, finds the same leader and
// retries until its delivery timeout.
const ProduceRefusedError = "NOT_LEADER_OR_FOLLOWER"

// ProduceRefused makes the broker refuse one worker's produce requests to
// Topic (the feed-updates topic) with a retriable error (Error, default
// NOT_LEADER_OR_FOLLOWER), while everything else it sends is served: its
// fetches, heartbeats and commits, its produce requests to other topics,
// and every other worker's requests. Nothing refused is appended. The
// worker's updates stay unacknowledged for as long as the fault lasts, and
// past its producer's delivery timeout they fail: the window in which a
// worker that commits unacknowledged work, counts a failed delivery as
// done, or drops its producer's queue at shutdown loses updates.
//
// It selects the worker's clients by client id (the worker id, or the
// worker id followed by "-", as the feed worker's producer "w1-producer").
// It bites when the broker has refused at least one of the worker's
// produce requests. Heal removes the fault (a restarted broker has
// forgotten it: not an error); Refused reports the count at heal.
type ProduceRefused struct {
	B      ClientFaulter
	Worker string
	Topic  string
	Error  string // "" is ProduceRefusedError

	st *countedState
}

// NewProduceRefused returns the fault for worker's produce requests to topic.
func NewProduceRefused(b ClientFaulter, worker, topic string) ProduceRefused {
	return ProduceRefused{B: b, Worker: worker, Topic: topic, st: &countedState{}}
}

func (p ProduceRefused) Name() string   { return "produce-refused" }
func (p ProduceRefused) Target() string { return p.Worker }

func (p ProduceRefused) kafkaErr() string {
	if p.Error == "" {
		return ProduceRefusedError
	}
	return p.Error
}

func (p ProduceRefused) Inject(ctx context.Context) error {
	if p.st == nil {
		return errors.New("fault not built with NewProduceRefused")
	}
	if p.Worker == "" || p.Topic == "" {
		return errors.New("produce-refused: worker and topic must be set")
	}
	id, err := p.B.AddClientFault(ctx, p.Worker, []string{"Produce"}, p.Topic, p.kafkaErr())
	if err != nil {
		return err
	}
	p.st.setID(id)
	return nil
}

func (p ProduceRefused) Heal(ctx context.Context) error {
	if p.st == nil {
		return nil
	}
	return p.st.remove(ctx, "broker fault", p.B.RemoveFault)
}

// Refused is how many produce requests the broker refused: the count at
// heal, or 0 before.
func (p ProduceRefused) Refused() int64 { return p.st.counted() }

// Bit waits until the broker has refused one of the worker's produce
// requests (a worker with nothing to produce is not bitten).
func (p ProduceRefused) Bit(ctx context.Context, _ GroupView, _ time.Time, within time.Duration) error {
	if p.st == nil {
		return errors.New("fault not built with NewProduceRefused")
	}
	return p.st.awaitCounted(ctx, within, "no produce request of "+p.Worker+" refused", p.B.FaultHits)
}
