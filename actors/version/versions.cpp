#include "actors/version/versions.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "actors/graph/graph_query.hpp"
#include "actors/version/layer_info.hpp"
#include "schema/codec.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"
#include "storage/keys.hpp"

namespace cg {

result<uint64_t> commit_after_index(store& db, uint32_t proj, version_record rec) {
  auto stats = graph_query(db.latest(), proj).stats();
  for (const auto& l : stats.languages) rec.files += static_cast<uint64_t>(l.files);
  rec.nodes = static_cast<uint64_t>(stats.total_nodes());
  rec.edges = static_cast<uint64_t>(stats.total_edges());
  if (!rec.created)
    rec.created =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return db.commit_version(proj, std::move(rec));
}

namespace {

bool is_hex(std::string_view s) {
  return s.size() >= 4 && s.size() <= 40 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

namespace {
// A tag or a branch of that name (0: none).
result<uint64_t> named_ref(const store& db, uint32_t proj, std::string_view name) {
  for (std::string_view kind : {"tag/", "branch/"}) {
    auto r = db.ref(proj, std::string(kind) + std::string(name));
    if (!r.ok()) return r.err();
    if (*r) return *r;
  }
  return uint64_t{0};
}
}  // namespace

result<nlohmann::json> named_refs_json(const store& db, uint32_t proj) {
  auto refs = db.refs(proj);
  if (!refs.ok()) return refs.err();
  auto arr = nlohmann::json::array();
  for (const auto& [name, v] : *refs) {
    auto slash = name.find('/');
    auto kind = name.substr(0, slash);
    if (kind == "tag" || kind == "branch")
      arr.push_back({{"kind", kind}, {"name", name.substr(slash + 1)}, {"version", v}});
  }
  return arr;
}

namespace {
result<std::string> ref_key(std::string_view kind, std::string_view name) {
  if (kind != "tag" && kind != "branch") return make_error(errc::invalid_argument, "a ref is a tag or a branch");
  if (name.empty() || name.size() > 200 || name.find_first_of(" \t\n\r~") != std::string_view::npos)
    return make_error(errc::invalid_argument, "a ref name has 1 to 200 characters, no spaces or '~'");
  return std::string(kind) + "/" + std::string(name);
}
}  // namespace

result<uint64_t> set_named_ref(store& db, uint32_t proj, std::string_view kind, std::string_view name,
                               std::string_view ref, bool force) {
  auto key = ref_key(kind, name);
  if (!key.ok()) return key.err();
  auto existing = db.ref(proj, *key);
  if (!existing.ok()) return existing.err();
  auto v = resolve_version(db, proj, ref);
  if (!v.ok()) return v.err();
  if (kind == "tag" && *existing && *existing != *v && !force)
    return make_error(errc::conflict, "tag " + std::string(name) + " already names version " +
                                          std::to_string(*existing) + " (force moves it)");
  if (auto s = db.set_ref(proj, *key, *v); !s.ok()) return s.err();
  return *v;
}

result<uint64_t> delete_named_ref(store& db, uint32_t proj, std::string_view kind, std::string_view name) {
  auto key = ref_key(kind, name);
  if (!key.ok()) return key.err();
  auto existing = db.ref(proj, *key);
  if (!existing.ok()) return existing.err();
  if (!*existing) return make_error(errc::not_found, "no " + std::string(kind) + " named " + std::string(name));
  if (auto s = db.delete_ref(proj, *key); !s.ok()) return s.err();
  return *existing;
}

result<uint64_t> version_named(const store& db, uint32_t proj, std::string_view name) {
  for (std::string_view kind : {"tag/", "branch/", ""}) {
    auto r = db.ref(proj, std::string(kind) + std::string(name));
    if (!r.ok()) return r.err();
    if (*r) return *r;
  }
  if (!is_hex(name)) return uint64_t{0};
  std::string sha(name);
  std::transform(sha.begin(), sha.end(), sha.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  auto refs = db.refs(proj, "commit/" + sha);
  if (!refs.ok()) return refs.err();
  if (refs->size() > 1) return make_error(errc::invalid_argument, "'" + sha + "' is an ambiguous commit prefix");
  if (refs->size() == 1) return refs->front().second;
  auto all = db.versions(proj);
  if (!all.ok()) return all.err();
  uint64_t found = 0;
  for (const auto& v : *all)
    if (v.commit.starts_with(sha)) {
      if (found) return make_error(errc::invalid_argument, "'" + sha + "' is an ambiguous commit prefix");
      found = v.id;
    }
  return found;
}

result<uint64_t> resolve_version(const store& db, uint32_t proj, std::string_view ref) {
  if (auto layer = db.layer_of(proj); layer.ok() && *layer) {
    if (ref == "base") return layer_base_version;
    return make_error(errc::invalid_argument, "'" + std::string(ref) +
                                                  "': a layer has no versions of its own; `base` names the version "
                                                  "it lies over (" +
                                                  std::to_string((*layer)->version) + " of the project under it)");
  }
  auto head = db.head_version(proj);
  if (!head.ok()) return head.err();
  if (*head == 0) return make_error(errc::not_found, "this project has no versions yet (run `codegraph index`)");
  std::string_view rest = ref;
  uint64_t base = 0, back = 0;
  auto number = [](std::string_view s, uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  if (auto tilde = rest.find('~'); tilde != std::string_view::npos) {
    if (!number(rest.substr(tilde + 1), back))
      return make_error(errc::invalid_argument, "'" + std::string(ref) + "': expected NAME~N");
    rest = rest.substr(0, tilde);
  }
  // A git sha (7 or more hex digits) before a number: a sha prefix may be all digits.
  uint64_t by_sha = 0;
  if (rest.size() >= 7 && is_hex(rest)) {
    auto named = version_named(db, proj, rest);
    if (!named.ok()) return named.err();
    by_sha = *named;
  }
  if (by_sha)
    base = by_sha;
  else if (rest == "head" || rest == "latest" || rest == "HEAD")
    base = *head;
  else if (auto named = named_ref(db, proj, rest); !named.ok())
    return named.err();
  else if (*named)
    base = *named;  // a tag or branch, before the vN form: a tag may be called v1
  else if (rest.starts_with("v") && number(rest.substr(1), base))
    ;
  else if (!number(rest, base)) {
    auto named = version_named(db, proj, rest);
    if (!named.ok()) return named.err();
    base = *named;
    if (base == 0)
      return make_error(errc::invalid_argument, "'" + std::string(ref) +
                                                    "' names no version: use a version number (3, v3), head, latest, "
                                                    "head~N, a tag, a branch or an indexed git commit");
  }
  if (base == 0 || base > *head)
    return make_error(errc::not_found, "no version " + std::string(ref) + " (this project has versions 1 to " +
                                           std::to_string(*head) + ")");
  // NAME~N walks N parents back, as git does: a commit's first parent as indexed,
  // else the version before (after a prune the parent is the kept version before).
  for (uint64_t i = 0; i < back; ++i) {
    auto rec = db.version(proj, base);
    if (!rec.ok()) return rec.err();
    uint64_t parent = rec->git_parents.empty() ? rec->parent : rec->git_parents.front();
    if (parent == 0)
      return make_error(errc::not_found,
                        "no version " + std::string(ref) + ": version " + std::to_string(base) + " is the oldest");
    base = parent;
  }
  return base;
}

namespace {

result<read_view> view_at(const store& db, uint32_t proj, uint64_t version) {
  if (version == 0) return db.snapshot();
  return db.as_of(proj, version);
}

void count(diff_totals& d, const std::string& file, const std::string& change, bool is_node) {
  for (auto* t : {&d.files[file], &d.total}) {
    if (is_node) {
      if (change == "added") ++t->nodes_added;
      if (change == "removed") ++t->nodes_removed;
      if (change == "changed") ++t->nodes_changed;
    } else {
      if (change == "added") ++t->edges_added;
      if (change == "removed") ++t->edges_removed;
    }
  }
}

void count_renames(const std::vector<node_change>& held, diff_totals& d) {
  for (const auto& a : held)
    if (a.change == "added" && a.renamed) {
      ++d.files[a.after.file].nodes_renamed;
      ++d.total.nodes_renamed;
    }
}

// The keys of one column a piece at a time: their values at both ends, read with one
// MultiGet per piece.
// a reads the keys under its own project id (a_proj) when that is another's (a layer's
// base).
template <class F>
status in_pieces(const read_view& a, const read_view& b, column col, const std::vector<std::string>& all, size_t piece,
                 F&& each, std::optional<uint32_t> a_proj = std::nullopt) {
  for (size_t at = 0; at < all.size(); at += piece) {
    std::vector<std::string> keys(all.begin() + static_cast<std::ptrdiff_t>(at),
                                  all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), at + piece)));
    std::vector<std::string> a_keys;
    if (a_proj) {
      a_keys.reserve(keys.size());
      for (const auto& k : keys)
        a_keys.push_back(keys::project_prefix(*a_proj) + k.substr(std::min<size_t>(4, k.size())));
    }
    auto x = a.multi_get(col, a_proj ? a_keys : keys);
    if (!x.ok()) return x.err();
    auto y = b.multi_get(col, keys);
    if (!y.ok()) return y.err();
    for (size_t i = 0; i < keys.size(); ++i)
      if (auto st = each(keys[i], (*x)[i], (*y)[i]); !st.ok()) return st;
  }
  return {};
}

}  // namespace

std::optional<node_change> compare_node(std::optional<node> before, std::optional<node> after) {
  if (!before && !after) return std::nullopt;
  node_change c;
  c.change = !before ? "added" : !after ? "removed" : "changed";
  if (before) c.before = std::move(*before);
  if (after) c.after = std::move(*after);
  if (c.change == "changed") {
    if (c.before == c.after) return std::nullopt;
    c.signature_changed = c.before.signature != c.after.signature;
    c.moved = c.before.content_hash == c.after.content_hash && !c.signature_changed && c.before.span != c.after.span;
  }
  return c;
}

void pair_renamed(std::vector<node_change>& held) {
  std::sort(held.begin(), held.end(), [](const node_change& x, const node_change& y) {
    return (x.change == "added" ? x.after.id : x.before.id) < (y.change == "added" ? y.after.id : y.before.id);
  });
  std::map<std::pair<node_kind, uint64_t>, std::vector<size_t>> removed;
  for (size_t i = 0; i < held.size(); ++i)
    if (held[i].change == "removed") removed[{held[i].before.kind, held[i].before.content_hash}].push_back(i);
  for (auto& a : held) {
    if (a.change != "added") continue;
    auto it = removed.find({a.after.kind, a.after.content_hash});
    if (it == removed.end() || it->second.empty()) continue;
    auto& pool = it->second;
    auto pick = std::find_if(pool.begin(), pool.end(), [&](size_t r) { return held[r].before.name == a.after.name; });
    if (pick == pool.end()) pick = pool.begin();
    auto& r = held[*pick];
    pool.erase(pick);
    a.renamed = r.before.id;
    r.renamed = a.after.id;
  }
}

namespace {

// The keys of b's project (pb) read at both ends, a's under its own project id (pa: a
// layer's base), the changes handed to the sink.
result<diff_totals> diff_views(const read_view& a, uint32_t pa, const read_view& b, uint32_t pb,
                               const std::array<std::vector<std::string>, column_count>& touched_keys,
                               const diff_sink& sink, size_t piece);

}  // namespace

result<diff_totals> stream_diff(const store& db, uint32_t proj, uint64_t from, uint64_t to, const diff_sink& sink,
                                size_t piece) {
  if (from == to) return diff_totals{};
  if (from == layer_base_version || to == layer_base_version) {
    // A layer against the version it lies over: the keys it holds are what differs.
    auto base = db.layer_of(proj);
    if (!base.ok()) return base.err();
    if (!*base) return make_error(errc::invalid_argument, "`base` names what a layer lies over; this is no layer");
    if (from != layer_base_version || to != 0)
      return make_error(errc::invalid_argument,
                        "a layer is compared from its base to its newest state (base..working)");
    auto a = db.as_of((*base)->project, (*base)->version);
    if (!a.ok()) return a.err();
    auto own = db.layer_own_keys(proj);
    if (!own.ok()) return own.err();
    return diff_views(*a, (*base)->project, db.snapshot(), proj, *own, sink, piece);
  }
  uint64_t older = from == 0 ? to : to == 0 ? from : std::min(from, to);
  auto a = view_at(db, proj, from);
  if (!a.ok()) return a.err();
  auto b = view_at(db, proj, to);
  if (!b.ok()) return b.err();
  // Every key a later version touched: those not equal at both ends are the changes.
  // (Between two versions only the keys a version in between touched can differ.)
  uint64_t newer = from == 0 || to == 0 ? 0 : std::max(from, to);
  auto touched = db.changed_since(proj, older, newer);
  if (!touched.ok()) return touched.err();
  return diff_views(*a, proj, *b, proj, *touched, sink, piece);
}

namespace {

result<diff_totals> diff_views(const read_view& a_view, uint32_t pa, const read_view& b_view, uint32_t pb,
                               const std::array<std::vector<std::string>, column_count>& touched_keys,
                               const diff_sink& sink, size_t piece) {
  diff_totals d;
  const read_view* a = &a_view;
  const read_view* b = &b_view;
  const auto* touched = &touched_keys;
  const std::optional<uint32_t> a_proj = pa != pb ? std::optional<uint32_t>(pa) : std::nullopt;
  const status stop = make_error(errc::cancelled, "the reader went away");
  std::unordered_map<node_id, std::string> file_of;  // of the changed definitions
  std::vector<node_change> held;                     // added and removed ones, until paired
  auto st = in_pieces(
      *a, *b, column::nodes, (*touched)[static_cast<size_t>(column::nodes)], piece,
      [&](const std::string& key, const std::optional<std::string>& x, const std::optional<std::string>& y) -> status {
        if (x == y) return {};
        node_id id = keys::node_id_of(key);
        std::optional<node> before, after;
        if (x) {
          auto n = decode_node(*x, id);
          if (!n.ok()) return n.err();
          before = std::move(*n);
        }
        if (y) {
          auto n = decode_node(*y, id);
          if (!n.ok()) return n.err();
          after = std::move(*n);
        }
        auto found = compare_node(std::move(before), std::move(after));
        if (!found) return {};
        node_change c = std::move(*found);
        const std::string& file = y ? c.after.file : c.before.file;
        file_of[id] = file;
        count(d, file, c.change, true);
        if (c.change != "changed") {  // held for rename pairing
          held.push_back(std::move(c));
          return status{};
        }
        return sink.node(std::move(c)) ? status{} : stop;
      },
      a_proj);
  if (st.ok()) {
    pair_renamed(held);
    count_renames(held, d);
    for (auto& c : held)
      if (!sink.node(std::move(c))) {
        st = stop;
        break;
      }
    held.clear();
  }
  // Edges: present at one end and not at the other (not compared without an edge sink).
  if (st.ok() && sink.edge)
    st = in_pieces(
        *a, *b, column::edges, (*touched)[static_cast<size_t>(column::edges)], piece,
        [&](const std::string& key, const std::optional<std::string>& x,
            const std::optional<std::string>& y) -> status {
          bool was = x.has_value(), is = y.has_value();
          if (was == is) return {};
          auto parts = keys::parse_edge_key(key);
          edge_change c;
          c.change = is ? "added" : "removed";
          c.kind = parts.kind;
          c.from = parts.first;
          c.to = parts.second;
          edge e;
          if (decode_edge_value(is ? *y : *x, e).ok()) {
            c.target_name = e.target_name;
            c.how = e.how;
          }
          auto f = file_of.find(c.from);
          if (f == file_of.end()) {
            // The source node itself did not change: its file from whichever end has it.
            auto src = (is ? *b : *a).get(column::nodes, keys::node(is ? pb : pa, c.from));
            if (src.ok() && src->has_value())
              if (auto n = decode_node(**src, c.from); n.ok()) f = file_of.emplace(c.from, n->file).first;
          }
          c.file = f == file_of.end() ? std::string() : f->second;
          count(d, c.file, c.change, false);
          return sink.edge(std::move(c)) ? status{} : stop;
        },
        a_proj);
  if (!st.ok() && st.err().code == errc::cancelled) {
    d.stopped = true;
    return d;
  }
  if (!st.ok()) return st.err();
  return d;
}

}  // namespace

result<version_diff> diff_versions(const store& db, uint32_t proj, uint64_t from, uint64_t to) {
  version_diff d;
  d.from = from;
  d.to = to;
  if (from == layer_base_version)
    if (auto l = describe_layer(db, proj)) {
      d.from = l->version;
      d.over = l->over;
    }
  diff_sink sink;
  sink.node = [&](node_change&& c) {
    d.nodes.push_back(std::move(c));
    return true;
  };
  sink.edge = [&](edge_change&& c) {
    d.edges.push_back(std::move(c));
    return true;
  };
  auto totals = stream_diff(db, proj, from, to, sink);
  if (!totals.ok()) return totals.err();
  d.files = std::move(totals->files);
  d.total = totals->total;
  auto by_place = [](const node_change& x, const node_change& y) {
    const node& p = x.change == "removed" ? x.before : x.after;
    const node& q = y.change == "removed" ? y.before : y.after;
    return std::tie(p.file, p.span.start_byte, p.id) < std::tie(q.file, q.span.start_byte, q.id);
  };
  std::sort(d.nodes.begin(), d.nodes.end(), by_place);
  std::sort(d.edges.begin(), d.edges.end(), [](const edge_change& x, const edge_change& y) {
    return std::tie(x.file, x.from, x.kind, x.to) < std::tie(y.file, y.from, y.kind, y.to);
  });
  return d;
}

nlohmann::json to_json(const node_change& c) {
  nlohmann::json j{{"change", c.change}};
  if (c.change != "added") j["before"] = to_json(c.before);
  if (c.change != "removed") j["after"] = to_json(c.after);
  if (c.change == "changed") {
    j["signatureChanged"] = c.signature_changed;
    j["moved"] = c.moved;
  }
  if (c.renamed) j[c.change == "added" ? "renamedFrom" : "renamedTo"] = format_id(c.renamed);
  return j;
}

nlohmann::json to_json(const edge_change& c) {
  edge e;
  e.how = c.how;
  nlohmann::json j{{"change", c.change},
                   {"kind", std::string(to_string(c.kind))},
                   {"source", format_id(c.from)},
                   {"resolution", std::string(to_string(c.how))},
                   {"file", c.file}};
  // As the export writes it: no target id for an unresolved or external reference.
  j["target"] = e.resolved() ? nlohmann::json(format_id(c.to)) : nlohmann::json(nullptr);
  if (!c.target_name.empty()) j["targetName"] = c.target_name;
  return j;
}

nlohmann::json to_json(const version_diff& d) {
  auto totals = [](const version_diff::file_totals& t) {
    return nlohmann::json{{"nodesAdded", t.nodes_added},     {"nodesRemoved", t.nodes_removed},
                          {"nodesChanged", t.nodes_changed}, {"nodesRenamed", t.nodes_renamed},
                          {"edgesAdded", t.edges_added},     {"edgesRemoved", t.edges_removed}};
  };
  nlohmann::json files = nlohmann::json::object();
  for (const auto& [f, t] : d.files) files[f] = totals(t);
  nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array();
  for (const auto& c : d.nodes) nodes.push_back(to_json(c));
  for (const auto& c : d.edges) edges.push_back(to_json(c));
  nlohmann::json j = {{"from", d.from}, {"to", d.to},     {"total", totals(d.total)},
                      {"files", files}, {"nodes", nodes}, {"edges", edges}};
  if (!d.over.empty()) j["over"] = d.over;
  return j;
}

namespace {

// One id's history as blame reads it: the version that created it, the last that
// changed its text, and whether it changed after the last version.
struct lineage {
  uint64_t created_in = 0, changed_in = 0;
  bool uncommitted = false;
};

// The kept version a log's changes first show in (after a prune, a dropped run's
// entries sit in the log of its first dropped version); 0 past the last (the open one).
uint64_t shown_in(const std::vector<version_record>& records, uint64_t slot) {
  for (const auto& r : records)
    if (r.id >= slot) return r.id;
  return 0;
}

// Walks the id's undo entries newest first, from its value now or, with `before`, from
// its value at the version before `before` (the entries of `before` and later skipped).
result<lineage> walk_lineage(const store& db, uint32_t proj, node_id id, const std::vector<version_record>& records,
                             uint64_t before) {
  const auto key = keys::node(proj, id);
  auto now = db.latest().get(column::nodes, key);
  if (!now.ok()) return now.err();
  auto history = db.key_history(proj, column::nodes, key);
  if (!history.ok()) return history.err();
  const uint64_t oldest = records.front().id, head = records.back().id;
  auto text_of = [id](const std::optional<std::string>& raw) -> std::optional<uint64_t> {
    if (!raw) return std::nullopt;
    auto n = decode_node(*raw, id);
    return n.ok() ? std::optional<uint64_t>(n->content_hash) : std::nullopt;
  };
  lineage l;
  std::optional<std::string> after = std::move(*now);
  const auto& h = *history;
  for (size_t t = h.size(); t-- > 0;) {
    const uint64_t slot = h[t].version;
    if (before && (slot > head || shown_in(records, slot) >= before)) {
      after = h[t].before;  // its value before that: where the walk starts
      continue;
    }
    auto was = text_of(h[t].before), later = text_of(after);
    after = h[t].before;
    if (was == later) continue;
    if (slot > head) {  // the open version: changed since the last one
      l.uncommitted = true;
      continue;
    }
    if (slot < oldest) break;  // before the oldest kept version: not known
    if (!l.changed_in) l.changed_in = shown_in(records, slot);
    if (!was) {
      l.created_in = shown_in(records, slot);
      break;
    }
  }
  return l;
}

// The definition version `v` renamed into `id` (the diff of v against the kept
// version before it pairs them), if any.
result<std::optional<node>> renamed_into(const store& db, uint32_t proj, const std::vector<version_record>& records,
                                         uint64_t v, node_id id, rename_memo& memo) {
  auto known = memo.by_version.find(v);
  if (known == memo.by_version.end()) {
    uint64_t prev = 0;
    for (const auto& r : records)
      if (r.id < v) prev = r.id;
    std::unordered_map<node_id, node> pairs;
    if (prev) {
      std::unordered_map<node_id, node> removed;
      std::vector<std::pair<node_id, node_id>> added;  // new id, old id
      diff_sink sink;
      sink.node = [&](node_change&& c) {
        if (c.renamed && c.change == "removed") removed.emplace(c.before.id, std::move(c.before));
        if (c.renamed && c.change == "added") added.emplace_back(c.after.id, c.renamed);
        return true;
      };
      auto d = stream_diff(db, proj, prev, v, sink);
      if (!d.ok()) return d.err();
      for (const auto& [to, from] : added)
        if (auto it = removed.find(from); it != removed.end()) pairs.emplace(to, it->second);
    }
    known = memo.by_version.emplace(v, std::move(pairs)).first;
  }
  auto it = known->second.find(id);
  if (it == known->second.end()) return std::optional<node>();
  return std::optional<node>(it->second);
}

}  // namespace

result<node_blame> blame_node(const store& db, uint32_t proj, node_id id, rename_memo* memo) {
  auto now = db.latest().get(column::nodes, keys::node(proj, id));
  if (!now.ok()) return now.err();
  if (!now->has_value()) return make_error(errc::not_found, "no node " + format_id(id));
  auto records = db.versions(proj);
  if (!records.ok()) return records.err();
  node_blame b;
  b.id = id;
  if (records->empty()) return b;
  b.oldest = records->front().id;
  auto l = walk_lineage(db, proj, id, *records, 0);
  if (!l.ok()) return l.err();
  b.created_in = l->created_in;
  b.changed_in = l->changed_in;
  b.uncommitted = l->uncommitted;
  rename_memo own;
  if (!memo) memo = &own;
  // Back through renames: each hop starts before the version that made the id.
  for (node_id cur = id; b.created_in && b.renames.size() < 64;) {
    auto from = renamed_into(db, proj, *records, b.created_in, cur, *memo);
    if (!from.ok()) return from.err();
    if (!*from) break;
    const node& old = **from;
    b.renames.push_back({b.created_in, old.id, old.file, old.qualified_name.empty() ? old.name : old.qualified_name});
    auto earlier = walk_lineage(db, proj, old.id, *records, b.created_in);
    if (!earlier.ok()) return earlier.err();
    if (b.changed_in == b.created_in) b.changed_in = earlier->changed_in;  // the move changed no text
    b.created_in = earlier->created_in;
    cur = old.id;
  }
  return b;
}

nlohmann::json to_json(const node_blame& b, const store& db, uint32_t proj) {
  auto version_of = [&](uint64_t v) -> nlohmann::json {
    if (!v) return nullptr;
    auto rec = db.version(proj, v);
    return rec.ok() ? to_json(*rec) : nlohmann::json(v);
  };
  nlohmann::json renames = nlohmann::json::array();
  for (const auto& r : b.renames)
    renames.push_back(
        {{"version", version_of(r.version)}, {"from", format_id(r.from)}, {"file", r.file}, {"name", r.name}});
  return {
      {"id", format_id(b.id)},      {"created_in", version_of(b.created_in)}, {"changed_in", version_of(b.changed_in)},
      {"oldest_version", b.oldest}, {"uncommitted_change", b.uncommitted},    {"renames", renames}};
}

}  // namespace cg
