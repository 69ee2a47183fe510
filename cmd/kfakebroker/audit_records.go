package main

import (
	"encoding/json"
	"fmt"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/streamsocial/feedchaos/history"
	"github.com/streamsocial/feedchaos/workers/contract"
)

var decompressor = kgo.DefaultDecompressor()

// decodeBatches parses the record batches of one produce partition: the
// producer id and epoch of the first batch, and every record's value as a
// feed update (feed) or a dead letter. A record that cannot be parsed is
// kept with Err set; a batch that cannot be parsed becomes one record with
// Err set.
func decodeBatches(raw []byte, feed bool) (pid int64, epoch int16, recs []history.AuditRecord) {
	pid, epoch = -1, -1
	first := true
	for len(raw) > 0 {
		var b kmsg.RecordBatch
		if err := b.ReadFrom(raw); err != nil {
			recs = append(recs, history.AuditRecord{Err: fmt.Sprintf("undecodable record batch: %v", err)})
			return pid, epoch, recs
		}
		n := 12 + int(b.Length)
		if n <= 12 || n > len(raw) {
			n = len(raw)
		}
		raw = raw[n:]
		if first {
			pid, epoch, first = b.ProducerID, b.ProducerEpoch, false
		}
		body := b.Records
		if codec := kgo.CompressionCodecType(b.Attributes & 0x0007); codec != kgo.CodecNone {
			d, err := decompressor.Decompress(body, codec)
			if err != nil {
				recs = append(recs, history.AuditRecord{Err: fmt.Sprintf("batch of %d records: decompressing: %v", b.NumRecords, err)})
				continue
			}
			body = d
		}
		recs = append(recs, decodeRecords(body, int(b.NumRecords), feed)...)
	}
	return pid, epoch, recs
}

func decodeRecords(in []byte, n int, feed bool) []history.AuditRecord {
	out := make([]history.AuditRecord, 0, n)
	for i := 0; i < n; i++ {
		length, used := kbin.Varint(in)
		total := used + int(length)
		if used <= 0 || length < 0 || len(in) < total {
			out = append(out, history.AuditRecord{Err: fmt.Sprintf("record %d of %d: truncated", i, n)})
			return out
		}
		b := kbin.Reader{Src: in[used:total]}
		b.Int8()
		b.Varlong()
		delta := b.Varint()
		b.VarintBytes() // key
		value := b.VarintBytes()
		in = in[total:]
		r := history.AuditRecord{OffsetDelta: delta}
		if !b.Ok() {
			r.Err = fmt.Sprintf("record %d of %d: undecodable", i, n)
			out = append(out, r)
			continue
		}
		if feed {
			var u contract.FeedUpdate
			if err := json.Unmarshal(value, &u); err != nil {
				r.Err = fmt.Sprintf("feed update value: %v", err)
			}
			r.PostID, r.Follower, r.Worker, r.SourcePartition, r.SourceOffset = u.PostID, u.Follower, u.Worker, u.SourcePartition, u.SourceOffset
		} else {
			var d contract.DeadLetter
			if err := json.Unmarshal(value, &d); err != nil {
				r.Err = fmt.Sprintf("dead letter value: %v", err)
			}
			r.Reason, r.Worker, r.SourcePartition, r.SourceOffset = d.Reason, d.Worker, d.SourcePartition, d.SourceOffset
			if r.Reason == "" && r.Err == "" {
				r.Err = "dead letter without a reason"
			}
		}
		out = append(out, r)
	}
	return out
}
