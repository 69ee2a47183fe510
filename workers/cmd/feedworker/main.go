// Command feedworker is the StreamSocial feed worker: it consumes posts and
// fans them out to followers' feeds, as specified by workers/contract.
//
// Configuration is by environment only (see contract.Env*). Lifecycle events
// are JSON lines on stdout; librdkafka's own logs go to stderr.
//
// Exit codes: 0 clean shutdown; 1 fatal Kafka error (e.g. fenced in
// exactly-once mode); 2 bad configuration; 3 shutdown did not finish within
// SHUTDOWN_TIMEOUT_MS; 130 a second SIGINT/SIGTERM during shutdown.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/streamsocial/feedchaos/workers/contract"
	"github.com/streamsocial/feedchaos/workers/feed"
)

func main() { os.Exit(run()) }

func run() int {
	cfg, err := feed.LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "feedworker: bad configuration:\n%v\n", err)
		feed.NewEmitter(os.Stdout, os.Getenv(contract.EnvWorkerID)).Error(
			fmt.Errorf("bad configuration: %w", err), map[string]string{"fatal": "true", "exit_code": "2"})
		return contract.ExitBadConfig
	}
	em := feed.NewEmitter(os.Stdout, cfg.WorkerID)
	quirks := feed.QuirksOf(cfg) // none in production: only the mutants build has any
	if quirks.StdoutNoise != "" {
		fmt.Println(quirks.StdoutNoise)
	}

	// Signals are caught before the clients exist, so an early SIGTERM is
	// still a graceful stop.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	w, err := feed.New(cfg, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "feedworker: %v\n", err)
		em.Error(err, map[string]string{"fatal": "true", "exit_code": "1"})
		return contract.ExitFatal
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "feedworker: listen %s: %v\n", cfg.HTTPAddr, err)
		em.Error(fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err), map[string]string{"fatal": "true", "exit_code": "1"})
		return contract.ExitFatal
	}
	srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			em.Error(fmt.Errorf("http server: %w", err), nil)
		}
	}()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	var deadline <-chan time.Time
	for {
		select {
		case err := <-done:
			shutCtx, c := context.WithTimeout(context.Background(), time.Second)
			_ = srv.Shutdown(shutCtx)
			c()
			if err != nil {
				fmt.Fprintf(os.Stderr, "feedworker: %v\n", err)
				return contract.ExitFatal
			}
			return contract.ExitOK
		case sig := <-sigs:
			if quirks.ExitOnTerm {
				return contract.ExitFatal
			}
			if deadline != nil {
				em.Emit(contract.Event{Event: contract.EventError, Error: "second signal during shutdown: exiting at once",
					Detail: map[string]string{"signal": sig.String(), "exit_code": strconv.Itoa(contract.ExitSecondSignal)}})
				return contract.ExitSecondSignal
			}
			cancel() // Run prints stopping and shuts down
			deadline = time.After(cfg.ShutdownTimeout)
		case <-deadline:
			em.Emit(contract.Event{Event: contract.EventError, Error: fmt.Sprintf("shutdown did not finish within %s", cfg.ShutdownTimeout),
				Detail: map[string]string{"fatal": "true", "exit_code": "3"}})
			return contract.ExitShutdownTimeout
		}
	}
}
