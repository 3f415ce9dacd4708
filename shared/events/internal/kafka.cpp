#include "shared/events/internal/kafka.h"

#include <memory>
#include <stdexcept>

#include "shared/log/log.h"

namespace storefront::events::internal {
namespace {

// librdkafka levels are syslog's: 0 emergency .. 7 debug. Its level-3 "errors" are mostly a
// broker connection failing, which it retries by itself: a warning, not an error, for us.
void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  nlohmann::json fields = {{"client", rd_kafka_name(rk)}, {"facility", facility}};
  if (level <= 2) log::Error(message, fields);
  else if (level <= 4) log::Warn(message, fields);
  else if (level <= 6) log::Info(message, fields);
  else log::Debug(message, fields);
}

// Errors librdkafka recovers from by itself (a broker away, a timed-out request) arrive here
// too; the fatal ones are acted on by the code that owns the handle.
void OnError(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) {
  log::Warn("kafka error", {{"client", rd_kafka_name(rk)},
                            {"error", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))},
                            {"reason", reason}});
}

// A delivery report lands in the results vector of the Deliver call that produced the message.
// The vector is shared so that a report arriving after that call gave up is harmless.
struct DeliverySlot {
  std::shared_ptr<std::vector<rd_kafka_resp_err_t>> results;
  std::size_t index;
};

void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* /*opaque*/) {
  auto* slot = static_cast<DeliverySlot*>(message->_private);
  if (slot == nullptr) return;
  (*slot->results)[slot->index] = message->err;
  delete slot;
}

}  // namespace

rd_kafka_conf_t* MakeConf(const KafkaConfig& config) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto& [name, value] : config) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::invalid_argument("kafka setting " + name + ": " + errstr);
    }
  }
  rd_kafka_conf_set_log_cb(conf, OnLog);
  rd_kafka_conf_set_error_cb(conf, OnError);
  return conf;
}

KafkaConfig ClientConfig(const std::string& bootstrap_servers, const config::TlsSettings& tls) {
  KafkaConfig config = {{"bootstrap.servers", bootstrap_servers}};
  if (tls.enabled()) {
    config["security.protocol"] = "ssl";
    config["ssl.ca.location"] = tls.ca_file;
    config["ssl.certificate.location"] = tls.cert_file;
    config["ssl.key.location"] = tls.key_file;
    // The broker's certificate must name the host this client dialled (librdkafka 2's default,
    // stated).
    config["ssl.endpoint.identification.algorithm"] = "https";
  }
  return config;
}

std::string ErrorText(rd_kafka_resp_err_t err) { return rd_kafka_err2str(err); }

KafkaProducer::KafkaProducer(const KafkaConfig& config) {
  KafkaConfig settings = config;
  // Keys go to partitions as the Java client puts them (murmur2; a null key to a random one), not
  // librdkafka's default CRC32: a producer in another language sends an aggregate's events to
  // the same partition, so they stay in order.
  settings.emplace("partitioner", "murmur2_random");
  rd_kafka_conf_t* conf = MakeConf(settings);
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  char errstr[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk_ == nullptr) {  // rd_kafka_new takes conf only on success
    rd_kafka_conf_destroy(conf);
    throw std::invalid_argument(std::string("cannot create a kafka producer: ") + errstr);
  }
}

KafkaProducer::~KafkaProducer() {
  // Purged messages still get their delivery reports; serving them frees their slots.
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(rk_, 1000);
  rd_kafka_destroy(rk_);
}

std::vector<rd_kafka_resp_err_t> KafkaProducer::Deliver(const std::vector<OutgoingMessage>& messages,
                                                        std::chrono::milliseconds timeout) {
  auto results = std::make_shared<std::vector<rd_kafka_resp_err_t>>(messages.size(),
                                                                     RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const OutgoingMessage& message = messages[i];
    rd_kafka_headers_t* headers = rd_kafka_headers_new(message.headers.size());
    for (const auto& [name, value] : message.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    auto* slot = new DeliverySlot{results, i};
    (*results)[i] = RD_KAFKA_RESP_ERR__IN_PROGRESS;
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(message.topic.c_str()),
        RD_KAFKA_V_KEY(message.key.data(), message.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(message.value.data()), message.value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(slot),
        RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {  // on failure nothing was taken over
      delete slot;
      rd_kafka_headers_destroy(headers);
      (*results)[i] = err;
      break;
    }
  }
  rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
  return *results;
}

void KafkaProducer::Flush(std::chrono::milliseconds timeout) {
  rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
}

rd_kafka_resp_err_t KafkaProducer::FatalError(std::string* reason) {
  char errstr[512] = "";
  const rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk_, errstr, sizeof errstr);
  if (reason != nullptr) *reason = errstr;
  return err;
}

}  // namespace storefront::events::internal
