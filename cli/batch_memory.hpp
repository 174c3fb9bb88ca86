#pragma once

namespace cg::cli {

// For a run that builds a large graph and exits (index, vectors rebuild): mimalloc
// asks the kernel for transparent huge pages (madvise), so the hundreds of megabytes
// a cold index touches fault in 2 MiB at a time instead of 4 KiB. A cold index of
// the CPython standard library: 0.90x the wall time, +20-40 MiB peak (see
// docs/PERFORMANCE.md). Not for the server, which keeps its footprint small and
// gives memory back between bursts.
void prefer_huge_pages();

}  // namespace cg::cli
