#include "shared/testing/span_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace storefront::testing {

SpanSink::SpanSink() {
  listener_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener_, 16) != 0 || getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("span sink could not listen");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

SpanSink::~SpanSink() {
  stopping_ = true;
  thread_.join();
  close(listener_);
}

void SpanSink::Serve() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (poll(&ready, 1, 50) <= 0) continue;
    int connection = accept(listener_, nullptr, nullptr);
    if (connection < 0) continue;
    Answer(connection);
    close(connection);
  }
}

// One request per connection: reads the head, then Content-Length bytes of body.
void SpanSink::Answer(int connection) {
  std::string request;
  char buffer[65536];
  std::size_t body_at = std::string::npos;
  std::size_t length = 0;
  while (true) {
    pollfd ready{connection, POLLIN, 0};
    if (poll(&ready, 1, 5000) <= 0) return;
    auto got = read(connection, buffer, sizeof buffer);
    if (got <= 0) return;
    request.append(buffer, static_cast<std::size_t>(got));
    if (body_at == std::string::npos) {
      auto end = request.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      body_at = end + 4;
      std::string head = request.substr(0, end);
      for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto header = head.find("content-length:");
      if (header != std::string::npos) length = std::stoul(head.substr(header + 15));
    }
    if (request.size() >= body_at + length) break;
  }
  if (hang_) {
    while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return;
  }
  std::string answer = refuse_ ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                               : "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  if (!refuse_) {
    auto batch = nlohmann::json::parse(request.substr(body_at, length), nullptr, false);
    std::lock_guard lock(mutex_);
    batch_sizes_.push_back(batch.is_array() ? batch.size() : 0);
    if (batch.is_array()) {
      for (auto& span : batch) spans_.push_back(std::move(span));
    }
    changed_.notify_all();
  }
  (void)!write(connection, answer.data(), answer.size());
}

std::vector<nlohmann::json> SpanSink::Spans() const {
  std::lock_guard lock(mutex_);
  return spans_;
}

int SpanSink::Batches() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(batch_sizes_.size());
}

std::vector<std::size_t> SpanSink::BatchSizes() const {
  std::lock_guard lock(mutex_);
  return batch_sizes_;
}

bool SpanSink::WaitFor(const std::function<bool(const std::vector<nlohmann::json>&)>& done,
                       std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return done(spans_); });
}

}  // namespace storefront::testing
