package main

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// voter is one entry of KAFKA_CONTROLLER_QUORUM_VOTERS, id@host:port.
type voter struct {
	ID   int
	Addr string
}

// config is what the stand-in reads of the apache/kafka image's
// environment.
type config struct {
	NodeID      int
	Voters      []voter // sorted by id
	Controller  string  // this node's CONTROLLER listen address
	Client      string  // this node's client listen address (0.0.0.0:P)
	Advertised  string  // its advertised client address (host:P)
	ClusterID   string
	MinSession  time.Duration
	BrokerConfs map[string]string
}

// parseConfig reads and checks the KRaft combined-mode environment as
// Kafka would refuse it: roles, voters, listeners and their protocols.
func parseConfig(getenv func(string) string) (config, error) {
	var c config
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	id, err := strconv.Atoi(getenv("KAFKA_NODE_ID"))
	if err != nil || id < 0 {
		bad("KAFKA_NODE_ID=%q: not a node id", getenv("KAFKA_NODE_ID"))
	}
	c.NodeID = id
	roles := strings.Split(getenv("KAFKA_PROCESS_ROLES"), ",")
	sort.Strings(roles)
	if strings.Join(roles, ",") != "broker,controller" {
		bad("KAFKA_PROCESS_ROLES=%q: the stand-in runs combined mode only (broker,controller)", getenv("KAFKA_PROCESS_ROLES"))
	}
	for _, v := range strings.Split(getenv("KAFKA_CONTROLLER_QUORUM_VOTERS"), ",") {
		ids, addr, ok := strings.Cut(v, "@")
		n, err := strconv.Atoi(ids)
		if _, _, herr := net.SplitHostPort(addr); !ok || err != nil || herr != nil {
			bad("KAFKA_CONTROLLER_QUORUM_VOTERS: %q is not id@host:port", v)
			continue
		}
		c.Voters = append(c.Voters, voter{n, addr})
	}
	sort.Slice(c.Voters, func(i, j int) bool { return c.Voters[i].ID < c.Voters[j].ID })
	if !slices.ContainsFunc(c.Voters, func(v voter) bool { return v.ID == id }) {
		bad("KAFKA_NODE_ID=%d is not among the voters %q (combined mode: every node votes)", id, getenv("KAFKA_CONTROLLER_QUORUM_VOTERS"))
	}
	if getenv("CLUSTER_ID") == "" {
		bad("CLUSTER_ID is empty")
	}
	c.ClusterID = getenv("CLUSTER_ID")

	protos := map[string]string{}
	for _, kv := range strings.Split(getenv("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"), ",") {
		k, v, _ := strings.Cut(kv, ":")
		protos[k] = v
	}
	listeners, err := listenerMap(getenv("KAFKA_LISTENERS"))
	if err != nil {
		bad("KAFKA_LISTENERS: %v", err)
	}
	advertised, err := listenerMap(getenv("KAFKA_ADVERTISED_LISTENERS"))
	if err != nil {
		bad("KAFKA_ADVERTISED_LISTENERS: %v", err)
	}
	for name := range listeners {
		if protos[name] != "PLAINTEXT" {
			bad("listener %s: protocol %q in KAFKA_LISTENER_SECURITY_PROTOCOL_MAP (the stand-in speaks PLAINTEXT)", name, protos[name])
		}
	}
	ctrl := getenv("KAFKA_CONTROLLER_LISTENER_NAMES")
	inter := getenv("KAFKA_INTER_BROKER_LISTENER_NAME")
	if c.Controller = listeners[ctrl]; c.Controller == "" {
		bad("KAFKA_CONTROLLER_LISTENER_NAMES=%q is not in KAFKA_LISTENERS", ctrl)
	}
	if _, ok := advertised[ctrl]; ok {
		bad("the controller listener %s is advertised", ctrl)
	}
	if listeners[inter] == "" || advertised[inter] == "" {
		bad("KAFKA_INTER_BROKER_LISTENER_NAME=%q must be listened on and advertised", inter)
	}
	var clients []string
	for name := range advertised {
		if listeners[name] == "" {
			bad("advertised listener %s is not listened on", name)
		}
		if name != inter && name != ctrl {
			clients = append(clients, name)
		}
	}
	if len(clients) != 1 {
		bad("want exactly one client listener besides %s, got %v", inter, clients)
	} else {
		c.Client, c.Advertised = listeners[clients[0]], advertised[clients[0]]
		_, lp, _ := net.SplitHostPort(c.Client)
		_, ap, _ := net.SplitHostPort(c.Advertised)
		if lp != ap {
			bad("client listener %s listens on port %s but advertises %s: the stand-in needs them equal", clients[0], lp, ap)
		}
	}
	c.MinSession = time.Second
	if v := getenv("KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil {
			bad("KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS=%q", v)
		}
		c.MinSession = time.Duration(ms) * time.Millisecond
	}
	c.BrokerConfs = map[string]string{}
	for _, k := range []string{"group.consumer.session.timeout.ms", "group.consumer.heartbeat.interval.ms"} {
		if v := getenv("KAFKA_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))); v != "" {
			c.BrokerConfs[k] = v
		}
	}
	return c, errors.Join(errs...)
}

// listenerMap parses NAME://host:port,... into name -> host:port.
func listenerMap(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, l := range strings.Split(s, ",") {
		name, addr, ok := strings.Cut(l, "://")
		if _, _, err := net.SplitHostPort(addr); !ok || err != nil {
			return nil, fmt.Errorf("%q is not NAME://host:port", l)
		}
		out[name] = addr
	}
	return out, nil
}
