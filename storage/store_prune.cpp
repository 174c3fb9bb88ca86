// Retention: dropping versions. A kept version reads exactly as before; what a
// dropped version alone needed (its record, its refs, the undo entries no kept
// version reads) goes, in one atomic batch.
//
// Between two kept versions k < k' a key needs one undo entry: its value at k. The
// entries of the dropped versions in (k, k'] collapse into the first of them, stored
// as a delta from the value it had at k' where that is smaller; below the oldest kept
// version no entry is read at all.
#include <map>
#include <set>

#include "storage/store_impl.hpp"
#include "storage/undo_delta.hpp"
#include "storage/version_keys.hpp"

namespace cg {
namespace {

constexpr auto versions_cf = static_cast<size_t>(column::versions);
constexpr size_t undo_key_head = 4 + 1 + 8;  // proj, 'U', version

struct entry {
  uint64_t slot;    // the version whose undo log holds it
  std::string raw;  // 'p' | 'a' | 'd' ...
};

// Every undo entry of the project, per (column, key), oldest first.
using chains = std::map<std::pair<uint8_t, std::string>, std::vector<entry>>;

// The kept versions nearest to `of` along git parents: a kept one stands for itself, a
// dropped one for its own git parents' (recursively; git parents are always older).
std::vector<uint64_t> kept_ancestors(const std::vector<uint64_t>& of, const std::set<uint64_t>& kept,
                                     const std::map<uint64_t, std::vector<uint64_t>>& git_parents_of) {
  std::vector<uint64_t> out;
  std::vector<uint64_t> todo(of.rbegin(), of.rend());
  std::set<uint64_t> seen;
  while (!todo.empty()) {
    uint64_t v = todo.back();
    todo.pop_back();
    if (!seen.insert(v).second) continue;
    if (kept.count(v)) {
      out.push_back(v);
      continue;
    }
    if (auto it = git_parents_of.find(v); it != git_parents_of.end())
      todo.insert(todo.end(), it->second.rbegin(), it->second.rend());
  }
  return out;
}

}  // namespace

result<prune_stats> store::prune_versions(uint32_t proj, const std::set<uint64_t>& keep) {
  if (impl_->read_only) return make_error(errc::invalid_argument, "store opened read-only");
  std::set<uint64_t> wanted = keep;
  for (const auto& [layer, base] : layers())  // a layer's base version stays under it
    if (base.project == proj) wanted.insert(base.version);
  std::unique_lock lock(impl_->versions_mu);
  auto& cap = impl_->capture_of(proj);
  prune_stats out;
  if (!cap.versioned) return out;
  const uint64_t head = cap.head;
  std::set<uint64_t> kept;
  for (auto v : wanted)
    if (v >= 1 && v <= head) kept.insert(v);
  kept.insert(head);  // the newest committed version always stays
  auto all = versions(proj);
  if (!all.ok()) return all.err();
  std::vector<version_record> records = std::move(*all);
  for (const auto& r : records)
    if (!kept.count(r.id)) ++out.versions_dropped;
  if (out.versions_dropped == 0) return out;

  chains by_key;
  {
    auto begin = keys::undo_prefix(proj, 0);
    auto end = keys::prefix_end(keys::version_tag_prefix(proj, keys::tag_undo));
    std::unique_ptr<rocksdb::Iterator> i(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cfs[versions_cf]));
    for (i->Seek(slice(begin)); i->Valid() && view(i->key()) < end; i->Next()) {
      auto k = view(i->key());
      if (k.size() <= undo_key_head) continue;
      auto slot = get_be64(k, 5);
      by_key[{static_cast<uint8_t>(k[undo_key_head]), std::string(k.substr(undo_key_head + 1))}].push_back(
          {slot, std::string(view(i->value()))});
    }
    if (!i->status().ok()) return storage_error(i->status(), "read the undo log");
  }

  // The kept version a slot's entry serves: the last kept version below the slot
  // (entries of slots up to the oldest kept version serve none).
  auto served_by = [&](uint64_t slot) -> uint64_t {
    auto it = kept.lower_bound(slot);  // first kept >= slot
    if (it == kept.begin()) return 0;
    return *std::prev(it);
  };
  rocksdb::WriteBatch wb;
  std::map<uint64_t, uint64_t> changed_of;  // kept version -> keys changed since the kept version before it
  for (auto& [ck, chain] : by_key) {
    const auto& [cf, key] = ck;
    // Every entry's value, from the newest: a delta applies to the value the key had
    // after its slot (the next entry's value, or the newest state).
    std::vector<std::optional<std::string>> value_of(chain.size());
    std::optional<std::string> after;
    for (size_t t = chain.size(); t-- > 0;) {
      if (is_undo_delta(chain[t].raw)) {
        if (t + 1 == chain.size()) {
          std::string now;
          auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cfs[cf % column_count], slice(key), &now);
          if (!s.ok() && !s.IsNotFound()) return storage_error(s, "read a key's newest value");
          if (s.ok()) after = std::move(now);
        }
        auto older = after ? apply_undo_delta(chain[t].raw, *after) : std::nullopt;
        if (!older) return make_error(errc::storage_error, "a version's undo entry does not fit the value after it");
        value_of[t] = std::move(older);
      } else {
        value_of[t] = undo_state(chain[t].raw);
      }
      after = value_of[t];
    }
    // The value after entry u's slot... i.e. the value the group ending before u is
    // measured against: the next entry's value, or the newest state.
    auto value_after = [&](size_t u) -> result<std::optional<std::string>> {
      if (u < chain.size()) return value_of[u];
      std::string now;
      auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cfs[cf % column_count], slice(key), &now);
      if (!s.ok() && !s.IsNotFound()) return storage_error(s, "read a key's newest value");
      return s.ok() ? std::optional<std::string>(std::move(now)) : std::nullopt;
    };
    // Group the entries by the kept version they serve (the open version's entries,
    // past the head, serve the head and stay as they are).
    for (size_t t = 0; t < chain.size();) {
      if (chain[t].slot > head) break;
      const uint64_t serves = served_by(chain[t].slot);
      size_t u = t + 1;
      while (u < chain.size() && chain[u].slot <= head && served_by(chain[u].slot) == serves) ++u;
      auto undo_key = [&](size_t x) { return keys::undo(proj, chain[x].slot, cf, key); };
      if (serves == 0) {  // below the oldest kept version: never read
        for (size_t x = t; x < u; ++x) wb.Delete(impl_->cfs[versions_cf], slice(undo_key(x)));
        out.entries_removed += u - t;
        t = u;
        continue;
      }
      auto base = value_after(u);
      if (!base.ok()) return base.err();
      const auto& old = value_of[t];
      if (old != *base) ++changed_of[*kept.upper_bound(serves)];
      if (u - t > 1) {
        // One entry: the value at `serves`, as a delta from the value after the group.
        std::string raw = undo_full(old);
        if (old && *base) {
          auto d = make_undo_delta(*old, **base);
          if (d.size() + 4 < raw.size()) raw = std::move(d);
        }
        wb.Put(impl_->cfs[versions_cf], slice(undo_key(t)), slice(raw));
        for (size_t x = t + 1; x < u; ++x) wb.Delete(impl_->cfs[versions_cf], slice(undo_key(x)));
        out.entries_removed += u - t - 1;
        ++out.entries_rewritten;
      }
      // A lone entry stays as it is: its delta's base, the next entry's value, holds.
      t = u;
    }
  }

  // Records: dropped ones go; a kept one's parent is the kept version before it, and
  // its git parents the nearest kept ones (a dropped one's own, recursively).
  std::map<uint64_t, std::vector<uint64_t>> git_parents_of;
  for (const auto& r : records) git_parents_of[r.id] = r.git_parents;
  uint64_t parent = 0;
  for (auto& r : records) {
    if (!kept.count(r.id)) {
      wb.Delete(impl_->cfs[versions_cf], slice(keys::version(proj, r.id)));
      continue;
    }
    bool gap_before = r.parent != parent;
    r.parent = parent;
    if (gap_before) r.changed_keys = parent ? changed_of[r.id] : 0;
    auto git_parents = kept_ancestors(r.git_parents, kept, git_parents_of);
    bool git_changed = git_parents != r.git_parents;
    r.git_parents = std::move(git_parents);
    if (gap_before || git_changed)
      wb.Put(impl_->cfs[versions_cf], slice(keys::version(proj, r.id)), slice(encode_version(r)));
    parent = r.id;
  }
  // Refs to dropped versions go with them.
  auto named = refs(proj);
  if (!named.ok()) return named.err();
  for (const auto& [name, v] : *named)
    if (!kept.count(v)) {
      wb.Delete(impl_->cfs[versions_cf], slice(keys::ref(proj, name)));
      ++out.refs_removed;
    }
  auto s = impl_->db->Write(impl_->write_options, &wb);
  if (!s.ok()) return storage_error(s, "prune versions");
  ++impl_->undo_generation;
  impl_->overlays.clear();
  lock.unlock();
  // The space comes back when the deleted entries are compacted away and the log
  // that holds the deletes is flushed.
  if (auto f = flush(); !f.ok()) return f.err();
  auto begin = keys::version_tag_prefix(proj, keys::tag_undo);
  auto end = keys::prefix_end(keys::version_tag_prefix(proj, keys::tag_version));
  rocksdb::Slice b = slice(begin), e = slice(end);
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  if (auto c = impl_->db->CompactRange(co, impl_->cfs[versions_cf], &b, &e); !c.ok())
    return storage_error(c, "compact after pruning");
  return out;
}

}  // namespace cg
