package franzfeed

import (
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"
)

type (
	kmsgReq  = kmsg.OffsetCommitRequest
	kmsgResp = kmsg.OffsetCommitResponse
)

// atomic64 counts from several goroutines.
type atomic64 struct{ n atomic.Int64 }

func (a *atomic64) add()       { a.n.Add(1) }
func (a *atomic64) get() int64 { return a.n.Load() }
