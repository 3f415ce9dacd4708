// A small, bounded pool of threads for work that must block: argon2id password hashing (slow on
// purpose) and the database calls of register and login.
//
// Pistache's reactor threads must never block (see exchange.h), and gRPC's callback threads are
// not ours to hold either. So a handler that needs blocking work queues it here and returns; the
// task answers through the shared Responder when it is done. The queue is bounded: when it is
// full, Submit refuses at once and the client gets 503 with Retry-After, instead of every
// request waiting ever longer behind a flood of logins (and each waiting one holding memory).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/exchange.h"

namespace storefront::gateway::http {

class BlockingPool {
 public:
  // `threads` workers; at most `queue_capacity` tasks waiting for one.
  BlockingPool(std::size_t threads, std::size_t queue_capacity);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Queues `task`; false (and `task` dropped) when the queue is full or the pool is shut down.
  // A task that throws is logged; it should have answered its own client.
  bool Submit(std::function<void()> task);

  // Refuses new tasks, lets the workers finish every queued one, joins them. Idempotent.
  void Shutdown();

  std::size_t threads() const { return threads_.size(); }
  std::size_t queue_capacity() const { return capacity_; }

 private:
  void Work();

  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Runs `work` on `pool` for the request `responder` answers: 503 (with Retry-After and
// `busy_detail`) when the pool refuses it; when `work` throws, the problem FromDomainError maps,
// or a logged 500.
void RunBlocking(BlockingPool& pool, std::shared_ptr<Responder> responder, std::function<void()> work,
                 std::string busy_detail = "the gateway is busy signing other shoppers in; try again in a moment");

}  // namespace storefront::gateway::http
