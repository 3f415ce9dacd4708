// A deliberately small HTTP/1.1 client over a raw socket, for tests that must control the
// bytes on the wire (keep-alive, hostile requests) as well as ordinary JSON calls.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace storefront::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpConnection {
 public:
  explicit HttpConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Writes raw bytes; false when the peer has closed or reset the connection.
  bool SendRaw(const std::string& bytes);
  // Reads one response; nullopt when the connection closed (or timed out) first.
  std::optional<HttpResponse> ReadResponse();
  // A request with Host and Content-Length added; no Connection header unless given.
  std::optional<HttpResponse> Request(const std::string& method, const std::string& target,
                                      const std::string& body = "",
                                      const std::map<std::string, std::string>& headers = {});
  // True when the server has closed its side (a read returns end-of-file) within `wait`.
  bool ClosedByPeer(std::chrono::milliseconds wait = std::chrono::seconds(2));

 private:
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection.
HttpResponse HttpGet(int port, const std::string& target);

}  // namespace storefront::testing
