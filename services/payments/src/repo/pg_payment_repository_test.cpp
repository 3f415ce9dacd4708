// The use cases over the PostgreSQL repository and the simulated processor, against a real
// PostgreSQL with the real migrations: the state machine, idempotency (sequential and
// concurrent), each test card, the outbox row each change writes in its own transaction, and
// proof that no card number is stored anywhere, the outbox included.
#include "repo/pg_payment_repository.h"

#include <gtest/gtest.h>

#include <cctype>

#include <atomic>
#include <barrier>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "domain/payments.h"
#include "shared/events/topics.h"
#include "shared/testing/outbox_rows.h"
#include "shared/testing/postgres.h"
#include "shared/types/uuid.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "testing/fixture.h"

namespace storefront::payments::repo {
namespace {

using namespace std::chrono;
using domain::OperationKind;
using domain::Payment;
using domain::PaymentStatus;
using storefront::testing::EventTypes;
using storefront::testing::OutboxRows;
using storefront::testing::SharedPostgres;
using testing::Await;
using testing::AwaitLockWaiters;
using testing::CountingProcessor;
using testing::IntentOf;
using testing::ProcessorActions;
using testing::Types;
namespace ev = storefront::events::v1;
namespace types = storefront::events::types;

class PgPaymentRepositoryTest : public testing::PaymentsDbTest {
 protected:
  // Keys and orders unique to this test, so tests sharing the database never collide.
  std::string Unique(const std::string& name) { return prefix_ + name; }

  domain::AuthorizeRequest Authorization(const std::string& key, const char* number = "4242 4242 4242 4242",
                                         std::int64_t amount = 5000) {
    return {Unique(key), Unique("order"), "customer-1", domain::Money{amount, "USD"},
            domain::Card{number, 12, 2030, "123"}};
  }

  Payment Authorized(std::int64_t amount = 5000) {
    auto payment = payments_.Authorize(Authorization("auth-" + std::to_string(++count_), "4242424242424242", amount));
    EXPECT_EQ(payment.status, PaymentStatus::kAuthorized);
    return payment;
  }

  int CountRows(const std::string& sql, const std::string& param) {
    pqxx::connection connection(SharedPostgres().Dsn("payments"));
    pqxx::nontransaction txn(connection);
    return txn.exec_params(sql, param)[0][0].as<int>();
  }

  std::string prefix_ = storefront::types::NewUuid() + ":";
  int count_ = 0;
  domain::Timestamp now_ = sys_days{2027y / March / 15} + 9h;
  db::Pool pool_{SharedPostgres().Dsn("payments"), 8, std::chrono::seconds(10), PgPaymentRepository::Prepare};
  PgPaymentRepository repo_{pool_};
  CountingProcessor processor_{pool_};
  domain::Payments payments_{repo_, processor_, [this] { return now_; }};
};

TEST_F(PgPaymentRepositoryTest, MigratingAgainChangesNothing) {
  pqxx::connection connection(SharedPostgres().Dsn("payments"));
  EXPECT_TRUE(db::Migrate(connection, "payments", AllMigrations()).applied.empty());
}

TEST_F(PgPaymentRepositoryTest, AuthorizeCaptureAndRefundInPartsThenInFull) {
  Payment authorized = Authorized(5000);
  EXPECT_EQ(payments_.GetPayment(authorized.id), authorized) << "reads back exactly as returned";

  now_ += 1h;
  Payment captured = payments_.Capture({Unique("capture"), authorized.id, domain::Money{4000, "USD"}});
  EXPECT_EQ(captured.status, PaymentStatus::kCaptured);
  EXPECT_EQ(captured.captured_minor, 4000);
  EXPECT_EQ(captured.captured_at, now_);

  now_ += 1h;
  Payment partly = payments_.Refund({Unique("refund-1"), authorized.id, domain::Money{1500, "USD"}, "one broken"});
  EXPECT_EQ(partly.status, PaymentStatus::kPartiallyRefunded);
  EXPECT_EQ(partly.refunded_minor, 1500);
  EXPECT_THROW(payments_.Refund({Unique("refund-x"), authorized.id, domain::Money{2501, "USD"}, ""}), InvalidArgument);

  now_ += 1h;
  Payment refunded = payments_.Refund({Unique("refund-2"), authorized.id, std::nullopt, ""});
  EXPECT_EQ(refunded.status, PaymentStatus::kRefunded);
  EXPECT_EQ(refunded.refunded_minor, 4000);
  EXPECT_EQ(refunded.last_refunded_at, now_);
  EXPECT_EQ(payments_.GetPayment(authorized.id), refunded);
  EXPECT_THROW(payments_.Refund({Unique("refund-3"), authorized.id, std::nullopt, ""}), FailedPrecondition);

  auto ledger = repo_.Operations(authorized.id);
  ASSERT_EQ(ledger.size(), 4u);
  EXPECT_EQ(ledger[0].kind, OperationKind::kAuthorize);
  EXPECT_EQ(ledger[1].kind, OperationKind::kCapture);
  EXPECT_EQ(ledger[1].amount_minor, 4000);
  EXPECT_EQ(ledger[2].kind, OperationKind::kRefund);
  EXPECT_EQ(ledger[2].amount_minor, 1500);
  EXPECT_EQ(ledger[2].detail, "one broken");
  EXPECT_EQ(ledger[3].amount_minor, 2500);
  EXPECT_EQ(ledger[3].at, now_);
}

TEST_F(PgPaymentRepositoryTest, WrongStatesAreFailedPrecondition) {
  Payment payment = Authorized();
  EXPECT_THROW(payments_.Refund({Unique("r"), payment.id, std::nullopt, ""}), FailedPrecondition);
  Payment voided = payments_.Void({Unique("void"), payment.id});
  EXPECT_EQ(voided.status, PaymentStatus::kVoided);
  EXPECT_TRUE(voided.voided_at);
  EXPECT_THROW(payments_.Capture({Unique("c"), payment.id, std::nullopt}), FailedPrecondition);
  EXPECT_THROW(payments_.Void({Unique("void-2"), payment.id}), FailedPrecondition);

  Payment captured = Authorized();
  payments_.Capture({Unique("c2"), captured.id, std::nullopt});
  EXPECT_THROW(payments_.Capture({Unique("c3"), captured.id, std::nullopt}), FailedPrecondition);
  EXPECT_THROW(payments_.Void({Unique("void-3"), captured.id}), FailedPrecondition);
  EXPECT_THROW(payments_.Capture({Unique("c4"), "00000000-0000-4000-8000-000000000000", std::nullopt}), NotFound);
  EXPECT_EQ(repo_.Operations(payment.id).size(), 2u);  // authorize, void
}

TEST_F(PgPaymentRepositoryTest, ARetriedAuthorizeChargesOnceAndADifferentRequestIsRefused) {
  Payment first = payments_.Authorize(Authorization("key"));
  Payment again = payments_.Authorize(Authorization("key"));
  EXPECT_EQ(again, first);
  EXPECT_EQ(processor_.authorizations.load(), 1);

  EXPECT_THROW(payments_.Authorize(Authorization("key", "4242 4242 4242 4242", 6000)), AlreadyExists);
  EXPECT_THROW(payments_.Authorize(Authorization("key", "5555 5555 5555 4444")), AlreadyExists);
  auto other_order = Authorization("key");
  other_order.order_id = Unique("other-order");
  EXPECT_THROW(payments_.Authorize(other_order), AlreadyExists);
  EXPECT_EQ(processor_.authorizations.load(), 1);
  EXPECT_EQ(payments_.ListPayments(Unique("order")).size(), 1u);
  EXPECT_EQ(CountRows("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = $1", Unique("key")), 1);

  // Capture and refund replay too, without a second call to the processor.
  Payment captured = payments_.Capture({Unique("cap"), first.id, std::nullopt});
  EXPECT_EQ(payments_.Capture({Unique("cap"), first.id, std::nullopt}), captured);
  EXPECT_EQ(processor_.captures.load(), 1);
  Payment refunded = payments_.Refund({Unique("ref"), first.id, domain::Money{100, "USD"}, ""});
  EXPECT_EQ(payments_.Refund({Unique("ref"), first.id, domain::Money{100, "USD"}, ""}).refunded_minor, 100);
  EXPECT_THROW(payments_.Refund({Unique("ref"), first.id, domain::Money{200, "USD"}, ""}), AlreadyExists);
  EXPECT_EQ(processor_.refunds.load(), 1);
  EXPECT_EQ(refunded.refunded_minor, 100);
}

// What concurrent requests got: the payments returned and the errors thrown.
struct Outcomes {
  std::vector<Payment> payments;
  std::vector<std::string> errors;
};

// Sends `request` from `count` threads released together, and waits for all of them.
Outcomes SendTogether(int count, const std::function<Payment()>& request) {
  std::barrier start(count);
  std::mutex mutex;
  Outcomes outcomes;
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      try {
        Payment payment = request();
        std::lock_guard lock(mutex);
        outcomes.payments.push_back(std::move(payment));
      } catch (const std::exception& error) {
        std::lock_guard lock(mutex);
        outcomes.errors.push_back(error.what());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return outcomes;
}

// Duplicates of one Authorize meet on the order's lock and the key: the first records the intent
// and asks the issuer; the others find it pending and ask again with the same processor key, and
// the processor answers them with its first outcome. The first call to reach the processor pauses
// until all the others have returned, so they really overlapped with it (no lock is held across
// the call any more, so nobody waits on one: they finish). The processor's books show one hold.
TEST_F(PgPaymentRepositoryTest, ConcurrentDuplicatesChargeOnce) {
  constexpr int kThreads = 8;
  std::atomic<int> returned{0};
  bool overlapped = false;
  processor_.pause = [&] { overlapped = Await([&] { return returned.load() == kThreads - 1; }); };
  const Outcomes outcomes = SendTogether(kThreads, [&] {
    try {
      Payment payment = payments_.Authorize(Authorization("concurrent"));
      ++returned;
      return payment;
    } catch (...) {
      ++returned;
      throw;
    }
  });
  EXPECT_TRUE(overlapped) << "the duplicates never ran while the first call was in the processor";
  EXPECT_TRUE(outcomes.errors.empty()) << outcomes.errors.front();
  std::set<std::string> ids;
  for (const auto& payment : outcomes.payments) {
    ids.insert(payment.id);
    EXPECT_EQ(payment.status, PaymentStatus::kAuthorized);
  }
  ASSERT_EQ(ids.size(), 1u) << "every duplicate got the same payment";
  EXPECT_EQ(ProcessorActions(*ids.begin()), std::vector<std::string>{"authorize succeeded"}) << "one hold";
  EXPECT_EQ(payments_.ListPayments(Unique("order")).size(), 1u);
  EXPECT_EQ(repo_.Operations(*ids.begin()).size(), 1u);
}

// Capture, void and refund take no order lock (Authorize's duplicates above queue on it first):
// their duplicates meet on the idempotency key, then on the pending intent, whose processor key
// makes the processor give back once.
TEST_F(PgPaymentRepositoryTest, ConcurrentDuplicateRefundsGiveBackOnce) {
  Payment payment = Authorized(8000);
  payments_.Capture({Unique("cap"), payment.id, std::nullopt});
  constexpr int kThreads = 6;
  std::atomic<int> returned{0};
  bool overlapped = false;
  processor_.pause = [&] { overlapped = Await([&] { return returned.load() == kThreads - 1; }); };
  const Outcomes outcomes = SendTogether(kThreads, [&] {
    try {
      Payment after = payments_.Refund({Unique("one-refund"), payment.id, domain::Money{1000, "USD"}, "broken"});
      ++returned;
      return after;
    } catch (...) {
      ++returned;
      throw;
    }
  });
  EXPECT_TRUE(overlapped) << "the duplicates never ran while the first call was in the processor";
  EXPECT_TRUE(outcomes.errors.empty()) << outcomes.errors.front();
  std::set<std::int64_t> refunded;
  for (const auto& after : outcomes.payments) refunded.insert(after.refunded_minor);
  EXPECT_EQ(refunded, std::set<std::int64_t>{1000}) << "every duplicate got the one refund back";
  EXPECT_EQ(ProcessorActions(payment.id),
            (std::vector<std::string>{"authorize succeeded", "capture succeeded", "refund succeeded"}))
      << "given back once";
  EXPECT_EQ(payments_.GetPayment(payment.id).refunded_minor, 1000);
  EXPECT_EQ(repo_.Operations(payment.id).size(), 3u);
}

// Refunds with different keys: each records its amount as in flight under the payment's row lock,
// so what they ask for together never exceeds what was captured, though all but one run while the
// first is still inside the processor (it pauses until they have returned).
TEST_F(PgPaymentRepositoryTest, ConcurrentRefundsNeverExceedTheCapturedAmount) {
  Payment payment = Authorized(4000);
  payments_.Capture({Unique("cap"), payment.id, std::nullopt});
  constexpr int kThreads = 6;  // each asks for 1000 of the 4000 captured
  std::atomic<int> returned{0};
  bool overlapped = false;
  processor_.pause = [&] { overlapped = Await([&] { return returned.load() == kThreads - 1; }); };
  std::barrier start(kThreads);
  std::atomic<int> refunded{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        payments_.Refund({Unique("refund-" + std::to_string(i)), payment.id, domain::Money{1000, "USD"}, ""});
        ++refunded;
      } catch (const InvalidArgument&) {
        ++refused;
      } catch (const FailedPrecondition&) {
        ++refused;
      } catch (const std::exception&) {
        ++failed;
      }
      ++returned;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(overlapped) << "the refunds never ran while the first was in the processor";
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(refunded.load(), 4);
  EXPECT_EQ(refused.load(), 2);
  Payment after = payments_.GetPayment(payment.id);
  EXPECT_EQ(after.status, PaymentStatus::kRefunded);
  EXPECT_EQ(after.refunded_minor, 4000);
}

TEST_F(PgPaymentRepositoryTest, EachTestCardBehavesAsDocumented) {
  Payment visa = payments_.Authorize(Authorization("approved", "4242 4242 4242 4242"));
  EXPECT_EQ(visa.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(visa.card_brand, domain::CardBrand::kVisa);
  EXPECT_EQ(visa.card_last4, "4242");

  Payment declined = payments_.Authorize(Authorization("declined", "4000 0000 0000 0002"));
  EXPECT_EQ(declined.status, PaymentStatus::kDeclined);
  EXPECT_EQ(declined.decline_code, "card_declined");
  EXPECT_EQ(payments_.GetPayment(declined.id), declined);

  Payment broke = payments_.Authorize(Authorization("funds", "4000-0000-0000-9995"));
  EXPECT_EQ(broke.status, PaymentStatus::kDeclined);
  EXPECT_EQ(broke.decline_code, "insufficient_funds");
  EXPECT_EQ(repo_.Operations(broke.id).at(0).kind, OperationKind::kDecline);

  const int before = processor_.authorizations.load();
  EXPECT_THROW(payments_.Authorize(Authorization("outage", "4000 0000 0000 0119")), Unavailable);
  Payment failed;
  for (const auto& p : payments_.ListPayments(Unique("order"))) {
    if (p.card_last4 == "0119") failed = p;
  }
  EXPECT_EQ(failed.status, PaymentStatus::kFailed);
  EXPECT_EQ(repo_.Operations(failed.id).at(0).kind, OperationKind::kAuthorizeFailed);
  // The same key may try again: the processor is asked again (and is still down).
  EXPECT_THROW(payments_.Authorize(Authorization("outage", "4000 0000 0000 0119")), Unavailable);
  EXPECT_EQ(processor_.authorizations.load(), before + 2);
  EXPECT_EQ(repo_.Operations(failed.id).size(), 2u);
  EXPECT_EQ(payments_.GetPayment(failed.id).status, PaymentStatus::kFailed);

  Payment mastercard = payments_.Authorize(Authorization("other", "5555 5555 5555 4444"));
  EXPECT_EQ(mastercard.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(mastercard.card_brand, domain::CardBrand::kMastercard);
  Payment unbranded = payments_.Authorize(Authorization("unbranded", "6200000000000005"));
  EXPECT_EQ(unbranded.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(unbranded.card_brand, domain::CardBrand::kUnknown);

  const std::size_t stored = payments_.ListPayments(Unique("order")).size();
  try {
    payments_.Authorize(Authorization("luhn", "4242 4242 4242 4241"));
    FAIL() << "a number failing Luhn must be rejected";
  } catch (const InvalidArgument& error) {
    EXPECT_EQ(error.violations().at(0).field, "card.number");
  }
  EXPECT_EQ(payments_.ListPayments(Unique("order")).size(), stored) << "nothing recorded for a bad request";
}

TEST_F(PgPaymentRepositoryTest, AnExpiredCardIsDeclinedAndRecorded) {
  auto request = Authorization("expired");
  request.card->exp_month = 2;
  request.card->exp_year = 2027;  // the clock says March 2027
  const int before = processor_.authorizations.load();
  Payment payment = payments_.Authorize(request);
  EXPECT_EQ(payment.status, PaymentStatus::kDeclined);
  EXPECT_EQ(payment.decline_code, "expired_card");
  EXPECT_EQ(processor_.authorizations.load(), before);
  EXPECT_EQ(payments_.GetPayment(payment.id), payment);
}

TEST_F(PgPaymentRepositoryTest, TheDeclineLimitCountsTheCustomersRecentDeclinesOnly) {
  domain::Payments limited{repo_, processor_, [this] { return now_; }, storefront::types::NewUuid,
                           {.decline_limit = 2, .decline_window = std::chrono::minutes(10)}};
  auto attempt = [&](const std::string& key, const std::string& customer, const char* number) {
    auto request = Authorization(key, number);
    request.customer_id = customer;
    return limited.Authorize(request);
  };
  // Customer ids are the kernel's (letters, digits, - and _), so not Unique()'s "<uuid>:name".
  const std::string tester = "tester-" + storefront::types::NewUuid(), other = "other-" + storefront::types::NewUuid();
  const auto start = now_;
  EXPECT_EQ(attempt("d1", tester, "4000 0000 0000 0002").decline_code, "card_declined");
  EXPECT_EQ(attempt("o1", other, "4000 0000 0000 0002").decline_code, "card_declined");
  EXPECT_EQ(attempt("ok", tester, "4242 4242 4242 4242").status, PaymentStatus::kAuthorized)
      << "another customer's decline was counted";
  now_ += std::chrono::minutes(5);
  EXPECT_EQ(attempt("d2", tester, "4000-0000-0000-9995").decline_code, "insufficient_funds");

  const int asked = processor_.authorizations.load();
  now_ += std::chrono::minutes(1);
  Payment blocked = attempt("d3", tester, "4242 4242 4242 4242");
  EXPECT_EQ(blocked.decline_code, "too_many_declines");
  EXPECT_EQ(processor_.authorizations.load(), asked) << "the issuer was asked";
  EXPECT_EQ(payments_.GetPayment(blocked.id), blocked);
  EXPECT_EQ(repo_.Operations(blocked.id).at(0).detail, "too_many_declines");
  EXPECT_EQ(attempt("o2", other, "4242 4242 4242 4242").status, PaymentStatus::kAuthorized);

  now_ = start + std::chrono::minutes(10) + std::chrono::seconds(1);  // d1 has left the window
  EXPECT_EQ(attempt("d4", tester, "4242 4242 4242 4242").status, PaymentStatus::kAuthorized);
}

TEST_F(PgPaymentRepositoryTest, ListsAnOrdersPaymentsNewestFirst) {
  Payment older = payments_.Authorize(Authorization("first", "4000 0000 0000 0002"));
  now_ += 1min;
  Payment newer = payments_.Authorize(Authorization("second"));
  auto listed = payments_.ListPayments(Unique("order"));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, newer.id);
  EXPECT_EQ(listed[1].id, older.id);
  EXPECT_TRUE(payments_.ListPayments(Unique("no-such-order")).empty());
}

TEST_F(PgPaymentRepositoryTest, NoCardNumberIsStoredInAnyColumnOfAnyTable) {
  const std::vector<std::pair<std::string, std::string>> cards = {
      {"4242 4242 4242 4242", "4242424242424242"}, {"4000-0000-0000-0002", "4000000000000002"},
      {"4000000000009995", "4000000000009995"},    {"4000 0000 0000 0119", "4000000000000119"},
      {"5555 5555 5555 4444", "5555555555554444"}, {"3782 822463 10005", "378282246310005"}};
  int n = 0;
  for (const auto& [typed, digits] : cards) {
    auto request = Authorization("scan-" + std::to_string(++n), typed.c_str());
    request.card->cvc = "9731";
    try {
      Payment payment = payments_.Authorize(request);
      if (payment.status == PaymentStatus::kAuthorized) {
        payments_.Capture({Unique("scan-capture-" + std::to_string(n)), payment.id, std::nullopt});
        payments_.Refund({Unique("scan-refund-" + std::to_string(n)), payment.id, domain::Money{100, "USD"}, "test"});
      }
    } catch (const Unavailable&) {
      // the outage card: recorded as FAILED
    }
  }

  pqxx::connection connection(SharedPostgres().Dsn("payments"));
  pqxx::nontransaction txn(connection);
  auto columns = txn.exec(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'payments'"
      " ORDER BY table_name, ordinal_position");
  std::set<std::string> tables;
  int scanned = 0;
  for (const auto& column : columns) {
    const std::string table = column[0].as<std::string>();
    const std::string name = column[1].as<std::string>();
    tables.insert(table);
    ++scanned;
    // Every column, whatever its type, as text: nothing may hold a full number, with or without
    // separators, or the digits before the last four.
    for (const auto& [typed, digits] : cards) {
      const std::string middle = digits.substr(0, digits.size() - 4);
      auto hits = txn.exec_params("SELECT count(*) FROM payments." + txn.quote_name(table) + " WHERE " +
                                      txn.quote_name(name) + "::text LIKE '%' || $1 || '%' OR " +
                                      txn.quote_name(name) + "::text LIKE '%' || $2 || '%' OR " +
                                      txn.quote_name(name) + "::text LIKE '%' || $3 || '%'",
                                  digits, typed, middle)[0][0]
                      .as<int>();
      EXPECT_EQ(hits, 0) << "a card number in payments." << table << "." << name;
    }
  }
  EXPECT_TRUE(tables.count("payments") && tables.count("payment_operations") && tables.count("idempotency_keys") &&
              tables.count("outbox"));
  // The outbox's envelopes are bytes, which ::text shows as hex: read them as the bytes they are.
  for (const auto& [typed, digits] : cards) {
    const std::string middle = digits.substr(0, digits.size() - 4);
    EXPECT_EQ(txn.exec_params("SELECT count(*) FROM payments.outbox WHERE position($1::bytea IN envelope) > 0 OR "
                              "position($2::bytea IN envelope) > 0 OR position($3::bytea IN envelope) > 0",
                              pqxx::binarystring(digits), pqxx::binarystring(typed), pqxx::binarystring(middle))[0][0]
                  .as<int>(),
              0)
        << "a card number in an event";
  }
  EXPECT_GE(OutboxRows(txn, "payments", Unique("order")).size(), 10u) << "the events were there to be searched";
  EXPECT_GT(scanned, 25);
  // The scan is not vacuous: the last four digits are there.
  EXPECT_GE(txn.exec_params("SELECT count(*) FROM payments WHERE card_last4 = $1 AND order_id = $2", "4242",
                            Unique("order"))[0][0]
                .as<int>(),
            1);
}

// --- The outbox: each change announces itself in its own transaction -----------------------------

TEST_F(PgPaymentRepositoryTest, EachChangeWritesItsEventToTheOutboxKeyedByTheOrder) {
  const std::string dsn = SharedPostgres().Dsn("payments");
  const std::string order = Unique("order");
  Payment payment = payments_.Authorize(Authorization("events-auth", "5555 5555 5555 4444", 5000));
  payments_.Authorize(Authorization("events-auth", "5555 5555 5555 4444", 5000));  // a replay: no event
  auto rows = OutboxRows(dsn, "payments", order);
  ASSERT_EQ(EventTypes(rows), Types({types::kPaymentAuthorized}));
  EXPECT_EQ(rows[0].topic, storefront::events::kPaymentTopic);
  EXPECT_EQ(rows[0].key, order);
  EXPECT_EQ(rows[0].envelope.aggregate_type(), "payment");
  EXPECT_EQ(rows[0].envelope.producer(), "payments");
  auto authorized = rows[0].PayloadAs<ev::PaymentAuthorized>();
  EXPECT_EQ(authorized.payment_id(), payment.id);
  EXPECT_EQ(authorized.order_id(), order);
  EXPECT_EQ(authorized.customer_id(), "customer-1");
  EXPECT_EQ(authorized.amount().amount_minor(), 5000);
  EXPECT_EQ(authorized.amount().currency(), "USD");
  EXPECT_EQ(authorized.card_brand(), "mastercard");
  EXPECT_EQ(authorized.card_last4(), "4444");

  payments_.Capture({Unique("events-capture"), payment.id, domain::Money{4000, "USD"}});
  payments_.Capture({Unique("events-capture"), payment.id, domain::Money{4000, "USD"}});  // replay
  EXPECT_THROW(payments_.Capture({Unique("events-capture-2"), payment.id, std::nullopt}), FailedPrecondition);
  payments_.Refund({Unique("events-refund-1"), payment.id, domain::Money{1500, "USD"}, "one broken"});
  payments_.Refund({Unique("events-refund-2"), payment.id, std::nullopt, ""});
  rows = OutboxRows(dsn, "payments", order);
  ASSERT_EQ(EventTypes(rows), Types({types::kPaymentAuthorized, types::kPaymentCaptured, types::kPaymentRefunded,
                                     types::kPaymentRefunded}));
  EXPECT_EQ(rows[1].PayloadAs<ev::PaymentCaptured>().amount().amount_minor(), 4000);
  auto partly = rows[2].PayloadAs<ev::PaymentRefunded>();
  EXPECT_EQ(partly.amount().amount_minor(), 1500);
  EXPECT_EQ(partly.refunded_amount().amount_minor(), 1500);
  EXPECT_FALSE(partly.fully_refunded());
  EXPECT_EQ(partly.reason(), "one broken");
  auto rest = rows[3].PayloadAs<ev::PaymentRefunded>();
  EXPECT_EQ(rest.amount().amount_minor(), 2500);
  EXPECT_EQ(rest.refunded_amount().amount_minor(), 4000);
  EXPECT_TRUE(rest.fully_refunded());

  Payment held = Authorized(700);
  payments_.Void({Unique("events-void"), held.id});
  rows = OutboxRows(dsn, "payments", order);
  ASSERT_EQ(rows.back().event_type, types::kPaymentVoided);
  EXPECT_EQ(rows.back().PayloadAs<ev::PaymentVoided>().amount().amount_minor(), 700);
  EXPECT_EQ(rows.back().PayloadAs<ev::PaymentVoided>().payment_id(), held.id);
}

TEST_F(PgPaymentRepositoryTest, ADeclineAndAnOutageAnnouncePaymentFailed) {
  const std::string dsn = SharedPostgres().Dsn("payments");
  payments_.Authorize(Authorization("failed-decline", "4000 0000 0000 9995"));
  EXPECT_THROW(payments_.Authorize(Authorization("failed-outage", "4000 0000 0000 0119")), Unavailable);
  auto rows = OutboxRows(dsn, "payments", Unique("order"));
  ASSERT_EQ(EventTypes(rows), Types({types::kPaymentFailed, types::kPaymentFailed}));
  auto declined = rows[0].PayloadAs<ev::PaymentFailed>();
  EXPECT_TRUE(declined.declined());
  EXPECT_EQ(declined.decline_code(), "insufficient_funds");
  EXPECT_EQ(declined.card_brand(), "visa");
  EXPECT_EQ(declined.card_last4(), "9995");
  EXPECT_EQ(declined.amount().amount_minor(), 5000);
  auto outage = rows[1].PayloadAs<ev::PaymentFailed>();
  EXPECT_FALSE(outage.declined()) << "the processor failed: a retry may succeed";
  EXPECT_EQ(outage.decline_code(), "");
}

// Forwards to a real transaction, except that the write resolving an intent fails: the outcome
// transaction dies after it wrote the payment's change, its ledger row and its event.
class FailingResolution final : public domain::PaymentTransaction {
 public:
  explicit FailingResolution(domain::PaymentTransaction& inner) : inner_(inner) {}
  void LockOrder(const std::string& order_id) override { inner_.LockOrder(order_id); }
  std::optional<domain::OrderClosure> FindClosure(const std::string& id) override { return inner_.FindClosure(id); }
  int CountRecentDeclines(const std::string& id, domain::Timestamp since) override {
    return inner_.CountRecentDeclines(id, since);
  }
  std::optional<domain::OrderClosure> RecordClosure(const domain::OrderClosure& c) override {
    return inner_.RecordClosure(c);
  }
  std::optional<domain::IdempotencyRecord> ClaimKey(const domain::IdempotencyRecord& r) override {
    return inner_.ClaimKey(r);
  }
  std::optional<Payment> LockPayment(const std::string& id) override { return inner_.LockPayment(id); }
  void Save(const Payment& payment) override { inner_.Save(payment); }
  void Append(const domain::PaymentOperation& operation) override { inner_.Append(operation); }
  void Publish(const domain::PaymentEvent& event) override { inner_.Publish(event); }
  std::optional<domain::ProcessorIntent> FindIntent(domain::Operation op, const std::string& key) override {
    return inner_.FindIntent(op, key);
  }
  std::optional<domain::ProcessorIntent> LockIntent(const std::string& id) override { return inner_.LockIntent(id); }
  std::vector<domain::ProcessorIntent> PendingIntents(const std::string& id) override {
    return inner_.PendingIntents(id);
  }
  void SaveIntent(const domain::ProcessorIntent& intent) override {
    if (intent.state != domain::IntentState::kPending) throw std::runtime_error("connection lost");
    inner_.SaveIntent(intent);
  }

 private:
  domain::PaymentTransaction& inner_;
};

class FailingResolutions final : public domain::PaymentRepository {
 public:
  explicit FailingResolutions(PgPaymentRepository& inner) : inner_(inner) {}
  void InTransaction(const std::function<void(domain::PaymentTransaction&)>& work) override {
    inner_.InTransaction([&](domain::PaymentTransaction& tx) {
      FailingResolution failing(tx);
      work(failing);
    });
  }
  std::optional<Payment> Get(const std::string& id) override { return inner_.Get(id); }
  std::vector<Payment> ListByOrder(const std::string& order_id) override { return inner_.ListByOrder(order_id); }
  std::vector<domain::ProcessorIntent> TakeDueIntents(domain::Timestamp now, domain::Timestamp lease_until,
                                                      int limit) override {
    return inner_.TakeDueIntents(now, lease_until, limit);
  }

 private:
  PgPaymentRepository& inner_;
};

// The outcome of a call commits whole or not at all: the void's state change, its ledger row, its
// event and its intent's resolution. Here that transaction fails at its last write, after the
// processor voided the hold: none of it stays, the intent is still pending, and the sweeper later
// records all of it, once.
TEST_F(PgPaymentRepositoryTest, TheEventCommitsWithTheChangeOrNotAtAll) {
  const std::string dsn = SharedPostgres().Dsn("payments");
  Payment payment = Authorized();
  FailingResolutions failing(repo_);
  domain::Payments dying(failing, processor_, [this] { return now_; });
  EXPECT_THROW(dying.Void({Unique("void"), payment.id}), std::runtime_error);
  EXPECT_EQ(ProcessorActions(payment.id), (std::vector<std::string>{"authorize succeeded", "void succeeded"}));
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kAuthorized);
  EXPECT_EQ(repo_.Operations(payment.id).size(), 1u);
  EXPECT_EQ(EventTypes(OutboxRows(dsn, "payments", Unique("order"))), Types({types::kPaymentAuthorized}));
  EXPECT_EQ(IntentOf(repo_.Intents(payment.id), domain::Operation::kVoid).state, domain::IntentState::kPending);

  now_ += domain::PaymentsOptions{}.intent_lease;
  payments_.ResolveDueIntents();
  EXPECT_EQ(payments_.GetPayment(payment.id).status, PaymentStatus::kVoided);
  EXPECT_EQ(repo_.Operations(payment.id).size(), 2u);
  EXPECT_EQ(EventTypes(OutboxRows(dsn, "payments", Unique("order"))),
            Types({types::kPaymentAuthorized, types::kPaymentVoided}));
  EXPECT_EQ(IntentOf(repo_.Intents(payment.id), domain::Operation::kVoid).state, domain::IntentState::kDone);
  EXPECT_EQ(ProcessorActions(payment.id), (std::vector<std::string>{"authorize succeeded", "void succeeded"}));
  EXPECT_EQ(payments_.Void({Unique("void"), payment.id}).status, PaymentStatus::kVoided) << "the request replays";
}

// --- Ended orders: the closure and the order's lock ----------------------------------------------

TEST_F(PgPaymentRepositoryTest, AnOrdersClosureIsRecordedOnceAndReadsBackExactly) {
  const std::string order = Unique("order");
  const domain::OrderClosure failed{order, domain::OrderEnd::kFailed, "payment timed out", now_};
  repo_.InTransaction([&](domain::PaymentTransaction& tx) {
    tx.LockOrder(order);
    EXPECT_EQ(tx.FindClosure(order), std::nullopt);
    EXPECT_EQ(tx.RecordClosure(failed), std::nullopt) << "new";
    EXPECT_EQ(tx.FindClosure(order), failed);
  });
  repo_.InTransaction([&](domain::PaymentTransaction& tx) {
    tx.LockOrder(order);
    EXPECT_EQ(tx.RecordClosure({order, domain::OrderEnd::kCancelled, "changed mind", now_ + 1h}), failed)
        << "the first closure is kept and returned";
  });
  EXPECT_EQ(CountRows("SELECT count(*) FROM order_closures WHERE order_id = $1", order), 1);

  EXPECT_THROW(payments_.Authorize(Authorization("after-the-end")), FailedPrecondition);
  EXPECT_EQ(processor_.authorizations.load(), 0);
  EXPECT_TRUE(payments_.ListPayments(order).empty());
  EXPECT_EQ(CountRows("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = $1", Unique("after-the-end")), 0)
      << "the refused request's key was rolled back";
}

// The order's lock and closure do not depend on how its id is spelled: checkout prints UUIDs in
// lower case and the event handlers normalise them, but an Authorize naming the same order in
// upper case must still find it closed.
TEST_F(PgPaymentRepositoryTest, AnOrderIdInAnotherCaseFindsTheSameClosure) {
  const std::string order = "3f2c8a1e-5b7d-4e9a-9c1b-" + std::to_string(1000000000000 + ++count_).substr(1);
  repo_.InTransaction([&](domain::PaymentTransaction& tx) {
    tx.LockOrder(order);
    tx.RecordClosure({order, domain::OrderEnd::kFailed, "payment timed out", now_});
  });
  auto request = Authorization("upper-case-order");
  request.order_id = order;
  for (auto& c : request.order_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_THROW(payments_.Authorize(request), FailedPrecondition);
  EXPECT_EQ(processor_.authorizations.load(), 0);
}

// The order ends while its Authorize is inside the processor. No lock is held over the call, so
// the closing (here a use case over the pool) does not wait: it records the closure and finds the
// payment PENDING, which it leaves alone. The transaction recording the approval then takes the
// order's lock, finds the closure, and records the void with the approval; it is carried out at
// once, with the order's key.
TEST_F(PgPaymentRepositoryTest, AnOrderEndingWhileItsAuthorizeIsInTheProcessorHasItVoided) {
  std::optional<domain::OrderPaymentResult> closing;
  processor_.pause = [&] {
    closing = payments_.CloseOrder(Unique("order"), domain::OrderEnd::kFailed, "payment timed out");
  };
  Payment authorized = payments_.Authorize(Authorization("slow"));
  ASSERT_TRUE(closing);
  EXPECT_EQ(closing->outcome, domain::OrderPaymentOutcome::kNothingToDo);
  EXPECT_EQ(closing->payment->status, PaymentStatus::kPending) << "the closing saw the authorization in progress";
  EXPECT_EQ(authorized.status, PaymentStatus::kVoided) << "never left AUTHORIZED";
  EXPECT_EQ(payments_.GetPayment(authorized.id).status, PaymentStatus::kVoided);
  auto ledger = repo_.Operations(authorized.id);
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[1].kind, OperationKind::kVoid);
  EXPECT_EQ(ledger[1].idempotency_key, "void:" + Unique("order"));
  EXPECT_EQ(ProcessorActions(authorized.id), (std::vector<std::string>{"authorize succeeded", "void succeeded"}));
}

// The closing committing last: the order's closure is recorded in a transaction that has not
// committed yet (the consumer's, say), and an Authorize for the order arrives. It waits on the
// order's lock, which a savepoint passed on to the enclosing transaction, then finds the order
// ended and refuses without asking the issuer.
TEST_F(PgPaymentRepositoryTest, AnAuthorizeWaitingWhileTheOrderEndsIsRefusedWithoutCallingTheProcessor) {
  auto lease = pool_.Acquire();
  pqxx::work txn(*lease);
  PgPaymentRepository in_txn(txn);
  domain::Payments closing(in_txn, processor_, [this] { return now_; });
  closing.CloseOrder(Unique("order"), domain::OrderEnd::kFailed, "payment timed out");

  std::string refusal;
  std::thread authorize([&] {
    try {
      payments_.Authorize(Authorization("late"));
    } catch (const FailedPrecondition& error) {
      refusal = error.what();
    } catch (const std::exception& error) {
      refusal = std::string("unexpected: ") + error.what();
    }
  });
  const bool waited = AwaitLockWaiters(1);
  txn.commit();
  authorize.join();

  EXPECT_TRUE(waited) << "the Authorize never waited for the closing";
  EXPECT_EQ(refusal, "order " + Unique("order") + " has already ended (failed); no authorization was taken");
  EXPECT_EQ(processor_.authorizations.load(), 0);
  EXPECT_TRUE(payments_.ListPayments(Unique("order")).empty());
}

}  // namespace
}  // namespace storefront::payments::repo
