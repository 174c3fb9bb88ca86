#pragma once

namespace cg::cli {

// OpenBLAS (under FAISS) starts its thread pool when the library loads, before main,
// and each of its threads spins on sched_yield for ~0.1 s before it sleeps: on a
// two-core machine that is half a core taken from the first tenth of a second of
// every command. This stops the pool at once; OpenBLAS starts it again on its first
// threaded call (as after a fork). A no-op with any other BLAS.
void park_blas_threads();

}  // namespace cg::cli
