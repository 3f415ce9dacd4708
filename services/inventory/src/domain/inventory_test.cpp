// The use cases over a mocked repository and a fake clock: validation, idempotency, the
// reservation state machine and the sweep loop, without a database.
#include "domain/inventory.h"

#include <gtest/gtest.h>

#include "domain/mocks.h"
#include "shared/errors/errors.h"

namespace storefront::inventory::domain {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Return;

constexpr const char* kOrder = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kReservation = "5d1f8f0e-2c3b-4a7d-8e9f-0a1b2c3d4e5f";
constexpr const char* kA = "11111111-1111-4111-8111-111111111111";
constexpr const char* kB = "22222222-2222-4222-8222-222222222222";
constexpr const char* kC = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
constexpr const char* kUpperC = "CCCCCCCC-CCCC-4CCC-8CCC-CCCCCCCCCCCC";
constexpr const char* kKey = "a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4";

StockLevel LevelOf(const std::string& product, int on_hand, int reserved) {
  StockLevel level;
  level.product_id = product;
  level.on_hand = on_hand;
  level.reserved = reserved;
  level.low_stock_threshold = kDefaultLowStockThreshold;
  return level;
}

class InventoryTest : public ::testing::Test {
 protected:
  Reservation Active(std::vector<ReservationLine> lines = {{kA, 2}}) {
    Reservation r;
    r.id = kReservation;
    r.order_id = kOrder;
    r.lines = std::move(lines);
    r.state = ReservationState::kActive;
    r.created_at = clock_.Now();
    r.expires_at = clock_.Now() + std::chrono::seconds(900);
    return r;
  }

  // Runs ChangeReservation's decision against `current` and returns what the repository
  // would then hold, the way the real one does inside its transaction.
  void ExpectChange(const Reservation& current, std::optional<ReservationChange>* decided = nullptr) {
    EXPECT_CALL(repo_, ChangeReservation(kReservation, clock_.Now(), _))
        .WillOnce([current, decided](const std::string&, Timestamp, const ReservationDecision& decide) {
          auto change = decide(current);
          if (decided) *decided = change;
          Reservation after = current;
          if (change) {
            after.state = change->to;
            after.release_reason = change->reason;
          }
          return std::optional<Reservation>(after);
        });
  }

  std::string Message(const std::function<void()>& call) {
    try {
      call();
    } catch (const InvalidArgument& error) {
      return error.what();
    }
    ADD_FAILURE() << "expected InvalidArgument";
    return "";
  }

  MockInventoryRepository repo_;
  FakeClock clock_;
  Inventory inventory_{repo_, clock_.AsClock()};
};

// --- ReserveStock ---------------------------------------------------------------------------

TEST_F(InventoryTest, ReserveNamesEveryBadFieldWithoutTouchingTheRepository) {
  EXPECT_CALL(repo_, Reserve(_)).Times(0);
  auto message = Message([&] {
    inventory_.ReserveStock({"not-an-order", {{"nope", 0}, {kA, 1000}, {kA, 1}}, 3601});
  });
  EXPECT_THAT(message, HasSubstr("order_id: must be a UUID"));
  EXPECT_THAT(message, HasSubstr("lines[0].product_id: must be a UUID"));
  EXPECT_THAT(message, HasSubstr("lines[0].quantity: must be between 1 and 999"));
  EXPECT_THAT(message, HasSubstr("lines[1].quantity: must be between 1 and 999"));
  EXPECT_THAT(message, HasSubstr("lines[2].product_id: repeats an earlier line"));
  EXPECT_THAT(message, HasSubstr("ttl_seconds: must be between 1 and 3600"));
  EXPECT_THAT(message, HasSubstr("; "));

  EXPECT_THAT(Message([&] { inventory_.ReserveStock({kOrder, {}, 0}); }), HasSubstr("lines: must have 1 to 100"));
  std::vector<ReservationLine> many(101, ReservationLine{kA, 1});
  EXPECT_THAT(Message([&] { inventory_.ReserveStock({kOrder, many, 0}); }), HasSubstr("lines: must have 1 to 100"));
  EXPECT_THAT(Message([&] { inventory_.ReserveStock({kOrder, {{kA, 1}}, -1}); }), HasSubstr("ttl_seconds"));
  EXPECT_THAT(Message([&] { inventory_.ReserveStock({"", {{kA, 1}}, 0}); }), HasSubstr("order_id: is required"));
  // The same product spelled in another case is still a repeat.
  EXPECT_THAT(Message([&] { inventory_.ReserveStock({kOrder, {{kC, 1}, {kUpperC, 1}}, 0}); }),
              HasSubstr("lines[1].product_id: repeats"));
}

TEST_F(InventoryTest, ReserveDefaultsTheTtlAndSendsLinesInProductOrder) {
  EXPECT_CALL(repo_, Reserve(AllOf(
                         Field(&NewReservation::order_id, kOrder),
                         Field(&NewReservation::now, clock_.Now()),
                         Field(&NewReservation::expires_at, clock_.Now() + std::chrono::seconds(900)),
                         Field(&NewReservation::lines, ElementsAre(ReservationLine{kA, 1}, ReservationLine{kC, 3})))))
      .WillOnce(Return(ReserveOutcome{ReserveOutcome::Kind::kCreated, Active({{kA, 1}, {kC, 3}}), {}}));
  // Upper-case ids are normalised; C before A on the wire, A first to the repository.
  auto result = inventory_.ReserveStock({kOrder, {{kUpperC, 3}, {kA, 1}}, 0});
  ASSERT_TRUE(result.reservation);
  EXPECT_TRUE(result.shortages.empty());
}

TEST_F(InventoryTest, ReserveHonoursTheTtlAtBothBounds) {
  EXPECT_CALL(repo_, Reserve(Field(&NewReservation::expires_at, clock_.Now() + std::chrono::seconds(1))))
      .WillOnce(Return(ReserveOutcome{ReserveOutcome::Kind::kCreated, Active(), {}}));
  EXPECT_CALL(repo_, Reserve(Field(&NewReservation::expires_at, clock_.Now() + std::chrono::seconds(3600))))
      .WillOnce(Return(ReserveOutcome{ReserveOutcome::Kind::kCreated, Active(), {}}));
  inventory_.ReserveStock({kOrder, {{kA, 2}}, 1});
  inventory_.ReserveStock({kOrder, {{kA, 2}}, 3600});
}

TEST_F(InventoryTest, AShortageIsAResultNotAnError) {
  std::vector<Shortage> shortages{{kA, 5, 2}, {kB, 1, 0}};
  EXPECT_CALL(repo_, Reserve(_)).WillOnce(Return(ReserveOutcome{ReserveOutcome::Kind::kInsufficient, {}, shortages}));
  auto result = inventory_.ReserveStock({kOrder, {{kA, 5}, {kB, 1}}, 0});
  EXPECT_FALSE(result.reservation);
  EXPECT_EQ(result.shortages, shortages);
}

TEST_F(InventoryTest, ARetryWithTheSameLinesReturnsTheExistingReservationInAnyLineOrder) {
  auto existing = Active({{kA, 1}, {kB, 3}});
  existing.state = ReservationState::kCommitted;  // "in whatever state it is now"
  EXPECT_CALL(repo_, Reserve(_)).WillOnce(Return(ReserveOutcome{ReserveOutcome::Kind::kExisting, existing, {}}));
  EXPECT_CALL(repo_, ChangeReservation(_, _, _)).Times(0);
  auto result = inventory_.ReserveStock({kOrder, {{kB, 3}, {kA, 1}}, 60});
  ASSERT_TRUE(result.reservation);
  EXPECT_EQ(result.reservation->id, kReservation);
  EXPECT_EQ(result.reservation->state, ReservationState::kCommitted);
}

TEST_F(InventoryTest, TheSameOrderWithOtherLinesIsAlreadyExists) {
  EXPECT_CALL(repo_, Reserve(_))
      .Times(2)
      .WillRepeatedly(Return(ReserveOutcome{ReserveOutcome::Kind::kExisting, Active({{kA, 2}}), {}}));
  EXPECT_THROW(inventory_.ReserveStock({kOrder, {{kA, 3}}, 0}), AlreadyExists);
  EXPECT_THROW(inventory_.ReserveStock({kOrder, {{kA, 2}, {kB, 1}}, 0}), AlreadyExists);
}

TEST_F(InventoryTest, ARetryOfAnOverdueReservationExpiresItAndIsFailedPrecondition) {
  auto existing = Active();
  EXPECT_CALL(repo_, Reserve(_)).WillOnce(Return(ReserveOutcome{ReserveOutcome::Kind::kExisting, existing, {}}));
  clock_.Advance(std::chrono::seconds(900));
  std::optional<ReservationChange> decided;
  ExpectChange(existing, &decided);
  EXPECT_THROW(inventory_.ReserveStock({kOrder, {{kA, 2}}, 0}), FailedPrecondition)
      << "a released hold is not a reservation the order can go on with";
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->reason, ReleaseReason::kExpired);
}

TEST_F(InventoryTest, ARetryOfAReleasedReservationIsFailedPreconditionNotSuccess) {
  auto existing = Active();
  existing.state = ReservationState::kReleased;
  existing.release_reason = ReleaseReason::kCheckoutFailed;
  EXPECT_CALL(repo_, Reserve(_)).WillOnce(Return(ReserveOutcome{ReserveOutcome::Kind::kExisting, existing, {}}));
  EXPECT_CALL(repo_, ChangeReservation(_, _, _)).Times(0);
  try {
    inventory_.ReserveStock({kOrder, {{kA, 2}}, 0});
    FAIL() << "a released reservation was returned as a success";
  } catch (const FailedPrecondition& e) {
    EXPECT_NE(std::string(e.what()).find("cannot hold stock again"), std::string::npos) << e.what();
  }
}

// --- CommitReservation ----------------------------------------------------------------------

TEST_F(InventoryTest, CommitMovesAnActiveReservationToCommitted) {
  std::optional<ReservationChange> decided;
  ExpectChange(Active(), &decided);
  EXPECT_EQ(inventory_.CommitReservation(kReservation).state, ReservationState::kCommitted);
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->to, ReservationState::kCommitted);
}

TEST_F(InventoryTest, CommitIsIdempotentOnACommittedReservation) {
  auto committed = Active();
  committed.state = ReservationState::kCommitted;
  std::optional<ReservationChange> decided{ReservationChange{}};
  ExpectChange(committed, &decided);
  EXPECT_EQ(inventory_.CommitReservation(kReservation).state, ReservationState::kCommitted);
  EXPECT_FALSE(decided) << "no second change";
}

TEST_F(InventoryTest, CommittingAReleasedReservationIsFailedPrecondition) {
  auto released = Active();
  released.state = ReservationState::kReleased;
  released.release_reason = ReleaseReason::kCheckoutFailed;
  std::optional<ReservationChange> decided{ReservationChange{}};
  ExpectChange(released, &decided);
  EXPECT_THROW(inventory_.CommitReservation(kReservation), FailedPrecondition);
  EXPECT_FALSE(decided);
}

TEST_F(InventoryTest, ACommitAfterTheDeadlineExpiresTheReservationInsteadEvenBeforeTheSweep) {
  auto reservation = Active();
  clock_.Advance(std::chrono::seconds(900));  // exactly at expires_at
  std::optional<ReservationChange> decided;
  ExpectChange(reservation, &decided);
  try {
    inventory_.CommitReservation(kReservation);
    FAIL() << "expected FailedPrecondition";
  } catch (const FailedPrecondition& error) {
    EXPECT_THAT(std::string(error.what()), HasSubstr("expired"));
  }
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->to, ReservationState::kReleased);
  EXPECT_EQ(decided->reason, ReleaseReason::kExpired);
}

TEST_F(InventoryTest, CommitOfAnUnknownOrMalformedIdIsReported) {
  EXPECT_CALL(repo_, ChangeReservation(kReservation, _, _)).WillOnce(Return(std::nullopt));
  EXPECT_THROW(inventory_.CommitReservation(kReservation), NotFound);
  EXPECT_THAT(Message([&] { inventory_.CommitReservation("12"); }), HasSubstr("reservation_id: must be a UUID"));
}

// --- ReleaseReservation ---------------------------------------------------------------------

TEST_F(InventoryTest, ReleaseEndsAnActiveHoldWithTheCallersReason) {
  std::optional<ReservationChange> decided;
  ExpectChange(Active(), &decided);
  auto released = inventory_.ReleaseReservation(kReservation, ReleaseReason::kCheckoutFailed);
  EXPECT_EQ(released.state, ReservationState::kReleased);
  EXPECT_EQ(released.release_reason, ReleaseReason::kCheckoutFailed);
}

TEST_F(InventoryTest, ReleasingACommittedReservationRestocksIt) {
  auto committed = Active();
  committed.state = ReservationState::kCommitted;
  std::optional<ReservationChange> decided;
  ExpectChange(committed, &decided);
  inventory_.ReleaseReservation(kReservation, ReleaseReason::kOrderCancelled);
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->to, ReservationState::kReleased);
  EXPECT_EQ(decided->reason, ReleaseReason::kOrderCancelled);
  // The repository applies EffectOf(COMMITTED, RELEASED): on_hand +q.
  EXPECT_EQ(EffectOf(committed.state, decided->to), (StockEffect{+1, 0}));
}

TEST_F(InventoryTest, ReleasingAReleasedReservationKeepsTheFirstReason) {
  auto released = Active();
  released.state = ReservationState::kReleased;
  released.release_reason = ReleaseReason::kExpired;
  std::optional<ReservationChange> decided{ReservationChange{}};
  ExpectChange(released, &decided);
  EXPECT_EQ(inventory_.ReleaseReservation(kReservation, ReleaseReason::kOrderCancelled).release_reason,
            ReleaseReason::kExpired);
  EXPECT_FALSE(decided);
}

TEST_F(InventoryTest, ReleaseTakesOnlyTheCallersReasons) {
  EXPECT_CALL(repo_, ChangeReservation(_, _, _)).Times(0);
  EXPECT_THAT(Message([&] { inventory_.ReleaseReservation(kReservation, ReleaseReason::kExpired); }),
              HasSubstr("reason: EXPIRED is set by inventory itself"));
  EXPECT_THAT(Message([&] { inventory_.ReleaseReservation(kReservation, ReleaseReason::kNone); }),
              HasSubstr("reason: must be CHECKOUT_FAILED or ORDER_CANCELLED"));
}

// The decisions the gRPC calls and the order-event handlers share, state by state.
TEST_F(InventoryTest, TheSagaDecisionsAreTheSameTableForEveryCaller) {
  const Timestamp now = clock_.Now();
  auto in = [&](ReservationState state, std::chrono::seconds left = std::chrono::seconds(900)) {
    Reservation r = Active();
    r.state = state;
    r.expires_at = now + left;
    return r;
  };
  auto to = [](const std::optional<ReservationChange>& change) {
    return change ? std::string(Name(change->to)) + "/" + std::string(Name(change->reason)) : std::string("-");
  };
  const auto commit = CommitDecision(now);
  EXPECT_EQ(to(commit(in(ReservationState::kActive))), "committed/none");
  EXPECT_EQ(to(commit(in(ReservationState::kActive, std::chrono::seconds(0)))), "released/expired");
  EXPECT_EQ(to(commit(in(ReservationState::kCommitted))), "-");
  EXPECT_EQ(to(commit(in(ReservationState::kReleased))), "-");
  const auto cancel = ReleaseDecision(now, ReleaseReason::kOrderCancelled);
  EXPECT_EQ(to(cancel(in(ReservationState::kActive))), "released/order_cancelled");
  EXPECT_EQ(to(cancel(in(ReservationState::kActive, std::chrono::seconds(-1)))), "released/expired");
  EXPECT_EQ(to(cancel(in(ReservationState::kCommitted))), "released/order_cancelled");
  EXPECT_EQ(to(cancel(in(ReservationState::kReleased))), "-");
}

// The order-event use cases find the reservation by its order and apply the same decisions.
TEST_F(InventoryTest, OrderEventsCommitOrReleaseTheOrdersReservation) {
  const Timestamp now = clock_.Now();
  auto by_order = [&](const Reservation& current) {
    return [current](const std::string&, Timestamp, const ReservationDecision& decide) -> std::optional<Reservation> {
      Reservation after = current;
      if (auto change = decide(current)) {
        after.state = change->to;
        after.release_reason = change->reason;
      }
      return after;
    };
  };
  EXPECT_CALL(repo_, ChangeReservationByOrder(kOrder, now, _)).WillOnce(by_order(Active()));
  auto committed = inventory_.CommitOrderReservation(kOrder);
  ASSERT_TRUE(committed);
  EXPECT_EQ(committed->state, ReservationState::kCommitted);

  EXPECT_CALL(repo_, ChangeReservationByOrder(kOrder, now, _)).WillOnce(by_order(Active()));
  auto released = inventory_.ReleaseOrderReservation(kOrder, ReleaseReason::kCheckoutFailed);
  ASSERT_TRUE(released);
  EXPECT_EQ(released->state, ReservationState::kReleased);
  EXPECT_EQ(released->release_reason, ReleaseReason::kCheckoutFailed);

  EXPECT_CALL(repo_, ChangeReservationByOrder(kOrder, now, _)).WillOnce(Return(std::nullopt));
  EXPECT_FALSE(inventory_.CommitOrderReservation(kOrder)) << "an order without a reservation";
}

// --- AdjustStock ----------------------------------------------------------------------------

AdjustRequest Restock(int delta = 10) {
  return {kKey, kA, delta, AdjustmentReason::kRestock, "pallet 7", "alice@example.com"};
}

TEST_F(InventoryTest, AdjustValidatesEveryField) {
  EXPECT_CALL(repo_, Adjust(_)).Times(0);
  auto message = Message([&] {
    inventory_.AdjustStock({"key", "product", 0, std::nullopt, std::string(501, 'x'), ""});
  });
  EXPECT_THAT(message, HasSubstr("idempotency_key: must be a UUID"));
  EXPECT_THAT(message, HasSubstr("product_id: must be a UUID"));
  EXPECT_THAT(message, HasSubstr("delta: must not be 0"));
  EXPECT_THAT(message, HasSubstr("reason: must be RESTOCK, COUNT, DAMAGED or RETURNED"));
  EXPECT_THAT(message, HasSubstr("note: must be at most 500 characters"));
  EXPECT_THAT(message, HasSubstr("actor: is required"));

  EXPECT_THAT(Message([&] { inventory_.AdjustStock(Restock(-3)); }), HasSubstr("delta: must be positive for restock"));
  EXPECT_THAT(Message([&] { inventory_.AdjustStock({kKey, kA, 3, AdjustmentReason::kDamaged, "", "bob"}); }),
              HasSubstr("delta: must be negative for damaged"));
  EXPECT_THAT(Message([&] { inventory_.AdjustStock(Restock(1'000'001)); }), HasSubstr("delta: must be between"));
  auto nul = Restock();
  nul.note = std::string("a\0b", 3);
  EXPECT_THAT(Message([&] { inventory_.AdjustStock(nul); }), HasSubstr("note: must not contain control characters"));
  auto long_actor = Restock();
  long_actor.actor = std::string(101, 'a');
  EXPECT_THAT(Message([&] { inventory_.AdjustStock(long_actor); }), HasSubstr("actor: must be at most 100"));
}

TEST_F(InventoryTest, AdjustAcceptsA500CharacterNoteOfMultibyteText) {
  auto request = Restock();
  request.note.clear();
  for (int i = 0; i < 500; ++i) request.note += "\xC3\xA9";  // 1000 bytes, 500 characters
  EXPECT_CALL(repo_, Adjust(Field(&NewAdjustment::now, clock_.Now())))
      .WillOnce(Return(AdjustOutcome{AdjustOutcome::Kind::kApplied, LevelOf(kA, 10, 0), {}}));
  EXPECT_EQ(inventory_.AdjustStock(request).level.on_hand, 10);
}

TEST_F(InventoryTest, AReplayedAdjustmentReturnsTheFirstResult) {
  StockAdjustment first{"adj-1", kKey, kA, 10, AdjustmentReason::kRestock, "pallet 7", "alice@example.com", 30, {}};
  const AdjustOutcome replayed{AdjustOutcome::Kind::kReplayed, LevelOf(kA, 30, 4), first};
  EXPECT_CALL(repo_, Adjust(_)).WillOnce(Return(replayed));
  auto result = inventory_.AdjustStock(Restock());
  EXPECT_EQ(result.adjustment.id, "adj-1");
  EXPECT_EQ(result.level.on_hand, 30);
}

TEST_F(InventoryTest, TheSameKeyOnADifferentAdjustmentIsAlreadyExists) {
  StockAdjustment first{"adj-1", kKey, kA, 10, AdjustmentReason::kRestock, "pallet 7", "alice@example.com", 30, {}};
  const AdjustOutcome replayed{AdjustOutcome::Kind::kReplayed, LevelOf(kA, 30, 0), first};
  EXPECT_CALL(repo_, Adjust(_)).Times(2).WillRepeatedly(Return(replayed));
  EXPECT_THROW(inventory_.AdjustStock(Restock(11)), AlreadyExists);
  auto other_product = Restock();
  other_product.product_id = kB;
  EXPECT_THROW(inventory_.AdjustStock(other_product), AlreadyExists);
}

TEST_F(InventoryTest, TakingOnHandBelowReservedIsFailedPrecondition) {
  EXPECT_CALL(repo_, Adjust(_))
      .WillOnce(Return(AdjustOutcome{AdjustOutcome::Kind::kBelowReserved, LevelOf(kA, 10, 8), {}}));
  try {
    inventory_.AdjustStock({kKey, kA, -3, AdjustmentReason::kDamaged, "", "bob"});
    FAIL() << "expected FailedPrecondition";
  } catch (const FailedPrecondition& error) {
    EXPECT_THAT(std::string(error.what()), HasSubstr("below the 8 units reserved"));
  }
}

// --- Reads ----------------------------------------------------------------------------------

TEST_F(InventoryTest, GetStockLevelsValidatesAndAsksOnceForEachId) {
  EXPECT_CALL(repo_, GetStockLevels(std::vector<std::string>{kA, kC})).WillOnce(Return(std::vector<StockLevel>{}));
  inventory_.GetStockLevels({kA, kUpperC, kC, kA});
  EXPECT_THAT(Message([&] { inventory_.GetStockLevels({}); }), HasSubstr("product_ids: must have 1 to 100 ids"));
  EXPECT_THAT(Message([&] { inventory_.GetStockLevels(std::vector<std::string>(101, kA)); }),
              HasSubstr("product_ids: must have 1 to 100 ids"));
  EXPECT_THAT(Message([&] { inventory_.GetStockLevels({kA, "x"}); }), HasSubstr("product_ids[1]: must be a UUID"));
}

TEST_F(InventoryTest, ListLowStockPagesWithAnOpaqueToken) {
  EXPECT_CALL(repo_, ListLowStock(Field(&LowStockQuery::limit, kDefaultPageSize)))
      .WillOnce(Return(LowStockPage{{{kA, 1, 0, 5, {}}}, LowStockPageToken{1, kA}}));
  auto first = inventory_.ListLowStock(0, "");
  ASSERT_FALSE(first.next_page_token.empty());
  EXPECT_CALL(repo_, ListLowStock(AllOf(Field(&LowStockQuery::limit, 7),
                                        Field(&LowStockQuery::after, std::optional(LowStockPageToken{1, kA})))))
      .WillOnce(Return(LowStockPage{}));
  EXPECT_TRUE(inventory_.ListLowStock(7, first.next_page_token).next_page_token.empty());

  EXPECT_THAT(Message([&] { inventory_.ListLowStock(101, ""); }), HasSubstr("page_size: must be between 1 and 100"));
  EXPECT_THAT(Message([&] { inventory_.ListLowStock(-1, ""); }), HasSubstr("page_size"));
  EXPECT_THAT(Message([&] { inventory_.ListLowStock(0, "garbage"); }), HasSubstr("page_token"));
}

TEST_F(InventoryTest, ListStockLevelsPagesByProductIdWithAnOpaqueToken) {
  EXPECT_CALL(repo_, ListStockLevels(AllOf(Field(&StockLevelQuery::limit, kDefaultPageSize),
                                           Field(&StockLevelQuery::after, std::nullopt))))
      .WillOnce(Return(StockLevelPage{{LevelOf(kA, 9, 1), LevelOf(kB, 3, 0)}, StockLevelPageToken{kB}}));
  auto first = inventory_.ListStockLevels(0, "");
  ASSERT_EQ(first.levels.size(), 2u);
  ASSERT_FALSE(first.next_page_token.empty());
  EXPECT_EQ(first.next_page_token.find(kB), std::string::npos) << "the token is opaque";

  EXPECT_CALL(repo_, ListStockLevels(AllOf(Field(&StockLevelQuery::limit, 2),
                                           Field(&StockLevelQuery::after, std::optional(StockLevelPageToken{kB})))))
      .WillOnce(Return(StockLevelPage{{LevelOf(kC, 0, 0)}, std::nullopt}));
  auto last = inventory_.ListStockLevels(2, first.next_page_token);
  EXPECT_TRUE(last.next_page_token.empty());

  EXPECT_THAT(Message([&] { inventory_.ListStockLevels(101, ""); }), HasSubstr("page_size: must be between 1 and 100"));
  EXPECT_THAT(Message([&] { inventory_.ListStockLevels(0, "garbage"); }), HasSubstr("page_token"));
  // A low-stock token is not a stock-levels token.
  EXPECT_THAT(Message([&] { inventory_.ListStockLevels(0, EncodePageToken(LowStockPageToken{1, kA})); }),
              HasSubstr("page_token"));
}

TEST_F(InventoryTest, ListAdjustmentsTokensOnlyWorkForTheirProduct) {
  EXPECT_CALL(repo_, ListAdjustments(AllOf(Field(&AdjustmentQuery::product_id, kA),
                                           Field(&AdjustmentQuery::before, std::nullopt))))
      .WillOnce(Return(AdjustmentPage{{StockAdjustment{}}, AdjustmentPageToken{41}}));
  auto first = inventory_.ListAdjustments(kA, 1, "");
  ASSERT_FALSE(first.next_page_token.empty());
  EXPECT_THAT(Message([&] { inventory_.ListAdjustments(kB, 1, first.next_page_token); }), HasSubstr("page_token"));
  EXPECT_THAT(Message([&] { inventory_.ListAdjustments("", 1, first.next_page_token); }), HasSubstr("page_token"));
  EXPECT_THAT(Message([&] { inventory_.ListAdjustments("junk", 0, ""); }), HasSubstr("product_id: must be a UUID"));

  EXPECT_CALL(repo_, ListAdjustments(Field(&AdjustmentQuery::before, std::optional(AdjustmentPageToken{41}))))
      .WillOnce(Return(AdjustmentPage{}));
  inventory_.ListAdjustments(kA, 1, first.next_page_token);
}

// --- The sweep ------------------------------------------------------------------------------

TEST_F(InventoryTest, TheSweepReleasesBatchesUntilOneComesBackShort) {
  ::testing::InSequence order;
  EXPECT_CALL(repo_, ExpireDue(clock_.Now(), kSweepBatchSize)).WillOnce(Return(kSweepBatchSize));
  EXPECT_CALL(repo_, ExpireDue(clock_.Now(), kSweepBatchSize)).WillOnce(Return(kSweepBatchSize));
  EXPECT_CALL(repo_, ExpireDue(clock_.Now(), kSweepBatchSize)).WillOnce(Return(3));
  EXPECT_EQ(inventory_.ExpireDueReservations(), 2 * kSweepBatchSize + 3);
}

TEST_F(InventoryTest, OneSweepPassIsBounded) {
  EXPECT_CALL(repo_, ExpireDue(_, _)).Times(kMaxSweepBatchesPerPass).WillRepeatedly(Return(kSweepBatchSize));
  EXPECT_EQ(inventory_.ExpireDueReservations(), kMaxSweepBatchesPerPass * kSweepBatchSize);
}

TEST_F(InventoryTest, TheSweepUsesTheInjectedClock) {
  clock_.Advance(std::chrono::hours(2));
  EXPECT_CALL(repo_, ExpireDue(clock_.Now(), _)).WillOnce(Return(0));
  EXPECT_EQ(inventory_.ExpireDueReservations(), 0);
}

}  // namespace
}  // namespace storefront::inventory::domain
