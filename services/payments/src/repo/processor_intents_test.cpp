// Calls to the card processor across crashes, against a real PostgreSQL: the intents in
// processor_intents, the sweeper (Payments::ResolveDueIntents) and the simulated processor's books
// (simulated_processor_books), which outlive a "restart" as a real processor's would.
//
// A crash is a test hook (PaymentsOptions::after_processor_call) throwing right after the
// processor answered, before the outcome is recorded; a restart is a new Process (pool,
// repository, processor, use cases) over the same database. Time is the injected clock: the
// sweeper's lease runs out when a test moves the clock on, never by waiting.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <thread>

#include "consumers/order_events.h"
#include "domain/payments.h"
#include "repo/pg_payment_repository.h"
#include "shared/errors/errors.h"
#include "shared/events/topics.h"
#include "shared/types/deadline.h"
#include "shared/testing/outbox_rows.h"
#include "shared/types/uuid.h"
#include "testing/event_handlers_fixture.h"
#include "testing/fixture.h"

namespace storefront::payments::repo {
namespace {

using namespace std::chrono;
using domain::IntentState;
using domain::OperationKind;
using domain::Payment;
using domain::PaymentStatus;
using storefront::testing::EventTypes;
using storefront::testing::OutboxRows;
using storefront::testing::SharedPostgres;
using testing::CountingProcessor;
using testing::IntentOf;
using testing::ProcessorActions;
using testing::Types;
namespace types = storefront::events::types;

const auto kLease = domain::PaymentsOptions{}.intent_lease;

struct Crash : std::runtime_error {
  Crash() : std::runtime_error("the process died after the processor answered") {}
};

domain::PaymentsOptions Crashes() {
  return {.after_processor_call = [](const domain::ProcessorIntent&) { throw Crash(); }};
}

// One run of the payments process.
struct Process {
  Process(domain::Clock clock, domain::PaymentsOptions options = {})
      : payments(repo, processor, std::move(clock), storefront::types::NewUuid, std::move(options)) {}
  db::Pool pool{SharedPostgres().Dsn("payments"), 4, std::chrono::seconds(10), PgPaymentRepository::Prepare};
  PgPaymentRepository repo{pool};
  CountingProcessor processor{pool};
  domain::Payments payments;
};

// Everything the service and the processor hold about one payment: what a second sweep must leave
// as it found it.
struct Snapshot {
  Payment payment;
  std::vector<domain::PaymentOperation> ledger;
  std::vector<std::string> events;
  std::vector<domain::ProcessorIntent> intents;
  std::vector<std::string> processor;
  bool operator==(const Snapshot&) const = default;
};

class ProcessorIntentsTest : public testing::PaymentsDbTest {
 protected:
  domain::AuthorizeRequest Authorization(const std::string& key) {
    return {order_ + ":" + key, order_, "customer-1", domain::Money{5000, "USD"},
            domain::Card{"4242 4242 4242 4242", 12, 2030, "123"}};
  }

  Snapshot Take(Process& process, const std::string& payment_id) {
    return {*process.repo.Get(payment_id), process.repo.Operations(payment_id),
            EventTypes(OutboxRows(SharedPostgres().Dsn("payments"), "payments", order_)),
            process.repo.Intents(payment_id), ProcessorActions(payment_id)};
  }

  static std::vector<OperationKind> Kinds(const std::vector<domain::PaymentOperation>& ledger) {
    std::vector<OperationKind> kinds;
    for (const auto& op : ledger) kinds.push_back(op.kind);
    return kinds;
  }

  // A UUID, as checkout's order ids are (the event handlers require one).
  const std::string order_ = storefront::types::NewUuid();
  domain::Timestamp now_ = sys_days{2027y / April / 1} + 9h;
  domain::Clock clock_ = [this] { return now_; };
};

// Deadline propagation stops work for a caller that has gone, but not the recording of what the
// processor already answered: a caller (checkout) giving up between the processor's answer and
// its recording must not turn a known authorization into a pending intent left to the sweeper.
TEST_F(ProcessorIntentsTest, AnAnswerArrivingAfterTheCallerLeftIsRecordedNotLeftToTheSweeper) {
  bool caller_gone = false;
  Process process(clock_, {.after_processor_call = [&](const domain::ProcessorIntent&) { caller_gone = true; }});
  Payment payment;
  {
    deadline::Scope caller(deadline::Clock::now() + minutes(1), [&] { return caller_gone; });
    payment = process.payments.Authorize(Authorization("authorize"));
    EXPECT_THROW(process.payments.Capture({order_ + ":capture", payment.id, std::nullopt}), DeadlineExceeded)
        << "new work for a caller that has gone is not started";
  }
  EXPECT_EQ(payment.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(process.repo.Get(payment.id)->status, PaymentStatus::kAuthorized);
  EXPECT_EQ(IntentOf(process.repo.Intents(payment.id), domain::Operation::kAuthorize).state, IntentState::kDone);
  EXPECT_EQ(ProcessorActions(payment.id), (std::vector<std::string>{"authorize succeeded"}));
}

// Two replicas of payments sweep at the same moment: each pending intent is taken by exactly one
// of them (SKIP LOCKED, then its lease), so each authorization is recorded and announced once.
TEST_F(ProcessorIntentsTest, TwoSweepersRunningAtOnceResolveEachIntentExactlyOnce) {
  constexpr int kIntents = 40;
  std::vector<std::string> payment_ids, orders;
  {
    Process crashing(clock_, Crashes());
    for (int i = 0; i < kIntents; ++i) {
      orders.push_back(storefront::types::NewUuid());
      domain::AuthorizeRequest request{orders.back() + ":authorize", orders.back(), "customer-1",
                                       domain::Money{1000 + i, "USD"},
                                       domain::Card{"4242 4242 4242 4242", 12, 2030, "123"}};
      EXPECT_THROW(crashing.payments.Authorize(request), Crash);
      payment_ids.push_back(crashing.repo.ListByOrder(orders.back()).at(0).id);
    }
  }
  now_ += kLease;
  Process first(clock_, {.sweep_batch = 2}), second(clock_, {.sweep_batch = 2});
  std::atomic<int> resolved{0};
  std::atomic<int> ready{0};
  auto sweep = [&](Process& replica) {
    ++ready;
    while (ready < 2) std::this_thread::yield();  // start together
    for (int pass = 0; pass < kIntents; ++pass) resolved += replica.payments.ResolveDueIntents();
  };
  std::thread a([&] { sweep(first); });
  std::thread b([&] { sweep(second); });
  a.join();
  b.join();

  RecordProperty("split", std::to_string(first.processor.lookups) + "/" + std::to_string(second.processor.lookups));
  EXPECT_EQ(resolved, kIntents);
  EXPECT_EQ(first.processor.lookups + second.processor.lookups, kIntents)
      << "each intent asked about once (split " << first.processor.lookups << " / " << second.processor.lookups << ")";
  for (int i = 0; i < kIntents; ++i) {
    EXPECT_EQ(first.repo.Get(payment_ids[i])->status, PaymentStatus::kAuthorized);
    EXPECT_EQ(Kinds(first.repo.Operations(payment_ids[i])), (std::vector<OperationKind>{OperationKind::kAuthorize}));
    EXPECT_EQ(EventTypes(OutboxRows(SharedPostgres().Dsn("payments"), "payments", orders[i])),
              Types({types::kPaymentAuthorized}));
  }
}

TEST_F(ProcessorIntentsTest, ACrashAfterTheProcessorCapturedLeavesAPendingIntentThatOneSweepCompletes) {
  Process first(clock_);
  const Payment payment = first.payments.Authorize(Authorization("authorize"));
  {
    Process crashing(clock_, Crashes());
    EXPECT_THROW(crashing.payments.Capture({order_ + ":capture", payment.id, std::nullopt}), Crash);
  }
  EXPECT_EQ(ProcessorActions(payment.id), (std::vector<std::string>{"authorize succeeded", "capture succeeded"}))
      << "the processor captured";

  Process restarted(clock_);
  EXPECT_EQ(restarted.payments.GetPayment(payment.id).status, PaymentStatus::kAuthorized) << "nothing recorded yet";
  const auto capture = IntentOf(restarted.repo.Intents(payment.id), domain::Operation::kCapture);
  EXPECT_EQ(capture.state, IntentState::kPending);
  EXPECT_EQ(capture.processor_key, payment.id + ":capture");

  restarted.payments.ResolveDueIntents();
  EXPECT_EQ(restarted.repo.Get(payment.id)->status, PaymentStatus::kAuthorized)
      << "within its lease the intent is left to the request that recorded it";

  now_ += kLease;
  restarted.payments.ResolveDueIntents();
  const Snapshot swept = Take(restarted, payment.id);
  EXPECT_EQ(swept.payment.status, PaymentStatus::kCaptured);
  EXPECT_EQ(swept.payment.captured_minor, 5000);
  EXPECT_EQ(Kinds(swept.ledger), (std::vector<OperationKind>{OperationKind::kAuthorize, OperationKind::kCapture}));
  EXPECT_EQ(swept.ledger[1].idempotency_key, order_ + ":capture");
  EXPECT_EQ(swept.events, Types({types::kPaymentAuthorized, types::kPaymentCaptured}));
  EXPECT_EQ(IntentOf(swept.intents, domain::Operation::kCapture).state, IntentState::kDone);
  EXPECT_EQ(swept.processor, (std::vector<std::string>{"authorize succeeded", "capture succeeded"}));
  EXPECT_EQ(restarted.processor.captures.load(), 0) << "the sweeper asked what happened; it did not capture again";
  EXPECT_GE(restarted.processor.lookups.load(), 1);

  now_ += kLease;
  restarted.payments.ResolveDueIntents();
  EXPECT_EQ(Take(restarted, payment.id), swept) << "a second sweep changes nothing";
}

TEST_F(ProcessorIntentsTest, ACaptureAndARefundAskedTwiceWithTheSameKeyChargeOnceAtTheProcessor) {
  Process first(clock_);
  const Payment payment = first.payments.Authorize(Authorization("authorize"));
  const domain::CaptureRequest capture{order_ + ":capture", payment.id, std::nullopt};
  const domain::RefundRequest refund{order_ + ":refund", payment.id, domain::Money{1500, "USD"}, "damaged"};
  {
    Process crashing(clock_, Crashes());
    EXPECT_THROW(crashing.payments.Capture(capture), Crash);
  }
  // The client asks again, of the restarted service: the pending capture is sent again, with its
  // key, and the processor answers with what it did the first time.
  Process restarted(clock_);
  EXPECT_EQ(restarted.payments.Capture(capture).status, PaymentStatus::kCaptured);
  EXPECT_EQ(restarted.processor.captures.load(), 1) << "asked again";
  {
    Process crashing(clock_, Crashes());
    EXPECT_THROW(crashing.payments.Refund(refund), Crash);
  }
  EXPECT_EQ(restarted.payments.Refund(refund).refunded_minor, 1500);
  EXPECT_EQ(restarted.payments.Refund(refund).refunded_minor, 1500) << "and a replay once recorded";
  EXPECT_EQ(restarted.processor.refunds.load(), 1);

  EXPECT_EQ(ProcessorActions(payment.id),
            (std::vector<std::string>{"authorize succeeded", "capture succeeded", "refund succeeded"}))
      << "captured once and refunded once";
  const Snapshot after = Take(restarted, payment.id);
  EXPECT_EQ(after.payment.status, PaymentStatus::kPartiallyRefunded);
  EXPECT_EQ(after.payment.captured_minor, 5000);
  EXPECT_EQ(Kinds(after.ledger), (std::vector<OperationKind>{OperationKind::kAuthorize, OperationKind::kCapture,
                                                             OperationKind::kRefund}));
  EXPECT_EQ(after.events, Types({types::kPaymentAuthorized, types::kPaymentCaptured, types::kPaymentRefunded}));
  now_ += kLease;
  restarted.payments.ResolveDueIntents();
  EXPECT_EQ(Take(restarted, payment.id), after) << "nothing was left for the sweeper";
}

TEST_F(ProcessorIntentsTest, AnAuthorizationApprovedJustBeforeACrashIsFoundAndRecordedByTheSweeper) {
  {
    Process crashing(clock_, Crashes());
    EXPECT_THROW(crashing.payments.Authorize(Authorization("authorize")), Crash);
  }
  Process restarted(clock_);
  const auto stored = restarted.repo.ListByOrder(order_);
  ASSERT_EQ(stored.size(), 1u);
  const std::string id = stored[0].id;
  EXPECT_EQ(stored[0].status, PaymentStatus::kPending);
  EXPECT_EQ(ProcessorActions(id), std::vector<std::string>{"authorize succeeded"}) << "a hold with no record";
  // Checkout's recovery asks meanwhile: "ask again", never "no authorization".
  EXPECT_THROW(restarted.payments.ListPayments(order_), Unavailable);

  now_ += kLease;
  restarted.payments.ResolveDueIntents();
  const Snapshot swept = Take(restarted, id);
  EXPECT_EQ(swept.payment.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(swept.payment.processor_reference.rfind("sim_auth_", 0), 0u);
  EXPECT_EQ(Kinds(swept.ledger), std::vector<OperationKind>{OperationKind::kAuthorize});
  EXPECT_EQ(swept.events, Types({types::kPaymentAuthorized}));
  EXPECT_EQ(restarted.payments.ListPayments(order_), std::vector<Payment>{swept.payment});
  EXPECT_EQ(restarted.processor.authorizations.load(), 0) << "the sweeper only asked";

  now_ += kLease;
  restarted.payments.ResolveDueIntents();
  EXPECT_EQ(Take(restarted, id), swept) << "a second sweep changes nothing";
  EXPECT_EQ(restarted.payments.Authorize(Authorization("authorize")), swept.payment) << "the retry replays it";
}

TEST_F(ProcessorIntentsTest, AnAuthorizationApprovedJustBeforeACrashIsVoidedIfTheOrderEndedMeanwhile) {
  {
    Process crashing(clock_, Crashes());
    EXPECT_THROW(crashing.payments.Authorize(Authorization("authorize")), Crash);
  }
  Process restarted(clock_);
  const std::string id = restarted.repo.ListByOrder(order_).at(0).id;
  // Checkout gave up on the Authorize and failed the order; payments consumes OrderFailed.
  consumers::OrderEventHandlers handlers(restarted.processor, clock_);
  auto deliver = [&] {
    auto lease = restarted.pool.Acquire();
    pqxx::work txn(*lease);
    handlers.OnOrderFailed(txn, testing::Failed(order_, "payment timed out"));
    txn.commit();
  };
  deliver();
  EXPECT_EQ(restarted.repo.Get(id)->status, PaymentStatus::kPending) << "the closing leaves it to the sweeper";

  now_ += kLease;
  restarted.payments.ResolveDueIntents();
  const Snapshot swept = Take(restarted, id);
  EXPECT_EQ(swept.payment.status, PaymentStatus::kVoided);
  EXPECT_EQ(Kinds(swept.ledger), (std::vector<OperationKind>{OperationKind::kAuthorize, OperationKind::kVoid}));
  EXPECT_EQ(swept.ledger[1].idempotency_key, "void:" + order_);
  EXPECT_EQ(swept.events, Types({types::kPaymentAuthorized, types::kPaymentVoided}));
  EXPECT_EQ(swept.processor, (std::vector<std::string>{"authorize succeeded", "void succeeded"}));

  deliver();  // OrderFailed again (another event id): the void is not asked for twice
  now_ += kLease;
  restarted.payments.ResolveDueIntents();
  EXPECT_EQ(Take(restarted, id), swept);
}

TEST_F(ProcessorIntentsTest, AnAuthorizationTheProcessorNeverReceivedIsGivenUpAsFailedByTheSweeper) {
  Process process(clock_);
  // The connection drops before the request reaches the processor: the caller cannot tell.
  process.processor.pause = [] { throw std::runtime_error("connection reset"); };
  EXPECT_THROW(process.payments.Authorize(Authorization("authorize")), Unavailable);
  const std::string id = process.repo.ListByOrder(order_).at(0).id;
  EXPECT_EQ(process.repo.Get(id)->status, PaymentStatus::kPending);
  EXPECT_TRUE(ProcessorActions(id).empty());
  EXPECT_EQ(process.repo.Intents(id).at(0).last_error, "connection reset");
  EXPECT_THROW(process.payments.ListPayments(order_), Unavailable) << "not known yet, so not \"no\"";

  now_ += kLease;
  process.payments.ResolveDueIntents();
  const Payment failed = *process.repo.Get(id);
  EXPECT_EQ(failed.status, PaymentStatus::kFailed);
  EXPECT_EQ(process.payments.ListPayments(order_), std::vector<Payment>{failed}) << "now it is known: no hold";
  EXPECT_EQ(Kinds(process.repo.Operations(id)), std::vector<OperationKind>{OperationKind::kAuthorizeFailed});
  EXPECT_EQ(EventTypes(OutboxRows(SharedPostgres().Dsn("payments"), "payments", order_)),
            Types({types::kPaymentFailed}));

  // The same request may try again: the same payment, the same processor key.
  const Payment retried = process.payments.Authorize(Authorization("authorize"));
  EXPECT_EQ(retried.id, id);
  EXPECT_EQ(retried.status, PaymentStatus::kAuthorized);
  EXPECT_EQ(ProcessorActions(id), std::vector<std::string>{"authorize succeeded"});
}

}  // namespace
}  // namespace storefront::payments::repo
