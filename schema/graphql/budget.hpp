#pragma once
// What one GraphQL operation may spend: wall time, an estimate of the bytes its values
// hold, and cancellation (the client went away or completed the operation, or the
// server is shutting down). The executor checks it between fields and levels, and
// resolvers inside their loops; once it says stop, the operation ends with one error
// naming the budget. Thread-safe: concurrent resolvers share it.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace cg::gql {

class exec_budget {
 public:
  using clock = std::chrono::steady_clock;
  enum class reason : int { none = 0, cancelled, time, memory, shutdown };

  exec_budget() = default;
  // time: 0 for none; max_bytes: 0 for none.
  exec_budget(std::chrono::milliseconds time, size_t max_bytes);

  // A flag the transport sets when the client goes away or completes the operation.
  void watch(std::shared_ptr<std::atomic<bool>> cancelled) { cancelled_ = std::move(cancelled); }
  // The server's shutdown flag (outlives the operation).
  void watch_shutdown(const std::atomic<bool>* flag) { shutdown_ = flag; }
  // A fresh allowance of time and bytes (each event of a subscription gets one).
  void restart();

  // True once any budget is spent or the operation was cancelled; the first reason sticks.
  bool stopped();
  // Adds an estimate of bytes held by values of this operation.
  void charge(size_t bytes) { bytes_.fetch_add(bytes, std::memory_order_relaxed); }
  size_t charged() const { return bytes_.load(std::memory_order_relaxed); }
  reason why() const { return static_cast<reason>(why_.load()); }
  std::string message() const;  // for the error: which budget, and its size
  std::string code() const;     // extensions.code

 private:
  void stop(reason r);
  std::chrono::milliseconds time_{0};
  size_t max_bytes_ = 0;
  std::atomic<clock::rep> deadline_{clock::time_point::max().time_since_epoch().count()};
  std::atomic<size_t> bytes_{0};
  std::atomic<int> why_{0};
  std::shared_ptr<std::atomic<bool>> cancelled_;
  const std::atomic<bool>* shutdown_ = nullptr;
  std::atomic<uint32_t> checks_{0};  // the clock is read every 16th check
};

}  // namespace cg::gql
