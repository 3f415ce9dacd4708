// The Pistache handler: turns parsed requests into (Request, Responder) pairs for the router.
//
// Two fixes to Pistache 0.0.5 live here:
//  * Keep-alive. Pistache answers "Connection: close" to any request without a Connection
//    header, so HTTP/1.1 clients (which keep connections open by default, RFC 9112 §9.3)
//    reconnect for every request. onRequest removes that header for HTTP/1.1 requests that
//    did not ask to close; HTTP/1.0 requests keep Pistache's behaviour.
//  * Hostile input. onConnection installs a GuardedParser (see guarded_parser.h); requests
//    it rejected are answered with problem+json and their connection is closed.
#pragma once

#include <pistache/http.h>

#include <functional>
#include <memory>

#include "http/codec.h"
#include "http/exchange.h"
#include "http/guarded_parser.h"
#include "http/router.h"

namespace storefront::gateway::http {

using Handler = std::function<void(const Request&, std::shared_ptr<Responder>)>;
using GatewayRouter = Router<Handler>;

class GatewayHandler : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(GatewayHandler)

  GatewayHandler(std::shared_ptr<const GatewayRouter> router, Limits limits);

  void onRequest(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response) override;

 private:
  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  std::shared_ptr<const GatewayRouter> router_;
  Limits limits_;
};

}  // namespace storefront::gateway::http
