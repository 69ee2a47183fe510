// Command franzfeed is the StreamSocial feed worker built on franz-go,
// written from the worker contract alone (README.md, "The worker
// contract"). Exit codes: 0 clean shutdown, 1 fatal Kafka error, 2 bad
// configuration, 3 shutdown past SHUTDOWN_TIMEOUT_MS, 130 second signal.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/streamsocial/feedchaos/workers/contract"
	"github.com/streamsocial/feedchaos/workers/franzfeed"
)

func main() { os.Exit(run()) }

func run() int {
	cfg, err := franzfeed.LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "franzfeed: bad configuration: %v\n", err)
		return contract.ExitBadConfig
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	hard, abandon := context.WithCancel(context.Background())
	defer abandon()
	w, err := franzfeed.New(hard, cfg, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "franzfeed: %v\n", err)
		return contract.ExitFatal
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "franzfeed: listen %s: %v\n", cfg.HTTPAddr, err)
		return contract.ExitFatal
	}
	srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()

	soft, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- w.Run(soft) }()

	select {
	case err := <-done:
		// fatal before any signal
		_ = srv.Close()
		if err != nil {
			fmt.Fprintf(os.Stderr, "franzfeed: fatal: %v\n", err)
			return contract.ExitFatal
		}
		return contract.ExitOK
	case sig := <-sigs:
		fmt.Fprintf(os.Stderr, "franzfeed: %v: shutting down (bound %s)\n", sig, cfg.ShutdownTimeout)
	}
	w.Stopping()
	stop()
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "franzfeed: second signal %v: exiting at once\n", sig)
		os.Exit(contract.ExitSecondSignal)
	}()
	timer := time.NewTimer(cfg.ShutdownTimeout)
	select {
	case err := <-done:
		_ = srv.Close()
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(os.Stderr, "franzfeed: fatal: %v\n", err)
			return contract.ExitFatal
		}
		return contract.ExitOK
	case <-timer.C:
		abandon()
		fmt.Fprintf(os.Stderr, "franzfeed: shutdown did not finish within %s\n", cfg.ShutdownTimeout)
		return contract.ExitShutdownTimeout
	}
}
