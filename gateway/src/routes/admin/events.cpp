#include "routes/admin/events.h"

#include "shared/events/topics.h"
#include "shared/log/log.h"

namespace storefront::gateway::routes::admin {
namespace {


constexpr int kDefaultEvents = 50;
constexpr int kMaxEvents = 200;

std::string TopicNames() {
  std::string names;
  for (const auto& topic : events::kTopics) names += (names.empty() ? "" : ", ") + std::string(topic.name);
  return names;
}

// ?limit= for the event routes: 1..200, 50 when absent.
int EventLimit(const http::Request& request, Errors& errors) {
  return Limit(request, kMaxEvents, errors).value_or(kDefaultEvents);
}

http::Problem NoBroker() {
  return {503, "broker-not-configured", "Service unavailable",
          "the gateway has no Kafka broker configured (KAFKA_BOOTSTRAP_SERVERS)", {}};
}

void ListEvents(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  Errors errors;
  const auto* topic = Query(request, "topic");
  if (topic == nullptr) errors.push_back({"topic", "is required: one of " + TopicNames()});
  else if (!eventlog::IsStoreTopic(*topic)) errors.push_back({"topic", "must be one of " + TopicNames()});
  const int limit = EventLimit(request, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  if (!c.events) return out->SendProblem(NoBroker());
  http::RunBlocking(
      *c.workers, out,
      [events = c.events, topic = *topic, limit, out] {
        auto messages = events->Newest(topic, limit);
        out->Json(Code::Ok, {{"items", eventlog::NewestEvents(messages, static_cast<std::size_t>(limit))}});
      },
      kConsoleBusy);
}

void ListDeadLetters(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  Errors errors;
  const int limit = EventLimit(request, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  if (!c.events) return out->SendProblem(NoBroker());
  http::RunBlocking(
      *c.workers, out,
      [events = c.events, limit, out] {
        auto messages = events->Newest(std::string(events::kDeadLetterTopic), limit);
        out->Json(Code::Ok, {{"items", eventlog::NewestDeadLetters(messages, static_cast<std::size_t>(limit))}});
      },
      kConsoleBusy);
}

void ReplayDeadLetter(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  Errors errors;
  auto partition = ParseInteger(request.params.at("partition"));
  auto offset = ParseInteger(request.params.at("offset"));
  if (!partition || *partition < 0 || *partition > 100000) errors.push_back({"partition", "must be a partition number"});
  if (!offset || *offset < 0) errors.push_back({"offset", "must be an offset (an integer >= 0)"});
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  if (!c.events) return out->SendProblem(NoBroker());
  log::Info("operator replays a dead letter", {{"request_id", request.request_id},
                                               {"operator", who.email},
                                               {"partition", *partition},
                                               {"offset", *offset}});
  http::RunBlocking(
      *c.workers, out,
      [events = c.events, partition = static_cast<int>(*partition), offset = *offset, out] {
        out->Json(Code::Accepted, {{"replayed_to", eventlog::Replay(*events, partition, offset)}});
      },
      kConsoleBusy);
}

void ListTopics(AdminClients&, const http::Request&, const auth::Principal&, Out out) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& topic : events::kTopics) {
    items.push_back({{"name", topic.name}, {"producer", topic.producer}, {"consumers", topic.consumers},
                     {"payloads", topic.payloads}});
  }
  out->Json(Code::Ok, {{"items", items}});
}

}  // namespace

void AddEventRoutes(AdminRoutes& routes) {
  routes.Add(Method::Get, "/api/v1/admin/events", ListEvents);
  routes.Add(Method::Get, "/api/v1/admin/dead-letters", ListDeadLetters);
  routes.Add(Method::Post, "/api/v1/admin/dead-letters/:partition/:offset/replay", ReplayDeadLetter);
  routes.Add(Method::Get, "/api/v1/admin/topics", ListTopics);
}

}  // namespace storefront::gateway::routes::admin
