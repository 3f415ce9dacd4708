// librdkafka plumbing shared by the relay, the consumer and their tests: configuration with
// librdkafka's logs routed to storefront::log, and a producer that sends a batch and waits for
// every delivery report. Not part of the library's interface; services use relay.h and
// consumer.h.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "shared/config/service_settings.h"

namespace storefront::events::internal {

using KafkaConfig = std::map<std::string, std::string>;

// A new rd_kafka_conf_t holding `config`, with log and error callbacks that write to
// storefront::log. Throws std::invalid_argument naming a setting librdkafka rejects.
rd_kafka_conf_t* MakeConf(const KafkaConfig& config);

// The settings every client of the store starts from: bootstrap.servers and, when `tls` names a
// certificate, TLS to the broker with that certificate as the client's identity. The broker
// knows the process by the certificate's common name (User:payments) and lets it do what
// kafka_acls.h grants that name (SECURITY.md). Without a certificate: plaintext.
KafkaConfig ClientConfig(const std::string& bootstrap_servers, const config::TlsSettings& tls);

struct OutgoingMessage {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// An rd_kafka_t producer. Not thread-safe: one caller at a time.
class KafkaProducer {
 public:
  explicit KafkaProducer(const KafkaConfig& config);
  // Drops whatever was not delivered yet (a relay publishes those rows again later).
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Produces `messages` in order and waits up to `timeout` for their delivery reports. Returns
  // one code per message: RD_KAFKA_RESP_ERR_NO_ERROR when delivered, otherwise why not
  // (RD_KAFKA_RESP_ERR__IN_PROGRESS: no report in time). Production stops at the first message
  // librdkafka refuses outright; the ones after it report RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS.
  std::vector<rd_kafka_resp_err_t> Deliver(const std::vector<OutgoingMessage>& messages,
                                           std::chrono::milliseconds timeout);

  // Waits up to `timeout` for messages still in flight.
  void Flush(std::chrono::milliseconds timeout);

  // The fatal error raised on this producer (RD_KAFKA_RESP_ERR_NO_ERROR if none), and why.
  rd_kafka_resp_err_t FatalError(std::string* reason = nullptr);

  rd_kafka_t* handle() { return rk_; }

 private:
  rd_kafka_t* rk_ = nullptr;
};

// "Broker transport failure", or the error string of `err`.
std::string ErrorText(rd_kafka_resp_err_t err);

}  // namespace storefront::events::internal
