#!/usr/bin/env bash
# make external: the chaos specs against a Kafka-protocol cluster the suite
# did not start. It starts one broker container OUTSIDE the suite (the
# suite's broker image: kfakebroker, three brokers in one process) on a
# user-defined Docker network, advertising the host name kafka-ext (never
# 127.0.0.1) and publishing its ports on the host's loopback for the
# harness; runs the specs with KAFKA_BOOTSTRAP pointing at it; and removes
# the container and the network afterwards, whatever happened (trap).
#
#   EXTERNAL_LABELS   the specs to run (default 'crash || partition || heartbeat')
#   EXTERNAL_PORTS    the broker ports, listened on, advertised and published
#                     (default 29192,29193,29194: below the ephemeral range)
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
export CHAOS_OWNER=${CHAOS_OWNER:-$$}
labels=${EXTERNAL_LABELS:-crash || partition || heartbeat}
ports=${EXTERNAL_PORTS:-29192,29193,29194}
host=kafka-ext
net=feedchaos-ext-$CHAOS_OWNER
name=feedchaos-ext-$CHAOS_OWNER-kafka
# The suite's session timeout: KIP-848 groups time out by the broker's
# configs, which a cluster the suite did not start must match.
session_ms=${EXTERNAL_SESSION_MS:-6000}
heartbeat_ms=${EXTERNAL_HEARTBEAT_MS:-1000}

cleanup() {
	docker rm -f "$name" >/dev/null 2>&1
	docker network rm "$net" >/dev/null 2>&1
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

broker=$(go run ./cmd/chaosctl images | sed -n 's/.*broker=\([^ ]*\).*/\1/p')
[ -n "$broker" ] || { echo "make external: no broker image"; exit 1; }

lbl=(--label streamsocial.chaos=1 --label "streamsocial.chaos.owner=$CHAOS_OWNER" --label streamsocial.chaos.role=external)
publish=(); boot=()
IFS=, read -ra plist <<<"$ports"
for p in "${plist[@]}"; do publish+=(-p "127.0.0.1:$p:$p"); boot+=("127.0.0.1:$p"); done
bootstrap=$(IFS=,; echo "${boot[*]}")

docker network create "${lbl[@]}" "$net" >/dev/null || exit 1
docker run -d --name "$name" "${lbl[@]}" --network "$net" --network-alias "$host" --hostname "$host" "${publish[@]}" \
	-e BROKER_COUNT=${#plist[@]} -e BROKER_PORTS="$ports" -e BROKER_LISTEN_HOST=0.0.0.0 -e BROKER_ADVERTISE_HOST="$host" \
	-e BROKER_MIN_SESSION_TIMEOUT=1s -e BROKER_AUTO_CREATE=false -e BROKER_DATA_DIR= -e BROKER_CONTROL_ADDR= -e BROKER_LOG_LEVEL=warn \
	-e BROKER_CONFIGS="group.consumer.session.timeout.ms=$session_ms,group.consumer.heartbeat.interval.ms=$heartbeat_ms" \
	"$broker" >/dev/null || exit 1
for _ in $(seq 1 300); do
	docker logs "$name" 2>&1 | grep -q '"event":"ready"' && break
	sleep 0.1
done
docker logs "$name" 2>&1 | grep -q '"event":"ready"' || { echo "make external: the broker did not start"; docker logs "$name"; exit 1; }
echo "external cluster: $name on $net, advertising $host:{$ports}; the harness dials $bootstrap"

# The harness dials the published ports (KAFKA_HARNESS_HOSTS: it cannot
# resolve kafka-ext); every worker dials kafka-ext, which its sidecar maps to
# its own proxy (KAFKA_NETWORK: the sidecars join the cluster's network).
KAFKA_BOOTSTRAP=$bootstrap KAFKA_NETWORK=$net KAFKA_HARNESS_HOSTS="$host=127.0.0.1" \
	make --no-print-directory external-specs EXTERNAL_LABELS="$labels"
