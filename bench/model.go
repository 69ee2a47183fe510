// Package bench is the performance report of the feed fleet: what a
// rebalance costs and how the fleet scales, per assignor and group protocol,
// and how one worker compares with a bare consume -> produce loop. It holds
// the report's data model, the pure computations over a recorded history
// (throughput, rebalance cost, resource summaries) and the renderers
// (Markdown, JSON, SVG charts). It imports no Docker or Kafka client:
// cmd/bench runs the fleets and fills a Report; everything here is
// unit-tested without them.
package bench

import (
	"time"
)

// Report is one bench run.
type Report struct {
	Machine  Machine       `json:"machine"`
	Config   Config        `json:"config"`
	Combos   []ComboResult `json:"combos"`
	Bare     *BareResult   `json:"bare,omitempty"`
	Goals    []Goal        `json:"goals"`
	Notes    []string      `json:"notes,omitempty"` // observations of the run (errors the workers printed around probes, ...)
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
}

// Machine is what the bench ran on.
type Machine struct {
	CPUs          int       `json:"cpus"`           // nproc
	MemoryBytes   uint64    `json:"memory_bytes"`   // MemTotal
	Kernel        string    `json:"kernel"`         // uname -r
	OS            string    `json:"os"`             // PRETTY_NAME of /etc/os-release
	Docker        string    `json:"docker"`         // engine version
	DockerStorage string    `json:"docker_storage"` // storage driver
	Cgroup        string    `json:"cgroup"`         // v1 or v2
	Go            string    `json:"go"`             // runtime.Version()
	Librdkafka    string    `json:"librdkafka"`     // linked into the worker and the bare loop
	Date          time.Time `json:"date"`
}

// Config is how the bench was run.
type Config struct {
	Sizes          []int         `json:"sizes"`            // fleet sizes of the ladder
	Partitions     int32         `json:"partitions"`       // of posts in the ladder
	PostRate       int           `json:"post_rate"`        // steady load, posts/s
	Burst          int           `json:"burst"`            // posts per throughput burst
	StartLimit     int           `json:"start_limit"`      // containers started at once
	SessionTimeout time.Duration `json:"session_timeout"`  //
	Heartbeat      time.Duration `json:"heartbeat"`        //
	Probes         bool          `json:"probes"`           // single join and leave at every size
	BarePosts      int           `json:"bare_posts"`       // posts pre-loaded for the worker-vs-bare runs
	BarePartitions int32         `json:"bare_partitions"`  //
	BareRounds     int           `json:"bare_rounds"`      // alternating worker, bare rounds
	Seed           uint64        `json:"graph_seed"`       //
	Users          int           `json:"graph_users"`      //
	FollowersMean  float64       `json:"followers_mean"`   // feed updates per post, on average
	CommandLine    string        `json:"command_line"`     //
	Commit         string        `json:"commit,omitempty"` // git HEAD of the tree, if known
}

// ComboResult is the ladder of one assignor × protocol.
type ComboResult struct {
	Name       string        `json:"name"` // "classic range", "KIP-848 consumer protocol, uniform assignor"
	Assignor   string        `json:"assignor"`
	Protocol   string        `json:"protocol"`
	Sizes      []SizeResult  `json:"sizes"`
	Rebalances []Rebalance   `json:"rebalances"`
	Lost       string        `json:"lost"`    // the no-lost-updates verdict over the whole ladder
	LostPass   bool          `json:"lost_ok"` //
	Wall       time.Duration `json:"wall"`    // the whole ladder, stage up to drained
	// Commits aggregates the commit latency histograms of the workers
	// alive at the end of the ladder (the largest fleet).
	Commits CommitStats `json:"commits"`
	Error   string      `json:"error,omitempty"`
}

// SizeResult is the fleet at one size, once settled.
type SizeResult struct {
	Workers int `json:"workers"`
	// Throughput while draining a burst of Config.Burst posts on top of the
	// steady load: records fanned out per second of the drain.
	PostsPerSec   float64       `json:"posts_per_sec"`
	UpdatesPerSec float64       `json:"updates_per_sec"`
	Drain         time.Duration `json:"drain"` // burst start -> every post committed and every update read
	// HostBusy is the fraction of all the host's CPUs busy during the
	// burst (/proc/stat): every process, not only the fleet's.
	HostBusy float64 `json:"host_busy"`
	// Resource use: Idle over a window of steady load, Busy over the burst.
	Worker ResourceStats `json:"worker"`
	Proxy  ResourceStats `json:"proxy"`
	Broker ResourceStats `json:"broker"`
	// Latency is the feed-update latency under the steady load, over the
	// idle resource window before the burst.
	Latency SteadyLatency `json:"latency"`
}

// ResourceStats summarises the containers of one role at one size.
type ResourceStats struct {
	N        int     `json:"n"`
	IdleMean float64 `json:"cpu_idle_mean"` // cores, per container, under the steady load
	BusyMean float64 `json:"cpu_busy_mean"` // cores, per container, during the burst
	BusyMax  float64 `json:"cpu_busy_max"`
	BusySum  float64 `json:"cpu_busy_sum"`
	MemMean  uint64  `json:"mem_mean"` // docker stats MEM USAGE
	MemMax   uint64  `json:"mem_max"`
	MemTotal uint64  `json:"mem_total"`
	RSSMean  uint64  `json:"rss_mean"`
}

// Rebalance is what one membership change cost.
type Rebalance struct {
	Kind string `json:"kind"` // grow (a ladder step), join (one member), leave (one member, SIGTERM)
	From int    `json:"from"`
	To   int    `json:"to"`
	// Start is how long creating and starting the new containers took
	// (concurrently, Config.StartLimit at a time); 0 for a leave.
	Start time.Duration `json:"start"`
	// Settle is join (the last new worker's "started" event, i.e. it
	// subscribed) or leave (SIGTERM sent) -> the first settled assignment
	// with exactly the new members. 0 with Settled false when it never came.
	Settle  time.Duration `json:"settle"`
	Settled bool          `json:"settled"`
	// Partitions whose owner changed between the settled assignments before
	// and after; Between of them moved between members present both before
	// and after (a sticky assignor's avoidable moves); Kept did not move.
	Moved   int `json:"moved"`
	Between int `json:"between"`
	Kept    int `json:"kept"`
	// Gained is how many partitions the joining members got (joins), or how
	// many the leavers held (leaves): the least a rebalance must move.
	Needed int `json:"needed"`
	// Longest processing stall (verify.Stalls) in [change, settled + 1s]
	// on the partitions that kept their owner, on those that moved, and on
	// the kept ones over an equally long window just before the change.
	StallKept     time.Duration `json:"stall_kept"`
	StallMoved    time.Duration `json:"stall_moved"`
	StallBaseline time.Duration `json:"stall_baseline"`
	// CommitErrors counts the "commit: ..." errors workers printed in the
	// same window (a commit refused or held back by the rebalance).
	CommitErrors int `json:"commit_errors"`
}

// BareResult compares one feed worker with the bare loop on the same
// broker, each draining the same pre-loaded posts with a fresh group.
type BareResult struct {
	Posts      int       `json:"posts"`
	Partitions int32     `json:"partitions"`
	Expected   int64     `json:"expected_updates"` // feed updates the posts fan out to
	Runs       []BareRun `json:"runs"`
	Worker     BareRun   `json:"worker"`   // best worker run
	Bare       BareRun   `json:"bare"`     // best bare-loop run writing the worker's feed update (the baseline)
	BareRaw    BareRun   `json:"bare_raw"` // best bare-loop run writing the post's bytes as the value (the floor)
	Ratio      float64   `json:"ratio"`    // worker posts/s ÷ bare posts/s
	RatioRaw   float64   `json:"ratio_raw"`
	// RoundRatios are worker ÷ bare loop per round (the runs of a round
	// follow each other, so they share the machine's load); RatioMedian is
	// their median, the figure the goal is judged by.
	RoundRatios []float64 `json:"round_ratios"`
	RatioMedian float64   `json:"ratio_median"`
	Goal        float64   `json:"goal"` // 0.8
	Delivery    string    `json:"delivery"`
	Error       string    `json:"error,omitempty"`
	Preload     Preload   `json:"preload"`
	Notes       []string  `json:"notes,omitempty"`
}

// Preload is how the posts were loaded before the runs.
type Preload struct {
	Took time.Duration `json:"took"`
	Rate float64       `json:"rate"` // posts/s the producer achieved
}

// BareRun is one drain of the pre-loaded posts.
type BareRun struct {
	Name          string        `json:"name"` // feedworker, bareloop (same records as the worker), bareloop-raw
	Round         int           `json:"round"`
	PostsPerSec   float64       `json:"posts_per_sec"`   // over the 10%..90% part of the drain
	UpdatesPerSec float64       `json:"updates_per_sec"` // same window, records produced
	Drain         time.Duration `json:"drain"`           // container start -> all committed
	Produced      int64         `json:"produced"`        // records on its output topic at the end
	CPU           float64       `json:"cpu_cores"`       // the container, over the measured window
	RSS           uint64        `json:"rss"`             // at the end of the window
	Mem           uint64        `json:"mem"`             //
	ProxyCPU      float64       `json:"proxy_cpu_cores"` // its toxiproxy sidecar
}

// Progress is one sample of a drain: records committed and produced.
type Progress struct {
	At        time.Time
	Committed int64
	Produced  int64
}

// Goal is one of the goals with what was measured.
type Goal struct {
	Name     string `json:"name"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	Met      bool   `json:"met"`
	Known    bool   `json:"known"` // false: not measured in this run
	Reason   string `json:"reason,omitempty"`
}
