#include "shared/rpc/guard_settings.h"

namespace storefront::rpc {

GuardSettings ReadGuardSettings(config::Env& env) {
  GuardSettings settings;
  settings.breaker.failure_ratio = static_cast<double>(env.Int("BREAKER_FAILURE_PERCENT", 50, 1, 100)) / 100.0;
  settings.breaker.minimum_calls = static_cast<int>(env.Int("BREAKER_MINIMUM_CALLS", 10, 1, 100000));
  settings.breaker.window = std::chrono::milliseconds(env.Int("BREAKER_WINDOW_MS", 10000, 1000, 600000));
  settings.breaker.open_for = std::chrono::milliseconds(env.Int("BREAKER_OPEN_MS", 5000, 100, 600000));
  settings.breaker.max_open_for = std::chrono::milliseconds(env.Int("BREAKER_MAX_OPEN_MS", 60000, 100, 3600000));
  if (settings.breaker.max_open_for < settings.breaker.open_for) {
    env.Problem("BREAKER_MAX_OPEN_MS must not be shorter than BREAKER_OPEN_MS");
  }
  settings.max_in_flight = static_cast<int>(env.Int("MAX_IN_FLIGHT_PER_UPSTREAM", 64, 1, 100000));
  return settings;
}

}  // namespace storefront::rpc
