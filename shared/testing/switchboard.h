// What every in-process fake of an upstream gRPC service shares in tests: it can be made to fail
// (every call answers a status) or to hang (calls answer nothing until released or until the
// caller's deadline), and it records the request id of the last call, to check propagation.
// A fake derives from its generated Service and from Switchboard, and every RPC begins with
//   std::unique_lock lock(mutex_);
//   if (auto status = Enter(context, lock); !status.ok()) return status;
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>

namespace storefront::testing {

class Switchboard {
 public:
  // Every call answers `status` until Recover().
  void FailWith(grpc::Status status) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(status);
  }
  void Recover() { FailWith(grpc::Status::OK); }
  // Calls wait, answering nothing, until Release() or until the caller gives up (its deadline).
  void Hang() {
    std::lock_guard lock(mutex_);
    hanging_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      hanging_ = false;
    }
    released_.notify_all();
  }
  std::string last_request_id() const {
    std::lock_guard lock(mutex_);
    return last_request_id_;
  }
  // The time the last call had left before its deadline when it arrived (deadline propagation).
  std::chrono::milliseconds last_budget() const {
    std::lock_guard lock(mutex_);
    return last_budget_;
  }

 protected:
  // Runs first in every RPC, holding `lock` on mutex_: records the request id and waits while
  // hanging. A status that is not OK is the call's answer.
  grpc::Status Enter(grpc::ServerContext* context, std::unique_lock<std::mutex>& lock) {
    auto id = context->client_metadata().find("x-request-id");
    last_request_id_ = id == context->client_metadata().end() ? "" : std::string(id->second.data(), id->second.size());
    last_budget_ = std::chrono::duration_cast<std::chrono::milliseconds>(context->deadline() -
                                                                          std::chrono::system_clock::now());
    auto gave_up = [context] {
      return context->IsCancelled() || std::chrono::system_clock::now() > context->deadline();
    };
    while (hanging_ && !gave_up()) released_.wait_for(lock, std::chrono::milliseconds(10));
    if (gave_up()) return grpc::Status::CANCELLED;
    return failure_;
  }

  mutable std::mutex mutex_;

 private:
  std::condition_variable released_;
  grpc::Status failure_ = grpc::Status::OK;
  bool hanging_ = false;
  std::string last_request_id_;
  std::chrono::milliseconds last_budget_{-1};
};

}  // namespace storefront::testing
