// Putting a project's graph back as an older version had it (graph_state::rewind_to),
// so that a git commit is indexed from its nearest indexed ancestor: the run then
// parses only what the commit changed since that ancestor, not what other branches
// changed since.
#include <algorithm>

#include "actors/graph/counters.hpp"
#include "actors/graph/graph_state.hpp"
#include "actors/graph/symbol_table.hpp"
#include "storage/keys.hpp"

namespace cg {

namespace cn = counter_names;

result<size_t> graph_state::rewind_to(uint64_t version) {
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
        if (c == column::meta && key.size() > 5 && key[4] == keys::tag_manifest)
          b.put(column::meta, keys::changed(proj_, std::string_view(key).substr(5)), serial);
      }
    }
  }
  if (!rewritten) return size_t{0};
  b.add(serial_key, 1);
  // One batch: a crash leaves the state as it was or as the version had it.
  if (auto s = store_.write(b); !s.ok()) return s.err();
  symbols_.reset();  // loaded again by the next resolution
  return rewritten;
}

}  // namespace cg
