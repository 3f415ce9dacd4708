#!/usr/bin/env bash
# Kafka's kafka-storage.sh, from the Maven jars (see kafka-class): formats a KRaft log folder.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-class" kafka.tools.StorageTool "$@"
