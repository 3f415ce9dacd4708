#include "e2e/local_stack.h"

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include "shared/rpc/client.h"

namespace storefront::e2e {

using storefront::testing::FreePort;

LocalStack::LocalStack(std::string state_dir, std::map<std::string, std::string> env)
    : state_dir_(std::move(state_dir)) {
  if (state_dir_.empty()) state_dir_ = testing::MakeTempDir("storefront-e2e");
  gateway_port_ = FreePort();
  const std::string build_dir = std::filesystem::path(testing::BinDir()).parent_path().string();
  testing::ProcessOptions options;
  options.argv = {"/bin/bash", std::string(STOREFRONT_SOURCE_DIR) + "/infra/local/stack"};
  options.env = {{"STOREFRONT_BUILD_DIR", build_dir},
                 {"STOREFRONT_STATE_DIR", state_dir_},
                 {"STOREFRONT_PG_PORT", std::to_string(FreePort())},
                 {"STOREFRONT_GATEWAY_PORT", std::to_string(gateway_port_)},
                 {"STOREFRONT_KAFKA_PORT", std::to_string(FreePort())},
                 {"STOREFRONT_KAFKA_CONTROLLER_PORT", std::to_string(FreePort())},
                 {"STOREFRONT_LOG_LEVEL", "info"},
                 // Every request of a suite comes from 127.0.0.1: rate limits none reaches (the
                 // gateway's own tests check them), reaching the gateway through the stack.
                 {"RATE_LIMIT_GENERAL_QUOTA", "1000000"},
                 {"RATE_LIMIT_REGISTER_QUOTA", "1000000"},
                 {"RATE_LIMIT_LOGIN_QUOTA", "1000000"},
                 {"RATE_LIMIT_CHECKOUT_QUOTA", "1000000"},
                 {"RATE_LIMIT_GENERAL_WINDOW_SECONDS", "1"},
                 {"RATE_LIMIT_REGISTER_WINDOW_SECONDS", "1"},
                 {"RATE_LIMIT_LOGIN_WINDOW_SECONDS", "1"},
                 {"RATE_LIMIT_CHECKOUT_WINDOW_SECONDS", "1"},
                 {"LOGIN_FAILURES_PER_PAIR", "1000"},
                 {"LOGIN_FAILURES_PER_EMAIL", "1000000"},
                 {"LOGIN_FAILURES_PER_ADDRESS", "1000000"},
                 {"LOGIN_FAILURE_WINDOW_SECONDS", "1"}};
  // Tracing and Prometheus cost a JVM and a server each: a suite asks for them (observability
  // tests), the rest run without. Every process serves /metrics, on a free port of its own (replicas
  // included), so stacks never collide with each other or with one a developer runs.
  options.env["STOREFRONT_ZIPKIN"] = "off";
  options.env["STOREFRONT_PROMETHEUS"] = "off";
  prometheus_port_ = FreePort();
  zipkin_port_ = FreePort();
  options.env["STOREFRONT_PROMETHEUS_PORT"] = std::to_string(prometheus_port_);
  options.env["STOREFRONT_ZIPKIN_PORT"] = std::to_string(zipkin_port_);
  options.env["STOREFRONT_GATEWAY_METRICS_PORT"] = std::to_string(FreePort());
  for (const char* service : {"catalog", "cart", "checkout", "payments", "inventory", "shipping"}) {
    ports_[service] = FreePort();
    std::string upper = service;
    for (auto& c : upper) c = static_cast<char>(std::toupper(c));
    options.env["STOREFRONT_" + upper + "_PORT"] = std::to_string(ports_[service]);
    options.env["STOREFRONT_" + upper + "_METRICS_PORT"] = std::to_string(FreePort());
    for (int replica = 2; replica <= 4; ++replica) {
      options.env["STOREFRONT_" + upper + "_METRICS_PORT_" + std::to_string(replica)] = std::to_string(FreePort());
    }
  }
  for (auto& [key, value] : env) options.env[key] = value;
  options.log_path = state_dir_ + "/stack-output.log";
  std::filesystem::remove(options.log_path);  // a second run must not see the first one's "ready"
  script_ = std::make_unique<testing::Process>(options);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (std::chrono::steady_clock::now() < deadline) {
    if (testing::ReadFile(options.log_path).find("storefront: ready") != std::string::npos) return;
    if (!script_->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string output = testing::ReadFile(options.log_path);
  script_->Stop(SIGTERM);
  throw std::runtime_error("the local stack did not become ready:\n" + output);
}

LocalStack::~LocalStack() {
  Stop();
  if (!keep_state_) testing::RemoveTree(state_dir_);
}

int LocalStack::Stop() {
  if (!script_) return 0;
  int status = script_->Stop(SIGTERM, std::chrono::seconds(60));
  script_.reset();
  return status;
}

std::shared_ptr<const rpc::Tls> LocalStack::Identity(const std::string& name) const {
  const std::string dir = state_dir_ + "/tls/";
  return rpc::Tls::Load({.ca_file = dir + "ca.crt", .cert_file = dir + name + ".crt", .key_file = dir + name + ".key"});
}

std::map<std::string, std::string> LocalStack::KafkaClient(const std::string& as) const {
  std::map<std::string, std::string> settings = {{"bootstrap.servers", kafka_bootstrap()}};
  if (Setting("run/stack.env", "KAFKA_SECURITY_PROTOCOL") == "ssl") {
    const std::string dir = state_dir_ + "/tls/";
    settings["security.protocol"] = "ssl";
    settings["ssl.ca.location"] = dir + "ca.crt";
    settings["ssl.certificate.location"] = dir + as + ".crt";
    settings["ssl.key.location"] = dir + as + ".key";
  }
  return settings;
}

std::shared_ptr<grpc::Channel> LocalStack::Channel(const std::string& service, const std::string& as) const {
  return rpc::MakeChannel("127.0.0.1:" + std::to_string(port(service)), {}, {Identity(as), service});
}

int LocalStack::Pid(const std::string& name) const {
  std::string text = testing::ReadFile(state_dir_ + "/run/" + name + ".pid");
  return text.empty() ? -1 : std::stoi(text);
}

std::string LocalStack::Setting(const std::string& file, const std::string& key) const {
  const std::string text = testing::ReadFile(state_dir_ + "/" + file);
  const std::string prefix = key + "=";
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, prefix.size(), prefix) == 0) return text.substr(at + prefix.size(), end - at - prefix.size());
    at = end + 1;
  }
  return "";
}

std::string LocalStack::Log(const std::string& name) const {
  return testing::ReadFile(state_dir_ + "/logs/" + name + ".log");
}

}  // namespace storefront::e2e
