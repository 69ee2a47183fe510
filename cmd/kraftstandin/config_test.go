package main

import (
	"strings"
	"testing"
	"time"

	"github.com/streamsocial/feedchaos/fixtures"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// The suite's generated KRaft configuration is what the stand-in accepts:
// node 2 of three votes, serves its client listener on its host port and
// advertises it on 127.0.0.1.
func TestTheSuitesKRaftEnvironmentIsAccepted(t *testing.T) {
	kc := fixtures.KRaftConfig{HostPorts: []int{21100, 21101, 21102}, ClusterID: "MkU3OEVBNTcwNTJENDM2Qk", SessionTimeout: 6 * time.Second, HeartbeatInterval: time.Second}
	c, err := parseConfig(envOf(fixtures.KRaftEnv(kc, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if c.NodeID != 2 || len(c.Voters) != 3 || c.Voters[0].Addr != "kafka-0:9093" {
		t.Errorf("node %d, voters %+v", c.NodeID, c.Voters)
	}
	if c.Client != "0.0.0.0:21101" || c.Advertised != "127.0.0.1:21101" || c.Controller != "0.0.0.0:9093" {
		t.Errorf("client %s advertised %s controller %s", c.Client, c.Advertised, c.Controller)
	}
	if c.BrokerConfs["group.consumer.session.timeout.ms"] != "6000" || c.MinSession != time.Second {
		t.Errorf("group configs %v, min session %s", c.BrokerConfs, c.MinSession)
	}
}

// What Kafka would refuse, the stand-in refuses too.
func TestABrokenKRaftEnvironmentIsRefused(t *testing.T) {
	kc := fixtures.KRaftConfig{HostPorts: []int{21100, 21101, 21102}, ClusterID: "x", SessionTimeout: 6 * time.Second, HeartbeatInterval: time.Second}
	for name, edit := range map[string]func(map[string]string){
		"not combined":          func(e map[string]string) { e["KAFKA_PROCESS_ROLES"] = "broker" },
		"not a voter":           func(e map[string]string) { e["KAFKA_NODE_ID"] = "7" },
		"controller advertised": func(e map[string]string) { e["KAFKA_ADVERTISED_LISTENERS"] += ",CONTROLLER://kafka-1:9093" },
		"no protocol": func(e map[string]string) {
			e["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] = "CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT"
		},
		"no cluster id": func(e map[string]string) { delete(e, "CLUSTER_ID") },
		"advertised not listened": func(e map[string]string) {
			e["KAFKA_LISTENERS"] = strings.Replace(e["KAFKA_LISTENERS"], "INTERNAL://0.0.0.0:19092,", "", 1)
		},
	} {
		env := fixtures.KRaftEnv(kc, 1)
		edit(env)
		if _, err := parseConfig(envOf(env)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
