// Package delivery holds the chaos specs of what the feed worker promises
// about each post it reads: posts published before the group first joins
// read from the earliest offset, exactly-once delivery through a SIGKILL in the
// middle of a transaction, no rebalance when a static member restarts in
// place, and poison posts dead-lettered while everything else flows.
//
// What the protocols make impossible, measured here and left out:
//
//   - A static member killed with SIGKILL and restarted within the session
//     timeout under KIP-848 cannot rejoin at once: the coordinator answers
//     UNRELEASED_INSTANCE_ID while the old member's session lives (KIP-848;
//     kfake's consumerJoin as Kafka's throwIfInstanceIdIsUnreleased), which
//     librdkafka raises as a fatal error of the consumer. The worker joins
//     again with a new consumer, with backoff, until the old session has
//     expired (a rebalance), and the refused-rejoin spec proves it.
//   - A static cooperative-sticky member restarted in place rejoins with
//     different subscription metadata (its owned partitions are gone with
//     its process), so the coordinator rebalances (kfake's
//     replaceStaticMember skips the rebalance only for identical metadata,
//     as Kafka does): no partition moves, but the group goes through
//     PreparingRebalance.
package delivery

import (
	"github.com/streamsocial/feedchaos/suites/internal/kit"
)

// Its specs carry the label "delivery", which names the theme in reports and
// artifacts (artifacts/delivery/<spec>/).
var _ = kit.Theme("delivery", "delivery")
