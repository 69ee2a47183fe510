package feed

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/workers/contract"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func baseEnv() map[string]string {
	return map[string]string{
		contract.EnvBootstrap: "127.0.0.1:9092,127.0.0.1:9093",
		contract.EnvGroupID:   "feed",
		contract.EnvWorkerID:  "w1",
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(envOf(baseEnv()))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Bootstrap: "127.0.0.1:9092,127.0.0.1:9093", GroupID: "feed", WorkerID: "w1",
		PostsTopic: "posts", FeedTopic: "feed-updates", DLQTopic: "posts-dlq",
		Assignor: "range", Protocol: "classic",
		SessionTimeout: 6 * time.Second, HeartbeatInterval: time.Second, MaxPollInterval: 30 * time.Second,
		Delivery: "at-least-once", GraphSeed: 1, GraphUsers: 1000, HTTPAddr: ":8080",
		ShutdownTimeout: 10 * time.Second, ReconnectBackoffMax: time.Second,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
	}
	cm := c.ConsumerConfig()
	for k, v := range map[string]any{"client.id": "w1", "enable.auto.commit": false, "auto.offset.reset": "earliest",
		"partition.assignment.strategy": "range", "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000, "max.poll.interval.ms": 30000,
		"reconnect.backoff.max.ms": 1000} {
		if (*cm)[k] != v {
			t.Errorf("consumer %s = %v, want %v", k, (*cm)[k], v)
		}
	}
	if _, ok := (*cm)["group.instance.id"]; ok {
		t.Error("group.instance.id set without GROUP_INSTANCE_ID")
	}
	pm := c.ProducerConfig()
	if (*pm)["acks"] != "all" || (*pm)["enable.idempotence"] != true || (*pm)["transactional.id"] != nil {
		t.Errorf("producer config %v", *pm)
	}
}

func TestLoadConfigConsumerProtocol(t *testing.T) {
	env := baseEnv()
	env[contract.EnvGroupProtocol] = "consumer"
	env[contract.EnvAssignor] = "cooperative-sticky"
	env[contract.EnvSessionTimeoutMS] = "45000"
	env[contract.EnvInstanceID] = "static-1"
	env[contract.EnvDelivery] = "exactly-once"
	c, err := LoadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	cm := *c.ConsumerConfig()
	for _, k := range []string{"session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy", "group.remote.assignor"} {
		if _, ok := cm[k]; ok {
			t.Errorf("consumer protocol must not set %s", k)
		}
	}
	if cm["group.protocol"] != "consumer" || cm["group.instance.id"] != "static-1" {
		t.Errorf("consumer config %v", cm)
	}
	if strings.Join(c.Ignored, ",") != "SESSION_TIMEOUT_MS,ASSIGNOR" {
		t.Errorf("Ignored = %v", c.Ignored)
	}
	if (*c.ProducerConfig())["transactional.id"] != "feedworker-static-1" {
		t.Errorf("transactional.id = %v", (*c.ProducerConfig())["transactional.id"])
	}

	env[contract.EnvAssignor] = "uniform"
	c, err = LoadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if (*c.ConsumerConfig())["group.remote.assignor"] != "uniform" {
		t.Error("group.remote.assignor not set")
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		env     map[string]string // changes to baseEnv; "" deletes
		wantVar string
		wantMsg string
	}{
		{map[string]string{contract.EnvBootstrap: ""}, contract.EnvBootstrap, "required"},
		{map[string]string{contract.EnvBootstrap: "localhost"}, contract.EnvBootstrap, "not host:port"},
		{map[string]string{contract.EnvBootstrap: "h:port"}, contract.EnvBootstrap, "valid port"},
		{map[string]string{contract.EnvGroupID: ""}, contract.EnvGroupID, "required"},
		{map[string]string{contract.EnvWorkerID: ""}, contract.EnvWorkerID, "required"},
		{map[string]string{contract.EnvWorkerID: "a b"}, contract.EnvWorkerID, "whitespace"},
		{map[string]string{contract.EnvAssignor: "sticky"}, contract.EnvAssignor, "range, roundrobin or cooperative-sticky"},
		{map[string]string{contract.EnvGroupProtocol: "consumer", contract.EnvAssignor: "sticky"}, contract.EnvAssignor, "uniform, range or unset"},
		{map[string]string{contract.EnvGroupProtocol: "kip848"}, contract.EnvGroupProtocol, "classic or consumer"},
		{map[string]string{contract.EnvSessionTimeoutMS: "abc"}, contract.EnvSessionTimeoutMS, "not an integer"},
		{map[string]string{contract.EnvSessionTimeoutMS: "0"}, contract.EnvSessionTimeoutMS, "out of range"},
		{map[string]string{contract.EnvSessionTimeoutMS: "-5"}, contract.EnvSessionTimeoutMS, "out of range"},
		{map[string]string{contract.EnvHeartbeatMS: "1.5"}, contract.EnvHeartbeatMS, "not an integer"},
		{map[string]string{contract.EnvHeartbeatMS: "6000"}, contract.EnvHeartbeatMS, "less than SESSION_TIMEOUT_MS"},
		{map[string]string{contract.EnvSessionTimeoutMS: "3000", contract.EnvHeartbeatMS: "4000"}, contract.EnvHeartbeatMS, "less than"},
		{map[string]string{contract.EnvMaxPollMS: "1000"}, contract.EnvMaxPollMS, "at least SESSION_TIMEOUT_MS"},
		{map[string]string{contract.EnvMaxPollMS: "x"}, contract.EnvMaxPollMS, "not an integer"},
		{map[string]string{contract.EnvDelivery: "once"}, contract.EnvDelivery, "at-least-once or exactly-once"},
		{map[string]string{contract.EnvGraphSeed: "-1"}, contract.EnvGraphSeed, "unsigned"},
		{map[string]string{contract.EnvGraphUsers: "1"}, contract.EnvGraphUsers, "must be in"},
		{map[string]string{contract.EnvGraphUsers: "many"}, contract.EnvGraphUsers, "not an integer"},
		{map[string]string{contract.EnvHTTPAddr: "8080"}, contract.EnvHTTPAddr, "not host:port"},
		{map[string]string{contract.EnvHTTPAddr: ":99999"}, contract.EnvHTTPAddr, "valid port"},
		{map[string]string{contract.EnvProcessDelayMS: "-1"}, contract.EnvProcessDelayMS, "out of range"},
		{map[string]string{contract.EnvShutdownTimeoutMS: "soon"}, contract.EnvShutdownTimeoutMS, "not an integer"},
		{map[string]string{contract.EnvFeedTopic: "posts"}, contract.EnvFeedTopic, "must differ"},
		{map[string]string{contract.EnvDLQTopic: "posts"}, contract.EnvDLQTopic, "must differ"},
	}
	for _, tc := range cases {
		env := baseEnv()
		for k, v := range tc.env {
			env[k] = v
		}
		_, err := LoadConfig(envOf(env))
		if err == nil {
			t.Errorf("%v: no error", tc.env)
			continue
		}
		if !strings.Contains(err.Error(), tc.wantVar+"=") || !strings.Contains(err.Error(), tc.wantMsg) {
			t.Errorf("%v: error %q does not name %s with %q", tc.env, err, tc.wantVar, tc.wantMsg)
		}
	}
}

func TestLoadConfigReportsAllErrors(t *testing.T) {
	_, err := LoadConfig(envOf(map[string]string{contract.EnvAssignor: "x"}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, v := range []string{contract.EnvBootstrap, contract.EnvGroupID, contract.EnvWorkerID, contract.EnvAssignor} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error %q lacks %s", err, v)
		}
	}
}

func TestWorkerOwnVariables(t *testing.T) {
	env := baseEnv()
	env[EnvDebug] = "cgrp,fetch"
	env[EnvReconnectBackoffMaxMS] = "10000"
	c, err := LoadConfig(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	cm, pm := c.ConsumerConfig(), c.ProducerConfig()
	if (*cm)["debug"] != "cgrp,fetch" || (*pm)["debug"] != nil {
		t.Errorf("debug: consumer %v, producer %v; want cgrp,fetch on the consumer only", (*cm)["debug"], (*pm)["debug"])
	}
	if (*cm)["reconnect.backoff.max.ms"] != 10000 || (*pm)["reconnect.backoff.max.ms"] != 10000 {
		t.Errorf("reconnect.backoff.max.ms: consumer %v, producer %v; want 10000", (*cm)["reconnect.backoff.max.ms"], (*pm)["reconnect.backoff.max.ms"])
	}
	if c.NoWake {
		t.Errorf("NoWake without %s", EnvWake)
	}
	env[EnvWake] = "0"
	if c, err := LoadConfig(envOf(env)); err != nil || !c.NoWake {
		t.Errorf("%s=0: NoWake %v, err %v; want true, nil", EnvWake, c.NoWake, err)
	}
	env[EnvWake] = "off"
	if _, err := LoadConfig(envOf(env)); err == nil || !strings.Contains(err.Error(), EnvWake) {
		t.Errorf("%s=off: err %v, want one naming it", EnvWake, err)
	}
	delete(env, EnvWake)
	if (*cm)["fetch.wait.max.ms"] != nil {
		t.Errorf("fetch.wait.max.ms %v without %s, want librdkafka's default", (*cm)["fetch.wait.max.ms"], EnvFetchWaitMaxMS)
	}
	env[EnvFetchWaitMaxMS] = "100"
	if c, err := LoadConfig(envOf(env)); err != nil || (*c.ConsumerConfig())["fetch.wait.max.ms"] != 100 {
		t.Errorf("%s=100: err %v, fetch.wait.max.ms %v", EnvFetchWaitMaxMS, err, (*c.ConsumerConfig())["fetch.wait.max.ms"])
	}
	delete(env, EnvFetchWaitMaxMS)
	env[EnvReconnectBackoffMaxMS] = "50"
	if _, err := LoadConfig(envOf(env)); err == nil || !strings.Contains(err.Error(), EnvReconnectBackoffMaxMS) {
		t.Errorf("a backoff below librdkafka's 100 ms minimum backoff: err %v, want one naming %s", err, EnvReconnectBackoffMaxMS)
	}
}
