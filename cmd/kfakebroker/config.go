package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// config is the validated broker configuration.
type config struct {
	Brokers           int
	Ports             []int // one per broker; 0 picks a free port
	ListenHost        string
	AdvertiseHost     string
	MinSessionTimeout time.Duration
	MaxSessionTimeout time.Duration
	DataDir           string
	SyncWrites        bool
	Topics            []topicSpec
	DefaultPartitions int
	AutoCreate        bool
	LogLevel          string
	ControlAddr       string
	ClusterID         string
	BrokerConfigs     map[string]string
}

// topicSpec is one seed topic; Partitions <= 0 means DefaultPartitions.
type topicSpec struct {
	Name       string
	Partitions int32
}

// errHelp is returned by parseConfig when -h/-help was asked for.
var errHelp = flag.ErrHelp

// envFor maps each flag to the environment variable that can also set it.
// A flag given on the command line wins over its variable.
var envFor = map[string]string{
	"brokers":             "BROKER_COUNT",
	"ports":               "BROKER_PORTS",
	"listen-host":         "BROKER_LISTEN_HOST",
	"advertise-host":      "BROKER_ADVERTISE_HOST",
	"min-session-timeout": "BROKER_MIN_SESSION_TIMEOUT",
	"max-session-timeout": "BROKER_MAX_SESSION_TIMEOUT",
	"data-dir":            "BROKER_DATA_DIR",
	"sync":                "BROKER_SYNC_WRITES",
	"topics":              "BROKER_TOPICS",
	"default-partitions":  "BROKER_DEFAULT_PARTITIONS",
	"auto-create":         "BROKER_AUTO_CREATE",
	"log-level":           "BROKER_LOG_LEVEL",
	"control-addr":        "BROKER_CONTROL_ADDR",
	"cluster-id":          "BROKER_CLUSTER_ID",
	"broker-config":       "BROKER_CONFIGS",
}

const defaultFirstPort = 9092

var logLevels = []string{"none", "error", "warn", "info", "debug"}

// Kafka's legal topic names.
var topicNameRE = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

// Host names we accept for -listen-host / -advertise-host (lenient: Docker
// container names may carry underscores).
var hostNameRE = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,252}$`)

// parseConfig parses args (without the program name), filling flags that
// were not given from getenv's variables, and validates the result.
func parseConfig(args []string, getenv func(string) (string, bool), usageOut io.Writer) (config, error) {
	fs := flag.NewFlagSet("kfakebroker", flag.ContinueOnError)
	fs.SetOutput(usageOut)

	var (
		brokers     = fs.Int("brokers", 3, "number of brokers in the process")
		ports       = fs.String("ports", "", "comma-separated listen ports, one per broker (default 9092,9093,... one per broker); 0 picks a free port")
		listenHost  = fs.String("listen-host", "0.0.0.0", "host/IP the brokers listen on")
		advHost     = fs.String("advertise-host", "127.0.0.1", "host the brokers advertise in Metadata/FindCoordinator (with each broker's port)")
		minSession  = fs.Duration("min-session-timeout", time.Second, "group.min.session.timeout (classic groups)")
		maxSession  = fs.Duration("max-session-timeout", 5*time.Minute, "group.max.session.timeout (classic groups)")
		dataDir     = fs.String("data-dir", "", "persistence directory (empty: in memory only)")
		syncWrites  = fs.Bool("sync", false, "fsync every write (requires -data-dir)")
		topics      = fs.String("topics", "", "seed topics: name:partitions,name:partitions (name alone uses -default-partitions)")
		defParts    = fs.Int("default-partitions", 10, "partitions for auto-created topics and CreateTopics with -1")
		autoCreate  = fs.Bool("auto-create", true, "allow auto topic creation from Metadata requests")
		logLevel    = fs.String("log-level", "warn", "none|error|warn|info|debug (stderr)")
		controlAddr = fs.String("control-addr", ":9644", "HTTP control API address (empty disables)")
		clusterID   = fs.String("cluster-id", "kfake", "cluster ID reported in metadata (ignored when a data dir is restored)")
		brokerCfgs  = fs.String("broker-config", "", "broker configs key=value,key=value (e.g. group.consumer.session.timeout.ms=6000)")
	)
	fs.Usage = func() {
		fmt.Fprintf(usageOut, "Usage: kfakebroker [flags]\n\nA kfake-based Kafka cluster in one process. Each flag can also be set by\nthe environment variable shown; a flag on the command line wins.\n\n")
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(usageOut, "  -%s (env %s, default %q)\n    \t%s\n", f.Name, envFor[f.Name], f.DefValue, f.Usage)
		})
	}

	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}

	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	names := make([]string, 0, len(envFor))
	for name := range envFor {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if set[name] {
			continue
		}
		env := envFor[name]
		v, ok := getenv(env)
		if !ok {
			continue
		}
		if err := fs.Set(name, strings.TrimSpace(v)); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", env, v, err))
			continue
		}
		set[name] = true
	}
	if len(errs) > 0 {
		return config{}, errors.Join(errs...)
	}

	cfg := config{
		Brokers:           *brokers,
		ListenHost:        strings.TrimSpace(*listenHost),
		AdvertiseHost:     strings.TrimSpace(*advHost),
		MinSessionTimeout: *minSession,
		MaxSessionTimeout: *maxSession,
		DataDir:           strings.TrimSpace(*dataDir),
		SyncWrites:        *syncWrites,
		DefaultPartitions: *defParts,
		AutoCreate:        *autoCreate,
		LogLevel:          strings.ToLower(strings.TrimSpace(*logLevel)),
		ControlAddr:       strings.TrimSpace(*controlAddr),
		ClusterID:         strings.TrimSpace(*clusterID),
	}

	// name reports the flag with its variable, for error messages.
	name := func(f string) string { return fmt.Sprintf("-%s (%s)", f, envFor[f]) }

	if cfg.Brokers < 1 || cfg.Brokers > 64 {
		errs = append(errs, fmt.Errorf("%s: must be between 1 and 64, got %d", name("brokers"), cfg.Brokers))
	}

	if strings.TrimSpace(*ports) == "" {
		if cfg.Brokers >= 1 && cfg.Brokers <= 64 {
			for i := range cfg.Brokers {
				cfg.Ports = append(cfg.Ports, defaultFirstPort+i)
			}
		}
	} else {
		ps, err := parsePorts(*ports)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %v", name("ports"), err))
		case len(ps) != cfg.Brokers:
			errs = append(errs, fmt.Errorf("%s: %d port(s) given for %d broker(s); give exactly one port per broker", name("ports"), len(ps), cfg.Brokers))
		default:
			cfg.Ports = ps
		}
	}

	if err := checkHost(cfg.ListenHost, true); err != nil {
		errs = append(errs, fmt.Errorf("%s: %v", name("listen-host"), err))
	}
	if err := checkHost(cfg.AdvertiseHost, false); err != nil {
		errs = append(errs, fmt.Errorf("%s: %v", name("advertise-host"), err))
	} else if ip := net.ParseIP(cfg.AdvertiseHost); ip != nil && ip.IsUnspecified() {
		errs = append(errs, fmt.Errorf("%s: %q is not an address clients can connect to", name("advertise-host"), cfg.AdvertiseHost))
	}

	if cfg.MinSessionTimeout <= 0 {
		errs = append(errs, fmt.Errorf("%s: must be positive, got %v", name("min-session-timeout"), cfg.MinSessionTimeout))
	}
	if cfg.MaxSessionTimeout < cfg.MinSessionTimeout {
		errs = append(errs, fmt.Errorf("%s: %v is below -min-session-timeout %v", name("max-session-timeout"), cfg.MaxSessionTimeout, cfg.MinSessionTimeout))
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"min-session-timeout", cfg.MinSessionTimeout}, {"max-session-timeout", cfg.MaxSessionTimeout}} {
		if d.v%time.Millisecond != 0 || d.v > time.Duration(1<<31-1)*time.Millisecond {
			errs = append(errs, fmt.Errorf("%s: %v must be a whole number of milliseconds below 2^31ms", name(d.flag), d.v))
		}
	}

	if cfg.SyncWrites && cfg.DataDir == "" {
		errs = append(errs, fmt.Errorf("%s: needs %s", name("sync"), name("data-dir")))
	}

	if cfg.DefaultPartitions < 1 || cfg.DefaultPartitions > 100000 {
		errs = append(errs, fmt.Errorf("%s: must be between 1 and 100000, got %d", name("default-partitions"), cfg.DefaultPartitions))
	}

	ts, err := parseTopics(*topics)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %v", name("topics"), err))
	}
	cfg.Topics = ts

	if !validLogLevel(cfg.LogLevel) {
		errs = append(errs, fmt.Errorf("%s: %q is not one of %s", name("log-level"), *logLevel, strings.Join(logLevels, "|")))
	}

	if cfg.ControlAddr != "" {
		if _, p, err := net.SplitHostPort(cfg.ControlAddr); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v (want host:port or :port)", name("control-addr"), err))
		} else if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
			errs = append(errs, fmt.Errorf("%s: bad port %q", name("control-addr"), p))
		}
	}

	if cfg.ClusterID == "" {
		errs = append(errs, fmt.Errorf("%s: must not be empty", name("cluster-id")))
	}

	bc, err := parseKV(*brokerCfgs)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %v", name("broker-config"), err))
	}
	cfg.BrokerConfigs = bc

	if len(errs) > 0 {
		return config{}, errors.Join(errs...)
	}
	return cfg, nil
}

func validLogLevel(l string) bool {
	for _, v := range logLevels {
		if v == l {
			return true
		}
	}
	return false
}

func parsePorts(s string) ([]int, error) {
	var ps []int
	seen := map[int]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			return nil, fmt.Errorf("empty port in %q", s)
		}
		p, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("port %q is not a number", f)
		}
		if p < 0 || p > 65535 {
			return nil, fmt.Errorf("port %d out of range 0-65535", p)
		}
		if p != 0 && seen[p] {
			return nil, fmt.Errorf("port %d given twice", p)
		}
		seen[p] = true
		ps = append(ps, p)
	}
	return ps, nil
}

// checkHost accepts an IP literal or a DNS-ish host name; empty is allowed
// only for the listen host (meaning all interfaces).
func checkHost(h string, emptyOK bool) error {
	if h == "" {
		if emptyOK {
			return nil
		}
		return errors.New("must not be empty")
	}
	if net.ParseIP(h) != nil {
		return nil
	}
	if strings.ContainsAny(h, ":/ \t[]") {
		return fmt.Errorf("%q is neither an IP address nor a host name (give the host only, no port)", h)
	}
	if !hostNameRE.MatchString(h) {
		return fmt.Errorf("%q is not a valid host name", h)
	}
	return nil
}

func parseTopics(s string) ([]topicSpec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var ts []topicSpec
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("empty entry in %q", s)
		}
		nm, parts, hasParts := strings.Cut(item, ":")
		nm = strings.TrimSpace(nm)
		if !topicNameRE.MatchString(nm) || nm == "." || nm == ".." {
			return nil, fmt.Errorf("bad topic name %q (want [a-zA-Z0-9._-]{1,249})", nm)
		}
		if seen[nm] {
			return nil, fmt.Errorf("topic %q given twice", nm)
		}
		seen[nm] = true
		t := topicSpec{Name: nm}
		if hasParts {
			n, err := strconv.Atoi(strings.TrimSpace(parts))
			if err != nil || n < 1 || n > 100000 {
				return nil, fmt.Errorf("topic %q: partitions %q must be an integer between 1 and 100000", nm, parts)
			}
			t.Partitions = int32(n)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func parseKV(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("want key=value, got %q", item)
		}
		m[k] = strings.TrimSpace(v)
	}
	return m, nil
}
