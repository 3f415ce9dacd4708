// storefront-dev-broker: a Kafka stand-in for machines without Java (STOREFRONT_KAFKA=dev).
//
// It hosts librdkafka's mock cluster, which speaks enough of the Kafka protocol for producers
// (including idempotent ones), consumer groups and offset commits, so the services use their real
// Kafka client code against it without a JVM. Clients find it through the one line it prints:
//
//   bootstrap.servers=127.0.0.1:PORT[,...]
//
// SIGINT or SIGTERM stops it. The mock cluster is in memory only: a restart starts empty. The
// tests use Apache Kafka (shared/testing/kafka_broker.h), and so does the local stack by default.

#include <pthread.h>
#include <signal.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

// Signal handlers only set flags; the main loop does the work, because librdkafka calls are not
// async-signal-safe.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void OnSignal(int) { stop_requested = true; }

constexpr int kHandledSignals[] = {SIGINT, SIGTERM};

void InstallSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  for (int signal_number : kHandledSignals) sigaction(signal_number, &action, nullptr);
}

// librdkafka's threads inherit the signal mask of the thread that creates them. Blocking our
// signals around their creation leaves the main thread as the only one that sees them.
void SetSignalsBlocked(bool blocked) {
  sigset_t set;
  sigemptyset(&set);
  for (int signal_number : kHandledSignals) sigaddset(&set, signal_number);
  pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nullptr);
}

// One topic name per line; blank lines and everything after '#' are ignored.
std::vector<std::string> ReadTopicsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read topics file " + path);
  std::vector<std::string> topics;
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    topics.push_back(line.substr(first, last - first + 1));
  }
  return topics;
}

struct Options {
  int brokers = 1;
  int partitions = 3;
  std::vector<std::string> topics;  // from --topic and --topics-file
};

int Run(const Options& options) {
  SetSignalsBlocked(true);
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The host client never connects anywhere; quiet its "no bootstrap.servers" notice.
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    std::cerr << "dev-broker: " << errstr << '\n';
    rd_kafka_conf_destroy(conf);
    return 1;
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {  // rd_kafka_new frees conf only on success
    std::cerr << "dev-broker: cannot create the host client: " << errstr << '\n';
    rd_kafka_conf_destroy(conf);
    return 1;
  }

  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, options.brokers);
  SetSignalsBlocked(false);
  if (cluster == nullptr) {
    std::cerr << "dev-broker: cannot create the mock cluster\n";
    rd_kafka_destroy(rk);
    return 1;
  }

  int exit_code = 0;
  for (const auto& topic : options.topics) {
    const int replication = options.brokers;  // every broker holds every partition
    if (const auto err =
            rd_kafka_mock_topic_create(cluster, topic.c_str(), options.partitions, replication)) {
      std::cerr << "dev-broker: cannot create topic " << topic << ": " << rd_kafka_err2str(err)
                << '\n';
      exit_code = 1;
      break;
    }
    std::cerr << "dev-broker: topic " << topic << " (" << options.partitions << " partitions)\n";
  }

  if (exit_code == 0) {
    // The one line on stdout: scripts and tests read it to learn where the cluster listens.
    std::printf("bootstrap.servers=%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    std::fflush(stdout);

    while (!stop_requested) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::cerr << "dev-broker: stopping" << std::endl;
  }

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string topics_file;
  CLI::App app{"Development Kafka broker on librdkafka's in-memory mock cluster"};
  app.add_option("--brokers", options.brokers, "Number of brokers")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  app.add_option("--partitions", options.partitions, "Partitions per topic")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--topic", options.topics, "Topic to create (repeatable)");
  app.add_option("--topics-file", topics_file,
                 "File with one topic per line ('#' starts a comment)")
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);

  if (!topics_file.empty()) {
    try {
      for (auto& topic : ReadTopicsFile(topics_file)) options.topics.push_back(std::move(topic));
    } catch (const std::exception& e) {
      std::cerr << "dev-broker: " << e.what() << '\n';
      return 1;
    }
  }

  // Install the handlers before the cluster exists so an early SIGTERM still stops us cleanly.
  InstallSignalHandlers();
  return Run(options);
}
