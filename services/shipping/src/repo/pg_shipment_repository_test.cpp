// Shipping's rules against a real PostgreSQL, through the use cases over the real repository and
// migrations: idempotent creation, unique tracking numbers, the status machine under concurrency,
// keyset paging, the outbox row each change writes in its own transaction, and the automatic
// progression (with time passed in, never slept).
#include "repo/pg_shipment_repository.h"

#include <gtest/gtest.h>

#include <cctype>
#include <future>
#include <latch>
#include <set>
#include <thread>

#include "shared/events/topics.h"
#include "shared/testing/outbox_rows.h"
#include "shared/trace/context.h"
#include "shared/types/uuid.h"
#include "storefront/events/v1/shipping_events.pb.h"
#include "testing/fixture.h"

namespace storefront::shipping::repo {
namespace {

using domain::ShipmentStatus;
using domain::Timestamp;
using storefront::testing::SharedPostgres;
using storefront::types::NewUuid;
using testing::EventTypes;
using testing::OutboxRows;
namespace ev = storefront::events::v1;
namespace types = storefront::events::types;
using namespace std::chrono_literals;

// Each test starts on its own day so their shipments don't mix in time.
Timestamp Day(int n) { return Timestamp(std::chrono::hours(24 * (20'000 + n))) + std::chrono::microseconds(123'457); }

domain::Address Home() { return {"Ada O'Lovelace", "12 Analytical Way", "Apt 3", "Springfield", "IL", "62701", "US"}; }

std::vector<domain::ShipmentItem> Items() {
  return {{"79c8c292-6b94-45b5-b498-82321e35049e", "AUD-HP-0001", "Northwind \"Aria\" Headphones", 1},
          {"eb7a7995-9588-432d-8242-aadbc8f429a4", "AUD-HP-0002", "Café — ünïcode", 3},
          {"515c6123-6c88-4537-bcf3-bd58da60fb1c", "AUD-EB-0003", "'; DROP TABLE shipments; --", 2}};
}

domain::NewShipmentRequest Request(std::string order_id, std::string option = "standard",
                                   domain::Address address = Home()) {
  return {std::move(order_id), "cus_42", std::move(option), std::move(address), Items()};
}

class PgShipmentRepositoryTest : public DatabaseTest {
 protected:
  PgShipmentRepositoryTest() : DatabaseTest(8, Day(0)) {}

  int Count(const std::string& sql) {
    pqxx::connection connection(dsn_);
    pqxx::work txn(connection);
    return txn.exec(sql)[0][0].as<int>();
  }
};

TEST_F(PgShipmentRepositoryTest, MigratingAgainChangesNothing) {
  pqxx::connection connection(SharedPostgres().Dsn("shipping"));
  EXPECT_TRUE(db::Migrate(connection, "shipping", AllMigrations()).applied.empty());
}

TEST_F(PgShipmentRepositoryTest, CreateStoresAddressAndItemsAndReadsThemBackExactly) {
  clock_.Set(Day(1));
  const std::string order = NewUuid();
  auto created = shipping_.CreateShipment(Request(order, "express"));
  EXPECT_TRUE(storefront::types::IsUuid(created.id));
  EXPECT_EQ(created.order_id, order);
  EXPECT_EQ(created.customer_id, "cus_42");
  EXPECT_EQ(created.status, ShipmentStatus::kLabelCreated);
  EXPECT_EQ(created.carrier, "UPS");
  EXPECT_EQ(created.service, "2nd Day Air");
  EXPECT_EQ(created.shipping_option_id, "express");
  EXPECT_EQ(created.address, Home());
  EXPECT_EQ(created.items, Items()) << "lines keep the order checkout sent";
  EXPECT_EQ(created.created_at, Day(1)) << "microseconds survive the round trip";
  EXPECT_EQ(created.updated_at, Day(1));
  EXPECT_FALSE(created.dispatched_at || created.delivered_at || created.cancelled_at);
  EXPECT_EQ(created.tracking_number.size(), 15u);
  EXPECT_EQ(created.tracking_number.rfind("UPS", 0), 0u);

  for (const auto& read : {shipping_.GetShipment(created.id), shipping_.GetShipmentByOrder(order)}) {
    EXPECT_EQ(read.id, created.id);
    EXPECT_EQ(read.tracking_number, created.tracking_number);
    EXPECT_EQ(read.address, created.address);
    EXPECT_EQ(read.items, created.items);
    EXPECT_EQ(read.created_at, created.created_at);
  }
  EXPECT_THROW(shipping_.GetShipment(NewUuid()), NotFound);
  EXPECT_THROW(shipping_.GetShipmentByOrder(NewUuid()), NotFound);
}

TEST_F(PgShipmentRepositoryTest, CreateIsIdempotentOnTheOrder) {
  const std::string order = NewUuid();
  auto first = shipping_.CreateShipment(Request(order));
  clock_.Advance(std::chrono::minutes(5));
  auto again = shipping_.CreateShipment(Request(order));
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.tracking_number, first.tracking_number);
  EXPECT_EQ(again.created_at, first.created_at);

  EXPECT_THROW(shipping_.CreateShipment(Request(order, "overnight")), AlreadyExists);
  auto elsewhere = Home();
  elsewhere.postal_code = "62702";
  EXPECT_THROW(shipping_.CreateShipment(Request(order, "standard", elsewhere)), AlreadyExists);
  auto more = Request(order);
  more.items.pop_back();
  EXPECT_THROW(shipping_.CreateShipment(more), AlreadyExists);

  EXPECT_EQ(Count("SELECT count(*) FROM shipments WHERE order_id = '" + order + "'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM shipment_items WHERE shipment_id = '" + first.id + "'"), 3);
}

TEST_F(PgShipmentRepositoryTest, ConcurrentCreatesForOneOrderMakeOneShipment) {
  const std::string order = NewUuid();
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] { ids[i] = shipping_.CreateShipment(Request(order)).id; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(Count("SELECT count(*) FROM shipments WHERE order_id = '" + order + "'"), 1);
}

TEST_F(PgShipmentRepositoryTest, ATakenTrackingNumberIsDrawnAgain) {
  // Digits that repeat the first draw once, as a real collision would.
  std::vector<std::string> script{"900000000001", "900000000001", "900000000002"};
  std::size_t next = 0;
  domain::Shipping scripted{repo_, [this] { return clock_.Now(); }, [&](int) { return script.at(next++); }};
  auto first = scripted.CreateShipment(Request(NewUuid()));
  auto second = scripted.CreateShipment(Request(NewUuid()));
  EXPECT_EQ(first.tracking_number, "USPS900000000001");
  EXPECT_EQ(second.tracking_number, "USPS900000000002");
  EXPECT_EQ(next, 3u);
}

TEST_F(PgShipmentRepositoryTest, TrackingNumbersAreThePrefixAndTwelveUniqueDigits) {
  std::set<std::string> numbers;
  for (int i = 0; i < 30; ++i) {
    auto option = i % 3 == 0 ? "standard" : i % 3 == 1 ? "express" : "overnight";
    auto s = shipping_.CreateShipment(Request(NewUuid(), option));
    const std::string prefix = s.carrier == "FedEx" ? "FEDEX" : s.carrier;
    EXPECT_EQ(s.tracking_number.rfind(prefix, 0), 0u) << s.tracking_number;
    EXPECT_EQ(s.tracking_number.size(), prefix.size() + 12);
    EXPECT_EQ(s.tracking_number.find_first_not_of("0123456789", prefix.size()), std::string::npos);
    EXPECT_TRUE(numbers.insert(s.tracking_number).second);
  }
}

TEST_F(PgShipmentRepositoryTest, AShipmentMovesOneStepAtATimeWithTimestamps) {
  clock_.Set(Day(2));
  auto s = shipping_.CreateShipment(Request(NewUuid()));
  EXPECT_THROW(shipping_.AdvanceShipment(s.id, ShipmentStatus::kDelivered), FailedPrecondition) << "no skipping";

  clock_.Advance(std::chrono::hours(3));
  auto dispatched = shipping_.AdvanceShipment(s.id, ShipmentStatus::kDispatched);
  EXPECT_EQ(dispatched.status, ShipmentStatus::kDispatched);
  EXPECT_EQ(dispatched.dispatched_at, Day(2) + std::chrono::hours(3));

  clock_.Advance(std::chrono::hours(1));
  auto retry = shipping_.AdvanceShipment(s.id, ShipmentStatus::kDispatched);
  EXPECT_EQ(retry.dispatched_at, dispatched.dispatched_at) << "a retry changes nothing";
  EXPECT_EQ(retry.updated_at, dispatched.updated_at);
  EXPECT_THROW(shipping_.AdvanceShipment(s.id, ShipmentStatus::kLabelCreated), FailedPrecondition) << "no going back";
  EXPECT_THROW(shipping_.CancelShipment(s.id, "too late"), FailedPrecondition);

  clock_.Advance(std::chrono::hours(20));
  auto delivered = shipping_.AdvanceShipment(s.id, ShipmentStatus::kDelivered);
  EXPECT_EQ(delivered.delivered_at, Day(2) + std::chrono::hours(24));

  auto stored = shipping_.GetShipment(s.id);
  EXPECT_EQ(stored.status, ShipmentStatus::kDelivered);
  EXPECT_EQ(stored.dispatched_at, Day(2) + std::chrono::hours(3));
  EXPECT_EQ(stored.delivered_at, Day(2) + std::chrono::hours(24));
  EXPECT_EQ(stored.updated_at, Day(2) + std::chrono::hours(24));
  EXPECT_FALSE(stored.cancelled_at);
  EXPECT_EQ(stored.items, Items());
  EXPECT_THROW(shipping_.AdvanceShipment(NewUuid(), ShipmentStatus::kDispatched), NotFound);
}

TEST_F(PgShipmentRepositoryTest, CancelOnlyBeforeDispatchAndOnlyOnce) {
  auto s = shipping_.CreateShipment(Request(NewUuid()));
  clock_.Advance(std::chrono::minutes(10));
  auto cancelled = shipping_.CancelShipment(s.id, "payment could not be captured");
  EXPECT_EQ(cancelled.status, ShipmentStatus::kCancelled);
  EXPECT_EQ(cancelled.cancelled_at, Day(0) + std::chrono::minutes(10));

  clock_.Advance(std::chrono::minutes(10));
  auto again = shipping_.CancelShipment(s.id, "another reason");
  EXPECT_EQ(again.cancel_reason, "payment could not be captured") << "the first reason stays";
  EXPECT_EQ(again.cancelled_at, cancelled.cancelled_at);
  EXPECT_THROW(shipping_.AdvanceShipment(s.id, ShipmentStatus::kDispatched), FailedPrecondition);

  auto stored = shipping_.GetShipment(s.id);
  EXPECT_EQ(stored.status, ShipmentStatus::kCancelled);
  EXPECT_EQ(stored.cancel_reason, "payment could not be captured");
  EXPECT_EQ(stored.cancelled_at, cancelled.cancelled_at);
  EXPECT_EQ(shipping_.CreateShipment(Request(s.order_id)).status, ShipmentStatus::kCancelled)
      << "the order's one shipment, even cancelled";
}

TEST_F(PgShipmentRepositoryTest, ConcurrentAdvancesApplyOnce) {
  // Every call reads a different time: had two of them applied, their dispatched_at would differ.
  std::atomic<int> tick{0};
  domain::Shipping ticking{repo_, [&] { return Day(3) + std::chrono::seconds(++tick); }, domain::SecureRandomDigits()};
  for (int round = 0; round < 10; ++round) {
    auto s = shipping_.CreateShipment(Request(NewUuid()));
    std::vector<domain::Shipment> results(8);
    std::latch start(static_cast<std::ptrdiff_t>(results.size()));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < results.size(); ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = ticking.AdvanceShipment(s.id, ShipmentStatus::kDispatched);
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& r : results) EXPECT_EQ(r.dispatched_at, results[0].dispatched_at);
    EXPECT_EQ(shipping_.GetShipment(s.id).dispatched_at, results[0].dispatched_at);
  }
}

TEST_F(PgShipmentRepositoryTest, CancelRacingDispatchHasExactlyOneWinner) {
  for (int round = 0; round < 10; ++round) {
    auto s = shipping_.CreateShipment(Request(NewUuid()));
    std::atomic<bool> cancelled{false};
    std::atomic<bool> dispatched{false};
    std::latch start(2);
    std::thread cancel([&] {
      start.arrive_and_wait();
      try {
        shipping_.CancelShipment(s.id, "race");
        cancelled = true;
      } catch (const FailedPrecondition&) {
      }
    });
    std::thread dispatch([&] {
      start.arrive_and_wait();
      try {
        shipping_.AdvanceShipment(s.id, ShipmentStatus::kDispatched);
        dispatched = true;
      } catch (const FailedPrecondition&) {
      }
    });
    cancel.join();
    dispatch.join();
    // Either may win the race; the loser is refused, and the stored status is the winner's.
    ASSERT_NE(cancelled.load(), dispatched.load()) << "exactly one of the two must succeed";
    EXPECT_EQ(shipping_.GetShipment(s.id).status,
              cancelled ? ShipmentStatus::kCancelled : ShipmentStatus::kDispatched);
  }
}

std::vector<domain::Shipment> ReadAll(domain::Shipping& shipping, domain::ListRequest request) {
  std::vector<domain::Shipment> all;
  for (int page = 0; page < 1000; ++page) {
    auto result = shipping.ListShipments(request);
    all.insert(all.end(), result.shipments.begin(), result.shipments.end());
    if (result.next_page_token.empty()) return all;
    request.page_token = result.next_page_token;
  }
  ADD_FAILURE() << "pagination did not end";
  return all;
}

bool NewerFirst(const domain::Shipment& a, const domain::Shipment& b) {
  return a.created_at > b.created_at || (a.created_at == b.created_at && a.id > b.id);
}

TEST_F(PgShipmentRepositoryTest, ListPagesNewestFirstWithoutRepeatsIncludingSameMicrosecondTies) {
  clock_.Set(Day(4));
  std::set<std::string> mine;
  for (int i = 0; i < 12; ++i) {
    if (i % 3 == 0) clock_.Advance(std::chrono::seconds(1));  // three shipments share each timestamp
    auto s = shipping_.CreateShipment(Request(NewUuid()));
    mine.insert(s.id);
    if (i % 4 == 0) shipping_.AdvanceShipment(s.id, ShipmentStatus::kDispatched);
  }

  auto all = ReadAll(shipping_, {.page_size = 5});
  std::set<std::string> ids;
  for (const auto& s : all) EXPECT_TRUE(ids.insert(s.id).second) << "repeated " << s.id;
  for (const auto& id : mine) EXPECT_TRUE(ids.count(id)) << "skipped " << id;
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_TRUE(NewerFirst(all[i - 1], all[i])) << i;
  EXPECT_EQ(static_cast<int>(all.size()), Count("SELECT count(*) FROM shipments"));
  EXPECT_EQ(all.front().items.size(), 3u) << "lines come with each listed shipment";

  auto dispatched = ReadAll(shipping_, {.status = ShipmentStatus::kDispatched, .page_size = 2});
  for (const auto& s : dispatched) EXPECT_EQ(s.status, ShipmentStatus::kDispatched);
  for (std::size_t i = 1; i < dispatched.size(); ++i) EXPECT_TRUE(NewerFirst(dispatched[i - 1], dispatched[i]));
  EXPECT_EQ(static_cast<int>(dispatched.size()), Count("SELECT count(*) FROM shipments WHERE status = 'DISPATCHED'"));
  EXPECT_GE(dispatched.size(), 3u);
}

TEST_F(PgShipmentRepositoryTest, ShipmentsCreatedWhilePagingNeitherRepeatNorShiftThePages) {
  clock_.Set(Day(5));
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(std::chrono::seconds(1));
    shipping_.CreateShipment(Request(NewUuid()));
  }
  auto first = shipping_.ListShipments({.page_size = 3});
  ASSERT_FALSE(first.next_page_token.empty());
  // A newer shipment lands between two page requests: OFFSET paging would repeat a row.
  clock_.Advance(std::chrono::hours(1));
  auto newcomer = shipping_.CreateShipment(Request(NewUuid()));
  auto second = shipping_.ListShipments({.page_size = 3, .page_token = first.next_page_token});
  ASSERT_EQ(second.shipments.size(), 3u);
  for (const auto& s : second.shipments) {
    EXPECT_NE(s.id, newcomer.id);
    for (const auto& seen : first.shipments) EXPECT_NE(s.id, seen.id);
    EXPECT_TRUE(NewerFirst(first.shipments.back(), s));
  }
}

TEST_F(PgShipmentRepositoryTest, TheDatabaseRefusesAnInvalidStateEvenIfCodeTried) {
  auto s = shipping_.CreateShipment(Request(NewUuid()));
  pqxx::connection connection(SharedPostgres().Dsn("shipping"));
  pqxx::work txn(connection);
  EXPECT_THROW(txn.exec("UPDATE shipments SET status = 'DELIVERED' WHERE id = '" + s.id + "'"), pqxx::check_violation);
}

// --- The outbox: each change announces itself in its own transaction -----------------------------

TEST_F(PgShipmentRepositoryTest, EachChangeWritesItsEventToTheOutboxKeyedByTheOrder) {
  const std::string order = NewUuid();
  const std::string dsn = SharedPostgres().Dsn("shipping");
  auto created = shipping_.CreateShipment(Request(order, "express"));
  auto rows = OutboxRows(dsn, "shipping", order);
  ASSERT_EQ(EventTypes(rows), Types({types::kShipmentCreated}));
  EXPECT_EQ(rows[0].topic, storefront::events::kShipmentTopic);
  EXPECT_EQ(rows[0].envelope.aggregate_type(), "shipment");
  EXPECT_EQ(rows[0].envelope.aggregate_id(), order);
  EXPECT_EQ(rows[0].envelope.producer(), "shipping");
  auto payload = rows[0].PayloadAs<ev::ShipmentCreated>();
  EXPECT_EQ(payload.shipment_id(), created.id);
  EXPECT_EQ(payload.order_id(), order);
  EXPECT_EQ(payload.customer_id(), "cus_42");
  EXPECT_EQ(payload.carrier(), "UPS");
  EXPECT_EQ(payload.service(), "2nd Day Air");
  EXPECT_EQ(payload.tracking_number(), created.tracking_number);
  EXPECT_EQ(payload.address().line2(), "Apt 3");
  EXPECT_EQ(payload.address().country(), "US");
  ASSERT_EQ(payload.lines_size(), 3);
  EXPECT_EQ(payload.lines(2).sku(), "AUD-EB-0003");
  EXPECT_EQ(payload.lines(2).quantity(), 2);

  // An idempotent repeat, and a refused one, announce nothing.
  shipping_.CreateShipment(Request(order, "express"));
  EXPECT_THROW(shipping_.CreateShipment(Request(order, "standard")), AlreadyExists);
  EXPECT_EQ(OutboxRows(dsn, "shipping", order).size(), 1u);

  shipping_.AdvanceShipment(created.id, ShipmentStatus::kDispatched);
  shipping_.AdvanceShipment(created.id, ShipmentStatus::kDispatched);  // a retry: no event
  rows = OutboxRows(dsn, "shipping", order);
  ASSERT_EQ(EventTypes(rows), Types({types::kShipmentCreated, types::kShipmentDispatched}));
  auto dispatched = rows[1].PayloadAs<ev::ShipmentDispatched>();
  EXPECT_EQ(dispatched.shipment_id(), created.id);
  EXPECT_EQ(dispatched.carrier(), "UPS");
  EXPECT_EQ(dispatched.tracking_number(), created.tracking_number);

  shipping_.AdvanceShipment(created.id, ShipmentStatus::kDelivered);
  rows = OutboxRows(dsn, "shipping", order);
  ASSERT_EQ(EventTypes(rows),
            Types({types::kShipmentCreated, types::kShipmentDispatched, types::kShipmentDelivered}));
  EXPECT_EQ(rows[2].PayloadAs<ev::ShipmentDelivered>().tracking_number(), created.tracking_number);
  for (const auto& row : rows) EXPECT_EQ(row.key, order);
}

TEST_F(PgShipmentRepositoryTest, CancellingAnnouncesItOnceAndARefusedChangeAnnouncesNothing) {
  const std::string dsn = SharedPostgres().Dsn("shipping");
  auto s = shipping_.CreateShipment(Request(NewUuid()));
  shipping_.CancelShipment(s.id, "payment could not be captured");
  shipping_.CancelShipment(s.id, "again");
  auto rows = OutboxRows(dsn, "shipping", s.order_id);
  ASSERT_EQ(EventTypes(rows), Types({types::kShipmentCreated, types::kShipmentCancelled}));
  auto cancelled = rows[1].PayloadAs<ev::ShipmentCancelled>();
  EXPECT_EQ(cancelled.shipment_id(), s.id);
  EXPECT_EQ(cancelled.reason(), "payment could not be captured");

  // A change the state machine refuses rolls back and writes no event.
  auto t = shipping_.CreateShipment(Request(NewUuid()));
  shipping_.AdvanceShipment(t.id, ShipmentStatus::kDispatched);
  EXPECT_THROW(shipping_.CancelShipment(t.id, "too late"), FailedPrecondition);
  EXPECT_THROW(shipping_.AdvanceShipment(t.id, ShipmentStatus::kLabelCreated), FailedPrecondition);
  EXPECT_EQ(EventTypes(OutboxRows(dsn, "shipping", t.order_id)), Types({types::kShipmentCreated, types::kShipmentDispatched}));
}

TEST_F(PgShipmentRepositoryTest, TheEventCommitsWithTheChangeOrNotAtAll) {
  const std::string dsn = SharedPostgres().Dsn("shipping");
  auto s = shipping_.CreateShipment(Request(NewUuid()));
  {
    auto lease = pool_.Acquire();
    pqxx::work txn(*lease);
    PgShipmentRepository in_txn(txn);
    domain::Shipping shipping(in_txn, [this] { return clock_.Now(); }, domain::SecureRandomDigits());
    shipping.CancelShipment(s.id, "changed my mind");
    EXPECT_EQ(EventTypes(OutboxRows(txn, "shipping", s.order_id)), Types({types::kShipmentCreated, types::kShipmentCancelled}))
        << "written in the transaction of the change";
    txn.abort();
  }
  EXPECT_EQ(shipping_.GetShipment(s.id).status, ShipmentStatus::kLabelCreated);
  EXPECT_EQ(EventTypes(OutboxRows(dsn, "shipping", s.order_id)), Types({types::kShipmentCreated})) << "rolled back together";
}

// --- Closed orders and the order's lock (issue 11: unknown outcomes are maybe, never no) ----------

TEST_F(PgShipmentRepositoryTest, TheOrderLockIsHeldUntilItsTransactionEndsAndIsOnePerOrder) {
  const std::string order = NewUuid();
  std::string upper = order;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<bool> held_inside;
  repo_.WithOrderLock(order, [&](domain::ShipmentRepository&) {
    held_inside.push_back(OrderLockIsHeld(order));
    held_inside.push_back(OrderLockIsHeld(upper));  // the same order spelt otherwise
    held_inside.push_back(OrderLockIsHeld(NewUuid()));
  });
  EXPECT_EQ(held_inside, (std::vector<bool>{true, true, false}));
  EXPECT_FALSE(OrderLockIsHeld(order)) << "let go when its own transaction committed";

  // Bound to a caller's transaction (the consumer's), the lock lasts until the caller commits.
  auto lease = pool_.Acquire();
  pqxx::work txn(*lease);
  PgShipmentRepository in_txn(txn);
  in_txn.WithOrderLock(order, [](domain::ShipmentRepository&) {});
  EXPECT_TRUE(OrderLockIsHeld(order));
  txn.commit();
  EXPECT_FALSE(OrderLockIsHeld(order));
}

TEST_F(PgShipmentRepositoryTest, WorkUnderTheOrderLockCommitsTogetherOrNotAtAll) {
  const std::string order = NewUuid();
  EXPECT_THROW(repo_.WithOrderLock(order,
                                   [&](domain::ShipmentRepository& locked) {
                                     EXPECT_TRUE(locked.RecordClosure(
                                         {order, domain::OrderEnding::kFailed, "", Day(10)}));
                                     throw std::runtime_error("something after the closure failed");
                                   }),
               std::runtime_error);
  EXPECT_FALSE(repo_.FindClosure(order)) << "rolled back with the rest";
  EXPECT_FALSE(OrderLockIsHeld(order));
}

TEST_F(PgShipmentRepositoryTest, AnOrderIsClosedOnceAndTheFirstEndingStays) {
  const std::string order = NewUuid();
  EXPECT_FALSE(repo_.FindClosure(order));
  clock_.Set(Day(10));
  auto failed = shipping_.EndOrder(order, domain::OrderEnding::kFailed, "shipping is unavailable\tfor now");
  EXPECT_TRUE(failed.closed);
  EXPECT_EQ(failed.outcome, domain::OrderEventOutcome::kNoShipment);

  clock_.Advance(1h);
  auto cancelled = shipping_.EndOrder(order, domain::OrderEnding::kCancelled, "shopper asked");
  EXPECT_FALSE(cancelled.closed);
  EXPECT_EQ(repo_.FindClosure(order),
            (domain::OrderClosure{order, domain::OrderEnding::kFailed, "shipping is unavailable for now", Day(10)}));
  EXPECT_EQ(Count("SELECT count(*) FROM closed_orders WHERE order_id = '" + order + "'"), 1);
}

TEST_F(PgShipmentRepositoryTest, AnEndedOrderGetsNoShipmentAndAnnouncesNothing) {
  for (auto ending : {domain::OrderEnding::kFailed, domain::OrderEnding::kCancelled}) {
    const std::string order = NewUuid();
    shipping_.EndOrder(order, ending, "");
    try {
      shipping_.CreateShipment(Request(order));
      ADD_FAILURE() << "a shipment was created for an order that had ended";
    } catch (const FailedPrecondition& e) {
      EXPECT_EQ(std::string(e.what()), "order " + order + " has already ended (" +
                                           std::string(domain::Name(ending)) + "); no shipment was created");
    }
    EXPECT_EQ(Count("SELECT count(*) FROM shipments WHERE order_id = '" + order + "'"), 0);
    EXPECT_TRUE(OutboxRows(dsn_, "shipping", order).empty());
  }
}

TEST_F(PgShipmentRepositoryTest, AShipmentMadeBeforeTheOrderFailedIsCancelledAndStillTheAnswerToARetry) {
  clock_.Set(Day(11));
  const std::string order = NewUuid();
  auto created = shipping_.CreateShipment(Request(order));
  clock_.Advance(1min);
  auto ended = shipping_.EndOrder(order, domain::OrderEnding::kFailed, "shipping is unavailable");
  EXPECT_EQ(ended.outcome, domain::OrderEventOutcome::kApplied);
  EXPECT_EQ(ended.shipment->status, ShipmentStatus::kCancelled);
  EXPECT_EQ(ended.shipment->cancel_reason, "order failed: shipping is unavailable");
  EXPECT_EQ(ended.shipment->cancelled_at, Day(11) + 1min);

  // Checkout retrying the call that timed out gets the shipment it made, cancelled.
  auto again = shipping_.CreateShipment(Request(order));
  EXPECT_EQ(again.id, created.id);
  EXPECT_EQ(again.status, ShipmentStatus::kCancelled);
  EXPECT_EQ(EventTypes(OutboxRows(dsn_, "shipping", order)), Types({types::kShipmentCreated, types::kShipmentCancelled}));
}

// --- The automatic progression -----------------------------------------------------------------

class ProgressionTest : public PgShipmentRepositoryTest {
 protected:
  domain::Shipping scheduled_{repo_, [this] { return clock_.Now(); }, domain::SecureRandomDigits(),
                              domain::ProgressionDelays{.dispatch = 30s, .delivery = 60s}};

  domain::Shipment Scheduled(Timestamp confirmed_at) {
    clock_.Set(confirmed_at - 1min);
    auto s = scheduled_.CreateShipment(Request(NewUuid()));
    clock_.Set(confirmed_at);
    EXPECT_EQ(scheduled_.StartProgression(s.order_id).outcome, domain::OrderEventOutcome::kApplied);
    return scheduled_.GetShipment(s.id);
  }
};

TEST_F(ProgressionTest, AScheduledShipmentIsDispatchedThenDeliveredByItselfWithItsEvents) {
  const Timestamp t0 = Day(6);
  auto a = Scheduled(t0);
  auto b = Scheduled(t0 + 10s);
  EXPECT_EQ(a.next_step_at, t0 + 30s);

  scheduled_.AdvanceDueShipments(t0 + 29s);
  EXPECT_EQ(scheduled_.GetShipment(a.id).status, ShipmentStatus::kLabelCreated) << "not before its time";

  EXPECT_GE(scheduled_.AdvanceDueShipments(t0 + 30s), 1);
  auto a_dispatched = scheduled_.GetShipment(a.id);
  EXPECT_EQ(a_dispatched.status, ShipmentStatus::kDispatched);
  EXPECT_EQ(a_dispatched.dispatched_at, t0 + 30s);
  EXPECT_EQ(a_dispatched.next_step_at, t0 + 90s) << "delivery 60 s after the dispatch";
  EXPECT_EQ(scheduled_.GetShipment(b.id).status, ShipmentStatus::kLabelCreated);

  scheduled_.AdvanceDueShipments(t0 + 89s);
  EXPECT_EQ(scheduled_.GetShipment(a.id).status, ShipmentStatus::kDispatched);
  EXPECT_EQ(scheduled_.GetShipment(b.id).status, ShipmentStatus::kDispatched);

  scheduled_.AdvanceDueShipments(t0 + 90s);
  auto a_delivered = scheduled_.GetShipment(a.id);
  EXPECT_EQ(a_delivered.status, ShipmentStatus::kDelivered);
  EXPECT_EQ(a_delivered.delivered_at, t0 + 90s);
  EXPECT_FALSE(a_delivered.next_step_at);

  scheduled_.AdvanceDueShipments(t0 + 1h);
  EXPECT_EQ(scheduled_.GetShipment(b.id).status, ShipmentStatus::kDelivered);
  const std::string dsn = SharedPostgres().Dsn("shipping");
  for (const auto& order : {a.order_id, b.order_id}) {
    EXPECT_EQ(EventTypes(OutboxRows(dsn, "shipping", order)),
              Types({types::kShipmentCreated, types::kShipmentDispatched, types::kShipmentDelivered}));
  }
  scheduled_.AdvanceDueShipments(t0 + 1000h);
  EXPECT_EQ(OutboxRows(dsn, "shipping", a.order_id).size(), 3u) << "nothing more once delivered";
}

TEST_F(ProgressionTest, StepsTakenInTheBackgroundCarryTheTraceTheShipmentWasCreatedIn) {
  const Timestamp t0 = Day(7);
  const auto request = *trace::ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  domain::Shipment created;
  {
    trace::ContextScope traced(request);  // as rpc::Handle does for checkout's CreateShipment call
    created = Scheduled(t0);
  }
  EXPECT_EQ(created.traceparent, request.Traceparent());
  scheduled_.AdvanceDueShipments(t0 + 1h);  // dispatched, on the progression's own thread: no context
  scheduled_.AdvanceDueShipments(t0 + 2h);  // delivered
  const auto rows = OutboxRows(SharedPostgres().Dsn("shipping"), "shipping", created.order_id);
  ASSERT_EQ(EventTypes(rows), Types({types::kShipmentCreated, types::kShipmentDispatched, types::kShipmentDelivered}));
  for (const auto& row : rows) EXPECT_EQ(row.envelope.trace().traceparent(), request.Traceparent()) << row.event_type;
}

TEST_F(ProgressionTest, AnOperatorMovingTheShipmentTakesItOverAndCancellingEndsTheSchedule) {
  const Timestamp t0 = Day(7);
  auto by_hand = Scheduled(t0);
  clock_.Set(t0 + 5s);
  auto dispatched = scheduled_.AdvanceShipment(by_hand.id, ShipmentStatus::kDispatched);
  EXPECT_FALSE(dispatched.next_step_at);
  auto cancelled = Scheduled(t0);
  scheduled_.CancelShipment(cancelled.id, "out of stock after all");

  scheduled_.AdvanceDueShipments(t0 + 1000h);
  EXPECT_EQ(scheduled_.GetShipment(by_hand.id).status, ShipmentStatus::kDispatched);
  EXPECT_EQ(scheduled_.GetShipment(cancelled.id).status, ShipmentStatus::kCancelled);
}

TEST_F(ProgressionTest, APassSkipsAShipmentAnotherTransactionHoldsInsteadOfWaiting) {
  const Timestamp t0 = Day(8);
  auto held = Scheduled(t0);
  auto free = Scheduled(t0);

  pqxx::connection other(SharedPostgres().Dsn("shipping"));
  pqxx::work locker(other);
  locker.exec("SELECT 1 FROM shipments WHERE id = '" + held.id + "' FOR UPDATE");

  auto pass = std::async(std::launch::async, [&] { return scheduled_.AdvanceDueShipments(t0 + 31s); });
  const bool finished = pass.wait_for(30s) == std::future_status::ready;
  EXPECT_EQ(scheduled_.GetShipment(held.id).status, ShipmentStatus::kLabelCreated);
  locker.abort();  // lets a pass that did wait finish, so the test ends either way
  EXPECT_TRUE(finished) << "the pass waited for the locked shipment";
  pass.get();
  EXPECT_EQ(scheduled_.GetShipment(free.id).status, ShipmentStatus::kDispatched);

  scheduled_.AdvanceDueShipments(t0 + 32s);
  EXPECT_EQ(scheduled_.GetShipment(held.id).status, ShipmentStatus::kDispatched) << "taken on the next pass";
}

TEST_F(ProgressionTest, ConcurrentPassesTakeEachStepExactlyOnce) {
  const Timestamp t0 = Day(9);
  std::vector<domain::Shipment> shipments;
  for (int i = 0; i < 20; ++i) shipments.push_back(Scheduled(t0));

  std::latch start(4);
  std::vector<std::thread> passes;
  for (int i = 0; i < 4; ++i) {
    passes.emplace_back([&] {
      start.arrive_and_wait();
      scheduled_.AdvanceDueShipments(t0 + 30s);
    });
  }
  for (auto& t : passes) t.join();

  const std::string dsn = SharedPostgres().Dsn("shipping");
  for (const auto& s : shipments) {
    EXPECT_EQ(scheduled_.GetShipment(s.id).status, ShipmentStatus::kDispatched);
    EXPECT_EQ(EventTypes(OutboxRows(dsn, "shipping", s.order_id)), Types({types::kShipmentCreated, types::kShipmentDispatched}));
  }
}

}  // namespace
}  // namespace storefront::shipping::repo
