#include "cli/batch_memory.hpp"

#ifndef CODEGRAPH_NO_MIMALLOC
#include <mimalloc.h>
#endif

#include <cstdlib>

namespace cg::cli {

void prefer_huge_pages() {
#ifndef CODEGRAPH_NO_MIMALLOC
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES")) return;  // the user's word stands
  mi_option_set(mi_option_large_os_pages, 1);
#endif
}

}  // namespace cg::cli
