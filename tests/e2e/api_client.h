// One account talking to the gateway over HTTP, as a shopper or an operator would: signs in once
// and sends its bearer token with every call. Shared by the end-to-end suites.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>

#include "shared/testing/http_client.h"

namespace storefront::e2e {

// A shipping address every validation accepts.
inline const nlohmann::json kAddress = {{"name", "Ada Lovelace"}, {"line1", "1 Analytical Way"},
                                        {"city", "Springfield"},  {"postal_code", "12345"},
                                        {"country", "US"}};

// The payment object of a checkout body, with a card the simulated processor knows by number.
inline nlohmann::json Card(const std::string& number) {
  return {{"card_number", number}, {"exp_month", 12}, {"exp_year", 2031}, {"cvc", "123"}};
}

class ApiClient {
 public:
  explicit ApiClient(int port) : port_(port) {}

  // Signs in (200 expected) and keeps the access token for every later call.
  void SignIn(const std::string& email, const std::string& password) {
    auto login = Call("POST", "/api/v1/auth/login", nlohmann::json{{"email", email}, {"password", password}});
    EXPECT_EQ(login.status, 200) << login.body;
    token_ = nlohmann::json::parse(login.body).value("access_token", "");
  }

  testing::HttpResponse Call(const std::string& method, const std::string& path,
                             const nlohmann::json& body = nullptr,
                             std::map<std::string, std::string> headers = {}) const {
    if (!token_.empty()) headers["Authorization"] = "Bearer " + token_;
    if (!body.is_null()) headers["Content-Type"] = "application/json";
    testing::HttpConnection connection(port_, std::chrono::seconds(30));
    auto response = connection.Request(method, path, body.is_null() ? "" : body.dump(), headers);
    if (!response) throw std::runtime_error("no response for " + method + " " + path);
    return *response;
  }

  // The body of a call that must answer `status`.
  nlohmann::json Expect(int status, const std::string& method, const std::string& path,
                        const nlohmann::json& body = nullptr, std::map<std::string, std::string> headers = {}) const {
    auto response = Call(method, path, body, std::move(headers));
    EXPECT_EQ(response.status, status) << method << " " << path << ": " << response.body;
    return response.body.empty() ? nlohmann::json() : nlohmann::json::parse(response.body);
  }

 protected:
  int port() const { return port_; }

 private:
  int port_;
  std::string token_;
};

}  // namespace storefront::e2e
