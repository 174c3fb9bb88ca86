#pragma once
// The persistent code graph: one RocksDB database per data directory, one column
// family per concern (see keys.hpp). No actors, no network: a plain class whose
// errors come back as values. Writes go through write_batch so that one file's
// replacement is applied atomically; reads go through read_view, optionally
// pinned to a snapshot so a query never sees half of a concurrent write.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/result.hpp"
#include "schema/version.hpp"

namespace cg {

enum class column : uint8_t { nodes = 0, edges, redges, idx, meta, versions };
inline constexpr int column_count = 6;
std::string_view to_string(column c);

struct store_options {
  std::string dir;
  bool read_only = false;  // no lock taken; fails if the store does not exist
  size_t block_cache_bytes = size_t{64} << 20;
  // Memtable size per column family; 0: 32 MiB for nodes and idx, 16 MiB for the others.
  size_t write_buffer_bytes = 0;
  bool sync_writes = false;  // WAL is always on; fsync per batch only if set
};

class store;

struct prune_stats {
  uint64_t versions_dropped = 0;
  uint64_t entries_removed = 0;    // undo entries no kept version reads
  uint64_t entries_rewritten = 0;  // entries that took over a dropped run's
  uint64_t refs_removed = 0;       // refs that named a dropped version
};

// A batch bound to the store that made it (store::batch()); ops go straight into
// a RocksDB WriteBatch and are applied atomically by store::write.
class write_batch {
 public:
  ~write_batch();
  write_batch(write_batch&&) noexcept;
  write_batch& operator=(write_batch&&) noexcept;

  void put(column c, std::string_view key, std::string_view value);
  void del(column c, std::string_view key);
  void add(std::string_view counter_key, int64_t delta);  // meta counter merge
  size_t operations() const;
  size_t byte_size() const;
  void clear();

 private:
  friend class store;
  write_batch();
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Iterates keys that start with a prefix, in key order.
class cursor {
 public:
  ~cursor();
  cursor(cursor&&) noexcept;
  bool valid() const;
  std::string_view key() const;
  std::string_view value() const;
  void next();
  status status_of() const;  // after the loop: was the iteration cut short by an error?

  struct impl;  // opaque (RocksDB iterator)

 private:
  friend class read_view;
  friend struct layered_reads;
  explicit cursor(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

class read_view {
 public:
  result<std::optional<std::string>> get(column c, std::string_view key) const;
  // Batched point reads; results in the order of the keys (nullopt when absent).
  result<std::vector<std::optional<std::string>>> multi_get(column c, const std::vector<std::string>& keys) const;
  cursor scan(column c, std::string_view prefix) const;
  cursor scan_from(column c, std::string_view start, std::string_view end) const;
  // Calls fn(key, value) for every key with the prefix until fn returns false.
  status for_each(column c, std::string_view prefix,
                  const std::function<bool(std::string_view, std::string_view)>& fn) const;
  int64_t counter(std::string_view counter_key) const;  // 0 when absent

  struct impl;  // opaque (snapshot)

 private:
  friend class store;
  friend struct layered_reads;
  explicit read_view(std::shared_ptr<const impl> p);
  std::shared_ptr<const impl> impl_;
};

class store {
 public:
  static result<std::unique_ptr<store>> open(const store_options& opts);
  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  const std::string& dir() const;
  bool read_only() const;

  write_batch batch() const;
  status write(write_batch& batch);

  read_view latest() const;    // reads the newest committed state
  read_view snapshot() const;  // reads one consistent point in time

  // Projects: a name maps to a small id that prefixes every key of that project.
  result<uint32_t> project_id(std::string_view name);      // not_found if absent
  result<uint32_t> ensure_project(std::string_view name);  // creates it if needed
  result<std::vector<std::pair<std::string, uint32_t>>> projects() const;
  // Deletes every key of it (refused while a layer lies over it).
  status drop_project(uint32_t proj);
  // A small JSON document per project (root path, last index time).
  status set_project_info(std::string_view name, std::string_view json);
  result<std::optional<std::string>> project_info(std::string_view name) const;

  // ------------------------------------------------ versions (store_versions.cpp)
  // A project is versioned once its first version is committed. From then on every
  // write to its graph (nodes, edges, redges, idx, meta but the change log) also keeps,
  // once per key, the value the key had at the last committed version: the undo log of
  // the open version (the last committed + 1), written in the same atomic batch, so a
  // crash never loses a committed version.
  //
  // Seals the open version with this record (id, parent and changed_keys are filled
  // in) and returns its id; for a project not versioned yet, the present state becomes
  // version 1. Returns 0 (and commits nothing) when no key changed since the last one.
  result<uint64_t> commit_version(uint32_t proj, version_record rec);
  result<std::vector<version_record>> versions(uint32_t proj) const;
  result<version_record> version(uint32_t proj, uint64_t id) const;
  // The last committed version (0: not versioned).
  result<uint64_t> head_version(uint32_t proj) const;
  // The graph as it was when `version` was committed: a snapshot of the newest state
  // with the undo logs of every later version (the open one included) laid over it.
  result<read_view> as_of(uint32_t proj, uint64_t version) const;
  // Whether every version after `version`, and the open one, keep the resolver's
  // per-file state in their undo logs (so that the graph can be put back to
  // `version` whole): not across versions committed before that state was versioned.
  result<bool> resolver_state_since(uint32_t proj, uint64_t version) const;
  // The keys that changed after `version` (per column; what a diff compares), up to
  // and including version `through` (0: the newest state, the open version included).
  // A key no version in (version, through] touched is the same at both ends.
  result<std::array<std::vector<std::string>, column_count>> changed_since(uint32_t proj, uint64_t version,
                                                                           uint64_t through = 0) const;
  // One key's history: for each version whose undo log holds the key (the open one
  // too), oldest first, that version and the value the key had before it (nullopt:
  // absent). The key's newest value is last(). redges keep no history (see edges).
  struct key_change {
    uint64_t version = 0;
    std::optional<std::string> before;
  };
  result<std::vector<key_change>> key_history(uint32_t proj, column c, std::string_view key) const;
  // Refs: names of versions ("tag/v1.0", "branch/main", "commit/<sha>"; the caller
  // chooses the scheme). Setting one replaces it; refs(proj) lists them by name.
  status set_ref(uint32_t proj, std::string_view name, uint64_t version);
  status delete_ref(uint32_t proj, std::string_view name);
  result<uint64_t> ref(uint32_t proj, std::string_view name) const;  // 0: no such ref
  result<std::vector<std::pair<std::string, uint64_t>>> refs(uint32_t proj, std::string_view prefix = {}) const;

  // Retention (store_prune.cpp): drops every committed version not in `keep` (the
  // newest committed one always stays, and so does every layer's base) with the refs
  // that name them, in one atomic batch, then compacts the log. Each kept version reads exactly as before; its
  // parent becomes the kept version before it.
  result<prune_stats> prune_versions(uint32_t proj, const std::set<uint64_t>& keep);

  // ------------------------------------------------ layers (store_layers.cpp)
  // A layered project lies over one version of another project, its base: a second
  // work tree of one repository, stored as its differences. A read of the layer's
  // keys answers from the layer where it holds the key (a value, or "absent") and
  // from the base as that version had it everywhere else (prefix scans merge both);
  // its writes stay in the layer; its counters are the base's plus its own. A layer
  // commits no versions. Its node ids are the base project's (the same files give the
  // same ids), so its answers equal a fresh index of its tree under the base's name.
  struct layer_base {
    uint32_t project = 0;
    uint64_t version = 0;
    bool operator==(const layer_base&) const = default;
  };
  result<std::optional<layer_base>> layer_of(uint32_t proj) const;
  // Lays proj over base: a version of a project that is no layer itself. A base other
  // than the one before empties the layer first (what it held was relative to that).
  status set_layer(uint32_t proj, layer_base base);
  // Every layer and its base.
  std::vector<std::pair<uint32_t, layer_base>> layers() const;
  // The keys the layer holds itself (its differences from the base) and their bytes.
  struct layer_size {
    uint64_t keys = 0, bytes = 0;
  };
  result<layer_size> layer_keys(uint32_t proj) const;
  // The keys the layer holds itself, per column (what differs from its base: a diff of
  // the layer against it compares these; absent ones included).
  result<std::array<std::vector<std::string>, column_count>> layer_own_keys(uint32_t proj) const;

  status flush();
  // After a large write (an index run's graph): the memtables go to tables in RocksDB's
  // background threads, beside what comes next, when they hold more than above_bytes.
  // Else the close would wait for it, or each later open replay the log. Small runs
  // (watch-mode saves) pass a larger bound: every flush leaves new tables whose blocks
  // the next reads must load, and sets off compactions on a small machine's cores.
  void flush_in_background(uint64_t above_bytes = uint64_t{4} << 20);
  status compact();
  uint64_t disk_bytes() const;
  // The same for a store that is closed (its tables and logs in dir).
  static uint64_t disk_bytes_in(const std::string& dir);
  // RocksDB's sequence number of the last committed write: derived state (search
  // indexes) records the value it reflects and knows it is current when they match.
  uint64_t sequence() const;
  // The journal: the keys of nodes, edges and redges each write sets or deletes, kept
  // in memory while a reader holds it open (a live review keeping its report current),
  // up to about a million keys. A position counts writes. A reader opens it, records
  // journal_position() before it reads a snapshot, and later asks for the keys written
  // after that position, up to the position now: a write in between is listed again
  // next time, never missed.
  uint64_t journal_open() const;  // returns the position now
  void journal_close() const;
  uint64_t journal_position() const;
  // False when the journal no longer holds every write after `after` (too many since,
  // or a project dropped): the reader must read afresh.
  result<bool> keys_written_since(uint64_t after, uint64_t upto,
                                  const std::function<void(column, std::string_view)>& each) const;
  // live SST + WAL bytes on disk
  std::string property(column c, std::string_view name) const;

  struct impl;  // opaque (RocksDB handles)

 private:
  explicit store(std::unique_ptr<impl> p);
  friend struct backup_access;  // storage/backup.cpp: the RocksDB handle
  std::unique_ptr<impl> impl_;
};

}  // namespace cg
