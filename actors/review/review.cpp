// Review impact: the changed definitions of a diff and the walks over their users.
#include "actors/review/review.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "actors/graph/graph_query.hpp"
#include "actors/review/review_graph.hpp"
#include "actors/version/versions.hpp"

namespace cg {
namespace {

bool exact(resolution how) { return how != resolution::possible && how != resolution::heuristic; }

bool is_definition(node_kind k) { return k != node_kind::file && k != node_kind::import && !is_container(k); }

bool is_record(node_kind k) {
  return k == node_kind::class_ || k == node_kind::struct_ || k == node_kind::union_ || k == node_kind::interface ||
         k == node_kind::trait || k == node_kind::enum_;
}

bool by_place(const node& a, const node& b) {
  if (a.file != b.file) return a.file < b.file;
  if (a.span.start.line != b.span.start.line) return a.span.start.line < b.span.start.line;
  return a.id < b.id;
}

struct seed {
  size_t change = 0;  // index into report.changed
  node_id id = 0;
  bool at_base = false;  // walk the base's graph (removed definitions, a rename's old side)
};

struct reached {
  int distance = 0;
  node_id parent = 0;  // one hop nearer the seed
  review_hop hop;
};

class impact_walk {
 public:
  impact_walk(const review_request& req, review_graph& base, review_graph& target)
      : req_(req), base_(base), target_(target), reads_at_start_(base.reads() + target.reads()) {}

  // Walks from one changed definition; merges what it reaches into the report.
  status walk(review_report& r, const seed& s, const std::unordered_set<node_id>& changed_ids) {
    review_graph& g = s.at_base ? base_ : target_;
    const int limit = std::max(req_.depth, req_.test_depth);
    std::unordered_map<node_id, reached> seen{{s.id, reached{}}};
    std::deque<node_id> queue{s.id};
    auto& ch = r.changed[s.change];
    while (!queue.empty()) {
      node_id at = queue.front();
      queue.pop_front();
      int d = seen[at].distance;
      if (d >= limit) continue;
      auto us = g.users(at);
      if (!us.ok()) return us.err();
      for (const auto& nb : **us) {
        const node& u = *nb.n;
        if (seen.count(u.id)) continue;
        if (seen.size() >= req_.max_reach) {
          r.trust.truncated = true;
          queue.clear();
          break;
        }
        reached rc{d + 1, at, review_hop{u.id, at, nb.via.kind, exact(nb.via.how)}};
        seen.emplace(u.id, rc);
        ++visited_;
        queue.push_back(u.id);
        note(r, ch, s, u, rc, seen, changed_ids);
      }
    }
    return {};
  }

  void finish(review_report& r) {
    for (auto& [id, imp] : best_) {
      if (imp.distance <= req_.depth) r.radius.push_back(imp);
      if (imp.is_test) r.tests.push_back(imp);
    }
    for (auto& imp : r.radius) imp.changes_reached = reach_count_[imp.n.id];
    for (auto& imp : r.tests) imp.changes_reached = reach_count_[imp.n.id];
    auto nearest = [](const impacted_symbol& a, const impacted_symbol& b) {
      if (a.distance != b.distance) return a.distance < b.distance;
      return by_place(a.n, b.n);
    };
    std::sort(r.radius.begin(), r.radius.end(), nearest);
    std::sort(r.tests.begin(), r.tests.end(), nearest);
  }

  review_graph& target() { return target_; }
  size_t visited() const { return visited_; }
  size_t reads() const { return base_.reads() + target_.reads() - reads_at_start_; }
  review_graph& base() { return base_; }

 private:
  void note(review_report& r, changed_symbol& ch, const seed& s, const node& u, const reached& rc,
            const std::unordered_map<node_id, reached>& seen, const std::unordered_set<node_id>& changed_ids) {
    bool test = is_test_definition(u);
    if (rc.distance == 1) ++ch.direct_users;
    if (rc.distance <= req_.depth) {
      ++ch.reached;
      ++reach_count_[u.id];
    }
    if (test) ch.tests.push_back(u.id);
    if (changed_ids.count(u.id)) return;  // listed as a change of its own
    auto it = best_.find(u.id);
    if (it != best_.end() && it->second.distance <= rc.distance) return;
    impacted_symbol imp;
    imp.n = u;
    imp.distance = rc.distance;
    imp.from_change = s.id;
    imp.is_test = test;
    for (node_id at = u.id; at != s.id;) {
      const auto& step = seen.at(at);
      imp.path.push_back(step.hop);
      imp.exact = imp.exact && step.hop.exact;
      at = step.parent;
    }
    best_[u.id] = std::move(imp);
  }

  const review_request& req_;
  review_graph &base_, &target_;
  size_t reads_at_start_ = 0;
  std::unordered_map<node_id, impacted_symbol> best_;
  std::unordered_map<node_id, size_t> reach_count_;
  size_t visited_ = 0;
};

// A definition renamed in place: its text differs from the old one's only in the
// name, so the diff (which pairs equal texts) sees a removal and an addition. Paired
// here when both are in one file under one parent, of one kind, span as many lines,
// carry the same docstring and have the same signature once the name is replaced.
bool same_but_name(const node& removed, const node& added) {
  if (removed.kind != added.kind || removed.file != added.file || removed.parent != added.parent ||
      removed.docstring != added.docstring || removed.name.empty() || added.name.empty())
    return false;
  if (removed.span.end.line - removed.span.start.line != added.span.end.line - added.span.start.line) return false;
  std::string sig = removed.signature;
  for (size_t at = sig.find(removed.name); at != std::string::npos; at = sig.find(removed.name, at + added.name.size()))
    sig.replace(at, removed.name.size(), added.name);
  return !added.signature.empty() && sig == added.signature &&
         removed.span.end_byte - removed.span.start_byte + added.name.size() ==
             added.span.end_byte - added.span.start_byte + removed.name.size();
}

void pair_renames(std::vector<changed_symbol>& out) {
  std::vector<size_t> removed, added;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].change == "removed") removed.push_back(i);
    if (out[i].change == "added") added.push_back(i);
  }
  std::set<size_t> drop;
  for (size_t a : added)
    for (size_t r : removed)
      if (!drop.count(r) && same_but_name(out[r].n, out[a].n)) {
        out[a].change = "renamed";
        out[a].before = out[r].n;
        out[a].signature_before = out[r].n.signature;
        drop.insert(r);
        break;
      }
  for (auto it = drop.rbegin(); it != drop.rend(); ++it) out.erase(out.begin() + static_cast<long>(*it));
}

// The diff's definitions as changes a reviewer reads: renames as one entry, moves
// apart, types changed only through their members marked.
std::vector<changed_symbol> changes_of(const version_diff& d) {
  std::unordered_map<node_id, const node_change*> removed;
  for (const auto& c : d.nodes)
    if (c.change == "removed") removed[c.before.id] = &c;
  std::vector<changed_symbol> out;
  std::set<node_id> paired;
  for (const auto& c : d.nodes) {
    const node& n = c.change == "removed" ? c.before : c.after;
    if (!is_definition(n.kind)) continue;
    changed_symbol s;
    s.n = n;
    if (c.change == "added" && c.renamed && removed.count(c.renamed)) {
      // The same text and name in the same file under a renamed parent: only its place
      // (its qualified name) changed.
      const node& was = removed[c.renamed]->before;
      s.change = was.file == n.file && was.name == n.name ? "moved" : "renamed";
      s.before = removed[c.renamed]->before;
      s.signature_before = s.before.signature;
      s.signature_changed = s.before.signature != n.signature;
      paired.insert(c.renamed);
    } else if (c.change == "changed") {
      // Text that only shifted within its line (an edit before it on its lines): no change.
      if (c.moved && c.before.span.start.line == c.after.span.start.line) continue;
      s.change = c.moved ? "moved" : "modified";
      s.before = c.before;
      s.signature_changed = c.signature_changed;
      s.signature_before = c.before.signature;
    } else {
      s.change = c.change;
    }
    out.push_back(std::move(s));
  }
  std::erase_if(out, [&](const changed_symbol& s) { return s.change == "removed" && paired.count(s.n.id); });
  pair_renames(out);
  std::unordered_set<node_id> member_changed;
  for (const auto& s : out)
    if (s.change != "moved") member_changed.insert(s.n.parent);
  for (auto& s : out) {
    s.is_public = is_public_definition(s.n);
    s.is_test = is_test_definition(s.n);
    s.via_members =
        s.change == "modified" && is_record(s.n.kind) && !s.signature_changed && member_changed.count(s.n.id);
  }
  std::sort(out.begin(), out.end(),
            [](const changed_symbol& a, const changed_symbol& b) { return by_place(a.n, b.n); });
  return out;
}

std::string package_of(const std::string& file) {
  auto slash = file.rfind('/');
  return slash == std::string::npos ? "." : file.substr(0, slash);
}

status note_trust(review_report& r, review_graph& target) {
  std::set<std::string> files, all;
  for (const auto& c : r.changed) {
    all.insert(c.n.file);
    if (c.change != "removed") files.insert(c.n.file);
  }
  r.changed_files = all.size();
  const auto& q = target.query();
  for (const auto& f : files) {
    auto rec = q.file(f);
    if (!rec.ok()) return rec.err();
    if (*rec && (*rec)->status != parse_status::ok) r.trust.parse_errors.push_back(f);
  }
  // References the changed definitions make that name nothing the resolver found.
  for (const auto& c : r.changed) {
    if (c.change == "removed" || c.change == "moved" || c.via_members) continue;
    auto out = q.outgoing(c.n.id, {edge_kind::calls, edge_kind::instantiates, edge_kind::references}, 1, 100000);
    if (!out.ok()) return out.err();
    for (const auto& nb : *out)
      if (nb.via.how == resolution::unresolved) ++r.trust.unresolved_in_changes;
  }
  return {};
}

// Definitions listed as moved because lines were added or removed above them are not
// moves: a move changes the order of a definition among its siblings. Per file and
// parent, the siblings both versions hold are ranked at each end; those off a longest
// run whose order both ends agree on are the moved ones.
result<std::set<node_id>> real_moves(review_graph& base, review_graph& target, const std::string& file) {
  auto a_read = base.outline(file);
  if (!a_read.ok()) return a_read.err();
  auto b_read = target.outline(file);
  if (!b_read.ok()) return b_read.err();
  const auto* a = *a_read;
  const auto* b = *b_read;
  std::unordered_map<node_id, std::pair<node_id, size_t>> at_target;  // id -> (parent, rank)
  for (size_t i = 0; i < b->size(); ++i) at_target[(*b)[i].id] = {(*b)[i].parent, i};
  std::map<node_id, std::vector<std::pair<size_t, node_id>>> by_parent;  // target ranks in base order
  for (const auto& n : *a) {
    auto it = at_target.find(n.id);
    if (it != at_target.end() && it->second.first == n.parent) by_parent[n.parent].push_back({it->second.second, n.id});
  }
  std::set<node_id> moved;
  for (auto& [parent, seq] : by_parent) {
    // Longest increasing subsequence of target ranks (patience sorting with back links).
    std::vector<size_t> tails, prev(seq.size(), SIZE_MAX), tail_at;
    for (size_t i = 0; i < seq.size(); ++i) {
      auto pos = std::lower_bound(tails.begin(), tails.end(), seq[i].first) - tails.begin();
      if (static_cast<size_t>(pos) == tails.size()) {
        tails.push_back(seq[i].first);
        tail_at.push_back(i);
      } else {
        tails[pos] = seq[i].first;
        tail_at[pos] = i;
      }
      prev[i] = pos > 0 ? tail_at[pos - 1] : SIZE_MAX;
    }
    std::vector<bool> keep(seq.size(), false);
    for (size_t i = tail_at.empty() ? SIZE_MAX : tail_at.back(); i != SIZE_MAX; i = prev[i]) keep[i] = true;
    for (size_t i = 0; i < seq.size(); ++i)
      if (!keep[i]) moved.insert(seq[i].second);
  }
  return moved;
}

status drop_shifts(review_report& r, impact_walk& w) {
  std::map<std::string, std::set<node_id>> files;
  for (const auto& c : r.changed)
    if (c.change == "moved" && c.before.id == c.n.id) files[c.n.file];
  for (auto& [file, moved] : files) {
    auto m = real_moves(w.base(), w.target(), file);
    if (!m.ok()) return m.err();
    moved = std::move(*m);
  }
  std::erase_if(r.changed, [&](const changed_symbol& c) {
    return c.change == "moved" && c.before.id == c.n.id && !files[c.n.file].count(c.n.id);
  });
  return {};
}

status note_api(review_report& r, impact_walk& w) {
  for (const auto& c : r.changed) {
    bool gone = c.change == "removed" || c.change == "renamed";
    if (!c.is_public || c.is_test || !(gone || c.signature_changed) || c.change == "added") continue;
    api_change a;
    a.n = c.change == "renamed" ? c.before : c.n;
    a.change = gone ? "removed" : "signature";
    if (c.change == "renamed") a.change = "renamed";
    a.signature_before = c.change == "removed" ? c.n.signature : c.signature_before;
    a.signature_after = c.change == "removed" ? "" : c.n.signature;
    auto us = gone ? w.base().users(a.n.id) : w.target().users(a.n.id);
    if (!us.ok()) return us.err();
    std::set<node_id> seen;
    for (const auto& nb : **us)
      if (nb.n->file != a.n.file && seen.insert(nb.n->id).second) a.users.push_back(*nb.n);
    std::sort(a.users.begin(), a.users.end(), by_place);
    r.api.push_back(std::move(a));
  }
  return {};
}

}  // namespace

result<review_report> review_head(const store& db, uint32_t proj, const review_request& req) {
  if (req.depth < 1 || req.depth > 10) return make_error(errc::invalid_argument, "depth must be 1 to 10");
  if (req.base == 0) return make_error(errc::invalid_argument, "a base version is required");
  review_report r;
  r.base = req.base;
  r.target = req.target;
  r.depth = req.depth;
  r.test_depth = std::max(req.depth, req.test_depth);
  uint32_t base_proj = proj;
  uint64_t base_id = req.base;
  if (req.base == layer_base_version) {  // a layer against the version it lies over
    auto l = db.layer_of(proj);
    if (!l.ok()) return l.err();
    if (!*l) return make_error(errc::invalid_argument, "`base` names what a layer lies over; this is no layer");
    if (req.target)
      return make_error(errc::invalid_argument, "a layer is reviewed against its base in its newest state");
    base_proj = (*l)->project;
    base_id = (*l)->version;
  }
  auto bv = db.version(base_proj, base_id);
  if (!bv.ok()) return bv.err();
  r.base_version = *bv;
  r.base = base_id;
  if (req.target) {
    auto tv = db.version(proj, req.target);
    if (!tv.ok()) return tv.err();
    r.target_version = *tv;
  }
  return r;
}

result<review_report> review_versions(const store& db, uint32_t proj, const review_request& req) {
  auto head = review_head(db, proj, req);
  if (!head.ok()) return head.err();
  version_diff d;  // definitions only: the review reads edges from the graphs at each end
  diff_sink sink;
  sink.node = [&d](node_change&& c) {
    d.nodes.push_back(std::move(c));
    return true;
  };
  auto totals = stream_diff(db, proj, req.base, req.target, sink);
  if (!totals.ok()) return totals.err();
  // A layer's base: the project under it, at the version it lies over.
  uint32_t base_proj = proj;
  uint64_t base_id = req.base;
  if (req.base == layer_base_version) {
    base_proj = (*db.layer_of(proj))->project;
    base_id = head->base_version.id;
  }
  auto base_view = db.as_of(base_proj, base_id);
  if (!base_view.ok()) return base_view.err();
  read_view target_view = db.snapshot();
  if (req.target) {
    auto tv = db.as_of(proj, req.target);
    if (!tv.ok()) return tv.err();
    target_view = *tv;
  }
  review_graph base(base_proj), target(proj);
  base.set_view(*base_view);
  target.set_view(target_view);
  return review_of_diff(d, std::move(*head), req, base, target);
}

result<review_report> review_of_diff(const version_diff& d, review_report r, const review_request& req,
                                     review_graph& base, review_graph& target) {
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  auto ms = [](clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  review_request rq = req;
  rq.test_depth = std::max(req.depth, req.test_depth);
  r.changed = changes_of(d);
  auto t_diff = clock::now();
  impact_walk walk(rq, base, target);
  if (auto st = drop_shifts(r, walk); !st.ok()) return st.err();
  std::unordered_set<node_id> changed_ids;
  for (const auto& c : r.changed) {
    if (c.change == "moved") continue;  // the same text elsewhere: it may be reached like any other
    changed_ids.insert(c.n.id);
    if (c.change == "renamed") changed_ids.insert(c.before.id);
  }
  for (size_t i = 0; i < r.changed.size(); ++i) {
    const auto& c = r.changed[i];
    if (c.change == "moved" || c.via_members) continue;
    std::vector<seed> seeds;
    if (c.change == "removed")
      seeds.push_back({i, c.n.id, true});
    else
      seeds.push_back({i, c.n.id, false});
    if (c.change == "renamed") seeds.push_back({i, c.before.id, true});
    for (const auto& s : seeds)
      if (auto st = walk.walk(r, s, changed_ids); !st.ok()) return st.err();
  }
  walk.finish(r);
  auto t_walk = clock::now();
  for (auto& c : r.changed) {
    std::sort(c.tests.begin(), c.tests.end());
    c.tests.erase(std::unique(c.tests.begin(), c.tests.end()), c.tests.end());
    bool callable =
        c.n.kind == node_kind::function || c.n.kind == node_kind::method || c.n.kind == node_kind::constructor;
    if (callable && c.tests.empty() && !c.is_test &&
        (c.change == "modified" || c.change == "added" || c.change == "renamed"))
      r.untested.push_back(c.n.id);
  }
  for (const auto& imp : r.radius) {
    ++r.by_depth[imp.distance];
    ++r.by_file[imp.n.file];
    ++r.by_package[package_of(imp.n.file)];
  }
  if (auto st = note_api(r, walk); !st.ok()) return st.err();
  review_sources src = req.sources;
  if (!src.base && !src.target && !req.root.empty())
    src = review_sources_for(req.root, req.base, r.base_version, req.target, r.target_version);
  if (src.base || src.target) {
    std::set<std::string> files;
    for (const auto& c : d.nodes) files.insert(c.change == "removed" ? c.before.file : c.after.file);
    r.trust.lines_checked = true;
    if (auto st = note_unowned_lines(r, files, src, walk.base().query(), walk.target().query()); !st.ok())
      return st.err();
  }
  if (auto st = note_trust(r, walk.target()); !st.ok()) return st.err();
  r.risk = score_review(r);
  spdlog::debug(
      "review {}..{}: changes {:.1f} ms ({}), walks {:.1f} ms ({} reached, {} visited, {} nodes read), api and "
      "trust {:.1f} ms",
      req.base, req.target, ms(t0, t_diff), r.changed.size(), ms(t_diff, t_walk), r.radius.size(), walk.visited(),
      walk.reads(), ms(t_walk, clock::now()));
  return r;
}

}  // namespace cg
