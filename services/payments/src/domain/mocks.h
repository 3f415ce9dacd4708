// GoogleMock doubles of every port in domain/ports.h, for domain and API tests. By default
// MockPaymentRepository::InTransaction runs the work against `transaction`; InMemoryStore backs
// both with maps, for tests that need a sequence of calls to see the writes of the ones before.
#pragma once

#include <gmock/gmock.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/ports.h"

namespace storefront::payments::domain {

class MockPaymentTransaction : public PaymentTransaction {
 public:
  MOCK_METHOD(void, LockOrder, (const std::string&), (override));
  MOCK_METHOD(std::optional<OrderClosure>, FindClosure, (const std::string&), (override));
  MOCK_METHOD(int, CountRecentDeclines, (const std::string&, Timestamp), (override));
  MOCK_METHOD(std::optional<OrderClosure>, RecordClosure, (const OrderClosure&), (override));
  MOCK_METHOD(std::optional<IdempotencyRecord>, ClaimKey, (const IdempotencyRecord&), (override));
  MOCK_METHOD(std::optional<Payment>, LockPayment, (const std::string&), (override));
  MOCK_METHOD(void, Save, (const Payment&), (override));
  MOCK_METHOD(void, Append, (const PaymentOperation&), (override));
  MOCK_METHOD(void, Publish, (const PaymentEvent&), (override));
  MOCK_METHOD(std::optional<ProcessorIntent>, FindIntent, (Operation, const std::string&), (override));
  MOCK_METHOD(std::optional<ProcessorIntent>, LockIntent, (const std::string&), (override));
  MOCK_METHOD(std::vector<ProcessorIntent>, PendingIntents, (const std::string&), (override));
  MOCK_METHOD(void, SaveIntent, (const ProcessorIntent&), (override));
};

class MockPaymentRepository : public PaymentRepository {
 public:
  MockPaymentRepository() {
    ON_CALL(*this, InTransaction).WillByDefault([this](const std::function<void(PaymentTransaction&)>& work) {
      work(transaction);
    });
  }
  MOCK_METHOD(void, InTransaction, (const std::function<void(PaymentTransaction&)>&), (override));
  MOCK_METHOD(std::optional<Payment>, Get, (const std::string&), (override));
  MOCK_METHOD(std::vector<Payment>, ListByOrder, (const std::string&), (override));
  MOCK_METHOD(std::vector<ProcessorIntent>, TakeDueIntents, (Timestamp, Timestamp, int), (override));

  ::testing::NiceMock<MockPaymentTransaction> transaction;
};

// Counts calls and scripts outcomes.
class MockCardProcessor : public CardProcessor {
 public:
  MOCK_METHOD(AuthorizationResult, Authorize, (const std::string&, const Card&, const Money&), (override));
  MOCK_METHOD(void, Capture, (const std::string&, const std::string&, const Money&), (override));
  MOCK_METHOD(void, Void, (const std::string&, const std::string&), (override));
  MOCK_METHOD(void, Refund, (const std::string&, const std::string&, const Money&), (override));
  MOCK_METHOD(ProcessorOutcome, Outcome, (const std::string&), (override));
};

// The payments schema as maps, behind a MockPaymentRepository (Back): a transaction's writes are
// undone when its work throws, as PostgreSQL would, and `in_transaction` tells whether one is open
// (what a test checks when the processor is called). With `retry_transactions` every
// transaction's work runs twice, the first run rolled back, as db::Session does when the
// connection breaks before the commit. `journal` lists what happened, in order: "begin",
// "commit", "rollback", and each call ("LockOrder order-1", "Save pending", ...), to which a test
// adds its processor calls.
struct InMemoryStore {
  std::map<std::pair<Operation, std::string>, IdempotencyRecord> keys;
  std::map<std::string, Payment> payments;
  std::vector<PaymentOperation> ledger;
  std::vector<PaymentEvent> events;
  std::map<std::string, OrderClosure> closures;
  std::map<std::string, ProcessorIntent> intents;
  bool in_transaction = false;
  bool retry_transactions = false;
  int transactions = 0;  // committed
  std::vector<std::string> journal;

  void Note(std::string entry) { journal.push_back(std::move(entry)); }

  std::optional<Payment> Stored(const std::string& id) const {
    auto it = payments.find(id);
    if (it == payments.end()) return std::nullopt;
    return it->second;
  }

  std::vector<ProcessorIntent> IntentsOf(const std::string& payment_id) const {
    std::vector<ProcessorIntent> found;
    for (const auto& [id, intent] : intents) {
      if (intent.payment_id == payment_id) found.push_back(intent);
    }
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
    return found;
  }

  void Back(MockPaymentRepository& repo) {
    using ::testing::_;
    auto& tx = repo.transaction;
    ON_CALL(repo, InTransaction).WillByDefault([this, &repo](const std::function<void(PaymentTransaction&)>& work) {
      const InMemoryStore before = *this;
      auto undo = [&] {  // the data goes back; the flags and the journal stay
        const bool retry = retry_transactions;
        const int committed = transactions;
        auto kept = std::move(journal);
        *this = before;
        retry_transactions = retry;
        transactions = committed;
        journal = std::move(kept);
        Note("rollback");
        in_transaction = false;
      };
      Note("begin");
      in_transaction = true;
      try {
        if (retry_transactions) {
          work(repo.transaction);
          undo();  // the connection broke before the commit: nothing of the first run stays
          Note("begin");
          in_transaction = true;
        }
        work(repo.transaction);
      } catch (...) {
        undo();
        throw;
      }
      in_transaction = false;
      ++transactions;
      Note("commit");
    });
    ON_CALL(tx, LockOrder).WillByDefault([this](const std::string& order_id) { Note("LockOrder " + order_id); });
    ON_CALL(tx, ClaimKey).WillByDefault([this](const IdempotencyRecord& record) -> std::optional<IdempotencyRecord> {
      Note("ClaimKey " + record.key);
      auto [it, inserted] = keys.try_emplace({record.operation, record.key}, record);
      if (inserted) return std::nullopt;
      return it->second;
    });
    ON_CALL(tx, LockPayment).WillByDefault([this](const std::string& id) {
      Note("LockPayment");
      return Stored(id);
    });
    ON_CALL(tx, CountRecentDeclines).WillByDefault([this](const std::string& customer_id, Timestamp since) {
      return static_cast<int>(std::count_if(payments.begin(), payments.end(), [&](const auto& entry) {
        const Payment& p = entry.second;
        return p.customer_id == customer_id && p.status == PaymentStatus::kDeclined &&
               p.decline_code != kTooManyDeclines && p.updated_at >= since;
      }));
    });
    ON_CALL(tx, FindClosure).WillByDefault([this](const std::string& order_id) -> std::optional<OrderClosure> {
      Note("FindClosure " + order_id);
      auto it = closures.find(order_id);
      if (it == closures.end()) return std::nullopt;
      return it->second;
    });
    ON_CALL(tx, RecordClosure).WillByDefault([this](const OrderClosure& closure) -> std::optional<OrderClosure> {
      Note("RecordClosure " + closure.order_id);
      auto [it, inserted] = closures.try_emplace(closure.order_id, closure);
      if (inserted) return std::nullopt;
      return it->second;
    });
    ON_CALL(tx, Save).WillByDefault([this](const Payment& payment) {
      Note("Save " + std::string(ToString(payment.status)));
      payments[payment.id] = payment;
    });
    ON_CALL(tx, Append).WillByDefault([this](const PaymentOperation& operation) {
      Note("Append " + std::string(ToString(operation.kind)));
      ledger.push_back(operation);
    });
    ON_CALL(tx, Publish).WillByDefault([this](const PaymentEvent& event) {
      Note("Publish");
      events.push_back(event);
    });
    ON_CALL(tx, FindIntent)
        .WillByDefault([this](Operation operation, const std::string& key) -> std::optional<ProcessorIntent> {
          std::optional<ProcessorIntent> found;
          for (const auto& [id, intent] : intents) {
            if (intent.operation != operation || intent.idempotency_key != key) continue;
            if (intent.state == IntentState::kPending) return intent;
            if (!found || found->created_at <= intent.created_at) found = intent;
          }
          return found;
        });
    ON_CALL(tx, LockIntent).WillByDefault([this](const std::string& id) -> std::optional<ProcessorIntent> {
      Note("LockIntent");
      auto it = intents.find(id);
      if (it == intents.end()) return std::nullopt;
      return it->second;
    });
    ON_CALL(tx, PendingIntents).WillByDefault([this](const std::string& payment_id) {
      std::vector<ProcessorIntent> pending;
      for (const auto& intent : IntentsOf(payment_id)) {
        if (intent.state == IntentState::kPending) pending.push_back(intent);
      }
      return pending;
    });
    ON_CALL(tx, SaveIntent).WillByDefault([this](const ProcessorIntent& intent) {
      Note("SaveIntent " + std::string(ToString(intent.operation)) + " " + std::string(ToString(intent.state)));
      intents[intent.id] = intent;
    });
    ON_CALL(repo, Get).WillByDefault([this](const std::string& id) { return Stored(id); });
    ON_CALL(repo, ListByOrder).WillByDefault([this](const std::string& order_id) {
      std::vector<Payment> found;  // newest first, as the repository returns them
      for (const auto& [id, payment] : payments) {
        if (payment.order_id == order_id) found.insert(found.begin(), payment);
      }
      return found;
    });
    ON_CALL(repo, TakeDueIntents).WillByDefault([this](Timestamp now, Timestamp lease_until, int limit) {
      std::vector<ProcessorIntent> due;
      for (const auto& [id, intent] : intents) {
        if (intent.state == IntentState::kPending && intent.next_attempt_at <= now) due.push_back(intent);
      }
      std::stable_sort(due.begin(), due.end(),
                       [](const auto& a, const auto& b) { return a.next_attempt_at < b.next_attempt_at; });
      if (due.size() > static_cast<std::size_t>(limit)) due.resize(static_cast<std::size_t>(limit));
      for (auto& intent : due) {
        intent.attempts += 1;
        intent.next_attempt_at = lease_until;
        intents[intent.id] = intent;
      }
      return due;
    });
  }
};

}  // namespace storefront::payments::domain
