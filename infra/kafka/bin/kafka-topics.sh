#!/usr/bin/env bash
# Kafka's kafka-topics.sh, from the Maven jars (see kafka-class).
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-class" org.apache.kafka.tools.TopicCommand "$@"
