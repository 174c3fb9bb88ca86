// Versions in the store: the undo log each write of a versioned project adds, and
// reads at a version (a snapshot with the later versions' undo logs laid over it).
#include <algorithm>
#include <cstdlib>
#include <set>

#include "schema/bytes.hpp"
#include "storage/store_impl.hpp"
#include "storage/undo_delta.hpp"
#include "storage/version_keys.hpp"

namespace cg {
namespace {

constexpr auto versions_cf = static_cast<size_t>(column::versions);
constexpr size_t undo_key_head = 4 + 1 + 8;  // proj, 'U', version
constexpr size_t overlays_kept = 4;

// redges mirrors edges key for key with the same values (graph_state writes both in
// one batch), so only edges' earlier values are kept; a version's redges are derived.
bool captured_column(uint8_t cf) {
  return cf < static_cast<uint8_t>(column::versions) && cf != static_cast<uint8_t>(column::redges);
}
constexpr auto edges_cf = static_cast<uint8_t>(column::edges), redges_cf = static_cast<uint8_t>(column::redges);

// Of meta's project keys, versions keep what reads answer from (file records,
// counters) and what resolution starts from (each file's references and the argument
// lists between files), so that a state can be put back as a version had it (a
// branch indexed from its nearest indexed ancestor); pending marks (none once a
// version is committed) and the change log (the search index's, which only moves
// forward) are only ever read at the newest state.
bool versioned_meta(std::string_view key) {
  if (key.size() <= 4) return true;
  switch (key[4]) {
    case keys::tag_changed:
    case keys::tag_pending: return false;
    default: return true;
  }
}

std::string undo_value(const rocksdb::PinnableSlice* v) {
  std::string out(1, v ? 'p' : 'a');
  if (v) out.append(v->data(), v->size());
  return out;
}

// A write that leaves the key as it was (the same value put again, an absent key
// deleted) changes nothing a version must keep.
bool unchanged_by(uint8_t type, std::string_view value, const rocksdb::PinnableSlice* now) {
  if (type != 0) return now == nullptr;
  return now && view(*now) == value;
}

}  // namespace

version_capture& store::impl::capture_of(uint32_t proj) {
  auto [it, fresh] = captures.try_emplace(proj);
  auto& cap = it->second;
  if (!fresh) return cap;
  // The last committed version: the last version record.
  auto prefix = keys::version_tag_prefix(proj, keys::tag_version);
  auto end = keys::prefix_end(prefix);
  std::unique_ptr<rocksdb::Iterator> i(db->NewIterator(rocksdb::ReadOptions(), cfs[versions_cf]));
  i->SeekForPrev(slice(end));
  if (i->Valid() && view(i->key()) == end) i->Prev();
  if (i->Valid() && view(i->key()).starts_with(prefix) && i->key().size() == prefix.size() + 8) {
    cap.versioned = true;
    cap.head = get_be64(view(i->key()), prefix.size());
  }
  if (!cap.versioned) return cap;
  // What the open version holds already (written before a restart).
  auto undo = keys::undo_prefix(proj, cap.head + 1);
  for (i->Seek(slice(undo)); i->Valid() && view(i->key()).starts_with(undo); i->Next()) {
    auto k = view(i->key()).substr(undo.size());
    if (k.empty()) continue;
    cap.seen[static_cast<uint8_t>(k[0]) % column_count].emplace(k.substr(1));
    ++cap.captured;
  }
  cap.inherited = cap.captured > 0;
  return cap;
}

status store::impl::add_undo(const std::vector<write_batch::impl::op>& ops,
                             const std::unordered_map<std::string, int64_t>& deltas, rocksdb::WriteBatch& wb) {
  struct wanted {
    std::string_view key;
    uint32_t proj;
    uint64_t version;
    const write_batch::impl::op* last;  // the batch's final op on the key; null: a counter
  };
  std::array<std::vector<wanted>, column_count> need;
  uint32_t last_proj = 0;
  version_capture* cap = nullptr;
  auto consider = [&](uint8_t cf, std::string_view key, const write_batch::impl::op* last) {
    if (!captured_column(cf) || key.size() < 4) return;
    uint32_t proj = get_be32(key);
    if (proj == 0) return;  // the store's own keys (project names, schema)
    if (cf == static_cast<uint8_t>(column::meta) && !versioned_meta(key)) return;
    if (proj != last_proj || !cap) {
      last_proj = proj;
      cap = &capture_of(proj);
    }
    if (!cap->versioned || cap->seen[cf].contains(key)) return;
    need[cf].push_back({key, proj, cap->head + 1, last});
  };
  // Ops come sorted by column and key, a key's ops in their order: the last one stays.
  for (size_t i = 0; i < ops.size(); ++i)
    if (i + 1 == ops.size() || ops[i + 1].cf != ops[i].cf || ops[i + 1].key != ops[i].key)
      consider(ops[i].cf, ops[i].key, &ops[i]);
  for (const auto& [key, delta] : deltas)
    if (delta != 0) consider(static_cast<uint8_t>(column::meta), key, nullptr);
  size_t added = 0;
  for (size_t cf = 0; cf < column_count; ++cf) {
    if (need[cf].empty()) continue;
    std::vector<rocksdb::Slice> ks;
    ks.reserve(need[cf].size());
    for (const auto& w : need[cf]) ks.push_back(slice(w.key));
    std::vector<rocksdb::PinnableSlice> values(ks.size());
    std::vector<rocksdb::Status> statuses(ks.size());
    db->MultiGet(rocksdb::ReadOptions(), cfs[cf], ks.size(), ks.data(), values.data(), statuses.data());
    for (size_t i = 0; i < ks.size(); ++i) {
      if (!statuses[i].ok() && !statuses[i].IsNotFound()) {
        captures.clear();  // reloaded from the store on the next write
        return storage_error(statuses[i], "read the values a version replaces");
      }
      const auto& w = need[cf][i];
      if (w.last && unchanged_by(w.last->type, w.last->value, statuses[i].ok() ? &values[i] : nullptr)) continue;
      auto st = wb.Put(cfs[versions_cf], slice(keys::undo(w.proj, w.version, static_cast<uint8_t>(cf), w.key)),
                       slice(undo_value(statuses[i].ok() ? &values[i] : nullptr)));
      if (!st.ok()) return storage_error(st, "batch");
      auto& c = captures[w.proj];
      c.seen[cf].emplace(w.key);
      ++c.captured;
      ++added;
    }
  }
  if (added) ++undo_generation;
  return {};
}

result<uint64_t> store::commit_version(uint32_t proj, version_record rec) {
  if (impl_->read_only) return make_error(errc::invalid_argument, "store opened read-only");
  std::lock_guard lock(impl_->versions_mu);
  auto& cap = impl_->capture_of(proj);
  const uint64_t id = cap.versioned ? cap.head + 1 : 1;
  uint64_t changed = 0;
  rocksdb::WriteBatch wb;
  if (cap.versioned) {
    // A key written back to the value it had is no change: a version only when some
    // key now differs from its value at the last version.
    auto undo = keys::undo_prefix(proj, id);
    std::unique_ptr<rocksdb::Iterator> i(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cfs[versions_cf]));
    std::string now;
    for (i->Seek(slice(undo)); i->Valid() && view(i->key()).starts_with(undo); i->Next()) {
      auto k = view(i->key()).substr(undo.size());
      if (k.empty()) continue;
      auto cf = static_cast<uint8_t>(k[0]) % column_count;
      auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cfs[cf], slice(k.substr(1)), &now);
      if (!s.ok() && !s.IsNotFound()) return storage_error(s, "compare a version's keys");
      auto then = undo_state(view(i->value()));
      bool same = s.IsNotFound() ? !then : (then && *then == now);
      if (!same) {
        ++changed;
        // Kept as its difference from the value this version gives it, when smaller.
        if (then && s.ok()) {
          auto delta = make_undo_delta(*then, now);
          if (delta.size() + 4 < i->value().size())
            if (auto p = wb.Put(impl_->cfs[versions_cf], i->key(), slice(delta)); !p.ok())
              return storage_error(p, "batch");
        }
        continue;
      }
      // Written and written back: the key reads the same at both versions, and a
      // read at an older one finds its value further up the log or in the newest state.
      if (auto d = wb.Delete(impl_->cfs[versions_cf], i->key()); !d.ok()) return storage_error(d, "batch");
    }
    if (!i->status().ok()) return storage_error(i->status(), "scan a version's keys");
    if (changed == 0) {
      // Nothing to keep: the open version starts over, empty.
      if (cap.captured) {
        auto s = impl_->db->DeleteRange(impl_->write_options, impl_->cfs[versions_cf], slice(undo),
                                        slice(keys::prefix_end(undo)));
        if (!s.ok()) return storage_error(s, "discard an empty version");
        for (auto& seen : cap.seen) seen.clear();
        cap.captured = 0;
        ++impl_->undo_generation;
      }
      cap.inherited = false;
      return uint64_t{0};
    }
  }
  rec.id = id;
  rec.parent = cap.versioned ? cap.head : 0;
  rec.changed_keys = changed;
  rec.resolver_state = !cap.inherited;
  auto st = wb.Put(impl_->cfs[versions_cf], slice(keys::version(proj, id)), slice(encode_version(rec)));
  if (!st.ok()) return storage_error(st, "batch");
  auto s = impl_->db->Write(impl_->write_options, &wb);
  if (!s.ok()) return storage_error(s, "commit a version");
  cap.versioned = true;
  cap.head = id;
  for (auto& seen : cap.seen) seen.clear();
  cap.captured = 0;
  cap.inherited = false;
  ++impl_->undo_generation;
  return id;
}

result<bool> store::resolver_state_since(uint32_t proj, uint64_t version) const {
  auto all = versions(proj);
  if (!all.ok()) return all.err();
  for (const auto& r : *all)
    if (r.id > version && !r.resolver_state) return false;
  std::lock_guard lock(impl_->versions_mu);
  return !impl_->capture_of(proj).inherited;
}

result<std::vector<version_record>> store::versions(uint32_t proj) const {
  std::vector<version_record> out;
  std::string error;
  auto st = latest().for_each(column::versions, keys::version_tag_prefix(proj, keys::tag_version),
                              [&](std::string_view, std::string_view v) {
                                auto rec = decode_version(v);
                                if (!rec.ok()) {
                                  error = rec.err().message;
                                  return false;
                                }
                                out.push_back(std::move(*rec));
                                return true;
                              });
  if (!st.ok()) return st.err();
  if (!error.empty()) return make_error(errc::storage_error, error);
  return out;
}

result<version_record> store::version(uint32_t proj, uint64_t id) const {
  auto raw = latest().get(column::versions, keys::version(proj, id));
  if (!raw.ok()) return raw.err();
  if (!raw->has_value()) return make_error(errc::not_found, "no version " + std::to_string(id));
  return decode_version(**raw);
}

result<uint64_t> store::head_version(uint32_t proj) const {
  std::lock_guard lock(impl_->versions_mu);
  auto& cap = impl_->capture_of(proj);
  return cap.versioned ? cap.head : uint64_t{0};
}

// A key's undo entries from the oldest on, as the value it had before the first:
// deltas apply from the first full entry after them (or the newest state) backwards.
result<std::optional<std::string>> store::impl::resolve_undo_chain(const std::vector<std::string>& chain,
                                                                   std::string_view key, size_t cf,
                                                                   const rocksdb::ReadOptions& ro) const {
  size_t full = 0;
  while (full < chain.size() && is_undo_delta(chain[full])) ++full;
  if (full == 0) return undo_state(chain[0]);
  std::optional<std::string> value;
  if (full < chain.size()) {
    value = undo_state(chain[full]);
  } else {
    std::string now;
    auto s = db->Get(ro, cfs[cf], slice(key), &now);
    if (!s.ok() && !s.IsNotFound()) return storage_error(s, "read a version");
    if (s.ok()) value = std::move(now);
  }
  for (size_t j = full; j-- > 0;) {
    auto older = value ? apply_undo_delta(chain[j], *value) : std::nullopt;
    if (!older) return make_error(errc::storage_error, "a version's undo entry does not fit the value after it");
    value = std::move(older);
  }
  return value;
}

result<read_view> store::as_of(uint32_t proj, uint64_t version) const {
  auto v = std::make_shared<read_view::impl>();
  v->s = impl_.get();
  uint64_t generation = 0;
  {
    // Under the lock no write is in flight: the snapshot and the generation agree.
    std::lock_guard lock(impl_->versions_mu);
    auto& cap = impl_->capture_of(proj);
    if (!cap.versioned || version == 0 || version > cap.head)
      return make_error(errc::not_found, cap.versioned
                                             ? "no version " + std::to_string(version) +
                                                   " (this project has versions 1 to " + std::to_string(cap.head) + ")"
                                             : "this project has no versions yet");
    v->snap = impl_->db->GetSnapshot();
    generation = impl_->undo_generation;
    for (const auto& c : impl_->overlays)
      if (c.proj == proj && c.version == version && c.generation == generation) v->overlay = c.overlay;
  }
  if (v->overlay) return read_view(std::move(v));
  // A version in range may have been pruned (store_prune.cpp): its record is gone.
  if (auto rec = this->version(proj, version); !rec.ok()) {
    impl_->db->ReleaseSnapshot(v->snap);
    v->snap = nullptr;
    if (rec.err().code == errc::not_found)
      return make_error(errc::not_found, "version " + std::to_string(version) + " was pruned");
    return rec.err();
  }
  auto ov = std::make_shared<view_overlay>();
  rocksdb::ReadOptions ro;
  ro.snapshot = v->snap;
  auto end = keys::prefix_end(keys::version_tag_prefix(proj, keys::tag_undo));
  rocksdb::Slice upper = slice(end);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> i(impl_->db->NewIterator(ro, impl_->cfs[versions_cf]));
  // In version order: a key's first entry is its value at `version`; an entry kept as
  // a delta needs the value the key had next, from the key's later entries or, after
  // its last one, from the newest state.
  std::array<std::map<std::string, std::vector<std::string>, std::less<>>, column_count> entries;
  for (i->Seek(slice(keys::undo_prefix(proj, version + 1))); i->Valid(); i->Next()) {
    auto k = view(i->key());
    if (k.size() <= undo_key_head) continue;
    auto cf = static_cast<uint8_t>(k[undo_key_head]) % column_count;
    auto [at, fresh] = entries[cf].try_emplace(std::string(k.substr(undo_key_head + 1)));
    auto& chain = at->second;
    if (fresh || is_undo_delta(chain.back())) chain.emplace_back(view(i->value()));
  }
  auto st = i->status().ok() ? status{} : storage_error(i->status(), "read a version");
  rocksdb::ReadOptions at_snapshot;
  at_snapshot.snapshot = v->snap;
  for (size_t cf = 0; cf < column_count && st.ok(); ++cf)
    for (auto& [key, chain] : entries[cf]) {
      auto state = impl_->resolve_undo_chain(chain, key, cf, at_snapshot);
      if (!state.ok()) {
        st = state.err();
        break;
      }
      if (cf == edges_cf)
        if (auto m = keys::mirror_edge_key(key); !m.empty()) ov->cols[redges_cf].try_emplace(std::move(m), *state);
      ov->cols[cf].try_emplace(key, std::move(*state));
    }
  if (!st.ok()) {
    impl_->db->ReleaseSnapshot(v->snap);
    v->snap = nullptr;
    return st.err();
  }
  v->overlay = ov;
  {
    std::lock_guard lock(impl_->versions_mu);
    impl_->overlays.push_back({proj, version, generation, ov});
    if (impl_->overlays.size() > overlays_kept) impl_->overlays.erase(impl_->overlays.begin());
  }
  return read_view(std::move(v));
}

result<std::vector<store::key_change>> store::key_history(uint32_t proj, column c, std::string_view key) const {
  const auto cf = static_cast<uint8_t>(c);
  if (!captured_column(cf)) return make_error(errc::invalid_argument, "no history is kept for this column");
  uint64_t head = 0;
  const rocksdb::Snapshot* snap = nullptr;
  {
    std::lock_guard lock(impl_->versions_mu);
    auto& cap = impl_->capture_of(proj);
    if (!cap.versioned) return std::vector<key_change>{};
    head = cap.head;
    snap = impl_->db->GetSnapshot();
  }
  struct release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~release() { db->ReleaseSnapshot(s); }
  } released{impl_->db, snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  // One point read per version (bloom filters make the misses cheap), and the newest value.
  std::vector<std::string> undo_keys;
  undo_keys.reserve(head + 1);
  for (uint64_t v = 1; v <= head + 1; ++v) undo_keys.push_back(keys::undo(proj, v, cf, key));
  std::vector<rocksdb::Slice> ks(undo_keys.begin(), undo_keys.end());
  std::vector<rocksdb::PinnableSlice> values(ks.size());
  std::vector<rocksdb::Status> statuses(ks.size());
  impl_->db->MultiGet(ro, impl_->cfs[versions_cf], ks.size(), ks.data(), values.data(), statuses.data());
  std::vector<uint64_t> slots;
  std::vector<std::string> chain;
  for (size_t i = 0; i < ks.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return storage_error(statuses[i], "read a key's history");
    slots.push_back(i + 1);
    chain.emplace_back(view(values[i]));
  }
  std::vector<key_change> out(chain.size());
  std::optional<std::string> after;
  {
    std::string now;
    auto s = impl_->db->Get(ro, impl_->cfs[cf], slice(key), &now);
    if (!s.ok() && !s.IsNotFound()) return storage_error(s, "read a key's history");
    if (s.ok()) after = std::move(now);
  }
  for (size_t t = chain.size(); t-- > 0;) {
    out[t].version = slots[t];
    if (is_undo_delta(chain[t])) {
      auto older = after ? apply_undo_delta(chain[t], *after) : std::nullopt;
      if (!older) return make_error(errc::storage_error, "a version's undo entry does not fit the value after it");
      out[t].before = std::move(older);
    } else {
      out[t].before = undo_state(chain[t]);
    }
    after = out[t].before;
  }
  return out;
}

result<std::array<std::vector<std::string>, column_count>> store::changed_since(uint32_t proj, uint64_t version,
                                                                                uint64_t through) const {
  std::array<std::set<std::string>, column_count> keys_of;
  // A pruned run's entries sit in its first dropped version's log, below the kept
  // version that ends it: bounding by slot keeps them.
  auto end =
      through ? keys::undo_prefix(proj, through + 1) : keys::prefix_end(keys::version_tag_prefix(proj, keys::tag_undo));
  auto cur = latest().scan_from(column::versions, keys::undo_prefix(proj, version + 1), end);
  for (; cur.valid(); cur.next()) {
    auto k = cur.key();
    if (k.size() <= undo_key_head) continue;
    auto cf = static_cast<uint8_t>(k[undo_key_head]) % column_count;
    auto key = k.substr(undo_key_head + 1);
    if (cf == edges_cf)
      if (auto m = keys::mirror_edge_key(key); !m.empty()) keys_of[redges_cf].emplace(std::move(m));
    keys_of[cf].emplace(key);
  }
  if (auto s = cur.status_of(); !s.ok()) return s.err();
  std::array<std::vector<std::string>, column_count> out;
  for (size_t c = 0; c < column_count; ++c) out[c].assign(keys_of[c].begin(), keys_of[c].end());
  return out;
}

status store::set_ref(uint32_t proj, std::string_view name, uint64_t version) {
  if (impl_->read_only) return make_error(errc::invalid_argument, "store opened read-only");
  if (name.empty()) return make_error(errc::invalid_argument, "a ref needs a name");
  auto s = impl_->db->Put(impl_->write_options, impl_->cfs[versions_cf], slice(keys::ref(proj, name)),
                          std::to_string(version));
  if (!s.ok()) return storage_error(s, "write a ref");
  return {};
}

status store::delete_ref(uint32_t proj, std::string_view name) {
  if (impl_->read_only) return make_error(errc::invalid_argument, "store opened read-only");
  auto s = impl_->db->Delete(impl_->write_options, impl_->cfs[versions_cf], slice(keys::ref(proj, name)));
  if (!s.ok()) return storage_error(s, "delete a ref");
  return {};
}

result<uint64_t> store::ref(uint32_t proj, std::string_view name) const {
  auto raw = latest().get(column::versions, keys::ref(proj, name));
  if (!raw.ok()) return raw.err();
  if (!raw->has_value()) return uint64_t{0};
  return std::strtoull((*raw)->c_str(), nullptr, 10);
}

result<std::vector<std::pair<std::string, uint64_t>>> store::refs(uint32_t proj, std::string_view prefix) const {
  std::vector<std::pair<std::string, uint64_t>> out;
  auto base = keys::ref(proj, "");
  auto st = latest().for_each(column::versions, keys::ref(proj, prefix), [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k.substr(base.size())), std::strtoull(std::string(v).c_str(), nullptr, 10));
    return true;
  });
  if (!st.ok()) return st.err();
  return out;
}

}  // namespace cg
