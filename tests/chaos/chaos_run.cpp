#include "tests/chaos/chaos_run.h"

#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <iomanip>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "e2e/api_client.h"
#include "shared/rpc/client.h"
#include "shared/testing/http_client.h"
#include "shared/testing/process.h"

namespace storefront::chaos {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kGoodCard = "4242 4242 4242 4242";
constexpr const char* kDeclinedCard = "4000 0000 0000 0002";
constexpr const char* kShopperPassword = "correct horse battery";
// The services a kill may hit, and the gateway; the two a freeze may hit (checkout's upstreams
// whose answers decide money and stock).
const std::vector<std::string> kKillTargets = {"catalog", "cart",     "checkout", "payments",
                                               "inventory", "shipping", "gateway"};
const std::vector<std::string> kFreezeTargets = {"payments", "inventory"};
// How often each kind follows the first round (kills are the commonest fault in production).
int Weight(FaultKind kind) {
  switch (kind) {
    case FaultKind::kKillProcess: return 6;
    case FaultKind::kFreezeService: return 3;
    default: return 1;
  }
}

long long Ms(Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

// A small deterministic generator: the engine is specified by the standard, and the reductions
// below are ours, so a seed gives the same choices with any standard library.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t Below(std::uint64_t n) { return n == 0 ? 0 : engine_() % n; }
  int Between(int low, int high) { return low + static_cast<int>(Below(static_cast<std::uint64_t>(high - low + 1))); }
  bool Chance(double p) { return static_cast<double>(engine_() >> 11) * 0x1.0p-53 < p; }

 private:
  std::mt19937_64 engine_;
};

// ----- HTTP --------------------------------------------------------------------------------------

// One call's answer; status 0 when none came (refused, reset, timed out).
struct Answer {
  int status = 0;
  json body;
  std::string problem;   // the last segment of a problem's "type"
  std::string order_id;  // an order's "order_id", in the order or the problem
};

Answer Send(const e2e::ApiClient& client, const std::string& method, const std::string& path,
            const json& body = nullptr, std::map<std::string, std::string> headers = {}) {
  Answer answer;
  try {
    auto response = client.Call(method, path, body, std::move(headers));
    answer.status = response.status;
    answer.body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  } catch (const std::exception&) {
    answer.status = 0;
    return answer;
  }
  if (answer.body.is_object()) {
    std::string type = answer.body.value("type", "");
    answer.problem = type.substr(type.rfind('/') + 1);
    if (answer.body.contains("order_id") && answer.body["order_id"].is_string()) {
      answer.order_id = answer.body["order_id"];
    }
  }
  return answer;
}

std::string Outcome(const Answer& answer) {
  if (answer.status == 0) return "no answer";
  std::string outcome = std::to_string(answer.status);
  if ((answer.status == 409 || answer.status == 422) && !answer.problem.empty()) outcome += " " + answer.problem;
  return outcome;
}

bool Transient(const Answer& answer) { return answer.status == 0 || answer.status >= 500; }

// Retries a call the store may answer later (no answer, 5xx) a few times, a moment apart. Used
// for the shoppers' set-up calls and the operator's, whose exact outcome is not the point.
Answer SendPatiently(const e2e::ApiClient& client, const std::string& method, const std::string& path,
                     const json& body = nullptr, std::map<std::string, std::string> headers = {}, int tries = 6) {
  Answer answer;
  for (int i = 0; i < tries; ++i) {
    if (i > 0) std::this_thread::sleep_for(milliseconds(300 * i));
    answer = Send(client, method, path, body, headers);
    if (!Transient(answer)) break;
  }
  return answer;
}

bool Alive(int pid) {
  if (pid <= 0) return false;
  std::string stat = testing::ReadFile("/proc/" + std::to_string(pid) + "/stat");
  auto at = stat.rfind(") ");
  return at != std::string::npos && at + 2 < stat.size() && stat[at + 2] != 'Z';
}

int PidOf(const e2e::LocalStack& stack, const std::string& name) {
  try {
    return stack.Pid(name);
  } catch (const std::exception&) {
    return -1;  // the pid file is being rewritten
  }
}

int Occurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

template <typename Check>
bool WaitFor(Check check, Clock::duration bound, milliseconds step = milliseconds(200)) {
  const auto deadline = Clock::now() + bound;
  while (Clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(step);
  }
  return check();
}

// ----- the run -----------------------------------------------------------------------------------

struct Product {
  std::string id;
  std::string currency;
};

struct QueuedOrder {
  std::string id;
  Clock::time_point due;
  Clock::time_point give_up;
  bool partly = false;  // refund 1.00 first, then the rest
};

class Run {
 public:
  Run(e2e::LocalStack& stack, const ChaosOptions& options, std::ostream& progress)
      : stack_(stack), options_(options), progress_(progress) {
    report_.options = options;
  }

  ChaosReport Go();

 private:
  void Log(const std::string& line) {
    std::lock_guard lock(log_mutex_);
    progress_ << "[chaos " << std::setw(6) << std::fixed << std::setprecision(1)
              << static_cast<double>(Ms(Clock::now() - started_)) / 1000.0 << "s] " << line << std::endl;
  }

  void SetUp();
  void SetAvailable(const std::string& product, int available);
  void Shop(int index);
  void Operate();
  void Cancel(const std::string& id);
  // false when the order is not captured yet and should be asked about again later
  bool Refund(QueuedOrder& order);
  void InjectFaults();
  void Inject(const PlannedFault& fault);
  bool AwaitRestart(const std::string& name, int old_pid, Clock::duration bound);
  bool Ready(const std::string& name);
  void Settle();
  void Diagnose(pqxx::connection& connection);
  void Count(std::map<std::string, int>& counts, const std::string& key) {
    std::lock_guard lock(mutex_);
    ++counts[key];
  }

  e2e::LocalStack& stack_;
  const ChaosOptions options_;
  std::ostream& progress_;
  ChaosReport report_;
  std::mutex mutex_;  // guards report_ and the queues while the threads run
  std::mutex log_mutex_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point checkouts_start_;
  Clock::time_point last_fault_end_;
  Clock::time_point first_fault_start_;
  std::atomic<int> next_ticket_{0};
  std::atomic<bool> shoppers_done_{false};
  std::atomic<Clock::rep> last_answer_{0};  // Clock ticks of the driver's last answer
  std::unique_ptr<e2e::ApiClient> operator_;
  std::vector<Product> products_;
  Product scarce_;
  std::deque<QueuedOrder> cancels_, refunds_;
  std::vector<std::unique_ptr<e2e::ApiClient>> shoppers_;
  std::vector<std::string> shipping_options_;

  void Answered() { last_answer_ = Clock::now().time_since_epoch().count(); }
};

void Run::SetAvailable(const std::string& product, int available) {
  auto level = SendPatiently(*operator_, "GET", "/api/v1/admin/inventory/" + product);
  if (level.status != 200) throw std::runtime_error("cannot read the stock of " + product + ": " + level.body.dump());
  const int delta = available - level.body["available"].get<int>();
  if (delta == 0) return;
  auto adjusted = SendPatiently(*operator_, "POST", "/api/v1/admin/inventory/" + product + "/adjustments",
                                json{{"delta", delta}, {"reason", "count"}, {"note", "chaos run set-up"}});
  if (adjusted.status != 201) throw std::runtime_error("cannot set the stock of " + product + ": " + adjusted.body.dump());
}

void Run::SetUp() {
  operator_ = std::make_unique<e2e::ApiClient>(stack_.gateway_port());
  operator_->SignIn(options_.operator_email, options_.operator_password);

  auto page = SendPatiently(*operator_, "GET", "/api/v1/products?limit=100");
  if (page.status != 200) throw std::runtime_error("cannot list the products: " + page.body.dump());
  std::vector<Product> all;
  for (const auto& item : page.body["items"]) all.push_back({item["id"], item["price"]["currency"]});
  if (all.empty()) throw std::runtime_error("the catalog has no products");
  const std::string currency = all.front().currency;  // a cart may not mix currencies
  std::erase_if(all, [&](const Product& p) { return p.currency != currency; });
  if (all.size() < 2) throw std::runtime_error("fewer than two products in " + currency);
  scarce_ = all.front();
  for (std::size_t i = 1; i < all.size() && static_cast<int>(products_.size()) < options_.products; ++i) {
    products_.push_back(all[i]);
  }
  // Plenty of everything but the scarce product: its shortage is the only 409 the run plans.
  const int plenty = std::max(1000, options_.checkouts * 8);
  for (const auto& product : products_) SetAvailable(product.id, plenty);
  SetAvailable(scarce_.id, options_.scarce_units);
  Log("products: " + std::to_string(products_.size()) + " with " + std::to_string(plenty) + " units each, and " +
      scarce_.id + " with " + std::to_string(options_.scarce_units));

  // Shoppers register and sign in before any fault (a token outlives gateway restarts: the
  // signing key is the stack's).
  for (int i = 0; i < options_.shoppers; ++i) {
    auto shopper = std::make_unique<e2e::ApiClient>(stack_.gateway_port());
    const std::string email = "chaos-" + std::to_string(options_.seed) + "-" + std::to_string(::getpid()) + "-" +
                              std::to_string(i) + "@example.com";
    auto registered = SendPatiently(*shopper, "POST", "/api/v1/auth/register",
                                    json{{"email", email}, {"password", kShopperPassword}, {"name", "Chaos Shopper"}});
    if (registered.status != 201) throw std::runtime_error("cannot register a shopper: " + registered.body.dump());
    shopper->SignIn(email, kShopperPassword);
    shopper->Call("POST", "/api/v1/cart/items", json{{"product_id", products_.front().id}, {"quantity", 1}});
    auto quotes = SendPatiently(*shopper, "POST", "/api/v1/shipping/quotes", json{{"address", e2e::kAddress}});
    if (quotes.status != 200) throw std::runtime_error("cannot quote shipping: " + quotes.body.dump());
    shipping_options_.push_back(quotes.body["options"][0]["id"]);
    shoppers_.push_back(std::move(shopper));
  }
}

void Run::Shop(int index) {
  const e2e::ApiClient& shopper = *shoppers_[static_cast<std::size_t>(index)];
  Random random(options_.seed * 1000003u + static_cast<std::uint64_t>(index) + 1);
  std::string option = shipping_options_[static_cast<std::size_t>(index)];
  // The previous checkout, to send again sometimes: its key, body and first definite answer.
  std::string previous_key;
  json previous_body;
  Answer previous;
  // Checkouts come in waves, one per shopper at once (concurrent sagas contend for the scarce
  // product and the database), spread evenly over the fault window.
  const int wave = std::max(1, options_.shoppers);
  const auto interval = std::chrono::duration_cast<Clock::duration>(options_.fault_seconds) /
                        std::max(1, options_.checkouts);
  int sequence = 0;

  auto checkout = [&](const std::string& key, const json& body, bool replay) {
    const std::map<std::string, std::string> headers{{"Idempotency-Key", key}};
    Answer answer = Send(shopper, "POST", "/api/v1/checkout", body, headers);
    // What a careful client does with an unknown outcome (no answer, a 5xx that names no order,
    // "still in progress"): the same request, the same key.
    for (int retry = 0; retry < 8; ++retry) {
      const bool unknown = answer.status == 0 || (answer.status >= 500 && answer.order_id.empty()) ||
                           (answer.status == 409 && answer.problem == "checkout-in-progress");
      if (!unknown) break;
      {
        std::lock_guard lock(mutex_);
        ++report_.retries;
        ++report_.retried_answers[Outcome(answer)];
      }
      std::this_thread::sleep_for(milliseconds(400 * (retry + 1)));
      answer = Send(shopper, "POST", "/api/v1/checkout", body, headers);
    }
    Answered();
    std::lock_guard lock(mutex_);
    if ((answer.status == 201 || answer.status == 202) && !answer.order_id.empty()) {
      report_.orders_seen.push_back(answer.order_id);
    }
    if (replay) {
      ++report_.replays;
      ++report_.replay_outcomes[Outcome(answer)];
    } else {
      ++report_.checkouts_attempted;
      ++report_.checkout_outcomes[Outcome(answer)];
    }
    // 202 ("still processing", in the OpenAPI): a step or an undo waited on a dependency that was
    // away and left the order to recovery, or a retry after checkout died mid-saga found the
    // order unfinished. Its order must finish like any other.
    const bool planned = answer.status == 201 || answer.status == 202 || answer.status == 402 ||
                         answer.status == 503 || (answer.status == 409 && answer.problem == "out-of-stock");
    if (!planned && report_.unexpected_answers.size() < 10) {
      std::string body = answer.body.is_null() ? std::string() : answer.body.dump();
      if (body.size() > 300) body = body.substr(0, 300) + "...";
      report_.unexpected_answers.push_back("key " + key + ": " + Outcome(answer) + " " + body);
    }
    return answer;
  };

  for (;;) {
    const int ticket = next_ticket_++;
    if (ticket >= options_.checkouts) break;
    std::this_thread::sleep_until(checkouts_start_ + interval * (ticket / wave * wave));

    // Sometimes the previous checkout again, as a client that never saw its answer would.
    if (!previous_key.empty() && random.Chance(options_.replay_share)) {
      Answer again = checkout(previous_key, previous_body, /*replay=*/true);
      const bool other_order = !again.order_id.empty() && !previous.order_id.empty() &&
                               again.order_id != previous.order_id;
      const bool unsold = previous.status == 201 &&
                          (again.status == 402 || again.status == 422 ||
                           (again.status == 409 && again.problem == "out-of-stock"));
      if (other_order || unsold) {
        std::lock_guard lock(mutex_);
        report_.replays_diverged.push_back("key " + previous_key + ": first " + Outcome(previous) + " order " +
                                           previous.order_id + ", replay " + Outcome(again) + " order " +
                                           again.order_id);
      }
    }

    // A fresh cart of 1-3 lines.
    SendPatiently(shopper, "DELETE", "/api/v1/cart");
    std::vector<std::string> picked;
    const int lines = random.Between(1, 3);
    if (random.Chance(options_.scarce_share)) picked.push_back(scarce_.id);
    while (static_cast<int>(picked.size()) < lines) {
      const std::string& id = products_[random.Below(products_.size())].id;
      if (std::find(picked.begin(), picked.end(), id) == picked.end()) picked.push_back(id);
    }
    for (const auto& id : picked) {
      const int quantity = id == scarce_.id ? 1 : random.Between(1, 2);
      SendPatiently(shopper, "POST", "/api/v1/cart/items", json{{"product_id", id}, {"quantity", quantity}});
    }
    auto quotes = SendPatiently(shopper, "POST", "/api/v1/shipping/quotes", json{{"address", e2e::kAddress}});
    if (quotes.status == 200 && quotes.body.contains("options") && !quotes.body["options"].empty()) {
      option = quotes.body["options"][0]["id"];
    }

    const bool declined = random.Chance(options_.declined_share);
    const std::string key = "chaos-" + std::to_string(options_.seed) + "-" + std::to_string(index) + "-" +
                            std::to_string(sequence++);
    const json body{{"shipping_address", e2e::kAddress},
                    {"shipping_option_id", option},
                    {"payment", e2e::Card(declined ? kDeclinedCard : kGoodCard)}};
    Answer answer = checkout(key, body, /*replay=*/false);
    previous_key = key;
    previous_body = body;
    previous = answer;

    if (answer.status == 201 && !answer.order_id.empty()) {
      const bool cancel = random.Chance(options_.cancel_share);
      const bool refund = !cancel && random.Chance(options_.refund_share);
      std::lock_guard lock(mutex_);
      const auto now = Clock::now();
      if (cancel) cancels_.push_back({answer.order_id, now, now, false});
      if (refund) {
        // Captured once shipping dispatches it (SHIPPING_DISPATCH_DELAY_MS) and payments hears so.
        refunds_.push_back({answer.order_id, now + milliseconds(2500), now + std::chrono::seconds(90),
                            refunds_.size() % 2 == 0});
      }
    }
  }
}

void Run::Cancel(const std::string& id) {
  auto answer = SendPatiently(*operator_, "POST", "/api/v1/admin/orders/" + id + "/cancel",
                              json{{"reason", "chaos run"}});
  Answered();
  std::lock_guard lock(mutex_);
  ++report_.cancels_attempted;
  ++report_.cancel_outcomes[Outcome(answer)];
}

bool Run::Refund(QueuedOrder& order) {
  auto found = SendPatiently(*operator_, "GET", "/api/v1/admin/orders/" + order.id, nullptr, {}, 2);
  if (found.status != 200) return false;
  const std::string status = found.body.value("status", "");
  std::string payment;
  if (found.body.contains("payment") && found.body["payment"].is_object()) {
    payment = found.body["payment"].value("status", "");
  }
  if (status == "failed" || status == "cancelled" || status == "refunded") {
    Count(report_.refund_outcomes, "order " + status);
    return true;
  }
  if (payment != "captured") return false;
  const std::string key = "chaos-refund-" + order.id;
  std::vector<json> bodies;
  const long total = found.body["total"]["amount_minor"];
  if (order.partly && total > 100) {
    bodies.push_back(json{{"amount", {{"amount_minor", 100}, {"currency", found.body["total"]["currency"]}}},
                          {"reason", "chaos run: part"}});
  }
  bodies.push_back(json{{"reason", "chaos run"}});
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    auto answer = SendPatiently(*operator_, "POST", "/api/v1/admin/orders/" + order.id + "/refund", bodies[i],
                                {{"Idempotency-Key", key + "-" + std::to_string(i)}});
    Answered();
    std::lock_guard lock(mutex_);
    ++report_.refunds_attempted;
    ++report_.refund_outcomes[Outcome(answer)];
  }
  return true;
}

void Run::Operate() {
  for (;;) {
    std::optional<std::string> cancel;
    std::optional<QueuedOrder> refund;
    bool idle = false;
    {
      std::lock_guard lock(mutex_);
      if (!cancels_.empty()) {
        cancel = cancels_.front().id;
        cancels_.pop_front();
      } else if (!refunds_.empty() && refunds_.front().due <= Clock::now()) {
        refund = refunds_.front();
        refunds_.pop_front();
      } else {
        idle = cancels_.empty() && refunds_.empty() && shoppers_done_;
      }
    }
    if (idle) return;
    if (cancel) {
      Cancel(*cancel);
    } else if (refund) {
      if (!Refund(*refund)) {
        std::lock_guard lock(mutex_);
        if (Clock::now() >= refund->give_up) {
          ++report_.refund_outcomes["not captured in time"];
        } else {
          refund->due = Clock::now() + std::chrono::seconds(1);
          refunds_.push_back(*refund);
        }
      }
    } else {
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
}

// ----- faults ------------------------------------------------------------------------------------

bool Run::Ready(const std::string& name) {
  if (name == "gateway") {
    try {
      return testing::HttpGet(stack_.gateway_port(), "/readyz").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  }
  auto channel = stack_.Channel(name, name);  // as its own health probe asks
  return rpc::CheckHealth(*channel, milliseconds(1000));
}

bool Run::AwaitRestart(const std::string& name, int old_pid, Clock::duration bound) {
  return WaitFor([&] {
    const int pid = PidOf(stack_, name);
    return pid > 0 && pid != old_pid && Alive(pid);
  }, bound);
}

void Run::Inject(const PlannedFault& fault) {
  const std::string what = std::string(Name(fault.kind)) + " " + fault.target;
  const auto began = Clock::now();
  std::string problem;
  switch (fault.kind) {
    case FaultKind::kKillProcess: {
      const int pid = PidOf(stack_, fault.target);
      if (!Alive(pid)) {
        problem = fault.target + " was not running before the kill";
        break;
      }
      ::kill(pid, SIGKILL);
      if (!AwaitRestart(fault.target, pid, std::chrono::seconds(60))) {
        problem = fault.target + " was not started again within 60 s of its kill";
      } else if (!WaitFor([&] { return Ready(fault.target); }, std::chrono::seconds(60), milliseconds(100))) {
        problem = fault.target + " was started again but not ready within 60 s";
      }
      break;
    }
    case FaultKind::kFreezeService:
    case FaultKind::kFreezeBroker: {
      const int pid = PidOf(stack_, fault.target);
      if (!Alive(pid)) {
        problem = fault.target + " was not running before the freeze";
        break;
      }
      ::kill(pid, SIGSTOP);
      std::this_thread::sleep_for(fault.hold);
      ::kill(pid, SIGCONT);
      break;
    }
    case FaultKind::kKillBroker: {
      const int pid = PidOf(stack_, "broker");
      const int started = Occurrences(stack_.Log("broker"), "Kafka Server started");
      if (!Alive(pid)) {
        problem = "the broker was not running before the kill";
        break;
      }
      ::kill(pid, SIGKILL);
      if (!AwaitRestart("broker", pid, std::chrono::seconds(60))) {
        problem = "the broker was not started again within 60 s of its kill";
      } else if (!WaitFor([&] { return Occurrences(stack_.Log("broker"), "Kafka Server started") > started; },
                          std::chrono::seconds(120), milliseconds(250))) {
        problem = "the broker was started again but did not say \"Kafka Server started\" within 120 s";
      }
      break;
    }
    case FaultKind::kRestartPostgres: {
      const int pid = PidOf(stack_, "postgres");
      if (!Alive(pid)) {
        problem = "PostgreSQL was not running before the restart";
        break;
      }
      ::kill(pid, SIGINT);  // fast shutdown: sessions are cut, the data stays
      if (!AwaitRestart("postgres", pid, std::chrono::seconds(90))) {
        problem = "PostgreSQL was not started again within 90 s";
      } else if (!WaitFor([&] {
                   try {
                     pqxx::connection connection(SuperuserDsn(stack_));
                     return true;
                   } catch (const std::exception&) {
                     return false;
                   }
                 }, std::chrono::seconds(30))) {
        problem = "PostgreSQL was started again but refused connections for 30 s";
      }
      break;
    }
  }
  std::string line = what + " (" + std::to_string(Ms(Clock::now() - began)) + " ms";
  line += fault.kind == FaultKind::kKillProcess || fault.kind == FaultKind::kKillBroker ||
                  fault.kind == FaultKind::kRestartPostgres
              ? " until it was back, new pid " + std::to_string(PidOf(stack_, fault.target)) + ")"
              : " frozen)";
  Log(line + (problem.empty() ? "" : ": " + problem));
  std::lock_guard lock(mutex_);
  ++report_.faults_injected[fault.kind];
  ++report_.faults_by_target[what];
  if (!problem.empty()) report_.fault_problems.push_back(problem);
}

void Run::InjectFaults() {
  const auto deadline = checkouts_start_ + options_.fault_seconds;
  first_fault_start_ = last_fault_end_ = Clock::now();
  if (options_.faults.empty()) return;
  bool first = true;
  for (const auto& fault : FaultSchedule(options_, 10000)) {
    std::this_thread::sleep_for(fault.pause_before);
    if (Clock::now() >= deadline) break;
    if (first) first_fault_start_ = Clock::now();
    first = false;
    Inject(fault);
    last_fault_end_ = Clock::now();
  }
}

// ----- settle and the ledger ---------------------------------------------------------------------

constexpr const char* kOrdersNotTerminal = R"sql(
SELECT count(*) FROM checkout.orders
 WHERE status IN ('PENDING', 'RESERVED', 'PAYMENT_AUTHORIZED', 'CANCELLING')
)sql";

// Read beside the ledger, printed and not asserted: the ledger README's "Not counted (yet)".
const std::vector<std::pair<std::string, std::string>> kBeyondTheLedger = {
    {"live_shipment_of_ended_order", R"sql(
SELECT count(*) FROM shipping.shipments sh JOIN checkout.orders o ON o.id = sh.order_id
 WHERE sh.status <> 'CANCELLED' AND o.status IN ('FAILED', 'CANCELLED'))sql"},
    {"held_or_committed_stock_of_failed_order", R"sql(
SELECT count(*) FROM inventory.reservations r JOIN checkout.orders o ON o.id = r.order_id
 WHERE (r.state = 'active' AND o.status IN ('FAILED', 'CANCELLED'))
    OR (r.state = 'committed' AND o.status = 'FAILED'))sql"},
    {"shipped_order_never_captured", R"sql(
SELECT count(*) FROM checkout.orders o
 WHERE o.status IN ('SHIPPED', 'DELIVERED')
   AND NOT EXISTS (SELECT 1 FROM payments.payments p
                    WHERE lower(p.order_id) = o.id::text AND p.status IN ('captured', 'partially_refunded')))sql"},
    {"refunded_order_not_refunded", R"sql(
SELECT count(*) FROM checkout.orders o
 WHERE o.status = 'REFUNDED'
   AND NOT EXISTS (SELECT 1 FROM payments.payments p WHERE lower(p.order_id) = o.id::text AND p.status = 'refunded'))sql"},
};

// Offending rows for each count, so a red run says which orders, payments and reservations.
const std::vector<std::pair<std::string, std::string>> kDiagnostics = {
    {"orders not terminal", R"sql(
SELECT o.id, o.status, o.failure, o.payment_status, o.shipment_status, o.lease_until, o.updated_at,
       (SELECT string_agg(s.name || ':' || s.state || ' ' || s.detail, ' | ' ORDER BY s.position)
          FROM checkout.saga_steps s WHERE s.order_id = o.id) AS steps
  FROM checkout.orders o
 WHERE o.status IN ('PENDING', 'RESERVED', 'PAYMENT_AUTHORIZED', 'CANCELLING')
 ORDER BY o.created_at LIMIT 20)sql"},
    {"money held on failed orders", R"sql(
SELECT p.id AS payment, p.order_id, p.status, p.amount_minor, p.captured_minor, p.refunded_minor, p.updated_at,
       o.status AS order_status, o.failure, o.failure_reason,
       (SELECT string_agg(op.kind || '@' || to_char(op.at, 'HH24:MI:SS.MS'), ' ' ORDER BY op.id)
          FROM payments.payment_operations op WHERE op.payment_id = p.id) AS operations,
       (SELECT c.ended || '@' || to_char(c.closed_at, 'HH24:MI:SS.MS') FROM payments.order_closures c
         WHERE c.order_id = p.order_id) AS closure
  FROM payments.payments p
  LEFT JOIN checkout.orders o ON o.id::text = lower(p.order_id)
 WHERE (p.status = 'authorized'
        OR (p.status IN ('captured', 'partially_refunded') AND p.refunded_minor < p.captured_minor))
   AND (o.id IS NULL OR o.status IN ('FAILED', 'CANCELLED'))
 ORDER BY p.created_at LIMIT 20)sql"},
    {"sold orders without one live payment", R"sql(
SELECT o.id, o.status, o.total_minor, o.payment_id, o.payment_status,
       (SELECT string_agg(p.id || ' ' || p.status || ' ' || p.amount_minor, ' | ') FROM payments.payments p
         WHERE lower(p.order_id) = o.id::text) AS payments
  FROM checkout.orders o
 WHERE o.status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED')
   AND (SELECT count(*) FROM payments.payments p
         WHERE lower(p.order_id) = o.id::text AND p.status IN ('authorized', 'captured', 'partially_refunded')
           AND p.amount_minor = o.total_minor AND p.currency = o.currency) <> 1
 LIMIT 20)sql"},
    {"sold orders without committed stock", R"sql(
SELECT o.id, o.status, o.reservation_id,
       (SELECT string_agg(r.id || ' ' || r.state || ' ' || coalesce(r.release_reason, ''), ' | ')
          FROM inventory.reservations r WHERE r.order_id = o.id) AS reservations
  FROM checkout.orders o
 WHERE o.status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED')
   AND NOT EXISTS (SELECT 1 FROM inventory.reservations r WHERE r.order_id = o.id AND r.state = 'committed')
 LIMIT 20)sql"},
    {"sold orders without one live shipment", R"sql(
SELECT o.id, o.status, o.shipment_id, o.shipment_status,
       (SELECT string_agg(sh.id || ' ' || sh.status || ' ' || sh.cancel_reason, ' | ')
          FROM shipping.shipments sh WHERE sh.order_id = o.id) AS shipments
  FROM checkout.orders o
 WHERE o.status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED')
   AND (SELECT count(*) FROM shipping.shipments sh WHERE sh.order_id = o.id AND sh.status <> 'CANCELLED') <> 1
 LIMIT 20)sql"},
    {"stock out of step with its holds", R"sql(
SELECT s.product_id, s.on_hand, s.reserved,
       coalesce((SELECT sum(l.quantity) FROM inventory.reservation_lines l
                   JOIN inventory.reservations r ON r.id = l.reservation_id
                  WHERE r.state = 'active' AND l.product_id = s.product_id), 0) AS held
  FROM inventory.stock s
 WHERE s.on_hand < 0 OR s.reserved < 0 OR s.reserved > s.on_hand
    OR s.reserved < coalesce((SELECT sum(l.quantity) FROM inventory.reservation_lines l
                                JOIN inventory.reservations r ON r.id = l.reservation_id
                               WHERE r.state = 'active' AND l.product_id = s.product_id), 0)
 LIMIT 20)sql"},
    {"live shipments of ended orders", R"sql(
SELECT sh.id, sh.order_id, sh.status, o.status AS order_status, o.failure, o.failure_reason
  FROM shipping.shipments sh JOIN checkout.orders o ON o.id = sh.order_id
 WHERE sh.status <> 'CANCELLED' AND o.status IN ('FAILED', 'CANCELLED')
 LIMIT 20)sql"},
    {"payment operations recorded twice", R"sql(
SELECT op.payment_id, op.kind, count(*) FROM payments.payment_operations op
 WHERE op.kind IN ('authorize', 'decline', 'capture', 'void')
 GROUP BY op.payment_id, op.kind HAVING count(*) > 1 LIMIT 20)sql"},
    {"reservation events announced twice", R"sql(
SELECT ob.key, ob.event_type, count(*) FROM inventory.outbox ob
 WHERE ob.event_type LIKE '%reservation.%'
 GROUP BY ob.key, ob.event_type HAVING count(*) > 1 LIMIT 20)sql"},
};

// Schemas holding a table `name` (found in pg_catalog, as the ledger finds outboxes).
std::vector<std::string> SchemasWith(pqxx::transaction_base& txn, const std::string& name) {
  std::vector<std::string> schemas;
  for (const auto& row : txn.exec_params(
           "SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1",
           name)) {
    schemas.push_back(row[0].as<std::string>());
  }
  return schemas;
}

void Run::Diagnose(pqxx::connection& connection) {
  std::ostringstream out;
  pqxx::read_transaction txn(connection);
  for (const auto& [title, sql] : kDiagnostics) {
    pqxx::result rows;
    try {
      pqxx::subtransaction sub(txn);
      rows = sub.exec(sql);
      sub.commit();
    } catch (const std::exception& e) {
      out << title << ": (query failed: " << e.what() << ")\n";
      continue;
    }
    if (rows.empty()) continue;
    out << title << ":\n";
    for (const auto& row : rows) {
      out << " ";
      for (const auto& field : row) out << " " << field.name() << "=" << (field.is_null() ? "null" : field.c_str());
      out << "\n";
    }
  }
  // Unsent outbox rows, per schema and event type; events the consumers parked.
  try {
    pqxx::subtransaction sub(txn);
    for (const auto& name : SchemasWith(sub, "outbox")) {
      for (const auto& row : sub.exec("SELECT event_type, count(*), min(created_at) FROM " + sub.quote_name(name) +
                                      ".outbox WHERE sent_at IS NULL GROUP BY event_type")) {
        out << "unsent outbox row(s) in " << name << ": " << row[0].c_str() << " x" << row[1].c_str()
            << " since " << row[2].c_str() << "\n";
      }
    }
    for (const auto& name : SchemasWith(sub, "parked_events")) {
      for (const auto& row : sub.exec("SELECT event_type, key, error FROM " + sub.quote_name(name) +
                                      ".parked_events ORDER BY id LIMIT 10")) {
        out << "parked in " << name << ": " << row[0].c_str() << " key " << row[1].c_str() << ": "
            << row[2].c_str() << "\n";
      }
    }
    sub.commit();
  } catch (const std::exception& e) {
    out << "unsent outbox rows and parked events: (query failed: " << e.what() << ")\n";
  }
  report_.diagnostics = out.str();
}

void Run::Settle() {
  const std::string dsn = SuperuserDsn(stack_);
  const auto polling_from = Clock::now();  // the driver and the faults are both done
  const auto deadline = polling_from + options_.settle_bound;
  std::string last_error;
  for (;;) {
    try {
      pqxx::connection connection(dsn);
      LedgerCounts counts = CheckLedger(connection, report_.orders_seen);
      pqxx::read_transaction txn(connection);
      const auto not_terminal = txn.exec1(kOrdersNotTerminal)[0].as<std::int64_t>();
      report_.orders_in_store = txn.exec1("SELECT count(*) FROM checkout.orders")[0].as<std::int64_t>();
      txn.commit();
      report_.ledger = counts;
      report_.orders_not_terminal = not_terminal;
      if (counts.Total() == 0 && not_terminal == 0) {
        const auto now = Clock::now();
        report_.settled = true;
        report_.settle_after_last_fault = std::chrono::duration_cast<milliseconds>(now - last_fault_end_);
        report_.settle_after_quiet = std::chrono::duration_cast<milliseconds>(now - polling_from);
        break;
      }
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    if (Clock::now() >= deadline) {
      report_.settle_note = "the ledger was not all 0 (or an order not terminal) " +
                            std::to_string(options_.settle_bound.count()) +
                            " s after the driver and the faults were done" +
                            (last_error.empty() ? "" : "; last error: " + last_error);
      break;
    }
    std::this_thread::sleep_for(milliseconds(500));
  }
  try {
    pqxx::connection connection(dsn);
    {
      pqxx::read_transaction txn(connection);
      for (const auto& [name, sql] : kBeyondTheLedger) {
        report_.beyond_the_ledger.emplace_back(name, txn.exec1(sql)[0].as<std::int64_t>());
      }
      std::int64_t parked = 0;
      for (const auto& schema : SchemasWith(txn, "parked_events")) {
        parked += txn.exec1("SELECT count(*) FROM " + txn.quote_name(schema) + ".parked_events")[0].as<std::int64_t>();
      }
      report_.beyond_the_ledger.emplace_back("events_parked_by_consumers", parked);
    }
    bool clean = report_.settled;
    for (const auto& [name, count] : report_.beyond_the_ledger) clean = clean && count == 0;
    if (!clean) Diagnose(connection);
  } catch (const std::exception& e) {
    report_.diagnostics += std::string("could not read the diagnostics: ") + e.what() + "\n";
  }
}

ChaosReport Run::Go() {
  std::ostringstream faults;
  for (FaultKind kind : options_.faults) faults << (faults.tellp() > 0 ? "," : "") << Name(kind);
  Log("seed " + std::to_string(options_.seed) + ", " + std::to_string(options_.shoppers) + " shoppers, " +
      std::to_string(options_.checkouts) + " checkouts, faults for " + std::to_string(options_.fault_seconds.count()) +
      " s: " + (faults.str().empty() ? "none" : faults.str()));
  SetUp();
  checkouts_start_ = Clock::now();
  Answered();
  // A driver thread that throws (an answer it cannot read) ends with the error in the report,
  // not with std::terminate.
  auto guarded = [this](const std::string& who, std::function<void()> body) {
    return [this, who, body = std::move(body)] {
      try {
        body();
      } catch (const std::exception& e) {
        Log(who + " stopped: " + e.what());
        std::lock_guard lock(mutex_);
        report_.driver_errors.push_back(who + ": " + e.what());
      }
    };
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < options_.shoppers; ++i) {
    threads.emplace_back(guarded("shopper " + std::to_string(i), [this, i] { Shop(i); }));
  }
  std::thread operating(guarded("operator", [this] { Operate(); }));
  std::thread faulting(guarded("faults", [this] { InjectFaults(); }));
  for (auto& thread : threads) thread.join();
  shoppers_done_ = true;
  Log("shoppers done: " + std::to_string(report_.checkouts_attempted) + " checkouts");
  operating.join();
  faulting.join();
  Log("faults done; waiting for the store to settle");
  report_.fault_window = std::chrono::duration_cast<milliseconds>(last_fault_end_ - first_fault_start_);
  const auto driver_done = Clock::time_point(Clock::duration(last_answer_.load()));
  report_.driver_after_last_fault = std::chrono::duration_cast<milliseconds>(driver_done - last_fault_end_);
  Settle();
  Log(report_.settled ? "settled " + std::to_string(report_.settle_after_last_fault.count()) + " ms after the last fault"
                      : "did not settle: " + report_.settle_note);
  return report_;
}

void PrintCounts(std::ostream& out, const std::map<std::string, int>& counts) {
  bool first = true;
  for (const auto& [key, count] : counts) {
    out << (first ? "" : ", ") << key << ": " << count;
    first = false;
  }
  if (first) out << "none";
}

}  // namespace

std::string_view Name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kKillProcess: return "kill";
    case FaultKind::kFreezeService: return "freeze";
    case FaultKind::kFreezeBroker: return "broker-freeze";
    case FaultKind::kKillBroker: return "broker-kill";
    case FaultKind::kRestartPostgres: return "postgres-restart";
  }
  return "?";
}

std::optional<FaultKind> FaultKindFromName(std::string_view name) {
  for (FaultKind kind : kAllFaultKinds) {
    if (Name(kind) == name) return kind;
  }
  return std::nullopt;
}

std::map<std::string, std::string> StackEnvironment(const ChaosOptions& options) {
  return {
      {"STOREFRONT_RESTART", "on-failure"},
      {"STOREFRONT_OPERATOR_EMAIL", options.operator_email},
      {"STOREFRONT_OPERATOR_PASSWORD", options.operator_password},
      // A runner that stalls loses its order to recovery a second after its longest call could
      // have answered (checkout refuses a lease no longer than UPSTREAM_TIMEOUT_MS).
      {"SAGA_LEASE_MS", std::to_string(options.upstream_timeout.count() + 1000)},
      {"RECOVERY_INTERVAL_MS", "300"},
      {"UPSTREAM_TIMEOUT_MS", std::to_string(options.upstream_timeout.count())},
      // Holds of healthy orders are committed within seconds; none may run out during the run.
      {"RESERVATION_TTL_SECONDS", "1800"},
      // A confirmed order waits 2 s for its dispatch (time for the operator's cancel), is then
      // captured, and is delivered soon after (then it can be refunded).
      {"SHIPPING_DISPATCH_DELAY_MS", "2000"},
      {"SHIPPING_DELIVERY_DELAY_MS", "300"},
      {"SHIPPING_TICK_MS", "100"},
      // Access tokens signed at the start must last the whole run.
      {"JWT_TTL_SECONDS", "7200"},
      // Each shopper pays with the declined card now and then over a hundred checkouts: with the
      // card-testing limit on, most of their later checkouts would be declined by it, and the run
      // would place a third fewer orders (seen: 393 declines instead of about 80).
      {"CARD_DECLINE_LIMIT", "0"},
  };
}

std::vector<PlannedFault> FaultSchedule(const ChaosOptions& options, std::size_t count) {
  Random random(options.seed);
  std::vector<FaultKind> kinds(options.faults.begin(), options.faults.end());
  std::vector<PlannedFault> schedule;
  if (kinds.empty()) return schedule;
  std::vector<FaultKind> first_round = kinds;
  for (std::size_t i = first_round.size(); i > 1; --i) std::swap(first_round[i - 1], first_round[random.Below(i)]);
  int total_weight = 0;
  for (FaultKind kind : kinds) total_weight += Weight(kind);
  // Targets are dealt like cards: every process once, in an order the seed picks, before any twice.
  std::map<FaultKind, std::vector<std::string>> decks;
  auto deal = [&](FaultKind kind, const std::vector<std::string>& targets) {
    auto& deck = decks[kind];
    if (deck.empty()) {
      deck = targets;
      for (std::size_t i = deck.size(); i > 1; --i) std::swap(deck[i - 1], deck[random.Below(i)]);
    }
    std::string target = deck.back();
    deck.pop_back();
    return target;
  };
  const int upstream = static_cast<int>(options.upstream_timeout.count());
  for (std::size_t i = 0; i < count; ++i) {
    FaultKind kind = kinds.front();
    if (i < first_round.size()) {
      kind = first_round[i];
    } else {
      int pick = static_cast<int>(random.Below(static_cast<std::uint64_t>(total_weight)));
      for (FaultKind candidate : kinds) {
        if ((pick -= Weight(candidate)) < 0) {
          kind = candidate;
          break;
        }
      }
    }
    PlannedFault fault{kind, "", milliseconds(0), milliseconds(random.Between(1000, 4000))};
    if (i == 0) fault.pause_before = milliseconds(3000);  // shoppers under way first
    switch (kind) {
      case FaultKind::kKillProcess: fault.target = deal(kind, kKillTargets); break;
      case FaultKind::kFreezeService:
        fault.target = deal(kind, kFreezeTargets);
        fault.hold = milliseconds(upstream + random.Between(500, 1500));  // past checkout's deadline
        break;
      case FaultKind::kFreezeBroker:
        fault.target = "broker";
        fault.hold = milliseconds(random.Between(3000, 8000));
        break;
      case FaultKind::kKillBroker: fault.target = "broker"; break;
      case FaultKind::kRestartPostgres: fault.target = "postgres"; break;
    }
    schedule.push_back(fault);
  }
  return schedule;
}

int ChaosReport::CheckoutsAnswered(const std::string& outcome) const {
  auto it = checkout_outcomes.find(outcome);
  return it == checkout_outcomes.end() ? 0 : it->second;
}

void ChaosReport::Print(std::ostream& out) const {
  std::ostringstream kinds;
  for (FaultKind kind : options.faults) kinds << (kinds.tellp() > 0 ? "," : "") << Name(kind);
  out << "chaos run: seed " << options.seed << ", " << options.shoppers << " shoppers, " << options.checkouts
      << " checkouts, " << options.fault_seconds.count() << " s of faults ("
      << (kinds.str().empty() ? "none" : kinds.str()) << ")\n";
  out << "checkouts attempted = " << checkouts_attempted << "\n";
  out << "  answers: ";
  PrintCounts(out, checkout_outcomes);
  out << "\n";
  out << "  201 = " << CheckoutsAnswered("201") << ", 202 = " << CheckoutsAnswered("202")
      << ", 402 = " << CheckoutsAnswered("402")
      << ", 409 = " << CheckoutsAnswered("409 out-of-stock") << ", 503 = " << CheckoutsAnswered("503")
      << ", 504 = " << CheckoutsAnswered("504") << ", no answer = " << CheckoutsAnswered("no answer") << "\n";
  out << "replays = " << replays << " (";
  PrintCounts(out, replay_outcomes);
  out << "), replays diverged = " << replays_diverged.size() << "\n";
  out << "retries of an unknown outcome = " << retries << " (after ";
  PrintCounts(out, retried_answers);
  out << ")\n";
  for (const auto& line : replays_diverged) out << "  diverged: " << line << "\n";
  for (const auto& line : unexpected_answers) out << "  unplanned answer: " << line << "\n";
  std::set<std::string> distinct(orders_seen.begin(), orders_seen.end());
  out << "orders the shoppers saw (201/202, distinct) = " << distinct.size()
      << ", orders in the store = " << orders_in_store << "\n";
  out << "cancels = " << cancels_attempted << " (";
  PrintCounts(out, cancel_outcomes);
  out << ")\nrefunds = " << refunds_attempted << " (";
  PrintCounts(out, refund_outcomes);
  out << ")\n";
  int total_faults = 0;
  for (const auto& [kind, count] : faults_injected) total_faults += count;
  out << "faults injected = " << total_faults << " over " << fault_window.count() / 1000.0 << " s:";
  for (FaultKind kind : kAllFaultKinds) {
    auto it = faults_injected.find(kind);
    out << " " << Name(kind) << " = " << (it == faults_injected.end() ? 0 : it->second);
  }
  out << "\n  by target: ";
  PrintCounts(out, faults_by_target);
  out << "\n";
  for (const auto& problem : fault_problems) out << "  fault problem: " << problem << "\n";
  for (const auto& error : driver_errors) out << "driver error: " << error << "\n";
  out << "driver's last answer " << driver_after_last_fault.count()
      << " ms after the last fault ended (negative: before)\n";
  if (settled) {
    out << "settled " << settle_after_last_fault.count() << " ms after the last fault ("
        << settle_after_quiet.count() << " ms after the driver and the faults were both done; bound "
        << options.settle_bound.count() << " s)\n";
  } else {
    out << "NOT settled: " << settle_note << "\n";
  }
  out << "ledger (all must be 0):\n" << ledger;
  out << "orders not terminal (incl. CANCELLING) = " << orders_not_terminal << "\n";
  out << "beyond the ledger (printed, not asserted):\n";
  for (const auto& [name, count] : beyond_the_ledger) out << name << " = " << count << "\n";
  if (!diagnostics.empty()) out << "diagnostics:\n" << diagnostics;
}

ChaosReport RunChaos(e2e::LocalStack& stack, const ChaosOptions& options, std::ostream& progress) {
  return Run(stack, options, progress).Go();
}

std::string SuperuserDsn(const e2e::LocalStack& stack) {
  const std::string dsn = stack.postgres_dsn();  // postgresql://127.0.0.1:PORT/storefront
  const std::string scheme = "postgresql://";
  return scheme + "postgres:" + stack.Secret("POSTGRES_PASSWORD") + "@" + dsn.substr(scheme.size());
}

}  // namespace storefront::chaos
