#include "routes/admin/system.h"

#include <grpcpp/alarm.h>

#include <map>
#include <mutex>

#include "shared/rpc/guard.h"


namespace storefront::gateway::routes::admin {
namespace {


// The health page answers by then whatever has not: a component that did not answer is down.
constexpr auto kHealthDeadline = std::chrono::milliseconds(2500);

// One health page: every component's answer in a fixed slot, sent once all answered or at the
// deadline, whichever comes first.
struct HealthRound {
  Out out;
  std::mutex mutex;
  std::vector<nlohmann::json> components;  // {"name","kind"} until answered
  std::vector<bool> answered;
  std::size_t pending = 0;
  bool sent = false;
  grpc::Alarm deadline;

  void Record(std::size_t slot, bool ok, std::string detail) {
    std::lock_guard lock(mutex);
    if (sent || answered[slot]) return;
    answered[slot] = true;
    components[slot]["status"] = ok ? "ok" : "down";
    components[slot]["detail"] = std::move(detail);
    if (--pending == 0) SendLocked();
  }
  void Expire() {
    std::lock_guard lock(mutex);
    SendLocked();
  }

 private:
  void SendLocked() {
    if (sent) return;
    sent = true;
    bool all_ok = true;
    for (std::size_t i = 0; i < components.size(); ++i) {
      if (!answered[i]) {
        components[i]["status"] = "down";
        components[i]["detail"] = "no answer within " + std::to_string(kHealthDeadline.count()) + " ms";
      }
      all_ok = all_ok && components[i]["status"] == "ok";
    }
    out->Json(Code::Ok, {{"status", all_ok ? "ok" : "degraded"}, {"components", components}});
  }
};

void SystemHealth(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  auto round = std::make_shared<HealthRound>();
  round->out = out;
  // Beside each service: the state of the gateway's circuit breaker towards it, when it calls it.
  std::map<std::string, std::string> breakers;
  for (const auto& guard : rpc::SnapshotGuards()) breakers[guard.upstream] = std::string(rpc::StateName(guard.breaker.state));
  for (const auto& service : c.services) {
    nlohmann::json component = {{"name", service.name}, {"kind", "service"}};
    if (auto it = breakers.find(service.name); it != breakers.end()) component["breaker"] = it->second;
    round->components.push_back(std::move(component));
  }
  const std::size_t database_slot = round->components.size();
  round->components.push_back({{"name", "postgres"}, {"kind", "database"}});
  const std::size_t broker_slot = round->components.size();
  round->components.push_back({{"name", "kafka"}, {"kind", "broker"}});
  round->answered.assign(round->components.size(), false);
  round->pending = round->components.size();
  // Weak: the round lives while a check is outstanding; a strong capture would be a cycle
  // (round -> alarm -> callback -> round) that never frees it.
  round->deadline.Set(std::chrono::system_clock::now() + kHealthDeadline, [weak = std::weak_ptr<HealthRound>(round)](bool) {
    if (auto alive = weak.lock()) alive->Expire();
  });

  for (std::size_t slot = 0; slot < c.services.size(); ++slot) {
    CheckHealth(NewHealthStub(c.services[slot].channel), request.request_id,
                [round, slot](bool serving, std::string detail) { round->Record(slot, serving, std::move(detail)); });
  }

  auto database = c.database;
  bool queued = c.workers->Submit([round, database_slot, database] {
    if (!database) return round->Record(database_slot, false, "not configured");
    try {
      db::WithReadOnly(*database, [](pqxx::nontransaction& txn) { txn.exec("SELECT 1"); });
      round->Record(database_slot, true, "accounts database answers SELECT 1");
    } catch (const db::PoolExhausted&) {
      round->Record(database_slot, false, "every connection of the accounts pool is busy");
    } catch (const std::exception& error) {
      round->Record(database_slot, false, std::string("unreachable: ") + error.what());
    }
  });
  if (!queued) round->Record(database_slot, false, kConsoleBusy);

  auto events = c.events;
  if (!events) {
    round->Record(broker_slot, false, "not configured (KAFKA_BOOTSTRAP_SERVERS is empty)");
  } else {
    queued = c.workers->Submit([round, broker_slot, events] {
      try {
        auto broker = events->Check();
        round->Record(broker_slot, broker.ok, broker.detail);
      } catch (const std::exception& error) {
        round->Record(broker_slot, false, error.what());
      }
    });
    if (!queued) round->Record(broker_slot, false, kConsoleBusy);
  }
}

}  // namespace

void AddSystemRoutes(AdminRoutes& routes) { routes.Add(Method::Get, "/api/v1/admin/system/health", SystemHealth); }

}  // namespace storefront::gateway::routes::admin
