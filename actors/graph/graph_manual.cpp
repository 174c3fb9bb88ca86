// Manual nodes: definitions a user or tool adds through the API. They live in the
// virtual file "@manual" of the project, so they share the node, name, kind and
// file indexes (and thus search, listing and change events) with parsed nodes.
// An edit reads and writes only the nodes it names (and the virtual file's record):
// its cost does not grow with the number of manual nodes.
#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>

#include "actors/graph/counters.hpp"
#include "actors/graph/graph_state.hpp"
#include "schema/codec.hpp"
#include "schema/hash.hpp"
#include "storage/keys.hpp"
#include "storage/symbol_index.hpp"

namespace cg {
namespace cn = counter_names;
namespace {

uint64_t manual_hash(const node& n) {
  node copy = n;
  copy.content_hash = 0;
  std::string bytes;
  encode_node(copy, bytes);
  return hash64(bytes);
}

node manual_file_node(uint32_t proj) {
  node f;
  f.kind = node_kind::file;
  f.name = std::string(manual_file);
  f.qualified_name = f.name;
  f.file = f.name;
  f.modifiers = modifier::manual;
  f.id = make_node_id(std::to_string(proj), manual_file, manual_file, node_kind::file);
  f.content_hash = 1;
  return f;
}

status check_manual(const node& n) {
  if (n.name.empty()) return make_error(errc::invalid_argument, "a node needs a name");
  if (n.name.size() > 1024 || n.qualified_name.size() > 4096 || n.signature.size() > 65536 ||
      n.docstring.size() > 65536 || n.file.size() > 4096)
    return make_error(errc::too_large, "a node field is over its size limit");
  if (n.kind == node_kind::file) return make_error(errc::invalid_argument, "a manual node cannot be a file");
  return {};
}

// The nodes one set of edits reads and writes: each as stored before the set and as
// the set leaves it (nullopt: absent).
class manual_txn {
 public:
  manual_txn(const read_view& v, uint32_t proj, node_id file_id) : v_(v), proj_(proj), file_id_(file_id) {}

  // The node as the set sees it now; a parsed node is an error, as is none.
  result<node*> find(node_id id) {
    auto it = now_.find(id);
    if (it == now_.end()) {
      auto stored = load(id);
      if (!stored.ok()) return stored.err();
      it = now_.emplace(id, *stored).first;
    }
    if (!it->second) return make_error(errc::not_found, "no node " + format_id(id));
    if (it->second->parent != file_id_ || !(it->second->modifiers & modifier::manual))
      return make_error(errc::invalid_argument,
                        "node " + format_id(id) + " was made by the parser; only manual nodes can be changed");
    return &*it->second;
  }
  // Whether an id is taken, by a stored node or one of this set.
  result<bool> taken(node_id id) {
    if (id == 0) return true;
    if (auto it = now_.find(id); it != now_.end()) return it->second.has_value();
    auto stored = load(id);
    if (!stored.ok()) return stored.err();
    now_.emplace(id, *stored);
    return stored->has_value();
  }
  void put(node n) { now_[n.id] = std::move(n); }
  void erase(node_id id) { now_[id] = std::nullopt; }

  const std::unordered_map<node_id, std::optional<node>>& before() const { return before_; }
  const std::unordered_map<node_id, std::optional<node>>& after() const { return now_; }

 private:
  result<std::optional<node>> load(node_id id) {
    if (auto it = before_.find(id); it != before_.end()) return it->second;
    auto raw = v_.get(column::nodes, keys::node(proj_, id));
    if (!raw.ok()) return raw.err();
    std::optional<node> n;
    if (raw->has_value()) {
      auto d = decode_node(**raw, id);
      if (!d.ok()) return d.err();
      n = std::move(*d);
    }
    before_.emplace(id, n);
    return n;
  }

  const read_view& v_;
  uint32_t proj_;
  node_id file_id_;
  std::unordered_map<node_id, std::optional<node>> before_, now_;
};

// One change applied to the set (in memory): the node as written.
result<node> apply_one(const manual_op& op, manual_txn& txn, uint32_t proj, node_id file_id, uint64_t stamp) {
  switch (op.op) {
    case manual_op::what::create: {
      node n = op.n;
      if (auto s = check_manual(n); !s.ok()) return s.err();
      if (n.qualified_name.empty()) n.qualified_name = n.name;
      n.modifiers |= modifier::manual;
      n.parent = file_id;
      // A fresh id per creation: two manual nodes may share a name.
      for (uint32_t ordinal = 0;; ++ordinal) {
        n.id = make_node_id(std::to_string(proj) + "/" + std::to_string(stamp), manual_file, n.qualified_name, n.kind,
                            ordinal);
        auto t = txn.taken(n.id);
        if (!t.ok()) return t.err();
        if (!*t) break;
      }
      n.content_hash = manual_hash(n);
      txn.put(n);
      return n;
    }
    case manual_op::what::update: {
      auto found = txn.find(op.id);
      if (!found.ok()) return found.err();
      node n = **found;
      if (op.patch)
        if (auto s = op.patch(n); !s.ok()) return s.err();
      // What identifies and places the node stays.
      n.id = op.id;
      n.parent = file_id;
      n.modifiers |= modifier::manual;
      if (n.qualified_name.empty()) n.qualified_name = n.name;
      if (auto s = check_manual(n); !s.ok()) return s.err();
      n.content_hash = manual_hash(n);
      txn.put(n);
      return n;
    }
    case manual_op::what::remove: {
      auto found = txn.find(op.id);
      if (!found.ok()) return found.err();
      txn.erase(op.id);
      node gone;
      gone.id = op.id;
      return gone;
    }
  }
  return make_error(errc::internal, "unknown manual operation");
}

}  // namespace

static_assert(symbol_table::manual_path == manual_file);

void graph_state::stage_manual_node(write_batch& b, const node& n, int sign) {
  if (sign < 0) {
    b.del(column::nodes, keys::node(proj_, n.id));
    b.del(column::idx, keys::name_index(proj_, keys::lower_ascii(n.name), n.id));
    b.del(column::idx, keys::file_index(proj_, manual_file, n.id));
    b.del(column::idx, keys::kind_index(proj_, n.kind, n.id));
  } else {
    std::string value;
    encode_node(n, value);
    b.put(column::nodes, keys::node(proj_, n.id), value);
    value.clear();
    encode_symbol_entry(n, value);
    b.put(column::idx, keys::name_index(proj_, keys::lower_ascii(n.name), n.id), value);
    b.put(column::idx, keys::file_index(proj_, manual_file, n.id), std::string(1, static_cast<char>(n.kind)));
    b.put(column::idx, keys::kind_index(proj_, n.kind, n.id), "");
  }
  b.add(keys::counter(proj_, cn::nodes(n.kind)), sign);
  if (n.parent) b.add(keys::counter(proj_, cn::edges(edge_kind::contains)), sign);
}

result<std::pair<std::vector<node>, file_change>> graph_state::apply_manual(const std::vector<manual_op>& ops) {
  if (ops.empty()) return make_error(errc::invalid_argument, "no edits to apply");
  auto v = store_.latest();
  const node file = manual_file_node(proj_);
  manual_txn txn(v, proj_, file.id);
  const uint64_t stamp = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::vector<node> out;
  out.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    auto n = apply_one(ops[i], txn, proj_, file.id, stamp);
    if (!n.ok()) {
      if (ops.size() == 1) return n.err();
      // Nothing is written: the error names the edit that failed.
      return make_error(n.err().code, "edit " + std::to_string(i) + ": " + n.err().message);
    }
    out.push_back(std::move(*n));
  }
  std::vector<node_id> order;
  order.reserve(out.size());
  for (const auto& n : out) order.push_back(n.id);
  auto c = write_manual(v, file, txn.before(), txn.after(), order);
  if (!c.ok()) return c.err();
  return std::make_pair(std::move(out), std::move(*c));
}

result<file_change> graph_state::write_manual(const read_view& v, const node& file,
                                              const std::unordered_map<node_id, std::optional<node>>& before,
                                              const std::unordered_map<node_id, std::optional<node>>& after,
                                              const std::vector<node_id>& order) {
  file_change change;
  change.path = std::string(manual_file);
  change.kind = file_change::what::changed;
  auto b = store_.batch();
  // The virtual file: made with the first manual node, its record counting them.
  auto rec_raw = v.get(column::meta, keys::manifest(proj_, manual_file));
  if (!rec_raw.ok()) return rec_raw.err();
  file_record rec;
  rec.path = std::string(manual_file);
  rec.status = parse_status::ok;
  rec.node_count = 1;
  if (rec_raw->has_value()) {
    auto old = decode_file_record(**rec_raw, manual_file);
    if (!old.ok()) return old.err();
    rec = std::move(*old);
  } else {
    change.kind = file_change::what::added;
    stage_manual_node(b, file, +1);
    std::string refs;
    encode_references({}, refs);
    b.put(column::meta, keys::refs(proj_, manual_file), refs);
    b.add(keys::counter(proj_, cn::files(rec.lang)), 1);
    change.created.push_back(file.id);
  }
  const bool unresolved_exist = v.counter(keys::counter(proj_, cn::unresolved_total())) > 0;
  int64_t count = rec.node_count;
  for (const auto& [id, now] : after) {
    const auto& was = before.at(id);
    if (!was && !now) continue;
    if (was && now && was->content_hash == now->content_hash) continue;
    if (was) stage_manual_node(b, *was, -1), --count;
    if (now) stage_manual_node(b, *now, +1), ++count;
    if (!was) {
      change.created.push_back(id);
      // A new name may bind references that are unresolved elsewhere in the project.
      if (unresolved_exist && now->kind != node_kind::import)
        if (auto s = mark_dependents(b, v, unresolved_target_id(now->name), manual_file); !s.ok()) return s.err();
      continue;
    }
    // Edges into a node that went, or whose value (type) changed, are resolved again.
    if (!now ? true : was->type_name != now->type_name || was->name != now->name)
      if (auto s = mark_dependents(b, v, id, manual_file); !s.ok()) return s.err();
    if (!now) {
      if (auto s = delete_out_edges(b, v, id); !s.ok()) return s.err();
      change.deleted.push_back(id);
    } else {
      change.updated.push_back(id);
    }
  }
  // In the order of the edits (the virtual file first when it is new): subscribers see
  // the nodes as the client made them.
  std::unordered_map<node_id, size_t> rank;
  for (size_t i = 0; i < order.size(); ++i) rank.try_emplace(order[i], i + 1);
  auto by_edit = [&](node_id a, node_id b) { return rank[a] < rank[b]; };
  std::stable_sort(change.created.begin(), change.created.end(), by_edit);
  std::stable_sort(change.updated.begin(), change.updated.end(), by_edit);
  std::stable_sort(change.deleted.begin(), change.deleted.end(), by_edit);
  if (change.kind == file_change::what::changed && change.created.empty() && change.updated.empty() &&
      change.deleted.empty())
    change.kind = file_change::what::unchanged;
  rec.node_count = static_cast<uint32_t>(std::max<int64_t>(count, 1));
  std::string value;
  encode_file_record(rec, value);
  b.put(column::meta, keys::manifest(proj_, manual_file), value);
  if (change.kind != file_change::what::unchanged) {
    // Marks the file changed for the search index (as apply does).
    auto serial = std::to_string(v.counter(keys::counter(proj_, cn::change_serial())) + 1);
    b.put(column::meta, keys::changed(proj_, manual_file), serial);
    b.add(keys::counter(proj_, cn::change_serial()), 1);
  }
  last_edit_cost_ = {before.size(), b.operations()};
  if (auto s = store_.write(b); !s.ok()) return s.err();
  if (symbols_) {
    if (change.kind == file_change::what::added) symbols_->upsert(file);
    for (const auto& [id, now] : after) {
      const auto& was = before.at(id);
      if (was && now && was->content_hash == now->content_hash) continue;
      if (now)
        symbols_->upsert(*now);
      else if (was)
        symbols_->erase(id);
    }
  }
  return change;
}

result<std::pair<node, file_change>> graph_state::create_manual(node n) {
  manual_op op;
  op.n = std::move(n);
  auto r = apply_manual({op});
  if (!r.ok()) return r.err();
  return std::make_pair(std::move(r->first.front()), std::move(r->second));
}

result<file_change> graph_state::delete_manual(node_id id) {
  manual_op op;
  op.op = manual_op::what::remove;
  op.id = id;
  auto r = apply_manual({op});
  if (!r.ok()) return r.err();
  return std::move(r->second);
}

}  // namespace cg
