#pragma once
// Gives freed memory back to the operating system. The allocator (mimalloc) keeps the
// pages a thread freed for that thread to reuse, and purges them only when that
// thread allocates again: after a burst (20 stalled subscribers each holding a full
// outbox), the network threads went idle and ~180 MB stayed resident with no client
// left. The server asks each network thread to collect once such a burst is gone.
namespace cg::net {

// Collects the calling thread's free pages (its message heap's too) and returns them.
void release_free_memory();

// For a long-running server: a segment the allocator empties goes back at once; a
// page freed inside a segment still in use goes back after 25 ms. A delayed give-back
// happens only when the thread that owns the pages allocates or frees again, which an
// idle network thread never does: the server's trim timer has each network thread
// collect after a burst (release_free_memory). No delay for pages cost a system call
// and a TLB shootdown per freed page: a third of the server's time while it computed
// live reviews (perf), half of each report's time. A delay for whole segments too
// kept a burst's memory resident on threads that then went idle.
void release_memory_promptly();

// While one lives, the calling thread allocates from its message heap: the bytes of
// messages queued for WebSocket clients, kept apart from everything else, so that the
// pages of a burst are whole again once its messages are gone (mixed with longer-lived
// data, freed messages pinned tens of MB of half-used pages). Frees may happen on any
// thread. Construct and destroy on the same thread; do not nest.
class message_heap_scope {
 public:
  message_heap_scope();
  ~message_heap_scope();
  message_heap_scope(const message_heap_scope&) = delete;
  message_heap_scope& operator=(const message_heap_scope&) = delete;

 private:
  void* previous_;
};

}  // namespace cg::net
