// The development broker (storefront-dev-broker: librdkafka's mock cluster with the store's
// topics) as a child process, for tests of code that talks to Kafka. A test binary that uses it
// declares add_dependencies(<test> storefront-dev-broker) so the broker is built beside it.
#pragma once

#include <memory>
#include <string>

#include "shared/testing/process.h"

namespace storefront::testing {

class DevBroker {
 public:
  // Starts the broker (its log in a new directory under /tmp named after `name`) and waits up
  // to 30 s for the address it prints.
  explicit DevBroker(const std::string& name = "dev-broker");
  ~DevBroker();
  DevBroker(const DevBroker&) = delete;
  DevBroker& operator=(const DevBroker&) = delete;

  // "127.0.0.1:port,...", or empty when the broker did not start (Log() says why).
  const std::string& bootstrap() const { return bootstrap_; }
  std::string Log() const;
  // SIGUSR1 / SIGUSR2 take every broker of the cluster down / up; each waits (a gtest assertion)
  // until the broker says it acted.
  void Down();
  void Up();

 private:
  void Signal(int signal_number, const std::string& acknowledgement);

  std::string dir_;
  std::string log_;
  std::unique_ptr<Process> process_;
  std::string bootstrap_;
};

}  // namespace storefront::testing
