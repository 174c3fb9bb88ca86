#pragma once
// A review of the newest state (the working tree as last saved) against a base
// version, kept current as writes land (the reviewImpact subscription). The first
// report is computed in full. Each later one reads only what the writes since the last
// touched (the store's journal of written keys, held open while this lives): the
// definitions written are compared with the base again, and the users lists and
// outlines whose keys now hold other values are read again; the base's side is read
// once. When the journal no longer holds the writes in between (too many), the report
// is computed in full again. Either way it equals review_versions' for the same state.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/review/review.hpp"
#include "actors/review/review_graph.hpp"
#include "actors/version/versions.hpp"

namespace cg {

class review_live_state {
 public:
  // req.target must be 0 (the newest state).
  review_live_state(const store& db, uint32_t proj, review_request req);
  ~review_live_state();
  review_live_state(const review_live_state&) = delete;
  review_live_state& operator=(const review_live_state&) = delete;

  result<review_report> update();
  // Whatever was kept goes: the next update computes it all (a new version, say).
  void reset() { ready_ = false; }

  struct last_update {
    bool incremental = false;
    size_t keys_written = 0;      // keys the journal listed since the one before
    size_t definitions_read = 0;  // definitions compared with the base again
    size_t lists_read = 0;        // users lists and outlines read from the store
    bool reused = false;          // nothing of the project written: the last report as it was
  };
  const last_update& last() const { return last_; }

 private:
  result<review_report> full();
  result<review_report> assemble();
  status refresh_base_view();
  status forget_changed_edges(const read_view& now, const std::vector<std::pair<std::string, node_id>>& edge_keys);

  const store& db_;
  uint32_t proj_;
  // Where the base is read: the project's own version, or for a layer reviewed against
  // `base` the project under it at the version it lies over.
  uint32_t base_proj_;
  uint64_t base_version_;
  review_request req_;
  bool ready_ = false;
  uint64_t seq_ = 0;  // the journal position the kept state reflects (at least)
  review_graph base_, target_;
  std::optional<read_view> base_view_, prev_target_;  // the base; the target as last read
  std::chrono::steady_clock::time_point base_view_at_;
  std::unordered_map<node_id, std::optional<node>> base_nodes_;  // as the base has them
  std::map<node_id, node_change> changes_;                       // the diff, by id, unpaired
  last_update last_;
  std::optional<review_report> report_;  // the last one assembled
};

}  // namespace cg
