// Command kraftstandin stands in for the apache/kafka image where no image
// can be pulled: it honours the same environment (KAFKA_NODE_ID,
// KAFKA_PROCESS_ROLES, KAFKA_CONTROLLER_QUORUM_VOTERS, KAFKA_LISTENERS,
// KAFKA_ADVERTISED_LISTENERS, ...), refuses what Kafka would refuse, and
// lets the suite's KAFKA_IMAGE wiring (three containers, their names,
// published ports, advertised listeners and every worker's proxy routes)
// run end to end. It is not Kafka: the lowest voter runs a kfake cluster
// of one broker per voter, the others register with it over their
// CONTROLLER listener and forward their client listener to their broker
// there. Each node prints "Kafka Server started" once it serves, as Kafka
// does.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	c, err := parseConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kraftstandin: bad configuration: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintf(os.Stderr, "kraftstandin: %v\n", err)
		os.Exit(1)
	}
}

// registration is what a follower tells the leader over CONTROLLER.
type registration struct {
	Node       int    `json:"node"`
	Advertised string `json:"advertised"`
}

func run(ctx context.Context, c config) error {
	ctl, err := net.Listen("tcp", c.Controller)
	if err != nil {
		return fmt.Errorf("controller listener: %w", err)
	}
	defer ctl.Close()
	if c.Voters[0].ID == c.NodeID {
		return lead(ctx, c, ctl)
	}
	return follow(ctx, c)
}

// lead waits for every other voter to register, then runs one kfake
// broker per voter, each listening on and advertising its voter's client
// address.
func lead(ctx context.Context, c config, ctl net.Listener) error {
	adv := map[int]string{c.NodeID: c.Advertised}
	var conns []net.Conn
	for len(adv) < len(c.Voters) {
		conn, err := ctl.Accept()
		if err != nil {
			return fmt.Errorf("controller accept: %w", err)
		}
		var r registration
		if err := json.NewDecoder(conn).Decode(&r); err != nil {
			conn.Close()
			continue
		}
		adv[r.Node] = r.Advertised
		conns = append(conns, conn)
	}
	var ports []int
	byPort := map[string]string{}
	for _, v := range c.Voters {
		_, p, _ := net.SplitHostPort(adv[v.ID])
		n, _ := strconv.Atoi(p)
		ports = append(ports, n)
		byPort[p] = adv[v.ID]
	}
	listen := func(network, address string) (net.Listener, error) {
		_, p, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		l, err := net.Listen(network, net.JoinHostPort("0.0.0.0", p))
		if err != nil {
			return nil, err
		}
		return advertised{l, hostAddr(byPort[p])}, nil
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(len(c.Voters)), kfake.Ports(ports...), kfake.ListenFn(listen),
		kfake.ClusterID(c.ClusterID), kfake.GroupMinSessionTimeout(c.MinSession),
	}
	if len(c.BrokerConfs) > 0 {
		opts = append(opts, kfake.BrokerConfigs(c.BrokerConfs))
	}
	cl, err := kfake.NewCluster(opts...)
	if err != nil {
		return fmt.Errorf("kfake: %w", err)
	}
	defer cl.Close()
	for _, conn := range conns {
		fmt.Fprintln(conn, "ok")
		conn.Close()
	}
	go func() { // later registrations (a follower restarted) are answered at once
		for {
			conn, err := ctl.Accept()
			if err != nil {
				return
			}
			fmt.Fprintln(conn, "ok")
			conn.Close()
		}
	}()
	fmt.Printf("[KafkaRaftServer nodeId=%d] Kafka Server started (kraftstandin: %d brokers)\n", c.NodeID, len(c.Voters))
	<-ctx.Done()
	return nil
}

// follow registers with the leader and forwards the client listener to
// this node's broker in the leader's process.
func follow(ctx context.Context, c config) error {
	leader := c.Voters[0].Addr
	deadline := time.Now().Add(90 * time.Second)
	for {
		err := register(ctx, leader, registration{Node: c.NodeID, Advertised: c.Advertised})
		if err == nil {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("registering with %s: %w", leader, err)
		}
		time.Sleep(200 * time.Millisecond) // the leader's container still starting
	}
	l, err := net.Listen("tcp", c.Client)
	if err != nil {
		return fmt.Errorf("client listener: %w", err)
	}
	defer l.Close()
	lh, _, _ := net.SplitHostPort(leader)
	_, p, _ := net.SplitHostPort(c.Client)
	to := net.JoinHostPort(lh, p)
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			go forward(in, to)
		}
	}()
	fmt.Printf("[KafkaRaftServer nodeId=%d] Kafka Server started (kraftstandin: forwarding to %s)\n", c.NodeID, to)
	<-ctx.Done()
	return nil
}

func register(ctx context.Context, leader string, r registration) error {
	d := net.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", leader)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(r); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || line != "ok\n" {
		return fmt.Errorf("leader answered %q: %v", line, err)
	}
	return nil
}

func forward(in net.Conn, to string) {
	defer in.Close()
	out, err := net.DialTimeout("tcp", to, 5*time.Second)
	if err != nil {
		return
	}
	defer out.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(out, in); done <- struct{}{} }()
	go func() { _, _ = io.Copy(in, out); done <- struct{}{} }()
	<-done
}

// advertised is a listener whose Addr is the advertised one (kfake
// advertises its listeners' addresses).
type advertised struct {
	net.Listener
	adv hostAddr
}

func (a advertised) Addr() net.Addr { return a.adv }

type hostAddr string

func (h hostAddr) Network() string { return "tcp" }
func (h hostAddr) String() string  { return string(h) }
