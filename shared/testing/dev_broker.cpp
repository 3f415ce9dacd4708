#include "shared/testing/dev_broker.h"

#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace storefront::testing {
namespace {

constexpr auto kCap = std::chrono::seconds(30);

template <typename Condition>
bool Eventually(Condition done) {
  const auto deadline = std::chrono::steady_clock::now() + kCap;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

int Occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

DevBroker::DevBroker(const std::string& name) : dir_(MakeTempDir(name)), log_(dir_ + "/broker.log") {
  ProcessOptions options;
  options.argv = {BinDir() + "/storefront-dev-broker", "--topics-file",
                  std::string(STOREFRONT_SOURCE_DIR) + "/infra/kafka/topics.txt"};
  options.log_path = log_;
  process_ = std::make_unique<Process>(options);
  const std::string prefix = "bootstrap.servers=";
  Eventually([&] {
    const std::string text = ReadFile(log_);
    const auto at = text.find(prefix);
    const auto end = at == std::string::npos ? at : text.find('\n', at);
    if (end == std::string::npos) return !process_->Running();
    bootstrap_ = text.substr(at + prefix.size(), end - at - prefix.size());
    return true;
  });
}

DevBroker::~DevBroker() {
  process_->Stop(SIGTERM);
  RemoveTree(dir_);
}

std::string DevBroker::Log() const { return ReadFile(log_); }

void DevBroker::Down() { Signal(SIGUSR1, "all brokers down"); }

void DevBroker::Up() { Signal(SIGUSR2, "all brokers up"); }

// Signals, then waits for the broker to say it acted on it.
void DevBroker::Signal(int signal_number, const std::string& acknowledgement) {
  const int before = Occurrences(ReadFile(log_), acknowledgement);
  ::kill(process_->pid(), signal_number);
  ASSERT_TRUE(Eventually([&] { return Occurrences(ReadFile(log_), acknowledgement) > before; }))
      << "the dev broker did not say \"" << acknowledgement << "\":\n"
      << ReadFile(log_);
}

}  // namespace storefront::testing
