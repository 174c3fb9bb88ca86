// Versions in the store: the undo log each write of a versioned project adds, and
// reads at a version (a snapshot with the later versions' undo logs laid over it).
#include <algorithm>
#include <cstdlib>
#include <set>

#include "schema/bytes.hpp"
#include "storage/store_impl.hpp"
#include "storage/version_keys.hpp"

namespace cg {
namespace {

constexpr auto versions_cf = static_cast<size_t>(column::versions);
constexpr size_t undo_key_head = 4 + 1 + 8;  // proj, 'U', version
constexpr size_t overlays_kept = 4;

bool captured_column(uint8_t cf) { return cf < static_cast<uint8_t>(column::versions); }

std::string undo_value(const rocksdb::PinnableSlice* v) {
  std::string out(1, v ? 'p' : 'a');
  if (v) out.append(v->data(), v->size());
  return out;
}

std::optional<std::string> undo_state(std::string_view raw) {
  if (raw.empty() || raw[0] != 'p') return std::nullopt;
  return std::string(raw.substr(1));
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
  return cap;
}

status store::impl::add_undo(const std::vector<write_batch::impl::op>& ops,
                             const std::unordered_map<std::string, int64_t>& deltas, rocksdb::WriteBatch& wb) {
  struct wanted {
    std::string_view key;
    uint32_t proj;
    uint64_t version;
  };
  std::array<std::vector<wanted>, column_count> need;
  uint32_t last = 0;
  version_capture* cap = nullptr;
  auto consider = [&](uint8_t cf, std::string_view key) {
    if (!captured_column(cf) || key.size() < 4) return;
    uint32_t proj = get_be32(key);
    if (proj == 0) return;  // the store's own keys (project names, schema)
    if (cf == static_cast<uint8_t>(column::meta) && key.size() > 4 && key[4] == keys::tag_changed) return;
    if (proj != last || !cap) {
      last = proj;
      cap = &capture_of(proj);
    }
    if (!cap->versioned || !cap->seen[cf].emplace(key).second) return;
    need[cf].push_back({key, proj, cap->head + 1});
  };
  for (const auto& op : ops) consider(op.cf, op.key);
  for (const auto& [key, delta] : deltas)
    if (delta != 0) consider(static_cast<uint8_t>(column::meta), key);
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
      auto st = wb.Put(cfs[versions_cf], slice(keys::undo(w.proj, w.version, static_cast<uint8_t>(cf), w.key)),
                       slice(undo_value(statuses[i].ok() ? &values[i] : nullptr)));
      if (!st.ok()) return storage_error(st, "batch");
      ++captures[w.proj].captured;
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
      if (!same) ++changed;
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
      return uint64_t{0};
    }
  }
  rec.id = id;
  rec.parent = cap.versioned ? cap.head : 0;
  rec.changed_keys = changed;
  auto st = wb.Put(impl_->cfs[versions_cf], slice(keys::version(proj, id)), slice(encode_version(rec)));
  if (!st.ok()) return storage_error(st, "batch");
  auto s = impl_->db->Write(impl_->write_options, &wb);
  if (!s.ok()) return storage_error(s, "commit a version");
  cap.versioned = true;
  cap.head = id;
  for (auto& seen : cap.seen) seen.clear();
  cap.captured = 0;
  ++impl_->undo_generation;
  return id;
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
  auto ov = std::make_shared<view_overlay>();
  rocksdb::ReadOptions ro;
  ro.snapshot = v->snap;
  auto end = keys::prefix_end(keys::version_tag_prefix(proj, keys::tag_undo));
  rocksdb::Slice upper = slice(end);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> i(impl_->db->NewIterator(ro, impl_->cfs[versions_cf]));
  // In version order: the first entry of a key is its value at `version`.
  for (i->Seek(slice(keys::undo_prefix(proj, version + 1))); i->Valid(); i->Next()) {
    auto k = view(i->key());
    if (k.size() <= undo_key_head) continue;
    auto cf = static_cast<uint8_t>(k[undo_key_head]) % column_count;
    ov->cols[cf].try_emplace(std::string(k.substr(undo_key_head + 1)), undo_state(view(i->value())));
  }
  if (!i->status().ok()) {
    impl_->db->ReleaseSnapshot(v->snap);
    v->snap = nullptr;
    return storage_error(i->status(), "read a version");
  }
  v->overlay = ov;
  {
    std::lock_guard lock(impl_->versions_mu);
    impl_->overlays.push_back({proj, version, generation, ov});
    if (impl_->overlays.size() > overlays_kept) impl_->overlays.erase(impl_->overlays.begin());
  }
  return read_view(std::move(v));
}

result<std::array<std::vector<std::string>, column_count>> store::changed_since(uint32_t proj, uint64_t version) const {
  std::array<std::set<std::string>, column_count> keys_of;
  auto end = keys::prefix_end(keys::version_tag_prefix(proj, keys::tag_undo));
  auto cur = latest().scan_from(column::versions, keys::undo_prefix(proj, version + 1), end);
  for (; cur.valid(); cur.next()) {
    auto k = cur.key();
    if (k.size() <= undo_key_head) continue;
    keys_of[static_cast<uint8_t>(k[undo_key_head]) % column_count].emplace(k.substr(undo_key_head + 1));
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
