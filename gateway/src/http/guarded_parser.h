// A request parser that refuses hostile input before Pistache allocates for it.
//
// Pistache 0.0.5 reserves memory for a body from what the client *announces*: a chunk-size
// line such as "7fffffff" or a large Content-Length makes it reserve gigabytes from a
// request of a few bytes (upstream issue 1325). This parser keeps Pistache's own steps
// but wraps each one with a limit, and instead of throwing (which Pistache answers with a
// text/plain page) it records a Rejection and lets the request complete empty; the gateway
// answers it with problem+json and closes the connection.
//
//   request line longer than max_request_line   -> 414
//   header section larger than max_header_bytes -> 431
//   Content-Length larger than max_body_bytes   -> 413
//   any Transfer-Encoding (chunked bodies)      -> 411: send a Content-Length
#pragma once

#include <pistache/http.h>

#include <cstddef>
#include <optional>
#include <string>

namespace storefront::gateway::http {

struct Limits {
  std::size_t max_request_line = 8 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  // Pistache's whole-request buffer: request line + headers + body, with some slack.
  std::size_t max_request_bytes() const { return max_request_line + max_header_bytes + max_body_bytes + 1024; }
};

struct Rejection {
  Pistache::Http::Code code;
  std::string title;
  std::string detail;
};

class GuardedParser : public Pistache::Http::RequestParser {
 public:
  GuardedParser(std::size_t max_data, const Limits& limits);
  void reset() override;

  const std::optional<Rejection>& rejection() const { return rejection_; }

 private:
  std::optional<Rejection> rejection_;
};

// The parser in charge of `peer`'s connection, if it is a GuardedParser.
GuardedParser* GuardedParserOf(const std::shared_ptr<Pistache::Tcp::Peer>& peer);

}  // namespace storefront::gateway::http
