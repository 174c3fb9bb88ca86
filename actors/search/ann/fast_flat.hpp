#pragma once
// FAISS flat L2 storage whose distance computer uses AVX2/FMA (or AVX-512) when the
// CPU has it. Debian's FAISS is a generic x86-64 build, so its distance kernels are
// scalar; IndexHNSW computes every distance of its graph walk (build and search)
// through the storage's distance computer, so swapping the storage swaps the
// kernel. Stays a faiss::IndexFlatL2, so write_index/read_index keep working (a
// loaded index gets its storage swapped again by adopt_fast_storage). Included
// only by vector_index.cpp: FAISS headers stay out of the rest of the program.
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>

#include "actors/search/ann/vector_index.hpp"  // l2_squared

namespace cg {

struct fast_flat_l2 : faiss::IndexFlatL2 {
  explicit fast_flat_l2(faiss::Index::idx_t d) : faiss::IndexFlatL2(d) {}
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override;
};

// Replaces an HNSW index's flat storage by a fast_flat_l2 holding the same codes.
void adopt_fast_storage(faiss::IndexHNSW& h);

}  // namespace cg
