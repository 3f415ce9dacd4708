#include "shared/metrics/metrics.h"

#include <dirent.h>
#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace storefront::metrics {
namespace {

std::shared_ptr<prometheus::Registry>& SharedRegistry() {
  static auto registry = std::make_shared<prometheus::Registry>();
  return registry;
}

struct Hooks {
  std::mutex mutex;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, std::function<void()>> refresh;
};

Hooks& ScrapeHooks() {
  static Hooks hooks;
  return hooks;
}

void RunScrapeHooks() {
  auto& hooks = ScrapeHooks();
  std::lock_guard lock(hooks.mutex);
  for (auto& [id, refresh] : hooks.refresh) refresh();
}

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type, double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) metric.counter.value = value;
  else metric.gauge.value = value;
  return {std::move(name), std::move(help), type, {metric}};
}

// The figures every Prometheus client library reports about its process (process_*), read from
// /proc/self at each scrape.
std::vector<prometheus::MetricFamily> ProcessFigures() {
  std::vector<prometheus::MetricFamily> families;
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may contain spaces.
  auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> field{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
    // man 5 proc: utime is field 14, stime 15, starttime 22, vsize 23, rss 24; field[0] is field 3.
    if (field.size() > 21) {
      double cpu = (std::stod(field[11]) + std::stod(field[12])) / ticks;
      families.push_back(Family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                                prometheus::MetricType::Counter, cpu));
      families.push_back(Family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                                prometheus::MetricType::Gauge, std::stod(field[20])));
      families.push_back(Family("process_resident_memory_bytes", "Resident memory size in bytes.",
                                prometheus::MetricType::Gauge, std::stod(field[21]) * page));
      static const double boot_time = [] {
        std::ifstream proc_stat("/proc/stat");
        std::string key;
        double value = 0;
        while (proc_stat >> key) {
          if (key == "btime" && proc_stat >> value) return value;
        }
        return 0.0;
      }();
      families.push_back(Family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                                prometheus::MetricType::Gauge, boot_time + std::stod(field[19]) / ticks));
    }
  }
  double open_fds = 0;
  if (DIR* fds = opendir("/proc/self/fd")) {
    while (readdir(fds) != nullptr) ++open_fds;
    closedir(fds);
    open_fds -= 3;  // ".", ".." and the directory's own descriptor
  }
  families.push_back(Family("process_open_fds", "Number of open file descriptors.", prometheus::MetricType::Gauge, open_fds));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    families.push_back(Family("process_max_fds", "Maximum number of open file descriptors.",
                              prometheus::MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
  }
  return families;
}

// What a scrape collects: hooks first, then the registry and the process's figures.
class Everything : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    RunScrapeHooks();
    auto families = SharedRegistry()->Collect();
    auto process = ProcessFigures();
    families.insert(families.end(), std::make_move_iterator(process.begin()), std::make_move_iterator(process.end()));
    return families;
  }
};

}  // namespace

prometheus::Registry& Registry() { return *SharedRegistry(); }

prometheus::Family<prometheus::Counter>& Counters(const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(Registry());
}

prometheus::Family<prometheus::Gauge>& Gauges(const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(Registry());
}

prometheus::Family<prometheus::Histogram>& Histograms(const std::string& name, const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(Registry());
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                  0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return buckets;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ScrapeHook::ScrapeHook(std::function<void()> refresh) {
  auto& hooks = ScrapeHooks();
  std::lock_guard lock(hooks.mutex);
  id_ = hooks.next_id++;
  hooks.refresh.emplace(id_, std::move(refresh));
}

ScrapeHook::~ScrapeHook() {
  auto& hooks = ScrapeHooks();
  std::lock_guard lock(hooks.mutex);
  hooks.refresh.erase(id_);
}

std::string Text() {
  Everything everything;
  return prometheus::TextSerializer().Serialize(everything.Collect());
}

Endpoint::Endpoint(const std::string& address) : collectable_(std::make_shared<Everything>()) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    throw std::runtime_error("metrics endpoint could not listen on " + address + ": " + e.what());
  }
  exposer_->RegisterCollectable(collectable_);
  auto ports = exposer_->GetListeningPorts();
  if (ports.empty()) throw std::runtime_error("metrics endpoint could not listen on " + address);
  port_ = ports.front();
}

Endpoint::~Endpoint() = default;

}  // namespace storefront::metrics
