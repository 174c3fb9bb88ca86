#include "actors/graph/graph_query.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "actors/graph/counters.hpp"
#include "schema/codec.hpp"
#include "storage/keys.hpp"
#include "storage/symbol_index.hpp"

namespace cg {
namespace cn = counter_names;

std::string_view to_string(symbol_match::how h) {
  switch (h) {
    case symbol_match::how::exact: return "exact";
    case symbol_match::how::qualified: return "qualified";
    case symbol_match::how::case_insensitive: return "case_insensitive";
    case symbol_match::how::prefix: return "prefix";
    case symbol_match::how::substring: return "substring";
    case symbol_match::how::fuzzy: return "fuzzy";
  }
  return "?";
}

int64_t graph_stats::total_nodes() const {
  int64_t t = 0;
  for (auto& [k, n] : nodes) t += n;
  return t;
}
int64_t graph_stats::total_edges() const {
  int64_t t = 0;
  for (auto& e : edges) t += e.total;
  return t;
}
int64_t graph_stats::references() const {
  int64_t t = 0;
  for (auto& e : edges)
    if (e.kind != edge_kind::contains) t += e.total;
  return t;
}
int64_t graph_stats::external_references() const {
  int64_t t = 0;
  for (auto& e : edges)
    if (e.kind != edge_kind::contains) t += e.external;
  return t;
}
int64_t graph_stats::resolved_references() const {
  int64_t t = 0;
  for (auto& e : edges)
    if (e.kind != edge_kind::contains) t += e.total - e.unresolved - e.external;
  return t;
}

graph_query::graph_query(read_view view, uint32_t project) : view_(std::move(view)), proj_(project) {}

result<std::optional<node>> graph_query::get(node_id id) const {
  auto raw = view_.get(column::nodes, keys::node(proj_, id));
  if (!raw.ok()) return raw.err();
  if (!raw->has_value()) return std::optional<node>{};
  auto n = decode_node(**raw, id);
  if (!n.ok()) return n.err();
  return std::optional<node>{std::move(*n)};
}

result<std::vector<node>> graph_query::get_many(const std::vector<node_id>& ids) const {
  std::vector<std::string> ks;
  ks.reserve(ids.size());
  for (auto id : ids) ks.push_back(keys::node(proj_, id));
  auto got = view_.multi_get(column::nodes, ks);
  if (!got.ok()) return got.err();
  std::vector<node> out;
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!(*got)[i]) continue;
    auto n = decode_node(*(*got)[i], ids[i]);
    if (!n.ok()) return n.err();
    out.push_back(std::move(*n));
  }
  return out;
}

result<std::vector<node>> graph_query::outline(std::string_view path) const {
  std::vector<node_id> ids;
  if (auto s = view_.for_each(column::idx, keys::file_index_prefix(proj_, path),
                              [&](std::string_view k, std::string_view) {
                                ids.push_back(keys::trailing_id(k));
                                return true;
                              });
      !s.ok())
    return s.err();
  auto nodes = get_many(ids);
  if (!nodes.ok()) return nodes;
  std::sort(nodes->begin(), nodes->end(), [](const node& a, const node& b) {
    if (a.span.start_byte != b.span.start_byte) return a.span.start_byte < b.span.start_byte;
    return a.span.end_byte > b.span.end_byte;  // containers before their first child
  });
  return nodes;
}

result<std::optional<file_record>> graph_query::file(std::string_view path) const {
  auto raw = view_.get(column::meta, keys::manifest(proj_, path));
  if (!raw.ok()) return raw.err();
  if (!raw->has_value()) return std::optional<file_record>{};
  auto rec = decode_file_record(**raw, path);
  if (!rec.ok()) return rec.err();
  return std::optional<file_record>{std::move(*rec)};
}

result<std::vector<file_record>> graph_query::files() const {
  std::vector<file_record> out;
  std::string err;
  auto s = view_.for_each(column::meta, keys::meta_tag_prefix(proj_, keys::tag_manifest),
                          [&](std::string_view k, std::string_view v) {
                            auto rec = decode_file_record(v, keys::meta_path_of(k));
                            if (!rec.ok()) {
                              err = rec.err().message;
                              return false;
                            }
                            out.push_back(std::move(*rec));
                            return true;
                          });
  if (!s.ok()) return s.err();
  if (!err.empty()) return make_error(errc::corrupt, err);
  return out;
}

namespace {

// Damerau-free Levenshtein distance with an early exit above `limit`.
size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > limit) return limit + 1;
  std::vector<size_t> prev(a.size() + 1), cur(a.size() + 1);
  for (size_t i = 0; i <= a.size(); ++i) prev[i] = i;
  for (size_t j = 1; j <= b.size(); ++j) {
    cur[0] = j;
    size_t row_min = cur[0];
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t sub = prev[i - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[i] = std::min({prev[i] + 1, cur[i - 1] + 1, sub});
      row_min = std::min(row_min, cur[i]);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev, cur);
  }
  return prev[a.size()];
}

bool is_subsequence(std::string_view needle, std::string_view hay) {
  size_t i = 0;
  for (char c : hay)
    if (i < needle.size() && c == needle[i]) ++i;
  return i == needle.size();
}

}  // namespace

result<std::vector<symbol_match>> graph_query::find(const symbol_query& q) const {
  if (q.text.empty()) return make_error(errc::invalid_argument, "empty symbol query");
  auto wanted = [&](const symbol_entry& e) {
    if (e.kind == node_kind::file || e.kind == node_kind::import) {
      if (q.kinds.empty() || std::find(q.kinds.begin(), q.kinds.end(), e.kind) == q.kinds.end()) return false;
    }
    if (!q.kinds.empty() && std::find(q.kinds.begin(), q.kinds.end(), e.kind) == q.kinds.end()) return false;
    if (!q.languages.empty() && std::find(q.languages.begin(), q.languages.end(), e.lang) == q.languages.end())
      return false;
    return true;
  };
  // A qualified query ("JSONDecoder.decode", "ns::Type") matches by the last part.
  std::string text = q.text;
  std::string simple = text;
  bool qualified = false;
  for (std::string_view sep : {"::", ".", "/"}) {
    auto cut = simple.rfind(sep);
    if (cut != std::string::npos && cut + sep.size() < simple.size()) {
      simple = simple.substr(cut + sep.size());
      qualified = true;
    }
  }
  std::string lower = keys::lower_ascii(simple);

  std::unordered_map<node_id, symbol_match> best;
  auto offer = [&](node_id id, symbol_match::how how, double score) {
    auto [it, fresh] = best.try_emplace(id);
    if (fresh || score > it->second.score) {
      it->second.match = how;
      it->second.score = score;
    }
  };
  symbol_entry e;
  auto scan = [&](std::string_view prefix, auto&& judge) -> status {
    auto cur = view_.scan(column::idx, prefix);
    for (; cur.valid(); cur.next()) {
      if (!decode_symbol_entry(cur.key(), cur.value(), e).ok()) continue;
      if (wanted(e)) judge(e);
    }
    return cur.status_of();
  };
  // Exact and case-insensitive names: one prefix seek.
  if (auto s = scan(keys::name_prefix(proj_, lower, true),
                    [&](const symbol_entry& en) {
                      if (qualified) {
                        std::string_view qn = en.qualified_name;
                        if (qn == text)
                          offer(en.id, symbol_match::how::qualified, 100);
                        else if (qn.size() > text.size() && qn.ends_with(text) &&
                                 (qn[qn.size() - text.size() - 1] == '.' || qn[qn.size() - text.size() - 1] == ':' ||
                                  qn[qn.size() - text.size() - 1] == '/'))
                          offer(en.id, symbol_match::how::qualified, 95);
                        return;
                      }
                      if (en.name == simple)
                        offer(en.id, symbol_match::how::exact, 100);
                      else
                        offer(en.id, symbol_match::how::case_insensitive, 90);
                    });
      !s.ok())
    return s.err();
  if (q.fuzzy && !qualified) {
    // Prefix matches: a range scan; then substring and typo-tolerant over all names.
    if (auto s = scan(keys::name_prefix(proj_, lower, false),
                      [&](const symbol_entry& en) {
                        if (en.name.size() != simple.size())
                          offer(en.id, symbol_match::how::prefix,
                                80 - std::min<double>(20, en.name.size() - simple.size()));
                      });
        !s.ok())
      return s.err();
    size_t typo_limit = lower.size() <= 4 ? 1 : 2;
    if (auto s =
            scan(keys::index_tag_prefix(proj_, keys::tag_name),
                 [&](const symbol_entry& en) {
                   std::string name = keys::lower_ascii(en.name);
                   if (name.find(lower) != std::string::npos) {
                     offer(en.id, symbol_match::how::substring, 60 - std::min<double>(20, name.size() - lower.size()));
                   } else if (lower.size() >= 3) {
                     size_t d = edit_distance(lower, name, typo_limit);
                     if (d <= typo_limit)
                       offer(en.id, symbol_match::how::fuzzy, 50 - 10.0 * d);
                     else if (lower.size() >= 4 && is_subsequence(lower, name))
                       offer(en.id, symbol_match::how::fuzzy, 30 - std::min<double>(20, name.size() - lower.size()));
                   }
                 });
        !s.ok())
      return s.err();
  }
  std::vector<std::pair<node_id, symbol_match>> ranked(best.begin(), best.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second.score != b.second.score ? a.second.score > b.second.score : a.first < b.first;
  });
  if (ranked.size() > q.limit) ranked.resize(q.limit);
  std::vector<node_id> ids;
  for (auto& [id, m] : ranked) ids.push_back(id);
  auto nodes = get_many(ids);
  if (!nodes.ok()) return nodes.err();
  std::unordered_map<node_id, node*> by_id;
  for (auto& n : *nodes) by_id[n.id] = &n;
  std::vector<symbol_match> out;
  for (auto& [id, m] : ranked) {
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    m.n = std::move(*it->second);
    out.push_back(std::move(m));
  }
  // Stable order for equal scores: by file then line.
  std::stable_sort(out.begin(), out.end(), [](const symbol_match& a, const symbol_match& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.n.file != b.n.file) return a.n.file < b.n.file;
    return a.n.name_pos.line < b.n.name_pos.line;
  });
  return out;
}

namespace {
// The edges under a key prefix, outgoing (edges) or incoming (redges), whose kind passes keep.
template <class Keep>
status append_edges(const read_view& v, std::string_view prefix, bool incoming, Keep&& keep, std::vector<edge>& out) {
  auto cur = v.scan(incoming ? column::redges : column::edges, prefix);
  for (; cur.valid(); cur.next()) {
    auto parts = keys::parse_edge_key(cur.key());
    if (!keep(parts.kind)) continue;
    edge e;
    e.kind = parts.kind;
    e.source = incoming ? parts.second : parts.first;
    e.target = incoming ? parts.first : parts.second;
    if (auto s = decode_edge_value(cur.value(), e); !s.ok()) return s;
    out.push_back(std::move(e));
  }
  return cur.status_of();
}

// Edges of one kind at a node.
result<std::vector<edge>> edges_of(const read_view& v, uint32_t proj, node_id id, edge_kind k, bool incoming) {
  std::vector<edge> out;
  if (auto s = append_edges(
          v, keys::edge_prefix(proj, id, k), incoming, [](edge_kind) { return true; }, out);
      !s.ok())
    return s.err();
  return out;
}

// The methods a method overrides (up) or that override it (down), transitively.
result<std::vector<node_id>> override_chain(const read_view& v, uint32_t proj, node_id m, bool up) {
  constexpr size_t cap = 256;  // a hierarchy wider than this is not walked further
  std::vector<node_id> out;
  std::unordered_set<node_id> seen{m};
  std::vector<node_id> todo{m};
  while (!todo.empty() && out.size() < cap) {
    auto at = todo.back();
    todo.pop_back();
    auto es = edges_of(v, proj, at, edge_kind::overrides, !up);
    if (!es.ok()) return es.err();
    for (auto& e : *es) {
      node_id next = up ? e.target : e.source;
      if (!e.resolved() || !seen.insert(next).second) continue;
      out.push_back(next);
      todo.push_back(next);
    }
  }
  return out;
}

// The last name of a qualified name ("a.B.m" -> "m", "ns::C" -> "C").
std::string_view last_segment(std::string_view q) {
  auto at = q.find_last_of(".:");
  return at == std::string_view::npos ? q : q.substr(at + 1);
}
std::string_view drop_last_segment(std::string_view q) {
  auto at = q.find_last_of(".:");
  if (at == std::string_view::npos) return {};
  while (at > 0 && q[at - 1] == ':') --at;
  return q.substr(0, at);
}

// Whether a resolved call to method `target` may run an override of it: a call through
// a receiver (self.m(), obj.m(), implicit this), not super().m() and not Base.m(self).
bool dispatches(const edge& e, const node& target) {
  if (e.kind != edge_kind::calls || e.how != resolution::member) return false;
  std::string_view written = e.target_name;
  if (written.starts_with("super")) return false;
  auto receiver = last_segment(drop_last_segment(written));
  return receiver.empty() || receiver != last_segment(drop_last_segment(target.qualified_name));
}
}  // namespace

// Virtual dispatch, derived when calls are walked rather than stored, so that a new
// subclass never forces every caller's file to be re-resolved: a call through a receiver
// to a method may run any override of it in a subclass (callees), and a method is
// possibly called wherever a method it overrides is (callers). Such edges carry
// resolution `possible`; direct edges to the same node win.
result<std::vector<edge>> graph_query::dispatch_edges(const std::vector<node_id>& frontier,
                                                      const std::vector<edge>& level, bool reverse) const {
  std::vector<edge> out;
  auto derive = [&](const edge& call, node_id source, node_id target) {
    edge d = call;
    d.source = source;
    d.target = target;
    d.how = resolution::possible;
    out.push_back(std::move(d));
  };
  if (!reverse) {  // callees: each call through a receiver, to every override below its target
    for (const auto& e : level) {
      if (e.kind != edge_kind::calls || e.how != resolution::member) continue;
      auto below = override_chain(view_, proj_, e.target, false);
      if (!below.ok()) return below.err();
      if (below->empty()) continue;
      auto t = get(e.target);
      if (!t.ok()) return t.err();
      if (!*t || !dispatches(e, **t)) continue;
      for (auto o : *below) derive(e, e.source, o);
    }
    return out;
  }
  for (auto m : frontier) {  // callers: the dispatching callers of every method this one overrides
    auto above = override_chain(view_, proj_, m, true);
    if (!above.ok()) return above.err();
    if (above->empty()) continue;
    auto bases = get_many(*above);
    if (!bases.ok()) return bases.err();
    for (const auto& base : *bases) {
      auto callers = edges_of(view_, proj_, base.id, edge_kind::calls, true);
      if (!callers.ok()) return callers.err();
      for (const auto& c : *callers)
        if (dispatches(c, base)) derive(c, c.source, m);
    }
  }
  return out;
}

result<std::vector<node_id>> graph_query::overridden(node_id method) const {
  return override_chain(view_, proj_, method, true);
}

result<std::vector<neighbor>> graph_query::walk(node_id start, const std::vector<edge_kind>& kinds, int depth,
                                                size_t limit, bool reverse) const {
  std::vector<neighbor> out;
  std::unordered_set<node_id> seen{start};
  std::vector<node_id> frontier{start};
  auto kind_ok = [&](edge_kind k) {
    if (kinds.empty()) return k != edge_kind::contains;
    return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
  };
  bool want_contains = std::find(kinds.begin(), kinds.end(), edge_kind::contains) != kinds.end();
  bool want_calls = std::find(kinds.begin(), kinds.end(), edge_kind::calls) != kinds.end();
  for (int d = 1; d <= depth && !frontier.empty() && out.size() < limit; ++d) {
    std::vector<edge> level;
    for (auto from : frontier) {
      if (want_contains) {
        auto derived = contains_edges(from, reverse);
        if (!derived.ok()) return derived.err();
        for (auto& e : *derived) level.push_back(std::move(e));
      }
      if (auto s = append_edges(view_, keys::edge_prefix(proj_, from), reverse, kind_ok, level); !s.ok())
        return s.err();
    }
    if (want_calls) {
      auto more = dispatch_edges(frontier, level, reverse);
      if (!more.ok()) return more.err();
      for (auto& e : *more) level.push_back(std::move(e));
    }
    std::vector<node_id> ids;
    for (const auto& e : level) {
      node_id far = reverse ? e.source : e.target;
      if (e.resolved() && !seen.count(far)) ids.push_back(far);
    }
    auto nodes = get_many(ids);
    if (!nodes.ok()) return nodes.err();
    std::unordered_map<node_id, node> by_id;
    for (auto& n : *nodes) by_id.emplace(n.id, std::move(n));
    std::vector<node_id> next;
    for (auto& e : level) {
      if (out.size() >= limit) break;
      node_id far = reverse ? e.source : e.target;
      neighbor nb;
      nb.depth = d;
      if (e.resolved()) {
        if (seen.count(far)) continue;
        seen.insert(far);
        auto it = by_id.find(far);
        if (it == by_id.end()) continue;  // dangling: awaiting re-resolution
        nb.n = it->second;
        next.push_back(far);
      }
      nb.via = std::move(e);
      out.push_back(std::move(nb));
    }
    frontier = std::move(next);
  }
  return out;
}

result<std::vector<neighbor>> graph_query::outgoing(node_id from, const std::vector<edge_kind>& kinds, int depth,
                                                    size_t limit) const {
  return walk(from, kinds, depth, limit, false);
}

result<std::vector<neighbor>> graph_query::incoming(node_id to, const std::vector<edge_kind>& kinds, int depth,
                                                    size_t limit) const {
  return walk(to, kinds, depth, limit, true);
}

result<std::vector<file_dependency>> graph_query::file_dependencies(std::string_view path, int depth,
                                                                    bool reverse) const {
  std::map<std::string, file_dependency> found;
  std::unordered_set<std::string> seen{std::string(path)};
  std::vector<std::string> frontier{std::string(path)};
  auto col = reverse ? column::redges : column::edges;
  for (int d = 1; d <= depth && !frontier.empty(); ++d) {
    std::vector<std::string> next;
    for (const auto& file : frontier) {
      std::vector<node_id> members;
      if (auto s = view_.for_each(column::idx, keys::file_index_prefix(proj_, file),
                                  [&](std::string_view k, std::string_view) {
                                    members.push_back(keys::trailing_id(k));
                                    return true;
                                  });
          !s.ok())
        return s.err();
      std::unordered_map<node_id, std::vector<edge_kind>> far_kinds;
      for (auto id : members) {
        auto cur = view_.scan(col, keys::edge_prefix(proj_, id));
        for (; cur.valid(); cur.next()) {
          auto parts = keys::parse_edge_key(cur.key());
          if (parts.kind == edge_kind::contains) continue;
          auto how = cur.value().size() >= 2 ? static_cast<resolution>(static_cast<uint8_t>(cur.value()[1]))
                                             : resolution::unresolved;
          if (how == resolution::unresolved || how == resolution::external) continue;
          far_kinds[parts.second].push_back(parts.kind);
        }
        if (auto s = cur.status_of(); !s.ok()) return s.err();
      }
      std::vector<node_id> ids;
      for (auto& [id, ks] : far_kinds) ids.push_back(id);
      auto nodes = get_many(ids);
      if (!nodes.ok()) return nodes.err();
      for (const auto& n : *nodes) {
        if (n.file == file) continue;
        auto [it, fresh] = found.try_emplace(n.file);
        if (fresh) {
          it->second.path = n.file;
          it->second.depth = d;
        }
        for (auto k : far_kinds[n.id]) {
          auto& ks = it->second.kinds;
          auto kt = std::find_if(ks.begin(), ks.end(), [&](auto& p) { return p.first == k; });
          if (kt == ks.end())
            ks.emplace_back(k, 1);
          else
            ++kt->second;
        }
        if (seen.insert(n.file).second) next.push_back(n.file);
      }
    }
    frontier = std::move(next);
  }
  std::vector<file_dependency> out;
  for (auto& [p, dep] : found)
    if (p != path) out.push_back(std::move(dep));
  std::sort(out.begin(), out.end(), [](const file_dependency& a, const file_dependency& b) {
    return a.depth != b.depth ? a.depth < b.depth : a.path < b.path;
  });
  return out;
}

graph_stats graph_query::stats() const {
  graph_stats s;
  for (int k = 1; k < node_kind_count; ++k) {
    auto kind = static_cast<node_kind>(k);
    auto n = view_.counter(keys::counter(proj_, cn::nodes(kind)));
    if (n != 0) s.nodes.emplace_back(kind, n);
  }
  for (int k = 1; k < edge_kind_count; ++k) {
    auto kind = static_cast<edge_kind>(k);
    graph_stats::edge_count c;
    c.kind = kind;
    c.total = view_.counter(keys::counter(proj_, cn::edges(kind)));
    c.unresolved = view_.counter(keys::counter(proj_, cn::unresolved(kind)));
    c.external = view_.counter(keys::counter(proj_, cn::external(kind)));
    if (c.total != 0) s.edges.push_back(c);
  }
  for (int l = 1; l < language_count; ++l) {
    auto lang = static_cast<language>(l);
    graph_stats::language_count c;
    c.lang = lang;
    c.files = view_.counter(keys::counter(proj_, cn::files(lang)));
    c.loc = view_.counter(keys::counter(proj_, cn::loc(lang)));
    c.bytes = view_.counter(keys::counter(proj_, cn::bytes(lang)));
    if (c.files != 0) s.languages.push_back(c);
  }
  s.files_with_errors = view_.counter(keys::counter(proj_, cn::files_with_errors()));
  return s;
}

status graph_query::for_each_node(const std::function<bool(const node&)>& fn) const {
  auto cur = view_.scan(column::nodes, keys::project_prefix(proj_));
  for (; cur.valid(); cur.next()) {
    auto n = decode_node(cur.value(), keys::node_id_of(cur.key()));
    if (!n.ok()) return n.err();
    if (!fn(*n)) break;
  }
  return cur.status_of();
}

status graph_query::for_each_edge(const std::function<bool(const edge&)>& fn) const {
  // Contains edges first, from the nodes' parent fields; then the stored edges.
  bool go_on = true;
  auto st = for_each_node([&](const node& n) {
    if (n.parent == 0) return true;
    go_on = fn(contains_edge(n));
    return go_on;
  });
  if (!st.ok() || !go_on) return st;
  auto cur = view_.scan(column::edges, keys::project_prefix(proj_));
  edge e;
  for (; cur.valid(); cur.next()) {
    auto parts = keys::parse_edge_key(cur.key());
    e.source = parts.first;
    e.kind = parts.kind;
    e.target = parts.second;
    if (auto s = decode_edge_value(cur.value(), e); !s.ok()) return s;
    if (!fn(e)) break;
  }
  return cur.status_of();
}

edge graph_query::contains_edge(const node& child) {
  edge e;
  e.source = child.parent;
  e.target = child.id;
  e.kind = edge_kind::contains;
  e.how = resolution::local;
  e.sites.push_back({child.name_pos.line, child.name_pos.column});
  return e;
}

// Contains edges are not stored: a node's children are the nodes of its file whose
// parent it is, and its container is its parent.
result<std::vector<edge>> graph_query::contains_edges(node_id id, bool to_parent) const {
  std::vector<edge> out;
  auto self = get(id);
  if (!self.ok()) return self.err();
  if (!self->has_value()) return out;
  const node& n = **self;
  if (to_parent) {
    if (n.parent) out.push_back(contains_edge(n));
    return out;
  }
  std::vector<node_id> ids;
  if (auto s = view_.for_each(column::idx, keys::file_index_prefix(proj_, n.file),
                              [&](std::string_view k, std::string_view) {
                                ids.push_back(keys::trailing_id(k));
                                return true;
                              });
      !s.ok())
    return s.err();
  auto members = get_many(ids);
  if (!members.ok()) return members.err();
  for (const auto& m : *members)
    if (m.parent == id) out.push_back(contains_edge(m));
  std::sort(out.begin(), out.end(), [](const edge& a, const edge& b) { return a.sites[0].line < b.sites[0].line; });
  return out;
}

}  // namespace cg
