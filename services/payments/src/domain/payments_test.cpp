// The use cases against mocked ports. The repository mock is backed by a few maps (with
// rollback when the work throws, like a real transaction), so a sequence of calls sees the
// writes of the ones before it; the processor mock counts and scripts the issuer's answers.
// What the order's lock guarantees under concurrency is proven against PostgreSQL
// (repo/pg_payment_repository_test.cpp, consumers/order_events_test.cpp).
#include "domain/payments.h"

#include <gtest/gtest.h>

#include <map>

#include "domain/mocks.h"
#include "shared/log/log.h"
#include "shared/types/uuid.h"

namespace storefront::payments::domain {
namespace {

using ::testing::_;
using ::testing::Field;
using ::testing::NiceMock;
using ::testing::Return;
using ::testing::Throw;
using namespace std::chrono;

constexpr const char* kVisa = "4242424242424242";

AuthorizationResult Approved(std::string reference = "ref-1") { return {true, std::move(reference), ""}; }
AuthorizationResult Declined(std::string code) { return {false, "", std::move(code)}; }

AuthorizeRequest Authorization(std::string key = "order-1:authorize", std::int64_t amount = 5000) {
  return {std::move(key), "order-1", "customer-1", Money{amount, "USD"}, Card{"4242 4242 4242 4242", 12, 2030, "123"}};
}

class PaymentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& tx = repo_.transaction;
    ON_CALL(repo_, InTransaction).WillByDefault([this](const std::function<void(PaymentTransaction&)>& work) {
      auto keys = keys_;
      auto payments = payments_;
      auto ledger = ledger_;
      auto events = events_;
      auto closures = closures_;
      try {
        work(repo_.transaction);
      } catch (...) {  // roll back, as PostgreSQL would
        keys_ = keys;
        payments_ = payments;
        ledger_ = ledger;
        events_ = events;
        closures_ = closures;
        throw;
      }
    });
    ON_CALL(tx, ClaimKey).WillByDefault([this](const IdempotencyRecord& record) -> std::optional<IdempotencyRecord> {
      auto [it, inserted] = keys_.try_emplace({record.operation, record.key}, record);
      if (inserted) return std::nullopt;
      return it->second;
    });
    ON_CALL(tx, LockPayment).WillByDefault([this](const std::string& id) { return Stored(id); });
    ON_CALL(tx, FindClosure).WillByDefault([this](const std::string& order_id) -> std::optional<OrderClosure> {
      auto it = closures_.find(order_id);
      if (it == closures_.end()) return std::nullopt;
      return it->second;
    });
    ON_CALL(tx, RecordClosure).WillByDefault([this](const OrderClosure& closure) -> std::optional<OrderClosure> {
      auto [it, inserted] = closures_.try_emplace(closure.order_id, closure);
      if (inserted) return std::nullopt;
      return it->second;
    });
    ON_CALL(tx, Save).WillByDefault([this](const Payment& payment) { payments_[payment.id] = payment; });
    ON_CALL(tx, Append).WillByDefault([this](const PaymentOperation& operation) { ledger_.push_back(operation); });
    ON_CALL(tx, Publish).WillByDefault([this](const PaymentEvent& event) { events_.push_back(event); });
    ON_CALL(repo_, Get).WillByDefault([this](const std::string& id) { return Stored(id); });
    ON_CALL(repo_, ListByOrder).WillByDefault([this](const std::string& order_id) {
      std::vector<Payment> found;  // newest first, as the repository returns them
      for (const auto& [id, payment] : payments_) {
        if (payment.order_id == order_id) found.insert(found.begin(), payment);
      }
      return found;
    });
  }

  std::optional<Payment> Stored(const std::string& id) {
    auto it = payments_.find(id);
    if (it == payments_.end()) return std::nullopt;
    return it->second;
  }

  Payment AuthorizedPayment(std::int64_t amount = 5000) {
    EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Approved()));
    return payments_under_test_.Authorize(Authorization("auth-" + std::to_string(next_id_), amount));
  }

  std::map<std::pair<Operation, std::string>, IdempotencyRecord> keys_;
  std::map<std::string, Payment> payments_;
  std::vector<PaymentOperation> ledger_;
  std::vector<PaymentEvent> events_;
  std::map<std::string, OrderClosure> closures_;
  int next_id_ = 1;
  Timestamp now_ = sys_days{2027y / March / 15} + 10h;

  NiceMock<MockPaymentRepository> repo_;
  MockCardProcessor processor_;
  Payments payments_under_test_{repo_, processor_, [this] { return now_; }, [this] {
                                  char id[37];
                                  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", next_id_++);
                                  return std::string(id);
                                }};
};

TEST_F(PaymentsTest, AuthorizeHoldsTheAmountAndKeepsOnlyBrandAndLastFour) {
  EXPECT_CALL(processor_, Authorize("00000000-0000-4000-8000-000000000001", Field(&Card::number, kVisa),
                                    Money{5000, "USD"}))
      .WillOnce(Return(Approved("sim_auth_1")));
  Payment payment = payments_under_test_.Authorize(Authorization());
  EXPECT_EQ(payment.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(payment.amount_minor, 5000);
  EXPECT_EQ(payment.currency, "USD");
  EXPECT_EQ(payment.card_brand, CardBrand::kVisa);
  EXPECT_EQ(payment.card_last4, "4242");
  EXPECT_EQ(payment.processor_reference, "sim_auth_1");
  EXPECT_EQ(payment.created_at, now_);
  EXPECT_EQ(Stored(payment.id), payment);
  ASSERT_EQ(ledger_.size(), 1u);
  EXPECT_EQ(ledger_[0].kind, OperationKind::kAuthorize);
  EXPECT_EQ(ledger_[0].amount_minor, 5000);
}

TEST_F(PaymentsTest, ARetriedAuthorizeReturnsTheSamePaymentAndChargesOnce) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(1).WillOnce(Return(Approved()));
  Payment first = payments_under_test_.Authorize(Authorization());
  Payment again = payments_under_test_.Authorize(Authorization());
  auto dashed = Authorization();
  dashed.card->number = "4242-4242-4242-4242";  // the same card typed differently is the same request
  Payment third = payments_under_test_.Authorize(dashed);
  EXPECT_EQ(again, first);
  EXPECT_EQ(third, first);
  EXPECT_EQ(payments_.size(), 1u);
  EXPECT_EQ(ledger_.size(), 1u);
}

TEST_F(PaymentsTest, TheSameKeyForADifferentRequestIsAlreadyExists) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(1).WillOnce(Return(Approved()));
  payments_under_test_.Authorize(Authorization());

  auto other_amount = Authorization("order-1:authorize", 6000);
  EXPECT_THROW(payments_under_test_.Authorize(other_amount), AlreadyExists);
  auto other_order = Authorization();
  other_order.order_id = "order-2";
  EXPECT_THROW(payments_under_test_.Authorize(other_order), AlreadyExists);
  auto other_card = Authorization();
  other_card.card->number = "5555 5555 5555 4444";
  EXPECT_THROW(payments_under_test_.Authorize(other_card), AlreadyExists);
  EXPECT_EQ(payments_.size(), 1u);
}

TEST_F(PaymentsTest, KeysAreScopedToTheirMethod) {
  Payment payment = AuthorizedPayment();
  EXPECT_CALL(processor_, Void(_));
  // The Authorize's key names a different method's record, so Void may use the same text.
  Payment voided = payments_under_test_.Void({"auth-1", payment.id});
  EXPECT_EQ(voided.status, PaymentStatus::kVoided);
}

TEST_F(PaymentsTest, ADeclineIsAResultThatIsRecordedAndReplayed) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(1).WillOnce(Return(Declined("insufficient_funds")));
  Payment declined = payments_under_test_.Authorize(Authorization());
  EXPECT_EQ(declined.status, PaymentStatus::kDeclined);
  EXPECT_EQ(declined.decline_code, "insufficient_funds");
  EXPECT_TRUE(declined.processor_reference.empty());
  EXPECT_EQ(payments_under_test_.Authorize(Authorization()), declined);
  ASSERT_EQ(ledger_.size(), 1u);
  EXPECT_EQ(ledger_[0].kind, OperationKind::kDecline);
  EXPECT_EQ(ledger_[0].detail, "insufficient_funds");
}

TEST_F(PaymentsTest, AnUnnamedDeclineIsCardDeclined) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Declined("")));
  EXPECT_EQ(payments_under_test_.Authorize(Authorization()).decline_code, "card_declined");
}

TEST_F(PaymentsTest, AnExpiredCardIsDeclinedWithoutAskingTheIssuer) {
  auto expired = Authorization("expired");
  expired.card->exp_month = 2;
  expired.card->exp_year = 2027;  // the clock says 15 March 2027
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(0);
  Payment payment = payments_under_test_.Authorize(expired);
  EXPECT_EQ(payment.status, PaymentStatus::kDeclined);
  EXPECT_EQ(payment.decline_code, "expired_card");
  ::testing::Mock::VerifyAndClearExpectations(&processor_);

  auto this_month = Authorization("this-month");
  this_month.card->exp_month = 3;
  this_month.card->exp_year = 2027;
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Approved()));
  EXPECT_EQ(payments_under_test_.Authorize(this_month).status, PaymentStatus::kAuthorized);
}

TEST_F(PaymentsTest, AnOutageIsUnavailableRecordedAsFailedAndTheSameKeyMayTryAgain) {
  EXPECT_CALL(processor_, Authorize(_, _, _))
      .WillOnce(Throw(Unavailable("connection reset")))
      .WillOnce(Return(Approved()));
  try {
    payments_under_test_.Authorize(Authorization());
    FAIL() << "expected Unavailable";
  } catch (const Unavailable& error) {
    EXPECT_STREQ(error.what(), "payment processor unavailable");
  }
  ASSERT_EQ(payments_.size(), 1u);
  const std::string id = payments_.begin()->first;
  EXPECT_EQ(payments_[id].status, PaymentStatus::kFailed);

  now_ += 1min;
  Payment retried = payments_under_test_.Authorize(Authorization());
  EXPECT_EQ(retried.id, id) << "the retry completes the same payment";
  EXPECT_EQ(retried.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(retried.updated_at, now_);
  ASSERT_EQ(ledger_.size(), 2u);
  EXPECT_EQ(ledger_[0].kind, OperationKind::kAuthorizeFailed);
  EXPECT_EQ(ledger_[1].kind, OperationKind::kAuthorize);
}

TEST_F(PaymentsTest, BadRequestsNameEveryFieldAndNeverReachThePorts) {
  EXPECT_CALL(repo_, InTransaction(_)).Times(0);
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(0);
  try {
    payments_under_test_.Authorize({"", "", "", Money{0, "usd"}, Card{"4242 4242 4242 4241", 0, 99, "1"}});
    FAIL();
  } catch (const InvalidArgument& error) {
    std::string message = error.what();
    for (const char* field : {"idempotency_key", "order_id", "customer_id", "amount.amount_minor", "amount.currency",
                              "card.number", "card.exp_month", "card.exp_year", "card.cvc"}) {
      EXPECT_NE(message.find(std::string(field) + ": "), std::string::npos) << field << " in " << message;
    }
    EXPECT_EQ(message.find("4241"), std::string::npos);
  }
  EXPECT_THROW(payments_under_test_.Authorize({"k", "o", "c", std::nullopt, std::nullopt}), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Authorize(Authorization(std::string(101, 'k'))), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Authorize(Authorization("bad\nkey")), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Authorize(Authorization("k", -5)), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Authorize(Authorization("k", kMaxAmountMinor + 1)), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Capture({"k", "not-a-uuid", std::nullopt}), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Capture({"k", "00000000-0000-4000-8000-000000000001", Money{-1, "USD"}}),
               InvalidArgument);
  EXPECT_THROW(payments_under_test_.Capture({"k", "00000000-0000-4000-8000-000000000001", Money{100, "dollars"}}),
               InvalidArgument);
  EXPECT_THROW(payments_under_test_.Void({"", "00000000-0000-4000-8000-000000000001"}), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Refund({"k", "00000000-0000-4000-8000-000000000001", std::nullopt,
                                            std::string(501, 'r')}),
               InvalidArgument);
  EXPECT_THROW(payments_under_test_.GetPayment(""), InvalidArgument);
  EXPECT_THROW(payments_under_test_.GetPayment("nope"), InvalidArgument);
  EXPECT_THROW(payments_under_test_.ListPayments(""), InvalidArgument);
}

TEST_F(PaymentsTest, NoCardNumberReachesTheLogsOrAnError) {
  log::Init("payments", "debug");
  EXPECT_CALL(processor_, Authorize(_, _, _))
      .WillOnce(Return(Approved()))
      .WillOnce(Return(Declined("card_declined")))
      .WillOnce(Throw(Unavailable("down")));
  ::testing::internal::CaptureStdout();
  std::string errors;
  int n = 0;
  for (const char* number : {"4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0000 0000 0119",
                             "4242 4242 4242 4241"}) {
    auto request = Authorization("log-" + std::to_string(++n));
    request.card->number = number;
    request.card->cvc = "9876";
    try {
      Payment payment = payments_under_test_.Authorize(request);
      payments_under_test_.GetPayment(payment.id);
    } catch (const std::exception& error) {
      errors += error.what();
      errors += "\n";
    }
  }
  std::string logs = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(logs.find("payment authorized"), std::string::npos) << "the log is being captured";
  EXPECT_NE(logs.find("payment declined"), std::string::npos);
  for (const char* digits : {"4242424242424242", "4242 4242", "4000000000000002", "4000000000000119",
                             "4242424242424241", "4000 0000", "9876"}) {
    EXPECT_EQ(errors.find(digits), std::string::npos) << digits << " in an error:\n" << errors;
    // The CVC could turn up by chance in a log line's timestamp, so only the numbers are sought there.
    if (std::string_view(digits) != "9876") {
      EXPECT_EQ(logs.find(digits), std::string::npos) << digits << " in:\n" << logs;
    }
  }
}

TEST_F(PaymentsTest, CaptureTakesAllByDefaultOrLessAndOnlyOnce) {
  Payment payment = AuthorizedPayment(5000);
  EXPECT_CALL(processor_, Capture("ref-1", Money{5000, "USD"})).Times(1);
  Payment captured = payments_under_test_.Capture({"cap-1", payment.id, std::nullopt});
  EXPECT_EQ(captured.status, PaymentStatus::kCaptured);
  EXPECT_EQ(captured.captured_minor, 5000);
  EXPECT_EQ(captured.captured_at, now_);
  // A retry replays; a second capture with a new key finds the payment already captured.
  EXPECT_EQ(payments_under_test_.Capture({"cap-1", payment.id, std::nullopt}), captured);
  EXPECT_THROW(payments_under_test_.Capture({"cap-2", payment.id, std::nullopt}), FailedPrecondition);
  // The same key for a different amount is a different request.
  EXPECT_THROW(payments_under_test_.Capture({"cap-1", payment.id, Money{100, "USD"}}), AlreadyExists);

  Payment other = AuthorizedPayment(5000);
  EXPECT_CALL(processor_, Capture("ref-1", Money{1200, "USD"}));
  EXPECT_EQ(payments_under_test_.Capture({"cap-3", other.id, Money{1200, "USD"}}).captured_minor, 1200);
}

TEST_F(PaymentsTest, CaptureChecksAmountCurrencyAndExistence) {
  Payment payment = AuthorizedPayment(5000);
  EXPECT_CALL(processor_, Capture(_, _)).Times(0);
  EXPECT_THROW(payments_under_test_.Capture({"c1", payment.id, Money{5001, "USD"}}), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Capture({"c2", payment.id, Money{100, "EUR"}}), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Capture({"c3", "00000000-0000-4000-8000-0000000000ff", std::nullopt}), NotFound);
  // Errors are not recorded: the key is free for a corrected request.
  EXPECT_TRUE(keys_.count({Operation::kCapture, "c1"}) == 0);
  EXPECT_EQ(Stored(payment.id)->status, PaymentStatus::kAuthorized);
}

TEST_F(PaymentsTest, VoidOnlyFromAuthorized) {
  Payment payment = AuthorizedPayment();
  EXPECT_CALL(processor_, Void("ref-1")).Times(1);
  Payment voided = payments_under_test_.Void({"void-1", payment.id});
  EXPECT_EQ(voided.status, PaymentStatus::kVoided);
  EXPECT_EQ(voided.voided_at, now_);
  EXPECT_EQ(payments_under_test_.Void({"void-1", payment.id}), voided);
  EXPECT_THROW(payments_under_test_.Void({"void-2", payment.id}), FailedPrecondition);
  EXPECT_THROW(payments_under_test_.Capture({"cap", payment.id, std::nullopt}), FailedPrecondition);
  EXPECT_THROW(payments_under_test_.Refund({"ref", payment.id, std::nullopt, ""}), FailedPrecondition);

  Payment captured = AuthorizedPayment();
  EXPECT_CALL(processor_, Capture(_, _));
  payments_under_test_.Capture({"cap-x", captured.id, std::nullopt});
  EXPECT_THROW(payments_under_test_.Void({"void-3", captured.id}), FailedPrecondition);
}

TEST_F(PaymentsTest, DeclinedAndFailedPaymentsCannotMove) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Declined("card_declined")));
  Payment declined = payments_under_test_.Authorize(Authorization());
  EXPECT_THROW(payments_under_test_.Capture({"c", declined.id, std::nullopt}), FailedPrecondition);
  EXPECT_THROW(payments_under_test_.Void({"v", declined.id}), FailedPrecondition);
  EXPECT_THROW(payments_under_test_.Refund({"r", declined.id, std::nullopt, ""}), FailedPrecondition);
}

TEST_F(PaymentsTest, RefundsAddUpToTheCapturedAmount) {
  Payment payment = AuthorizedPayment(5000);
  EXPECT_CALL(processor_, Capture(_, _));
  payments_under_test_.Capture({"cap", payment.id, Money{4000, "USD"}});
  EXPECT_THROW(payments_under_test_.Refund({"r0", payment.id, Money{4001, "USD"}, ""}), InvalidArgument);

  EXPECT_CALL(processor_, Refund("ref-1", Money{1500, "USD"})).Times(1);
  Payment partial = payments_under_test_.Refund({"r1", payment.id, Money{1500, "USD"}, "one mug broken"});
  EXPECT_EQ(partial.status, PaymentStatus::kPartiallyRefunded);
  EXPECT_EQ(partial.refunded_minor, 1500);
  EXPECT_EQ(partial.last_refunded_at, now_);
  EXPECT_EQ(payments_under_test_.Refund({"r1", payment.id, Money{1500, "USD"}, "one mug broken"}), partial);
  EXPECT_THROW(payments_under_test_.Refund({"r2", payment.id, Money{2501, "USD"}, ""}), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Refund({"r2", payment.id, Money{100, "EUR"}, ""}), InvalidArgument);

  EXPECT_CALL(processor_, Refund("ref-1", Money{2500, "USD"})).Times(1);
  Payment rest = payments_under_test_.Refund({"r2", payment.id, std::nullopt, ""});
  EXPECT_EQ(rest.status, PaymentStatus::kRefunded);
  EXPECT_EQ(rest.refunded_minor, 4000);
  EXPECT_THROW(payments_under_test_.Refund({"r3", payment.id, Money{1, "USD"}, ""}), FailedPrecondition);

  std::vector<OperationKind> kinds;
  for (const auto& op : ledger_) kinds.push_back(op.kind);
  EXPECT_EQ(kinds, (std::vector<OperationKind>{OperationKind::kAuthorize, OperationKind::kCapture,
                                               OperationKind::kRefund, OperationKind::kRefund}));
  EXPECT_EQ(ledger_[2].detail, "one mug broken");
}

TEST_F(PaymentsTest, AProcessorOutageAfterAuthorizeChangesNothingAndFreesTheKey) {
  Payment payment = AuthorizedPayment();
  EXPECT_CALL(processor_, Capture(_, _))
      .WillOnce(Throw(Unavailable("payment processor unavailable")))
      .WillOnce(Return());
  EXPECT_THROW(payments_under_test_.Capture({"cap", payment.id, std::nullopt}), Unavailable);
  EXPECT_EQ(Stored(payment.id)->status, PaymentStatus::kAuthorized);
  EXPECT_EQ(payments_under_test_.Capture({"cap", payment.id, std::nullopt}).status, PaymentStatus::kCaptured);
}

TEST_F(PaymentsTest, GetAndList) {
  EXPECT_THROW(payments_under_test_.GetPayment("00000000-0000-4000-8000-0000000000ff"), NotFound);
  Payment payment = AuthorizedPayment();
  EXPECT_EQ(payments_under_test_.GetPayment(payment.id), payment);
  EXPECT_CALL(repo_, ListByOrder("order-1")).WillOnce(Return(std::vector<Payment>{payment}));
  EXPECT_EQ(payments_under_test_.ListPayments("order-1").size(), 1u);
}

// --- Events: what each change announces --------------------------------------------------------

std::vector<PaymentEventKind> Kinds(const std::vector<PaymentEvent>& events) {
  std::vector<PaymentEventKind> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  return kinds;
}

TEST_F(PaymentsTest, EachChangeAnnouncesItselfOnceAndAReplayAnnouncesNothing) {
  Payment payment = AuthorizedPayment(5000);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].kind, PaymentEventKind::kAuthorized);
  EXPECT_EQ(events_[0].amount_minor, 5000);
  EXPECT_EQ(events_[0].payment, payment);

  EXPECT_CALL(processor_, Capture(_, _)).Times(1);
  payments_under_test_.Capture({"cap", payment.id, Money{4000, "USD"}});
  payments_under_test_.Capture({"cap", payment.id, Money{4000, "USD"}});  // a replay
  EXPECT_CALL(processor_, Refund(_, _)).Times(2);
  payments_under_test_.Refund({"ref-1", payment.id, Money{1000, "USD"}, "scratched"});
  payments_under_test_.Refund({"ref-1", payment.id, Money{1000, "USD"}, "scratched"});  // a replay
  payments_under_test_.Refund({"ref-2", payment.id, std::nullopt, ""});
  EXPECT_EQ(Kinds(events_), (std::vector<PaymentEventKind>{PaymentEventKind::kAuthorized, PaymentEventKind::kCaptured,
                                                            PaymentEventKind::kRefunded, PaymentEventKind::kRefunded}));
  EXPECT_EQ(events_[1].amount_minor, 4000);
  EXPECT_EQ(events_[2].amount_minor, 1000);
  EXPECT_EQ(events_[2].reason, "scratched");
  EXPECT_EQ(events_[2].payment.refunded_minor, 1000);
  EXPECT_EQ(events_[3].amount_minor, 3000);
  EXPECT_EQ(events_[3].payment.status, PaymentStatus::kRefunded);
}

TEST_F(PaymentsTest, DeclinesAndOutagesAnnounceAFailureAndRefusalsAnnounceNothing) {
  EXPECT_CALL(processor_, Authorize(_, _, _))
      .WillOnce(Return(Declined("insufficient_funds")))
      .WillOnce(Throw(Unavailable("payment processor unavailable")));
  payments_under_test_.Authorize(Authorization("declined"));
  EXPECT_THROW(payments_under_test_.Authorize(Authorization("outage")), Unavailable);
  ASSERT_EQ(Kinds(events_), (std::vector<PaymentEventKind>{PaymentEventKind::kFailed, PaymentEventKind::kFailed}));
  EXPECT_EQ(events_[0].payment.status, PaymentStatus::kDeclined);
  EXPECT_EQ(events_[1].payment.status, PaymentStatus::kFailed) << "recorded, and announced, though the RPC failed";

  Payment payment = AuthorizedPayment();
  EXPECT_CALL(processor_, Void(_)).Times(1);
  payments_under_test_.Void({"void", payment.id});
  const auto before = events_.size();
  EXPECT_THROW(payments_under_test_.Capture({"cap", payment.id, std::nullopt}), FailedPrecondition);
  EXPECT_THROW(payments_under_test_.Refund({"ref", payment.id, std::nullopt, ""}), FailedPrecondition);
  EXPECT_EQ(events_.size(), before);
  EXPECT_EQ(events_.back().kind, PaymentEventKind::kVoided);
  EXPECT_EQ(events_.back().amount_minor, 5000);
}

TEST_F(PaymentsTest, ADispatchedOrderIsCapturedInFullOnceWithTheOrdersKey) {
  Payment payment = AuthorizedPayment(5000);
  EXPECT_CALL(processor_, Capture("ref-1", Money{5000, "USD"})).Times(1);
  auto captured = payments_under_test_.CaptureOrder("order-1");
  EXPECT_EQ(captured.outcome, OrderPaymentOutcome::kDone);
  EXPECT_EQ(captured.payment->status, PaymentStatus::kCaptured);
  EXPECT_EQ(captured.payment->captured_minor, 5000);
  EXPECT_TRUE(keys_.count({Operation::kCapture, "capture:order-1"}));

  auto again = payments_under_test_.CaptureOrder("order-1");
  EXPECT_EQ(again.outcome, OrderPaymentOutcome::kAlreadyDone);
  EXPECT_EQ(again.payment->id, payment.id);
  EXPECT_EQ(Kinds(events_),
            (std::vector<PaymentEventKind>{PaymentEventKind::kAuthorized, PaymentEventKind::kCaptured}));

  EXPECT_EQ(payments_under_test_.CaptureOrder("order-without-payments").outcome, OrderPaymentOutcome::kNothingToDo);
  EXPECT_THROW(payments_under_test_.CaptureOrder(""), InvalidArgument);
}

TEST_F(PaymentsTest, OnlyTheAuthorizedAttemptOfAnOrderIsCaptured) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Declined("card_declined"))).WillOnce(Return(Approved()));
  payments_under_test_.Authorize(Authorization("first-try"));
  now_ += 1min;
  Payment second = payments_under_test_.Authorize(Authorization("second-try"));
  EXPECT_CALL(processor_, Capture(_, _)).Times(1);
  EXPECT_EQ(payments_under_test_.CaptureOrder("order-1").payment->id, second.id);
}

TEST_F(PaymentsTest, ADeclinedOnlyOrderHasNothingToCaptureOrRelease) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Declined("card_declined")));
  payments_under_test_.Authorize(Authorization());
  EXPECT_CALL(processor_, Capture(_, _)).Times(0);
  EXPECT_CALL(processor_, Void(_)).Times(0);
  EXPECT_EQ(payments_under_test_.CaptureOrder("order-1").outcome, OrderPaymentOutcome::kNothingToDo);
  EXPECT_EQ(payments_under_test_.CloseOrder("order-1", OrderEnd::kCancelled, "").outcome,
            OrderPaymentOutcome::kNothingToDo);
}

TEST_F(PaymentsTest, ACancelledOrdersHoldIsVoided) {
  AuthorizedPayment();
  EXPECT_CALL(processor_, Void("ref-1")).Times(1);
  auto released = payments_under_test_.CloseOrder("order-1", OrderEnd::kCancelled, "changed mind");
  EXPECT_EQ(released.outcome, OrderPaymentOutcome::kDone);
  EXPECT_EQ(released.payment->status, PaymentStatus::kVoided);
  EXPECT_TRUE(keys_.count({Operation::kVoid, "void:order-1"}));
  EXPECT_EQ(payments_under_test_.CloseOrder("order-1", OrderEnd::kCancelled, "changed mind").outcome,
            OrderPaymentOutcome::kNothingToDo)
      << "a second cancellation finds it voided";
  EXPECT_EQ(events_.back().kind, PaymentEventKind::kVoided);
}

TEST_F(PaymentsTest, ACancelledOrdersCapturedPaymentIsRefundedInFull) {
  Payment payment = AuthorizedPayment(5000);
  EXPECT_CALL(processor_, Capture(_, _)).Times(1);
  payments_under_test_.Capture({"cap", payment.id, Money{4000, "USD"}});
  EXPECT_CALL(processor_, Refund("ref-1", Money{4000, "USD"})).Times(1);
  auto released = payments_under_test_.CloseOrder("order-1", OrderEnd::kCancelled, "damaged\tin transit");
  EXPECT_EQ(released.outcome, OrderPaymentOutcome::kDone);
  EXPECT_EQ(released.payment->status, PaymentStatus::kRefunded);
  EXPECT_EQ(released.payment->refunded_minor, 4000);
  EXPECT_TRUE(keys_.count({Operation::kRefund, "refund:order-1"}));
  EXPECT_EQ(events_.back().kind, PaymentEventKind::kRefunded);
  EXPECT_EQ(events_.back().reason, "order cancelled: damaged in transit");
  EXPECT_EQ(payments_under_test_.CloseOrder("order-1", OrderEnd::kCancelled, "").outcome,
            OrderPaymentOutcome::kNothingToDo);
}

// --- Ended orders: no authorization outlives its order ------------------------------------------

TEST_F(PaymentsTest, AnOrderThatHasEndedIsRefusedAnAuthorizationWithoutAskingTheIssuer) {
  EXPECT_EQ(payments_under_test_.CloseOrder("order-1", OrderEnd::kFailed, "payment timed out").outcome,
            OrderPaymentOutcome::kNothingToDo)
      << "an order payments never saw is closed all the same";
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(0);
  try {
    payments_under_test_.Authorize(Authorization());
    FAIL() << "expected FailedPrecondition";
  } catch (const FailedPrecondition& error) {
    EXPECT_STREQ(error.what(), "order order-1 has already ended (failed); no authorization was taken");
  }
  auto expired = Authorization("expired");
  expired.card->exp_year = 2020;  // would be declined here, without the issuer: refused all the same
  EXPECT_THROW(payments_under_test_.Authorize(expired), FailedPrecondition);
  EXPECT_TRUE(payments_.empty());
  EXPECT_TRUE(ledger_.empty());
  EXPECT_TRUE(events_.empty());
  EXPECT_EQ(keys_.count({Operation::kAuthorize, "order-1:authorize"}), 0u) << "a refusal is not recorded";

  payments_under_test_.CloseOrder("order-2", OrderEnd::kCancelled, "");
  auto other = Authorization("order-2:authorize");
  other.order_id = "order-2";
  try {
    payments_under_test_.Authorize(other);
    FAIL() << "expected FailedPrecondition";
  } catch (const FailedPrecondition& error) {
    EXPECT_STREQ(error.what(), "order order-2 has already ended (cancelled); no authorization was taken");
  }
  EXPECT_THROW(payments_under_test_.CloseOrder("", OrderEnd::kFailed, ""), InvalidArgument);
}

TEST_F(PaymentsTest, ARetryOfAnAuthorizeAnsweredBeforeTheOrderEndedStillReplays) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Declined("card_declined"))).WillOnce(Return(Approved()));
  Payment declined = payments_under_test_.Authorize(Authorization("first-try"));
  Payment held = payments_under_test_.Authorize(Authorization("second-try"));
  EXPECT_CALL(processor_, Void("ref-1"));
  payments_under_test_.CloseOrder("order-1", OrderEnd::kFailed, "");

  EXPECT_EQ(payments_under_test_.Authorize(Authorization("first-try")), declined);
  Payment replayed = payments_under_test_.Authorize(Authorization("second-try"));
  EXPECT_EQ(replayed.id, held.id);
  EXPECT_EQ(replayed.status, PaymentStatus::kVoided) << "the payment the key touched, as it is now";
  EXPECT_EQ(payments_.size(), 2u);
}

TEST_F(PaymentsTest, AnAttemptLostToAnOutageIsNotRetriedOnceTheOrderHasEnded) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Throw(Unavailable("connection reset")));
  EXPECT_THROW(payments_under_test_.Authorize(Authorization()), Unavailable);
  payments_under_test_.CloseOrder("order-1", OrderEnd::kFailed, "payment service unavailable");
  // The same key would ask the issuer again for the FAILED payment: not for an ended order.
  EXPECT_THROW(payments_under_test_.Authorize(Authorization()), FailedPrecondition);
  ASSERT_EQ(payments_.size(), 1u);
  EXPECT_EQ(payments_.begin()->second.status, PaymentStatus::kFailed);
  EXPECT_EQ(ledger_.size(), 1u);
}

TEST_F(PaymentsTest, AuthorizeAndCloseOrderTakeTheOrdersLockBeforeAnythingElse) {
  auto& tx = repo_.transaction;
  {
    ::testing::InSequence in_order;
    EXPECT_CALL(tx, LockOrder("order-1"));
    EXPECT_CALL(tx, ClaimKey(_));
    EXPECT_CALL(tx, FindClosure("order-1"));
    EXPECT_CALL(tx, Save(_));
  }
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Approved()));
  payments_under_test_.Authorize(Authorization());
  {
    ::testing::InSequence in_order;
    EXPECT_CALL(tx, LockOrder("order-2"));
    EXPECT_CALL(tx, RecordClosure(Field(&OrderClosure::order_id, "order-2")));
  }
  payments_under_test_.CloseOrder("order-2", OrderEnd::kFailed, "");
}

TEST_F(PaymentsTest, AFailedOrdersHoldIsVoidedAndTheFirstClosureStands) {
  AuthorizedPayment();
  EXPECT_CALL(processor_, Void("ref-1")).Times(1);
  now_ += 5s;
  auto released = payments_under_test_.CloseOrder("order-1", OrderEnd::kFailed, "payment\ttimed out");
  EXPECT_EQ(released.outcome, OrderPaymentOutcome::kDone);
  EXPECT_EQ(released.payment->status, PaymentStatus::kVoided);
  EXPECT_TRUE(keys_.count({Operation::kVoid, "void:order-1"}));
  EXPECT_EQ(events_.back().kind, PaymentEventKind::kVoided);
  EXPECT_EQ(closures_.at("order-1"), (OrderClosure{"order-1", OrderEnd::kFailed, "payment timed out", now_}));

  now_ += 1min;
  EXPECT_EQ(payments_under_test_.CloseOrder("order-1", OrderEnd::kCancelled, "changed mind").outcome,
            OrderPaymentOutcome::kNothingToDo);
  EXPECT_EQ(closures_.size(), 1u);
  EXPECT_EQ(closures_.at("order-1").end, OrderEnd::kFailed) << "the first closure stands";
  EXPECT_EQ(closures_.at("order-1").reason, "payment timed out");
}

TEST_F(PaymentsTest, AFailedOrdersCapturedPaymentIsRefundedSayingTheOrderFailed) {
  Payment payment = AuthorizedPayment(5000);
  EXPECT_CALL(processor_, Capture(_, _));
  payments_under_test_.Capture({"cap", payment.id, std::nullopt});
  EXPECT_CALL(processor_, Refund("ref-1", Money{5000, "USD"})).Times(1);
  auto released = payments_under_test_.CloseOrder("order-1", OrderEnd::kFailed, "shipping unavailable");
  EXPECT_EQ(released.outcome, OrderPaymentOutcome::kDone);
  EXPECT_EQ(released.payment->status, PaymentStatus::kRefunded);
  EXPECT_TRUE(keys_.count({Operation::kRefund, "refund:order-1"}));
  EXPECT_EQ(events_.back().reason, "order failed: shipping unavailable");
  EXPECT_EQ(ledger_.back().detail, "order failed: shipping unavailable");
}

}  // namespace
}  // namespace storefront::payments::domain
