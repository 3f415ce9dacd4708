#include "shared/testing/kafka_broker.h"

#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

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

// The topic names of infra/kafka/topics.txt ('#' starts a comment).
std::vector<std::string> StoreTopics() {
  std::vector<std::string> topics;
  std::ifstream file(std::string(STOREFRONT_SOURCE_DIR) + "/infra/kafka/topics.txt");
  for (std::string line; std::getline(file, line);) {
    line = line.substr(0, line.find('#'));
    std::string name;
    for (char c : line) {
      if (!std::isspace(static_cast<unsigned char>(c))) name += c;
    }
    if (!name.empty()) topics.push_back(name);
  }
  return topics;
}

}  // namespace

KafkaBroker::KafkaBroker(const std::string& name)
    : dir_(MakeTempDir(name)), log_(dir_ + "/broker.log"), port_(FreePort()), controller_port_(FreePort()) {
  while (controller_port_ == port_) controller_port_ = FreePort();
  Start();
  if (bootstrap_.empty()) return;
  for (const auto& topic : StoreTopics()) CreateTopic(topic);
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
  rd_kafka_destroy(rk);
  EXPECT_EQ(error, "") << "creating topic " << topic;
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
