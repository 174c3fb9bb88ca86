#include "cli/blas_threads.hpp"

#include <dlfcn.h>

namespace cg::cli {

void park_blas_threads() {
  using shutdown_fn = int (*)();
  if (auto f = reinterpret_cast<shutdown_fn>(::dlsym(RTLD_DEFAULT, "blas_thread_shutdown_"))) f();
}

}  // namespace cg::cli
