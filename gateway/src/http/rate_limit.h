// Rate limiting at the edge: token buckets per client address and per account, the throttle on
// failed sign-ins, and which address a request comes from when proxies stand in front.
//
// What is limited (README "Rate limits and load shedding"):
//  * Every request but the probes takes a token from its client address's bucket under the
//    route's policy: "register", "login" and "checkout" for those three routes, "general" for the
//    rest (GatewayHandler, before the body is parsed). A signed-in request also takes one from
//    its account's bucket under the same policy (auth::RequireAuth, once the token is verified),
//    so changing address does not escape an account's budget, nor changing account an address's.
//  * A request that finds its bucket empty gets 429 problem+json with Retry-After. Every answer
//    under a policy carries the IETF draft's fields (draft-ietf-httpapi-ratelimit-headers):
//      RateLimit-Policy: "login";q=20;w=60     the bucket holds 20 and refills 20 per 60 s
//      RateLimit: "login";r=0;t=3               0 left; the next token comes in 3 s
//  * Failed sign-ins are counted apart (LoginThrottle): tightly per (email, address) pair and
//    loosely per email, so guessing is slow and a stranger cannot lock the owner out.
//
// A bucket is GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp: the
// moment it will be full again). A key costs a few dozen bytes whatever the client sent, the
// arithmetic is integer nanoseconds, and the clock is injected so tests never sleep.
#pragma once

#include <pistache/http_defs.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace storefront::gateway::http {

struct Request;
class Responder;

using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

// A bucket's parameters, as the draft's RateLimit-Policy item names them: it holds up to
// `quota` tokens and refills the whole quota in `window` (one token every window / quota).
struct RatePolicy {
  std::string name;
  int quota = 1;
  std::chrono::seconds window{1};
};

// What a bucket said about one request.
struct RateDecision {
  bool allowed = true;
  int remaining = 0;  // whole tokens left (the draft's "r")
  // Until the next token arrives (the draft's "t"); when refused, what Retry-After says. Zero
  // for a full bucket.
  std::chrono::seconds reset{0};
};

// Token buckets by key, bounded in memory and shared by every reactor thread.
//
// Keys are hashed with SipHash under a key drawn at start-up (libsodium's crypto_shorthash), so
// an entry costs the same whatever a client sent and nobody can aim a collision at someone else's
// bucket. The map is split into shards, each behind its own mutex, held for one lookup and a
// little integer arithmetic. Each shard keeps its buckets in least-recently-used order and, once
// it holds its share of `max_keys`, drops the one idle longest to make room: that one has almost
// always refilled completely, so forgetting it changes nothing. A client that brings more fresh
// keys than `max_keys` within one window can make a quiet client's bucket start over full; that
// is the price of the bound, and why IPv6 clients are keyed by their /64 (AddressPartition).
class TokenBuckets {
 public:
  explicit TokenBuckets(std::size_t max_keys, SteadyClock clock = std::chrono::steady_clock::now);
  TokenBuckets(const TokenBuckets&) = delete;
  TokenBuckets& operator=(const TokenBuckets&) = delete;

  // Takes one token from `key`'s bucket (a new key starts full) if it holds one. A key is always
  // used with the same policy; the policy's name is not part of the key.
  RateDecision Take(std::string_view key, const RatePolicy& policy);
  // What Take would find, without taking and without creating the bucket.
  RateDecision Peek(std::string_view key, const RatePolicy& policy);
  // Puts one token back (never above the quota): the request it was taken for did not count.
  void Give(std::string_view key, const RatePolicy& policy);
  // Drops the bucket: it starts full again.
  void Forget(std::string_view key);

  std::size_t size() const;  // buckets held now, at most max_keys()
  std::size_t max_keys() const { return shards_.size() * per_shard_; }

 private:
  struct Bucket {
    std::uint64_t hash;
    std::int64_t full_at_ns;  // when the bucket is full again; at or before now: full
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Bucket> recent;  // most recently used first
    std::unordered_map<std::uint64_t, std::list<Bucket>::iterator> index;
  };

  std::uint64_t Hash(std::string_view key) const;
  std::int64_t NowNs() const;

  SteadyClock clock_;
  std::array<unsigned char, 16> hash_key_;
  std::size_t per_shard_;
  std::array<Shard, 16> shards_;
};

// The request limits (RATE_LIMIT_*); FromEnv's defaults are for a real store.
struct RateLimitSettings {
  RatePolicy general{"general", 600, std::chrono::seconds(60)};
  RatePolicy register_account{"register", 10, std::chrono::seconds(3600)};
  RatePolicy login{"login", 20, std::chrono::seconds(60)};
  RatePolicy checkout{"checkout", 10, std::chrono::seconds(60)};
  std::size_t max_keys = 100000;  // buckets held at once (about 100 bytes each)
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitSettings settings, SteadyClock clock = std::chrono::steady_clock::now);

  // The policy a request falls under; null for the probes (/livez, /readyz), never limited so
  // an orchestrator always sees the truth.
  const RatePolicy* PolicyFor(Pistache::Http::Method method, std::string_view path) const;

  RateDecision TakeForAddress(const RatePolicy& policy, std::string_view address);
  RateDecision TakeForAccount(const RatePolicy& policy, std::string_view account_id);

  // Each policy with the requests it refused since start, for the operator's resilience page.
  struct PolicyCount {
    const RatePolicy* policy;
    std::int64_t refused;
  };
  std::vector<PolicyCount> Refusals() const;

 private:
  RateDecision Count(const RatePolicy& policy, RateDecision decision);

  RateLimitSettings settings_;
  TokenBuckets buckets_;
  std::array<std::atomic<std::int64_t>, 4> refused_{};  // general, register, login, checkout
};

// What GatewayHandler leaves on a request it rate-limited: the route's policy and what the
// address's bucket said, so ChargeAccount can charge the account too and report the tighter.
struct RateLimitContext {
  std::shared_ptr<RateLimiter> limiter;
  const RatePolicy* policy = nullptr;  // one of limiter's policies
  RateDecision by_address;
};

// Called once the request's account is known (auth::RequireAuth): takes a token from the
// account's bucket and sets the RateLimit fields to the tighter of it and the address's. False
// after answering 429; true when the request may go on (also when nothing limits it).
bool ChargeAccount(const Request& request, std::string_view account_id, Responder& out);

// The draft's structured fields: `"login";q=20;w=60` and `"login";r=0;t=3`.
std::string PolicyField(const RatePolicy& policy);
std::string LimitField(const RatePolicy& policy, const RateDecision& decision);
// Sets RateLimit-Policy and RateLimit on the answer (replacing earlier ones).
void SetRateLimitFields(Responder& out, const RatePolicy& policy, const RateDecision& decision);
// 429 problem+json naming the policy (the draft's "violated-policies"), with Retry-After and the
// RateLimit fields.
void SendRateLimited(Responder& out, const RatePolicy& policy, const RateDecision& decision, std::string detail);
// Counts one refused request in http_requests_refused_total: `reason` rate_limited (with its
// policy's name) or shed.
void CountRefusal(const std::string& reason, const std::string& policy);

// --- Failed sign-ins ----------------------------------------------------------------------------

// LOGIN_FAILURE_*; FromEnv checks per_email > per_pair, which the lock-out guarantee rests on.
struct LoginThrottleSettings {
  int per_pair = 5;        // failures of one email from one address
  int per_email = 50;      // failures of one email from addresses it never signed in from
  int per_address = 100;   // failures from one address, whichever emails
  std::chrono::seconds window{900};  // each count refills completely in this time
  std::size_t max_keys = 100000;
};

// Online password guessing, slowed per account and per address without handing an attacker a
// way to lock the owner out (README "Rate limits and load shedding" has the rule's worst cases).
//
// Each sign-in attempt takes a token from three buckets before any password is hashed: its
// (email, address) pair's, its address's and, unless that pair signed in successfully in the last
// 30 days, its email's. An empty one refuses the attempt with 429 (no hash computed). A failure
// keeps the tokens spent; a success gives them back, forgets the pair's failures and remembers
// the pair, so the email's count never stands between the owner and an address they use.
// Because per_pair < per_email, one address alone can never empty an email's bucket.
class LoginThrottle {
 public:
  explicit LoginThrottle(LoginThrottleSettings settings, SteadyClock clock = std::chrono::steady_clock::now);

  // One attempt, holding its tokens until it is judged.
  class Attempt {
   public:
    Attempt(Attempt&& other) noexcept;
    Attempt& operator=(Attempt&&) = delete;
    ~Attempt();  // not judged (the check itself failed): its tokens go back

    bool allowed() const { return refused_by_ == nullptr; }
    // When refused: the count that refused it and what its bucket said.
    const RatePolicy& refused_by() const { return *refused_by_; }
    const RateDecision& decision() const { return decision_; }

    void Failed();     // a wrong password or an unknown email
    void Succeeded();  // signed in

   private:
    friend class LoginThrottle;
    explicit Attempt(LoginThrottle* throttle) : throttle_(throttle) {}
    void GiveBack();

    LoginThrottle* throttle_;
    std::string pair_key_, email_key_, address_key_;
    bool took_pair_ = false, took_address_ = false, took_email_ = false;
    bool judged_ = false;
    const RatePolicy* refused_by_ = nullptr;
    RateDecision decision_;
  };

  // `email` as the accounts are looked up (accounts::NormalizeEmail), `address` the client's.
  Attempt Begin(std::string_view email, std::string_view address);

  const RatePolicy& pair_policy() const { return pair_; }
  const RatePolicy& email_policy() const { return email_; }
  const RatePolicy& address_policy() const { return address_; }

 private:
  RatePolicy pair_, email_, address_;
  RatePolicy known_;  // a sign-in within 30 days: a one-token bucket that is not yet full again
  TokenBuckets failures_;
  TokenBuckets known_pairs_;
};

// --- Client addresses ---------------------------------------------------------------------------

// The proxies whose X-Forwarded-For the gateway believes (TRUSTED_PROXIES: addresses or CIDR
// ranges, comma-separated). Empty: the TCP peer is the client, whatever the header says.
class TrustedProxies {
 public:
  // "10.0.0.7, 10.1.0.0/16, fd00::/8"; nullopt with `error` set when an entry is neither.
  static std::optional<TrustedProxies> Parse(std::string_view list, std::string* error);

  bool empty() const { return ranges_.empty(); }
  bool Contains(std::string_view address) const;

  // The client of a request from `peer`: the peer itself unless it is trusted; then, walking
  // X-Forwarded-For from its right end (each proxy appends the address it was connected from),
  // the first hop that is not trusted. A hop that is not an address stops the walk at the last
  // trusted one. Addresses come back in canonical form (IPv4-mapped IPv6 as IPv4).
  std::string ClientAddress(std::string_view peer, std::string_view forwarded_for) const;

 private:
  struct Range {
    int family;
    std::array<unsigned char, 16> bytes;
    int prefix_bits;
  };
  bool Contains(int family, const std::array<unsigned char, 16>& bytes) const;

  std::vector<Range> ranges_;
};

// The part of a client address a bucket is kept for: an IPv4 address whole, an IPv6 address by
// its /64 (one subscriber's whole network, which they can rotate through at will).
std::string AddressPartition(std::string_view address);

}  // namespace storefront::gateway::http
