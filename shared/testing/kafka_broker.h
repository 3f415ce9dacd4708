// A real Apache Kafka node (KRaft, controller and broker in one JVM, infra/kafka/bin/
// kafka-single-node) as a child process, for integration tests of code that talks to Kafka.
// Its jars come from infra/local/lib.sh's ensure_kafka (infra/local/test runs it before the
// build): <source>/.cache/kafka/libs, or KAFKA_LIBS. Start-up takes a JVM's few seconds, so a test
// binary shares one broker between its tests (SetUpTestSuite) and gives each test topics and
// consumer groups of its own.
#pragma once

#include <memory>
#include <string>

#include "shared/testing/process.h"

namespace storefront::testing {

class KafkaBroker {
 public:
  // Starts the node on free loopback ports with a log folder under /tmp named after `name`,
  // waits up to 120 s for it to serve, then creates the store's topics (events::kTopics, the
  // same as infra/kafka/topics.txt).
  // `tls_dir`, a folder of infra/tls/make-certs with a certificate for "kafka" that names
  // 127.0.0.1 and localhost: the broker as the store runs it, mutual TLS and ACLs
  // (kafka-single-node's KAFKA_TLS_DIR), set up here as User:kafka, its super user. Empty:
  // plaintext, no ACLs.
  explicit KafkaBroker(const std::string& name = "kafka", std::string tls_dir = "");
  ~KafkaBroker();
  KafkaBroker(const KafkaBroker&) = delete;
  KafkaBroker& operator=(const KafkaBroker&) = delete;

  // "127.0.0.1:port", or empty when the broker did not start (Log() says why).
  const std::string& bootstrap() const { return bootstrap_; }
  std::string Log() const;

  // Creates `topic` (3 partitions, like every topic of topics.txt) unless it exists; a gtest
  // assertion fails when it cannot.
  void CreateTopic(const std::string& topic, int partitions = 3);

  // Faults. Freeze: SIGSTOP, connections stay open and nothing answers (a stalled JVM, a cut-off
  // network). Thaw: SIGCONT. Kill: SIGKILL, no clean shutdown. Restart: starts it again on the
  // same ports and log folder and waits until it serves (after Kill, or at any time).
  void Freeze();
  void Thaw();
  void Kill();
  void Restart();

 private:
  void Start();

  std::string dir_;
  std::string tls_dir_;
  std::string log_;
  int port_ = 0;
  int controller_port_ = 0;
  int starts_ = 0;
  std::unique_ptr<Process> process_;
  std::string bootstrap_;
};

}  // namespace storefront::testing
