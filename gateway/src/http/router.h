// Method + path routing with ":name" parameters, plus the 405 that Pistache's router lacks.
// The route table is also what the OpenAPI test checks the document against.
#pragma once

#include <pistache/http_defs.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace storefront::gateway::http {

template <typename Handler>
class Router {
 public:
  struct Route {
    Pistache::Http::Method method;
    std::string pattern;  // "/api/v1/products/:id"
    Handler handler;
  };

  struct Match {
    const Handler* handler = nullptr;               // null when nothing matched
    const std::string* pattern = nullptr;           // the matched route's, e.g. "/api/v1/products/:id"
    std::map<std::string, std::string> params;      // raw (still percent-encoded) values
    std::vector<Pistache::Http::Method> allowed;    // methods of the path, when the method did not match
  };

  void Add(Pistache::Http::Method method, std::string pattern, Handler handler) {
    routes_.push_back({method, std::move(pattern), std::move(handler)});
  }

  Match Find(Pistache::Http::Method method, std::string_view path) const {
    Match match;
    for (const auto& route : routes_) {
      std::map<std::string, std::string> params;
      if (!Matches(route.pattern, path, params)) continue;
      if (route.method == method) {
        match.handler = &route.handler;
        match.pattern = &route.pattern;
        match.params = std::move(params);
        return match;
      }
      match.allowed.push_back(route.method);
    }
    return match;
  }

  const std::vector<Route>& routes() const { return routes_; }

 private:
  static bool Matches(std::string_view pattern, std::string_view path, std::map<std::string, std::string>& params) {
    while (!pattern.empty() || !path.empty()) {
      if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
      pattern.remove_prefix(1);
      path.remove_prefix(1);
      auto p_end = pattern.find('/');
      auto s_end = path.find('/');
      std::string_view p_seg = pattern.substr(0, p_end);
      std::string_view s_seg = path.substr(0, s_end);
      if (!p_seg.empty() && p_seg[0] == ':') {
        if (s_seg.empty()) return false;
        params[std::string(p_seg.substr(1))] = std::string(s_seg);
      } else if (p_seg != s_seg) {
        return false;
      }
      pattern.remove_prefix(p_seg.size());
      path.remove_prefix(s_seg.size());
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace storefront::gateway::http
