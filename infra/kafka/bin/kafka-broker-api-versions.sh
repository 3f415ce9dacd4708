#!/usr/bin/env bash
# Kafka's kafka-broker-api-versions.sh, from the Maven jars (see kafka-class): succeeds once the
# broker answers.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-class" kafka.admin.BrokerApiVersionsCommand "$@"
