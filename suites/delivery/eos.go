package delivery

import (
	"github.com/streamsocial/feedchaos/suites/internal/specs"
	"github.com/streamsocial/feedchaos/workers/contract"
)

// Consumer848EOS is the KIP-848 protocol in exactly-once mode.
var Consumer848EOS = specs.Combination{Assignor: contract.AssignorUniform, Protocol: contract.ProtocolConsumer, Delivery: contract.DeliveryExactlyOnce}

// Exactly-once: a worker killed while a transaction of its own is open and
// has written feed updates, under the classic and the KIP-848 protocol.
// The read_committed verifier must see none of those updates, and each of
// them exactly once from the transaction that replaced it.
var (
	_ = specs.KillMidTransactionSpec(func() specs.KillMidTxnInput {
		return specs.KillMidTxnInput{Combo: specs.ClassicRangeEOS}
	})
	_ = specs.KillMidTransactionSpec(func() specs.KillMidTxnInput {
		return specs.KillMidTxnInput{Combo: Consumer848EOS}
	})
)

// Exactly-once zombie: a worker frozen inside an open transaction until
// its partitions have moved, then thawed; its transaction must be fenced,
// never committed.
var _ = specs.FreezeMidTransactionSpec(func() specs.FreezeMidTxnInput {
	return specs.FreezeMidTxnInput{Combo: specs.ClassicRangeEOS}
})
