// Command bareloop is the bench's baseline loop (package bench/bareloop) as
// a program: configured by the worker contract's environment, it stops on
// SIGTERM or SIGINT after committing what it produced. fixtures.BareLoopImage
// puts it in a FROM-scratch image like the feed worker's.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/streamsocial/feedchaos/bench/bareloop"
)

func main() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	stop := make(chan struct{})
	go func() { <-sigs; close(stop) }()
	os.Exit(bareloop.Run(os.Getenv, stop, os.Stdout, os.Stderr))
}
