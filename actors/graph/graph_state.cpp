#include "actors/graph/graph_state.hpp"

#include <future>

#include "schema/serial_runner.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "actors/graph/counters.hpp"
#include "actors/graph/go_dependents.hpp"
#include "actors/graph/symbol_table.hpp"
#include "schema/codec.hpp"
#include "schema/hash.hpp"
#include "storage/keys.hpp"
#include "storage/symbol_index.hpp"

namespace cg {

namespace {
serial_runner& resolve_producer() {
  static serial_runner runner;
  return runner;
}
}  // namespace

namespace cn = counter_names;

namespace {

constexpr size_t resolve_batch_files = 64;
// Resolutions of at least this many files start with a background flush.
constexpr size_t early_flush_files = 256;

// Fault injection for the crash tests: with CODEGRAPH_TEST_KILL_AFTER_WRITES=N the
// process kills itself (SIGKILL, no cleanup) right after its N-th committed write.
void after_write_for_crash_tests() {
  static const long limit = [] {
    const char* v = std::getenv("CODEGRAPH_TEST_KILL_AFTER_WRITES");
    return v ? std::atol(v) : 0L;
  }();
  static std::atomic<long> writes{0};
  if (limit > 0 && ++writes >= limit) ::kill(::getpid(), SIGKILL);
}

// The resolution byte of an encoded edge value (format byte, then how).
resolution how_of(std::string_view value) {
  return value.size() >= 2 ? static_cast<resolution>(static_cast<uint8_t>(value[1])) : resolution::unresolved;
}

void count_edge(write_batch& b, uint32_t proj, edge_kind k, resolution how, int64_t delta) {
  b.add(keys::counter(proj, cn::edges(k)), delta);
  if (how == resolution::unresolved) {
    b.add(keys::counter(proj, cn::unresolved(k)), delta);
    b.add(keys::counter(proj, cn::unresolved_total()), delta);
  } else if (how == resolution::external) {
    b.add(keys::counter(proj, cn::external(k)), delta);
  }
}

void count_file(write_batch& b, uint32_t proj, const file_record& f, int64_t sign) {
  b.add(keys::counter(proj, cn::files(f.lang)), sign);
  b.add(keys::counter(proj, cn::loc(f.lang)), sign * static_cast<int64_t>(f.loc));
  b.add(keys::counter(proj, cn::bytes(f.lang)), sign * static_cast<int64_t>(f.size));
  if (f.status != parse_status::ok) b.add(keys::counter(proj, cn::files_with_errors()), sign);
}

}  // namespace

graph_state::graph_state(store& s, uint32_t project) : store_(s), proj_(project) {}

void graph_state::put_edge(write_batch& b, const edge& e) {
  std::string value;
  encode_edge_value(e, value);
  b.put(column::edges, keys::edge(proj_, e.source, e.kind, e.target), value);
  b.put(column::redges, keys::edge(proj_, e.target, e.kind, e.source), value);
  count_edge(b, proj_, e.kind, e.how, +1);
}

status graph_state::delete_out_edges(write_batch& b, const read_view& v, node_id from) {
  auto cur = v.scan(column::edges, keys::edge_prefix(proj_, from));
  for (; cur.valid(); cur.next()) {
    auto parts = keys::parse_edge_key(cur.key());
    b.del(column::edges, cur.key());
    b.del(column::redges, keys::edge(proj_, parts.second, parts.kind, parts.first));
    count_edge(b, proj_, parts.kind, how_of(cur.value()), -1);
  }
  return cur.status_of();
}

status graph_state::read_out_edges(const read_view& v, node_id from,
                                   std::unordered_map<std::string, std::string>& out) {
  auto cur = v.scan(column::edges, keys::edge_prefix(proj_, from));
  for (; cur.valid(); cur.next()) out.emplace(std::string(cur.key()), std::string(cur.value()));
  return cur.status_of();
}

void graph_state::replace_edges(write_batch& b, std::unordered_map<std::string, std::string> old_edges,
                                const std::vector<edge>& edges) {
  // The store ends as if every old edge were deleted and every new one put (the last
  // of one key wins), counters included; only keys whose value differs are written.
  std::unordered_map<std::string, const edge*> now;
  now.reserve(edges.size());
  for (const auto& e : edges) {
    count_edge(b, proj_, e.kind, e.how, +1);
    now[keys::edge(proj_, e.source, e.kind, e.target)] = &e;
  }
  for (const auto& [key, value] : old_edges) {
    auto parts = keys::parse_edge_key(key);
    count_edge(b, proj_, parts.kind, how_of(value), -1);
    if (!now.count(key)) {
      b.del(column::edges, key);
      b.del(column::redges, keys::edge(proj_, parts.second, parts.kind, parts.first));
    }
  }
  std::string value;
  for (const auto& [key, e] : now) {
    value.clear();
    encode_edge_value(*e, value);
    if (auto it = old_edges.find(key); it != old_edges.end() && it->second == value) continue;
    b.put(column::edges, key, value);
    b.put(column::redges, keys::edge(proj_, e->target, e->kind, e->source), value);
  }
}

status graph_state::mark_return_chain(write_batch& b, const read_view& v, node_id changed) {
  constexpr int max_depth = 3;
  std::unordered_set<node_id> seen{changed};
  std::vector<node_id> frontier{changed};
  for (int depth = 0; depth < max_depth && !frontier.empty(); ++depth) {
    std::vector<std::string> callers;
    for (node_id id : frontier)
      for (auto k : {edge_kind::calls, edge_kind::instantiates}) {
        auto cur = v.scan(column::redges, keys::edge_prefix(proj_, id, k));
        for (; cur.valid(); cur.next()) {
          node_id from = keys::parse_edge_key(cur.key()).second;
          if (seen.insert(from).second) callers.push_back(keys::node(proj_, from));
        }
        if (auto s = cur.status_of(); !s.ok()) return s;
      }
    frontier.clear();
    if (callers.empty()) break;
    auto got = v.multi_get(column::nodes, callers);
    if (!got.ok()) return got.err();
    for (size_t i = 0; i < callers.size(); ++i) {
      if (!(*got)[i]) continue;
      auto n = decode_node(*(*got)[i], keys::node_id_of(callers[i]));
      if (!n.ok() || n->lang != language::python || !is_callable(n->kind) || n->type_name.empty()) continue;
      if (auto s = mark_dependents(b, v, n->id, ""); !s.ok()) return s;
      frontier.push_back(n->id);
    }
  }
  return {};
}

// Files with edges into `target` must be resolved again: it is gone or new.
status graph_state::mark_dependents(write_batch& b, const read_view& v, node_id target, std::string_view own_path) {
  std::vector<std::string> sources;
  auto cur = v.scan(column::redges, keys::edge_prefix(proj_, target));
  for (; cur.valid(); cur.next()) {
    auto parts = keys::parse_edge_key(cur.key());
    if (parts.kind == edge_kind::contains) continue;
    sources.push_back(keys::node(proj_, parts.second));
  }
  if (auto s = cur.status_of(); !s.ok()) return s;
  if (sources.empty()) return {};
  auto got = v.multi_get(column::nodes, sources);
  if (!got.ok()) return got.err();
  for (size_t i = 0; i < sources.size(); ++i) {
    if (!(*got)[i]) continue;
    auto n = decode_node(*(*got)[i], keys::node_id_of(sources[i]));
    if (n.ok() && n->file != own_path) b.put(column::meta, keys::pending(proj_, n->file), "1");
  }
  return {};
}

// A definition's value texts (type_name) changed, appeared or went: the files with edges
// into it are resolved again, and for a field or variable also those with edges into its
// class or module (Holder().h.go(), import lib; lib.x.run()).
namespace {
bool holds_values(node_kind k) {
  return k == node_kind::field || k == node_kind::property || k == node_kind::variable || k == node_kind::constant;
}

// old_parent: the parents of the file's fields and variables before (a function that
// went away reaches no further than its own dependents: removing one from a module
// marked every file that imports the module).
template <class Mark>
status mark_value_dependents(const file_extract& fx, const std::unordered_map<node_id, std::string>& old_value,
                             const std::unordered_map<node_id, node_id>& old_parent, Mark&& mark) {
  std::unordered_set<node_id> reach, now;
  for (const auto& n : fx.nodes) {
    now.insert(n.id);
    if (n.kind == node_kind::import || n.kind == node_kind::file) continue;
    auto it = old_value.find(n.id);
    if (it == old_value.end() ? n.type_name.empty() : it->second == n.type_name) continue;
    if (it != old_value.end()) reach.insert(n.id);
    if (holds_values(n.kind) && n.parent) reach.insert(n.parent);
  }
  for (const auto& [id, value] : old_value)  // a field or variable that went away
    if (!value.empty() && !now.count(id))
      if (auto p = old_parent.find(id); p != old_parent.end() && p->second) reach.insert(p->second);
  for (node_id id : reach)
    if (auto s = mark(id); !s.ok()) return s;
  return {};
}
}  // namespace

result<std::vector<file_change>> graph_state::apply(std::span<const file_extract> files) {
  auto t0 = std::chrono::steady_clock::now();
  auto v = store_.latest();
  // A project without definitions (a first index): its symbol table fills as files
  // are written, so resolution starts without reading back what the run wrote.
  if (!symbols_ && !symbols_probed_) {
    symbols_probed_ = true;
    auto any = v.scan(column::nodes, keys::project_prefix(proj_));
    if (!any.valid() && any.status_of().ok()) symbols_ = symbol_table::empty_for_filling();
  }
  auto b = store_.batch();
  bool unresolved_exist = v.counter(keys::counter(proj_, cn::unresolved_total())) > 0;
  std::vector<file_change> changes;
  changes.reserve(files.size());
  auto serial = std::to_string(v.counter(keys::counter(proj_, cn::change_serial())) + 1);
  bool any = false;
  for (const auto& fx : files) {
    auto c = stage(b, v, fx, unresolved_exist);
    if (!c.ok()) return c.err();
    if (c->kind != file_change::what::unchanged) {
      b.put(column::meta, keys::changed(proj_, c->path), serial);
      any = true;
    }
    changes.push_back(std::move(*c));
  }
  if (any) b.add(keys::counter(proj_, cn::change_serial()), 1);
  auto t1 = std::chrono::steady_clock::now();
  size_t ops = b.operations();
  if (auto s = store_.write(b); !s.ok()) return s.err();
  auto t2 = std::chrono::steady_clock::now();
  for (const auto& fx : files) symbols_replace(fx.record.path, fx.nodes);
  if (files.size() <= 4)
    spdlog::debug("apply: {} file(s), {} ops: staged in {:.2f} ms, written in {:.2f} ms, symbols {:.2f} ms",
                  files.size(), ops, std::chrono::duration<double, std::milli>(t1 - t0).count(),
                  std::chrono::duration<double, std::milli>(t2 - t1).count(),
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t2).count());
  after_write_for_crash_tests();
  return changes;
}

void graph_state::symbols_replace(std::string_view path, std::span<const node> nodes) {
  if (symbols_) symbols_->replace_file(path, nodes);
}

result<file_change> graph_state::apply(const file_extract& fx) {
  auto r = apply(std::span<const file_extract>(&fx, 1));
  if (!r.ok()) return r.err();
  return std::move(r->front());
}

result<file_change> graph_state::stage(write_batch& b, const read_view& v, const file_extract& fx,
                                       bool unresolved_exist) {
  const auto& path = fx.record.path;
  file_change change;
  change.path = path;

  // What the store holds for this file now.
  std::vector<std::string> old_keys;
  if (auto s = v.for_each(column::idx, keys::file_index_prefix(proj_, path),
                          [&](std::string_view k, std::string_view) {
                            old_keys.push_back(keys::node(proj_, keys::trailing_id(k)));
                            return true;
                          });
      !s.ok())
    return s.err();
  auto old_rec_raw = v.get(column::meta, keys::manifest(proj_, path));
  if (!old_rec_raw.ok()) return old_rec_raw.err();
  change.kind = old_rec_raw->has_value() ? file_change::what::changed : file_change::what::added;

  // Each new definition as stored: one that reads as before keeps its keys (a save
  // rewrote every definition of the file; an edit at its end changes a few).
  std::unordered_map<node_id, std::string> new_value;
  new_value.reserve(fx.nodes.size());
  for (const auto& n : fx.nodes) encode_node(n, new_value[n.id]);
  std::unordered_set<node_id> kept;

  std::unordered_map<node_id, uint64_t> old_hash;
  std::unordered_map<node_id, std::string> old_value;  // value texts (type_name), by id
  std::unordered_map<node_id, node_id> old_parent;     // of fields and variables
  std::unordered_map<node_id, node> old_go_methods;    // Go method sets decide implements edges
  std::unordered_set<node_id> old_go_interfaces;
  if (!old_keys.empty()) {
    auto got = v.multi_get(column::nodes, old_keys);
    if (!got.ok()) return got.err();
    for (size_t i = 0; i < old_keys.size(); ++i) {
      if (!(*got)[i]) continue;
      auto n = decode_node(*(*got)[i], keys::node_id_of(old_keys[i]));
      if (!n.ok()) return n.err();
      old_hash.emplace(n->id, n->content_hash);
      old_value.emplace(n->id, n->type_name);
      if (holds_values(n->kind)) old_parent.emplace(n->id, n->parent);
      if (n->lang == language::go && n->kind == node_kind::method) old_go_methods.emplace(n->id, *n);
      if (n->lang == language::go && n->kind == node_kind::interface) old_go_interfaces.insert(n->id);
      if (auto nv = new_value.find(n->id); nv != new_value.end() && nv->second == *(*got)[i]) {
        kept.insert(n->id);  // its node and index entries stay as they are
      } else {
        b.del(column::nodes, old_keys[i]);
        b.del(column::idx, keys::name_index(proj_, keys::lower_ascii(n->name), n->id));
        b.del(column::idx, keys::file_index(proj_, path, n->id));
        b.del(column::idx, keys::kind_index(proj_, n->kind, n->id));
      }
      b.add(keys::counter(proj_, cn::nodes(n->kind)), -1);
      if (n->parent) count_edge(b, proj_, edge_kind::contains, resolution::local, -1);
      // A definition the file still has keeps its edges until resolution, which writes
      // only the ones that differ; one that went loses them now.
      if (!new_value.count(n->id))
        if (auto s = delete_out_edges(b, v, n->id); !s.ok()) return s.err();
    }
  }
  if (old_rec_raw->has_value()) {
    auto old_rec = decode_file_record(**old_rec_raw, path);
    if (old_rec.ok()) count_file(b, proj_, *old_rec, -1);
  }

  std::unordered_set<node_id> new_ids;
  new_ids.reserve(fx.nodes.size());
  std::string value;
  for (const auto& n : fx.nodes) {
    new_ids.insert(n.id);
    b.add(keys::counter(proj_, cn::nodes(n.kind)), +1);
    if (!kept.count(n.id)) {
      b.put(column::nodes, keys::node(proj_, n.id), new_value[n.id]);
      value.clear();
      encode_symbol_entry(n, value);
      b.put(column::idx, keys::name_index(proj_, keys::lower_ascii(n.name), n.id), value);
      b.put(column::idx, keys::file_index(proj_, path, n.id), std::string(1, static_cast<char>(n.kind)));
      b.put(column::idx, keys::kind_index(proj_, n.kind, n.id), "");
    }
    auto it = old_hash.find(n.id);
    if (it == old_hash.end())
      change.created.push_back(n.id);
    else if (it->second != n.content_hash)
      change.updated.push_back(n.id);
  }
  // Contains edges live in the children's parent fields; only their count is kept.
  count_edge(b, proj_, edge_kind::contains, resolution::local, static_cast<int64_t>(fx.contains.size()));

  // Nodes that disappeared: other files' edges into them must be re-resolved.
  for (const auto& [id, hash] : old_hash) {
    if (new_ids.count(id)) continue;
    change.deleted.push_back(id);
    if (auto s = mark_dependents(b, v, id, path); !s.ok()) return s.err();
  }
  // What a definition holds (a function's returns, a field's or variable's value) changed:
  // the files that reach it, or its class, may resolve differently (x = make(); x.run(),
  // Holder().h.go()), and so may those that reach it through Python functions returning
  // what they call (def g(): return make(); g().run()), up to 3 calls deep.
  auto mark_value = [&](node_id id) {
    if (auto s = mark_dependents(b, v, id, path); !s.ok()) return s;
    return mark_return_chain(b, v, id);
  };
  if (auto s = mark_value_dependents(fx, old_value, old_parent, mark_value); !s.ok()) return s.err();
  // Go methods that came or went change method sets, so implements edges elsewhere.
  {
    std::unordered_set<node_id> interfaces = old_go_interfaces;
    for (const auto& n : fx.nodes)
      if (n.lang == language::go && n.kind == node_kind::interface) interfaces.insert(n.id);
    std::vector<go_method_change> moved;
    for (const auto& n : fx.nodes)
      if (n.lang == language::go && n.kind == node_kind::method && !old_hash.count(n.id))
        moved.push_back({n.name, n.qualified_name, n.parent, interfaces.count(n.parent) > 0});
    for (const auto& [id, n] : old_go_methods)
      if (!new_ids.count(id)) moved.push_back({n.name, n.qualified_name, n.parent, interfaces.count(n.parent) > 0});
    if (!moved.empty()) {
      auto files = go_method_set_dependents(v, proj_, path, moved);
      if (!files.ok()) return files.err();
      for (const auto& f : *files) b.put(column::meta, keys::pending(proj_, f), "1");
    }
  }
  // New names may bind references that are unresolved elsewhere in the project.
  if (unresolved_exist) {
    std::unordered_set<std::string_view> names;
    for (const auto& n : fx.nodes)
      if (!old_hash.count(n.id) && n.kind != node_kind::import && n.kind != node_kind::file) names.insert(n.name);
    for (auto name : names)
      if (auto s = mark_dependents(b, v, unresolved_target_id(name), path); !s.ok()) return s.err();
  }

  file_record rec = fx.record;
  rec.node_count = static_cast<uint32_t>(fx.nodes.size());
  value.clear();
  encode_file_record(rec, value);
  b.put(column::meta, keys::manifest(proj_, path), value);
  count_file(b, proj_, rec, +1);
  value.clear();
  encode_references(fx.refs, value);
  b.put(column::meta, keys::refs(proj_, path), value);
  // "1": the file's remaining definitions still have their edges (resolution compares).
  b.put(column::meta, keys::pending(proj_, path), old_keys.empty() ? "" : "1");

  if (change.kind == file_change::what::changed && change.created.empty() && change.updated.empty() &&
      change.deleted.empty())
    change.kind = file_change::what::unchanged;
  return change;
}

result<file_change> graph_state::remove(std::string_view path) {
  auto v = store_.latest();
  auto b = store_.batch();
  file_change change;
  change.path = std::string(path);
  change.kind = file_change::what::removed;
  std::vector<std::string> old_keys;
  if (auto s = v.for_each(column::idx, keys::file_index_prefix(proj_, path),
                          [&](std::string_view k, std::string_view) {
                            old_keys.push_back(keys::node(proj_, keys::trailing_id(k)));
                            return true;
                          });
      !s.ok())
    return s.err();
  auto got = v.multi_get(column::nodes, old_keys);
  if (!got.ok()) return got.err();
  std::vector<node> go_methods;
  std::unordered_set<node_id> go_interfaces;
  for (size_t i = 0; i < old_keys.size(); ++i) {
    if (!(*got)[i]) continue;
    auto n = decode_node(*(*got)[i], keys::node_id_of(old_keys[i]));
    if (!n.ok()) return n.err();
    if (n->lang == language::go && n->kind == node_kind::method) go_methods.push_back(*n);
    if (n->lang == language::go && n->kind == node_kind::interface) go_interfaces.insert(n->id);
    change.deleted.push_back(n->id);
    b.del(column::nodes, old_keys[i]);
    b.del(column::idx, keys::name_index(proj_, keys::lower_ascii(n->name), n->id));
    b.del(column::idx, keys::file_index(proj_, path, n->id));
    b.del(column::idx, keys::kind_index(proj_, n->kind, n->id));
    b.add(keys::counter(proj_, cn::nodes(n->kind)), -1);
    if (n->parent) count_edge(b, proj_, edge_kind::contains, resolution::local, -1);
    if (auto s = delete_out_edges(b, v, n->id); !s.ok()) return s.err();
    if (auto s = mark_dependents(b, v, n->id, path); !s.ok()) return s.err();
  }
  if (!go_methods.empty()) {  // method sets shrank: implements edges elsewhere may go
    std::vector<go_method_change> gone;
    for (const auto& m : go_methods)
      gone.push_back({m.name, m.qualified_name, m.parent, go_interfaces.count(m.parent) > 0});
    auto files = go_method_set_dependents(v, proj_, path, gone);
    if (!files.ok()) return files.err();
    for (const auto& f : *files) b.put(column::meta, keys::pending(proj_, f), "1");
  }
  auto rec_raw = v.get(column::meta, keys::manifest(proj_, path));
  if (!rec_raw.ok()) return rec_raw.err();
  if (rec_raw->has_value()) {
    auto rec = decode_file_record(**rec_raw, path);
    if (rec.ok()) count_file(b, proj_, *rec, -1);
  }
  if (auto s = retract_outgoing(b, v, path); !s.ok()) return s.err();
  b.del(column::meta, keys::manifest(proj_, path));
  b.del(column::meta, keys::refs(proj_, path));
  b.del(column::meta, keys::pending(proj_, path));
  b.put(column::meta, keys::changed(proj_, path),
        std::to_string(v.counter(keys::counter(proj_, cn::change_serial())) + 1));
  b.add(keys::counter(proj_, cn::change_serial()), 1);
  if (auto s = store_.write(b); !s.ok()) return s.err();
  symbols_replace(path, {});
  return change;
}

status graph_state::touch(const file_record& rec) {
  auto v = store_.latest();
  auto raw = v.get(column::meta, keys::manifest(proj_, rec.path));
  if (!raw.ok()) return raw.err();
  if (!raw->has_value()) return make_error(errc::not_found, "no manifest entry for " + rec.path);
  auto old = decode_file_record(**raw, rec.path);
  if (!old.ok()) return old.err();
  file_record updated = *old;
  updated.size = rec.size;
  updated.mtime_ns = rec.mtime_ns;
  std::string value;
  encode_file_record(updated, value);
  auto b = store_.batch();
  b.put(column::meta, keys::manifest(proj_, rec.path), value);
  return store_.write(b);
}

result<size_t> graph_state::pending_count() const {
  size_t n = 0;
  auto s = store_.latest().for_each(column::meta, keys::meta_tag_prefix(proj_, keys::tag_pending),
                                    [&](std::string_view, std::string_view) {
                                      ++n;
                                      return true;
                                    });
  if (!s.ok()) return s.err();
  return n;
}

namespace {

// The write groups of resolution's pass B, from its producer (resolving the next group
// of files) to the writer (the graph actor's thread): at most two groups ahead.
class group_queue {
 public:
  struct group {
    write_batch batch;
    std::vector<edge> fresh;  // to put into the batch before it is written
    size_t done = 0;          // files resolved up to and including this group
  };
  // Producer: false when the writer wants no more (it stopped on an error).
  bool push(group g) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ready_.size() < 2 || stopped_; });
    if (stopped_) return false;
    ready_.push_back(std::move(g));
    cv_.notify_all();
    return true;
  }
  void finish() {
    std::lock_guard lock(mu_);
    finished_ = true;
    cv_.notify_all();
  }
  void fail(error e) {
    std::lock_guard lock(mu_);
    if (!failure_) failure_ = std::move(e);
    finished_ = true;
    cv_.notify_all();
  }
  // Writer: the next group; nullopt once the producer finished and all were taken.
  std::optional<group> pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !ready_.empty() || finished_; });
    if (ready_.empty()) return std::nullopt;
    group g = std::move(ready_.front());
    ready_.pop_front();
    cv_.notify_all();
    return g;
  }
  void stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  std::optional<error> failure() {
    std::lock_guard lock(mu_);
    return failure_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<group> ready_;
  bool finished_ = false, stopped_ = false;
  std::optional<error> failure_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// The files waiting for resolution, and whether each has resolved edges to replace.
result<std::vector<graph_state::pending_file>> graph_state::pending_files(const read_view& v) const {
  std::vector<pending_file> pending;
  auto s = v.for_each(column::meta, keys::meta_tag_prefix(proj_, keys::tag_pending),
                      [&](std::string_view k, std::string_view val) {
                        pending.push_back({std::string(keys::meta_path_of(k)), !val.empty()});
                        return true;
                      });
  if (!s.ok()) return s.err();
  return pending;
}

result<file_references> graph_state::load_refs(const read_view& v, const std::string& path) const {
  auto raw = v.get(column::meta, keys::refs(proj_, path));
  if (!raw.ok()) return raw.err();
  if (!raw->has_value()) return file_references{};
  return decode_references(**raw);
}

// Pass B's producer: resolves the pending files in groups, each group's edges (and
// the deletion of the edges they replace) in one batch handed to the writer.
void graph_state::produce_edge_groups(const read_view& v, resolver& r, const std::vector<pending_file>& pending,
                                      kept_references& kept, group_sink& sink, round_state& rs, double& t_compute) {
  const symbol_table& symbols = *symbols_;
  auto b = store_.batch();
  std::vector<edge> fresh;
  size_t in_batch = 0, done = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    const auto& [path, had_edges] = pending[i];
    b.del(column::meta, keys::pending(proj_, path));
    if (const symbol* f = symbols.file_node(path)) {
      result<file_references> refs = i < kept.size() && kept[i] ? std::move(*kept[i]) : load_refs(v, path);
      if (i < kept.size()) kept[i].reset();
      if (!refs.ok()) return sink.fail(refs.err());
      std::unordered_map<std::string, std::string> old_edges;  // key -> value, as stored
      if (had_edges)
        for (auto i : symbols.in_file(path))
          if (auto s = read_out_edges(v, symbols.at(i).id, old_edges); !s.ok()) return sink.fail(s.err());
      if (f->lang == language::python) {
        auto in = incoming_arguments(v, path, rs, &rs.resolved_with[path]);
        if (!in.ok()) return sink.fail(in.err());
        r.set_incoming(std::move(*in));
      }
      auto c0 = std::chrono::steady_clock::now();
      auto edges = r.resolve_file(path, f->lang, *refs);
      t_compute += seconds_since(c0);
      resolution_counts counts;
      for (const auto& e : edges) counts.add(e);
      if (had_edges)
        replace_edges(b, std::move(old_edges), edges);
      else
        fresh.insert(fresh.end(), std::make_move_iterator(edges.begin()), std::make_move_iterator(edges.end()));
      rs.counts[path] = counts;
      if (f->lang == language::python)
        if (auto s = record_outgoing(b, v, path, r.take_outgoing(), rs); !s.ok()) return sink.fail(s.err());
    }
    ++done;
    if (++in_batch >= resolve_batch_files || done == pending.size()) {
      if (!sink.push(std::move(b), std::move(fresh), done)) return;
      b = store_.batch();
      fresh = {};
      in_batch = 0;
    }
  }
  sink.finish();
}

// Rounds: a file resolved early in a round may be passed new arguments by a caller
// resolved after it (its pending mark is set again), so a few rounds run until no file
// is pending; what is left after the last is resolved by the next run.
result<resolve_summary> graph_state::resolve_pending(const std::function<void(size_t, size_t)>& progress) {
  constexpr int max_rounds = 3;
  round_state rs;
  for (int round = 0; round < max_rounds; ++round) {
    rs.next_round();
    auto r = resolve_round(progress, rs);
    if (!r.ok()) return r.err();
    if (r->files == 0) break;
  }
  resolve_summary summary;
  summary.files = rs.counts.size();
  for (const auto& [path, counts] : rs.counts) summary.counts.merge(counts);
  return summary;
}

result<resolve_summary> graph_state::resolve_round(const std::function<void(size_t, size_t)>& progress,
                                                   round_state& rs) {
  resolve_summary summary;
  auto v = store_.latest();
  auto pending = pending_files(v);
  if (!pending.ok()) return pending.err();
  if (pending->empty()) return summary;
  for (const auto& p : *pending) rs.in_round.insert(p.path);
  // A large run (a cold index): what its parse phase wrote goes to tables now, in
  // RocksDB's background threads, on the core the symbol load and pass A leave idle,
  // instead of all at the end of the run.
  if (pending->size() >= early_flush_files) store_.flush_in_background(uint64_t{16} << 20);

  auto t0 = std::chrono::steady_clock::now();
  if (!symbols_ || symbols_->worth_reloading()) {
    symbols_.reset();
    auto loaded = symbol_table::load(v, proj_);
    if (!loaded.ok()) return loaded.err();
    symbols_ = std::move(*loaded);
  }
  symbols_->settle();
  const symbol_table& symbols = *symbols_;
  // Bases of types outside the pending files come from their stored edges.
  struct stored_base_list {
    std::vector<node_id> bases;
    bool open = false;  // a base the project lacks
  };
  std::unordered_map<node_id, stored_base_list> stored_bases;
  // A type of a pending file has the bases its references resolve to now, never its
  // stored ones (its file keeps its edges until pass B compares them).
  auto stored = [&](node_id type) -> const stored_base_list& {
    auto [it, fresh] = stored_bases.try_emplace(type);
    const symbol* own = fresh ? symbols.find(type) : nullptr;
    if (own && rs.in_round.count(std::string(own->file))) return it->second;
    if (fresh)
      for (auto k : {edge_kind::inherits, edge_kind::implements})
        for (auto cur = v.scan(column::edges, keys::edge_prefix(proj_, type, k)); cur.valid(); cur.next()) {
          auto how = how_of(cur.value());
          if (how != resolution::unresolved && how != resolution::external)
            it->second.bases.push_back(keys::parse_edge_key(cur.key()).second);
          else if (k == edge_kind::inherits)
            it->second.open = true;
        }
    return it->second;
  };
  resolver r(symbols, [&](node_id type) { return stored(type).bases; });
  r.set_open_fn([&](node_id type) { return stored(type).open; });

  auto t1 = std::chrono::steady_clock::now();
  // Pass A: every pending file's bases, so member lookups can walk them in pass B.
  r.set_bases_only(true);
  // The references pass A decodes are kept for pass B (up to a bound on their size: the
  // rest are read again), so each file's are decoded once.
  kept_references kept(pending->size());
  size_t kept_entries = 0;
  std::vector<size_t> callers;  // Python files passing arguments, by index into pending
  for (size_t i = 0; i < pending->size(); ++i) {
    const std::string& path = (*pending)[i].path;
    const symbol* f = symbols.file_node(path);
    if (!f) continue;
    auto refs = load_refs(v, path);
    if (!refs.ok()) return refs.err();
    (void)r.resolve_bases(path, f->lang, *refs);
    bool caller = f->lang == language::python && passes_arguments(*refs);
    size_t entries = refs->imports.size() + refs->refs.size() + refs->bindings.size() + 1;
    if (caller || kept_entries + entries <= max_kept_ref_entries) {
      kept_entries += entries;
      kept[i] = std::move(*refs);
    }
    if (caller) callers.push_back(i);
  }
  r.set_bases_only(false);
  // What each file passes to other files' functions, now that every base is known:
  // those files get it in pass B whether they are resolved before or after it.
  for (size_t i : callers) {
    const std::string& path = (*pending)[i].path;
    preview_outgoing(path, r.preview_outgoing(path, language::python, *kept[i]), rs);
  }
  callers.clear();

  auto t2 = std::chrono::steady_clock::now();
  // Pass B: all edges, in groups of files. The producer resolves the next group while
  // this thread writes the last. It runs on one long-lived thread shared by every
  // graph writer (a thread per resolution left its allocator pages behind).
  group_queue queue;
  struct queue_sink final : group_sink {
    group_queue& q;
    explicit queue_sink(group_queue& q) : q(q) {}
    bool push(write_batch b, std::vector<edge> fresh, size_t done) override {
      return q.push({std::move(b), std::move(fresh), done});
    }
    void finish() override { q.finish(); }
    void fail(error e) override { q.fail(std::move(e)); }
  } sink(queue);
  double t_compute = 0, t_write = 0;
  std::promise<void> produced;
  resolve_producer().post([&] {
    try {
      produce_edge_groups(v, r, *pending, kept, sink, rs, t_compute);
    } catch (const std::exception& e) {
      queue.fail(make_error(errc::internal, std::string("resolution failed: ") + e.what()));
    }
    produced.set_value();
  });
  status written;
  while (auto g = queue.pop()) {
    auto w0 = std::chrono::steady_clock::now();
    for (const auto& e : g->fresh) put_edge(g->batch, e);
    written = store_.write(g->batch);
    t_write += seconds_since(w0);
    if (!written.ok()) break;
    after_write_for_crash_tests();
    if (progress) progress(g->done, pending->size());
  }
  queue.stop();
  produced.get_future().wait();
  if (!written.ok()) return written.err();
  if (auto f = queue.failure()) return *f;
  summary.files = pending->size();
  auto d = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  spdlog::debug("resolve: {} files; symbols {:.3f}s, bases {:.3f}s, edges {:.3f}s (resolve {:.3f}s, write {:.3f}s)",
                pending->size(), d(t0, t1), d(t1, t2), seconds_since(t2), t_compute, t_write);
  if (r.capped())
    spdlog::info(
        "resolve: the value analysis was capped {} times (a value set over 16, a chain deeper than 8 or "
        "a call site over its 2,000 steps: the limits in resolver.hpp); those calls keep fewer targets",
        r.capped());
  return summary;
}

result<std::vector<file_record>> graph_state::manifest() const {
  std::vector<file_record> out;
  auto prefix = keys::meta_tag_prefix(proj_, keys::tag_manifest);
  std::string error;
  auto s = store_.latest().for_each(column::meta, prefix, [&](std::string_view k, std::string_view val) {
    auto rec = decode_file_record(val, keys::meta_path_of(k));
    if (!rec.ok()) {
      error = rec.err().message;
      return false;
    }
    out.push_back(std::move(*rec));
    return true;
  });
  if (!s.ok()) return s.err();
  if (!error.empty()) return make_error(errc::corrupt, error);
  return out;
}

}  // namespace cg
