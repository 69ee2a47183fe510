package franzfeed

import (
	"errors"
	"testing"
	"time"
)

func env(kv ...string) func(string) string {
	m := map[string]string{"KAFKA_BOOTSTRAP": "b:1,b:2", "GROUP_ID": "g", "WORKER_ID": "w1"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	c, err := LoadConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Bootstrap) != 2 || c.PostsTopic != "posts" || c.Assignor != "range" || c.Protocol != "classic" ||
		c.SessionTimeout != 6*time.Second || c.Heartbeat != time.Second || c.MaxPollInterval != 30*time.Second ||
		c.GraphSeed != 1 || c.GraphUsers != 1000 || c.HTTPAddr != ":8080" || c.ShutdownTimeout != 10*time.Second || c.ExactlyOnce() {
		t.Fatalf("defaults: %+v", c)
	}
	if c.TransactionalID() != "w1" {
		t.Fatalf("transactional id %q, want the worker id", c.TransactionalID())
	}
}

func TestConfigKIP848TakesUniformOrRange(t *testing.T) {
	c, err := LoadConfig(env("GROUP_PROTOCOL", "consumer", "ASSIGNOR", "uniform", "GROUP_INSTANCE_ID", "i1"))
	if err != nil || c.Assignor != "uniform" || c.TransactionalID() != "i1" {
		t.Fatalf("got %+v, %v", c, err)
	}
	if _, err := LoadConfig(env("GROUP_PROTOCOL", "consumer", "ASSIGNOR", "roundrobin")); err == nil {
		t.Fatal("roundrobin under KIP-848 accepted")
	}
}

func TestBadEnvNamesTheVariable(t *testing.T) {
	for _, tc := range []struct{ k, v string }{
		{"DELIVERY", "sometimes"}, {"ASSIGNOR", "sticky"}, {"GROUP_PROTOCOL", "x"},
		{"SESSION_TIMEOUT_MS", "6s"}, {"HEARTBEAT_INTERVAL_MS", "-1"}, {"GRAPH_USERS", "1"},
		{"PROCESS_DELAY_MS", "slow"}, {"GROUP_ID", ""}, {"KAFKA_BOOTSTRAP", " , "},
	} {
		_, err := LoadConfig(env(tc.k, tc.v))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != tc.k {
			t.Errorf("%s=%q: got %v, want an error naming %s", tc.k, tc.v, err, tc.k)
		}
	}
}
