#include "shared/testing/kafka_broker.h"

#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "shared/events/topics.h"

namespace storefront::testing {
namespace {

int Occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string KafkaLibs() {
  const char* libs = std::getenv("KAFKA_LIBS");
  return libs != nullptr && *libs != '\0' ? libs : std::string(STOREFRONT_SOURCE_DIR) + "/.cache/kafka/libs";
}

}  // namespace

KafkaBroker::KafkaBroker(const std::string& name, std::string tls_dir)
    : dir_(MakeTempDir(name)), tls_dir_(std::move(tls_dir)), log_(dir_ + "/broker.log"), port_(FreePort()), controller_port_(FreePort()) {
  while (controller_port_ == port_) controller_port_ = FreePort();
  Start();
  if (bootstrap_.empty()) return;
  // The store's topics (events_unit_test keeps kTopics and infra/kafka/topics.txt the same).
  for (const auto& topic : events::kTopics) CreateTopic(std::string(topic.name));
}

KafkaBroker::~KafkaBroker() {
  if (process_) {
    ::kill(process_->pid(), SIGCONT);  // a frozen JVM cannot act on SIGTERM
    process_->Stop(SIGTERM, std::chrono::seconds(20));
  }
  RemoveTree(dir_);
}

std::string KafkaBroker::Log() const { return ReadFile(log_); }

void KafkaBroker::Start() {
  const int before = Occurrences(ReadFile(log_), "Kafka Server started");
  ProcessOptions options;
  options.argv = {std::string(STOREFRONT_SOURCE_DIR) + "/infra/kafka/bin/kafka-single-node", dir_ + "/node",
                  std::to_string(port_), std::to_string(controller_port_)};
  options.env = {{"KAFKA_LIBS", KafkaLibs()}, {"KAFKA_HEAP_OPTS", "-Xms256m -Xmx256m"}};
  if (!tls_dir_.empty()) options.env["KAFKA_TLS_DIR"] = tls_dir_;
  options.log_path = log_;
  process_ = std::make_unique<Process>(options);
  ++starts_;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && process_->Running()) {
    if (Occurrences(ReadFile(log_), "Kafka Server started") > before) {
      bootstrap_ = "127.0.0.1:" + std::to_string(port_);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bootstrap_.clear();
  ADD_FAILURE() << "Apache Kafka did not start (KAFKA_LIBS=" << KafkaLibs()
                << "; infra/local/test fetches the jars):\n"
                << Log();
}

void KafkaBroker::CreateTopic(const std::string& topic, int partitions) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), errstr, sizeof errstr);
  if (!tls_dir_.empty()) {  // as the broker itself, its super user
    rd_kafka_conf_set(conf, "security.protocol", "ssl", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "ssl.ca.location", (tls_dir_ + "/ca.crt").c_str(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "ssl.certificate.location", (tls_dir_ + "/kafka.crt").c_str(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "ssl.key.location", (tls_dir_ + "/kafka.key").c_str(), errstr, sizeof errstr);
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  ASSERT_NE(rk, nullptr) << errstr;
  rd_kafka_NewTopic_t* new_topic = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, errstr, sizeof errstr);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &new_topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
  std::string error = event == nullptr ? "no answer within 30 s" : "";
  if (event != nullptr) {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = rd_kafka_event_error_string(event);
    } else if (count == 1 && rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR &&
               rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      error = rd_kafka_topic_result_error_string(results[0]);
    }
    rd_kafka_event_destroy(event);
  }
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  // Created is not yet served: wait until the broker reports a leader for every partition. Kafka
  // 3.7.0 was seen refusing to start again (LogManager.findStrayReplicas: "Error starting
  // LogManager") after a SIGKILL that came right after a topic's creation, as a test killing the
  // broker just after its set-up would otherwise meet now and then.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool served = false;
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  while (error.empty() && !served && std::chrono::steady_clock::now() < deadline) {
    const rd_kafka_metadata_t* metadata = nullptr;
    if (rd_kafka_metadata(rk, 0, handle, &metadata, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      served = metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
               metadata->topics[0].partition_cnt == partitions;
      for (int p = 0; served && p < metadata->topics[0].partition_cnt; ++p) {
        served = metadata->topics[0].partitions[p].leader >= 0;
      }
      rd_kafka_metadata_destroy(metadata);
    }
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  rd_kafka_topic_destroy(handle);
  rd_kafka_destroy(rk);
  EXPECT_EQ(error, "") << "creating topic " << topic;
  if (error.empty()) EXPECT_TRUE(served) << "topic " << topic << " has no leader after 30 s";
}

void KafkaBroker::Freeze() { ::kill(process_->pid(), SIGSTOP); }

void KafkaBroker::Thaw() { ::kill(process_->pid(), SIGCONT); }

void KafkaBroker::Kill() {
  ::kill(process_->pid(), SIGCONT);
  process_->Stop(SIGKILL);
}

void KafkaBroker::Restart() {
  if (process_ && process_->Running()) {
    ::kill(process_->pid(), SIGCONT);
    process_->Stop(SIGTERM, std::chrono::seconds(20));
  }
  Start();
}

}  // namespace storefront::testing
