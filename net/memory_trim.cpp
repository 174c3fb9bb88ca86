#include "net/memory_trim.hpp"

#include <malloc.h>
#include <mimalloc.h>

namespace cg::net {

void release_free_memory() {
  // mimalloc decommits the pages a collection frees only once its decommit delay has
  // passed, and only when this thread collects or allocates again: without a delay
  // for the length of this call, an idle thread would keep them. The option is
  // process-wide; another thread that frees pages meanwhile decommits them at once,
  // which costs it a system call and nothing else.
  long delay = mi_option_get(mi_option_decommit_delay);
  mi_option_set(mi_option_decommit_delay, 0);
  mi_collect(true);  // this thread's heap, and segments of threads that ended
  mi_option_set(mi_option_decommit_delay, delay);
  malloc_trim(0);  // glibc's arenas, where mimalloc does not replace malloc
}

}  // namespace cg::net
