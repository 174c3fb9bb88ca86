// Layered projects: a project laid over one version of another (store.hpp, layers).
// The layer's own keys carry tagged values ('p' + value, 'a' for absent); a read
// answers from them first and from the base's view at its version after.
#include <algorithm>

#include "schema/bytes.hpp"
#include "storage/keys.hpp"
#include "storage/store_impl.hpp"

namespace cg {
namespace {

constexpr auto versions_cf = static_cast<size_t>(column::versions);

std::string layer_value(uint32_t project, uint64_t version) {
  std::string v;
  put_be32(v, project);
  put_be64(v, version);
  return v;
}

uint32_t project_of(std::string_view key) { return key.size() >= 4 ? get_be32(key, 0) : 0; }

// The same key under another project id.
std::string rekey(std::string_view key, uint32_t proj) {
  std::string k = keys::project_prefix(proj);
  if (key.size() > 4) k.append(key.substr(4));
  return k;
}

// The layer's own value: tagged, 'a' saying the key is absent there.
std::optional<std::string> untag(std::string_view v) {
  if (v.empty() || v[0] != 'p') return std::nullopt;
  return std::string(v.substr(1));
}

// The end of a layer's range as the base's: the same key past the prefix, or, for
// an end beyond the layer's keys (prefix_end of its id, "" for none), the base's.
std::string base_end(std::string_view end, uint32_t layer, uint32_t base) {
  if (project_of(end) == layer && end.size() >= 4) return rekey(end, base);
  return keys::prefix_end(keys::project_prefix(base));
}

}  // namespace

void store::impl::load_layers() {
  std::unique_ptr<rocksdb::Iterator> i(db->NewIterator(rocksdb::ReadOptions(), cfs[static_cast<size_t>(column::meta)]));
  auto prefix = keys::layer_prefix();
  std::unique_lock lock(layers_mu);
  layers.clear();
  for (i->Seek(slice(prefix)); i->Valid() && view(i->key()).starts_with(prefix); i->Next()) {
    auto k = view(i->key()), v = view(i->value());
    if (k.size() != prefix.size() + 4 || v.size() != 12) continue;
    layer_link link;
    link.base = {get_be32(v, 0), get_be64(v, 4)};
    layers.emplace(get_be32(k, prefix.size()), std::move(link));
  }
  any_layers = !layers.empty();
}

result<std::optional<store::impl::layer_hit>> store::impl::layer_under(size_t cf, std::string_view key) const {
  if (cf >= versions_cf || key.size() < 4) return std::optional<layer_hit>{};
  const uint32_t proj = project_of(key);
  if (proj == 0) return std::optional<layer_hit>{};
  store::layer_base base;
  const auto now = std::chrono::steady_clock::now();
  {
    std::shared_lock lock(layers_mu);
    auto it = layers.find(proj);
    if (it == layers.end()) return std::optional<layer_hit>{};
    if (it->second.view && now - it->second.made < layer_view_life)
      return std::optional<layer_hit>{layer_hit{it->second.base.project, it->second.view}};
    base = it->second.base;
  }
  // The base's view, made outside the lock (as_of reads the versions column).
  auto v = owner->as_of(base.project, base.version);
  if (!v.ok())
    return make_error(v.err().code, "the base of layered project " + std::to_string(proj) + " (version " +
                                        std::to_string(base.version) + "): " + v.err().message);
  std::unique_lock lock(layers_mu);
  auto it = layers.find(proj);
  if (it == layers.end() || !(it->second.base == base)) return make_error(errc::conflict, "the layer changed its base");
  if (!it->second.view || now - it->second.made >= layer_view_life) {
    it->second.view = layered_reads::impl_of(*v);
    it->second.made = now;
  }
  return std::optional<layer_hit>{layer_hit{base.project, it->second.view}};
}

void store::impl::tag_layer_writes(std::vector<write_batch::impl::op>& ops) const {
  std::shared_lock lock(layers_mu);
  for (auto& op : ops) {
    if (op.cf >= versions_cf || !layers.count(project_of(op.key)) || project_of(op.key) == 0) continue;
    if (op.type == 0) {
      op.value.insert(op.value.begin(), 'p');
    } else {
      op.type = 0;
      op.value = "a";
    }
  }
}

// ---------------------------------------------------------------- reads

result<std::optional<std::string>> layered_reads::get(const read_view::impl& v, const hit& h, column c,
                                                      std::string_view key) {
  std::string value;
  auto s = v.s->db->Get(v.options(), v.s->cfs[static_cast<size_t>(c)], slice(key), &value);
  if (s.ok()) return untag(value);
  if (!s.IsNotFound()) return storage_error(s, "get");
  return read_view(h.view).get(c, rekey(key, h.base));
}

result<std::vector<std::optional<std::string>>> layered_reads::multi_get(const read_view::impl& v, const hit& h,
                                                                         column c,
                                                                         const std::vector<std::string>& keys) {
  std::vector<std::optional<std::string>> out(keys.size());
  std::vector<rocksdb::Slice> ks;
  ks.reserve(keys.size());
  for (const auto& k : keys) ks.push_back(slice(k));
  std::vector<rocksdb::PinnableSlice> values(ks.size());
  std::vector<rocksdb::Status> statuses(ks.size());
  v.s->db->MultiGet(v.options(), v.s->cfs[static_cast<size_t>(c)], ks.size(), ks.data(), values.data(),
                    statuses.data());
  std::vector<std::string> rest;  // the keys the layer does not hold, as the base's
  std::vector<size_t> at;
  for (size_t i = 0; i < ks.size(); ++i) {
    if (statuses[i].ok()) {
      out[i] = untag(view(values[i]));
    } else if (statuses[i].IsNotFound()) {
      rest.push_back(rekey(keys[i], h.base));
      at.push_back(i);
    } else {
      return storage_error(statuses[i], "multi_get");
    }
  }
  if (rest.empty()) return out;
  auto below = read_view(h.view).multi_get(c, rest);
  if (!below.ok()) return below.err();
  for (size_t i = 0; i < at.size(); ++i) out[at[i]] = std::move((*below)[i]);
  return out;
}

cursor layered_reads::scan_from(const std::shared_ptr<const read_view::impl>& v, const hit& h, column c,
                                std::string_view start, std::string_view end) {
  const uint32_t layer = project_of(start);
  auto p = std::make_unique<cursor::impl>();
  p->view = v;
  // The layer's own keys only: a range past its project ends there (the rest of the
  // range is other projects', which a layer's scan does not reach).
  auto limit = keys::prefix_end(keys::project_prefix(layer));
  p->upper = end.empty() || end > std::string_view(limit) ? limit : std::string(end);
  auto ro = v->options();
  if (!p->upper.empty()) {
    p->upper_slice = slice(p->upper);
    ro.iterate_upper_bound = &p->upper_slice;
  }
  p->it.reset(v->s->db->NewIterator(ro, v->s->cfs[static_cast<size_t>(c)]));
  p->it->Seek(slice(start));
  p->layered = true;
  p->layer_prefix = keys::project_prefix(layer);
  p->base =
      std::make_unique<cursor>(read_view(h.view).scan_from(c, rekey(start, h.base), base_end(end, layer, h.base)));
  p->settle_layered();
  return cursor(std::move(p));
}

void cursor::impl::settle_layered() {
  on_base = false;
  for (;;) {
    const bool own = it->Valid(), below = base->valid();
    if (!own && !below) return;
    int cmp = !own ? 1 : !below ? -1 : cg::view(it->key()).substr(4).compare(base->key().substr(4));
    if (cmp > 0) {
      on_base = true;
      key_buf.assign(layer_prefix).append(base->key().substr(4));
      return;
    }
    if (cmp == 0) base->next();  // the layer's entry stands in its place
    auto v = cg::view(it->value());
    if (!v.empty() && v[0] == 'p') return;
    it->Next();  // absent in the layer: hides the base's key
  }
}

int64_t layered_reads::counter(const read_view::impl& v, const hit& h, std::string_view key) {
  std::string value;
  int64_t own = 0;
  auto s = v.s->db->Get(v.options(), v.s->cfs[static_cast<size_t>(column::meta)], slice(key), &value);
  if (s.ok()) own = decode_i64(value);
  return own + read_view(h.view).counter(rekey(key, h.base));
}

cursor layered_reads::failed(const std::shared_ptr<const read_view::impl>& v, const error& e) {
  auto p = std::make_unique<cursor::impl>();
  p->view = v;
  p->it.reset(rocksdb::NewErrorIterator(rocksdb::Status::Corruption(e.message)));
  return cursor(std::move(p));
}

// ---------------------------------------------------------------- store

result<std::optional<store::layer_base>> store::layer_of(uint32_t proj) const {
  std::shared_lock lock(impl_->layers_mu);
  auto it = impl_->layers.find(proj);
  if (it == impl_->layers.end()) return std::optional<layer_base>{};
  return std::optional<layer_base>{it->second.base};
}

std::vector<std::pair<uint32_t, store::layer_base>> store::layers() const {
  std::vector<std::pair<uint32_t, layer_base>> out;
  std::shared_lock lock(impl_->layers_mu);
  for (const auto& [id, link] : impl_->layers) out.emplace_back(id, link.base);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

status store::set_layer(uint32_t proj, layer_base base) {
  if (impl_->read_only) return make_error(errc::invalid_argument, "store opened read-only");
  if (proj == 0 || base.project == 0 || proj == base.project)
    return make_error(errc::invalid_argument, "a layer lies over another project");
  if (auto under = layer_of(base.project); !under.ok() || *under)
    return make_error(errc::invalid_argument, "a layer cannot lie over another layer");
  for (const auto& [layer, b] : layers())
    if (b.project == proj) return make_error(errc::conflict, "a layer lies over this project already");
  auto now = layer_of(proj);
  if (!now.ok()) return now.err();
  if (*now && **now == base) return {};
  if (auto head = head_version(proj); !head.ok() || *head)
    return make_error(errc::invalid_argument, "a project with versions of its own cannot become a layer");
  if (auto rec = version(base.project, base.version); !rec.ok())
    return make_error(rec.err().code, "the base: " + rec.err().message);
  // Whatever the project held was relative to another base (or was a whole graph).
  impl_->journal_gap();
  auto begin = keys::project_prefix(proj), end = keys::project_prefix(proj + 1);
  for (size_t c = 0; c < versions_cf; ++c) {
    auto s = impl_->db->DeleteRange(impl_->write_options, impl_->cfs[c], slice(begin), slice(end));
    if (!s.ok()) return storage_error(s, "empty the layer");
  }
  std::unique_lock lock(impl_->layers_mu);
  auto s = impl_->db->Put(impl_->write_options, impl_->cfs[static_cast<size_t>(column::meta)], slice(keys::layer(proj)),
                          slice(layer_value(base.project, base.version)));
  if (!s.ok()) return storage_error(s, "set the layer's base");
  impl_->layers[proj] = impl::layer_link{base, nullptr};
  impl_->any_layers = true;
  lock.unlock();
  std::lock_guard versions_lock(impl_->versions_mu);
  impl_->captures.erase(proj);
  ++impl_->undo_generation;
  return {};
}

namespace {
// Every key the layer holds itself (in the graph's columns): fn(column, key, value).
template <class F>
status for_each_own_key(const store::impl& s, uint32_t proj, F&& fn) {
  auto begin = keys::project_prefix(proj), end = keys::project_prefix(proj + 1);
  rocksdb::Slice upper = slice(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  for (size_t c = 0; c < versions_cf; ++c) {
    std::unique_ptr<rocksdb::Iterator> i(s.db->NewIterator(ro, s.cfs[c]));
    for (i->Seek(slice(begin)); i->Valid(); i->Next()) fn(c, i->key(), i->value());
    if (!i->status().ok()) return storage_error(i->status(), "read the layer's keys");
  }
  return {};
}
}  // namespace

result<std::array<std::vector<std::string>, column_count>> store::layer_own_keys(uint32_t proj) const {
  std::array<std::vector<std::string>, column_count> out;
  auto st = for_each_own_key(
      *impl_, proj, [&](size_t c, const rocksdb::Slice& k, const rocksdb::Slice&) { out[c].emplace_back(view(k)); });
  if (!st.ok()) return st.err();
  return out;
}

result<store::layer_size> store::layer_keys(uint32_t proj) const {
  layer_size out;
  auto st = for_each_own_key(*impl_, proj, [&](size_t, const rocksdb::Slice& k, const rocksdb::Slice& v) {
    ++out.keys;
    out.bytes += k.size() + v.size();
  });
  if (!st.ok()) return st.err();
  return out;
}

}  // namespace cg
