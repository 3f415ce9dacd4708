#include "observability/prometheus_client.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <mutex>

namespace storefront::gateway::observability {
namespace {

using nlohmann::json;

// Prometheus' error strings can be long (a whole PromQL parse error); the operator gets the start.
std::string Clip(std::string text, std::size_t max = 300) {
  if (text.size() > max) text = text.substr(0, max) + "...";
  return text;
}

// A sample value as Prometheus writes it (Go's strconv.FormatFloat): a decimal, or NaN / +Inf /
// -Inf, which have no JSON form and become empty.
std::optional<double> ParseValue(const std::string& text, bool& ok) {
  ok = true;
  if (text == "NaN" || text == "+Inf" || text == "-Inf" || text == "Inf") return std::nullopt;
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  ok = !text.empty() && error == std::errc() && end == text.data() + text.size() && std::isfinite(value);
  return value;
}

Sample ParseSample(const json& series, std::size_t index) {
  const std::string where = "result[" + std::to_string(index) + "]";
  if (!series.is_object()) throw PrometheusError(where + " is not an object");
  auto metric = series.find("metric");
  if (metric == series.end() || !metric->is_object()) throw PrometheusError(where + ".metric is not an object");
  Sample sample;
  for (const auto& [name, value] : metric->items()) {
    if (!value.is_string()) throw PrometheusError(where + ".metric." + name + " is not a string");
    sample.labels[name] = value.get<std::string>();
  }
  auto pair = series.find("value");
  if (pair == series.end() || !pair->is_array() || pair->size() != 2 || !(*pair)[0].is_number() ||
      !(*pair)[1].is_string()) {
    throw PrometheusError(where + ".value is not a [time, \"value\"] pair");
  }
  bool ok = false;
  sample.value = ParseValue((*pair)[1].get<std::string>(), ok);
  if (!ok) throw PrometheusError(where + ".value is not a number: " + Clip((*pair)[1].get<std::string>(), 40));
  return sample;
}

// Prometheus' own words from an error answer ({"status": "error", "errorType", "error"}), or "".
std::string ErrorOf(const std::string& body) {
  auto answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return "";
  auto text = [&answer](const char* key) {
    auto it = answer.find(key);
    return it != answer.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string type = text("errorType");
  std::string error = text("error");
  if (type.empty()) return Clip(error);
  return Clip(error.empty() ? type : type + ": " + error);
}

void GlobalInit() {
  // Once per process, before the first handle: curl_global_init is not safe to race.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  CURL* easy = nullptr;
  std::string url;
  std::string body;
  bool too_large = false;
  bool done = false;
  CURLcode result = CURLE_OK;
  char error[CURL_ERROR_SIZE] = {};
};

std::size_t Collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer->body.size() + bytes > kMaxAnswerBytes) {
    transfer->too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  transfer->body.append(data, bytes);
  return bytes;
}

// Every easy handle of one Query call, cleaned up however the call ends.
struct Transfers {
  CURLM* multi = curl_multi_init();
  std::vector<std::unique_ptr<Transfer>> all;
  ~Transfers() {
    for (auto& transfer : all) {
      if (!transfer->easy) continue;
      curl_multi_remove_handle(multi, transfer->easy);
      curl_easy_cleanup(transfer->easy);
    }
    if (multi) curl_multi_cleanup(multi);
  }
};

}  // namespace

Vector ParseVector(std::string_view body) {
  auto answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) throw PrometheusError("the answer is not JSON");
  if (!answer.is_object()) throw PrometheusError("the answer is not a JSON object");
  auto status = answer.find("status");
  if (status == answer.end() || !status->is_string()) throw PrometheusError("the answer has no status");
  if (*status != "success") {
    std::string error = ErrorOf(std::string(body));
    throw PrometheusError("the query failed" + (error.empty() ? std::string() : ": " + error));
  }
  auto data = answer.find("data");
  if (data == answer.end() || !data->is_object()) throw PrometheusError("the answer has no data object");
  auto type = data->find("resultType");
  if (type == data->end() || *type != "vector") throw PrometheusError("the result is not an instant vector");
  auto result = data->find("result");
  if (result == data->end() || !result->is_array()) throw PrometheusError("the result is not an array");
  if (result->size() > kMaxSeries) {
    throw PrometheusError("the result has " + std::to_string(result->size()) + " series, more than " +
                          std::to_string(kMaxSeries));
  }
  Vector vector;
  vector.reserve(result->size());
  for (std::size_t i = 0; i < result->size(); ++i) vector.push_back(ParseSample((*result)[i], i));
  return vector;
}

PrometheusClient::PrometheusClient(std::string base_url, std::chrono::milliseconds timeout)
    : base_url_(std::move(base_url)), timeout_(timeout) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  GlobalInit();
}

std::vector<Vector> PrometheusClient::Query(const std::vector<std::string>& queries) const {
  const std::string where = "Prometheus at " + base_url_;
  Transfers transfers;
  if (!transfers.multi) throw PrometheusError(where + ": could not start an HTTP client");
  const long timeout_ms = static_cast<long>(timeout_.count());
  for (const auto& query : queries) {
    auto transfer = std::make_unique<Transfer>();
    transfer->easy = curl_easy_init();
    if (!transfer->easy) throw PrometheusError(where + ": could not start an HTTP client");
    char* escaped = curl_easy_escape(transfer->easy, query.data(), static_cast<int>(query.size()));
    if (!escaped) throw PrometheusError(where + ": could not encode a query");
    transfer->url = base_url_ + "/api/v1/query?query=" + escaped;
    curl_free(escaped);
    CURL* easy = transfer->easy;
    curl_easy_setopt(easy, CURLOPT_URL, transfer->url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // several threads; no SIGALRM for timeouts
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "storefront-gateway");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
    curl_multi_add_handle(transfers.multi, easy);
    transfers.all.push_back(std::move(transfer));
  }

  // Each transfer gives up at the timeout on its own; the loop's deadline is the same bound once
  // more, so the call never outlasts it whatever a transfer does.
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  int running = 0;
  do {
    if (curl_multi_perform(transfers.multi, &running) != CURLM_OK) break;
    CURLMsg* message = nullptr;
    int left = 0;
    while ((message = curl_multi_info_read(transfers.multi, &left)) != nullptr) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* transfer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
      transfer->done = true;
      transfer->result = message->data.result;
    }
    const auto now = std::chrono::steady_clock::now();
    if (running == 0 || now >= deadline) break;
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    curl_multi_poll(transfers.multi, nullptr, 0, static_cast<int>(std::clamp<std::int64_t>(wait.count(), 1, 100)),
                    nullptr);
  } while (true);

  std::vector<Vector> answers;
  answers.reserve(queries.size());
  for (auto& transfer : transfers.all) {
    if (!transfer->done || transfer->result == CURLE_OPERATION_TIMEDOUT) {
      throw PrometheusError(where + " did not answer within " + std::to_string(timeout_.count()) + " ms");
    }
    if (transfer->too_large) {
      throw PrometheusError(where + " answered more than " + std::to_string(kMaxAnswerBytes) + " bytes to one query");
    }
    if (transfer->result != CURLE_OK) {
      std::string why = transfer->error[0] != '\0' ? transfer->error : curl_easy_strerror(transfer->result);
      throw PrometheusError(where + " is unreachable: " + why);
    }
    long status = 0;
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
      std::string error = ErrorOf(transfer->body);
      throw PrometheusError(where + " answered HTTP " + std::to_string(status) +
                            (error.empty() ? std::string() : " (" + error + ")"));
    }
    try {
      answers.push_back(ParseVector(transfer->body));
    } catch (const PrometheusError& error) {
      throw PrometheusError(where + " gave an answer the query API does not give: " + error.what());
    }
  }
  return answers;
}

}  // namespace storefront::gateway::observability
