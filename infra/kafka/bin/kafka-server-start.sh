#!/usr/bin/env bash
# Kafka's kafka-server-start.sh, from the Maven jars (see kafka-class): runs the broker (and, in
# KRaft's combined mode, the controller) with the given server.properties until SIGTERM.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-class" kafka.Kafka "$@"
