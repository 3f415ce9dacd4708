// The local stack (infra/local/stack) started by a test: PostgreSQL, Apache Kafka (or the
// development broker), every service and the gateway (and, when asked for, Prometheus and the
// Zipkin server), on free loopback ports and a private state directory, stopped (Ctrl-C
// semantics) by the test that started it.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "shared/rpc/tls.h"
#include "shared/testing/process.h"

namespace storefront::e2e {

class LocalStack {
 public:
  // Uses `state_dir` when given (to test a second run), else a fresh temporary one. `env`
  // reaches the stack script and, through it, every process it starts.
  explicit LocalStack(std::string state_dir = "", std::map<std::string, std::string> env = {});
  ~LocalStack();

  int gateway_port() const { return gateway_port_; }
  // Where Prometheus and the Zipkin server listen, when the test asked for them
  // (STOREFRONT_PROMETHEUS=on, STOREFRONT_ZIPKIN=on; both off by default).
  int prometheus_port() const { return prometheus_port_; }
  int zipkin_port() const { return zipkin_port_; }
  // The gRPC port of a service (catalog, cart, checkout, payments, inventory, shipping).
  int port(const std::string& service) const { return ports_.at(service); }
  const std::string& state_dir() const { return state_dir_; }
  // Where the stack's Kafka listens ("127.0.0.1:port"), from its run/stack.env.
  std::string kafka_bootstrap() const { return Setting("run/stack.env", "KAFKA_BOOTSTRAP_SERVERS"); }
  // librdkafka settings that reach the stack's Kafka as the process `as`: bootstrap.servers and,
  // with Apache Kafka (mutual TLS and ACLs), TLS with that process's certificate ("kafka" is the
  // broker's super user).
  std::map<std::string, std::string> KafkaClient(const std::string& as) const;
  // Kafka's Java tools as the broker's super user: --command-config / --consumer.config with
  // this file; empty with the development broker.
  std::string kafka_admin_config() const { return Setting("run/stack.env", "STOREFRONT_KAFKA_ADMIN_CONFIG"); }
  // PostgreSQL's "postgresql://127.0.0.1:port/storefront", from its run/stack.env.
  std::string postgres_dsn() const { return Setting("run/stack.env", "STOREFRONT_PG_DSN"); }
  // A generated secret ("INVENTORY_DB_PASSWORD", ...), from its secrets.env.
  std::string Secret(const std::string& key) const { return Setting("secrets.env", key); }
  // The stack's TLS identity `name` (gateway, catalog, ...): a test calls a service as that
  // process would, with its certificate from the stack's CA (tls/ in the state folder).
  std::shared_ptr<const rpc::Tls> Identity(const std::string& name) const;
  // A channel to `service` (its first replica) calling as the process `as`.
  std::shared_ptr<grpc::Channel> Channel(const std::string& service, const std::string& as) const;
  // pid of a component from its pid file (gateway, catalog, postgres, broker).
  int Pid(const std::string& name) const;
  std::string Log(const std::string& name) const;
  // Sends SIGTERM to the stack script, waits for it, returns its exit status.
  int Stop();
  // Leaves the state directory on disk (for a second run) instead of removing it.
  void KeepState() { keep_state_ = true; }

 private:
  // The value of `key` in a KEY=value file of the state folder, or "".
  std::string Setting(const std::string& file, const std::string& key) const;

  std::string state_dir_;
  bool keep_state_ = false;
  int gateway_port_ = 0;
  int prometheus_port_ = 0;
  int zipkin_port_ = 0;
  std::map<std::string, int> ports_;
  std::unique_ptr<testing::Process> script_;
};

}  // namespace storefront::e2e
