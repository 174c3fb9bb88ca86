#pragma once
// The store's insides, shared by store.cpp and store_versions.cpp (not a public
// header: RocksDB stays behind storage/store.hpp).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/store.hpp"

namespace cg {

inline rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view view(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

inline error storage_error(const rocksdb::Status& s, std::string_view what) {
  return make_error(errc::storage_error, std::string(what) + ": " + s.ToString());
}

inline int64_t decode_i64(const rocksdb::Slice& s) {
  if (s.size() != 8) return 0;
  uint64_t v;
  std::memcpy(&v, s.data(), 8);
  return static_cast<int64_t>(v);
}

inline std::string encode_i64(int64_t v) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &v, 8);
  return s;
}

struct write_batch::impl {
  // Operations are buffered and sorted by (column family, key) before they reach
  // RocksDB: the memtable skiplist then inserts in order, reusing its last splice,
  // instead of a cache-missing descent per key. The sort is stable, so operations
  // on the same key keep their order (a delete then a put stays a put).
  struct op {
    uint8_t cf;
    uint8_t type;  // 0 put, 1 delete
    std::string key, value;
  };
  std::vector<op> ops;
  const std::array<rocksdb::ColumnFamilyHandle*, column_count>* cfs = nullptr;
  size_t bytes = 0;
  // Counter deltas are summed here and written as one merge per counter.
  std::unordered_map<std::string, int64_t> deltas;
};

// A version's view of a project: per column, key -> value as it was (nullopt: the
// key did not exist), laid over the newest state (store::as_of).
struct view_overlay {
  std::array<std::map<std::string, std::optional<std::string>, std::less<>>, column_count> cols;
  size_t size() const {
    size_t n = 0;
    for (const auto& c : cols) n += c.size();
    return n;
  }
};

// Per versioned project: the open version (the last committed + 1) and the keys whose
// earlier value it already holds (store_versions.cpp).
struct version_capture {
  bool versioned = false;
  uint64_t head = 0;  // the last committed version
  struct key_hash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  std::array<std::unordered_set<std::string, key_hash, std::equal_to<>>, column_count> seen;
  size_t captured = 0;
  // The open version held entries when this process first looked (written before a
  // restart, perhaps by a binary that kept no resolver state): not known to keep it.
  bool inherited = false;
};

struct store::impl {
  std::string dir;
  bool read_only = false;
  rocksdb::DB* db = nullptr;
  std::array<rocksdb::ColumnFamilyHandle*, column_count> cfs{};
  rocksdb::ColumnFamilyHandle* default_cf = nullptr;
  rocksdb::WriteOptions write_options;
  // Project name -> id, as read from column::meta (every request naming a project asks).
  // Only ensure_project and drop_project change the mapping; a drop bumps the
  // generation, and a lookup that read the store under an older one does not cache.
  std::shared_mutex ids_mu;
  std::unordered_map<std::string, uint32_t> ids;
  uint64_t ids_gen = 0;

  // Flushes the memtables when they hold more than above_bytes; wait: until the tables
  // are written, else in RocksDB's background threads.
  void flush_if_large(bool wait, uint64_t above_bytes = uint64_t{4} << 20) {
    uint64_t pending = 0, v = 0;
    for (auto* h : cfs)
      if (h && db->GetIntProperty(h, "rocksdb.cur-size-all-mem-tables", &v)) pending += v;
    if (pending <= above_bytes) return;
    std::vector<rocksdb::ColumnFamilyHandle*> all;
    for (auto* h : cfs)
      if (h) all.push_back(h);
    rocksdb::FlushOptions fo;
    fo.wait = wait;
    db->Flush(fo, all);
  }

  // The journal of written keys (store.hpp): entries per write while readers hold it.
  struct journal_state {
    static constexpr size_t max_keys = size_t{1} << 20;
    struct entry {
      uint64_t position = 0;
      std::vector<std::pair<column, std::string>> keys;
    };
    std::mutex mu;
    int readers = 0;
    uint64_t position = 0;  // writes so far
    uint64_t first = 0;     // the entries hold every write after this position
    std::deque<entry> entries;
    size_t keys = 0;
  } journal;
  void journal_write(const std::vector<write_batch::impl::op>& ops);
  void journal_gap();

  // Versions (store_versions.cpp): capture state per project, loaded on first use,
  // and the overlays of recent as_of reads (valid while no undo entry was written).
  std::mutex versions_mu;
  std::unordered_map<uint32_t, version_capture> captures;
  uint64_t undo_generation = 0;
  struct cached_overlay {
    uint32_t proj;
    uint64_t version, generation;
    std::shared_ptr<const view_overlay> overlay;
  };
  std::vector<cached_overlay> overlays;        // newest last, a few
  version_capture& capture_of(uint32_t proj);  // under versions_mu
  result<std::optional<std::string>> resolve_undo_chain(const std::vector<std::string>& chain, std::string_view key,
                                                        size_t cf, const rocksdb::ReadOptions& ro) const;
  status add_undo(const std::vector<write_batch::impl::op>& ops, const std::unordered_map<std::string, int64_t>& deltas,
                  rocksdb::WriteBatch& wb);

  // Layers (store_layers.cpp): each layered project's base and, made on its first
  // read, a view of the base at that version. A committed version reads the same from
  // any later snapshot, so the view stays right; it is made again after a while only
  // so that its snapshot does not keep what compactions would drop (as_of reuses its
  // overlay while the base wrote no undo entry).
  struct layer_link {
    store::layer_base base;
    std::shared_ptr<const read_view::impl> view;
    std::chrono::steady_clock::time_point made{};
  };
  static constexpr std::chrono::seconds layer_view_life{30};
  mutable std::shared_mutex layers_mu;
  mutable std::unordered_map<uint32_t, layer_link> layers;
  std::atomic<bool> any_layers{false};
  const store* owner = nullptr;  // for the base views (store::as_of)
  void load_layers();
  // The base under a key of a layered project (a column the layer covers), else null.
  struct layer_hit {
    uint32_t base = 0;
    std::shared_ptr<const read_view::impl> view;
  };
  result<std::optional<layer_hit>> layer_under(size_t cf, std::string_view key) const;
  // A layer's puts and deletes become puts of tagged values ('p' + value, 'a').
  void tag_layer_writes(std::vector<write_batch::impl::op>& ops) const;

  ~impl() {
    layers.clear();  // their base views hold snapshots of db
    if (db) {
      // What the memtables hold lives only in the WAL: every later open (each CLI
      // query, a read-only one included) would replay it, ~0.5 s for a 300K-LOC first
      // index. Flushed to tables once here instead, when it is more than a little.
      if (!read_only) flush_if_large(true);
      for (auto* h : cfs)
        if (h) db->DestroyColumnFamilyHandle(h);
      if (default_cf) db->DestroyColumnFamilyHandle(default_cf);
      db->Close();
      delete db;
    }
  }
};

struct read_view::impl {
  const store::impl* s = nullptr;
  const rocksdb::Snapshot* snap = nullptr;
  std::shared_ptr<const view_overlay> overlay;  // a version's reads, else null
  ~impl() {
    if (snap) s->db->ReleaseSnapshot(snap);
  }
  rocksdb::ReadOptions options() const {
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    return ro;
  }
};

struct cursor::impl {
  std::shared_ptr<const read_view::impl> view;  // keeps the snapshot alive
  std::string upper;
  rocksdb::Slice upper_slice;
  std::unique_ptr<rocksdb::Iterator> it;
  // A version's view: the overlay's entries in the scanned range, merged with the
  // iterator's in key order (an overlay entry replaces the newest state's key; one
  // saying "absent" hides it).
  using overlay_map = std::map<std::string, std::optional<std::string>, std::less<>>;
  bool merged = false;
  bool on_overlay = false;  // the current entry is the overlay's
  overlay_map::const_iterator oi{}, oe{};
  void settle();
  // A layered project's scan: the layer's own keys (tagged values) merged with its
  // base's (whose keys are shown under the layer's project id); the layer's entry
  // wins, and one saying "absent" hides the base's key.
  bool layered = false;
  bool on_base = false;
  std::unique_ptr<cursor> base;
  std::string layer_prefix, key_buf;
  void settle_layered();
};

// The reads of a layered project's keys (store_layers.cpp), called by read_view's
// methods when the key is a layer's.
struct layered_reads {
  using hit = store::impl::layer_hit;
  static result<std::optional<std::string>> get(const read_view::impl& v, const hit& h, column c, std::string_view key);
  static result<std::vector<std::optional<std::string>>> multi_get(const read_view::impl& v, const hit& h, column c,
                                                                   const std::vector<std::string>& keys);
  static cursor scan_from(const std::shared_ptr<const read_view::impl>& v, const hit& h, column c,
                          std::string_view start, std::string_view end);
  static int64_t counter(const read_view::impl& v, const hit& h, std::string_view key);
  static cursor failed(const std::shared_ptr<const read_view::impl>& v, const error& e);
  static std::shared_ptr<const read_view::impl> impl_of(const read_view& v) { return v.impl_; }
};

}  // namespace cg
