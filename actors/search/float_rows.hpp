#pragma once
// Embedding rows (slots x dimension floats) in a vector whose growth leaves the new
// floats uninitialised: every row is written by its embedder right after, so the
// zero-fill std::vector would do first only touched tens of megabytes of fresh pages
// on one thread (at 20K definitions, 30 MB before the cores share the embedding).
#include <memory>
#include <vector>

namespace cg {

template <class T>
struct default_init_allocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = default_init_allocator<U>;
  };
  default_init_allocator() = default;
  template <class U>
  default_init_allocator(const default_init_allocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialised: no zero-fill
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using float_rows = std::vector<float, default_init_allocator<float>>;

}  // namespace cg
