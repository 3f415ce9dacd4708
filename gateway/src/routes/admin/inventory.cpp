#include "routes/admin/inventory.h"

#include <sodium.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "http/json_fields.h"
#include "shared/types/uuid.h"

namespace storefront::gateway::routes::admin {
namespace {

namespace inventorypb = storefront::inventory::v1;

// The 404 of every route under /inventory/{product_id}.
constexpr const char* kStockOf = "stock for product";

// Every list of stock levels (all of them, the low ones) answers the same page.
template <typename Response>
auto AnswerLevels(Out out) {
  return Answer<Response>(std::move(out), "inventory", Code::Ok, [](auto& response) {
    return PageJson(response.levels(), response.next_page_token(), StockLevelJson);
  });
}

void ListStock(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  inventorypb::ListStockLevelsRequest upstream;
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto inventory = c.inventory;
  inventory->Async<inventorypb::ListStockLevelsResponse>(For(request), std::move(upstream), STOREFRONT_CALL(inventory, ListStockLevels),
      AnswerLevels<inventorypb::ListStockLevelsResponse>(out));
}

void ListLowStock(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  inventorypb::ListLowStockRequest upstream;
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto inventory = c.inventory;
  inventory->Async<inventorypb::ListLowStockResponse>(For(request), std::move(upstream), STOREFRONT_CALL(inventory, ListLowStock),
      AnswerLevels<inventorypb::ListLowStockResponse>(out));
}

void GetStock(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  auto id = PathUuid(request, "product_id", kStockOf, *out);
  if (!id) return;
  inventorypb::GetStockLevelsRequest upstream;
  upstream.add_product_ids(*id);
  auto inventory = c.inventory;
  inventory->Async<inventorypb::GetStockLevelsResponse>(For(request), std::move(upstream), STOREFRONT_CALL(inventory, GetStockLevels),
      [out, id = *id](const grpc::Status& status, inventorypb::GetStockLevelsResponse& response) {
        if (!status.ok()) return out->SendProblem(http::FromStatus(status, "inventory"));
        if (response.levels_size() == 0) return out->SendProblem(http::NotFound("no stock for product " + id));
        out->Json(Code::Ok, StockLevelJson(response.levels(0)));
      });
}

void AdjustStock(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  auto id = PathUuid(request, "product_id", kStockOf, *out);
  if (!id) return;
  Errors errors;
  auto key = IdempotencyKey(request, /*required=*/false, errors);
  auto upstream = ReadAdjustment(Body(request), errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_product_id(*id);
  // Without a key every press is a new adjustment; with one, a retry is applied once.
  upstream.set_idempotency_key(key ? AdjustmentKey(who.account_id, *key) : types::NewUuid());
  upstream.set_actor(who.email);  // the audit trail names the signed-in operator, never the body
  auto inventory = c.inventory;
  inventory->Async<inventorypb::AdjustStockResponse>(For(request), std::move(upstream), STOREFRONT_CALL(inventory, AdjustStock),
      Answer<inventorypb::AdjustStockResponse>(out, "inventory", Code::Created, [](auto& response) {
        return nlohmann::json{{"level", StockLevelJson(response.level())},
                              {"adjustment", AdjustmentJson(response.adjustment())}};
      }));
}

void ListAdjustments(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  auto id = PathUuid(request, "product_id", kStockOf, *out);
  if (!id) return;
  inventorypb::ListAdjustmentsRequest upstream;
  upstream.set_product_id(*id);
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto inventory = c.inventory;
  inventory->Async<inventorypb::ListAdjustmentsResponse>(For(request), std::move(upstream), STOREFRONT_CALL(inventory, ListAdjustments),
      Answer<inventorypb::ListAdjustmentsResponse>(out, "inventory", Code::Ok, [](auto& response) {
        return PageJson(response.adjustments(), response.next_page_token(), AdjustmentJson);
      }));
}

}  // namespace

nlohmann::json StockLevelJson(const inventorypb::StockLevel& level) {
  return {{"product_id", level.product_id()},
          {"on_hand", level.on_hand()},
          {"reserved", level.reserved()},
          {"available", level.available()},
          {"low_stock_threshold", level.low_stock_threshold()},
          {"updated_at", TimeJson(level.updated_at(), level.has_updated_at())}};
}

nlohmann::json AdjustmentJson(const inventorypb::StockAdjustment& adjustment) {
  return {{"id", adjustment.id()},
          {"product_id", adjustment.product_id()},
          {"delta", adjustment.delta()},
          {"reason", EnumName(inventorypb::AdjustmentReason_Name(adjustment.reason()), "ADJUSTMENT_REASON_")},
          {"note", adjustment.note()},
          {"actor", adjustment.actor()},
          {"on_hand_after", adjustment.on_hand_after()},
          {"created_at", TimeJson(adjustment.created_at(), adjustment.has_created_at())}};
}

inventorypb::AdjustStockRequest ReadAdjustment(const nlohmann::json* body, Errors& errors) {
  http::JsonFields fields(body, "", errors);
  inventorypb::AdjustStockRequest request;
  const std::size_t before = errors.size();
  const auto delta = fields.Integer("delta", -1'000'000, 1'000'000);
  if (errors.size() == before && delta == 0) errors.push_back({"delta", "must not be 0"});
  request.set_delta(static_cast<int>(delta));
  const std::string reason = fields.String("reason", 1, 16);
  if (!reason.empty()) {
    auto value = EnumValue<inventorypb::AdjustmentReason>(reason, "ADJUSTMENT_REASON_");
    if (!value) errors.push_back({"reason", "must be restock, count, damaged or returned"});
    request.set_reason(value.value_or(inventorypb::ADJUSTMENT_REASON_UNSPECIFIED));
  }
  request.set_note(fields.String("note", 0, 500, /*required=*/false, /*multiline=*/true));
  return request;
}

std::string AdjustmentKey(const std::string& account_id, const std::string& idempotency_key) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  const std::string material = "inventory-adjustment\n" + account_id + "\n" + idempotency_key;
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(material.data()), material.size(),
                     nullptr, 0);
  return types::UuidFromBytes(digest);
}

void AddInventoryRoutes(AdminRoutes& routes) {
  routes.Add(Method::Get, "/api/v1/admin/inventory", ListStock);
  // Before ":product_id", which would match "low-stock" too: the first matching route wins.
  routes.Add(Method::Get, "/api/v1/admin/inventory/low-stock", ListLowStock);
  routes.Add(Method::Get, "/api/v1/admin/inventory/:product_id", GetStock);
  routes.Add(Method::Post, "/api/v1/admin/inventory/:product_id/adjustments", AdjustStock);
  routes.Add(Method::Get, "/api/v1/admin/inventory/:product_id/adjustments", ListAdjustments);
}

}  // namespace storefront::gateway::routes::admin
