// Manual nodes: definitions a user or tool adds through the API. They live in the
// virtual file "@manual" of the project, so they share the node, name, kind and
// file indexes (and thus search, listing and change events) with parsed nodes.
#include <algorithm>
#include <chrono>

#include "actors/graph/counters.hpp"
#include "actors/graph/graph_state.hpp"
#include "schema/codec.hpp"
#include "schema/hash.hpp"
#include "storage/keys.hpp"

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

}  // namespace

static_assert(symbol_table::manual_path == manual_file);

result<file_extract> graph_state::manual_extract(const read_view& v) const {
  file_extract fx;
  fx.record.path = std::string(manual_file);
  fx.record.status = parse_status::ok;
  std::vector<std::string> keys_;
  if (auto s = v.for_each(column::idx, keys::file_index_prefix(proj_, manual_file),
                          [&](std::string_view k, std::string_view) {
                            keys_.push_back(keys::node(proj_, keys::trailing_id(k)));
                            return true;
                          });
      !s.ok())
    return s.err();
  fx.nodes.push_back(manual_file_node(proj_));
  if (keys_.empty()) return fx;
  auto got = v.multi_get(column::nodes, keys_);
  if (!got.ok()) return got.err();
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (!(*got)[i]) continue;
    auto n = decode_node(*(*got)[i], keys::node_id_of(keys_[i]));
    if (!n.ok()) return n.err();
    if (n->kind == node_kind::file) continue;
    fx.nodes.push_back(std::move(*n));
  }
  std::sort(fx.nodes.begin() + 1, fx.nodes.end(), [](const node& a, const node& b) { return a.id < b.id; });
  return fx;
}

result<file_change> graph_state::write_manual(const file_extract& in) {
  file_extract fx = in;
  for (size_t i = 1; i < fx.nodes.size(); ++i) {
    edge e;
    e.source = fx.nodes[0].id;
    e.target = fx.nodes[i].id;
    e.kind = edge_kind::contains;
    fx.contains.push_back(e);
  }
  fx.record.node_count = static_cast<uint32_t>(fx.nodes.size());
  auto v = store_.latest();
  auto b = store_.batch();
  auto c = stage(b, v, fx, false);
  if (!c.ok()) return c.err();
  // Nothing to resolve: manual nodes carry no references of their own.
  b.del(column::meta, keys::pending(proj_, manual_file));
  if (c->kind != file_change::what::unchanged) {
    // Marks the file changed for the search index (as apply does).
    auto serial = std::to_string(v.counter(keys::counter(proj_, cn::change_serial())) + 1);
    b.put(column::meta, keys::changed(proj_, manual_file), serial);
    b.add(keys::counter(proj_, cn::change_serial()), 1);
  }
  if (auto s = store_.write(b); !s.ok()) return s.err();
  symbols_replace(manual_file, fx.nodes);
  return std::move(*c);
}

namespace {
error not_manual(const read_view& v, uint32_t proj, node_id id) {
  auto raw = v.get(column::nodes, keys::node(proj, id));
  if (raw.ok() && raw->has_value())
    return make_error(errc::invalid_argument,
                      "node " + format_id(id) + " was made by the parser; only manual nodes can be changed");
  return make_error(errc::not_found, "no node " + format_id(id));
}

// One change applied to the manual file's extract (in memory): the node as written.
result<node> apply_one(const manual_op& op, file_extract& fx, const read_view& v, uint32_t proj, uint64_t stamp) {
  auto find = [&](node_id id) {
    return std::find_if(fx.nodes.begin() + 1, fx.nodes.end(), [&](const node& n) { return n.id == id; });
  };
  switch (op.op) {
    case manual_op::what::create: {
      node n = op.n;
      if (auto s = check_manual(n); !s.ok()) return s.err();
      if (n.qualified_name.empty()) n.qualified_name = n.name;
      n.modifiers |= modifier::manual;
      n.parent = fx.nodes[0].id;
      // A fresh id per creation: two manual nodes may share a name.
      uint32_t ordinal = 0;
      do {
        n.id = make_node_id(std::to_string(proj) + "/" + std::to_string(stamp), manual_file, n.qualified_name, n.kind,
                            ordinal++);
      } while (find(n.id) != fx.nodes.end() || n.id == 0);
      n.content_hash = manual_hash(n);
      fx.nodes.push_back(n);
      return n;
    }
    case manual_op::what::update: {
      auto it = find(op.id);
      if (it == fx.nodes.end()) return not_manual(v, proj, op.id);
      node n = *it;
      if (op.patch)
        if (auto s = op.patch(n); !s.ok()) return s.err();
      // What identifies and places the node stays.
      n.id = op.id;
      n.parent = fx.nodes[0].id;
      n.modifiers |= modifier::manual;
      if (n.qualified_name.empty()) n.qualified_name = n.name;
      if (auto s = check_manual(n); !s.ok()) return s.err();
      n.content_hash = manual_hash(n);
      *it = n;
      return n;
    }
    case manual_op::what::remove: {
      auto it = find(op.id);
      if (it == fx.nodes.end()) return not_manual(v, proj, op.id);
      fx.nodes.erase(it);
      node gone;
      gone.id = op.id;
      return gone;
    }
  }
  return make_error(errc::internal, "unknown manual operation");
}
}  // namespace

result<std::pair<std::vector<node>, file_change>> graph_state::apply_manual(const std::vector<manual_op>& ops) {
  if (ops.empty()) return make_error(errc::invalid_argument, "no edits to apply");
  auto v = store_.latest();
  auto fx = manual_extract(v);
  if (!fx.ok()) return fx.err();
  const uint64_t stamp = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::vector<node> out;
  out.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    auto n = apply_one(ops[i], *fx, v, proj_, stamp);
    if (!n.ok()) {
      if (ops.size() == 1) return n.err();
      // Nothing is written: the error names the edit that failed.
      return make_error(n.err().code, "edit " + std::to_string(i) + ": " + n.err().message);
    }
    out.push_back(std::move(*n));
  }
  auto c = write_manual(*fx);
  if (!c.ok()) return c.err();
  return std::make_pair(std::move(out), std::move(*c));
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
