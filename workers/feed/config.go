// Package feed is the StreamSocial feed worker: it consumes posts, fans each
// one out to the author's followers as feed updates, and commits. It
// implements the contract in workers/contract; cmd/feedworker wraps it in a
// process, and tests run it in-process (New + Run with a context).
package feed

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
	"github.com/streamsocial/feedchaos/workers/feed/mutants"
)

// Config is the worker's whole configuration. LoadConfig builds it from the
// environment; tests may build one directly and call Validate.
type Config struct {
	Bootstrap  string // KAFKA_BOOTSTRAP, host:port[,host:port...]
	GroupID    string // GROUP_ID
	WorkerID   string // WORKER_ID, also the Kafka client.id
	PostsTopic string // POSTS_TOPIC
	FeedTopic  string // FEED_TOPIC
	DLQTopic   string // DLQ_TOPIC

	// Assignor is ASSIGNOR. Classic protocol: range (default), roundrobin or
	// cooperative-sticky. Consumer protocol: "" (the broker's default),
	// uniform or range; classic-only assignors are ignored (see Ignored).
	Assignor   string
	Protocol   string // GROUP_PROTOCOL: classic (default) or consumer
	InstanceID string // GROUP_INSTANCE_ID, static membership when non-empty

	SessionTimeout    time.Duration // SESSION_TIMEOUT_MS (classic only)
	HeartbeatInterval time.Duration // HEARTBEAT_INTERVAL_MS (classic only)
	MaxPollInterval   time.Duration // MAX_POLL_INTERVAL_MS

	Delivery   string // DELIVERY: at-least-once (default) or exactly-once
	GraphSeed  uint64 // GRAPH_SEED
	GraphUsers int    // GRAPH_USERS

	HTTPAddr        string        // HTTP_ADDR
	ProcessDelay    time.Duration // PROCESS_DELAY_MS, slept per post before producing
	ShutdownTimeout time.Duration // SHUTDOWN_TIMEOUT_MS
	// Debug is FEEDWORKER_DEBUG: librdkafka debug contexts for the consumer
	// (e.g. "cgrp,fetch"), printed by librdkafka on stderr; "" for none.
	// For diagnosis only (this worker's own variable, not the contract's).
	Debug string
	// ReconnectBackoffMax is FEEDWORKER_RECONNECT_BACKOFF_MAX_MS, both
	// clients' reconnect.backoff.max.ms (see DefaultReconnectBackoffMax).
	ReconnectBackoffMax time.Duration
	// NoWake is FEEDWORKER_WAKE=0: no wakeFetchers after cooperative
	// rebalance callbacks (wake.go). For diagnosis only: it measures what
	// the wake-up does.
	NoWake bool
	// FetchWaitMax is FEEDWORKER_FETCH_WAIT_MAX_MS, the consumer's
	// fetch.wait.max.ms; 0 (unset) keeps librdkafka's 500 ms. For
	// measurement: how long a fetch long-polls the broker bounds how long
	// a partition resumed after a rebalance callback waits for the fetch
	// already in flight on its broker.
	FetchWaitMax time.Duration

	// Mutant is the deliberate bug of a mutants build (FEEDWORKER_MUTANT,
	// read only by that build; see mutation.go); always "" in production.
	Mutant string

	// Ignored lists the environment variables that were set but have no
	// effect under the chosen group protocol (classic-only settings under
	// GROUP_PROTOCOL=consumer). The started event reports them.
	Ignored []string
}

// Defaults for the variables that have one.
const (
	DefaultAssignor        = contract.AssignorRange
	DefaultProtocol        = contract.ProtocolClassic
	DefaultSessionTimeout  = 6 * time.Second
	DefaultHeartbeat       = 1 * time.Second
	DefaultMaxPollInterval = 30 * time.Second
	DefaultDelivery        = contract.DeliveryAtLeastOnce
	DefaultGraphSeed       = 1
	DefaultGraphUsers      = 1000
	DefaultHTTPAddr        = ":8080"
	DefaultShutdownTimeout = 10 * time.Second

	// DefaultReconnectBackoffMax caps librdkafka's reconnect backoff
	// (reconnect.backoff.max.ms, 10 s in librdkafka). The backoff doubles
	// from 100 ms on every failed connection attempt, so after a broker
	// outage of a few seconds the next attempt can come up to 10 s after
	// the broker is back: measured, workers rejoined 3.3-7.4 s after a broker
	// outage of 8 s had ended and the group's lag took 11.2 s to recover
	// (goal 10 s). With 1 s the workers reconnect within about a second
	// of the broker's return; the cost is at most one connection attempt
	// per second per broker and client while a broker is down.
	DefaultReconnectBackoffMax = 1 * time.Second
)

// This worker's own variables (not the contract's): diagnosis and
// librdkafka settings a harness may vary to measure them.
const (
	EnvDebug                 = "FEEDWORKER_DEBUG"
	EnvReconnectBackoffMaxMS = "FEEDWORKER_RECONNECT_BACKOFF_MAX_MS"
	EnvWake                  = "FEEDWORKER_WAKE"
	EnvFetchWaitMaxMS        = "FEEDWORKER_FETCH_WAIT_MAX_MS"
)

// LoadConfig reads and validates the configuration from getenv (os.Getenv in
// the command). All problems are reported at once, each naming its variable.
func LoadConfig(getenv func(string) string) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	var errs []error
	bad := func(k, v, why string) {
		errs = append(errs, fmt.Errorf("%s=%q: %s", k, v, why))
	}
	ms := func(k string, def time.Duration, min, max int64) time.Duration {
		v := get(k)
		if v == "" {
			return def
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			bad(k, v, "not an integer number of milliseconds")
			return def
		}
		if n < min || n > max {
			bad(k, v, fmt.Sprintf("out of range [%d, %d] ms", min, max))
			return def
		}
		return time.Duration(n) * time.Millisecond
	}
	or := func(k, def string) string {
		if v := get(k); v != "" {
			return v
		}
		return def
	}

	c := Config{
		Bootstrap:  get(contract.EnvBootstrap),
		GroupID:    get(contract.EnvGroupID),
		WorkerID:   get(contract.EnvWorkerID),
		PostsTopic: or(contract.EnvPostsTopic, contract.DefaultPostsTopic),
		FeedTopic:  or(contract.EnvFeedTopic, contract.DefaultFeedTopic),
		DLQTopic:   or(contract.EnvDLQTopic, contract.DefaultDLQTopic),
		Protocol:   or(contract.EnvGroupProtocol, DefaultProtocol),
		InstanceID: get(contract.EnvInstanceID),
		Delivery:   or(contract.EnvDelivery, DefaultDelivery),
		HTTPAddr:   or(contract.EnvHTTPAddr, DefaultHTTPAddr),
		Mutant:     mutantFromEnv(get),
		Assignor:   get(contract.EnvAssignor),
	}
	c.SessionTimeout = ms(contract.EnvSessionTimeoutMS, DefaultSessionTimeout, 1, 3_600_000)
	c.HeartbeatInterval = ms(contract.EnvHeartbeatMS, DefaultHeartbeat, 1, 3_600_000)
	c.MaxPollInterval = ms(contract.EnvMaxPollMS, DefaultMaxPollInterval, 1, 86_400_000)
	c.ProcessDelay = ms(contract.EnvProcessDelayMS, 0, 0, 3_600_000)
	c.ShutdownTimeout = ms(contract.EnvShutdownTimeoutMS, DefaultShutdownTimeout, 1, 3_600_000)
	c.ReconnectBackoffMax = ms(EnvReconnectBackoffMaxMS, DefaultReconnectBackoffMax, 100, 3_600_000)
	c.Debug = get(EnvDebug)
	c.FetchWaitMax = ms(EnvFetchWaitMaxMS, 0, 1, 300_000)
	switch v := get(EnvWake); v {
	case "", "1":
	case "0":
		c.NoWake = true
	default:
		bad(EnvWake, v, "want 0 (no wake-up after cooperative callbacks) or 1 (the default)")
	}

	c.GraphSeed = DefaultGraphSeed
	if v := get(contract.EnvGraphSeed); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			bad(contract.EnvGraphSeed, v, "not an unsigned integer")
		} else {
			c.GraphSeed = n
		}
	}
	c.GraphUsers = DefaultGraphUsers
	if v := get(contract.EnvGraphUsers); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			bad(contract.EnvGraphUsers, v, "not an integer")
		} else {
			c.GraphUsers = n
		}
	}

	// Classic-only settings under the consumer protocol are ignored, not
	// rejected, so a harness can set them for every worker alike.
	if c.Protocol == contract.ProtocolConsumer {
		for _, k := range []string{contract.EnvSessionTimeoutMS, contract.EnvHeartbeatMS} {
			if get(k) != "" {
				c.Ignored = append(c.Ignored, k)
			}
		}
		switch c.Assignor {
		case contract.AssignorRoundRobin, contract.AssignorCooperativeSticky:
			c.Ignored = append(c.Ignored, contract.EnvAssignor)
			c.Assignor = ""
		}
	} else if c.Assignor == "" {
		c.Assignor = DefaultAssignor
	}

	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	return c, nil
}

// Validate checks the relations and enumerations of a Config; LoadConfig
// calls it. Each error names the environment variable at fault.
func (c Config) Validate() error {
	var errs []error
	bad := func(k, v, why string) {
		errs = append(errs, fmt.Errorf("%s=%q: %s", k, v, why))
	}
	if c.Bootstrap == "" {
		bad(contract.EnvBootstrap, c.Bootstrap, "required (host:port[,host:port...])")
	} else {
		for _, hp := range strings.Split(c.Bootstrap, ",") {
			if err := checkHostPort(strings.TrimSpace(hp), false); err != nil {
				bad(contract.EnvBootstrap, c.Bootstrap, err.Error())
				break
			}
		}
	}
	if c.GroupID == "" {
		bad(contract.EnvGroupID, c.GroupID, "required")
	}
	if c.WorkerID == "" {
		bad(contract.EnvWorkerID, c.WorkerID, "required")
	} else if strings.ContainsAny(c.WorkerID, " \t\r\n") {
		bad(contract.EnvWorkerID, c.WorkerID, "must not contain whitespace")
	}
	if strings.ContainsAny(c.InstanceID, " \t\r\n") {
		bad(contract.EnvInstanceID, c.InstanceID, "must not contain whitespace")
	}
	for k, v := range map[string]string{contract.EnvPostsTopic: c.PostsTopic, contract.EnvFeedTopic: c.FeedTopic, contract.EnvDLQTopic: c.DLQTopic} {
		if v == "" {
			bad(k, v, "must not be empty")
		}
	}
	if c.FeedTopic == c.PostsTopic {
		bad(contract.EnvFeedTopic, c.FeedTopic, "must differ from "+contract.EnvPostsTopic)
	}
	if c.DLQTopic == c.PostsTopic {
		bad(contract.EnvDLQTopic, c.DLQTopic, "must differ from "+contract.EnvPostsTopic)
	}

	switch c.Protocol {
	case contract.ProtocolClassic:
		switch c.Assignor {
		case contract.AssignorRange, contract.AssignorRoundRobin, contract.AssignorCooperativeSticky:
		default:
			bad(contract.EnvAssignor, c.Assignor, "classic protocol assignor must be range, roundrobin or cooperative-sticky")
		}
		if c.HeartbeatInterval >= c.SessionTimeout {
			bad(contract.EnvHeartbeatMS, strconv.FormatInt(c.HeartbeatInterval.Milliseconds(), 10),
				fmt.Sprintf("must be less than %s (%d)", contract.EnvSessionTimeoutMS, c.SessionTimeout.Milliseconds()))
		}
		if c.MaxPollInterval < c.SessionTimeout {
			bad(contract.EnvMaxPollMS, strconv.FormatInt(c.MaxPollInterval.Milliseconds(), 10),
				fmt.Sprintf("must be at least %s (%d)", contract.EnvSessionTimeoutMS, c.SessionTimeout.Milliseconds()))
		}
	case contract.ProtocolConsumer:
		switch c.Assignor {
		case "", contract.AssignorUniform, contract.AssignorRange:
		default:
			bad(contract.EnvAssignor, c.Assignor, "consumer protocol assignor must be uniform, range or unset")
		}
	default:
		bad(contract.EnvGroupProtocol, c.Protocol, "must be classic or consumer")
	}
	if c.SessionTimeout <= 0 {
		bad(contract.EnvSessionTimeoutMS, c.SessionTimeout.String(), "must be positive")
	}
	if c.HeartbeatInterval <= 0 {
		bad(contract.EnvHeartbeatMS, c.HeartbeatInterval.String(), "must be positive")
	}
	if c.MaxPollInterval <= 0 {
		bad(contract.EnvMaxPollMS, c.MaxPollInterval.String(), "must be positive")
	}
	if c.ShutdownTimeout <= 0 {
		bad(contract.EnvShutdownTimeoutMS, c.ShutdownTimeout.String(), "must be positive")
	}
	if c.ProcessDelay < 0 {
		bad(contract.EnvProcessDelayMS, c.ProcessDelay.String(), "must not be negative")
	}
	switch c.Delivery {
	case contract.DeliveryAtLeastOnce, contract.DeliveryExactlyOnce:
	default:
		bad(contract.EnvDelivery, c.Delivery, "must be at-least-once or exactly-once")
	}
	if c.GraphUsers < graph.MinUsers || c.GraphUsers > graph.MaxUsers {
		bad(contract.EnvGraphUsers, strconv.Itoa(c.GraphUsers), fmt.Sprintf("must be in [%d, %d]", graph.MinUsers, graph.MaxUsers))
	}
	if err := checkHostPort(c.HTTPAddr, true); err != nil {
		bad(contract.EnvHTTPAddr, c.HTTPAddr, err.Error())
	}
	if _, err := newMutation(c.Mutant); err != nil {
		bad(mutants.EnvMutant, c.Mutant, err.Error())
	}
	return errors.Join(errs...)
}

// checkHostPort accepts host:port with a numeric port; an empty host (":8080")
// and port 0 are allowed only when listening.
func checkHostPort(hp string, listen bool) error {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return fmt.Errorf("%q is not host:port", hp)
	}
	if host == "" && !listen {
		return fmt.Errorf("%q has no host", hp)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || (n == 0 && !listen) {
		return fmt.Errorf("%q has no valid port", hp)
	}
	return nil
}

// TransactionalID is the producer's transactional.id in exactly-once mode:
// stable across restarts of the same worker so that a restarted worker (or a
// zombie) is fenced.
func (c Config) TransactionalID() string {
	if c.InstanceID != "" {
		return "feedworker-" + c.InstanceID
	}
	return "feedworker-" + c.WorkerID
}

// ExactlyOnce reports whether DELIVERY=exactly-once.
func (c Config) ExactlyOnce() bool { return c.Delivery == contract.DeliveryExactlyOnce }
