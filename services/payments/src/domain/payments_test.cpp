// The use cases against mocked ports. The repository mock is backed by a few maps (with
// rollback when the work throws, like a real transaction), so a sequence of calls sees the
// writes of the ones before it; the processor mock counts and scripts the issuer's answers.
// What the order's lock guarantees under concurrency is proven against PostgreSQL
// (repo/pg_payment_repository_test.cpp, consumers/order_events_test.cpp).
#include "domain/payments.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>

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

// The processor, as the use cases see it: forwards to the mock, and notes each call in the
// store's journal and whether a transaction was open at the time. The fixture checks after every
// test that none was.
class GuardedProcessor final : public CardProcessor {
 public:
  GuardedProcessor(CardProcessor& inner, InMemoryStore& store) : inner_(inner), store_(store) {}
  AuthorizationResult Authorize(const std::string& key, const Card& card, const Money& amount) override {
    Note("Authorize " + key);
    return inner_.Authorize(key, card, amount);
  }
  void Capture(const std::string& key, const std::string& reference, const Money& amount) override {
    Note("Capture " + key);
    inner_.Capture(key, reference, amount);
  }
  void Void(const std::string& key, const std::string& reference) override {
    Note("Void " + key);
    inner_.Void(key, reference);
  }
  void Refund(const std::string& key, const std::string& reference, const Money& amount) override {
    Note("Refund " + key);
    inner_.Refund(key, reference, amount);
  }
  ProcessorOutcome Outcome(const std::string& key) override {
    Note("Outcome " + key);
    return inner_.Outcome(key);
  }

  int calls_inside_a_transaction = 0;

 private:
  void Note(const std::string& call) {
    if (store_.in_transaction) ++calls_inside_a_transaction;
    store_.Note("processor " + call);
  }
  CardProcessor& inner_;
  InMemoryStore& store_;
};

// A crash, thrown by a test hook right after the processor answered.
struct Crash : std::runtime_error {
  Crash() : std::runtime_error("crashed after the processor answered") {}
};

class PaymentsTest : public ::testing::Test {
 protected:
  void SetUp() override { store_.Back(repo_); }
  void TearDown() override {
    EXPECT_EQ(processor_guard_.calls_inside_a_transaction, 0) << "the processor was called inside a transaction";
  }

  std::optional<Payment> Stored(const std::string& id) { return store_.Stored(id); }

  Payment AuthorizedPayment(std::int64_t amount = 5000) {
    EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Approved()));
    return payments_under_test_.Authorize(Authorization("auth-" + std::to_string(next_id_), amount));
  }

  // The use cases with other options, over the same ports.
  Payments With(PaymentsOptions options) { return Payments(repo_, processor_guard_, clock_, ids_, std::move(options)); }
  // A process that dies right after the processor answered: the outcome is never recorded.
  Payments Crashing() {
    return With({.after_processor_call = [](const ProcessorIntent&) { throw Crash(); }});
  }
  // The journal split into its transactions (the calls between "begin" and "commit"), and the
  // processor calls made outside any.
  std::vector<std::vector<std::string>> Transactions() const {
    std::vector<std::vector<std::string>> transactions;
    bool open = false;
    for (const auto& entry : store_.journal) {
      if (entry == "begin") {
        transactions.emplace_back();
        open = true;
      } else if (entry == "commit" || entry == "rollback") {
        open = false;
      } else if (open) {
        transactions.back().push_back(entry);
      }
    }
    return transactions;
  }
  std::vector<std::string> ProcessorCalls() const {
    std::vector<std::string> calls;
    for (const auto& entry : store_.journal) {
      if (entry.rfind("processor ", 0) == 0) calls.push_back(entry.substr(10));
    }
    return calls;
  }
  const ProcessorIntent& OnlyIntent(const std::string& payment_id, Operation operation) {
    const ProcessorIntent* found = nullptr;
    for (const auto& [id, intent] : store_.intents) {
      if (intent.payment_id == payment_id && intent.operation == operation) {
        EXPECT_EQ(found, nullptr) << "more than one " << ToString(operation) << " intent";
        found = &intent;
      }
    }
    if (found == nullptr) throw std::logic_error("no such intent");
    return *found;
  }

  InMemoryStore store_;
  std::map<std::pair<Operation, std::string>, IdempotencyRecord>& keys_ = store_.keys;
  std::map<std::string, Payment>& payments_ = store_.payments;
  std::vector<PaymentOperation>& ledger_ = store_.ledger;
  std::vector<PaymentEvent>& events_ = store_.events;
  std::map<std::string, OrderClosure>& closures_ = store_.closures;
  int next_id_ = 1;
  Timestamp now_ = sys_days{2027y / March / 15} + 10h;
  Clock clock_ = [this] { return now_; };
  IdGenerator ids_ = [this] {
    char id[37];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", next_id_++);
    return std::string(id);
  };

  NiceMock<MockPaymentRepository> repo_;
  MockCardProcessor processor_;
  GuardedProcessor processor_guard_{processor_, store_};
  Payments payments_under_test_{repo_, processor_guard_, clock_, ids_};
  // As the event handlers use them: intents recorded, carried out by a sweep.
  Payments by_sweeper_ = With({.processor_calls = ProcessorCalls::kBySweeper});
};

TEST_F(PaymentsTest, AuthorizeHoldsTheAmountAndKeepsOnlyBrandAndLastFour) {
  EXPECT_CALL(processor_, Authorize("00000000-0000-4000-8000-000000000001:authorize", Field(&Card::number, kVisa),
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
  EXPECT_CALL(processor_, Void(_, _));
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

TEST_F(PaymentsTest, ACustomerWhoseCardsWereDeclinedTooOftenIsDeclinedWithoutAskingTheIssuer) {
  Payments limited = With({.decline_limit = 3, .decline_window = std::chrono::hours(1)});
  const Timestamp first_decline = now_;
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(3).WillRepeatedly(Return(Declined("card_declined")));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limited.Authorize(Authorization("try-" + std::to_string(i))).decline_code, "card_declined");
    now_ += std::chrono::minutes(1);
  }
  ::testing::Mock::VerifyAndClearExpectations(&processor_);

  // The fourth try, a good card this time, is declined here: the issuer is not asked, and the
  // decline is recorded and announced like any other. So is a fifth.
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(0);
  for (const std::string key : {"try-3", "try-4"}) {
    Payment blocked = limited.Authorize(Authorization(key));
    EXPECT_EQ(blocked.status, PaymentStatus::kDeclined);
    EXPECT_EQ(blocked.decline_code, "too_many_declines");
    EXPECT_EQ(ledger_.back().kind, OperationKind::kDecline);
    EXPECT_EQ(ledger_.back().detail, "too_many_declines");
    EXPECT_EQ(events_.back().kind, PaymentEventKind::kFailed);
  }
  ::testing::Mock::VerifyAndClearExpectations(&processor_);

  // Another customer is not affected.
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Approved()));
  auto other = Authorization("other-1");
  other.customer_id = "customer-2";
  EXPECT_EQ(limited.Authorize(other).status, PaymentStatus::kAuthorized);
  ::testing::Mock::VerifyAndClearExpectations(&processor_);

  // Once the first decline is an hour old, two remain in the window (the declines made here do
  // not count): the issuer is asked again.
  now_ = first_decline + std::chrono::hours(1) + std::chrono::seconds(1);
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Approved()));
  EXPECT_EQ(limited.Authorize(Authorization("try-5")).status, PaymentStatus::kAuthorized);
}

TEST_F(PaymentsTest, WithoutADeclineLimitEveryTryAsksTheIssuer) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(8).WillRepeatedly(Return(Declined("card_declined")));
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(payments_under_test_.Authorize(Authorization("try-" + std::to_string(i))).decline_code, "card_declined");
  }
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
  EXPECT_CALL(processor_, Capture(_, "ref-1", Money{5000, "USD"})).Times(1);
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
  EXPECT_CALL(processor_, Capture(_, "ref-1", Money{1200, "USD"}));
  EXPECT_EQ(payments_under_test_.Capture({"cap-3", other.id, Money{1200, "USD"}}).captured_minor, 1200);
}

TEST_F(PaymentsTest, CaptureChecksAmountCurrencyAndExistence) {
  Payment payment = AuthorizedPayment(5000);
  EXPECT_CALL(processor_, Capture(_, _, _)).Times(0);
  EXPECT_THROW(payments_under_test_.Capture({"c1", payment.id, Money{5001, "USD"}}), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Capture({"c2", payment.id, Money{100, "EUR"}}), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Capture({"c3", "00000000-0000-4000-8000-0000000000ff", std::nullopt}), NotFound);
  // Errors are not recorded: the key is free for a corrected request.
  EXPECT_TRUE(keys_.count({Operation::kCapture, "c1"}) == 0);
  EXPECT_EQ(Stored(payment.id)->status, PaymentStatus::kAuthorized);
}

TEST_F(PaymentsTest, VoidOnlyFromAuthorized) {
  Payment payment = AuthorizedPayment();
  EXPECT_CALL(processor_, Void(_, "ref-1")).Times(1);
  Payment voided = payments_under_test_.Void({"void-1", payment.id});
  EXPECT_EQ(voided.status, PaymentStatus::kVoided);
  EXPECT_EQ(voided.voided_at, now_);
  EXPECT_EQ(payments_under_test_.Void({"void-1", payment.id}), voided);
  EXPECT_THROW(payments_under_test_.Void({"void-2", payment.id}), FailedPrecondition);
  EXPECT_THROW(payments_under_test_.Capture({"cap", payment.id, std::nullopt}), FailedPrecondition);
  EXPECT_THROW(payments_under_test_.Refund({"ref", payment.id, std::nullopt, ""}), FailedPrecondition);

  Payment captured = AuthorizedPayment();
  EXPECT_CALL(processor_, Capture(_, _, _));
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
  EXPECT_CALL(processor_, Capture(_, _, _));
  payments_under_test_.Capture({"cap", payment.id, Money{4000, "USD"}});
  EXPECT_THROW(payments_under_test_.Refund({"r0", payment.id, Money{4001, "USD"}, ""}), InvalidArgument);

  EXPECT_CALL(processor_, Refund(_, "ref-1", Money{1500, "USD"})).Times(1);
  Payment partial = payments_under_test_.Refund({"r1", payment.id, Money{1500, "USD"}, "one mug broken"});
  EXPECT_EQ(partial.status, PaymentStatus::kPartiallyRefunded);
  EXPECT_EQ(partial.refunded_minor, 1500);
  EXPECT_EQ(partial.last_refunded_at, now_);
  EXPECT_EQ(payments_under_test_.Refund({"r1", payment.id, Money{1500, "USD"}, "one mug broken"}), partial);
  EXPECT_THROW(payments_under_test_.Refund({"r2", payment.id, Money{2501, "USD"}, ""}), InvalidArgument);
  EXPECT_THROW(payments_under_test_.Refund({"r2", payment.id, Money{100, "EUR"}, ""}), InvalidArgument);

  EXPECT_CALL(processor_, Refund(_, "ref-1", Money{2500, "USD"})).Times(1);
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

// Before intents, an outage rolled the key claim back; now the capture stays recorded (pending),
// and the same request completes it, with the same processor key (so does the sweeper).
TEST_F(PaymentsTest, AnOutageDuringCaptureLeavesItPendingAndTheSameKeyCompletesIt) {
  Payment payment = AuthorizedPayment();
  std::vector<std::string> keys;
  EXPECT_CALL(processor_, Capture(_, _, _))
      .WillOnce([&](const std::string& key, auto&&...) {
        keys.push_back(key);
        throw Unavailable("payment processor unavailable");
      })
      .WillOnce([&](const std::string& key, auto&&...) { keys.push_back(key); });
  EXPECT_THROW(payments_under_test_.Capture({"cap", payment.id, std::nullopt}), Unavailable);
  EXPECT_EQ(Stored(payment.id)->status, PaymentStatus::kAuthorized);
  EXPECT_EQ(OnlyIntent(payment.id, Operation::kCapture).state, IntentState::kPending);
  EXPECT_EQ(OnlyIntent(payment.id, Operation::kCapture).last_error, "payment processor unavailable");
  EXPECT_EQ(payments_under_test_.Capture({"cap", payment.id, std::nullopt}).status, PaymentStatus::kCaptured);
  EXPECT_EQ(keys, (std::vector<std::string>{payment.id + ":capture", payment.id + ":capture"}));
  EXPECT_EQ(OnlyIntent(payment.id, Operation::kCapture).state, IntentState::kDone);
  EXPECT_EQ(OnlyIntent(payment.id, Operation::kCapture).attempts, 2);
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

  EXPECT_CALL(processor_, Capture(_, _, _)).Times(1);
  payments_under_test_.Capture({"cap", payment.id, Money{4000, "USD"}});
  payments_under_test_.Capture({"cap", payment.id, Money{4000, "USD"}});  // a replay
  EXPECT_CALL(processor_, Refund(_, _, _)).Times(2);
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
  EXPECT_CALL(processor_, Void(_, _)).Times(1);
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
  EXPECT_CALL(processor_, Capture(_, "ref-1", Money{5000, "USD"})).Times(1);
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
  EXPECT_CALL(processor_, Capture(_, _, _)).Times(1);
  EXPECT_EQ(payments_under_test_.CaptureOrder("order-1").payment->id, second.id);
}

TEST_F(PaymentsTest, ADeclinedOnlyOrderHasNothingToCaptureOrRelease) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Declined("card_declined")));
  payments_under_test_.Authorize(Authorization());
  EXPECT_CALL(processor_, Capture(_, _, _)).Times(0);
  EXPECT_CALL(processor_, Void(_, _)).Times(0);
  EXPECT_EQ(payments_under_test_.CaptureOrder("order-1").outcome, OrderPaymentOutcome::kNothingToDo);
  EXPECT_EQ(payments_under_test_.CloseOrder("order-1", OrderEnd::kCancelled, "").outcome,
            OrderPaymentOutcome::kNothingToDo);
}

TEST_F(PaymentsTest, ACancelledOrdersHoldIsVoided) {
  AuthorizedPayment();
  EXPECT_CALL(processor_, Void(_, "ref-1")).Times(1);
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
  EXPECT_CALL(processor_, Capture(_, _, _)).Times(1);
  payments_under_test_.Capture({"cap", payment.id, Money{4000, "USD"}});
  EXPECT_CALL(processor_, Refund(_, "ref-1", Money{4000, "USD"})).Times(1);
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
  EXPECT_CALL(processor_, Void(_, "ref-1"));
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

// Authorize is now two transactions with the issuer's call between them; each starts with the
// order's lock, and so does the closing of an order.
TEST_F(PaymentsTest, AuthorizeAndCloseOrderTakeTheOrdersLockBeforeAnythingElse) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Approved()));
  payments_under_test_.Authorize(Authorization());
  payments_under_test_.CloseOrder("order-2", OrderEnd::kFailed, "");
  const auto transactions = Transactions();
  ASSERT_EQ(transactions.size(), 3u);
  EXPECT_EQ(transactions[0], (std::vector<std::string>{"LockOrder order-1", "ClaimKey order-1:authorize",
                                                       "FindClosure order-1", "Save pending",
                                                       "SaveIntent authorize pending"}));
  EXPECT_EQ(transactions[1].front(), "LockOrder order-1");
  EXPECT_EQ(transactions[2].front(), "LockOrder order-2");
  EXPECT_EQ(transactions[2].at(1), "RecordClosure order-2");
}

TEST_F(PaymentsTest, AFailedOrdersHoldIsVoidedAndTheFirstClosureStands) {
  AuthorizedPayment();
  EXPECT_CALL(processor_, Void(_, "ref-1")).Times(1);
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
  EXPECT_CALL(processor_, Capture(_, _, _));
  payments_under_test_.Capture({"cap", payment.id, std::nullopt});
  EXPECT_CALL(processor_, Refund(_, "ref-1", Money{5000, "USD"})).Times(1);
  auto released = payments_under_test_.CloseOrder("order-1", OrderEnd::kFailed, "shipping unavailable");
  EXPECT_EQ(released.outcome, OrderPaymentOutcome::kDone);
  EXPECT_EQ(released.payment->status, PaymentStatus::kRefunded);
  EXPECT_TRUE(keys_.count({Operation::kRefund, "refund:order-1"}));
  EXPECT_EQ(events_.back().reason, "order failed: shipping unavailable");
  EXPECT_EQ(ledger_.back().detail, "order failed: shipping unavailable");
}

// --- Intent, call, outcome: the processor is called outside any transaction, once per key ------

const auto kLease = PaymentsOptions{}.intent_lease;
using Result = ProcessorOutcome::Result;

std::vector<OperationKind> LedgerKinds(const std::vector<PaymentOperation>& ledger) {
  std::vector<OperationKind> kinds;
  for (const auto& op : ledger) kinds.push_back(op.kind);
  return kinds;
}

TEST_F(PaymentsTest, TheProcessorIsCalledBetweenTransactionsNeverInsideOne) {
  // When the processor is called, the intent of its call has been committed, pending.
  auto committed_and_pending = [this](Operation operation, const std::string& key) {
    for (const auto& [id, intent] : store_.intents) {
      if (intent.processor_key == key) {
        return !store_.in_transaction && intent.operation == operation && intent.state == IntentState::kPending;
      }
    }
    return false;
  };
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce([&](const std::string& key, auto&&...) {
    EXPECT_TRUE(committed_and_pending(Operation::kAuthorize, key));
    return Approved();
  });
  Payment payment = payments_under_test_.Authorize(Authorization());
  EXPECT_CALL(processor_, Capture(_, _, _)).WillOnce([&](const std::string& key, auto&&...) {
    EXPECT_TRUE(committed_and_pending(Operation::kCapture, key));
  });
  payments_under_test_.Capture({"cap", payment.id, Money{4000, "USD"}});
  EXPECT_CALL(processor_, Refund(_, _, _)).WillOnce([&](const std::string& key, auto&&...) {
    EXPECT_TRUE(committed_and_pending(Operation::kRefund, key));
  });
  payments_under_test_.Refund({"refund", payment.id, Money{1000, "USD"}, ""});
  Payment other = AuthorizedPayment();
  EXPECT_CALL(processor_, Void(_, _)).WillOnce([&](const std::string& key, auto&&...) {
    EXPECT_TRUE(committed_and_pending(Operation::kVoid, key));
  });
  payments_under_test_.Void({"void", other.id});

  bool open = false;
  int calls = 0;
  for (const auto& entry : store_.journal) {
    if (entry == "begin") open = true;
    if (entry == "commit" || entry == "rollback") open = false;
    if (entry.rfind("processor ", 0) == 0) {
      ++calls;
      EXPECT_FALSE(open) << entry << " inside a transaction";
    }
  }
  EXPECT_EQ(calls, 5);
  for (const auto& [id, intent] : store_.intents) EXPECT_EQ(intent.state, IntentState::kDone);
}

TEST_F(PaymentsTest, ARetriedTransactionNeverCallsTheProcessorTwice) {
  store_.retry_transactions = true;  // every transaction's work runs twice, the first run lost
  EXPECT_CALL(processor_, Authorize(_, _, _)).Times(1).WillOnce(Return(Approved()));
  Payment payment = payments_under_test_.Authorize(Authorization());
  EXPECT_EQ(payment.status, PaymentStatus::kAuthorized);
  EXPECT_CALL(processor_, Capture(payment.id + ":capture", "ref-1", Money{5000, "USD"})).Times(1);
  EXPECT_EQ(payments_under_test_.Capture({"cap", payment.id, std::nullopt}).status, PaymentStatus::kCaptured);
  EXPECT_CALL(processor_, Refund(_, "ref-1", Money{700, "USD"})).Times(1);
  EXPECT_EQ(payments_under_test_.Refund({"refund", payment.id, Money{700, "USD"}, ""}).refunded_minor, 700);

  EXPECT_GE(std::count(store_.journal.begin(), store_.journal.end(), "rollback"), 6) << "the retries happened";
  EXPECT_EQ(store_.intents.size(), 3u) << "one intent per operation, however often its transaction ran";
  EXPECT_EQ(LedgerKinds(ledger_),
            (std::vector<OperationKind>{OperationKind::kAuthorize, OperationKind::kCapture, OperationKind::kRefund}));
  EXPECT_EQ(events_.size(), 3u);
}

TEST_F(PaymentsTest, TheSameOperationReachesTheProcessorWithTheSameKey) {
  Payment payment = AuthorizedPayment(5000);
  // A capture whose process dies once the processor answered; the client retries the request.
  std::vector<std::string> capture_keys;
  EXPECT_CALL(processor_, Capture(_, "ref-1", Money{5000, "USD"})).Times(2).WillRepeatedly(
      [&](const std::string& key, auto&&...) { capture_keys.push_back(key); });
  EXPECT_THROW(Crashing().Capture({"cap", payment.id, std::nullopt}), Crash);
  EXPECT_EQ(Stored(payment.id)->status, PaymentStatus::kAuthorized) << "the outcome was never recorded";
  EXPECT_EQ(payments_under_test_.Capture({"cap", payment.id, std::nullopt}).status, PaymentStatus::kCaptured);
  EXPECT_EQ(capture_keys, (std::vector<std::string>{payment.id + ":capture", payment.id + ":capture"}));

  // A refund, crashed the same way, found by the sweeper: it asks about that key, and records.
  std::string refund_key;
  EXPECT_CALL(processor_, Refund(_, "ref-1", Money{1000, "USD"})).WillOnce([&](const std::string& key, auto&&...) {
    refund_key = key;
  });
  EXPECT_THROW(Crashing().Refund({"refund-1", payment.id, Money{1000, "USD"}, ""}), Crash);
  const ProcessorIntent first = OnlyIntent(payment.id, Operation::kRefund);
  EXPECT_EQ(refund_key, payment.id + ":refund:" + first.id);
  EXPECT_EQ(first.processor_key, refund_key);
  now_ += kLease;
  EXPECT_CALL(processor_, Outcome(refund_key)).WillOnce(Return(ProcessorOutcome{Result::kSucceeded, "", ""}));
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
  EXPECT_EQ(Stored(payment.id)->refunded_minor, 1000);

  // One whose answer was lost before the processor got it: the sweeper sends it again, same key.
  std::vector<std::string> resent;
  EXPECT_CALL(processor_, Refund(_, "ref-1", Money{500, "USD"}))
      .WillOnce([&](const std::string& key, auto&&...) {
        resent.push_back(key);
        throw std::runtime_error("connection reset");
      })
      .WillOnce([&](const std::string& key, auto&&...) { resent.push_back(key); });
  EXPECT_THROW(payments_under_test_.Refund({"refund-2", payment.id, Money{500, "USD"}, ""}), Unavailable);
  now_ += kLease;
  EXPECT_CALL(processor_, Outcome(_)).WillOnce(Return(ProcessorOutcome{}));
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
  ASSERT_EQ(resent.size(), 2u);
  EXPECT_EQ(resent[0], resent[1]);
  EXPECT_NE(resent[0], refund_key) << "another refund, another key";
  EXPECT_EQ(Stored(payment.id)->refunded_minor, 1500);
  EXPECT_EQ(LedgerKinds(ledger_), (std::vector<OperationKind>{OperationKind::kAuthorize, OperationKind::kCapture,
                                                              OperationKind::kRefund, OperationKind::kRefund}));
}

TEST_F(PaymentsTest, ACrashAfterTheIssuerApprovedLeavesAPendingPaymentThatOneSweepRecords) {
  std::string key;
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce([&](const std::string& k, auto&&...) {
    key = k;
    return Approved("sim_auth_x");
  });
  EXPECT_THROW(Crashing().Authorize(Authorization()), Crash);
  ASSERT_EQ(payments_.size(), 1u);
  const Payment pending = payments_.begin()->second;
  EXPECT_EQ(pending.status, PaymentStatus::kPending);
  EXPECT_EQ(key, pending.id + ":authorize");
  EXPECT_TRUE(ledger_.empty());
  EXPECT_TRUE(events_.empty());

  EXPECT_CALL(processor_, Outcome(key)).Times(1).WillOnce(Return(ProcessorOutcome{Result::kSucceeded, "sim_auth_x", ""}));
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 0) << "within its lease the intent is the request's";
  now_ += kLease;
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
  const Payment recorded = *Stored(pending.id);
  EXPECT_EQ(recorded.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(recorded.processor_reference, "sim_auth_x");
  EXPECT_EQ(LedgerKinds(ledger_), std::vector<OperationKind>{OperationKind::kAuthorize});
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].kind, PaymentEventKind::kAuthorized);
  EXPECT_EQ(payments_under_test_.ListPayments("order-1"), std::vector<Payment>{recorded});

  now_ += kLease;
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 0) << "a second sweep finds nothing";
  EXPECT_EQ(ledger_.size(), 1u);
  EXPECT_EQ(events_.size(), 1u);
  EXPECT_EQ(payments_under_test_.Authorize(Authorization()), recorded) << "the client's retry replays it";
}

// The first try placed the hold but its answer was lost; the retry meets an outage. That outage
// says nothing about the first try: the payment stays PENDING for the sweeper, never FAILED with
// the money still held at the issuer.
TEST_F(PaymentsTest, AnOutageOnARetryOfALostAuthorizationLeavesItForTheSweeperNotFailed) {
  std::string key;
  EXPECT_CALL(processor_, Authorize(_, _, _))
      .WillOnce([&](const std::string& k, auto&&...) -> AuthorizationResult {
        key = k;
        throw std::runtime_error("connection reset after the request left");
      })
      .WillOnce(Throw(Unavailable("payment processor unavailable")));
  EXPECT_THROW(payments_under_test_.Authorize(Authorization()), Unavailable);
  EXPECT_THROW(payments_under_test_.Authorize(Authorization()), Unavailable) << "the retry meets an outage";
  ASSERT_EQ(payments_.size(), 1u);
  const Payment pending = payments_.begin()->second;
  EXPECT_EQ(pending.status, PaymentStatus::kPending) << "not FAILED: the first try may hold the money";
  EXPECT_TRUE(events_.empty());

  EXPECT_CALL(processor_, Outcome(key)).WillOnce(Return(ProcessorOutcome{Result::kSucceeded, "sim_auth_y", ""}));
  now_ += kLease;
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
  EXPECT_EQ(Stored(pending.id)->status, PaymentStatus::kAuthorized) << "the hold is on the books, not leaked";
}

// Checkout's recovery asks ListPayments whether an interrupted authorization went through, and
// reads "no AUTHORIZED or CAPTURED payment" as "never authorized": a PENDING one must not look
// like that answer.
TEST_F(PaymentsTest, WhileAnAuthorizationIsPendingItsOrderIsUnavailableNotUnauthorized) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Declined("card_declined"))).WillOnce(Return(Approved()));
  Payment declined = payments_under_test_.Authorize(Authorization("first-try"));
  EXPECT_THROW(Crashing().Authorize(Authorization("second-try")), Crash);
  try {
    payments_under_test_.ListPayments("order-1");
    FAIL() << "expected Unavailable";
  } catch (const Unavailable& error) {
    EXPECT_STREQ(error.what(), "the payment's authorization is still being resolved; ask again shortly");
  }
  std::string pending;
  for (const auto& [id, payment] : payments_) {
    if (payment.status == PaymentStatus::kPending) pending = id;
  }
  ASSERT_FALSE(pending.empty());
  EXPECT_THROW(payments_under_test_.GetPayment(pending), Unavailable);
  EXPECT_EQ(payments_under_test_.GetPayment(declined.id), declined) << "the order's other attempts read as ever";
  EXPECT_THROW(by_sweeper_.CaptureOrder("order-1"), Unavailable) << "a capture waits for the answer";
}

TEST_F(PaymentsTest, AnApprovalFoundAfterTheOrderEndedIsVoidedAtOnceWithTheOrdersKey) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce(Return(Approved("ref-1")));
  EXPECT_THROW(Crashing().Authorize(Authorization()), Crash);
  const std::string id = payments_.begin()->first;
  // OrderFailed is handled meanwhile: the order is closed, the PENDING payment left alone.
  auto closed = by_sweeper_.CloseOrder("order-1", OrderEnd::kFailed, "payment timed out");
  EXPECT_EQ(closed.outcome, OrderPaymentOutcome::kNothingToDo);
  EXPECT_EQ(closed.payment->status, PaymentStatus::kPending);

  now_ += kLease;
  EXPECT_CALL(processor_, Outcome(id + ":authorize")).WillOnce(Return(ProcessorOutcome{Result::kSucceeded, "ref-1", ""}));
  EXPECT_CALL(processor_, Void(id + ":void", "ref-1")).Times(1);
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
  EXPECT_EQ(Stored(id)->status, PaymentStatus::kVoided);
  EXPECT_EQ(LedgerKinds(ledger_), (std::vector<OperationKind>{OperationKind::kAuthorize, OperationKind::kVoid}));
  EXPECT_EQ(ledger_[1].idempotency_key, "void:order-1") << "the key the closing itself uses";
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[1].kind, PaymentEventKind::kVoided);

  // OrderFailed redelivered, and later sweeps: nothing more.
  EXPECT_EQ(by_sweeper_.CloseOrder("order-1", OrderEnd::kFailed, "payment timed out").outcome,
            OrderPaymentOutcome::kNothingToDo);
  now_ += kLease;
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 0);
  EXPECT_EQ(ledger_.size(), 2u);
}

TEST_F(PaymentsTest, AnOrderEndingWhileTheIssuerIsAskedHasTheApprovalVoidedAtOnce) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce([&](auto&&...) {
    // OrderFailed is handled while the issuer is being asked: nothing holds the order's lock.
    EXPECT_EQ(by_sweeper_.CloseOrder("order-1", OrderEnd::kFailed, "payment timed out").outcome,
              OrderPaymentOutcome::kNothingToDo);
    return Approved("ref-1");
  });
  EXPECT_CALL(processor_, Void(_, "ref-1")).Times(1);
  Payment payment = payments_under_test_.Authorize(Authorization());
  EXPECT_EQ(payment.status, PaymentStatus::kVoided);
  EXPECT_EQ(LedgerKinds(ledger_), (std::vector<OperationKind>{OperationKind::kAuthorize, OperationKind::kVoid}));
  EXPECT_EQ(ledger_[1].idempotency_key, "void:order-1");
}

TEST_F(PaymentsTest, AnAuthorizationTheProcessorNeverSawIsGivenUpAsFailedAndTheSameKeyMayTryAgain) {
  std::vector<std::string> keys;
  EXPECT_CALL(processor_, Authorize(_, _, _))
      .WillOnce([&](const std::string& key, auto&&...) -> AuthorizationResult {
        keys.push_back(key);
        throw std::runtime_error("connection reset");  // sent or not: nobody knows
      })
      .WillOnce([&](const std::string& key, auto&&...) {
        keys.push_back(key);
        return Approved();
      });
  try {
    payments_under_test_.Authorize(Authorization());
    FAIL() << "expected Unavailable";
  } catch (const Unavailable& error) {
    EXPECT_STREQ(error.what(), "the payment processor's answer was lost; the authorize is being resolved");
  }
  const std::string id = payments_.begin()->first;
  EXPECT_EQ(Stored(id)->status, PaymentStatus::kPending);
  EXPECT_EQ(OnlyIntent(id, Operation::kAuthorize).last_error, "connection reset");

  now_ += kLease;
  EXPECT_CALL(processor_, Outcome(id + ":authorize")).WillOnce(Return(ProcessorOutcome{}));
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
  EXPECT_EQ(Stored(id)->status, PaymentStatus::kFailed);
  EXPECT_EQ(LedgerKinds(ledger_), std::vector<OperationKind>{OperationKind::kAuthorizeFailed});
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].kind, PaymentEventKind::kFailed);

  Payment retried = payments_under_test_.Authorize(Authorization());
  EXPECT_EQ(retried.id, id);
  EXPECT_EQ(retried.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(keys, (std::vector<std::string>{id + ":authorize", id + ":authorize"})) << "the same hold asked for";
}

// The request's call outlives its lease; the sweeper takes the intent over meanwhile, learns the
// outcome from the processor and records it. The request, answered at last, finds it recorded and
// writes nothing more: one ledger row, one event.
TEST_F(PaymentsTest, TheRequestAndTheSweeperRacingRecordTheOutcomeOnce) {
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce([&](const std::string& key, auto&&...) {
    now_ += kLease;
    EXPECT_CALL(processor_, Outcome(key)).WillOnce(Return(ProcessorOutcome{Result::kSucceeded, "ref-1", ""}));
    EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
    return Approved("ref-1");
  });
  Payment payment = payments_under_test_.Authorize(Authorization());
  EXPECT_EQ(payment.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(LedgerKinds(ledger_), std::vector<OperationKind>{OperationKind::kAuthorize});
  EXPECT_EQ(events_.size(), 1u);

  // The same with a capture: the sweeper's lookup and the request's own call, one capture recorded.
  EXPECT_CALL(processor_, Capture(_, _, _)).WillOnce([&](const std::string& key, auto&&...) {
    now_ += kLease;
    EXPECT_CALL(processor_, Outcome(key)).WillOnce(Return(ProcessorOutcome{Result::kSucceeded, "", ""}));
    EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
  });
  EXPECT_EQ(payments_under_test_.Capture({"cap", payment.id, std::nullopt}).status, PaymentStatus::kCaptured);
  EXPECT_EQ(LedgerKinds(ledger_), (std::vector<OperationKind>{OperationKind::kAuthorize, OperationKind::kCapture}));
  EXPECT_EQ(events_.size(), 2u);
}

TEST_F(PaymentsTest, AnApprovalArrivingAfterTheSweeperGaveUpIsStillRecorded) {
  EXPECT_CALL(processor_, Outcome(_)).WillOnce(Return(ProcessorOutcome{}));  // not seen yet
  EXPECT_CALL(processor_, Authorize(_, _, _)).WillOnce([&](auto&&...) {
    now_ += kLease;  // the call outlives its lease, and a sweep gives the attempt up meanwhile
    EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
    return Approved("ref-late");
  });
  Payment payment = payments_under_test_.Authorize(Authorization());
  EXPECT_EQ(payment.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(payment.processor_reference, "ref-late");
  EXPECT_EQ(LedgerKinds(ledger_),
            (std::vector<OperationKind>{OperationKind::kAuthorizeFailed, OperationKind::kAuthorize}));
}

TEST_F(PaymentsTest, TheEventHandlersUseCasesRecordIntentsAndTheSweeperCarriesThemOut) {
  Payment payment = AuthorizedPayment(5000);
  EXPECT_CALL(processor_, Capture(_, _, _)).Times(0);
  auto dispatched = by_sweeper_.CaptureOrder("order-1");
  EXPECT_EQ(dispatched.outcome, OrderPaymentOutcome::kDone);
  EXPECT_EQ(dispatched.operation, Operation::kCapture);
  EXPECT_EQ(dispatched.payment->status, PaymentStatus::kAuthorized) << "recorded, not done";
  EXPECT_EQ(OnlyIntent(payment.id, Operation::kCapture).next_attempt_at, now_) << "due at once";
  EXPECT_EQ(by_sweeper_.CaptureOrder("order-1").outcome, OrderPaymentOutcome::kDone) << "a redelivery replays";
  ::testing::Mock::VerifyAndClearExpectations(&processor_);

  EXPECT_CALL(processor_, Outcome(payment.id + ":capture")).WillOnce(Return(ProcessorOutcome{}));
  EXPECT_CALL(processor_, Capture(payment.id + ":capture", "ref-1", Money{5000, "USD"})).Times(1);
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
  EXPECT_EQ(Stored(payment.id)->status, PaymentStatus::kCaptured);
  EXPECT_EQ(ledger_.back().idempotency_key, "capture:order-1");
  EXPECT_EQ(by_sweeper_.CaptureOrder("order-1").outcome, OrderPaymentOutcome::kAlreadyDone);
}

TEST_F(PaymentsTest, ACaptureOrVoidInProgressHoldsTheOtherOffAndRefundsInProgressCountAsGivenBack) {
  Payment payment = AuthorizedPayment(5000);
  by_sweeper_.Capture({"cap", payment.id, std::nullopt});  // recorded, not carried out yet
  EXPECT_THROW(payments_under_test_.Void({"void", payment.id}), Unavailable);
  EXPECT_THROW(payments_under_test_.Capture({"cap-2", payment.id, Money{100, "USD"}}), Unavailable);
  EXPECT_THROW(by_sweeper_.CloseOrder("order-1", OrderEnd::kCancelled, ""), Unavailable)
      << "the consumer tries the event again once the capture is done";

  EXPECT_CALL(processor_, Outcome(_)).WillRepeatedly(Return(ProcessorOutcome{}));
  EXPECT_CALL(processor_, Capture(_, _, _)).Times(1);
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 1);
  by_sweeper_.Refund({"r1", payment.id, Money{2000, "USD"}, ""});
  by_sweeper_.Refund({"r2", payment.id, Money{2000, "USD"}, ""});
  EXPECT_THROW(payments_under_test_.Refund({"r3", payment.id, Money{1001, "USD"}, ""}), InvalidArgument)
      << "4000 of the 5000 are being refunded";
  // The redelivered cancellation refunds what is left beside them.
  auto released = by_sweeper_.CloseOrder("order-1", OrderEnd::kCancelled, "");
  EXPECT_EQ(released.operation, Operation::kRefund);
  EXPECT_THROW(by_sweeper_.Refund({"r4", payment.id, std::nullopt, ""}), Unavailable) << "nothing left once done";
  EXPECT_CALL(processor_, Refund(_, _, _)).Times(3);
  EXPECT_EQ(payments_under_test_.ResolveDueIntents(), 3);
  EXPECT_EQ(Stored(payment.id)->status, PaymentStatus::kRefunded);
  EXPECT_EQ(Stored(payment.id)->refunded_minor, 5000);
}

TEST_F(PaymentsTest, AProcessorRefusalIsFailedPreconditionAndARetryHearsItAgain) {
  Payment payment = AuthorizedPayment();
  EXPECT_CALL(processor_, Capture(_, _, _)).Times(1).WillOnce(Throw(ProcessorRefused("authorization_expired")));
  try {
    payments_under_test_.Capture({"cap", payment.id, std::nullopt});
    FAIL() << "expected FailedPrecondition";
  } catch (const FailedPrecondition& error) {
    EXPECT_STREQ(error.what(), "the card processor refused the capture (authorization_expired)");
  }
  EXPECT_EQ(Stored(payment.id)->status, PaymentStatus::kAuthorized);
  EXPECT_EQ(OnlyIntent(payment.id, Operation::kCapture).state, IntentState::kFailed);
  EXPECT_THROW(payments_under_test_.Capture({"cap", payment.id, std::nullopt}), FailedPrecondition);
  EXPECT_EQ(events_.size(), 1u) << "only the authorization was announced";
}

}  // namespace
}  // namespace storefront::payments::domain
