package main

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := parseConfig(nil, envMap(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		Brokers:           3,
		Ports:             []int{9092, 9093, 9094},
		ListenHost:        "0.0.0.0",
		AdvertiseHost:     "127.0.0.1",
		MinSessionTimeout: time.Second,
		MaxSessionTimeout: 5 * time.Minute,
		DefaultPartitions: 10,
		AutoCreate:        true,
		LogLevel:          "warn",
		ControlAddr:       ":9644",
		ClusterID:         "kfake",
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", cfg, want)
	}
}

func TestParseConfigEnvAndFlagPrecedence(t *testing.T) {
	env := envMap(map[string]string{
		"BROKER_COUNT":               "2",
		"BROKER_PORTS":               "29092, 29093",
		"BROKER_LISTEN_HOST":         "127.0.0.1",
		"BROKER_ADVERTISE_HOST":      "kafka.example",
		"BROKER_MIN_SESSION_TIMEOUT": "500ms",
		"BROKER_MAX_SESSION_TIMEOUT": "1m",
		"BROKER_DATA_DIR":            "/data",
		"BROKER_SYNC_WRITES":         "true",
		"BROKER_TOPICS":              "posts:12,feed-updates:12,posts-dlq:3,misc",
		"BROKER_DEFAULT_PARTITIONS":  "4",
		"BROKER_AUTO_CREATE":         "false",
		"BROKER_LOG_LEVEL":           "DEBUG",
		"BROKER_CONTROL_ADDR":        "",
		"BROKER_CLUSTER_ID":          "c1",
		"BROKER_CONFIGS":             "group.consumer.session.timeout.ms=6000, group.consumer.heartbeat.interval.ms=500",
	})
	// Flags win over the environment.
	cfg, err := parseConfig([]string{"-advertise-host", "localhost", "-log-level", "info"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		Brokers:           2,
		Ports:             []int{29092, 29093},
		ListenHost:        "127.0.0.1",
		AdvertiseHost:     "localhost",
		MinSessionTimeout: 500 * time.Millisecond,
		MaxSessionTimeout: time.Minute,
		DataDir:           "/data",
		SyncWrites:        true,
		Topics:            []topicSpec{{"posts", 12}, {"feed-updates", 12}, {"posts-dlq", 3}, {"misc", 0}},
		DefaultPartitions: 4,
		AutoCreate:        false,
		LogLevel:          "info",
		ControlAddr:       "", // set but empty: disabled
		ClusterID:         "c1",
		BrokerConfigs: map[string]string{
			"group.consumer.session.timeout.ms":    "6000",
			"group.consumer.heartbeat.interval.ms": "500",
		},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("\n got %+v\nwant %+v", cfg, want)
	}
}

func TestParseConfigDefaultPortsFollowBrokerCount(t *testing.T) {
	cfg, err := parseConfig([]string{"-brokers", "1"}, envMap(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Ports, []int{9092}) {
		t.Fatalf("ports = %v", cfg.Ports)
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // substring of the error
	}{
		{"port not a number", []string{"-ports", "9092,abc,9094"}, nil, `port "abc" is not a number`},
		{"port out of range", []string{"-ports", "9092,70000,9094"}, nil, "out of range"},
		{"port negative", []string{"-ports", "-1,9093,9094"}, nil, "out of range"},
		{"port empty", []string{"-ports", "9092,,9094"}, nil, "empty port"},
		{"port duplicate", []string{"-ports", "9092,9092,9094"}, nil, "given twice"},
		{"count mismatch", []string{"-brokers", "2", "-ports", "9092,9093,9094"}, nil, "3 port(s) given for 2 broker(s)"},
		{"count mismatch via env", nil, map[string]string{"BROKER_COUNT": "4", "BROKER_PORTS": "1,2"}, "-ports (BROKER_PORTS): 2 port(s) given for 4 broker(s)"},
		{"zero brokers", []string{"-brokers", "0"}, nil, "between 1 and 64"},
		{"bad broker count env", nil, map[string]string{"BROKER_COUNT": "three"}, `BROKER_COUNT="three"`},
		{"topic no name", []string{"-topics", ":3"}, nil, "bad topic name"},
		{"topic bad partitions", []string{"-topics", "posts:x"}, nil, `partitions "x"`},
		{"topic zero partitions", []string{"-topics", "posts:0"}, nil, "between 1 and 100000"},
		{"topic bad char", []string{"-topics", "po/sts:3"}, nil, "bad topic name"},
		{"topic duplicate", []string{"-topics", "a:1,a:2"}, nil, "given twice"},
		{"topic empty entry", []string{"-topics", "a:1,,b:2"}, nil, "empty entry"},
		{"duration unparsable", []string{"-min-session-timeout", "soon"}, nil, "invalid value"},
		{"duration env unparsable", nil, map[string]string{"BROKER_MIN_SESSION_TIMEOUT": "10"}, "BROKER_MIN_SESSION_TIMEOUT"},
		{"duration zero", []string{"-min-session-timeout", "0s"}, nil, "must be positive"},
		{"duration max below min", []string{"-min-session-timeout", "10s", "-max-session-timeout", "5s"}, nil, "below -min-session-timeout"},
		{"duration sub-ms", []string{"-min-session-timeout", "1500us"}, nil, "whole number of milliseconds"},
		{"sync without data dir", []string{"-sync"}, nil, "needs -data-dir"},
		{"bad log level", []string{"-log-level", "loud"}, nil, "not one of"},
		{"advertise with port", []string{"-advertise-host", "127.0.0.1:9092"}, nil, "no port"},
		{"advertise unspecified", []string{"-advertise-host", "0.0.0.0"}, nil, "not an address clients can connect to"},
		{"advertise empty", nil, map[string]string{"BROKER_ADVERTISE_HOST": ""}, "must not be empty"},
		{"control addr no port", []string{"-control-addr", "localhost"}, nil, "-control-addr"},
		{"broker config no =", []string{"-broker-config", "a=1,b"}, nil, "want key=value"},
		{"stray argument", []string{"extra"}, nil, "unexpected arguments"},
		{"unknown flag", []string{"-nope"}, nil, "not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig(tc.args, envMap(tc.env), io.Discard)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParseConfigReportsAllErrors(t *testing.T) {
	_, err := parseConfig([]string{"-ports", "x", "-topics", "a:0", "-log-level", "x"}, envMap(nil), io.Discard)
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Fatalf("want three joined errors, got %v", err)
	}
}

func TestParseConfigHelp(t *testing.T) {
	var b strings.Builder
	_, err := parseConfig([]string{"-h"}, envMap(nil), &b)
	if !errors.Is(err, errHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, env := range envFor {
		if !strings.Contains(b.String(), env) {
			t.Errorf("usage does not mention %s", env)
		}
	}
}
