#include "net/transport/memory_trim.hpp"

#ifndef CODEGRAPH_NO_MIMALLOC
#include <mimalloc.h>
#endif

namespace cg::net {
#ifdef CODEGRAPH_NO_MIMALLOC
// Built without mimalloc (the ThreadSanitizer build): the system allocator, nothing
// to steer.
message_heap_scope::message_heap_scope() {}
message_heap_scope::~message_heap_scope() {}
void release_memory_promptly() {}
void release_free_memory() {}
#else
namespace {

thread_local mi_heap_t* message_heap = nullptr;

}  // namespace

message_heap_scope::message_heap_scope() {
  if (!message_heap) message_heap = mi_heap_new();
  previous_ = message_heap ? mi_heap_set_default(message_heap) : nullptr;
}

message_heap_scope::~message_heap_scope() {
  if (previous_) mi_heap_set_default(static_cast<mi_heap_t*>(previous_));
}

void release_memory_promptly() {
  mi_option_set(mi_option_decommit_delay, 25);
  mi_option_set(mi_option_segment_decommit_delay, 0);
}

void release_free_memory() {
  // mimalloc decommits the pages a collection frees only once its decommit delay has
  // passed, and only when this thread collects or allocates again: without a delay
  // for the length of this call, an idle thread would keep them. The option is
  // process-wide; another thread that frees pages meanwhile decommits them at once,
  // which costs it a system call and nothing else.
  long delay = mi_option_get(mi_option_decommit_delay);
  long segment_delay = mi_option_get(mi_option_segment_decommit_delay);
  mi_option_set(mi_option_decommit_delay, 0);
  mi_option_set(mi_option_segment_decommit_delay, 0);
  if (message_heap) mi_heap_collect(message_heap, true);
  mi_collect(true);  // this thread's default heap (and, on the main thread, what ended threads left)
  mi_option_set(mi_option_decommit_delay, delay);
  mi_option_set(mi_option_segment_decommit_delay, segment_delay);
  // Not glibc's malloc_trim: with mimalloc in place of malloc, glibc's arenas are not
  // in a state it can walk (it crashed here).
}
#endif

}  // namespace cg::net
