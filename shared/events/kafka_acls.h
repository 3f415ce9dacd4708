// What each process of the store may do on the broker: the one source of the broker's ACLs.
//
// With a real broker every connection is mutual TLS (infra/kafka/bin/kafka-single-node,
// docker-compose.yml, Strimzi), and the broker knows a process by its certificate's common name:
// payments is User:payments. It grants nothing by default (allow.everyone.if.no.acl.found=false),
// so a process may do exactly what KafkaGrants() lists for it, and a forged ShipmentDispatched
// from anything but shipping is refused by the broker before a consumer sees it. Consumers check
// the envelope's producer against the topic's owner too (TopicOwner in topics.h), for brokers
// without ACLs.
//
// storefront-kafka-acls (kafka_acls_main.cpp) makes the broker's ACLs exactly these: it creates
// the missing ones and deletes any other. infra/k8s's KafkaUsers state the same grants for
// Strimzi, and tests/infra/test_manifests.py checks them against `storefront-kafka-acls --print`.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace storefront::events {

struct KafkaGrant {
  std::string user;                 // the certificate's common name; the principal is User:<user>
  std::vector<std::string> writes;  // topics it produces to
  std::vector<std::string> reads;   // topics it consumes or reads by offset
  // Consumer groups it may join and commit in: every group whose name starts with this (its
  // consumer group is its own name; the gateway's readers use "storefront-gateway-..." ids).
  std::string group_prefix;
};

// One grant per process: the six services and the gateway.
const std::vector<KafkaGrant>& KafkaGrants();

// One ACL: ALLOW `principal` `operation` on `resource` from any host.
struct KafkaAcl {
  std::string principal;     // "User:payments"
  std::string operation;     // "READ" or "WRITE"
  std::string resource;      // "TOPIC" or "GROUP"
  std::string name;          // the topic, or the group prefix
  std::string pattern;       // "LITERAL" (a topic) or "PREFIXED" (a group prefix)
  bool operator==(const KafkaAcl&) const = default;
  bool operator<(const KafkaAcl& other) const;
};

// The grants as the broker's ACLs: WRITE on each written topic, READ on each read topic, READ on
// the group prefix. READ and WRITE imply DESCRIBE; WRITE implies the idempotent producer's
// IDEMPOTENT_WRITE (Kafka 3). Sorted, no duplicates.
std::vector<KafkaAcl> AclsOf(const std::vector<KafkaGrant>& grants);

// The result of Reconcile: what it created and what it deleted.
struct AclChanges {
  std::vector<KafkaAcl> created;
  std::vector<KafkaAcl> deleted;
};

// The broker refused (not a super user, or no authorizer): trying again will not help.
class AclsRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Makes the ALLOW ACLs of the cluster behind `admin` (a client of a super user) exactly `wanted`:
// describes them, creates the missing ones, deletes every other ALLOW binding, then describes them
// again and checks that every wanted one is listed. librdkafka reports a refused describe as an
// empty list, so that last check is what tells a refusal from an empty cluster. DENY bindings an
// operator added are left as they are (removing one could only widen access). Throws AclsRefused
// when the broker refuses, std::runtime_error when it does not answer within `timeout` per
// request or never lists what was created.
AclChanges Reconcile(rd_kafka_t* admin, const std::vector<KafkaAcl>& wanted, std::chrono::milliseconds timeout);

}  // namespace storefront::events
