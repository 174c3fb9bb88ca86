#pragma once
// Gives freed memory back to the operating system. The allocator (mimalloc) keeps the
// pages a thread freed for that thread to reuse, and purges them only when that
// thread allocates again: after a burst (20 stalled subscribers each holding a full
// outbox), the network threads went idle and ~180 MB stayed resident with no client
// left. The server asks each network thread to collect once such a burst is gone.
namespace cg::net {

// Collects the calling thread's free pages (and abandoned ones) and returns them.
void release_free_memory();

}  // namespace cg::net
