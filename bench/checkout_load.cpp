// storefront-checkout-load: shoppers checking out through the gateway as fast as the store
// answers, for bench/observability_cost.sh (README.md in this folder). Prints the checkout rate,
// the answers by status and the latency of the checkout call and of a whole cycle; with --cpu, the
// CPU seconds the store's processes used while it measured.
//
// Each shopper registers its own account, signs in, quotes shipping once, then loops:
//   DELETE /api/v1/cart, POST /api/v1/cart/items (one unit of one product), POST /api/v1/checkout
// with a fresh Idempotency-Key and the card the simulated processor always authorizes.
// Why the cart is emptied first, and why the product changes from one cycle to the next: cart
// removes an order's products when OrderConfirmed reaches it, seconds after the 201, through the
// outbox and Kafka. A late confirmation of the previous order would otherwise either be ordered
// again (its line still in the cart) or take the line just added (the same product), so that the
// checkout finds the cart empty. With a cleared cart and another product, neither can happen
// unless a confirmation is late by a whole rotation of products; if one ever is, its 409 is
// counted like any other answer.
#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = R"(usage: storefront-checkout-load --port N [options]
  --port N            the gateway's port on 127.0.0.1 (required)
  --shoppers N        concurrent shoppers, one connection each (default 8)
  --seconds S         seconds measured (default 30)
  --warmup S          seconds of the same load before the measurement, not counted (default 5)
  --products N        products the shoppers rotate over, restocked first (default 16)
  --operator-email E  the operator who restocks them (default operator@storefront.local); the
                      password comes from STOREFRONT_OPERATOR_PASSWORD
  --cpu NAME=PID      a process whose CPU time (it and its descendants, from /proc) is summed over
                      the measured seconds; repeat for each process of the store
Prints the figures, then one `figures:` line of key=value pairs for scripts. Exits 0 when at
least one checkout answered 201 in the measured seconds, 1 when none did, 2 when the set-up failed.
)";

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kGoodCard = "4242 4242 4242 4242";
// Units each rotated product is raised to before the run: more than any run here sells.
constexpr int kStockTarget = 200000;
const json kAddress = {{"name", "Ada Lovelace"}, {"line1", "1 Analytical Way"}, {"city", "Springfield"},
                       {"postal_code", "12345"}, {"country", "US"}};

struct Options {
  int port = 0;
  int shoppers = 8;
  int seconds = 30;
  int warmup = 5;
  int products = 16;
  std::string operator_email = "operator@storefront.local";
  std::vector<std::pair<std::string, int>> cpu;  // name, pid
};

struct Answer {
  long status = 0;  // 0: no answer (the transport's error is in `error`)
  std::string body;
  std::string error;
  // "201", "409 out-of-stock", "no answer": the status and the last segment of a problem's type.
  std::string Label() const {
    if (status == 0) return "no answer";
    std::string label = std::to_string(status);
    if (status >= 400) {
      auto parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_object() && parsed.contains("type") && parsed["type"].is_string()) {
        const std::string type = parsed["type"];
        label += " " + type.substr(type.rfind('/') + 1);
      }
    }
    return label;
  }
};

// One client connection to the gateway, kept alive between calls (libcurl reuses it), with the
// bearer token once signed in.
class Client {
 public:
  explicit Client(int port) : base_("http://127.0.0.1:" + std::to_string(port)), curl_(curl_easy_init()) {
    if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
  }
  ~Client() { curl_easy_cleanup(curl_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Answer Call(const std::string& method, const std::string& path, const json& body = nullptr,
              const std::map<std::string, std::string>& headers = {}) {
    Answer answer;
    const std::string payload = body.is_null() ? std::string() : body.dump();
    const std::string url = base_ + path;
    curl_slist* list = nullptr;
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    if (!payload.empty()) list = curl_slist_append(list, "Content-Type: application/json");
    if (!token_.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + token_).c_str());
    for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
    // Every option afresh (a POST's body settings would otherwise carry over to the next GET);
    // the reset keeps the open connection.
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    if (method == "POST" || method == "PUT") {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, payload.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
    }
    if (method != "GET" && method != "POST") curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 30000L);  // past checkout's own deadlines
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Client::Append);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer.body);
    const CURLcode code = curl_easy_perform(curl_);
    curl_slist_free_all(list);
    if (code != CURLE_OK) {
      answer.error = curl_easy_strerror(code);
      answer.body.clear();
      return answer;
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &answer.status);
    return answer;
  }

  // Signs in; throws unless the gateway answers 200 with a token.
  void SignIn(const std::string& email, const std::string& password) {
    Answer login = Call("POST", "/api/v1/auth/login", json{{"email", email}, {"password", password}});
    if (login.status != 200) throw std::runtime_error("sign-in of " + email + ": " + Describe(login));
    token_ = json::parse(login.body).value("access_token", "");
  }

  static std::string Describe(const Answer& answer) {
    if (answer.status == 0) return "no answer (" + answer.error + ")";
    return std::to_string(answer.status) + " " + answer.body.substr(0, 300);
  }

 private:
  static size_t Append(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
  }

  std::string base_;
  CURL* curl_;
  std::string token_;
};

// --- CPU time from /proc ----------------------------------------------------------------------

struct ProcStat {
  int ppid = 0;
  long long ticks = 0;  // utime + stime + cutime + cstime: its own and its reaped children's
};

// Every process's parent and CPU ticks, read once.
std::map<int, ProcStat> ReadProcesses() {
  std::map<int, ProcStat> processes;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return processes;
  while (dirent* entry = readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream file("/proc/" + name + "/stat");
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    // After "pid (comm) ": state ppid ... with utime, stime, cutime, cstime the 12th to 15th.
    std::istringstream fields(stat.substr(paren + 2));
    std::vector<std::string> values;
    for (std::string value; fields >> value && values.size() < 15;) values.push_back(value);
    if (values.size() < 15) continue;
    ProcStat process;
    process.ppid = std::stoi(values[1]);
    for (int i = 11; i < 15; ++i) process.ticks += std::stoll(values[static_cast<std::size_t>(i)]);
    processes[std::stoi(name)] = process;
  }
  closedir(proc);
  return processes;
}

// CPU ticks of `root` and every live descendant. A descendant that ended between two readings
// moved its ticks into its parent's cutime/cstime once reaped, so the sum stays continuous
// (PostgreSQL's backends come and go under the postmaster; a script may run the JVM as a child).
long long TreeTicks(const std::map<int, ProcStat>& processes, int root) {
  std::multimap<int, int> children;
  for (const auto& [pid, process] : processes) children.emplace(process.ppid, pid);
  long long total = 0;
  std::vector<int> pending{root};
  while (!pending.empty()) {
    const int pid = pending.back();
    pending.pop_back();
    if (auto it = processes.find(pid); it != processes.end()) total += it->second.ticks;
    auto [begin, end] = children.equal_range(pid);
    for (auto it = begin; it != end; ++it) pending.push_back(it->second);
  }
  return total;
}

std::vector<long long> CpuTicks(const Options& options) {
  const auto processes = ReadProcesses();
  std::vector<long long> ticks;
  for (const auto& [name, pid] : options.cpu) ticks.push_back(TreeTicks(processes, pid));
  return ticks;
}

double OwnCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// --- the run ----------------------------------------------------------------------------------

// What one shopper saw while the clock measured: the answers that arrived inside the window.
struct Tally {
  std::map<std::string, int> checkout_answers;
  std::map<std::string, int> cart_failures;  // a cart step that did not answer 200
  std::vector<double> checkout_ms;           // every checkout answered, whatever its status
  std::vector<double> cycle_ms;              // clear + add + checkout
};

std::string RandomKey(std::mt19937_64& random) {
  char key[40];
  std::snprintf(key, sizeof key, "load-%016llx%016llx", static_cast<unsigned long long>(random()),
                static_cast<unsigned long long>(random()));
  return key;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p of them at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

std::vector<std::string> PrepareProducts(const Options& options) {
  const char* password = std::getenv("STOREFRONT_OPERATOR_PASSWORD");
  if (password == nullptr || *password == '\0') {
    throw std::runtime_error("STOREFRONT_OPERATOR_PASSWORD is not set: the operator restocks the products");
  }
  Client operator_client(options.port);
  operator_client.SignIn(options.operator_email, password);
  Answer page = operator_client.Call("GET", "/api/v1/products?limit=100");
  if (page.status != 200) throw std::runtime_error("listing the products: " + Client::Describe(page));
  std::vector<std::string> products;
  const json listed = json::parse(page.body);
  for (const auto& item : listed["items"]) {
    if (static_cast<int>(products.size()) == options.products) break;
    products.push_back(item["id"]);
  }
  if (products.size() < 2) throw std::runtime_error("the catalog lists fewer than two products");
  for (const auto& id : products) {
    Answer level = operator_client.Call("GET", "/api/v1/admin/inventory/" + id);
    if (level.status != 200) throw std::runtime_error("the stock of " + id + ": " + Client::Describe(level));
    const int available = json::parse(level.body).value("available", 0);
    if (available >= kStockTarget) continue;
    Answer adjusted = operator_client.Call(
        "POST", "/api/v1/admin/inventory/" + id + "/adjustments",
        json{{"delta", kStockTarget - available}, {"reason", "restock"}, {"note", "storefront-checkout-load"}});
    if (adjusted.status != 201) throw std::runtime_error("restocking " + id + ": " + Client::Describe(adjusted));
  }
  return products;
}

// Registers, signs in and quotes shipping (the cart must hold something to be quoted); returns
// the shipping option every checkout of this shopper names.
std::string SetUpShopper(Client& client, int index, const std::string& first_product) {
  const std::string email = "load-" + std::to_string(::getpid()) + "-" + std::to_string(index) + "-" +
                            std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) +
                            "@example.com";
  Answer registered = client.Call("POST", "/api/v1/auth/register",
                                  json{{"email", email}, {"password", kPassword}, {"name", "Load Shopper"}});
  if (registered.status != 201) throw std::runtime_error("registering " + email + ": " + Client::Describe(registered));
  client.SignIn(email, kPassword);
  Answer added = client.Call("POST", "/api/v1/cart/items", json{{"product_id", first_product}, {"quantity", 1}});
  if (added.status != 200) throw std::runtime_error("adding to the cart: " + Client::Describe(added));
  Answer quotes = client.Call("POST", "/api/v1/shipping/quotes", json{{"address", kAddress}});
  if (quotes.status != 200) throw std::runtime_error("quoting shipping: " + Client::Describe(quotes));
  return json::parse(quotes.body)["options"][0]["id"];
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  auto number = [&](int& i, const std::string& flag, int min) {
    if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
    const int value = std::stoi(argv[++i]);
    if (value < min) throw std::invalid_argument(flag + " must be at least " + std::to_string(min));
    return value;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (flag == "--port") {
      options.port = number(i, flag, 1);
    } else if (flag == "--shoppers") {
      options.shoppers = number(i, flag, 1);
    } else if (flag == "--seconds") {
      options.seconds = number(i, flag, 1);
    } else if (flag == "--warmup") {
      options.warmup = number(i, flag, 0);
    } else if (flag == "--products") {
      options.products = number(i, flag, 2);
    } else if (flag == "--operator-email" && i + 1 < argc) {
      options.operator_email = argv[++i];
    } else if (flag == "--cpu" && i + 1 < argc) {
      const std::string spec = argv[++i];
      const auto equals = spec.find('=');
      if (equals == std::string::npos || equals == 0) throw std::invalid_argument("--cpu wants NAME=PID, not " + spec);
      options.cpu.emplace_back(spec.substr(0, equals), std::stoi(spec.substr(equals + 1)));
    } else {
      throw std::invalid_argument("unknown or incomplete option " + flag);
    }
  }
  if (options.port == 0) throw std::invalid_argument("--port is required");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = ParseOptions(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "storefront-checkout-load: " << e.what() << "\n" << kUsage;
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);

  std::vector<std::string> products;
  try {
    products = PrepareProducts(options);
  } catch (const std::exception& e) {
    std::cerr << "storefront-checkout-load: set-up: " << e.what() << "\n";
    return 2;
  }

  // Every shopper is set up before the clock starts; the main thread is the barrier's last party.
  const auto shoppers = static_cast<std::size_t>(options.shoppers);
  std::vector<Tally> tallies(shoppers);
  std::atomic<int> setup_failures{0};
  std::mutex error_mutex;
  std::string setup_error;
  std::barrier ready(options.shoppers + 1);
  Clock::time_point measure_from;  // written before the second barrier phase, read after it
  Clock::time_point measure_until;
  std::vector<std::thread> threads;
  for (std::size_t index = 0; index < shoppers; ++index) {
    threads.emplace_back([&, index] {
      Client client(options.port);
      std::string option;
      try {
        option = SetUpShopper(client, static_cast<int>(index), products[index % products.size()]);
      } catch (const std::exception& e) {
        ++setup_failures;
        std::lock_guard lock(error_mutex);
        setup_error = e.what();
      }
      ready.arrive_and_wait();  // set-up done
      ready.arrive_and_wait();  // the clock's times are written
      if (setup_failures > 0) return;
      std::mt19937_64 random(std::random_device{}() ^ (index << 32));
      Tally& tally = tallies[index];
      const json checkout_body{{"shipping_address", kAddress},
                               {"shipping_option_id", option},
                               {"payment", {{"card_number", kGoodCard}, {"exp_month", 12}, {"exp_year", 2031}, {"cvc", "123"}}}};
      // Shopper i starts at product i and steps by one: consecutive cycles never share a product,
      // and shoppers at the same moment mostly hold different stock rows.
      for (std::size_t cycle = 0; Clock::now() < measure_until; ++cycle) {
        const std::string& product = products[(index + cycle) % products.size()];
        const auto cycle_start = Clock::now();
        Answer cleared = client.Call("DELETE", "/api/v1/cart");
        Answer added = client.Call("POST", "/api/v1/cart/items", json{{"product_id", product}, {"quantity", 1}});
        const auto checkout_start = Clock::now();
        if (cleared.status != 200 || added.status != 200) {
          // No checkout on a cart in an unknown state: the failure is counted instead.
          if (checkout_start >= measure_from && checkout_start < measure_until) {
            ++tally.cart_failures[(cleared.status != 200 ? "clear " + cleared.Label() : "add " + added.Label())];
          }
          continue;
        }
        Answer placed = client.Call("POST", "/api/v1/checkout", checkout_body, {{"Idempotency-Key", RandomKey(random)}});
        const auto done = Clock::now();
        // Answers that arrived inside the window: completions per second, unbiased by cycles
        // that straddle either edge (the load is the same before and after it).
        if (done < measure_from || done >= measure_until) continue;
        ++tally.checkout_answers[placed.Label()];
        tally.checkout_ms.push_back(Ms(done - checkout_start));
        tally.cycle_ms.push_back(Ms(done - cycle_start));
      }
    });
  }
  ready.arrive_and_wait();
  if (setup_failures > 0) {
    measure_from = measure_until = Clock::now();
    ready.arrive_and_wait();
    for (auto& thread : threads) thread.join();
    std::cerr << "storefront-checkout-load: set-up of " << setup_failures << " shopper(s) failed: " << setup_error
              << "\n";
    return 2;
  }
  measure_from = Clock::now() + std::chrono::seconds(options.warmup);
  measure_until = measure_from + std::chrono::seconds(options.seconds);
  ready.arrive_and_wait();

  std::this_thread::sleep_until(measure_from);
  const auto cpu_before = CpuTicks(options);
  const double own_before = OwnCpuSeconds();
  std::this_thread::sleep_until(measure_until);
  const auto cpu_after = CpuTicks(options);
  const double own_after = OwnCpuSeconds();
  for (auto& thread : threads) thread.join();

  Tally all;
  for (const auto& tally : tallies) {
    for (const auto& [label, count] : tally.checkout_answers) all.checkout_answers[label] += count;
    for (const auto& [label, count] : tally.cart_failures) all.cart_failures[label] += count;
    all.checkout_ms.insert(all.checkout_ms.end(), tally.checkout_ms.begin(), tally.checkout_ms.end());
    all.cycle_ms.insert(all.cycle_ms.end(), tally.cycle_ms.begin(), tally.cycle_ms.end());
  }
  const int placed = all.checkout_answers.count("201") ? all.checkout_answers["201"] : 0;
  const double rate = placed / static_cast<double>(options.seconds);

  std::printf("checkout load: %d shoppers, %d s warm-up, %d s measured, %zu products, gateway 127.0.0.1:%d\n",
              options.shoppers, options.warmup, options.seconds, products.size(), options.port);
  std::printf("checkouts/s           %8.2f  (201 answers in the measured %d s: %d)\n", rate, options.seconds, placed);
  std::printf("checkout answers     ");
  for (const auto& [label, count] : all.checkout_answers) std::printf(" %s: %d,", label.c_str(), count);
  std::printf(" in all %zu\n", all.checkout_ms.size());
  int cart_failures = 0;
  for (const auto& [label, count] : all.cart_failures) cart_failures += count;
  std::printf("cart steps failed     %d", cart_failures);
  for (const auto& [label, count] : all.cart_failures) std::printf(" (%s: %d)", label.c_str(), count);
  std::printf("\n");
  auto latency = [](const char* what, const std::vector<double>& values) {
    std::printf("%-21s p50 %7.1f  p90 %7.1f  p99 %7.1f ms  (n=%zu)\n", what, Percentile(values, 0.50),
                Percentile(values, 0.90), Percentile(values, 0.99), values.size());
  };
  latency("checkout call", all.checkout_ms);
  latency("cycle", all.cycle_ms);
  std::printf("                      (checkout call: POST /api/v1/checkout, every answer; cycle: empty the cart,\n"
              "                      add one product, check out)\n");

  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  double cpu_total = 0;
  std::string breakdown;
  for (std::size_t i = 0; i < options.cpu.size(); ++i) {
    const double seconds = static_cast<double>(cpu_after[i] - cpu_before[i]) / tick;
    cpu_total += seconds;
    char part[96];
    std::snprintf(part, sizeof part, "%s%s %.1f", breakdown.empty() ? "" : ", ", options.cpu[i].first.c_str(), seconds);
    breakdown += part;
  }
  const double cpu_ms_per_checkout = placed > 0 ? cpu_total * 1000 / placed : 0;
  if (!options.cpu.empty()) {
    std::printf("store CPU             %.1f s over the measured %d s (%.2f cores), %.1f ms per checkout\n", cpu_total,
                options.seconds, cpu_total / options.seconds, cpu_ms_per_checkout);
    std::printf("                      by process, s: %s\n", breakdown.c_str());
  }
  std::printf("load driver CPU       %.1f s over the measured %d s\n", own_after - own_before, options.seconds);
  std::printf(
      "figures: checkouts_per_second=%.2f checkouts=%d answered=%zu cart_failures=%d checkout_p50_ms=%.1f "
      "checkout_p90_ms=%.1f checkout_p99_ms=%.1f cycle_p50_ms=%.1f cycle_p90_ms=%.1f cycle_p99_ms=%.1f "
      "cpu_seconds=%.2f cpu_ms_per_checkout=%.2f\n",
      rate, placed, all.checkout_ms.size(), cart_failures, Percentile(all.checkout_ms, 0.50),
      Percentile(all.checkout_ms, 0.90), Percentile(all.checkout_ms, 0.99), Percentile(all.cycle_ms, 0.50),
      Percentile(all.cycle_ms, 0.90), Percentile(all.cycle_ms, 0.99), cpu_total, cpu_ms_per_checkout);
  curl_global_cleanup();
  return placed > 0 ? 0 : 1;
}
