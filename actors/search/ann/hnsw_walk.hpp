#pragma once
// Our own search over a FAISS HNSW graph (faiss::HNSW holds the links; the vectors are
// the index's flat storage). FAISS 1.7.3's HNSW::search computes each distance through
// a virtual call on vectors it has not asked for yet, so every hop waits on memory;
// this walk gathers a node's unvisited neighbours first, prefetches their vectors, and
// computes the distances with the SIMD kernel while the next ones arrive (as hnswlib
// does). Visited marks are epoch stamps kept per thread, never cleared per query.
// Same algorithm otherwise: greedy descent through the upper layers, then a beam of
// width ef on layer 0. Included only by vector_index.cpp (FAISS headers stay there).
#include <cstddef>
#include <cstdint>

#include <faiss/impl/HNSW.h>

namespace cg {

// The k nearest nodes of query by squared L2, ascending; labels are graph node numbers,
// -1 (and +inf) pad when fewer than k were reached. base: row i is node i's vector.
// half (optional): the same rows as half floats. The walk then reads those (half the
// memory traffic: at a million vectors each hop waits on memory) and the ef nodes it
// ends with are ranked again by their float distances, which are the ones returned.
void hnsw_walk(const faiss::HNSW& g, const float* base, size_t dim, const float* query, size_t k, int ef,
               float* distances, int64_t* labels, const uint16_t* half = nullptr);

}  // namespace cg
