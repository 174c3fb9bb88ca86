// Putting a project's graph back as an older version had it (graph_state::rewind_to),
// so that a git commit is indexed from its nearest indexed ancestor: the run then
// parses only what the commit changed since that ancestor, not what other branches
// changed since.
#include <algorithm>
#include <map>

#include "actors/graph/counters.hpp"
#include "actors/graph/graph_state.hpp"
#include "actors/graph/symbol_table.hpp"
#include "schema/codec.hpp"
#include "storage/keys.hpp"

namespace cg {

namespace cn = counter_names;

result<graph_state::rewind_outcome> graph_state::rewind_to(uint64_t version) {
  // What awaits resolution first: the state is then a whole one, as every version's.
  if (auto r = resolve_pending({}); !r.ok()) return r.err();
  auto head = store_.head_version(proj_);
  if (!head.ok()) return head.err();
  if (version == 0 || version > *head)
    return make_error(errc::invalid_argument, "no version " + std::to_string(version) + " to go back to");
  auto whole = store_.resolver_state_since(proj_, version);
  if (!whole.ok()) return whole.err();
  if (!*whole)
    return make_error(errc::unsupported, "versions after " + std::to_string(version) +
                                             " were committed without the resolver's state (an older store)");
  auto then = store_.as_of(proj_, version);
  if (!then.ok()) return then.err();
  // Only keys a later version (the open one included) touched can differ from then.
  auto touched = store_.changed_since(proj_, version);
  if (!touched.ok()) return touched.err();
  auto now = store_.latest();
  // The change serial only moves forward (the search index syncs by it): every file
  // whose record goes back is logged as changed under a new serial.
  const std::string serial_key = keys::counter(proj_, cn::change_serial());
  const std::string serial = std::to_string(now.counter(serial_key) + 1);
  auto b = store_.batch();
  size_t rewritten = 0;
  std::map<std::string, file_change> files;  // by path
  auto file_of = [&](const std::string& path) -> file_change& {
    auto& f = files[path];
    f.path = path;
    if (f.kind == file_change::what::unchanged) f.kind = file_change::what::changed;
    return f;
  };
  // A definition put back: it comes back, goes, or reads as it did.
  auto note_node = [&](const std::string& key, const std::optional<std::string>& was,
                       const std::optional<std::string>& is) {
    const node_id id = keys::node_id_of(key);
    auto n = decode_node(was ? *was : *is, id);
    if (!n.ok()) return;
    auto& f = file_of(n->file);
    (was && is ? f.updated : was ? f.created : f.deleted).push_back(id);
  };
  for (column c : {column::nodes, column::edges, column::redges, column::idx, column::meta}) {
    const auto& all = (*touched)[static_cast<size_t>(c)];
    for (size_t from = 0; from < all.size(); from += 1024) {
      std::vector<std::string> piece(all.begin() + static_cast<std::ptrdiff_t>(from),
                                     all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), from + 1024)));
      auto was = then->multi_get(c, piece);
      if (!was.ok()) return was.err();
      auto is = now.multi_get(c, piece);
      if (!is.ok()) return is.err();
      for (size_t i = 0; i < piece.size(); ++i) {
        const std::string& key = piece[i];
        if ((*was)[i] == (*is)[i] || (c == column::meta && key == serial_key)) continue;
        ++rewritten;
        if ((*was)[i])
          b.put(c, key, *(*was)[i]);
        else
          b.del(c, key);
        if (c == column::nodes) note_node(key, (*was)[i], (*is)[i]);
        if (c == column::meta && key.size() > 5 && key[4] == keys::tag_manifest) {
          const std::string path = key.substr(5);
          b.put(column::meta, keys::changed(proj_, path), serial);
          auto& f = file_of(path);
          if (!(*is)[i]) f.kind = file_change::what::added;
          if (!(*was)[i]) f.kind = file_change::what::removed;
        }
      }
    }
  }
  rewind_outcome out;
  if (!rewritten) return out;
  b.add(serial_key, 1);
  // One batch: a crash leaves the state as it was or as the version had it.
  if (auto s = store_.write(b); !s.ok()) return s.err();
  symbols_.reset();  // loaded again by the next resolution
  out.keys = rewritten;
  for (auto& [path, f] : files) out.files.push_back(std::move(f));
  return out;
}

}  // namespace cg
