#include "schema/graphql/budget.hpp"

namespace cg::gql {

exec_budget::exec_budget(std::chrono::milliseconds time, size_t max_bytes) : time_(time), max_bytes_(max_bytes) {
  restart();
}

void exec_budget::restart() {
  auto d = time_.count() > 0 ? clock::now() + time_ : clock::time_point::max();
  deadline_.store(d.time_since_epoch().count());
  bytes_.store(0, std::memory_order_relaxed);
  // A stop for time or memory belonged to the last event; cancellation and shutdown stay.
  int w = why_.load();
  if (w == static_cast<int>(reason::time) || w == static_cast<int>(reason::memory)) why_.store(0);
}

void exec_budget::stop(reason r) {
  int none = 0;
  why_.compare_exchange_strong(none, static_cast<int>(r));
}

bool exec_budget::stopped() {
  if (why_.load(std::memory_order_relaxed) != 0) return true;
  if (cancelled_ && cancelled_->load(std::memory_order_relaxed))
    stop(reason::cancelled);
  else if (shutdown_ && shutdown_->load(std::memory_order_relaxed))
    stop(reason::shutdown);
  else if (max_bytes_ && bytes_.load(std::memory_order_relaxed) > max_bytes_)
    stop(reason::memory);
  else if (auto d = deadline_.load(std::memory_order_relaxed);
           d != clock::time_point::max().time_since_epoch().count() &&
           (checks_.fetch_add(1, std::memory_order_relaxed) & 15) == 0 && clock::now().time_since_epoch().count() > d)
    stop(reason::time);
  return why_.load(std::memory_order_relaxed) != 0;
}

std::string exec_budget::message() const {
  switch (why()) {
    case reason::cancelled: return "The operation was cancelled (the client went away or completed it).";
    case reason::shutdown: return "The operation was stopped: the server is shutting down.";
    case reason::time:
      return "The operation ran over its time budget of " + std::to_string(time_.count()) +
             " ms ([server] graphql_timeout_ms); ask for less (smaller limit, first or depth).";
    case reason::memory:
      return "The operation's result grew over its memory budget of " + std::to_string(max_bytes_ >> 20) +
             " MiB ([server] graphql_max_memory); ask for less (smaller limit, first or depth).";
    case reason::none: break;
  }
  return {};
}

std::string exec_budget::code() const {
  switch (why()) {
    case reason::cancelled: return "OPERATION_CANCELLED";
    case reason::shutdown: return "SHUTTING_DOWN";
    case reason::time: return "TIME_BUDGET_EXCEEDED";
    case reason::memory: return "MEMORY_BUDGET_EXCEEDED";
    case reason::none: break;
  }
  return {};
}

}  // namespace cg::gql
