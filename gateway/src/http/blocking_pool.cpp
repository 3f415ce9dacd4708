#include "http/blocking_pool.h"

#include "shared/log/log.h"
#include "shared/trace/context.h"

namespace storefront::gateway::http {

BlockingPool::BlockingPool(std::size_t threads, std::size_t queue_capacity) : capacity_(queue_capacity) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

BlockingPool::~BlockingPool() { Shutdown(); }

bool BlockingPool::Submit(std::function<void()> task) {
  // The task runs in the trace of the request that submitted it: its calls and log lines too.
  std::optional<trace::SpanContext> traced;
  if (const trace::SpanContext* current = trace::Current()) traced = *current;
  auto in_trace = [traced, task = std::move(task)] {
    trace::ContextScope scope(traced);
    task();
  };
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_) return false;
    queue_.push_back(std::move(in_trace));
  }
  wake_.notify_one();
  return true;
}

void BlockingPool::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void BlockingPool::Work() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& error) {
      log::Error("blocking task failed", {{"error", error.what()}});
    } catch (...) {
      log::Error("blocking task failed", {{"error", "unknown exception"}});
    }
  }
}

void RunBlocking(BlockingPool& pool, std::shared_ptr<Responder> responder, std::function<void()> work,
                 std::string busy_detail) {
  bool queued = pool.Submit([responder, work = std::move(work)] {
    try {
      work();
    } catch (const DomainError& error) {
      responder->SendProblem(FromDomainError(error));
    } catch (const std::exception& error) {
      log::Error("request failed", {{"request_id", responder->request_id()}, {"error", error.what()}});
      responder->SendProblem(InternalError());
    }
  });
  if (!queued) {
    responder->AddHeader("Retry-After", "1");
    responder->SendProblem({503, "overloaded", "Service unavailable", std::move(busy_detail), {}});
  }
}

}  // namespace storefront::gateway::http
