// The chaos run (issue 11: "Money and stock stay right under every fault").
//
// RunChaos drives many shoppers through checkout on the whole local stack (infra/local/stack)
// while a fault thread kills and restarts services, the gateway and Apache Kafka, freezes
// payments and inventory past checkout's deadline, freezes the broker and restarts PostgreSQL;
// an operator cancels and refunds some of the orders meanwhile. When the faults stop it polls
// the ledger (ledger.h) until every count is 0 and every order is terminal, and reports how long
// that took and what the shoppers saw. README.md in this folder describes the run and its figures.
//
// Used by chaos_short_test (a short run in the test suite) and by the chaos-run executable
// (bench/chaos.sh, the long run). The stack must be started with StackEnvironment(options).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "e2e/local_stack.h"
#include "tests/chaos/ledger.h"

namespace storefront::chaos {

enum class FaultKind {
  kKillProcess,      // SIGKILL a service or the gateway; the stack starts it again
  kFreezeService,    // SIGSTOP payments or inventory past checkout's deadline, then SIGCONT
  kFreezeBroker,     // SIGSTOP Apache Kafka for a few seconds, then SIGCONT
  kKillBroker,       // SIGKILL Apache Kafka; the stack starts it again on its data
  kRestartPostgres,  // SIGINT to the postmaster (fast shutdown); the stack starts it again
};
inline constexpr FaultKind kAllFaultKinds[] = {FaultKind::kKillProcess, FaultKind::kFreezeService,
                                               FaultKind::kFreezeBroker, FaultKind::kKillBroker,
                                               FaultKind::kRestartPostgres};
// "kill", "freeze", "broker-freeze", "broker-kill", "postgres-restart".
std::string_view Name(FaultKind kind);
std::optional<FaultKind> FaultKindFromName(std::string_view name);

struct ChaosOptions {
  int shoppers = 8;              // concurrent shoppers, one thread each
  int checkouts = 200;           // checkouts with a fresh Idempotency-Key, over all shoppers
  std::chrono::seconds fault_seconds{75};  // faults are injected this long; checkouts are paced over it
  std::uint64_t seed = 1;        // the same seed gives the same fault schedule and shopper choices
  std::set<FaultKind> faults{std::begin(kAllFaultKinds), std::end(kAllFaultKinds)};
  // How long after the driver's last request the ledger may take to reach all 0.
  std::chrono::seconds settle_bound{120};
  // Checkout's deadline for each call to another service (UPSTREAM_TIMEOUT_MS of the stack);
  // a frozen service stays frozen longer than this.
  std::chrono::milliseconds upstream_timeout{2000};
  int scarce_units = 5;          // the one product with only a handful of units
  int products = 12;             // how many catalog products the shoppers buy from (plus the scarce one)
  double declined_share = 0.10;  // checkouts paid with 4000 0000 0000 0002
  double replay_share = 0.15;    // iterations that first send the previous Idempotency-Key again
  double scarce_share = 0.15;    // carts holding the scarce product
  double cancel_share = 0.06;    // 201s the operator cancels at once
  double refund_share = 0.06;    // 201s the operator refunds once captured (every other one partly)
  std::string operator_email = "operator@storefront.local";
  std::string operator_password = "chaos-operator-password";
};

// The stack environment a chaos run needs: restarts on (STOREFRONT_RESTART=on-failure), a short
// saga lease (upstream_timeout + 1 s) and recovery interval, short shipping delays, the upstream deadline above, holds
// that outlive the run, the operator's password.
std::map<std::string, std::string> StackEnvironment(const ChaosOptions& options);

// One fault of the schedule: what, on which process, held how long (freezes), after what pause.
struct PlannedFault {
  FaultKind kind;
  std::string target;  // "checkout", "gateway", "payments", "broker", "postgres", ...
  std::chrono::milliseconds hold{0};
  std::chrono::milliseconds pause_before{0};
};
// The first `count` faults the seed gives: every enabled kind once first (in an order the seed
// picks), then kinds at random, process kills the most often; a kind's targets (the six services
// and the gateway for kills, payments and inventory for freezes) each once before any twice.
// Same options, same list.
std::vector<PlannedFault> FaultSchedule(const ChaosOptions& options, std::size_t count);

struct ChaosReport {
  ChaosOptions options;

  // Checkouts: each fresh Idempotency-Key counted once, by the last answer it got (after the
  // driver's retries of the same key). Keys: "201", "202", "402", "409 out-of-stock",
  // "503", "504", "no answer", ... (a 409 or 422 is named by its problem type).
  int checkouts_attempted = 0;
  std::map<std::string, int> checkout_outcomes;
  int replays = 0;  // a shopper's previous key sent again on purpose
  // The same key sent again after an unknown outcome: no answer, a 5xx naming no order, or 409
  // "checkout in progress"; by the answer that made the driver send it again.
  int retries = 0;
  std::map<std::string, int> retried_answers;
  std::map<std::string, int> replay_outcomes;
  // A replay answered with another order than its key's first answer named, or a 201's key
  // answered with a decline or a shortage: an idempotency fault of its own.
  std::vector<std::string> replays_diverged;
  // The first few checkout answers the run does not plan for (a 409 other than out-of-stock, a
  // 422, a 5xx other than checkout's own 503, no answer after every retry), with their bodies.
  std::vector<std::string> unexpected_answers;
  // Every order id a shopper saw a 201 (or a 202: accepted, still processing) for.
  std::vector<std::string> orders_seen;

  int cancels_attempted = 0;
  std::map<std::string, int> cancel_outcomes;  // "200", "409", "no answer", ...
  int refunds_attempted = 0;
  std::map<std::string, int> refund_outcomes;  // "200", "not captured in time", "order cancelled", ...

  std::map<FaultKind, int> faults_injected;
  std::map<std::string, int> faults_by_target;  // "kill checkout", "freeze payments", ...
  std::vector<std::string> fault_problems;      // a process that did not come back in time, ...
  std::vector<std::string> driver_errors;       // a driver thread that stopped early, and why
  std::chrono::milliseconds fault_window{0};    // first fault's start to the last one's end
  // From the last fault's end to the driver's last answer (shoppers and operator); negative
  // when the driver was done first.
  std::chrono::milliseconds driver_after_last_fault{0};

  // Settle: every ledger count 0 and every order terminal (not PENDING, RESERVED,
  // PAYMENT_AUTHORIZED or CANCELLING), polled every 500 ms once the driver (shoppers and
  // operator) and the faults are both done, for at most options.settle_bound.
  bool settled = false;
  std::chrono::milliseconds settle_after_last_fault{0};  // from the end of the last fault
  std::chrono::milliseconds settle_after_quiet{0};       // from the start of polling
  std::string settle_note;  // why polling stopped without settling
  LedgerCounts ledger;      // the last reading
  std::int64_t orders_not_terminal = 0;
  std::int64_t orders_in_store = 0;
  // Read beside the ledger, printed and not asserted (the ledger README's "Not counted (yet)").
  std::vector<std::pair<std::string, std::int64_t>> beyond_the_ledger;
  std::string diagnostics;  // offending rows of every count that is not 0

  int CheckoutsAnswered(const std::string& outcome) const;
  void Print(std::ostream& out) const;
};

// Runs the chaos run against a stack started with StackEnvironment(options). Progress (each
// fault as it happens) goes to `progress`. Throws only when the run cannot start (no operator,
// no products); every fault of the store itself ends up in the report.
ChaosReport RunChaos(e2e::LocalStack& stack, const ChaosOptions& options, std::ostream& progress);

// The stack's database as its superuser (secrets.env POSTGRES_PASSWORD), for the ledger.
std::string SuperuserDsn(const e2e::LocalStack& stack);

}  // namespace storefront::chaos
