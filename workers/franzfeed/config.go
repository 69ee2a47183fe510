// Package franzfeed is a second StreamSocial feed worker, built on franz-go
// (kgo) and written from the worker contract (README.md, "The worker
// contract", and workers/contract) alone: it shares no code with
// workers/feed. It exists to show what the contract fails to state.
package franzfeed

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/streamsocial/feedchaos/graph"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// Config is the worker's environment, validated.
type Config struct {
	Bootstrap       []string
	Group           string
	WorkerID        string
	PostsTopic      string
	FeedTopic       string
	DLQTopic        string
	Assignor        string
	Protocol        string
	InstanceID      string
	SessionTimeout  time.Duration
	Heartbeat       time.Duration
	MaxPollInterval time.Duration
	Delivery        string
	GraphSeed       uint64
	GraphUsers      int
	HTTPAddr        string
	ProcessDelay    time.Duration
	ShutdownTimeout time.Duration
}

// ConfigError names the variable whose value did not validate.
type ConfigError struct {
	Var, Value, Why string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s=%q: %s", e.Var, e.Value, e.Why)
}

// ExactlyOnce reports whether DELIVERY asks for transactions.
func (c Config) ExactlyOnce() bool { return c.Delivery == contract.DeliveryExactlyOnce }

// TransactionalID derives from the environment alone (the contract's
// "Exactly-once"): GROUP_INSTANCE_ID if set, else WORKER_ID, so a worker
// restarted in place fences its dead incarnation.
func (c Config) TransactionalID() string {
	if c.InstanceID != "" {
		return c.InstanceID
	}
	return c.WorkerID
}

// LoadConfig reads and validates the environment through getenv. The first
// bad variable is returned as a *ConfigError.
func LoadConfig(getenv func(string) string) (Config, error) {
	l := loader{getenv: getenv}
	c := Config{
		Group:      l.required(contract.EnvGroupID),
		WorkerID:   l.required(contract.EnvWorkerID),
		PostsTopic: l.str(contract.EnvPostsTopic, contract.DefaultPostsTopic),
		FeedTopic:  l.str(contract.EnvFeedTopic, contract.DefaultFeedTopic),
		DLQTopic:   l.str(contract.EnvDLQTopic, contract.DefaultDLQTopic),
		InstanceID: getenv(contract.EnvInstanceID),
		HTTPAddr:   l.str(contract.EnvHTTPAddr, ":8080"),
	}
	if b := l.required(contract.EnvBootstrap); b != "" {
		for _, s := range strings.Split(b, ",") {
			if s = strings.TrimSpace(s); s != "" {
				c.Bootstrap = append(c.Bootstrap, s)
			}
		}
		if len(c.Bootstrap) == 0 {
			l.fail(contract.EnvBootstrap, b, "no host:port in it")
		}
	}
	c.Protocol = l.oneOf(contract.EnvGroupProtocol, contract.ProtocolClassic, contract.ProtocolClassic, contract.ProtocolConsumer)
	if c.Protocol == contract.ProtocolConsumer {
		// KIP-848: the broker assigns; franz-go sends "range" for its range
		// balancer and "uniform" for its sticky one.
		c.Assignor = l.oneOf(contract.EnvAssignor, contract.AssignorUniform, contract.AssignorUniform, contract.AssignorRange)
	} else {
		c.Assignor = l.oneOf(contract.EnvAssignor, contract.AssignorRange, contract.AssignorRange, contract.AssignorRoundRobin, contract.AssignorCooperativeSticky)
	}
	c.Delivery = l.oneOf(contract.EnvDelivery, contract.DeliveryAtLeastOnce, contract.DeliveryAtLeastOnce, contract.DeliveryExactlyOnce)
	c.SessionTimeout = l.millis(contract.EnvSessionTimeoutMS, 6000, 1)
	c.Heartbeat = l.millis(contract.EnvHeartbeatMS, 1000, 1)
	c.MaxPollInterval = l.millis(contract.EnvMaxPollMS, 30000, 1)
	c.ProcessDelay = l.millis(contract.EnvProcessDelayMS, 0, 0)
	c.ShutdownTimeout = l.millis(contract.EnvShutdownTimeoutMS, 10000, 1)
	c.GraphSeed = l.uint(contract.EnvGraphSeed, 1)
	c.GraphUsers = int(l.uint(contract.EnvGraphUsers, 1000))
	if l.err == nil && (c.GraphUsers < graph.MinUsers || c.GraphUsers > graph.MaxUsers) {
		l.fail(contract.EnvGraphUsers, strconv.Itoa(c.GraphUsers), fmt.Sprintf("must be in [%d, %d]", graph.MinUsers, graph.MaxUsers))
	}
	if l.err == nil && c.Protocol == contract.ProtocolClassic && c.Heartbeat >= c.SessionTimeout {
		l.fail(contract.EnvHeartbeatMS, getenv(contract.EnvHeartbeatMS), "must be below "+contract.EnvSessionTimeoutMS)
	}
	if l.err != nil {
		return Config{}, l.err
	}
	return c, nil
}

// loader keeps the first validation error.
type loader struct {
	getenv func(string) string
	err    *ConfigError
}

func (l *loader) fail(name, value, why string) {
	if l.err == nil {
		l.err = &ConfigError{Var: name, Value: value, Why: why}
	}
}

func (l *loader) required(name string) string {
	v := strings.TrimSpace(l.getenv(name))
	if v == "" {
		l.fail(name, v, "required")
	}
	return v
}

func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

func (l *loader) oneOf(name, def string, allowed ...string) string {
	v := l.str(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	l.fail(name, v, "want one of "+strings.Join(allowed, ", "))
	return def
}

func (l *loader) millis(name string, def, min int64) time.Duration {
	v := strings.TrimSpace(l.getenv(name))
	if v == "" {
		return time.Duration(def) * time.Millisecond
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || n > 24*3600*1000 {
		l.fail(name, v, fmt.Sprintf("want whole milliseconds, at least %d", min))
		return time.Duration(def) * time.Millisecond
	}
	return time.Duration(n) * time.Millisecond
}

func (l *loader) uint(name string, def uint64) uint64 {
	v := strings.TrimSpace(l.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		l.fail(name, v, "want a non-negative integer")
		return def
	}
	return n
}
