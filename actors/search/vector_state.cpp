#include "actors/search/vector_state.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <unordered_set>

#include <omp.h>
#include <spdlog/spdlog.h>

#include "actors/graph/counters.hpp"
#include "actors/graph/graph_query.hpp"
#include "actors/search/hash_embedder.hpp"
#include "actors/search/parallel.hpp"
#include "actors/search/vector_doc.hpp"
#include "schema/codec.hpp"
#include "storage/keys.hpp"

namespace cg {

bool searchable_kind(node_kind k) {
  switch (k) {
    case node_kind::file:
    case node_kind::module:
    case node_kind::package:
    case node_kind::namespace_:
    case node_kind::class_:
    case node_kind::struct_:
    case node_kind::union_:
    case node_kind::enum_:
    case node_kind::interface:
    case node_kind::trait:
    case node_kind::type_alias:
    case node_kind::function:
    case node_kind::method:
    case node_kind::constructor:
    case node_kind::constant:
    case node_kind::macro: return true;
    default: return false;
  }
}

vector_state::vector_state(vector_options o, std::unique_ptr<embedder> external)
    : opts_(o), external_(std::move(external)) {
  if (!external_ && opts_.make_embedder) external_ = opts_.make_embedder();
  builtin_ = std::make_unique<hash_embedder>(builtin_options());
  if (external_) opts_.dimension = external_->dimension();
}

hash_embedder_options vector_state::builtin_options() const {
  hash_embedder_options ho;
  ho.dimension = opts_.dimension;
  ho.neighbour_share = opts_.neighbour_share;
  ho.subword_share = opts_.subword_share;
  return ho;
}

vector_state::~vector_state() = default;

embedder& vector_state::active_embedder() { return external_ ? *external_ : *builtin_; }

status vector_state::embed_slots(const std::vector<uint32_t>& slots, float_rows& out) {
  return embed_slots_with(active_embedder(), slots, out);
}

status vector_state::embed_slots_with(embedder& e, const std::vector<uint32_t>& slots, float_rows& out) const {
  const size_t dim = opts_.dimension;
  out.clear();
  out.resize(slots.size() * dim);  // uninitialised: each part writes its rows (first touch on its core)
  auto run = [&](size_t from, size_t to) -> status {
    std::vector<embed_input> batch;
    for (size_t start = from; start < to; start += opts_.embed_batch) {
      size_t end = std::min(to, start + opts_.embed_batch);
      batch.clear();
      for (size_t i = start; i < end; ++i) {
        const auto& d = docs_[slots[i]];
        batch.push_back({d.text, &d.bag});
      }
      if (auto s = e.embed(batch, out.data() + start * dim); !s.ok()) return s;
    }
    return {};
  };
  // The built-in embedder is a pure function of the bag and the model: a large batch
  // (a first index, a relearn) is split over the cores. A provider's calls stay serial.
  size_t parts = external_ ? 1 : parallel_parts(slots.size(), 4096);
  std::vector<status> results(parts);
  parallel_ranges(slots.size(), parts, [&](size_t p, size_t from, size_t to) { results[p] = run(from, to); });
  for (auto& r : results)
    if (!r.ok()) return r;
  return {};
}

result<sync_summary> vector_state::sync(const read_view& v, uint32_t proj, uint64_t sequence) {
  auto t0 = std::chrono::steady_clock::now();
  int64_t serial = v.counter(keys::counter(proj, counter_names::change_serial()));
  change_set cs;
  cs.serial = serial;
  bool full = !synced_ || serial < change_serial_;
  std::vector<std::string> files;
  if (!full) {
    if (serial == change_serial_) {  // no file changed since the last sync
      sequence_ = sequence;
      sync_summary sum;
      sum.documents = live_;
      sum.incremental = true;
      return sum;
    }
    auto st = v.for_each(column::meta, keys::meta_tag_prefix(proj, keys::tag_changed),
                         [&](std::string_view k, std::string_view val) {
                           if (std::strtoll(std::string(val).c_str(), nullptr, 10) > change_serial_)
                             files.emplace_back(keys::meta_path_of(k));
                           return true;
                         });
    if (!st.ok()) return st.err();
    // Past a quarter of the files, one pass over everything is as cheap.
    full = files.size() * 4 > file_slots_.size() + 64;
  }
  auto st = full ? collect_all(v, proj, cs) : collect_files(v, proj, files, cs);
  if (!st.ok()) return st.err();
  auto t1 = std::chrono::steady_clock::now();
  auto sum = apply_changes(cs);
  if (!sum.ok()) return sum;
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  spdlog::debug(
      "search sync: {} changed; collect {:.3f}s, documents {:.3f}s, model {:.3f}s, embed {:.3f}s, apply {:.3f}s",
      cs.changed.size(), secs(t0, t1), secs(t1, phase_.documents), secs(phase_.documents, phase_.model),
      secs(phase_.model, phase_.embedded), secs(phase_.embedded, std::chrono::steady_clock::now()));
  synced_ = true;
  change_serial_ = serial;
  sequence_ = sequence;
  sum->incremental = !full;
  sum->files = full ? 0 : files.size();
  sum->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

result<sync_summary> vector_state::apply_changes(change_set& cs) {
  sync_summary sum;
  auto& changed = cs.changed;
  auto& callees = cs.callees;
  auto& in_degree = cs.in_degree;

  // 3. New documents for the changed definitions (old slots die: ANN labels are immutable).
  // Built over the cores: a term bag is a pure function of the node.
  std::vector<std::pair<const node_id, node>*> todo;
  todo.reserve(changed.size());
  for (auto& entry : changed) todo.push_back(&entry);
  std::vector<doc> fresh(todo.size());
  // Docstrings teach the model how prose names code even when the index leaves them
  // out; those bags live for this sync only.
  size_t parts = parallel_parts(todo.size(), 2048);
  std::vector<std::unordered_map<node_id, term_bag>> learn_parts(parts);
  const bool learn_prose = !opts_.include_docstrings && opts_.learn_cooccurrence && !external_;
  parallel_ranges(todo.size(), parts, [&](size_t part, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      auto& [id, n] = *todo[i];
      doc& d = fresh[i];
      d.id = id;
      d.content_hash = n.content_hash;
      d.kind = n.kind;
      d.lang = n.lang;
      d.line = n.line();
      d.live = true;
      d.name = n.name;
      d.qualified_name = n.qualified_name;
      d.file = n.file;
      doc_source src;
      src.name = n.name;
      src.qualified_name = n.qualified_name;
      src.signature = n.signature;
      src.docstring = n.docstring;
      src.include_docstring = opts_.include_docstrings;
      if (auto c = callees.find(id); c != callees.end()) src.callees = std::move(c->second);  // one element per thread
      d.bag = build_bag(src);
      if (learn_prose && !n.docstring.empty() && (!opts_.learn_docstring_of || opts_.learn_docstring_of(id))) {
        src.include_docstring = true;
        learn_parts[part].emplace(id, build_bag(src));
      }
      if (external_) d.text = doc_text(src);
    }
  });
  std::unordered_map<node_id, term_bag> learn_bags = std::move(learn_parts[0]);
  for (size_t p = 1; p < parts; ++p) learn_bags.merge(learn_parts[p]);
  // Deterministic slot order whatever the hash maps did.
  std::sort(fresh.begin(), fresh.end(), [](const doc& a, const doc& b) {
    return a.file != b.file ? a.file < b.file : a.line != b.line ? a.line < b.line : a.id < b.id;
  });

  phase_.documents = std::chrono::steady_clock::now();
  std::vector<uint32_t>& gone = cs.gone;
  size_t live_after = live_ - gone.size() + fresh.size();

  // 4. The model: learnt on the first sync, relearnt when the corpus has doubled
  // since (every vector is then re-embedded).
  bool wants_model = opts_.learn_cooccurrence && !external_ && !fresh.empty() &&
                     (!model_ || live_after >= 2 * std::max<size_t>(model_->documents(), 1));
  bool relearn = wants_model && (!opts_.defer_model || learn_now_);
  if (wants_model && !relearn) model_pending_ = true;  // the owner learns it (learn_model)
  std::shared_ptr<cooccurrence_model> model = model_;
  if (relearn) {
    std::vector<const term_bag*> bags;
    bags.reserve(live_after);
    std::unordered_set<uint32_t> gone_set(gone.begin(), gone.end());
    for (uint32_t s = 0; s < docs_.size(); ++s)
      if (docs_[s].live && !gone_set.count(s)) bags.push_back(&docs_[s].bag);
    for (const auto& d : fresh) {
      auto lb = learn_bags.find(d.id);
      bags.push_back(lb != learn_bags.end() ? &lb->second : &d.bag);
    }
    model = std::make_shared<cooccurrence_model>(cooccurrence_model::learn(bags));
  }

  phase_.model = std::chrono::steady_clock::now();
  // 5. Embed before changing anything: a failure leaves the state as it was.
  auto first_new = static_cast<uint32_t>(docs_.size());
  std::vector<uint32_t> new_slots(fresh.size());
  for (size_t i = 0; i < fresh.size(); ++i) new_slots[i] = first_new + static_cast<uint32_t>(i);
  auto saved_model = model_;
  model_ = model;
  static_cast<hash_embedder&>(*builtin_).set_model(model_);
  for (auto& d : fresh) docs_.push_back(std::move(d));
  float_rows rows;
  if (auto s = embed_slots(new_slots, rows); !s.ok()) {
    docs_.resize(first_new);
    model_ = saved_model;
    static_cast<hash_embedder&>(*builtin_).set_model(model_);
    return s.err();
  }

  phase_.embedded = std::chrono::steady_clock::now();
  // 6. Apply.
  std::unordered_set<node_id> updated_ids;
  for (const auto& [id, n] : changed)
    if (slot_of_.count(id)) updated_ids.insert(id);
  for (auto slot : gone) {
    auto& d = docs_[slot];
    bm25_.remove(slot);
    d.live = false;
    d.bag.clear();
    d.bag.shrink_to_fit();
    d.text.clear();
    slot_of_.erase(d.id);
    if (auto f = file_slots_.find(d.file); f != file_slots_.end()) {
      std::erase(f->second, slot);
      if (f->second.empty()) file_slots_.erase(f);
    }
    --live_;
    if (!changed.count(d.id)) ++sum.removed;
  }
  // The new rows go after the kept ones (a first sync takes them whole: no second
  // 30 MB buffer to zero and copy at 20K definitions).
  vectors_.resize(static_cast<size_t>(first_new) * opts_.dimension);
  if (vectors_.empty())
    vectors_ = std::move(rows);
  else
    vectors_.insert(vectors_.end(), rows.begin(), rows.end());
  for (auto slot : new_slots) {
    auto& d = docs_[slot];
    bm25_.add(slot, d.bag);
    ++(updated_ids.count(d.id) ? sum.updated : sum.added);
    slot_of_[d.id] = slot;
    file_slots_[d.file].push_back(slot);
    ++live_;
  }
  if (cs.full_in_degree) {
    for (auto& d : docs_)
      if (d.live) {
        auto it = in_degree.find(d.id);
        d.in_degree = it == in_degree.end() ? 0 : it->second;
      }
  } else {
    for (const auto& [id, deg] : in_degree)
      if (auto it = slot_of_.find(id); it != slot_of_.end()) docs_[it->second].in_degree = deg;
  }
  if (relearn) {
    // Every older live document is re-embedded with the new model.
    std::vector<uint32_t> old;
    for (uint32_t s = 0; s < first_new; ++s)
      if (docs_[s].live) old.push_back(s);
    float_rows again;
    if (auto s = embed_slots(old, again); !s.ok()) return s.err();
    for (size_t i = 0; i < old.size(); ++i)
      std::copy_n(again.data() + i * opts_.dimension, opts_.dimension,
                  vectors_.begin() + static_cast<std::ptrdiff_t>(old[i] * opts_.dimension));
    sum.rebuilt = true;
  }
  bool compacted = compact();
  if (compacted) index_files();
  ensure_index(relearn || compacted);
  sum.documents = live_;
  sum.rebuilt = sum.rebuilt || relearn || compacted;
  return sum;
}

result<sync_summary> vector_state::rebuild(const read_view& v, uint32_t proj, uint64_t sequence) {
  docs_.clear();
  slot_of_.clear();
  live_ = 0;
  bm25_ = bm25_index();
  vectors_.clear();
  ann_.reset();
  ann_slots_ = 0;
  building_.reset();
  building_slots_ = 0;
  index_pending_ = false;
  model_.reset();
  static_cast<hash_embedder&>(*builtin_).set_model(nullptr);
  file_slots_.clear();
  synced_ = false;
  change_serial_ = 0;
  model_pending_ = false;
  learn_now_ = true;
  auto r = sync(v, proj, sequence);
  learn_now_ = false;
  if (r.ok()) r->rebuilt = true;
  return r;
}

vector_state::learnt_model vector_state::learn_model() const {
  learnt_model out;
  out.slot_count = docs_.size();
  out.sequence = sequence_;
  std::vector<const term_bag*> bags;
  bags.reserve(live_);
  out.slots.reserve(live_);
  for (uint32_t s = 0; s < docs_.size(); ++s)
    if (docs_[s].live) {
      bags.push_back(&docs_[s].bag);
      out.slots.push_back(s);
    }
  out.model = std::make_shared<cooccurrence_model>(cooccurrence_model::learn(bags));
  // An embedder of its own: the state's goes on embedding the queries of searches.
  hash_embedder with_model(builtin_options(), out.model);
  (void)embed_slots_with(with_model, out.slots, out.vectors);  // the built-in embedder does not fail
  return out;
}

bool vector_state::install_model(learnt_model&& m) {
  if (!model_pending_ || external_ || m.slot_count != docs_.size() || m.sequence != sequence_) return false;
  model_ = std::move(m.model);
  static_cast<hash_embedder&>(*builtin_).set_model(model_);
  const size_t dim = opts_.dimension;
  for (size_t i = 0; i < m.slots.size(); ++i)
    std::copy_n(m.vectors.data() + i * dim, dim, vectors_.begin() + static_cast<std::ptrdiff_t>(m.slots[i] * dim));
  model_pending_ = false;
  ensure_index(true);  // its vectors changed
  return true;
}

void vector_state::finish_model() {
  if (model_pending_) install_model(learn_model());
}

bool vector_state::compact() {
  size_t dead = docs_.size() - live_;
  if (dead < 1000 || dead * 4 < docs_.size()) return false;
  std::vector<doc> kept;
  float_rows rows;
  kept.reserve(live_);
  rows.reserve(live_ * opts_.dimension);
  bm25_ = bm25_index();
  slot_of_.clear();
  for (uint32_t s = 0; s < docs_.size(); ++s) {
    if (!docs_[s].live) continue;
    auto slot = static_cast<uint32_t>(kept.size());
    rows.insert(rows.end(), vectors_.begin() + static_cast<std::ptrdiff_t>(s * opts_.dimension),
                vectors_.begin() + static_cast<std::ptrdiff_t>((s + 1) * opts_.dimension));
    slot_of_[docs_[s].id] = slot;
    bm25_.add(slot, docs_[s].bag);
    kept.push_back(std::move(docs_[s]));
  }
  docs_ = std::move(kept);
  vectors_ = std::move(rows);
  ann_.reset();  // labels changed: ensure_index rebuilds
  ann_slots_ = 0;
  return true;
}

void vector_state::ensure_index(bool force_rebuild) {
  index_kind want = opts_.kind.value_or(auto_index_kind(live_));
  if (want == index_kind::flat) {  // brute force over vectors_
    ann_.reset();
    ann_slots_ = 0;
    building_.reset();
    index_pending_ = false;
    return;
  }
  bool stale = force_rebuild || !ann_ || ann_->kind() != want ||
               (want != index_kind::hnsw && docs_.size() > 4 * std::max<size_t>(ann_->trained_size(), 1));
  if (force_rebuild) {
    // Its labels or vectors no longer hold: neither the index searches read nor one
    // half built may be used.
    ann_.reset();
    ann_slots_ = 0;
    building_.reset();
  }
  if (stale) {
    if (building_ && building_->kind() != want) building_.reset();
    index_pending_ = true;
    return;
  }
  // A few new slots (a save in watch mode): added at once. More: a new index is built
  // aside, and the searches meanwhile go through the old one plus brute force over
  // the slots it lacks.
  size_t tail = docs_.size() - ann_slots_;
  if (tail == 0) return;
  if (tail <= 2000 && !building_) {
    if (auto s = ann_->add(vectors_.data() + ann_slots_ * opts_.dimension, tail, static_cast<int64_t>(ann_slots_));
        s.ok()) {
      ann_slots_ = docs_.size();
      return;
    }
  }
  index_pending_ = true;
}

result<bool> vector_state::index_step(size_t chunk, bool one_core) {
  if (!index_pending_) return false;
  struct omp_limit {
    int was = 0;
    explicit omp_limit(bool on) : was(on ? omp_get_max_threads() : 0) {
      if (on) omp_set_num_threads(1);
    }
    ~omp_limit() {
      if (was) omp_set_num_threads(was);
    }
  } limit(one_core);
  index_kind want = opts_.kind.value_or(auto_index_kind(live_));
  if (want == index_kind::flat) {
    index_pending_ = false;
    building_.reset();
    return false;
  }
  index_params params;
  params.half_floats = opts_.hnsw_half_floats;
  if (want != index_kind::hnsw) {
    // IVF: trained on the whole collection, added in one go (fast).
    auto built = vector_index::build(want, opts_.dimension, vectors_.data(), docs_.size(), params);
    if (!built.ok()) return built.err();
    building_ = std::move(*built);
    building_slots_ = docs_.size();
    return true;
  }
  if (!building_) {
    params.calibrate = false;
    auto empty = vector_index::build(want, opts_.dimension, nullptr, 0, params);
    if (!empty.ok()) return empty.err();
    building_ = std::move(*empty);
    building_slots_ = 0;
  }
  size_t n = std::min(chunk, docs_.size() - building_slots_);
  if (n) {
    if (auto s = building_->add(vectors_.data() + building_slots_ * opts_.dimension, n,
                                static_cast<int64_t>(building_slots_));
        !s.ok())
      return s.err();
    building_slots_ += n;
  }
  if (building_slots_ < docs_.size()) return false;
  calibrate_tiers(*building_, vectors_.data(), building_slots_, 0);
  return true;
}

void vector_state::install_index() {
  if (!building_ || building_slots_ != docs_.size()) return;
  ann_ = std::move(building_);
  building_.reset();
  ann_slots_ = building_slots_;
  building_slots_ = 0;
  index_pending_ = false;
}

status vector_state::finish_index() {
  for (;;) {
    auto r = index_step(size_t{1} << 20);
    if (!r.ok()) return r.err();
    if (!*r) return {};
    install_index();
    if (!index_pending_) return {};
  }
}

vector_stats vector_state::stats() const {
  vector_stats s;
  s.embedder = external_ ? external_->name() : builtin_->name();
  s.dimension = opts_.dimension;
  s.documents = live_;
  s.slots = docs_.size();
  s.vocabulary = bm25_.vocabulary();
  s.model_terms = model_ ? model_->terms() : 0;
  s.index = ann_ ? std::string(to_string(ann_->kind())) : "flat";
  s.index_building = index_pending_;
  s.model_pending = model_pending_;
  s.index_vectors = ann_ ? ann_->size() : docs_.size();
  s.index_bytes = ann_ ? ann_->memory_bytes() : vectors_.size() * sizeof(float);
  s.raw_bytes = vectors_.size() * sizeof(float);
  s.store_sequence = sequence_;
  return s;
}

}  // namespace cg
