#include "http/rate_limit.h"

#include <arpa/inet.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "http/exchange.h"
#include "shared/metrics/metrics.h"

namespace storefront::gateway::http {
namespace {

using std::chrono::nanoseconds;

// GCRA keeps, per key, the moment the bucket is full again; `debt` is how far that lies ahead
// (0 for a full bucket). Taking a token adds one `interval` of debt; a bucket holds `quota`
// tokens, so debt never passes `capacity`.
struct Gcra {
  std::int64_t interval;  // ns per token
  std::int64_t capacity;  // ns of debt a full quota stands for
};

Gcra ParametersOf(const RatePolicy& policy) {
  const std::int64_t quota = std::max(1, policy.quota);
  const std::int64_t window = std::chrono::duration_cast<nanoseconds>(policy.window).count();
  const std::int64_t interval = std::max<std::int64_t>(1, window / quota);
  return {interval, interval * quota};
}

std::chrono::seconds CeilSeconds(std::int64_t ns) {
  return std::chrono::seconds((ns + 999'999'999) / 1'000'000'000);
}

// What a bucket with `debt` holds: whole tokens left, and how long until the next one arrives.
RateDecision Describe(std::int64_t debt, const Gcra& gcra, bool allowed) {
  const std::int64_t remaining = std::max<std::int64_t>(0, (gcra.capacity - debt) / gcra.interval);
  const std::int64_t next_token = debt <= 0 ? 0 : debt - gcra.capacity + (remaining + 1) * gcra.interval;
  return {allowed, static_cast<int>(remaining), CeilSeconds(std::max<std::int64_t>(0, next_token))};
}

constexpr char kSeparator = '\x1f';  // between a key's parts; no address, id or email holds it

std::string Key(std::string_view a, std::string_view b) {
  std::string key;
  key.reserve(a.size() + b.size() + 1);
  key.append(a).push_back(kSeparator);
  key.append(b);
  return key;
}

// --- IP addresses ---

struct Ip {
  int family = AF_INET;
  std::array<unsigned char, 16> bytes{};  // IPv4 in the first 4
};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// An address as Pistache or a proxy writes it; an IPv4-mapped IPv6 address is its IPv4 address.
std::optional<Ip> ParseIp(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string copy(text);
  Ip ip;
  if (inet_pton(AF_INET, copy.c_str(), ip.bytes.data()) == 1) return ip;
  if (inet_pton(AF_INET6, copy.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  ip.family = AF_INET6;
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(ip.bytes.data(), kMapped, sizeof kMapped) == 0) {
    std::memmove(ip.bytes.data(), ip.bytes.data() + 12, 4);
    std::fill(ip.bytes.begin() + 4, ip.bytes.end(), 0);
    ip.family = AF_INET;
  }
  return ip;
}

// A forwarded hop may carry a port: "203.0.113.7:4711" or "[2001:db8::1]:4711".
std::optional<Ip> ParseHop(std::string_view hop) {
  hop = Trim(hop);
  if (!hop.empty() && hop.front() == '[') {
    auto close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return ParseIp(hop.substr(1, close - 1));
  }
  auto colon = hop.find(':');
  if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos) {
    hop = hop.substr(0, colon);  // one colon: IPv4 with a port
  }
  return ParseIp(hop);
}

std::string Format(const Ip& ip) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip.family, ip.bytes.data(), text, sizeof text);
  return text;
}

bool PrefixMatches(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& b, int bits) {
  int whole = bits / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<std::size_t>(whole)) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[static_cast<std::size_t>(whole)] & mask) == (b[static_cast<std::size_t>(whole)] & mask);
}

std::string RetryIn(const RateDecision& decision) {
  return "try again in " + std::to_string(std::max<std::int64_t>(1, decision.reset.count())) + " s";
}

}  // namespace

// --- TokenBuckets ---------------------------------------------------------------------------------

TokenBuckets::TokenBuckets(std::size_t max_keys, SteadyClock clock)
    : clock_(std::move(clock)), per_shard_(std::max<std::size_t>(1, max_keys / std::tuple_size_v<decltype(shards_)>)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  static_assert(sizeof hash_key_ == crypto_shorthash_KEYBYTES);
  crypto_shorthash_keygen(hash_key_.data());
}

std::uint64_t TokenBuckets::Hash(std::string_view key) const {
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(key.data()), key.size(), hash_key_.data());
  std::uint64_t hash;
  std::memcpy(&hash, out, sizeof hash);
  return hash;
}

std::int64_t TokenBuckets::NowNs() const {
  return std::chrono::duration_cast<nanoseconds>(clock_().time_since_epoch()).count();
}

RateDecision TokenBuckets::Take(std::string_view key, const RatePolicy& policy) {
  const Gcra gcra = ParametersOf(policy);
  const std::uint64_t hash = Hash(key);
  Shard& shard = shards_[hash % shards_.size()];
  const std::int64_t now = NowNs();
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(hash);
  std::int64_t debt = 0;
  if (found != shard.index.end()) {
    shard.recent.splice(shard.recent.begin(), shard.recent, found->second);
    debt = std::max<std::int64_t>(0, found->second->full_at_ns - now);
  }
  if (debt + gcra.interval > gcra.capacity) return Describe(debt, gcra, false);
  debt += gcra.interval;
  if (found != shard.index.end()) {
    found->second->full_at_ns = now + debt;
  } else {
    if (shard.index.size() >= per_shard_) {
      shard.index.erase(shard.recent.back().hash);
      shard.recent.pop_back();
    }
    shard.recent.push_front({hash, now + debt});
    shard.index.emplace(hash, shard.recent.begin());
  }
  return Describe(debt, gcra, true);
}

RateDecision TokenBuckets::Peek(std::string_view key, const RatePolicy& policy) {
  const Gcra gcra = ParametersOf(policy);
  const std::uint64_t hash = Hash(key);
  Shard& shard = shards_[hash % shards_.size()];
  const std::int64_t now = NowNs();
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(hash);
  std::int64_t debt = found == shard.index.end() ? 0 : std::max<std::int64_t>(0, found->second->full_at_ns - now);
  return Describe(debt, gcra, debt + gcra.interval <= gcra.capacity);
}

void TokenBuckets::Give(std::string_view key, const RatePolicy& policy) {
  const Gcra gcra = ParametersOf(policy);
  const std::uint64_t hash = Hash(key);
  Shard& shard = shards_[hash % shards_.size()];
  const std::int64_t now = NowNs();
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(hash);
  if (found == shard.index.end()) return;  // evicted meanwhile: it starts full anyway
  found->second->full_at_ns = std::max(now, found->second->full_at_ns - gcra.interval);
}

void TokenBuckets::Forget(std::string_view key) {
  const std::uint64_t hash = Hash(key);
  Shard& shard = shards_[hash % shards_.size()];
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(hash);
  if (found == shard.index.end()) return;
  shard.recent.erase(found->second);
  shard.index.erase(found);
}

std::size_t TokenBuckets::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.index.size();
  }
  return total;
}

// --- RateLimiter ----------------------------------------------------------------------------------

RateLimiter::RateLimiter(RateLimitSettings settings, SteadyClock clock)
    : settings_(std::move(settings)), buckets_(settings_.max_keys, std::move(clock)) {}

const RatePolicy* RateLimiter::PolicyFor(Pistache::Http::Method method, std::string_view path) const {
  if (path == "/livez" || path == "/readyz") return nullptr;
  if (method == Pistache::Http::Method::Post) {
    // The router matches raw paths too, so another spelling of these is a 404, not a way around.
    if (path == "/api/v1/auth/register") return &settings_.register_account;
    if (path == "/api/v1/auth/login") return &settings_.login;
    if (path == "/api/v1/checkout") return &settings_.checkout;
  }
  return &settings_.general;
}

RateDecision RateLimiter::TakeForAddress(const RatePolicy& policy, std::string_view address) {
  return Count(policy, buckets_.Take(Key(policy.name, Key("address", AddressPartition(address))), policy));
}

RateDecision RateLimiter::TakeForAccount(const RatePolicy& policy, std::string_view account_id) {
  return Count(policy, buckets_.Take(Key(policy.name, Key("account", account_id)), policy));
}

RateDecision RateLimiter::Count(const RatePolicy& policy, RateDecision decision) {
  if (!decision.allowed) {
    const RatePolicy* all[] = {&settings_.general, &settings_.register_account, &settings_.login, &settings_.checkout};
    for (std::size_t i = 0; i < refused_.size(); ++i) {
      if (all[i] == &policy) refused_[i].fetch_add(1, std::memory_order_relaxed);
    }
  }
  return decision;
}

std::vector<RateLimiter::PolicyCount> RateLimiter::Refusals() const {
  const RatePolicy* all[] = {&settings_.general, &settings_.register_account, &settings_.login, &settings_.checkout};
  std::vector<PolicyCount> counts;
  for (std::size_t i = 0; i < refused_.size(); ++i) counts.push_back({all[i], refused_[i].load()});
  return counts;
}

bool ChargeAccount(const Request& request, std::string_view account_id, Responder& out) {
  if (!request.rate_limit) return true;
  const RateLimitContext& context = *request.rate_limit;
  RateDecision by_account = context.limiter->TakeForAccount(*context.policy, account_id);
  if (!by_account.allowed) {
    SendRateLimited(out, *context.policy, by_account,
                    "too many " + context.policy->name + " requests for this account; " + RetryIn(by_account));
    return false;
  }
  const RateDecision& by_address = context.by_address;
  bool account_is_tighter = by_account.remaining < by_address.remaining ||
                            (by_account.remaining == by_address.remaining && by_account.reset > by_address.reset);
  SetRateLimitFields(out, *context.policy, account_is_tighter ? by_account : by_address);
  return true;
}

std::string PolicyField(const RatePolicy& policy) {
  return "\"" + policy.name + "\";q=" + std::to_string(policy.quota) + ";w=" + std::to_string(policy.window.count());
}

std::string LimitField(const RatePolicy& policy, const RateDecision& decision) {
  return "\"" + policy.name + "\";r=" + std::to_string(decision.remaining) + ";t=" +
         std::to_string(decision.reset.count());
}

void SetRateLimitFields(Responder& out, const RatePolicy& policy, const RateDecision& decision) {
  out.SetHeader("RateLimit-Policy", PolicyField(policy));
  out.SetHeader("RateLimit", LimitField(policy, decision));
}

void CountRefusal(const std::string& reason, const std::string& policy) {
  static auto& refused = metrics::Counters("http_requests_refused_total",
                                           "Requests the gateway refused to protect itself or the store, by reason "
                                           "(rate_limited, shed) and rate-limit policy.");
  refused.Add({{"reason", reason}, {"policy", policy}}).Increment();
}

void SendRateLimited(Responder& out, const RatePolicy& policy, const RateDecision& decision, std::string detail) {
  CountRefusal("rate_limited", policy.name);
  SetRateLimitFields(out, policy, decision);
  // Never earlier than the draft's effective window ("t"), and at least a second.
  out.SetHeader("Retry-After", std::to_string(std::max<std::int64_t>(1, decision.reset.count())));
  Problem problem{429, "rate-limited", "Too many requests", std::move(detail), {}};
  problem.extensions = {{"violated-policies", {policy.name}}};
  out.SendProblem(problem);
}

// --- LoginThrottle --------------------------------------------------------------------------------

LoginThrottle::LoginThrottle(LoginThrottleSettings settings, SteadyClock clock)
    : pair_{"failed-logins-pair", settings.per_pair, settings.window},
      email_{"failed-logins-email", settings.per_email, settings.window},
      address_{"failed-logins-address", settings.per_address, settings.window},
      known_{"signed-in", 1, std::chrono::hours(24 * 30)},
      failures_(settings.max_keys, clock),
      known_pairs_(settings.max_keys, clock) {}

LoginThrottle::Attempt LoginThrottle::Begin(std::string_view email, std::string_view address) {
  Attempt attempt(this);
  const std::string partition = AddressPartition(address);
  attempt.pair_key_ = Key("pair", Key(email, partition));
  attempt.email_key_ = Key("email", email);
  attempt.address_key_ = Key("address", partition);

  auto refuse = [&attempt](const RatePolicy& policy, const RateDecision& decision) {
    attempt.refused_by_ = &policy;
    attempt.decision_ = decision;
    attempt.GiveBack();  // a refused attempt checked no password, so it is no failure either
    attempt.judged_ = true;
  };
  if (auto pair = failures_.Take(attempt.pair_key_, pair_); !pair.allowed) {
    refuse(pair_, pair);
    return attempt;
  }
  attempt.took_pair_ = true;
  if (auto by_address = failures_.Take(attempt.address_key_, address_); !by_address.allowed) {
    refuse(address_, by_address);
    return attempt;
  }
  attempt.took_address_ = true;
  // The owner's own addresses are not held by a count strangers can run down.
  const bool known = known_pairs_.Peek(attempt.pair_key_, known_).remaining == 0;
  if (!known) {
    if (auto by_email = failures_.Take(attempt.email_key_, email_); !by_email.allowed) {
      refuse(email_, by_email);
      return attempt;
    }
    attempt.took_email_ = true;
  }
  return attempt;
}

LoginThrottle::Attempt::Attempt(Attempt&& other) noexcept
    : throttle_(other.throttle_),
      pair_key_(std::move(other.pair_key_)),
      email_key_(std::move(other.email_key_)),
      address_key_(std::move(other.address_key_)),
      took_pair_(other.took_pair_),
      took_address_(other.took_address_),
      took_email_(other.took_email_),
      judged_(other.judged_),
      refused_by_(other.refused_by_),
      decision_(other.decision_) {
  other.judged_ = true;  // the moved-from attempt gives nothing back
}

LoginThrottle::Attempt::~Attempt() {
  if (!judged_) GiveBack();
}

void LoginThrottle::Attempt::GiveBack() {
  if (took_pair_) throttle_->failures_.Give(pair_key_, throttle_->pair_);
  if (took_address_) throttle_->failures_.Give(address_key_, throttle_->address_);
  if (took_email_) throttle_->failures_.Give(email_key_, throttle_->email_);
  took_pair_ = took_address_ = took_email_ = false;
}

void LoginThrottle::Attempt::Failed() { judged_ = true; }

void LoginThrottle::Attempt::Succeeded() {
  if (judged_) return;
  GiveBack();
  judged_ = true;
  throttle_->failures_.Forget(pair_key_);
  throttle_->known_pairs_.Forget(pair_key_);  // remembered afresh for 30 days from now
  throttle_->known_pairs_.Take(pair_key_, throttle_->known_);
}

// --- Client addresses -----------------------------------------------------------------------------

std::optional<TrustedProxies> TrustedProxies::Parse(std::string_view list, std::string* error) {
  auto invalid = [error](std::string_view entry) -> std::optional<TrustedProxies> {
    error->clear();  // built piece by piece: GCC 12 warns falsely on `"\"" + ...` (its bug 105329)
    error->push_back('"');
    error->append(entry).append("\" is not an address or CIDR range");
    return std::nullopt;
  };
  TrustedProxies proxies;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view entry = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    std::string_view address = entry;
    std::optional<int> bits;
    if (auto slash = entry.find('/'); slash != std::string_view::npos) {
      address = entry.substr(0, slash);
      std::string_view digits = entry.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
        return invalid(entry);
      }
      bits = std::stoi(std::string(digits));
    }
    auto ip = ParseIp(address);
    const bool mapped = ip && ip->family == AF_INET && address.find(':') != std::string_view::npos;
    const int max_bits = ip && ip->family == AF_INET6 ? 128 : (mapped ? 128 : 32);
    if (!ip || (bits && *bits > max_bits) || (mapped && bits && *bits < 96)) return invalid(entry);
    int prefix = bits.value_or(max_bits) - (mapped ? 96 : 0);
    proxies.ranges_.push_back({ip->family, ip->bytes, prefix});
  }
  return proxies;
}

bool TrustedProxies::Contains(std::string_view address) const {
  auto ip = ParseIp(address);
  return ip && Contains(ip->family, ip->bytes);
}

bool TrustedProxies::Contains(int family, const std::array<unsigned char, 16>& bytes) const {
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const Range& range) {
    return range.family == family && PrefixMatches(range.bytes, bytes, range.prefix_bits);
  });
}

std::string TrustedProxies::ClientAddress(std::string_view peer, std::string_view forwarded_for) const {
  auto current = ParseIp(peer);
  if (!current) return std::string(peer);
  while (Contains(current->family, current->bytes) && !forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    std::string_view hop = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    auto parsed = ParseHop(hop);
    if (!parsed) break;  // not written by a proxy we trust: believe no further
    current = parsed;
  }
  return Format(*current);
}

std::string AddressPartition(std::string_view address) {
  auto ip = ParseIp(address);
  if (!ip) return std::string(address);
  if (ip->family == AF_INET) return Format(*ip);
  std::fill(ip->bytes.begin() + 8, ip->bytes.end(), 0);
  return Format(*ip) + "/64";
}

}  // namespace storefront::gateway::http
