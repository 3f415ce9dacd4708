// Token buckets, the request limiter, the failed sign-in throttle and client addresses, on a clock
// the tests move by hand; and their settings read by Config::FromEnv.
#include "http/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "server.h"

namespace storefront::gateway::http {
namespace {

using namespace std::chrono_literals;
using Pistache::Http::Method;

class FakeClock {
 public:
  SteadyClock Function() {
    return [this] { return now_; };
  }
  void Advance(std::chrono::nanoseconds by) { now_ += by; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
};

const RatePolicy kLogin{"login", 5, 60s};  // one token every 12 s

// --- TokenBuckets ---------------------------------------------------------------------------------

TEST(TokenBucketsTest, AFullBucketAllowsItsBurstThenRefusesUntilTheNextToken) {
  FakeClock clock;
  TokenBuckets buckets(1000, clock.Function());
  for (int left = 4; left >= 0; --left) {
    auto decision = buckets.Take("ada", kLogin);
    EXPECT_TRUE(decision.allowed);
    EXPECT_EQ(decision.remaining, left);
    EXPECT_EQ(decision.reset, 12s);  // the next token is always one interval away here
  }
  auto refused = buckets.Take("ada", kLogin);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset, 12s);

  clock.Advance(5s);
  refused = buckets.Take("ada", kLogin);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.reset, 7s);  // a refusal costs nothing: the wait only shrinks

  clock.Advance(7s);
  auto again = buckets.Take("ada", kLogin);
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 0);
  EXPECT_FALSE(buckets.Take("ada", kLogin).allowed);
}

TEST(TokenBucketsTest, RefillsAtTheRateAndNeverAboveTheQuota) {
  FakeClock clock;
  TokenBuckets buckets(1000, clock.Function());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(buckets.Take("ada", kLogin).allowed);

  clock.Advance(24s + 500ms);  // two tokens and a half
  EXPECT_TRUE(buckets.Take("ada", kLogin).allowed);
  auto second = buckets.Take("ada", kLogin);
  EXPECT_TRUE(second.allowed);
  EXPECT_EQ(second.remaining, 0);
  EXPECT_EQ(second.reset, 12s);  // 11.5 s, rounded up
  EXPECT_FALSE(buckets.Take("ada", kLogin).allowed);

  clock.Advance(24h);  // idle for a day: a full bucket, not a day's worth of tokens
  int allowed = 0;
  while (buckets.Take("ada", kLogin).allowed) ++allowed;
  EXPECT_EQ(allowed, 5);
}

TEST(TokenBucketsTest, EachKeyHasItsOwnBucket) {
  FakeClock clock;
  TokenBuckets buckets(1000, clock.Function());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(buckets.Take("ada", kLogin).allowed);
  EXPECT_FALSE(buckets.Take("ada", kLogin).allowed);
  auto other = buckets.Take("grace", kLogin);
  EXPECT_TRUE(other.allowed);
  EXPECT_EQ(other.remaining, 4);
}

TEST(TokenBucketsTest, PeekNeitherTakesNorCreates) {
  FakeClock clock;
  TokenBuckets buckets(1000, clock.Function());
  auto fresh = buckets.Peek("ada", kLogin);
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.remaining, 5);
  EXPECT_EQ(fresh.reset, 0s);
  EXPECT_EQ(buckets.size(), 0u);

  buckets.Take("ada", kLogin);
  EXPECT_EQ(buckets.Peek("ada", kLogin).remaining, 4);
  EXPECT_EQ(buckets.Peek("ada", kLogin).remaining, 4);
}

TEST(TokenBucketsTest, GiveReturnsATokenUpToTheQuotaAndForgetStartsOver) {
  FakeClock clock;
  TokenBuckets buckets(1000, clock.Function());
  for (int i = 0; i < 5; ++i) buckets.Take("ada", kLogin);
  buckets.Give("ada", kLogin);
  EXPECT_TRUE(buckets.Take("ada", kLogin).allowed);
  EXPECT_FALSE(buckets.Take("ada", kLogin).allowed);

  buckets.Give("grace", kLogin);  // no bucket: nothing to give back to, none created
  EXPECT_EQ(buckets.size(), 1u);

  buckets.Forget("ada");
  EXPECT_EQ(buckets.Peek("ada", kLogin).remaining, 5);
  buckets.Take("ada", kLogin);
  for (int i = 0; i < 3; ++i) buckets.Give("ada", kLogin);
  EXPECT_EQ(buckets.Peek("ada", kLogin).remaining, 5);
}

TEST(TokenBucketsTest, MemoryStaysBoundedAndTheIdlestBucketGoesFirst) {
  FakeClock clock;
  TokenBuckets buckets(64, clock.Function());
  EXPECT_EQ(buckets.max_keys(), 64u);
  const RatePolicy one_an_hour{"general", 1, 3600s};
  ASSERT_TRUE(buckets.Take("busy", one_an_hour).allowed);

  // A client rotating through addresses: ten thousand fresh keys, while "busy" keeps coming back.
  for (int i = 0; i < 10000; ++i) {
    buckets.Take("rotating-" + std::to_string(i), one_an_hour);
    EXPECT_FALSE(buckets.Take("busy", one_an_hour).allowed) << "busy's empty bucket was dropped after " << i;
    clock.Advance(1ms);
  }
  EXPECT_EQ(buckets.size(), 64u);
  // The oldest rotating keys went: a fresh bucket again.
  EXPECT_TRUE(buckets.Take("rotating-0", one_an_hour).allowed);
}

TEST(TokenBucketsTest, ConcurrentTakesNeverSpendMoreThanTheQuota) {
  FakeClock clock;  // still: no refill while the threads run
  TokenBuckets buckets(100000, clock.Function());
  const RatePolicy policy{"general", 1000, 3600s};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (buckets.Take("shared", policy).allowed) ++allowed;
        buckets.Take("own-" + std::to_string(i), policy);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1000);
}

// --- RateLimiter and the fields -------------------------------------------------------------------

TEST(RateLimiterTest, PicksThePolicyByRouteAndNeverLimitsTheProbes) {
  RateLimiter limiter(RateLimitSettings{});
  EXPECT_EQ(limiter.PolicyFor(Method::Post, "/api/v1/auth/register")->name, "register");
  EXPECT_EQ(limiter.PolicyFor(Method::Post, "/api/v1/auth/login")->name, "login");
  EXPECT_EQ(limiter.PolicyFor(Method::Post, "/api/v1/checkout")->name, "checkout");
  EXPECT_EQ(limiter.PolicyFor(Method::Get, "/api/v1/auth/login")->name, "general");
  EXPECT_EQ(limiter.PolicyFor(Method::Get, "/api/v1/products")->name, "general");
  EXPECT_EQ(limiter.PolicyFor(Method::Post, "/api/v1/checkout/")->name, "general");
  EXPECT_EQ(limiter.PolicyFor(Method::Get, "/livez"), nullptr);
  EXPECT_EQ(limiter.PolicyFor(Method::Get, "/readyz"), nullptr);
}

TEST(RateLimiterTest, AddressesAndAccountsHaveSeparateBucketsPerPolicy) {
  FakeClock clock;
  RateLimitSettings settings;
  settings.login = {"login", 2, 60s};
  settings.general = {"general", 2, 60s};
  RateLimiter limiter(settings, clock.Function());
  const RatePolicy& login = *limiter.PolicyFor(Method::Post, "/api/v1/auth/login");
  const RatePolicy& general = *limiter.PolicyFor(Method::Get, "/api/v1/products");
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(limiter.TakeForAddress(login, "203.0.113.7").allowed);
  EXPECT_FALSE(limiter.TakeForAddress(login, "203.0.113.7").allowed);
  EXPECT_TRUE(limiter.TakeForAddress(general, "203.0.113.7").allowed);
  EXPECT_TRUE(limiter.TakeForAccount(login, "203.0.113.7").allowed);  // an account id, whatever it looks like
  EXPECT_TRUE(limiter.TakeForAddress(login, "203.0.113.8").allowed);
}

TEST(RateLimiterTest, AnIpv6ClientIsOneBucketForItsWhole64) {
  FakeClock clock;
  RateLimitSettings settings;
  settings.general = {"general", 2, 60s};
  RateLimiter limiter(settings, clock.Function());
  const RatePolicy& general = settings.general;
  EXPECT_TRUE(limiter.TakeForAddress(general, "2001:db8:1:2::1").allowed);
  EXPECT_TRUE(limiter.TakeForAddress(general, "2001:db8:1:2:ffff::9").allowed);
  EXPECT_FALSE(limiter.TakeForAddress(general, "2001:db8:1:2:1234:5678:9abc:def0").allowed);
  EXPECT_TRUE(limiter.TakeForAddress(general, "2001:db8:1:3::1").allowed);
}

TEST(RateLimitFieldsTest, AreTheDraftsStructuredFields) {
  EXPECT_EQ(PolicyField({"login", 5, 60s}), R"("login";q=5;w=60)");
  EXPECT_EQ(LimitField({"login", 5, 60s}, {false, 0, 12s}), R"("login";r=0;t=12)");
  EXPECT_EQ(LimitField({"general", 600, 60s}, {true, 599, 1s}), R"("general";r=599;t=1)");
}

// --- LoginThrottle --------------------------------------------------------------------------------

// Tight per pair (3 per 300 s: one every 100 s), loose per email (5: one every 60 s).
LoginThrottleSettings SmallThrottle() {
  LoginThrottleSettings settings;
  settings.per_pair = 3;
  settings.per_email = 5;
  settings.per_address = 10;
  settings.window = 300s;
  return settings;
}

void Fail(LoginThrottle& throttle, const std::string& email, const std::string& address, int times) {
  for (int i = 0; i < times; ++i) {
    auto attempt = throttle.Begin(email, address);
    ASSERT_TRUE(attempt.allowed()) << "attempt " << i << " from " << address << " refused by "
                                   << attempt.refused_by().name;
    attempt.Failed();
  }
}

TEST(LoginThrottleTest, APairIsRefusedAfterItsFailuresButTheOwnerElsewhereIsNot) {
  FakeClock clock;
  LoginThrottle throttle(SmallThrottle(), clock.Function());
  Fail(throttle, "ada@example.com", "198.51.100.1", 3);

  auto refused = throttle.Begin("ada@example.com", "198.51.100.1");
  ASSERT_FALSE(refused.allowed());
  EXPECT_EQ(&refused.refused_by(), &throttle.pair_policy());
  EXPECT_EQ(refused.refused_by().name, "failed-logins-pair");
  EXPECT_EQ(refused.decision().reset, 100s);

  auto owner = throttle.Begin("ada@example.com", "203.0.113.5");
  EXPECT_TRUE(owner.allowed());
  owner.Succeeded();

  clock.Advance(100s);  // one more guess per 100 s, no more
  Fail(throttle, "ada@example.com", "198.51.100.1", 1);
  EXPECT_FALSE(throttle.Begin("ada@example.com", "198.51.100.1").allowed());
}

TEST(LoginThrottleTest, ASuccessGivesBackItsTokensAndForgetsThePairsFailures) {
  FakeClock clock;
  LoginThrottle throttle(SmallThrottle(), clock.Function());
  Fail(throttle, "ada@example.com", "203.0.113.5", 2);  // two typos
  throttle.Begin("ada@example.com", "203.0.113.5").Succeeded();
  Fail(throttle, "ada@example.com", "203.0.113.5", 3);  // a full pair's worth again
  EXPECT_FALSE(throttle.Begin("ada@example.com", "203.0.113.5").allowed());
}

TEST(LoginThrottleTest, OneAddressAloneCanNeverRunDownAnEmailsCount) {
  FakeClock clock;
  LoginThrottle throttle(SmallThrottle(), clock.Function());
  // An attacker guessing from one address as fast as the gateway lets it, for two hours.
  for (int second = 0; second < 7200; ++second) {
    auto attempt = throttle.Begin("ada@example.com", "198.51.100.1");
    if (attempt.allowed()) attempt.Failed();
    clock.Advance(1s);
  }
  // The owner, at an address they never used: the email's count still has room.
  auto owner = throttle.Begin("ada@example.com", "203.0.113.99");
  EXPECT_TRUE(owner.allowed());
}

TEST(LoginThrottleTest, AnEmptyEmailCountHoldsStrangersButNotTheOwnersKnownAddresses) {
  FakeClock clock;
  LoginThrottle throttle(SmallThrottle(), clock.Function());
  throttle.Begin("ada@example.com", "203.0.113.5").Succeeded();  // the owner signs in at home

  Fail(throttle, "ada@example.com", "198.51.100.1", 3);  // several attackers, 5 failures in all
  Fail(throttle, "ada@example.com", "198.51.100.2", 2);
  auto stranger = throttle.Begin("ada@example.com", "198.51.100.3");
  ASSERT_FALSE(stranger.allowed());
  EXPECT_EQ(&stranger.refused_by(), &throttle.email_policy());
  EXPECT_EQ(stranger.decision().reset, 60s);

  auto at_home = throttle.Begin("ada@example.com", "203.0.113.5");
  EXPECT_TRUE(at_home.allowed());
  // The documented worst case: the owner at an address never used waits with the strangers.
  EXPECT_FALSE(throttle.Begin("ada@example.com", "203.0.113.99").allowed());

  clock.Advance(24h * 31);  // a sign-in is remembered for 30 days
  Fail(throttle, "ada@example.com", "198.51.100.4", 3);
  Fail(throttle, "ada@example.com", "198.51.100.5", 2);
  EXPECT_FALSE(throttle.Begin("ada@example.com", "203.0.113.5").allowed());
}

TEST(LoginThrottleTest, AnAddressIsRefusedAfterItsFailuresOverManyEmails) {
  FakeClock clock;
  LoginThrottle throttle(SmallThrottle(), clock.Function());
  for (int i = 0; i < 5; ++i) Fail(throttle, "user" + std::to_string(i) + "@example.com", "198.51.100.1", 2);
  auto sprayed = throttle.Begin("user9@example.com", "198.51.100.1");
  ASSERT_FALSE(sprayed.allowed());
  EXPECT_EQ(&sprayed.refused_by(), &throttle.address_policy());
  EXPECT_TRUE(throttle.Begin("user9@example.com", "198.51.100.2").allowed());
}

TEST(LoginThrottleTest, AnAttemptNeverJudgedOrRefusedCostsNothing) {
  FakeClock clock;
  LoginThrottle throttle(SmallThrottle(), clock.Function());
  for (int i = 0; i < 20; ++i) {
    auto attempt = throttle.Begin("ada@example.com", "198.51.100.1");
    ASSERT_TRUE(attempt.allowed()) << i;  // dropped without a verdict: the database was down, say
  }
  Fail(throttle, "ada@example.com", "198.51.100.1", 3);
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(throttle.Begin("ada@example.com", "198.51.100.1").allowed());
  // The refusals took nothing from the address's or the email's count.
  Fail(throttle, "ada@example.com", "198.51.100.2", 2);
  Fail(throttle, "grace@example.com", "198.51.100.1", 3);
}

// --- Client addresses -----------------------------------------------------------------------------

TrustedProxies Proxies(std::string_view list) {
  std::string error;
  auto proxies = TrustedProxies::Parse(list, &error);
  EXPECT_TRUE(proxies) << error;
  return proxies.value_or(TrustedProxies{});
}

TEST(TrustedProxiesTest, ParsesAddressesAndRangesAndRefusesAnythingElse) {
  auto proxies = Proxies(" 10.0.0.7, 172.16.0.0/12,fd00::/8 ,");
  EXPECT_TRUE(proxies.Contains("10.0.0.7"));
  EXPECT_FALSE(proxies.Contains("10.0.0.8"));
  EXPECT_TRUE(proxies.Contains("172.31.255.1"));
  EXPECT_FALSE(proxies.Contains("172.32.0.1"));
  EXPECT_TRUE(proxies.Contains("fd12:3456::1"));
  EXPECT_TRUE(proxies.Contains("::ffff:10.0.0.7"));
  EXPECT_FALSE(proxies.Contains("not an address"));
  EXPECT_TRUE(Proxies("").empty());

  for (const char* bad : {"10.0.0.1/33", "proxy.local", "10.0.0.0/", "::1/129", "10.0.0.1/-1", "10.0.0.300"}) {
    std::string error;
    EXPECT_FALSE(TrustedProxies::Parse(bad, &error)) << bad;
    EXPECT_NE(error.find(bad), std::string::npos) << error;
  }
}

TEST(TrustedProxiesTest, TheClientIsThePeerUnlessAProxyWeTrustNamesIt) {
  auto none = Proxies("");
  EXPECT_EQ(none.ClientAddress("198.51.100.9", "203.0.113.7"), "198.51.100.9");

  auto proxies = Proxies("10.0.0.0/8");
  EXPECT_EQ(proxies.ClientAddress("198.51.100.9", "203.0.113.7"), "198.51.100.9");  // not a proxy of ours
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "203.0.113.7"), "203.0.113.7");
  // A client's own X-Forwarded-For is left of what our proxies appended, and is not believed.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.2"), "203.0.113.7");
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "10.0.0.3,10.0.0.2"), "10.0.0.3");  // all ours: the first
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", ""), "10.0.0.1");
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "203.0.113.7, garbage"), "10.0.0.1");
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "203.0.113.7:4711"), "203.0.113.7");
  EXPECT_EQ(proxies.ClientAddress("10.0.0.1", "[2001:db8::1]:4711"), "2001:db8::1");
  EXPECT_EQ(proxies.ClientAddress("::ffff:10.0.0.1", "2001:DB8:0::1"), "2001:db8::1");
}

TEST(AddressPartitionTest, KeepsIpv4WholeAndIpv6ToItsSlash64) {
  EXPECT_EQ(AddressPartition("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(AddressPartition("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(AddressPartition("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
}

// --- Configuration --------------------------------------------------------------------------------

config::Env EnvWith(std::map<std::string, std::string> values) {
  values.emplace("GRPC_PLAINTEXT", "on");
  values.emplace("ACCOUNTS_DATABASE_URL", "postgresql://accounts@db/storefront");
  values.emplace("JWT_SIGNING_KEY", std::string(64, 'k'));
  return config::Env::FromMap(std::move(values));
}

TEST(RateLimitConfigTest, FromEnvHasARealStoresDefaults) {
  auto config = Config::FromEnv(EnvWith({}));
  ASSERT_TRUE(config.rate_limits);
  EXPECT_EQ(PolicyField(config.rate_limits->general), R"("general";q=600;w=60)");
  EXPECT_EQ(PolicyField(config.rate_limits->register_account), R"("register";q=10;w=3600)");
  EXPECT_EQ(PolicyField(config.rate_limits->login), R"("login";q=20;w=60)");
  EXPECT_EQ(PolicyField(config.rate_limits->checkout), R"("checkout";q=10;w=60)");
  ASSERT_TRUE(config.login_throttle);
  EXPECT_EQ(config.login_throttle->per_pair, 5);
  EXPECT_EQ(config.login_throttle->per_email, 50);
  EXPECT_EQ(config.login_throttle->per_address, 100);
  EXPECT_EQ(config.login_throttle->window, 900s);
  EXPECT_EQ(config.max_in_flight_requests, 1000);
  EXPECT_TRUE(config.trusted_proxies.empty());
}

TEST(RateLimitConfigTest, FromEnvReadsEachLimit) {
  auto config = Config::FromEnv(EnvWith({{"RATE_LIMIT_LOGIN_QUOTA", "7"},
                                         {"RATE_LIMIT_LOGIN_WINDOW_SECONDS", "30"},
                                         {"RATE_LIMIT_CHECKOUT_QUOTA", "100000"},
                                         {"LOGIN_FAILURES_PER_PAIR", "3"},
                                         {"LOGIN_FAILURES_PER_EMAIL", "30"},
                                         {"LOGIN_FAILURE_WINDOW_SECONDS", "60"},
                                         {"MAX_IN_FLIGHT_REQUESTS", "64"},
                                         {"TRUSTED_PROXIES", "10.0.0.0/8"}}));
  EXPECT_EQ(PolicyField(config.rate_limits->login), R"("login";q=7;w=30)");
  EXPECT_EQ(config.rate_limits->checkout.quota, 100000);
  EXPECT_EQ(config.login_throttle->per_pair, 3);
  EXPECT_EQ(config.login_throttle->per_email, 30);
  EXPECT_EQ(config.login_throttle->window, 60s);
  EXPECT_EQ(config.max_in_flight_requests, 64);
  EXPECT_TRUE(config.trusted_proxies.Contains("10.9.8.7"));
}

TEST(RateLimitConfigTest, FromEnvNamesEveryBadLimit) {
  try {
    Config::FromEnv(EnvWith({{"RATE_LIMIT_GENERAL_QUOTA", "0"},
                             {"RATE_LIMIT_REGISTER_WINDOW_SECONDS", "100000"},
                             {"LOGIN_FAILURES_PER_PAIR", "10"},
                             {"LOGIN_FAILURES_PER_EMAIL", "10"},
                             {"MAX_IN_FLIGHT_REQUESTS", "0"},
                             {"TRUSTED_PROXIES", "10.0.0.1, gateway.local"}}));
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& error) {
    std::string message = error.what();
    for (const char* name : {"RATE_LIMIT_GENERAL_QUOTA", "RATE_LIMIT_REGISTER_WINDOW_SECONDS",
                             "LOGIN_FAILURES_PER_EMAIL (10) must be above LOGIN_FAILURES_PER_PAIR (10)",
                             "MAX_IN_FLIGHT_REQUESTS", "TRUSTED_PROXIES: \"gateway.local\""}) {
      EXPECT_NE(message.find(name), std::string::npos) << name << " not in: " << message;
    }
  }
}

}  // namespace
}  // namespace storefront::gateway::http
