package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/streamsocial/feedchaos/workers/contract"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "feedworker-test")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "feedworker")
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", binPath, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is a running feedworker process and its parsed stdout.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	events []contract.Event
	lines  []string
	stderr bytes.Buffer
	done   chan struct{}
	code   int
}

func start(t *testing.T, env map[string]string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t))
	cmd.Env = []string{"PATH=/usr/bin:/bin"} // nothing else: no HOME, as in a scratch image
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var ev contract.Event
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.DisallowUnknownFields()
			err := dec.Decode(&ev)
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			if err == nil {
				p.events = append(p.events, ev)
			} else {
				p.events = append(p.events, contract.Event{Event: "NOT-JSON: " + contract.EventKind(sc.Text())})
			}
			p.mu.Unlock()
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
		}
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) has(kind contract.EventKind) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ev := range p.events {
		if ev.Event == kind {
			return true
		}
	}
	return false
}

func (p *proc) kinds() []contract.EventKind {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ks []contract.EventKind
	for _, ev := range p.events {
		ks = append(ks, ev.Event)
	}
	return ks
}

func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		t.Fatalf("process did not exit within %s; events %v", d, p.kinds())
		return -1
	}
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func cluster(t *testing.T) string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1),
		kfake.SeedTopics(4, contract.DefaultPostsTopic, contract.DefaultFeedTopic, contract.DefaultDLQTopic),
		kfake.GroupMinSessionTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return strings.Join(c.ListenAddrs(), ",")
}

func baseEnv(bootstrap, http string) map[string]string {
	return map[string]string{
		contract.EnvBootstrap: bootstrap, contract.EnvGroupID: "g", contract.EnvWorkerID: "w1",
		contract.EnvHTTPAddr: http, contract.EnvSessionTimeoutMS: "6000", contract.EnvHeartbeatMS: "500",
	}
}

func TestBadConfigExits2(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	p := start(t, map[string]string{contract.EnvWorkerID: "w1", contract.EnvAssignor: "sticky"})
	if code := p.wait(t, 10*time.Second); code != contract.ExitBadConfig {
		t.Errorf("exit code %d, want %d", code, contract.ExitBadConfig)
	}
	if !strings.Contains(p.stderr.String(), "ASSIGNOR") || !strings.Contains(p.stderr.String(), "KAFKA_BOOTSTRAP") {
		t.Errorf("stderr does not name the variables: %s", p.stderr.String())
	}
	if ks := p.kinds(); len(ks) != 1 || ks[0] != contract.EventError {
		t.Errorf("events %v, want one error", ks)
	}
}

func TestSIGTERMGraceful(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, starts kfake")
	}
	bootstrap := cluster(t)
	addr := freePort(t)
	p := start(t, baseEnv(bootstrap, addr))
	waitFor(t, "assigned", 30*time.Second, func() bool { return p.has(contract.EventAssigned) })

	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.DefaultProduceTopic(contract.DefaultPostsTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := 0; i < 50; i++ {
		v, _ := json.Marshal(contract.Post{ID: fmt.Sprint("p", i), Author: i % 7, Seq: int64(i)})
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "committed", 30*time.Second, func() bool { return p.has(contract.EventCommitted) })

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get(contract.PathHealth); code != 200 {
		t.Errorf("healthz %d", code)
	}
	waitFor(t, "status shows the commits", 10*time.Second, func() bool {
		_, body := get(contract.PathStatus)
		var st contract.Status
		_ = json.Unmarshal([]byte(body), &st)
		var sum int64
		for _, o := range st.Committed {
			sum += o
		}
		return sum == 50 && st.Consumed == 50 && len(st.Assigned) == 4
	})
	if code, body := get(contract.PathMetrics); code != 200 || !strings.Contains(body, "feedworker_records_consumed_total 50") {
		t.Errorf("metrics %d:\n%s", code, body)
	}

	start := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 15*time.Second); code != contract.ExitOK {
		t.Errorf("exit code %d, want 0; stderr:\n%s", code, p.stderr.String())
	}
	t.Logf("stopped in %s", time.Since(start))
	ks := p.kinds()
	if ks[0] != contract.EventStarted || ks[len(ks)-1] != contract.EventStopped {
		t.Errorf("events %v", ks)
	}
	for _, k := range []contract.EventKind{contract.EventStopping, contract.EventRevoked} {
		if !p.has(k) {
			t.Errorf("no %s event: %v", k, ks)
		}
	}
	for _, k := range ks {
		if strings.HasPrefix(string(k), "NOT-JSON") {
			t.Errorf("stdout line is not an event: %s", k)
		}
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, starts kfake")
	}
	bootstrap := cluster(t)
	env := baseEnv(bootstrap, freePort(t))
	env[contract.EnvProcessDelayMS] = "5000"
	env[contract.EnvShutdownTimeoutMS] = "30000"
	p := start(t, env)
	waitFor(t, "assigned", 30*time.Second, func() bool { return p.has(contract.EventAssigned) })
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.DefaultProduceTopic(contract.DefaultPostsTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	v, _ := json.Marshal(contract.Post{ID: "p", Author: 1})
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Value: v}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the worker is now sleeping in its slow handler
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	waitFor(t, "stopping", 10*time.Second, func() bool { return p.has(contract.EventStopping) })
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t, 5*time.Second); code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
}

func TestShutdownTimeoutExits3(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary, starts kfake")
	}
	bootstrap := cluster(t)
	env := baseEnv(bootstrap, freePort(t))
	env[contract.EnvShutdownTimeoutMS] = "1"
	p := start(t, env)
	waitFor(t, "assigned", 30*time.Second, func() bool { return p.has(contract.EventAssigned) })
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != contract.ExitShutdownTimeout {
		t.Errorf("exit code %d, want %d", code, contract.ExitShutdownTimeout)
	}
}
