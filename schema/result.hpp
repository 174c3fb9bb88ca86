#pragma once
// Errors as values: every fallible call across a module or actor boundary returns result<T>.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cg {

enum class errc {
  ok = 0,
  invalid_argument,   // the caller asked for something malformed
  not_found,          // the thing asked for does not exist
  io_error,           // the file system refused
  storage_error,      // RocksDB reported a failure
  corrupt,            // stored bytes do not decode
  unsupported,        // a language, format or option we do not handle
  too_large,          // input over a configured limit
  cancelled,          // the task was cancelled
  conflict,           // a concurrent or duplicate operation
  timeout,            // a deadline passed (a remote service did not answer in time)
  upstream,           // a remote service failed or answered nonsense
  internal,           // a bug: an invariant did not hold
  permission_denied,  // the caller may not do this (role or project scope)
  overloaded,         // too much work queued: retry later (HTTP 503 with Retry-After)
};

const char* to_string(errc c);

struct error {
  errc code = errc::internal;
  std::string message;
};

inline error make_error(errc c, std::string msg) { return error{c, std::move(msg)}; }

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}
  result(error e) : v_(std::move(e)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const error& err() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, error> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error e) : err_(std::move(e)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const error& err() const {
    assert(!ok_);
    return err_;
  }

 private:
  error err_;
  bool ok_ = true;
};

using status = result<void>;

}  // namespace cg
