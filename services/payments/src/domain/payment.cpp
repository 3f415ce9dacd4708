#include "domain/payment.h"

#include "shared/types/enum_names.h"

namespace storefront::payments::domain {
namespace {

template <typename Enum, std::size_t N>
using Names = types::EnumNames<Enum, N>;
using types::NameOf;
using types::ValueOf;

constexpr Names<PaymentStatus, 8> kStatusNames{{{PaymentStatus::kPending, "pending"},
                                                {PaymentStatus::kAuthorized, "authorized"},
                                                {PaymentStatus::kCaptured, "captured"},
                                                {PaymentStatus::kVoided, "voided"},
                                                {PaymentStatus::kRefunded, "refunded"},
                                                {PaymentStatus::kPartiallyRefunded, "partially_refunded"},
                                                {PaymentStatus::kDeclined, "declined"},
                                                {PaymentStatus::kFailed, "failed"}}};
constexpr Names<CardBrand, 5> kBrandNames{{{CardBrand::kVisa, "visa"},
                                           {CardBrand::kMastercard, "mastercard"},
                                           {CardBrand::kAmex, "amex"},
                                           {CardBrand::kDiscover, "discover"},
                                           {CardBrand::kUnknown, "unknown"}}};
constexpr Names<OperationKind, 6> kKindNames{{{OperationKind::kAuthorize, "authorize"},
                                              {OperationKind::kDecline, "decline"},
                                              {OperationKind::kAuthorizeFailed, "authorize_failed"},
                                              {OperationKind::kCapture, "capture"},
                                              {OperationKind::kVoid, "void"},
                                              {OperationKind::kRefund, "refund"}}};
constexpr Names<Operation, 4> kOperationNames{{{Operation::kAuthorize, "authorize"},
                                               {Operation::kCapture, "capture"},
                                               {Operation::kVoid, "void"},
                                               {Operation::kRefund, "refund"}}};
constexpr Names<IntentState, 3> kIntentStateNames{
    {{IntentState::kPending, "pending"}, {IntentState::kDone, "done"}, {IntentState::kFailed, "failed"}}};
constexpr Names<OrderEnd, 2> kOrderEndNames{{{OrderEnd::kFailed, "failed"}, {OrderEnd::kCancelled, "cancelled"}}};

}  // namespace

std::string_view ToString(PaymentStatus status) { return NameOf(kStatusNames, status); }
std::string_view ToString(CardBrand brand) { return NameOf(kBrandNames, brand); }
std::string_view ToString(OperationKind kind) { return NameOf(kKindNames, kind); }
std::string_view ToString(Operation operation) { return NameOf(kOperationNames, operation); }
std::string_view ToString(OrderEnd end) { return NameOf(kOrderEndNames, end); }
std::string_view ToString(IntentState state) { return NameOf(kIntentStateNames, state); }

std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text) { return ValueOf(kStatusNames, text); }
std::optional<CardBrand> ParseCardBrand(std::string_view text) { return ValueOf(kBrandNames, text); }
std::optional<OperationKind> ParseOperationKind(std::string_view text) { return ValueOf(kKindNames, text); }
std::optional<Operation> ParseOperation(std::string_view text) { return ValueOf(kOperationNames, text); }
std::optional<OrderEnd> ParseOrderEnd(std::string_view text) { return ValueOf(kOrderEndNames, text); }
std::optional<IntentState> ParseIntentState(std::string_view text) { return ValueOf(kIntentStateNames, text); }

std::string ProcessorKey(Operation operation, const std::string& payment_id, const std::string& intent_id) {
  const std::string key = payment_id + ":" + std::string(ToString(operation));
  return operation == Operation::kRefund ? key + ":" + intent_id : key;
}

}  // namespace storefront::payments::domain
