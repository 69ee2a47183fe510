package main

import (
	"fmt"
	"net"
	"strconv"
	"sync"
)

// kfake builds each broker's listener with its ListenFn, passing
// "127.0.0.1:<port>", and advertises whatever that listener's Addr()
// returns (in Metadata, FindCoordinator, DescribeCluster, produce/fetch
// leader hints). listenerFactory is that ListenFn: it ignores the host kfake
// asks for, listens on listenHost:<port>, and hands back a listener whose
// Addr() reports advertiseHost:<bound port>. It records every listener it
// made, in call order, which is node order.
type listenerFactory struct {
	listenHost    string
	advertiseHost string
	// wrap, if set, wraps every accepted connection (the audit's tap);
	// node is the broker's index.
	wrap func(c net.Conn, node int32) net.Conn

	mu  sync.Mutex
	lns []*advertisedListener
}

// boundAddr is one broker's pair of addresses.
type boundAddr struct {
	Node      int32  `json:"node"`
	Listen    string `json:"listen"`
	Advertise string `json:"advertise"`
}

func (f *listenerFactory) listen(network, address string) (net.Listener, error) {
	_, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("kfake asked to listen on %q: %w", address, err)
	}
	inner, err := net.Listen(network, net.JoinHostPort(f.listenHost, port))
	if err != nil {
		return nil, err
	}
	// With port 0 the kernel picked one: advertise the real one.
	bound := inner.Addr().(*net.TCPAddr).Port
	l := &advertisedListener{
		Listener: inner,
		// As configured: Go shows a dual-stack 0.0.0.0 socket as [::].
		listen: net.JoinHostPort(f.listenHost, strconv.Itoa(bound)),
		adv:    hostAddr{network: inner.Addr().Network(), hostport: net.JoinHostPort(f.advertiseHost, strconv.Itoa(bound))},
	}
	f.mu.Lock()
	l.node, l.wrap = int32(len(f.lns)), f.wrap
	f.lns = append(f.lns, l)
	f.mu.Unlock()
	return l, nil
}

// addrs returns listen and advertised addresses in node order.
func (f *listenerFactory) addrs() []boundAddr {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]boundAddr, 0, len(f.lns))
	for i, l := range f.lns {
		out = append(out, boundAddr{Node: int32(i), Listen: l.listen, Advertise: l.adv.hostport})
	}
	return out
}

// closeAll closes every listener made (used when NewCluster fails midway).
func (f *listenerFactory) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range f.lns {
		l.Close()
	}
}

// advertisedListener accepts from the real socket but reports the
// advertised address from Addr().
type advertisedListener struct {
	net.Listener
	listen string
	adv    hostAddr
	node   int32
	wrap   func(net.Conn, int32) net.Conn
}

// Accept hands back the next connection, wrapped if a wrap is set.
func (l *advertisedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || l.wrap == nil {
		return c, err
	}
	return l.wrap(c, l.node), nil
}

func (l *advertisedListener) Addr() net.Addr { return l.adv }

// hostAddr is a net.Addr whose host may be a name rather than an IP.
type hostAddr struct{ network, hostport string }

func (a hostAddr) Network() string { return a.network }
func (a hostAddr) String() string  { return a.hostport }
