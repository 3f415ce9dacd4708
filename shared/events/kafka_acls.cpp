#include "shared/events/kafka_acls.h"

#include <algorithm>
#include <memory>
#include <set>
#include <thread>
#include <stdexcept>
#include <tuple>

#include "shared/events/topics.h"

namespace storefront::events {
namespace {

std::string S(std::string_view topic) { return std::string(topic); }

// A consumer writes the dead-letter topic (consumer.h parks a poison event there) and reads the
// operators' replay requests.
const std::string kDeadLetters = S(kDeadLetterTopic);
const std::string kReplays = S(kReplayTopic);

std::vector<std::string> AllTopics() {
  std::vector<std::string> all;
  for (const auto& topic : kTopics) all.push_back(S(topic.name));
  return all;
}

struct Deleter {
  void operator()(rd_kafka_AclBinding_t* acl) const { rd_kafka_AclBinding_destroy(acl); }
  void operator()(rd_kafka_AdminOptions_t* options) const { rd_kafka_AdminOptions_destroy(options); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};
using Binding = std::unique_ptr<rd_kafka_AclBinding_t, Deleter>;

const std::pair<const char*, rd_kafka_AclOperation_t> kOperations[] = {{"READ", RD_KAFKA_ACL_OPERATION_READ},
                                                                        {"WRITE", RD_KAFKA_ACL_OPERATION_WRITE}};
const std::pair<const char*, rd_kafka_ResourceType_t> kResources[] = {{"TOPIC", RD_KAFKA_RESOURCE_TOPIC},
                                                                       {"GROUP", RD_KAFKA_RESOURCE_GROUP}};
const std::pair<const char*, rd_kafka_ResourcePatternType_t> kPatterns[] = {
    {"LITERAL", RD_KAFKA_RESOURCE_PATTERN_LITERAL}, {"PREFIXED", RD_KAFKA_RESOURCE_PATTERN_PREFIXED}};

template <typename Enum, std::size_t N>
Enum Lookup(const std::pair<const char*, Enum> (&table)[N], const std::string& name) {
  for (const auto& [text, value] : table) {
    if (name == text) return value;
  }
  throw std::invalid_argument("kafka acl: unknown " + name);
}

// A binding of ours as librdkafka's.
Binding ToBinding(const KafkaAcl& acl) {
  char errstr[256];
  Binding binding(rd_kafka_AclBinding_new(Lookup(kResources, acl.resource), acl.name.c_str(),
                                          Lookup(kPatterns, acl.pattern), acl.principal.c_str(), "*",
                                          Lookup(kOperations, acl.operation), RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW,
                                          errstr, sizeof errstr));
  if (!binding) throw std::invalid_argument(std::string("kafka acl: ") + errstr);
  return binding;
}

// A binding described by the broker, and whether it is one of the kind we make (ALLOW from any
// host, an operation, resource and pattern we use): only those can equal a wanted one.
std::pair<KafkaAcl, bool> FromBinding(const rd_kafka_AclBinding_t* binding) {
  KafkaAcl acl{rd_kafka_AclBinding_principal(binding), rd_kafka_AclOperation_name(rd_kafka_AclBinding_operation(binding)),
               rd_kafka_ResourceType_name(rd_kafka_AclBinding_restype(binding)), rd_kafka_AclBinding_name(binding),
               rd_kafka_ResourcePatternType_name(rd_kafka_AclBinding_resource_pattern_type(binding))};
  const bool ours = rd_kafka_AclBinding_permission_type(binding) == RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW &&
                    std::string(rd_kafka_AclBinding_host(binding)) == "*";
  return {acl, ours};
}

// A refusal that asking again would not change.
bool Refusal(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED || err == RD_KAFKA_RESP_ERR_SECURITY_DISABLED ||
         err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED || err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED;
}

// Runs one admin request (`send` queues it on `queue`) and returns its result event, or throws.
using Event = std::unique_ptr<rd_kafka_event_t, Deleter>;
template <typename Send>
Event Request(rd_kafka_t* admin, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout, const char* what,
              Send send) {
  char errstr[256];
  std::unique_ptr<rd_kafka_AdminOptions_t, Deleter> options(rd_kafka_AdminOptions_new(admin, op));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), errstr, sizeof errstr);
  std::unique_ptr<rd_kafka_queue_t, Deleter> queue(rd_kafka_queue_new(admin));
  send(options.get(), queue.get());
  Event event(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 1000));
  if (!event) throw std::runtime_error(std::string(what) + ": no answer from the broker");
  if (const rd_kafka_resp_err_t err = rd_kafka_event_error(event.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const std::string message = std::string(what) + ": " + rd_kafka_event_error_string(event.get());
    if (Refusal(err)) throw AclsRefused(message);
    throw std::runtime_error(message);
  }
  return event;
}

}  // namespace

bool KafkaAcl::operator<(const KafkaAcl& other) const {
  return std::tie(principal, resource, name, pattern, operation) <
         std::tie(other.principal, other.resource, other.name, other.pattern, other.operation);
}

const std::vector<KafkaGrant>& KafkaGrants() {
  static const std::vector<KafkaGrant> grants = {
      {"catalog", {S(kProductTopic)}, {}, "catalog"},
      {"cart", {kDeadLetters}, {S(kOrderTopic), kReplays}, "cart"},
      {"checkout", {S(kOrderTopic), kDeadLetters}, {S(kShipmentTopic), S(kPaymentTopic), kReplays}, "checkout"},
      {"payments", {S(kPaymentTopic), kDeadLetters}, {S(kShipmentTopic), S(kOrderTopic), kReplays}, "payments"},
      {"inventory", {S(kStockTopic), kDeadLetters}, {S(kOrderTopic), kReplays}, "inventory"},
      {"shipping", {S(kShipmentTopic), kDeadLetters}, {S(kOrderTopic), kReplays}, "shipping"},
      // The operator's console reads every topic (the event log, the dead letters) and the read
      // cache follows the product topic; a dead-letter replay is a request on the replay topic,
      // so the gateway writes no service's topic.
      {"gateway", {kReplays}, AllTopics(), "storefront-gateway"},
  };
  return grants;
}

std::vector<KafkaAcl> AclsOf(const std::vector<KafkaGrant>& grants) {
  std::set<KafkaAcl> acls;
  for (const auto& grant : grants) {
    const std::string principal = "User:" + grant.user;
    for (const auto& topic : grant.writes) acls.insert({principal, "WRITE", "TOPIC", topic, "LITERAL"});
    for (const auto& topic : grant.reads) acls.insert({principal, "READ", "TOPIC", topic, "LITERAL"});
    if (!grant.group_prefix.empty()) acls.insert({principal, "READ", "GROUP", grant.group_prefix, "PREFIXED"});
  }
  return {acls.begin(), acls.end()};
}

namespace {

void ThrowFor(const rd_kafka_error_t* error, const std::string& what) {
  const std::string message = what + ": " + rd_kafka_error_string(error);
  if (Refusal(rd_kafka_error_code(error))) throw AclsRefused(message);
  throw std::runtime_error(message);
}

// The ALLOW bindings the broker lists; none when it refused (librdkafka says nothing then).
std::vector<const rd_kafka_AclBinding_t*> Allowed(const Event& described) {
  std::size_t count = 0;
  const rd_kafka_AclBinding_t** all =
      rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(described.get()), &count);
  std::vector<const rd_kafka_AclBinding_t*> allowed;
  for (std::size_t i = 0; i < count; ++i) {
    if (rd_kafka_AclBinding_permission_type(all[i]) == RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW) allowed.push_back(all[i]);
  }
  return allowed;
}

}  // namespace

AclChanges Reconcile(rd_kafka_t* admin, const std::vector<KafkaAcl>& wanted, std::chrono::milliseconds timeout) {
  char errstr[256];
  Binding everything(rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_ANY, nullptr, RD_KAFKA_RESOURCE_PATTERN_ANY,
                                                   nullptr, nullptr, RD_KAFKA_ACL_OPERATION_ANY,
                                                   RD_KAFKA_ACL_PERMISSION_TYPE_ANY, errstr, sizeof errstr));
  auto describe = [&] {
    return Request(admin, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, timeout, "describing the ACLs",
                   [&](auto* options, auto* queue) { rd_kafka_DescribeAcls(admin, everything.get(), options, queue); });
  };

  const std::set<KafkaAcl> want(wanted.begin(), wanted.end());
  std::set<KafkaAcl> have;
  std::vector<Binding> stale;  // exact filters of the bindings to delete
  AclChanges changes;
  Event described = describe();
  for (const rd_kafka_AclBinding_t* b : Allowed(described)) {
    auto [acl, ours] = FromBinding(b);
    if (ours && want.count(acl)) {
      have.insert(acl);
      continue;
    }
    if (rd_kafka_AclBinding_restype(b) == RD_KAFKA_RESOURCE_UNKNOWN ||
        rd_kafka_AclBinding_operation(b) == RD_KAFKA_ACL_OPERATION_UNKNOWN) {
      continue;  // of a kind this librdkafka cannot name, so cannot delete either: left alone
    }
    stale.emplace_back(rd_kafka_AclBindingFilter_new(
        rd_kafka_AclBinding_restype(b), rd_kafka_AclBinding_name(b), rd_kafka_AclBinding_resource_pattern_type(b),
        rd_kafka_AclBinding_principal(b), rd_kafka_AclBinding_host(b), rd_kafka_AclBinding_operation(b),
        rd_kafka_AclBinding_permission_type(b), errstr, sizeof errstr));
    if (!stale.back()) throw std::runtime_error(std::string("kafka acl: ") + errstr);
    changes.deleted.push_back(acl);
  }

  std::vector<Binding> missing;
  for (const auto& acl : want) {
    if (have.count(acl)) continue;
    missing.push_back(ToBinding(acl));
    changes.created.push_back(acl);
  }
  if (!missing.empty()) {
    std::vector<rd_kafka_AclBinding_t*> raw;
    for (auto& binding : missing) raw.push_back(binding.get());
    Event created = Request(admin, RD_KAFKA_ADMIN_OP_CREATEACLS, timeout, "creating ACLs", [&](auto* options, auto* queue) {
      rd_kafka_CreateAcls(admin, raw.data(), raw.size(), options, queue);
    });
    std::size_t results = 0;
    const rd_kafka_acl_result_t** each =
        rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(created.get()), &results);
    for (std::size_t i = 0; i < results; ++i) {
      if (const rd_kafka_error_t* error = rd_kafka_acl_result_error(each[i])) ThrowFor(error, "creating an ACL");
    }
  }
  if (!stale.empty()) {
    std::vector<rd_kafka_AclBindingFilter_t*> raw;
    for (auto& filter : stale) raw.push_back(filter.get());
    Event deleted = Request(admin, RD_KAFKA_ADMIN_OP_DELETEACLS, timeout, "deleting ACLs", [&](auto* options, auto* queue) {
      rd_kafka_DeleteAcls(admin, raw.data(), raw.size(), options, queue);
    });
    std::size_t responses = 0;
    const rd_kafka_DeleteAcls_result_response_t** each =
        rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(deleted.get()), &responses);
    for (std::size_t i = 0; i < responses; ++i) {
      if (const rd_kafka_error_t* error = rd_kafka_DeleteAcls_result_response_error(each[i])) {
        ThrowFor(error, "deleting an ACL");
      }
    }
  }

  // Listed now? A refused describe looks like an empty cluster, so only seeing what was wanted
  // proves the listing (and the removal above) was real. The broker applies ACL changes through its
  // metadata log, so a just-created one may take a moment to be listed.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::set<KafkaAcl> listed;
    Event again = describe();
    for (const rd_kafka_AclBinding_t* b : Allowed(again)) listed.insert(FromBinding(b).first);
    if (std::includes(listed.begin(), listed.end(), want.begin(), want.end())) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      throw AclsRefused("the broker does not list the ACLs it was given: not a super user, or no authorizer");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return changes;
}

}  // namespace storefront::events
