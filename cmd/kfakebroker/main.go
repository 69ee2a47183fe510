// Command kfakebroker runs a kfake Kafka cluster (several brokers in one
// process) as the suite's containerised Kafka. Brokers listen on
// -listen-host:<port> and advertise -advertise-host:<port>, so that every
// client reaches every broker through 127.0.0.1:<port> (published ports on
// the host, a per-worker proxy inside worker containers).
//
// Configuration is by flag or environment (see -h); a bad configuration
// exits 2. One JSON line on stdout announces readiness and one shutdown;
// logs go to stderr. SIGTERM/SIGINT close the cluster (persisting it when
// -data-dir is set) and exit 0; a second signal forces exit 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	cfg, err := parseConfig(os.Args[1:], os.LookupEnv, os.Stderr)
	if err != nil {
		if errors.Is(err, errHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "kfakebroker: bad configuration:\n%v\n", indent(err.Error()))
		os.Exit(2)
	}

	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	var sig os.Signal
	var sigMu sync.Mutex
	go func() {
		s := <-sigs
		sigMu.Lock()
		sig = s
		sigMu.Unlock()
		cancel()
		s = <-sigs
		fmt.Fprintf(os.Stderr, "kfakebroker: second signal %v, exiting without a clean close\n", s)
		os.Exit(1)
	}()

	reason := func() string {
		sigMu.Lock()
		defer sigMu.Unlock()
		if sig == nil {
			return ""
		}
		return sig.String()
	}
	if err := run(ctx, cfg, os.Stdout, os.Stderr, reason); err != nil {
		fmt.Fprintf(os.Stderr, "kfakebroker: %v\n", err)
		os.Exit(1)
	}
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

// readyEvent and shutdownEvent are the JSON lines written to stdout.
type readyEvent struct {
	Event       string      `json:"event"`
	Time        time.Time   `json:"time"`
	Brokers     []boundAddr `json:"brokers"`
	DataDir     string      `json:"data_dir"`
	Restored    bool        `json:"restored"`
	ControlAddr string      `json:"control_addr"`
	StartupMs   int64       `json:"startup_ms"`
}

type shutdownEvent struct {
	Event     string    `json:"event"`
	Time      time.Time `json:"time"`
	Reason    string    `json:"reason,omitempty"`
	DataDir   string    `json:"data_dir"`
	Persisted bool      `json:"persisted"`
	CloseMs   int64     `json:"close_ms"`
}

// server is a started cluster with its control API.
type server struct {
	cfg       config
	cluster   *kfake.Cluster
	addrs     []boundAddr
	restored  bool
	control   *controlAPI
	audit     *audit
	httpSrv   *http.Server
	httpAddr  string
	httpDone  chan struct{}
	closeOnce sync.Once
}

// start brings the cluster and control API up; logs go to logw.
func start(cfg config, logw io.Writer) (*server, error) {
	aud := newAudit()
	lf := &listenerFactory{listenHost: cfg.ListenHost, advertiseHost: cfg.AdvertiseHost, wrap: aud.wrap}
	log := newLogger(logw, cfg.LogLevel)

	restored := false
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		probe := filepath.Join(cfg.DataDir, ".kfakebroker-write-probe")
		if err := os.WriteFile(probe, nil, 0o644); err != nil {
			return nil, fmt.Errorf("data dir %s is not writable: %w", cfg.DataDir, err)
		}
		os.Remove(probe)
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "meta.json")); err == nil {
			restored = true
		}
	}

	opts := []kfake.Opt{
		kfake.NumBrokers(cfg.Brokers),
		kfake.Ports(cfg.Ports...),
		kfake.ListenFn(lf.listen),
		kfake.WithLogger(log),
		kfake.ClusterID(cfg.ClusterID),
		kfake.DefaultNumPartitions(cfg.DefaultPartitions),
		kfake.GroupMinSessionTimeout(cfg.MinSessionTimeout),
		kfake.GroupMaxSessionTimeout(cfg.MaxSessionTimeout),
	}
	if cfg.AutoCreate {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	for _, t := range cfg.Topics {
		opts = append(opts, kfake.SeedTopics(t.Partitions, t.Name))
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
		if cfg.SyncWrites {
			opts = append(opts, kfake.SyncWrites())
		}
	}
	if len(cfg.BrokerConfigs) > 0 {
		opts = append(opts, kfake.BrokerConfigs(cfg.BrokerConfigs))
	}

	c, err := kfake.NewCluster(opts...)
	if err != nil {
		lf.closeAll()
		return nil, fmt.Errorf("starting cluster: %w", err)
	}
	s := &server{cfg: cfg, cluster: c, addrs: lf.addrs(), restored: restored, audit: aud}
	if cfg.DataDir != "" {
		if err := aud.load(cfg.DataDir, restored); err != nil {
			log.Logf(kfake.LogLevelError, "audit: %v (going on with a fresh audit)", err)
		}
	}
	aud.install(c)

	// kfake only seeds topics into a fresh data dir; on a restore, create
	// seed topics that are missing (existing ones are left as they are).
	if restored {
		for _, t := range cfg.Topics {
			if c.TopicInfo(t.Name) != nil {
				continue
			}
			if err := c.CreateTopic(t.Name, t.Partitions, nil); err != nil {
				c.Close()
				return nil, fmt.Errorf("creating seed topic %s on restored data dir: %w", t.Name, err)
			}
			log.Logf(kfake.LogLevelInfo, "created seed topic %s missing from restored data dir", t.Name)
		}
	}

	s.control = newControlAPI(c, s.addrs, aud)
	if cfg.ControlAddr != "" {
		ln, err := net.Listen("tcp", cfg.ControlAddr)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("control API: %w", err)
		}
		h, _, _ := net.SplitHostPort(cfg.ControlAddr)
		s.httpAddr = net.JoinHostPort(h, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
		s.httpSrv = &http.Server{Handler: s.control.handler(), ReadHeaderTimeout: 10 * time.Second}
		s.httpDone = make(chan struct{})
		go func() {
			defer close(s.httpDone)
			if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Logf(kfake.LogLevelError, "control API: %v", err)
			}
		}()
	}
	return s, nil
}

// close stops the control API and closes the cluster, which persists
// state when a data dir is set.
func (s *server) close() {
	s.closeOnce.Do(func() {
		if s.httpSrv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = s.httpSrv.Shutdown(ctx)
			cancel()
			<-s.httpDone
		}
		s.control.removeAll()
		s.cluster.Close()
		if s.cfg.DataDir != "" {
			if err := s.audit.save(s.cfg.DataDir); err != nil {
				fmt.Fprintf(os.Stderr, "kfakebroker: %v\n", err)
			}
		}
	})
}

// run starts the broker, prints the ready line on out, waits for ctx to
// end, closes the broker and prints the shutdown line. reason, if not nil,
// names why ctx ended.
func run(ctx context.Context, cfg config, out, logw io.Writer, reason func() string) error {
	t0 := time.Now()
	s, err := start(cfg, logw)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	if err := enc.Encode(readyEvent{
		Event:       "ready",
		Time:        time.Now().UTC(),
		Brokers:     s.addrs,
		DataDir:     cfg.DataDir,
		Restored:    s.restored,
		ControlAddr: s.httpAddr,
		StartupMs:   time.Since(t0).Milliseconds(),
	}); err != nil {
		s.close()
		return fmt.Errorf("writing ready line: %w", err)
	}

	<-ctx.Done()
	t1 := time.Now()
	s.close()
	ev := shutdownEvent{
		Event:     "shutdown",
		Time:      time.Now().UTC(),
		DataDir:   cfg.DataDir,
		Persisted: cfg.DataDir != "",
		CloseMs:   time.Since(t1).Milliseconds(),
	}
	if reason != nil {
		ev.Reason = reason()
	}
	_ = enc.Encode(ev)
	return nil
}

// logger adapts kfake's logging to timestamped lines on a writer.
type logger struct {
	mu    sync.Mutex
	w     io.Writer
	level kfake.LogLevel
}

func newLogger(w io.Writer, level string) *logger {
	l := map[string]kfake.LogLevel{
		"none":  kfake.LogLevelNone,
		"error": kfake.LogLevelError,
		"warn":  kfake.LogLevelWarn,
		"info":  kfake.LogLevelInfo,
		"debug": kfake.LogLevelDebug,
	}[level]
	return &logger{w: w, level: l}
}

func (l *logger) Logf(level kfake.LogLevel, msg string, args ...any) {
	if level > l.level || level == kfake.LogLevelNone {
		return
	}
	line := fmt.Sprintf("%s %s "+msg+"\n", append([]any{time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"), level}, args...)...)
	l.mu.Lock()
	io.WriteString(l.w, line)
	l.mu.Unlock()
}
