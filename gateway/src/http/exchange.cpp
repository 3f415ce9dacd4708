#include "http/exchange.h"

#include <pistache/peer.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "shared/log/log.h"
#include "shared/metrics/metrics.h"

namespace storefront::gateway::http {

using Pistache::Http::Code;

namespace {

// Requests answered, by method, route template and status code, and how long each took from
// arrival to answer: the HTTP figures of the RED method (rate, errors, duration).
// Each (method, route)'s series are looked up once and kept: prometheus-cpp's Family::Add builds a
// whole histogram (and throws it away) every time it is asked for one that exists.
class HttpFigures {
 public:
  void Observe(const std::string& method, const std::string& route, int code, double seconds) {
    prometheus::Histogram* duration = nullptr;
    prometheus::Counter* requests = nullptr;
    {
      std::lock_guard lock(mutex_);
      auto& series = by_route_[method + ' ' + route];
      if (series.duration == nullptr) {
        series.duration = &seconds_.Add({{"method", method}, {"route", route}}, metrics::LatencyBuckets());
      }
      auto& counter = series.by_code[code];
      if (counter == nullptr) {
        counter = &requests_.Add({{"method", method}, {"route", route}, {"code", std::to_string(code)}});
      }
      duration = series.duration;
      requests = counter;
    }
    requests->Increment();
    duration->Observe(seconds);
  }

 private:
  struct Series {
    prometheus::Histogram* duration = nullptr;
    std::map<int, prometheus::Counter*> by_code;
  };
  prometheus::Family<prometheus::Counter>& requests_ =
      metrics::Counters("http_server_requests_total", "HTTP requests answered, by method, route and status code.");
  prometheus::Family<prometheus::Histogram>& seconds_ = metrics::Histograms(
      "http_server_request_duration_seconds", "Time from a request's arrival to its answer, by method and route.");
  std::mutex mutex_;
  std::unordered_map<std::string, Series> by_route_;  // routes and methods are the router's: bounded
};

HttpFigures& Figures() {
  static HttpFigures figures;
  return figures;
}

// Pistache writes only typed headers into responses, so X-Request-Id needs a type.
class RequestIdHeader : public Pistache::Http::Header::Header {
 public:
  NAME("X-Request-Id")
  RequestIdHeader() = default;
  explicit RequestIdHeader(std::string value) : value_(std::move(value)) {}
  void parse(const std::string& data) override { value_ = data; }
  void write(std::ostream& os) const override { os << value_; }

 private:
  std::string value_;
};

// Any other response header, named at run time.
class NamedHeader : public Pistache::Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  uint64_t hash() const override { return Pistache::Http::Header::detail::hash(name_.c_str()); }
  void write(std::ostream& os) const override { os << value_; }

 private:
  std::string name_;
  std::string value_;
};

}  // namespace

prometheus::Gauge& InFlightGauge() {
  static auto& gauge = metrics::Gauges("http_server_requests_in_flight", "HTTP requests received and not yet answered.")
                           .Add({});
  return gauge;
}

void Responder::SetRoute(const std::string& route) {
  std::lock_guard lock(mutex_);
  route_ = route;
  if (span_) span_->Rename(method_ + " " + route);
}

void Responder::Trace(trace::Span span) {
  std::lock_guard lock(mutex_);
  span_.emplace(std::move(span));
}

Responder::Responder(Pistache::Http::ResponseWriter writer, std::string request_id, std::string method,
                     std::string path, InFlight::Ticket ticket)
    : writer_(std::move(writer)),
      request_id_(std::move(request_id)),
      method_(std::move(method)),
      path_(std::move(path)),
      started_(std::chrono::steady_clock::now()),
      ticket_(std::move(ticket)) {}

Responder::~Responder() {
  // A handler that forgot to answer must not leave the client hanging.
  if (writer_) {
    log::Error("request finished without a response", {{"request_id", request_id_}, {"path", path_}});
    Send(Code::Internal_Server_Error,
         Problem{500, "internal-error", "Internal error", "the gateway failed to answer", {}}
             .ToJson(path_, request_id_)
             .dump(),
         "application/problem+json", false);
  }
}

void Responder::Json(Code code, const nlohmann::json& body) {
  Send(code, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json", false);
}

void Responder::JsonText(Code code, const std::string& body) { Send(code, body, "application/json", false); }

void Responder::NotModified() { Send(Code::Not_Modified, std::string(), nullptr, false); }

void Responder::SendProblem(const Problem& problem) {
  if (problem.retry_after_seconds > 0) AddHeader("Retry-After", std::to_string(problem.retry_after_seconds));
  Send(static_cast<Code>(problem.status), problem.ToJson(path_, request_id_).dump(-1, ' ', false,
                                                                                 nlohmann::json::error_handler_t::replace),
       "application/problem+json", false);
}

void Responder::SendProblemAndClose(const Problem& problem) {
  Send(static_cast<Code>(problem.status), problem.ToJson(path_, request_id_).dump(-1, ' ', false,
                                                                                 nlohmann::json::error_handler_t::replace),
       "application/problem+json", true);
}

void Responder::AddHeader(std::string name, std::string value) {
  std::lock_guard lock(mutex_);
  if (writer_) extra_headers_.emplace_back(std::move(name), std::move(value));
}

void Responder::SetHeader(std::string name, std::string value) {
  std::lock_guard lock(mutex_);
  if (!writer_) return;
  auto same_name = [&name](const std::pair<std::string, std::string>& header) {
    return strcasecmp(header.first.c_str(), name.c_str()) == 0;
  };
  extra_headers_.erase(std::remove_if(extra_headers_.begin(), extra_headers_.end(), same_name), extra_headers_.end());
  extra_headers_.emplace_back(std::move(name), std::move(value));
}

void Responder::Send(Code code, const std::string& body, const char* content_type, bool close) {
  std::optional<Pistache::Http::ResponseWriter> writer;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::string route;
  std::optional<trace::Span> span;
  {
    std::lock_guard lock(mutex_);
    if (!writer_) return;  // answered already
    writer.swap(writer_);
    extra_headers.swap(extra_headers_);
    route = route_;
    if (span_) {
      span.emplace(std::move(*span_));
      span_.reset();
    }
  }
  ticket_.Release();  // answered: no longer in flight, whatever the write below costs
  writer->headers().add(std::make_shared<RequestIdHeader>(request_id_));
  // Every answer: no browser guesses another type than the one it says (a JSON string read as
  // HTML). And none is stored by a browser or a shared cache unless its route says how: only the
  // catalog's public reads do, so carts, orders, accounts and the console's figures never are.
  writer->headers().add(std::make_shared<NamedHeader>("X-Content-Type-Options", "nosniff"));
  bool cache_control = false;
  for (auto& [name, value] : extra_headers) {
    cache_control |= strcasecmp(name.c_str(), "Cache-Control") == 0;
    writer->headers().add(std::make_shared<NamedHeader>(name, value));
  }
  if (!cache_control) writer->headers().add(std::make_shared<NamedHeader>("Cache-Control", "no-store"));
  int fd = -1;
  if (close) {
    writer->headers().remove<Pistache::Http::Header::Connection>();
    writer->headers().add<Pistache::Http::Header::Connection>(Pistache::Http::ConnectionControl::Close);
    try {
      fd = writer->peer()->fd();
    } catch (const std::exception&) {
      // peer already gone
    }
  }
  auto mime = content_type == nullptr ? Pistache::Http::Mime::MediaType()
                                      : Pistache::Http::Mime::MediaType::fromString(content_type);
  writer->send(code, body, mime)
      .then(
          [fd](ssize_t) {
            // Stop reading whatever else the client is pushing; the reactor then closes it.
            if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
          },
          [](std::exception_ptr) {});

  const double seconds = metrics::SecondsSince(started_);
  const std::string status = std::to_string(static_cast<int>(code));
  Figures().Observe(method_, route, static_cast<int>(code), seconds);
  if (span) {
    span->Tag("http.status_code", status);
    if (static_cast<int>(code) >= 500) span->Fail("HTTP " + status);
    span->End();
  }

  const auto level = static_cast<int>(code) >= 500 ? log::Level::kWarn : log::Level::kInfo;
  if (!access_log_ || !log::Enabled(level)) return;
  nlohmann::json fields = {{"request_id", request_id_},
                           {"method", method_},
                           {"path", path_},
                           {"status", static_cast<int>(code)},
                           {"duration_ms", seconds * 1000.0}};
  // Answers often come from a gRPC callback's thread, where no context is current.
  if (span) {
    fields["trace_id"] = span->context().TraceIdHex();
    fields["span_id"] = span->context().SpanIdHex();
  }
  log::Write(level, "request", fields);
}

}  // namespace storefront::gateway::http
