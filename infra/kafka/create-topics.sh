#!/usr/bin/env bash
# Creates the topics of infra/kafka/topics.txt on a real Kafka cluster, for containers:
# docker-compose.yml's kafka-init and infra/k8s/overlays/dev's kafka-topics Job run it in the
# apache/kafka image. Existing topics are left as they are, so it is safe to run on every start.
# (The development broker reads topics.txt itself; production uses Strimzi KafkaTopic resources,
# which tests/infra/test_manifests.py keeps in step with topics.txt.)
#
# Environment, with defaults:
#   KAFKA_BOOTSTRAP_SERVERS            kafka:9092
#   KAFKA_TOPICS_FILE                  topics.txt beside this script
#   KAFKA_TOPIC_PARTITIONS             3 (as the development broker): consumers of one group share
#                                      them, so a fourth replica of a consumer would idle
#   KAFKA_TOPIC_REPLICATION_FACTOR     1 (one broker)
#   KAFKA_HOME                         /opt/kafka (the apache/kafka image)
#   KAFKA_COMMAND_CONFIG               none; a client properties file for a broker that wants TLS
#                                      and a super user (kafka-single-node's admin.properties)
set -euo pipefail
bootstrap="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
topics_file="${KAFKA_TOPICS_FILE:-$(dirname "${BASH_SOURCE[0]}")/topics.txt}"
partitions="${KAFKA_TOPIC_PARTITIONS:-3}"
replication="${KAFKA_TOPIC_REPLICATION_FACTOR:-1}"
bin="${KAFKA_HOME:-/opt/kafka}/bin"
client=()
[[ -z "${KAFKA_COMMAND_CONFIG:-}" ]] || client=(--command-config "$KAFKA_COMMAND_CONFIG")

# The broker may still be starting (the Kubernetes Job has no depends_on): up to 2 minutes.
for attempt in $(seq 1 60); do
  "$bin/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" "${client[@]}" >/dev/null 2>&1 && break
  ((attempt < 60)) || { echo "create-topics.sh: no broker at $bootstrap" >&2; exit 1; }
  sleep 2
done

sed -e 's/#.*//' -e 's/[[:space:]]//g' "$topics_file" | grep -v '^$' | while read -r topic; do
  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" "${client[@]}" --create --if-not-exists \
    --topic "$topic" --partitions "$partitions" --replication-factor "$replication"
done
"$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" "${client[@]}" --describe
