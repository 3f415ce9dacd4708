// chaos-run: the chaos run (chaos_run.h) on a local stack of its own, from the command line.
// bench/chaos.sh runs the long one; README.md in this folder explains the figures it prints.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "e2e/local_stack.h"
#include "tests/chaos/chaos_run.h"

namespace {

using storefront::chaos::ChaosOptions;
using storefront::chaos::FaultKind;

constexpr const char* kUsage = R"(usage: chaos-run [options]
  --shoppers N        concurrent shoppers (default 8)
  --checkouts N       checkouts with a fresh Idempotency-Key, in all (default 200)
  --seconds N         seconds of faults; checkouts are paced over them (default 75)
  --seed N            fault schedule and shopper choices (default: from the clock; printed)
  --faults LIST       fault kinds on, comma-separated, or "none" (default all:
                      kill,freeze,broker-freeze,broker-kill,postgres-restart)
  --without LIST      fault kinds off
  --settle-bound N    seconds the store may take to settle once the driver and the faults are done
                      (default 120)
  --scarce N          units of the scarce product (default 5)
  --keep-state        leave the stack's state directory (logs, data) on disk
  --schedule N        print the first N faults the seed and kinds give, and exit (no stack)
Runs the whole store (infra/local/stack) from the executables beside this one; exits 0 when the
store settled with every ledger count 0, 1 when it did not.
)";

std::set<FaultKind> ParseKinds(const std::string& list) {
  std::set<FaultKind> kinds;
  if (list == "none") return kinds;
  if (list == "all") return {std::begin(storefront::chaos::kAllFaultKinds), std::end(storefront::chaos::kAllFaultKinds)};
  std::size_t at = 0;
  while (at <= list.size()) {
    std::size_t end = list.find(',', at);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(at, end - at);
    auto kind = storefront::chaos::FaultKindFromName(name);
    if (!kind) throw std::invalid_argument("unknown fault kind \"" + name + "\"");
    kinds.insert(*kind);
    at = end + 1;
  }
  return kinds;
}

}  // namespace

int main(int argc, char** argv) {
  ChaosOptions options;
  options.seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count() % 1000000);
  bool keep_state = false;
  int schedule = 0;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
        return argv[++i];
      };
      if (arg == "--shoppers") options.shoppers = std::stoi(value());
      else if (arg == "--checkouts") options.checkouts = std::stoi(value());
      else if (arg == "--seconds") options.fault_seconds = std::chrono::seconds(std::stoi(value()));
      else if (arg == "--seed") options.seed = std::stoull(value());
      else if (arg == "--faults") options.faults = ParseKinds(value());
      else if (arg == "--without") {
        for (FaultKind kind : ParseKinds(value())) options.faults.erase(kind);
      } else if (arg == "--settle-bound") options.settle_bound = std::chrono::seconds(std::stoi(value()));
      else if (arg == "--scarce") options.scarce_units = std::stoi(value());
      else if (arg == "--keep-state") keep_state = true;
      else if (arg == "--schedule") schedule = std::stoi(value());
      else if (arg == "--help" || arg == "-h") {
        std::cout << kUsage;
        return 0;
      } else {
        throw std::invalid_argument("unknown option " + std::string(arg));
      }
    }
    if (options.shoppers < 1 || options.checkouts < 1 || options.fault_seconds.count() < 0) {
      throw std::invalid_argument("--shoppers and --checkouts must be at least 1, --seconds not negative");
    }
  } catch (const std::exception& e) {
    std::cerr << "chaos-run: " << e.what() << "\n" << kUsage;
    return 2;
  }

  if (schedule > 0) {
    for (const auto& fault : storefront::chaos::FaultSchedule(options, static_cast<std::size_t>(schedule))) {
      std::cout << "after " << fault.pause_before.count() << " ms: " << storefront::chaos::Name(fault.kind) << " "
                << fault.target;
      if (fault.hold.count() > 0) std::cout << " for " << fault.hold.count() << " ms";
      std::cout << "\n";
    }
    return 0;
  }
  std::cout << "chaos-run: seed " << options.seed << " (--seed " << options.seed << " repeats this schedule)"
            << std::endl;
  try {
    storefront::e2e::LocalStack stack("", storefront::chaos::StackEnvironment(options));
    if (keep_state) stack.KeepState();
    std::cout << "chaos-run: stack state in " << stack.state_dir() << std::endl;
    auto report = storefront::chaos::RunChaos(stack, options, std::cout);
    std::cout << "\n";
    report.Print(std::cout);
    const bool clean = report.settled && report.ledger.Total() == 0 && report.replays_diverged.empty() &&
                       report.fault_problems.empty() && report.driver_errors.empty();
    if (!clean && !keep_state) {
      stack.KeepState();
      std::cout << "chaos-run: kept the stack's state (logs in " << stack.state_dir() << "/logs)\n";
    }
    return clean ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "chaos-run: " << e.what() << "\n";
    return 1;
  }
}
