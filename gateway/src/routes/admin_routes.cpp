#include "routes/admin_routes.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/alarm.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <set>

#include "grpc/health/v1/health.grpc.pb.h"
#include "http/json_fields.h"
#include "routes/json_mapping.h"
#include "routes/shop_routes.h"
#include "shared/errors/errors.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"

namespace storefront::gateway::routes {
namespace {

namespace catalogpb = storefront::catalog::v1;
namespace checkoutpb = storefront::checkout::v1;
namespace inventorypb = storefront::inventory::v1;
namespace shippingpb = storefront::shipping::v1;
namespace health = grpc::health::v1;
using google::protobuf::util::TimeUtil;
using Pistache::Http::Code;
using Pistache::Http::Method;
using Out = std::shared_ptr<http::Responder>;
using Clock = std::chrono::system_clock;

constexpr auto kProbeTimeout = std::chrono::milliseconds(1000);
// The health page answers by then whatever has not: a component that did not answer is down.
constexpr auto kHealthDeadline = std::chrono::milliseconds(2500);
constexpr const char* kConsoleBusy = "the gateway is busy with other console requests; try again in a moment";
constexpr int kDefaultEvents = 50;
constexpr int kMaxEvents = 200;
// As checkout's SalesReport: at most 1000 buckets.
constexpr std::int64_t kMaxSalesBuckets = 1000;

nlohmann::json TimeJson(const google::protobuf::Timestamp& at, bool present) {
  return present ? nlohmann::json(TimeUtil::ToString(at)) : nlohmann::json(nullptr);
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::optional<std::int64_t> ParseInt(const std::string& text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

const std::string* Query(const http::Request& request, const std::string& name) {
  auto it = request.query.find(name);
  return it == request.query.end() || it->second.empty() ? nullptr : &it->second;
}

http::Problem Invalid(std::vector<http::FieldError> errors) {
  std::string detail = http::Summarize(errors);
  return http::BadRequest(detail, std::move(errors));
}

// ?limit= (within [1, max]) into `page_size`; ?cursor= passed through.
template <typename Request>
void Paging(const http::Request& request, int max, Request& upstream, std::vector<http::FieldError>& errors) {
  if (const auto* limit = Query(request, "limit")) {
    auto value = ParseInt(*limit);
    if (!value || *value < 1 || *value > max) {
      errors.push_back({"limit", "must be an integer between 1 and " + std::to_string(max)});
    } else {
      upstream.set_page_size(static_cast<int>(*value));
    }
  }
  if (const auto* cursor = Query(request, "cursor")) upstream.set_page_token(*cursor);
}

// An RFC 3339 time from the query, or an error naming `name`.
std::optional<google::protobuf::Timestamp> TimeParam(const http::Request& request, const std::string& name,
                                                     std::vector<http::FieldError>& errors) {
  const auto* text = Query(request, name);
  if (text == nullptr) return std::nullopt;
  google::protobuf::Timestamp at;
  if (!TimeUtil::FromString(*text, &at)) {
    errors.push_back({name, "must be an RFC 3339 time such as 2030-01-31T09:00:00Z"});
    return std::nullopt;
  }
  return at;
}

// The visible-ASCII Idempotency-Key header, or an error when `required` and absent.
std::optional<std::string> IdempotencyKey(const http::Request& request, bool required,
                                          std::vector<http::FieldError>& errors) {
  const std::string key = request.Header("idempotency-key");
  if (key.empty() && !required) return std::nullopt;
  bool ok = !key.empty() && key.size() <= 128 &&
            std::all_of(key.begin(), key.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  if (!ok) {
    errors.push_back({"Idempotency-Key", std::string(required ? "header is required: " : "header must be ") +
                                             "1 to 128 visible ASCII characters"});
    return std::nullopt;
  }
  return key;
}

// {"amount_minor", "currency"} at `path`; amounts from `min` up to the catalog's ceiling.
void MoneyFields(http::JsonFields money, const std::string& path, storefront::common::v1::Money* out, std::int64_t min,
                 std::vector<http::FieldError>& errors) {
  out->set_amount_minor(money.Integer("amount_minor", min, 10'000'000'000LL));
  std::string currency = money.String("currency", 3, 3);
  if (!currency.empty() && !std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    errors.push_back({path + ".currency", "must be a three-letter ISO 4217 code such as USD"});
  }
  out->set_currency(currency);
}

// A version-4-shaped UUID from 16 bytes.
std::string UuidFrom(const unsigned char (&bytes_in)[16]) {
  unsigned char bytes[16];
  std::copy(std::begin(bytes_in), std::end(bytes_in), bytes);
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    id.push_back(kHex[bytes[i] >> 4]);
    id.push_back(kHex[bytes[i] & 0x0f]);
  }
  return id;
}

std::string RandomUuid() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return UuidFrom(bytes);
}

// Answers `out` with `render(response)` and `code`, or the upstream's problem.
template <typename Response>
std::function<void(const grpc::Status&, Response&)> Answer(Out out, const std::string& upstream, Code code,
                                                           std::function<nlohmann::json(Response&)> render) {
  return [out, upstream, code, render = std::move(render)](const grpc::Status& status, Response& response) {
    if (!status.ok()) return out->SendProblem(http::FromStatus(status, upstream));
    out->Json(code, render(response));
  };
}

nlohmann::json Page(const nlohmann::json& items, const std::string& next) {
  return {{"items", items}, {"next_cursor", next.empty() ? nlohmann::json(nullptr) : nlohmann::json(next)}};
}

// --- Products ------------------------------------------------------------------------------------

void ListProducts(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  catalogpb::ListProductsRequest upstream;
  std::vector<http::FieldError> errors;
  Paging(request, 100, upstream, errors);
  if (const auto* query = Query(request, "query")) upstream.set_query(*query);
  if (const auto* category = Query(request, "category")) upstream.set_category_id(*category);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_include_inactive(true);
  auto catalog = c.catalog;
  rpc::AsyncCall<catalogpb::ListProductsResponse>(
      catalog->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(catalog, ListProducts),
      Answer<catalogpb::ListProductsResponse>(out, "catalog", Code::Ok, [](auto& response) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& product : response.products()) items.push_back(ProductJson(product));
        return Page(items, response.next_page_token());
      }));
}

void CreateProduct(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  std::vector<http::FieldError> errors;
  auto upstream = ReadNewProduct(request.json ? &*request.json : nullptr, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  log::Info("operator creates a product", {{"request_id", request.request_id}, {"operator", who.email},
                                           {"sku", upstream.sku()}});
  auto catalog = c.catalog;
  rpc::AsyncCall<catalogpb::Product>(
      catalog->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(catalog, CreateProduct),
      Answer<catalogpb::Product>(out, "catalog", Code::Created, [](auto& product) { return ProductJson(product); }));
}

void UpdateProduct(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  const std::string& id = request.params.at("id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no product " + id.substr(0, 64)));
  std::vector<http::FieldError> errors;
  auto upstream = ReadProductPatch(request.json ? &*request.json : nullptr, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_id(id);
  auto catalog = c.catalog;
  rpc::AsyncCall<catalogpb::Product>(
      catalog->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(catalog, UpdateProduct),
      Answer<catalogpb::Product>(out, "catalog", Code::Ok, [](auto& product) { return ProductJson(product); }));
}

void DeactivateProduct(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  const std::string& id = request.params.at("id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no product " + id.substr(0, 64)));
  catalogpb::DeactivateProductRequest upstream;
  upstream.set_id(id);
  auto catalog = c.catalog;
  rpc::AsyncCall<catalogpb::Product>(
      catalog->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(catalog, DeactivateProduct),
      Answer<catalogpb::Product>(out, "catalog", Code::Ok, [](auto& product) { return ProductJson(product); }));
}

// --- Inventory -----------------------------------------------------------------------------------

void ListStock(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  inventorypb::ListStockLevelsRequest upstream;
  std::vector<http::FieldError> errors;
  Paging(request, 100, upstream, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto inventory = c.inventory;
  rpc::AsyncCall<inventorypb::ListStockLevelsResponse>(
      inventory->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(inventory, ListStockLevels),
      Answer<inventorypb::ListStockLevelsResponse>(out, "inventory", Code::Ok, [](auto& response) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& level : response.levels()) items.push_back(StockLevelJson(level));
        return Page(items, response.next_page_token());
      }));
}

void ListLowStock(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  inventorypb::ListLowStockRequest upstream;
  std::vector<http::FieldError> errors;
  Paging(request, 100, upstream, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto inventory = c.inventory;
  rpc::AsyncCall<inventorypb::ListLowStockResponse>(
      inventory->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(inventory, ListLowStock),
      Answer<inventorypb::ListLowStockResponse>(out, "inventory", Code::Ok, [](auto& response) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& level : response.levels()) items.push_back(StockLevelJson(level));
        return Page(items, response.next_page_token());
      }));
}

void GetStock(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  const std::string& id = request.params.at("product_id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no stock for product " + id.substr(0, 64)));
  inventorypb::GetStockLevelsRequest upstream;
  upstream.add_product_ids(id);
  auto inventory = c.inventory;
  rpc::AsyncCall<inventorypb::GetStockLevelsResponse>(
      inventory->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(inventory, GetStockLevels),
      [out, id](const grpc::Status& status, inventorypb::GetStockLevelsResponse& response) {
        if (!status.ok()) return out->SendProblem(http::FromStatus(status, "inventory"));
        if (response.levels_size() == 0) return out->SendProblem(http::NotFound("no stock for product " + id));
        out->Json(Code::Ok, StockLevelJson(response.levels(0)));
      });
}

void AdjustStock(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  const std::string& id = request.params.at("product_id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no stock for product " + id.substr(0, 64)));
  std::vector<http::FieldError> errors;
  auto key = IdempotencyKey(request, /*required=*/false, errors);
  auto upstream = ReadAdjustment(request.json ? &*request.json : nullptr, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_product_id(id);
  // Without a key every press is a new adjustment; with one, a retry is applied once.
  upstream.set_idempotency_key(key ? AdjustmentKey(who.account_id, *key) : RandomUuid());
  upstream.set_actor(who.email);  // the audit trail names the signed-in operator, never the body
  auto inventory = c.inventory;
  rpc::AsyncCall<inventorypb::AdjustStockResponse>(
      inventory->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(inventory, AdjustStock),
      Answer<inventorypb::AdjustStockResponse>(out, "inventory", Code::Created, [](auto& response) {
        return nlohmann::json{{"level", StockLevelJson(response.level())},
                              {"adjustment", AdjustmentJson(response.adjustment())}};
      }));
}

void ListAdjustments(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  const std::string& id = request.params.at("product_id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no stock for product " + id.substr(0, 64)));
  inventorypb::ListAdjustmentsRequest upstream;
  upstream.set_product_id(id);
  std::vector<http::FieldError> errors;
  Paging(request, 100, upstream, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto inventory = c.inventory;
  rpc::AsyncCall<inventorypb::ListAdjustmentsResponse>(
      inventory->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(inventory, ListAdjustments),
      Answer<inventorypb::ListAdjustmentsResponse>(out, "inventory", Code::Ok, [](auto& response) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& adjustment : response.adjustments()) items.push_back(AdjustmentJson(adjustment));
        return Page(items, response.next_page_token());
      }));
}

// --- Orders --------------------------------------------------------------------------------------

void ListOrders(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  checkoutpb::ListOrdersRequest upstream;  // customer_id empty: every customer's orders
  std::vector<http::FieldError> errors;
  Paging(request, 100, upstream, errors);
  if (const auto* status = Query(request, "status")) {
    checkoutpb::OrderStatus value = checkoutpb::ORDER_STATUS_UNSPECIFIED;
    if (!checkoutpb::OrderStatus_Parse("ORDER_STATUS_" + Upper(*status), &value) ||
        value == checkoutpb::ORDER_STATUS_UNSPECIFIED || *status != EnumName(*status, "")) {
      errors.push_back({"status", "must be one of pending, reserved, payment_authorized, confirmed, shipped, "
                                  "delivered, failed, cancelled, refunded"});
    }
    upstream.set_status(value);
  }
  if (const auto* email = Query(request, "customer_email")) {
    if (email->size() > 254) errors.push_back({"customer_email", "must be at most 254 characters"});
    upstream.set_customer_email(*email);
  }
  auto after = TimeParam(request, "created_after", errors);
  auto before = TimeParam(request, "created_before", errors);
  if (after) *upstream.mutable_created_after() = *after;
  if (before) *upstream.mutable_created_before() = *before;
  if (after && before && *before <= *after) errors.push_back({"created_before", "must be later than created_after"});
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto checkout = c.checkout;
  rpc::AsyncCall<checkoutpb::ListOrdersResponse>(
      checkout->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(checkout, ListOrders),
      Answer<checkoutpb::ListOrdersResponse>(out, "checkout", Code::Ok, [](auto& response) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& order : response.orders()) items.push_back(OrderJson(order, /*operator_view=*/true));
        return Page(items, response.next_page_token());
      }));
}

void GetOrder(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  const std::string& id = request.params.at("id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no order " + id.substr(0, 64)));
  checkoutpb::GetOrderRequest upstream;
  upstream.set_order_id(id);  // customer_id empty: an operator sees any order
  auto checkout = c.checkout;
  rpc::AsyncCall<checkoutpb::Order>(
      checkout->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(checkout, GetOrder),
      Answer<checkoutpb::Order>(out, "checkout", Code::Ok, [](auto& order) { return OrderJson(order, true); }));
}

void CancelOrder(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  const std::string& id = request.params.at("id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no order " + id.substr(0, 64)));
  std::vector<http::FieldError> errors;
  http::JsonFields body(request.json ? &*request.json : nullptr, "", errors);
  std::string reason = body.String("reason", 0, 500, /*required=*/false);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  checkoutpb::CancelOrderRequest upstream;
  upstream.set_order_id(id);
  upstream.set_reason(reason.empty() ? "by an operator" : reason);
  log::Info("operator cancels an order", {{"request_id", request.request_id}, {"operator", who.email}, {"order_id", id}});
  auto checkout = c.checkout;
  // FAILED_PRECONDITION (shipped, failed, ...) is FromStatus's 409.
  rpc::AsyncCall<checkoutpb::Order>(
      checkout->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(checkout, CancelOrder),
      Answer<checkoutpb::Order>(out, "checkout", Code::Ok, [](auto& order) { return OrderJson(order, true); }));
}

void RefundOrder(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  const std::string& id = request.params.at("id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no order " + id.substr(0, 64)));
  std::vector<http::FieldError> errors;
  auto key = IdempotencyKey(request, /*required=*/true, errors);
  http::JsonFields body(request.json ? &*request.json : nullptr, "", errors);
  checkoutpb::RefundOrderRequest upstream;
  if (body.Has("amount")) MoneyFields(body.Object("amount"), "amount", upstream.mutable_amount(), 1, errors);
  upstream.set_reason(body.String("reason", 0, 500, /*required=*/false));
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_idempotency_key(*key);
  upstream.set_order_id(id);
  log::Info("operator refunds an order", {{"request_id", request.request_id}, {"operator", who.email}, {"order_id", id}});
  auto checkout = c.checkout;
  rpc::AsyncCall<checkoutpb::Order>(
      checkout->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(checkout, RefundOrder),
      Answer<checkoutpb::Order>(out, "checkout", Code::Ok, [](auto& order) { return OrderJson(order, true); }));
}

// --- Shipments -----------------------------------------------------------------------------------

std::optional<shippingpb::ShipmentStatus> ShipmentStatus(const std::string& text) {
  shippingpb::ShipmentStatus value = shippingpb::SHIPMENT_STATUS_UNSPECIFIED;
  if (text != EnumName(text, "") || !shippingpb::ShipmentStatus_Parse("SHIPMENT_STATUS_" + Upper(text), &value) ||
      value == shippingpb::SHIPMENT_STATUS_UNSPECIFIED) {
    return std::nullopt;
  }
  return value;
}

void ListShipments(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  shippingpb::ListShipmentsRequest upstream;
  std::vector<http::FieldError> errors;
  Paging(request, 100, upstream, errors);
  if (const auto* status = Query(request, "status")) {
    auto value = ShipmentStatus(*status);
    if (!value) errors.push_back({"status", "must be one of label_created, dispatched, delivered, cancelled"});
    else upstream.set_status(*value);
  }
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto shipping = c.shipping;
  rpc::AsyncCall<shippingpb::ListShipmentsResponse>(
      shipping->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(shipping, ListShipments),
      Answer<shippingpb::ListShipmentsResponse>(out, "shipping", Code::Ok, [](auto& response) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& shipment : response.shipments()) items.push_back(ShipmentJson(shipment));
        return Page(items, response.next_page_token());
      }));
}

void AdvanceShipment(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  const std::string& id = request.params.at("id");
  if (!IsUuid(id)) return out->SendProblem(http::NotFound("no shipment " + id.substr(0, 64)));
  std::vector<http::FieldError> errors;
  http::JsonFields body(request.json ? &*request.json : nullptr, "", errors);
  std::string to = body.String("to_status", 1, 32);
  shippingpb::AdvanceShipmentRequest upstream;
  upstream.set_id(id);
  if (!to.empty()) {
    auto status = ShipmentStatus(to);
    if (!status || (*status != shippingpb::SHIPMENT_STATUS_DISPATCHED && *status != shippingpb::SHIPMENT_STATUS_DELIVERED)) {
      errors.push_back({"to_status", "must be dispatched or delivered"});
    } else {
      upstream.set_to_status(*status);
    }
  }
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto shipping = c.shipping;
  rpc::AsyncCall<shippingpb::Shipment>(
      shipping->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(shipping, AdvanceShipment),
      Answer<shippingpb::Shipment>(out, "shipping", Code::Ok, [](auto& shipment) { return ShipmentJson(shipment); }));
}

// --- System --------------------------------------------------------------------------------------

// One health page: every component's answer in a fixed slot, sent once all answered or at the
// deadline, whichever comes first.
struct HealthRound {
  Out out;
  std::mutex mutex;
  std::vector<nlohmann::json> components;  // {"name","kind"} until answered
  std::vector<bool> answered;
  std::size_t pending = 0;
  bool sent = false;
  grpc::Alarm deadline;

  void Record(std::size_t slot, bool ok, std::string detail) {
    std::lock_guard lock(mutex);
    if (sent || answered[slot]) return;
    answered[slot] = true;
    components[slot]["status"] = ok ? "ok" : "down";
    components[slot]["detail"] = std::move(detail);
    if (--pending == 0) SendLocked();
  }
  void Expire() {
    std::lock_guard lock(mutex);
    SendLocked();
  }

 private:
  void SendLocked() {
    if (sent) return;
    sent = true;
    bool all_ok = true;
    for (std::size_t i = 0; i < components.size(); ++i) {
      if (!answered[i]) {
        components[i]["status"] = "down";
        components[i]["detail"] = "no answer within " + std::to_string(kHealthDeadline.count()) + " ms";
      }
      all_ok = all_ok && components[i]["status"] == "ok";
    }
    out->Json(Code::Ok, {{"status", all_ok ? "ok" : "degraded"}, {"components", components}});
  }
};

void SystemHealth(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  auto round = std::make_shared<HealthRound>();
  round->out = out;
  for (const auto& service : c.services) round->components.push_back({{"name", service.name}, {"kind", "service"}});
  const std::size_t database_slot = round->components.size();
  round->components.push_back({{"name", "postgres"}, {"kind", "database"}});
  const std::size_t broker_slot = round->components.size();
  round->components.push_back({{"name", "kafka"}, {"kind", "broker"}});
  round->answered.assign(round->components.size(), false);
  round->pending = round->components.size();
  // Weak: the round lives while a check is outstanding; a strong capture would be a cycle
  // (round -> alarm -> callback -> round) that never frees it.
  round->deadline.Set(Clock::now() + kHealthDeadline, [weak = std::weak_ptr<HealthRound>(round)](bool) {
    if (auto alive = weak.lock()) alive->Expire();
  });

  for (std::size_t slot = 0; slot < c.services.size(); ++slot) {
    auto stub = std::shared_ptr<health::Health::Stub>(health::Health::NewStub(c.services[slot].channel));
    rpc::AsyncCall<health::HealthCheckResponse>(
        rpc::NewContext(kProbeTimeout, request.request_id), health::HealthCheckRequest{},
        [stub](auto* context, auto* req, auto* resp, auto done) { stub->async()->Check(context, req, resp, std::move(done)); },
        [round, slot](const grpc::Status& status, health::HealthCheckResponse& response) {
          if (status.ok() && response.status() == health::HealthCheckResponse::SERVING) {
            return round->Record(slot, true, "serving");
          }
          round->Record(slot, false,
                        status.ok() ? "not serving"
                        : status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ? "timed out"
                                                                                      : "unreachable");
        });
  }

  auto database = c.database;
  bool queued = c.workers->Submit([round, database_slot, database] {
    if (!database) return round->Record(database_slot, false, "not configured");
    try {
      db::WithReadOnly(*database, [](pqxx::nontransaction& txn) { txn.exec("SELECT 1"); });
      round->Record(database_slot, true, "accounts database answers SELECT 1");
    } catch (const db::PoolExhausted&) {
      round->Record(database_slot, false, "every connection of the accounts pool is busy");
    } catch (const std::exception& error) {
      round->Record(database_slot, false, std::string("unreachable: ") + error.what());
    }
  });
  if (!queued) round->Record(database_slot, false, kConsoleBusy);

  auto events = c.events;
  if (!events) {
    round->Record(broker_slot, false, "not configured (KAFKA_BOOTSTRAP_SERVERS is empty)");
  } else {
    queued = c.workers->Submit([round, broker_slot, events] {
      try {
        auto broker = events->Check();
        round->Record(broker_slot, broker.ok, broker.detail);
      } catch (const std::exception& error) {
        round->Record(broker_slot, false, error.what());
      }
    });
    if (!queued) round->Record(broker_slot, false, kConsoleBusy);
  }
}

bool IsKnownTopic(const std::string& name) {
  return std::any_of(events::kTopics.begin(), events::kTopics.end(),
                     [&](const events::TopicInfo& topic) { return topic.name == name; });
}

std::string TopicNames() {
  std::string names;
  for (const auto& topic : events::kTopics) names += (names.empty() ? "" : ", ") + std::string(topic.name);
  return names;
}

// ?limit= for the event routes: 1..200, 50 when absent.
int EventLimit(const http::Request& request, std::vector<http::FieldError>& errors) {
  const auto* text = Query(request, "limit");
  if (text == nullptr) return kDefaultEvents;
  auto value = ParseInt(*text);
  if (!value || *value < 1 || *value > kMaxEvents) {
    errors.push_back({"limit", "must be an integer between 1 and " + std::to_string(kMaxEvents)});
    return kDefaultEvents;
  }
  return static_cast<int>(*value);
}

http::Problem NoBroker() {
  return {503, "broker-not-configured", "Service unavailable",
          "the gateway has no Kafka broker configured (KAFKA_BOOTSTRAP_SERVERS)", {}};
}

void ListEvents(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  std::vector<http::FieldError> errors;
  const auto* topic = Query(request, "topic");
  if (topic == nullptr) errors.push_back({"topic", "is required: one of " + TopicNames()});
  else if (!IsKnownTopic(*topic)) errors.push_back({"topic", "must be one of " + TopicNames()});
  const int limit = EventLimit(request, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  if (!c.events) return out->SendProblem(NoBroker());
  http::RunBlocking(
      *c.workers, out,
      [events = c.events, topic = *topic, limit, out] {
        auto messages = events->Newest(topic, limit);
        out->Json(Code::Ok, {{"items", NewestEvents(messages, static_cast<std::size_t>(limit))}});
      },
      kConsoleBusy);
}

void ListDeadLetters(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  std::vector<http::FieldError> errors;
  const int limit = EventLimit(request, errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  if (!c.events) return out->SendProblem(NoBroker());
  http::RunBlocking(
      *c.workers, out,
      [events = c.events, limit, out] {
        auto messages = events->Newest(std::string(events::kDeadLetterTopic), limit);
        out->Json(Code::Ok, {{"items", NewestDeadLetters(messages, static_cast<std::size_t>(limit))}});
      },
      kConsoleBusy);
}

void ReplayDeadLetter(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  std::vector<http::FieldError> errors;
  auto partition = ParseInt(request.params.at("partition"));
  auto offset = ParseInt(request.params.at("offset"));
  if (!partition || *partition < 0 || *partition > 100000) errors.push_back({"partition", "must be a partition number"});
  if (!offset || *offset < 0) errors.push_back({"offset", "must be an offset (an integer >= 0)"});
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  if (!c.events) return out->SendProblem(NoBroker());
  log::Info("operator replays a dead letter", {{"request_id", request.request_id},
                                               {"operator", who.email},
                                               {"partition", *partition},
                                               {"offset", *offset}});
  http::RunBlocking(
      *c.workers, out,
      [events = c.events, partition = static_cast<int>(*partition), offset = *offset, out] {
        out->Json(Code::Accepted, {{"replayed_to", admin::Replay(*events, partition, offset)}});
      },
      kConsoleBusy);
}

void ListTopics(AdminClients&, const http::Request&, const auth::Principal&, Out out) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& topic : events::kTopics) {
    items.push_back({{"name", topic.name}, {"producer", topic.producer}, {"consumers", topic.consumers},
                     {"payloads", topic.payloads}});
  }
  out->Json(Code::Ok, {{"items", items}});
}

void Sales(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  std::vector<http::FieldError> errors;
  checkoutpb::SalesReportRequest upstream;
  std::string granularity = "day";
  if (const auto* text = Query(request, "granularity")) granularity = *text;
  std::chrono::hours bucket{24};
  if (granularity == "hour") {
    upstream.set_granularity(checkoutpb::SALES_GRANULARITY_HOUR);
    bucket = std::chrono::hours(1);
  } else if (granularity == "day") {
    upstream.set_granularity(checkoutpb::SALES_GRANULARITY_DAY);
  } else {
    errors.push_back({"granularity", "must be hour or day"});
  }
  auto from = TimeParam(request, "from", errors);
  auto to = TimeParam(request, "to", errors);
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  // Defaults: `to` now, `from` 24 hours (by the hour) or 30 days (by the day) before `to`.
  using std::chrono::microseconds;
  auto micros = [](auto duration) { return std::chrono::duration_cast<microseconds>(duration).count(); };
  const std::int64_t span = micros(bucket == std::chrono::hours(1) ? std::chrono::hours(24) : std::chrono::hours(24 * 30));
  const std::int64_t now = micros((c.clock ? c.clock() : Clock::now()).time_since_epoch());
  const std::int64_t to_us = to ? TimeUtil::TimestampToMicroseconds(*to) : now;
  const std::int64_t from_us = from ? TimeUtil::TimestampToMicroseconds(*from) : to_us - span;
  if (to_us <= from_us) {
    errors.push_back({"to", "must be later than from"});
  } else if ((to_us - from_us) / micros(bucket) + 1 > kMaxSalesBuckets) {
    errors.push_back({"from", "the range may span at most " + std::to_string(kMaxSalesBuckets) + " " + granularity + "s"});
  }
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  from = TimeUtil::MicrosecondsToTimestamp(from_us);
  to = TimeUtil::MicrosecondsToTimestamp(to_us);
  *upstream.mutable_from_time() = *from;
  *upstream.mutable_to_time() = *to;
  auto checkout = c.checkout;
  rpc::AsyncCall<checkoutpb::SalesReportResponse>(
      checkout->Context(request.request_id), std::move(upstream), STOREFRONT_CALL(checkout, SalesReport),
      Answer<checkoutpb::SalesReportResponse>(out, "checkout", Code::Ok, [](auto& report) { return SalesJson(report); }));
}


}  // namespace

// --- JSON and bodies -----------------------------------------------------------------------------

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

nlohmann::json ShipmentJson(const shippingpb::Shipment& s) {
  return {{"id", s.id()},
          {"order_id", s.order_id()},
          {"customer_id", s.customer_id()},
          {"tracking_number", s.tracking_number()},
          {"carrier", s.carrier()},
          {"service", s.service()},
          {"status", EnumName(shippingpb::ShipmentStatus_Name(s.status()), "SHIPMENT_STATUS_")},
          {"created_at", TimeJson(s.created_at(), s.has_created_at())},
          {"dispatched_at", TimeJson(s.dispatched_at(), s.has_dispatched_at())},
          {"delivered_at", TimeJson(s.delivered_at(), s.has_delivered_at())}};
}

nlohmann::json SalesJson(const checkoutpb::SalesReportResponse& report) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& bucket : report.buckets()) {
    buckets.push_back({{"start", TimeUtil::ToString(bucket.start())},
                       {"orders", bucket.orders()},
                       {"revenue", MoneyJson(bucket.revenue())}});
  }
  return {{"granularity", EnumName(checkoutpb::SalesGranularity_Name(report.granularity()), "SALES_GRANULARITY_")},
          {"currency", report.currency()},
          {"buckets", buckets}};
}

catalogpb::CreateProductRequest ReadNewProduct(const nlohmann::json* body, std::vector<http::FieldError>& errors) {
  http::JsonFields fields(body, "", errors);
  catalogpb::CreateProductRequest product;
  product.set_sku(fields.String("sku", 3, 32));
  if (!product.sku().empty() && !std::all_of(product.sku().begin(), product.sku().end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      })) {
    errors.push_back({"sku", "must be 3 to 32 characters of A-Z, 0-9 and -"});
  }
  product.set_name(fields.String("name", 1, 200));
  product.set_description(fields.String("description", 0, 5000, /*required=*/false, /*multiline=*/true));
  MoneyFields(fields.Object("price"), "price", product.mutable_price(), 0, errors);
  product.set_category_id(fields.String("category_id", 1, 40));
  product.set_image_url(fields.String("image_url", 0, 2048, /*required=*/false));
  return product;
}

catalogpb::UpdateProductRequest ReadProductPatch(const nlohmann::json* body, std::vector<http::FieldError>& errors) {
  http::JsonFields fields(body, "", errors);
  catalogpb::UpdateProductRequest request;
  auto* product = request.mutable_product();
  auto* mask = request.mutable_update_mask();
  static const std::set<std::string> kChangeable = {"name", "description", "price", "category_id", "image_url", "active"};
  for (const auto& name : fields.Names()) {
    if (!kChangeable.count(name)) {
      errors.push_back({name.substr(0, 64), "cannot be changed; send any of name, description, price, category_id, "
                                            "image_url, active"});
    }
  }
  if (fields.Has("name")) {
    product->set_name(fields.String("name", 1, 200));
    mask->add_paths("name");
  }
  if (fields.Has("description")) {
    product->set_description(fields.String("description", 0, 5000, true, /*multiline=*/true));
    mask->add_paths("description");
  }
  if (fields.Has("price")) {
    MoneyFields(fields.Object("price"), "price", product->mutable_price(), 0, errors);
    mask->add_paths("price");
  }
  if (fields.Has("category_id")) {
    product->set_category_id(fields.String("category_id", 1, 40));
    mask->add_paths("category_id");
  }
  if (fields.Has("image_url")) {
    product->set_image_url(fields.String("image_url", 0, 2048));
    mask->add_paths("image_url");
  }
  if (fields.Has("active")) {
    product->set_active(fields.Boolean("active"));
    mask->add_paths("active");
  }
  if (mask->paths_size() == 0 && errors.empty()) {
    errors.push_back({"body", "must hold at least one of name, description, price, category_id, image_url, active"});
  }
  return request;
}

inventorypb::AdjustStockRequest ReadAdjustment(const nlohmann::json* body, std::vector<http::FieldError>& errors) {
  http::JsonFields fields(body, "", errors);
  inventorypb::AdjustStockRequest request;
  const std::size_t before = errors.size();
  const auto delta = fields.Integer("delta", -1'000'000, 1'000'000);
  if (errors.size() == before && delta == 0) errors.push_back({"delta", "must not be 0"});
  request.set_delta(static_cast<int>(delta));
  const std::string reason = fields.String("reason", 1, 16);
  if (!reason.empty()) {
    inventorypb::AdjustmentReason value = inventorypb::ADJUSTMENT_REASON_UNSPECIFIED;
    if (reason != EnumName(reason, "") || !inventorypb::AdjustmentReason_Parse("ADJUSTMENT_REASON_" + Upper(reason), &value) ||
        value == inventorypb::ADJUSTMENT_REASON_UNSPECIFIED) {
      errors.push_back({"reason", "must be restock, count, damaged or returned"});
    }
    request.set_reason(value);
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
  return UuidFrom(digest);
}

void AddAdminRoutes(http::GatewayRouter& router, std::shared_ptr<const auth::TokenVerifier> verifier,
                    AdminClients clients) {
  auto shared = std::make_shared<AdminClients>(std::move(clients));
  auto route = [&](Method method, const char* path,
                   void (*handler)(AdminClients&, const http::Request&, const auth::Principal&, Out)) {
    router.Add(method, path,
               auth::RequireAuth(verifier, accounts::Role::kOperator,
                                 [shared, handler](const http::Request& request, const auth::Principal& who, Out out) {
                                   handler(*shared, request, who, std::move(out));
                                 }));
  };
  route(Method::Get, "/api/v1/admin/products", ListProducts);
  route(Method::Post, "/api/v1/admin/products", CreateProduct);
  route(Method::Patch, "/api/v1/admin/products/:id", UpdateProduct);
  route(Method::Post, "/api/v1/admin/products/:id/deactivate", DeactivateProduct);
  route(Method::Get, "/api/v1/admin/inventory", ListStock);
  // Before ":product_id", which would match "low-stock" too: the first matching route wins.
  route(Method::Get, "/api/v1/admin/inventory/low-stock", ListLowStock);
  route(Method::Get, "/api/v1/admin/inventory/:product_id", GetStock);
  route(Method::Post, "/api/v1/admin/inventory/:product_id/adjustments", AdjustStock);
  route(Method::Get, "/api/v1/admin/inventory/:product_id/adjustments", ListAdjustments);
  route(Method::Get, "/api/v1/admin/orders", ListOrders);
  route(Method::Get, "/api/v1/admin/orders/:id", GetOrder);
  route(Method::Post, "/api/v1/admin/orders/:id/cancel", CancelOrder);
  route(Method::Post, "/api/v1/admin/orders/:id/refund", RefundOrder);
  route(Method::Get, "/api/v1/admin/shipments", ListShipments);
  route(Method::Post, "/api/v1/admin/shipments/:id/advance", AdvanceShipment);
  route(Method::Get, "/api/v1/admin/system/health", SystemHealth);
  route(Method::Get, "/api/v1/admin/events", ListEvents);
  route(Method::Get, "/api/v1/admin/dead-letters", ListDeadLetters);
  route(Method::Post, "/api/v1/admin/dead-letters/:partition/:offset/replay", ReplayDeadLetter);
  route(Method::Get, "/api/v1/admin/topics", ListTopics);
  route(Method::Get, "/api/v1/admin/sales", Sales);
}

}  // namespace storefront::gateway::routes
