#include "storage/store.hpp"

#include <chrono>
#include <thread>

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <shared_mutex>
#include <unordered_map>

#include "schema/bytes.hpp"
#include "storage/keys.hpp"
#include "storage/store_impl.hpp"

namespace cg {
namespace {

constexpr std::array<const char*, column_count> column_names = {"nodes", "edges", "redges", "idx", "meta", "versions"};
constexpr std::string_view current_schema = "codegraph-store-2";

// Counters are int64 values that batches add deltas to, so a count changes in the
// same atomic write as the keys it counts.
class int64_add final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value, std::string* out,
             rocksdb::Logger*) const override {
    int64_t base = existing ? decode_i64(*existing) : 0;
    *out = encode_i64(base + decode_i64(value));
    return true;
  }
  const char* Name() const override { return "codegraph.int64_add"; }
};

rocksdb::ColumnFamilyOptions column_options(column c, const std::shared_ptr<rocksdb::Cache>& cache,
                                            const std::vector<rocksdb::CompressionType>& supported,
                                            size_t write_buffer) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  t.whole_key_filtering = true;
  t.cache_index_and_filter_blocks = true;
  // Index and filter blocks stay pinned once read (they are charged to the cache but
  // never evicted): a point read then skips two cache lookups. A hash index inside each
  // data block finds a key without the binary search (point reads: node by id, meta).
  t.metadata_cache_options.unpartitioned_pinning = rocksdb::PinningTier::kAll;
  t.metadata_cache_options.top_level_index_pinning = rocksdb::PinningTier::kAll;
  t.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  t.block_size = 16 * 1024;
  // Block checksums by XXH3: Debian's RocksDB computes CRC32C without the SSE4.2
  // instruction (its portable loop showed in the profiles of a cold index's flushes).
  // Each table records its checksum type, so tables written before still read.
  t.checksum = rocksdb::kXXH3;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  auto has = [&](rocksdb::CompressionType ct) {
    return std::find(supported.begin(), supported.end(), ct) != supported.end();
  };
  if (has(rocksdb::kLZ4Compression))
    o.compression = rocksdb::kLZ4Compression;
  else if (has(rocksdb::kSnappyCompression))
    o.compression = rocksdb::kSnappyCompression;
  if (has(rocksdb::kZSTD)) o.bottommost_compression = rocksdb::kZSTD;
  o.write_buffer_size = write_buffer                               ? write_buffer
                        : (c == column::nodes || c == column::idx) ? (32u << 20)
                                                                   : (16u << 20);
  // Each batch's keys come sorted (store::write sorts them): an insert starts from
  // where the last one of the same 5-byte prefix (project and tag, or the first byte
  // of an id) ended, instead of descending the skiplist from its top (a cold index
  // spent a tenth of its CPU there). RocksDB keeps one hint per prefix for a
  // memtable's point entries and its range deletions alike, so a range deletion must
  // never use it: drop_project's bounds are 4 bytes (outside the extractor's domain),
  // and the versions column, whose empty versions go by a range, takes no hint.
  if (c != column::versions) o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(5));
  if (c == column::meta) {
    o.merge_operator = std::make_shared<int64_add>();
    // Counters take a merge per write: without a bound, every read of a counter folds
    // all the operands since the last flush, so each write (createNode reads several)
    // got slower with every write before it. Past 16 the sum is written instead.
    o.max_successive_merges = 16;
  }
  return o;
}

}  // namespace

std::string_view to_string(column c) { return column_names[static_cast<size_t>(c)]; }

// ---------------------------------------------------------------- write_batch

write_batch::write_batch() = default;
write_batch::~write_batch() = default;
write_batch::write_batch(write_batch&&) noexcept = default;
write_batch& write_batch::operator=(write_batch&&) noexcept = default;

void write_batch::put(column c, std::string_view key, std::string_view value) {
  impl_->bytes += key.size() + value.size();
  impl_->ops.push_back({static_cast<uint8_t>(c), 0, std::string(key), std::string(value)});
}
void write_batch::del(column c, std::string_view key) {
  impl_->bytes += key.size();
  impl_->ops.push_back({static_cast<uint8_t>(c), 1, std::string(key), {}});
}
void write_batch::add(std::string_view counter_key, int64_t delta) {
  if (delta == 0) return;
  auto it = impl_->deltas.find(std::string(counter_key));
  if (it == impl_->deltas.end())
    impl_->deltas.emplace(std::string(counter_key), delta);
  else
    it->second += delta;
}
size_t write_batch::operations() const { return impl_->ops.size() + impl_->deltas.size(); }
size_t write_batch::byte_size() const { return impl_->bytes; }
void write_batch::clear() {
  impl_->ops.clear();
  impl_->deltas.clear();
  impl_->bytes = 0;
}

// ---------------------------------------------------------------- store::impl

// ---------------------------------------------------------------- read_view

cursor::cursor(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
cursor::~cursor() = default;
cursor::cursor(cursor&&) noexcept = default;
bool cursor::valid() const { return impl_->on_overlay || impl_->on_base || impl_->it->Valid(); }
std::string_view cursor::key() const {
  if (impl_->on_base) return impl_->key_buf;
  return impl_->on_overlay ? impl_->oi->first : view(impl_->it->key());
}
std::string_view cursor::value() const {
  if (impl_->layered) return impl_->on_base ? impl_->base->value() : view(impl_->it->value()).substr(1);
  return impl_->on_overlay ? *impl_->oi->second : view(impl_->it->value());
}
void cursor::next() {
  if (impl_->layered) {
    if (impl_->on_base)
      impl_->base->next();
    else
      impl_->it->Next();
    return impl_->settle_layered();
  }
  if (!impl_->merged) return impl_->it->Next();
  if (impl_->on_overlay) {
    if (impl_->it->Valid() && view(impl_->it->key()) == impl_->oi->first) impl_->it->Next();
    ++impl_->oi;
  } else {
    impl_->it->Next();
  }
  impl_->settle();
}

void cursor::impl::settle() {
  on_overlay = false;
  while (oi != oe) {
    bool live = it->Valid();
    int cmp = live ? std::string_view(oi->first).compare(cg::view(it->key())) : -1;
    if (cmp > 0) return;  // the newest state's key comes first
    if (oi->second) {
      on_overlay = true;  // the overlay's value (in place of the same key, if any)
      return;
    }
    if (cmp == 0) it->Next();  // a key that did not exist then
    ++oi;
  }
}

status cursor::status_of() const {
  auto s = impl_->it->status();
  if (!s.ok()) return storage_error(s, "scan");
  if (impl_->base) return impl_->base->status_of();
  return {};
}

read_view::read_view(std::shared_ptr<const impl> p) : impl_(std::move(p)) {}

result<std::optional<std::string>> read_view::get(column c, std::string_view key) const {
  if (impl_->s->any_layers) {
    auto h = impl_->s->layer_under(static_cast<size_t>(c), key);
    if (!h.ok()) return h.err();
    if (*h) return layered_reads::get(*impl_, **h, c, key);
  }
  if (impl_->overlay) {
    const auto& col = impl_->overlay->cols[static_cast<size_t>(c)];
    if (auto it = col.find(key); it != col.end()) return it->second;
  }
  std::string value;
  auto s = impl_->s->db->Get(impl_->options(), impl_->s->cfs[static_cast<size_t>(c)], slice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>{};
  if (!s.ok()) return storage_error(s, "get");
  return std::optional<std::string>{std::move(value)};
}

result<std::vector<std::optional<std::string>>> read_view::multi_get(column c,
                                                                     const std::vector<std::string>& keys) const {
  std::vector<std::optional<std::string>> out(keys.size());
  if (keys.empty()) return out;
  if (impl_->s->any_layers) {  // the keys of one multi_get are one project's
    auto h = impl_->s->layer_under(static_cast<size_t>(c), keys.front());
    if (!h.ok()) return h.err();
    if (*h) return layered_reads::multi_get(*impl_, **h, c, keys);
  }
  std::vector<rocksdb::Slice> ks;
  std::vector<size_t> at;  // position in keys of each key read from the store
  ks.reserve(keys.size());
  at.reserve(keys.size());
  const auto* col = impl_->overlay ? &impl_->overlay->cols[static_cast<size_t>(c)] : nullptr;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (col)
      if (auto it = col->find(keys[i]); it != col->end()) {
        out[i] = it->second;
        continue;
      }
    ks.push_back(slice(keys[i]));
    at.push_back(i);
  }
  if (ks.empty()) return out;
  std::vector<rocksdb::PinnableSlice> values(ks.size());
  std::vector<rocksdb::Status> statuses(ks.size());
  impl_->s->db->MultiGet(impl_->options(), impl_->s->cfs[static_cast<size_t>(c)], ks.size(), ks.data(), values.data(),
                         statuses.data());
  for (size_t i = 0; i < ks.size(); ++i) {
    if (statuses[i].ok())
      out[at[i]] = values[i].ToString();
    else if (!statuses[i].IsNotFound())
      return storage_error(statuses[i], "multi_get");
  }
  return out;
}

cursor read_view::scan(column c, std::string_view prefix) const {
  return scan_from(c, prefix, keys::prefix_end(prefix));
}

cursor read_view::scan_from(column c, std::string_view start, std::string_view end) const {
  if (impl_->s->any_layers) {
    auto h = impl_->s->layer_under(static_cast<size_t>(c), start);
    if (!h.ok()) return layered_reads::failed(impl_, h.err());
    if (*h) return layered_reads::scan_from(impl_, **h, c, start, end);
  }
  auto p = std::make_unique<cursor::impl>();
  p->view = impl_;
  p->upper = std::string(end);
  auto ro = impl_->options();
  if (!p->upper.empty()) {
    p->upper_slice = slice(p->upper);
    ro.iterate_upper_bound = &p->upper_slice;
  }
  p->it.reset(impl_->s->db->NewIterator(ro, impl_->s->cfs[static_cast<size_t>(c)]));
  p->it->Seek(slice(start));
  if (impl_->overlay) {
    const auto& col = impl_->overlay->cols[static_cast<size_t>(c)];
    p->merged = true;
    p->oi = col.lower_bound(start);
    p->oe = p->upper.empty() ? col.end() : col.lower_bound(p->upper);
    p->settle();
  }
  return cursor(std::move(p));
}

status read_view::for_each(column c, std::string_view prefix,
                           const std::function<bool(std::string_view, std::string_view)>& fn) const {
  auto cur = scan(c, prefix);
  for (; cur.valid(); cur.next())
    if (!fn(cur.key(), cur.value())) break;
  return cur.status_of();
}

int64_t read_view::counter(std::string_view counter_key) const {
  if (impl_->s->any_layers) {
    auto h = impl_->s->layer_under(static_cast<size_t>(column::meta), counter_key);
    if (h.ok() && *h) return layered_reads::counter(*impl_, **h, counter_key);
  }
  if (impl_->overlay) {
    const auto& col = impl_->overlay->cols[static_cast<size_t>(column::meta)];
    if (auto it = col.find(counter_key); it != col.end()) return it->second ? decode_i64(*it->second) : 0;
  }
  std::string value;
  auto s =
      impl_->s->db->Get(impl_->options(), impl_->s->cfs[static_cast<size_t>(column::meta)], slice(counter_key), &value);
  if (!s.ok()) return 0;
  return decode_i64(value);
}

// ---------------------------------------------------------------- store

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) { impl_->owner = this; }
store::~store() = default;

result<std::unique_ptr<store>> store::open(const store_options& opts) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (opts.read_only) {
    if (!fs::exists(fs::path(opts.dir) / "CURRENT", ec))
      return make_error(errc::not_found, "no CodeGraph store in " + opts.dir + " (run `codegraph index` first)");
  } else {
    fs::create_directories(opts.dir, ec);
    if (ec) return make_error(errc::io_error, "cannot create data directory " + opts.dir + ": " + ec.message());
  }

  auto p = std::make_unique<impl>();
  p->dir = opts.dir;
  p->read_only = opts.read_only;
  p->write_options.sync = opts.sync_writes;

  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  // Two flushes at a time (the column families' memtables are flushed in parallel:
  // the flush a whole-tree run ends with takes half as long), one compaction.
  dbo.max_background_flushes = 2;
  dbo.max_background_compactions = 1;
  dbo.bytes_per_sync = 1 << 20;
  dbo.keep_log_file_num = 3;
  // The log a later open replays (each CLI query beside a server) stays bounded: past
  // this, the column families holding its oldest writes are flushed.
  dbo.max_total_wal_size = uint64_t{64} << 20;
  dbo.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  dbo.max_open_files = 512;
  // One writer per store (the graph actors take turns): plain skiplist inserts are
  // cheaper than the concurrent (CAS) ones.
  dbo.allow_concurrent_memtable_write = false;
  dbo.enable_write_thread_adaptive_yield = false;
  auto cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  auto supported = rocksdb::GetSupportedCompressions();

  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  descs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int i = 0; i < column_count; ++i)
    descs.emplace_back(column_names[static_cast<size_t>(i)],
                       column_options(static_cast<column>(i), cache, supported, opts.write_buffer_bytes));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  if (opts.read_only) {
    // A first run killed while RocksDB was creating the column families leaves a
    // store without some of them; a writer completes it, a reader cannot.
    std::vector<std::string> present;
    auto ls = rocksdb::DB::ListColumnFamilies(dbo, opts.dir, &present);
    if (ls.ok() && present.size() < descs.size())
      return make_error(
          errc::not_found,
          "the store in " + opts.dir + " is incomplete (its first run was interrupted); run `codegraph index` again");
  }
  rocksdb::Status s;
  // Read-only beside a writer: a compaction may delete a table file between reading the
  // MANIFEST and opening the file. The next attempt reads the new MANIFEST.
  for (int attempt = 0;; ++attempt) {
    s = opts.read_only ? rocksdb::DB::OpenForReadOnly(dbo, opts.dir, descs, &handles, &p->db)
                       : rocksdb::DB::Open(dbo, opts.dir, descs, &handles, &p->db);
    if (s.ok() || !opts.read_only || attempt == 8 || !(s.IsCorruption() || s.IsIOError() || s.IsPathNotFound())) break;
    handles.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * (attempt + 1)));
  }
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
      return make_error(errc::conflict,
                        "the store in " + opts.dir + " is in use by another codegraph process: " + s.ToString());
    return storage_error(s, "cannot open store in " + opts.dir);
  }
  p->default_cf = handles[0];
  for (int i = 0; i < column_count; ++i) p->cfs[static_cast<size_t>(i)] = handles[static_cast<size_t>(i) + 1];

  // Refuse stores written by an incompatible version of the layout.
  std::string version;
  auto key = keys::schema_version();
  s = p->db->Get(rocksdb::ReadOptions(), p->cfs[static_cast<size_t>(column::meta)], slice(key), &version);
  if (s.ok()) {
    if (version != current_schema)
      return make_error(errc::unsupported, "store in " + opts.dir + " has layout '" + version +
                                               "', this build reads '" + std::string(current_schema) + "'");
  } else if (s.IsNotFound()) {
    if (!opts.read_only) {
      s = p->db->Put(p->write_options, p->cfs[static_cast<size_t>(column::meta)], slice(key), slice(current_schema));
      if (!s.ok()) return storage_error(s, "write schema version");
    }
  } else {
    return storage_error(s, "read schema version");
  }
  p->load_layers();
  return std::unique_ptr<store>(new store(std::move(p)));
}

const std::string& store::dir() const { return impl_->dir; }
bool store::read_only() const { return impl_->read_only; }

write_batch store::batch() const {
  write_batch b;
  b.impl_ = std::make_unique<write_batch::impl>();
  b.impl_->cfs = &impl_->cfs;
  return b;
}

namespace {
// A write's sort key: the column and the key's first bytes, big-endian and zero-padded,
// which order as the keys do (a shorter key pads with zeros, the smallest byte); equal
// ones are told apart by the whole key.
struct sort_entry {
  uint64_t head = 0;  // column, then key bytes 0-6
  uint64_t tail = 0;  // key bytes 7-14
  uint32_t index = 0;
};

uint64_t big_endian(std::string_view key, size_t from, size_t count) {
  uint64_t v = 0;
  for (size_t i = 0; i < count; ++i)
    v = (v << 8) | (from + i < key.size() ? static_cast<unsigned char>(key[from + i]) : 0u);
  return v;
}

sort_entry sort_entry_of(uint8_t cf, std::string_view key, uint32_t index) {
  return {(uint64_t{cf} << 56) | big_endian(key, 0, 7), big_endian(key, 7, 8), index};
}
}  // namespace

status store::write(write_batch& batch) {
  if (impl_->read_only) return make_error(errc::invalid_argument, "store opened read-only");
  if (batch.impl_->cfs != &impl_->cfs) return make_error(errc::internal, "batch made by another store");
  if (batch.operations() == 0) return {};
  auto& ops = batch.impl_->ops;
  {
    // By column and key, a key's ops in the order they were made. Sorted as positions
    // and moved once: a merge sort of the ops themselves moved their strings n log n times.
    // Each position carries its key's first 16 bytes as two numbers, so most comparisons
    // are of integers in one array, not of strings behind two indirections.
    std::vector<sort_entry> order(ops.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = sort_entry_of(ops[i].cf, ops[i].key, i);
    std::sort(order.begin(), order.end(), [&](const sort_entry& x, const sort_entry& y) {
      if (x.head != y.head) return x.head < y.head;
      if (x.tail != y.tail) return x.tail < y.tail;
      int c = ops[x.index].key.compare(ops[y.index].key);
      return c != 0 ? c < 0 : x.index < y.index;
    });
    std::vector<write_batch::impl::op> sorted;
    sorted.reserve(ops.size());
    for (const auto& e : order) sorted.push_back(std::move(ops[e.index]));
    ops = std::move(sorted);
  }
  if (impl_->any_layers) impl_->tag_layer_writes(ops);
  rocksdb::WriteBatch wb(batch.impl_->bytes + ops.size() * 16 + 64);
  for (const auto& op : ops) {
    auto* cf = impl_->cfs[op.cf];
    auto st = op.type == 0 ? wb.Put(cf, slice(op.key), slice(op.value)) : wb.Delete(cf, slice(op.key));
    if (!st.ok()) return storage_error(st, "batch");
  }
  for (const auto& [key, delta] : batch.impl_->deltas)
    if (delta != 0) {
      auto v = encode_i64(delta);
      auto st = wb.Merge(impl_->cfs[static_cast<size_t>(column::meta)], slice(key), slice(v));
      if (!st.ok()) return storage_error(st, "batch");
    }
  // A versioned project's keys keep their earlier values (store_versions.cpp).
  std::unique_lock versions_lock(impl_->versions_mu);
  if (auto u = impl_->add_undo(ops, batch.impl_->deltas, wb); !u.ok()) return u;
  auto s = impl_->db->Write(impl_->write_options, &wb);
  if (!s.ok()) impl_->captures.clear();  // what add_undo marked as kept was not written
  if (s.ok()) impl_->journal_write(ops);
  versions_lock.unlock();
  if (!s.ok()) return storage_error(s, "write");
  batch.clear();
  return {};
}

read_view store::latest() const {
  auto v = std::make_shared<read_view::impl>();
  v->s = impl_.get();
  return read_view(std::move(v));
}

read_view store::snapshot() const {
  auto v = std::make_shared<read_view::impl>();
  v->s = impl_.get();
  v->snap = impl_->db->GetSnapshot();
  return read_view(std::move(v));
}

result<uint32_t> store::project_id(std::string_view name) {
  uint64_t gen = 0;
  {
    std::shared_lock lock(impl_->ids_mu);
    auto it = impl_->ids.find(std::string(name));
    if (it != impl_->ids.end()) return it->second;
    gen = impl_->ids_gen;
  }
  auto v = latest().get(column::meta, keys::project(name));
  if (!v.ok()) return v.err();
  if (!v->has_value() || (*v)->size() != 4)
    return make_error(errc::not_found, "no project named '" + std::string(name) + "'");
  uint32_t id = get_be32(**v);
  std::unique_lock lock(impl_->ids_mu);
  if (impl_->ids_gen == gen) impl_->ids.emplace(std::string(name), id);
  return id;
}

result<uint32_t> store::ensure_project(std::string_view name) {
  if (name.empty()) return make_error(errc::invalid_argument, "project name must not be empty");
  auto existing = project_id(name);
  if (existing.ok()) return existing;
  if (existing.err().code != errc::not_found) return existing.err();
  auto all = projects();
  if (!all.ok()) return all.err();
  uint32_t next = 1;
  for (const auto& [n, id] : *all) next = std::max(next, id + 1);
  std::string value;
  put_be32(value, next);
  auto b = batch();
  b.put(column::meta, keys::project(name), value);
  if (auto s = write(b); !s.ok()) return s.err();
  std::unique_lock lock(impl_->ids_mu);
  impl_->ids[std::string(name)] = next;
  return next;
}

result<std::vector<std::pair<std::string, uint32_t>>> store::projects() const {
  std::vector<std::pair<std::string, uint32_t>> out;
  auto prefix = keys::project("");
  auto s = latest().for_each(column::meta, prefix, [&](std::string_view k, std::string_view v) {
    if (v.size() == 4) out.emplace_back(std::string(k.substr(prefix.size())), get_be32(v));
    return true;
  });
  if (!s.ok()) return s.err();
  return out;
}

status store::drop_project(uint32_t proj) {
  for (const auto& [layer, base] : layers())
    if (base.project == proj)
      return make_error(errc::conflict, "project " + std::to_string(proj) + " is the base of layer " +
                                            std::to_string(layer) + ": drop the layer first");
  impl_->journal_gap();  // range deletes: no keys to list
  auto begin = keys::project_prefix(proj);
  auto end = keys::project_prefix(proj + 1);
  for (auto* cf : impl_->cfs) {
    auto s = impl_->db->DeleteRange(impl_->write_options, cf, slice(begin), slice(end));
    if (!s.ok()) return storage_error(s, "drop project");
  }
  auto all = projects();
  if (!all.ok()) return all.err();
  auto b = batch();
  b.del(column::meta, keys::layer(proj));
  for (const auto& [n, id] : *all)
    if (id == proj) {
      b.del(column::meta, keys::project(n));
      b.del(column::meta, keys::project_info(n));
    }
  auto st = write(b);
  {
    std::lock_guard versions_lock(impl_->versions_mu);
    impl_->captures.erase(proj);
    ++impl_->undo_generation;
  }
  {
    std::unique_lock layers_lock(impl_->layers_mu);
    impl_->layers.erase(proj);
    impl_->any_layers = !impl_->layers.empty();
  }
  std::unique_lock lock(impl_->ids_mu);
  ++impl_->ids_gen;
  for (auto it = impl_->ids.begin(); it != impl_->ids.end();)
    it = it->second == proj ? impl_->ids.erase(it) : std::next(it);
  return st;
}

status store::set_project_info(std::string_view name, std::string_view json) {
  auto b = batch();
  b.put(column::meta, keys::project_info(name), json);
  return write(b);
}

result<std::optional<std::string>> store::project_info(std::string_view name) const {
  return latest().get(column::meta, keys::project_info(name));
}

void store::flush_in_background(uint64_t above_bytes) {
  if (!impl_->read_only) impl_->flush_if_large(false, above_bytes);
}

status store::flush() {
  if (impl_->read_only) return {};
  rocksdb::FlushOptions fo;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs(impl_->cfs.begin(), impl_->cfs.end());
  auto s = impl_->db->Flush(fo, cfs);
  if (!s.ok()) return storage_error(s, "flush");
  return {};
}

status store::compact() {
  if (impl_->read_only) return {};
  for (auto* cf : impl_->cfs) {
    auto s = impl_->db->CompactRange(rocksdb::CompactRangeOptions(), cf, nullptr, nullptr);
    if (!s.ok()) return storage_error(s, "compact");
  }
  return {};
}

uint64_t store::sequence() const { return impl_->db->GetLatestSequenceNumber(); }

uint64_t store::journal_open() const {
  auto& j = impl_->journal;
  std::lock_guard lock(j.mu);
  ++j.readers;
  return j.position;
}

void store::journal_close() const {
  auto& j = impl_->journal;
  std::lock_guard lock(j.mu);
  if (j.readers > 0 && --j.readers == 0) {
    j.entries.clear();
    j.keys = 0;
    j.first = j.position;
  }
}

uint64_t store::journal_position() const {
  auto& j = impl_->journal;
  std::lock_guard lock(j.mu);
  return j.position;
}

result<bool> store::keys_written_since(uint64_t after, uint64_t upto,
                                       const std::function<void(column, std::string_view)>& each) const {
  auto& j = impl_->journal;
  std::lock_guard lock(j.mu);
  if (after < j.first || upto > j.position) return false;  // dropped (too many keys since), or never kept
  for (const auto& e : j.entries) {
    if (e.position <= after) continue;
    if (e.position > upto) break;
    for (const auto& [c, key] : e.keys) each(c, key);
  }
  return true;
}

void store::impl::journal_write(const std::vector<write_batch::impl::op>& ops) {
  std::lock_guard lock(journal.mu);
  ++journal.position;
  if (journal.readers == 0) {
    journal.first = journal.position;
    return;
  }
  journal_state::entry e;
  e.position = journal.position;
  for (const auto& op : ops)
    if (op.cf == static_cast<uint8_t>(column::nodes) || op.cf == static_cast<uint8_t>(column::edges) ||
        op.cf == static_cast<uint8_t>(column::redges))
      e.keys.emplace_back(static_cast<column>(op.cf), op.key);
  journal.keys += e.keys.size();
  journal.entries.push_back(std::move(e));
  while (journal.keys > journal_state::max_keys && !journal.entries.empty()) {
    journal.keys -= journal.entries.front().keys.size();
    journal.first = journal.entries.front().position;
    journal.entries.pop_front();
  }
}

void store::impl::journal_gap() {
  std::lock_guard lock(journal.mu);
  ++journal.position;
  journal.entries.clear();
  journal.keys = 0;
  journal.first = journal.position;
}

uint64_t store::disk_bytes() const { return disk_bytes_in(impl_->dir); }

uint64_t store::disk_bytes_in(const std::string& dir) {
  namespace fs = std::filesystem;
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    if (e.is_regular_file(ec) && (name.ends_with(".sst") || name.ends_with(".log"))) total += e.file_size(ec);
  }
  return total;
}

std::string store::property(column c, std::string_view name) const {
  std::string v;
  impl_->db->GetProperty(impl_->cfs[static_cast<size_t>(c)], slice(name), &v);
  return v;
}

}  // namespace cg
