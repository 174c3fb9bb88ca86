#include "actors/review/review_live.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

#include "schema/codec.hpp"
#include "storage/keys.hpp"

namespace cg {

namespace {
// The project and version a review's base reads: a layer's `base` is the project under
// it at the version it lies over.
std::pair<uint32_t, uint64_t> base_of(const store& db, uint32_t proj, uint64_t base) {
  if (base == layer_base_version)
    if (auto l = db.layer_of(proj); l.ok() && *l) return {(*l)->project, (*l)->version};
  return {proj, base};
}
}  // namespace

review_live_state::review_live_state(const store& db, uint32_t proj, review_request req)
    : db_(db),
      proj_(proj),
      base_proj_(base_of(db, proj, req.base).first),
      base_version_(base_of(db, proj, req.base).second),
      req_(std::move(req)),
      base_(base_proj_),
      target_(proj) {
  req_.target = 0;
  db_.journal_open();
}

review_live_state::~review_live_state() { db_.journal_close(); }

status review_live_state::refresh_base_view() {
  // The base never changes; its view is a snapshot, renewed now and then (every 30 s
  // at most) so that one subscription does not hold the store's old values for good.
  auto v = db_.as_of(base_proj_, base_version_);
  if (!v.ok()) return v.err();
  base_view_ = *v;
  base_view_at_ = std::chrono::steady_clock::now();
  base_.set_view(*v);
  return {};
}

result<review_report> review_live_state::full() {
  last_ = {};
  ready_ = false;
  base_.clear();
  target_.clear();
  base_nodes_.clear();
  changes_.clear();
  seq_ = db_.journal_position();  // before the reads: a write after it is listed again next time
  if (auto st = refresh_base_view(); !st.ok()) return st.err();
  prev_target_ = db_.snapshot();
  target_.set_view(*prev_target_);
  diff_sink sink;
  sink.node = [this](node_change&& c) {
    node_id id = c.change == "added" ? c.after.id : c.before.id;
    base_nodes_[id] = c.change == "added" ? std::nullopt : std::optional<node>(c.before);
    c.renamed = 0;  // paired again with every report
    changes_[id] = std::move(c);
    return true;
  };
  auto totals = stream_diff(db_, proj_, req_.base, 0, sink);
  if (!totals.ok()) return totals.err();
  ready_ = true;
  auto r = assemble();
  report_.reset();
  if (r.ok()) report_ = *r;
  return r;
}

result<review_report> review_live_state::assemble() {
  version_diff d;
  std::vector<node_change> held;
  for (const auto& [id, c] : changes_) (c.change == "changed" ? d.nodes : held).push_back(c);
  pair_renamed(held);
  for (auto& c : held) d.nodes.push_back(std::move(c));
  auto head = review_head(db_, proj_, req_);
  if (!head.ok()) return head.err();
  size_t before = base_.reads() + target_.reads();
  auto r = review_of_diff(d, std::move(*head), req_, base_, target_);
  last_.lists_read = base_.reads() + target_.reads() - before;
  return r;
}

status review_live_state::forget_changed_edges(const read_view& now,
                                               const std::vector<std::pair<std::string, node_id>>& edge_keys) {
  if (edge_keys.empty()) return {};
  std::map<column, std::vector<size_t>> by_column;
  for (size_t i = 0; i < edge_keys.size(); ++i) by_column[static_cast<column>(edge_keys[i].first[0])].push_back(i);
  for (const auto& [c, at] : by_column) {
    std::vector<std::string> ks;
    for (auto i : at) ks.push_back(edge_keys[i].first.substr(1));
    auto was = prev_target_->multi_get(c, ks);
    if (!was.ok()) return was.err();
    auto is = now.multi_get(c, ks);
    if (!is.ok()) return is.err();
    for (size_t k = 0; k < ks.size(); ++k)
      if ((*was)[k] != (*is)[k]) target_.forget_edges_of(edge_keys[at[k]].second);
  }
  return {};
}

result<review_report> review_live_state::update() {
  if (!ready_) return full();
  auto t0 = std::chrono::steady_clock::now();
  uint64_t now = db_.journal_position();
  std::set<node_id> written;
  std::vector<std::pair<std::string, node_id>> edge_keys;  // of kept lists: (key, whose)
  std::vector<std::pair<column, std::string>> seen_edges;
  const std::string prefix = keys::project_prefix(proj_);
  size_t keys = 0, mine = 0;
  auto complete = db_.keys_written_since(seq_, now, [&](column c, std::string_view key) {
    ++keys;
    if (key.substr(0, prefix.size()) != prefix) return;
    ++mine;
    if (c == column::nodes) written.insert(keys::node_id_of(key));
    if (c == column::edges || c == column::redges)
      if (auto id = keys::parse_edge_key(key).first; target_.reads_edges_of(id))
        edge_keys.emplace_back(std::string(1, static_cast<char>(c)) + std::string(key), id);
  });
  if (!complete.ok()) return complete.err();
  if (!*complete) {
    spdlog::debug("review live: the journal no longer holds the writes since {}: computed in full", seq_);
    return full();
  }
  // No definition or edge of the project written (a run over a file it does not index,
  // an editor's temporary file, or another project's): the last report stands.
  if (mine == 0 && report_) {
    seq_ = now;
    last_ = {};
    last_.incremental = true;
    last_.keys_written = keys;
    last_.reused = true;
    return *report_;
  }
  read_view target = db_.snapshot();  // holds every write up to `now` at least
  seq_ = now;
  last_ = {};
  last_.incremental = true;
  last_.keys_written = keys;
  // A write that left a key as it was (a file indexed again rewrites all of its keys)
  // changes nothing kept: the values before and after are compared first.
  if (auto st = forget_changed_edges(target, edge_keys); !st.ok()) return st.err();
  read_view prev = *prev_target_;
  prev_target_ = target;
  target_.set_view(target);
  if (!written.empty()) {
    std::vector<node_id> ids(written.begin(), written.end());
    std::vector<std::string> node_keys, base_keys;
    std::vector<node_id> base_ids;
    for (auto id : ids) {
      node_keys.push_back(keys::node(proj_, id));
      if (!base_nodes_.count(id)) {
        base_keys.push_back(keys::node(base_proj_, id));
        base_ids.push_back(id);
      }
    }
    if (!base_keys.empty()) {
      if (std::chrono::steady_clock::now() - base_view_at_ > std::chrono::seconds(30))
        if (auto st = refresh_base_view(); !st.ok()) return st.err();
      auto got = base_view_->multi_get(column::nodes, base_keys);
      if (!got.ok()) return got.err();
      for (size_t i = 0; i < base_ids.size(); ++i) {
        std::optional<node> n;
        if ((*got)[i]) {
          auto dn = decode_node(*(*got)[i], base_ids[i]);
          if (!dn.ok()) return dn.err();
          n = std::move(*dn);
        }
        base_nodes_[base_ids[i]] = std::move(n);
      }
    }
    auto now_values = target.multi_get(column::nodes, node_keys);
    if (!now_values.ok()) return now_values.err();
    // The values the kept lists and outlines saw (the snapshot of the last update).
    std::vector<std::string> held_keys;
    std::vector<size_t> held_at;
    for (size_t i = 0; i < ids.size(); ++i)
      if (target_.holds(ids[i])) {
        held_keys.push_back(node_keys[i]);
        held_at.push_back(i);
      }
    auto was = prev.multi_get(column::nodes, held_keys);
    if (!was.ok()) return was.err();
    for (size_t k = 0; k < held_at.size(); ++k)
      if ((*was)[k] != (*now_values)[held_at[k]]) target_.forget_node(ids[held_at[k]]);
    for (size_t i = 0; i < ids.size(); ++i) {
      std::optional<node> after;
      if ((*now_values)[i]) {
        auto dn = decode_node(*(*now_values)[i], ids[i]);
        if (!dn.ok()) return dn.err();
        after = std::move(*dn);
        // Not in a kept outline: new (or its file's outline is not kept).
        if (!target_.holds(ids[i])) target_.forget_outline(after->file);
      }
      auto c = compare_node(base_nodes_[ids[i]], std::move(after));
      if (c)
        changes_[ids[i]] = std::move(*c);
      else
        changes_.erase(ids[i]);
    }
    last_.definitions_read = ids.size();
  }
  auto t_read = std::chrono::steady_clock::now();
  auto r = assemble();
  report_.reset();
  if (r.ok()) report_ = *r;
  spdlog::debug(
      "review live: {} keys written, {} definitions compared, {:.1f} ms; report {:.1f} ms, {} lists read",
      last_.keys_written, last_.definitions_read, std::chrono::duration<double, std::milli>(t_read - t0).count(),
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_read).count(), last_.lists_read);
  return r;
}

}  // namespace cg
