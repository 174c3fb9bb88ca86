// Saving and restoring the vector state: a directory per project with
//   manifest.json  format, embedder, dimension, slots, store sequence, index kind
//   docs.bin       every slot: node id, content hash, kind, language, line, names, term bag
//   vectors.f32    the raw embeddings, slots x dimension
//   index.faiss    the ANN index (absent when brute force)
//   model.bin      the co-occurrence model (absent when none)
// Written to DIR.new and swapped in by renames, so a crash leaves the old or the new set.
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "actors/search/hash_embedder.hpp"
#include "actors/search/saved_bytes.hpp"
#include "actors/search/vector_doc.hpp"
#include "actors/search/vector_state.hpp"
#include "storage/file_io.hpp"

namespace cg {
namespace fs = std::filesystem;
namespace {

constexpr int state_format = 2;  // 2: the change serial (incremental sync)

using saved::put;
using saved::put_str;
using saved::reader;

status write_file(const fs::path& p, std::string_view bytes) { return write_whole_file(p.string(), bytes); }

// One read of the whole file (vectors.f32 is tens of MB: an iterator per byte cost
// most of a load).
result<std::string> read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary | std::ios::ate);
  if (!f) return make_error(errc::io_error, "cannot read " + p.string());
  auto size = f.tellg();
  if (size < 0) return make_error(errc::io_error, "cannot read " + p.string());
  std::string s(static_cast<size_t>(size), '\0');
  f.seekg(0);
  f.read(s.data(), static_cast<std::streamsize>(s.size()));
  if (!f) return make_error(errc::io_error, "cannot read " + p.string());
  return s;
}

}  // namespace

status vector_state::save(const std::string& dir) const {
  fs::path final_dir(dir), tmp(dir + ".new"), old(dir + ".old");
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return make_error(errc::io_error, "cannot create " + tmp.string() + ": " + ec.message());

  nlohmann::json m;
  m["format"] = state_format;
  m["embedder"] = external_ ? external_->name() : builtin_->name();
  m["dimension"] = opts_.dimension;
  m["slots"] = docs_.size();
  m["documents"] = live_;
  m["sequence"] = sequence_;
  m["change_serial"] = change_serial_;
  m["index"] = ann_ ? std::string(to_string(ann_->kind())) : "flat";
  m["index_slots"] = ann_slots_;
  m["index_trained"] = ann_ ? ann_->trained_size() : 0;
  if (auto s = write_file(tmp / "manifest.json", m.dump(2)); !s.ok()) return s;

  std::string docs;
  for (const auto& d : docs_) {
    put<uint8_t>(docs, d.live ? 1 : 0);
    put<uint64_t>(docs, d.id);
    put<uint64_t>(docs, d.content_hash);
    put<uint8_t>(docs, static_cast<uint8_t>(d.kind));
    put<uint8_t>(docs, static_cast<uint8_t>(d.lang));
    put<uint32_t>(docs, d.line);
    put<uint32_t>(docs, d.in_degree);
    put_str(docs, d.name);
    put_str(docs, d.qualified_name);
    put_str(docs, d.file);
    put_str(docs, d.text);
    put<uint32_t>(docs, static_cast<uint32_t>(d.bag.size()));
    for (const auto& tw : d.bag) {
      put_str(docs, tw.term);
      put<float>(docs, tw.weight);
    }
  }
  if (auto s = write_file(tmp / "docs.bin", docs); !s.ok()) return s;
  if (auto s = write_file(tmp / "vectors.f32", std::string_view(reinterpret_cast<const char*>(vectors_.data()),
                                                                vectors_.size() * sizeof(float)));
      !s.ok())
    return s;
  if (ann_)
    if (auto s = ann_->save((tmp / "index.faiss").string()); !s.ok()) return s;
  if (model_)
    if (auto s = write_file(tmp / "model.bin", model_->save()); !s.ok()) return s;

  fs::remove_all(old, ec);
  if (fs::exists(final_dir)) fs::rename(final_dir, old, ec);
  if (ec) return make_error(errc::io_error, "cannot replace " + final_dir.string() + ": " + ec.message());
  fs::rename(tmp, final_dir, ec);
  if (ec) return make_error(errc::io_error, "cannot install " + final_dir.string() + ": " + ec.message());
  fs::remove_all(old, ec);
  return {};
}

status vector_state::load(const std::string& dir) {
  fs::path d(dir);
  if (!fs::exists(d / "manifest.json") && fs::exists(fs::path(dir + ".old") / "manifest.json"))
    d = dir + ".old";  // a crash between the two renames of save()
  if (!fs::exists(d / "manifest.json")) return make_error(errc::not_found, "no saved vector state in " + dir);
  auto raw = read_file(d / "manifest.json");
  if (!raw.ok()) return raw.err();
  auto m = nlohmann::json::parse(*raw, nullptr, false);
  if (m.is_discarded() || !m.is_object()) return make_error(errc::corrupt, "vector state manifest is not JSON");
  std::string name = external_ ? external_->name() : builtin_->name();
  if (m.value("format", 0) != state_format) return make_error(errc::corrupt, "vector state: unknown format");
  if (m.value("dimension", size_t{0}) != opts_.dimension)
    return make_error(errc::invalid_argument,
                      "saved vectors have dimension " + std::to_string(m.value("dimension", 0)) + ", configured " +
                          std::to_string(opts_.dimension) + ": run `codegraph vectors rebuild`");

  std::shared_ptr<cooccurrence_model> model;
  if (fs::exists(d / "model.bin")) {
    auto bytes = read_file(d / "model.bin");
    if (!bytes.ok()) return bytes.err();
    auto mm = cooccurrence_model::load(*bytes);
    if (!mm.ok()) return mm.err();
    model = std::make_shared<cooccurrence_model>(std::move(*mm));
  }
  static_cast<hash_embedder&>(*builtin_).set_model(model);
  std::string now = external_ ? external_->name() : builtin_->name();
  if (m.value("embedder", std::string()) != now) {
    static_cast<hash_embedder&>(*builtin_).set_model(model_);
    return make_error(errc::invalid_argument, "saved vectors were made by " + m.value("embedder", std::string("?")) +
                                                  ", configured " + now + ": run `codegraph vectors rebuild`");
  }

  auto docs_raw = read_file(d / "docs.bin");
  if (!docs_raw.ok()) return docs_raw.err();
  std::vector<doc> docs;
  reader r{*docs_raw};
  size_t slots = m.value("slots", size_t{0});
  docs.reserve(slots);
  for (size_t i = 0; i < slots && r.ok; ++i) {
    doc x;
    x.live = r.get<uint8_t>() != 0;
    x.id = r.get<uint64_t>();
    x.content_hash = r.get<uint64_t>();
    x.kind = static_cast<node_kind>(r.get<uint8_t>());
    x.lang = static_cast<language>(r.get<uint8_t>());
    x.line = r.get<uint32_t>();
    x.in_degree = r.get<uint32_t>();
    x.name = r.str();
    x.qualified_name = r.str();
    x.file = r.str();
    x.text = r.str();
    auto n = r.get<uint32_t>();
    for (uint32_t j = 0; j < n && r.ok; ++j) {
      auto t = r.str();
      auto w = r.get<float>();
      x.bag.push_back({std::move(t), w});
    }
    docs.push_back(std::move(x));
  }
  if (!r.ok || !r.in.empty()) return make_error(errc::corrupt, "vector state: docs.bin is damaged");
  auto vec_raw = read_file(d / "vectors.f32");
  if (!vec_raw.ok()) return vec_raw.err();
  if (vec_raw->size() != slots * opts_.dimension * sizeof(float))
    return make_error(errc::corrupt, "vector state: vectors.f32 has the wrong size");
  std::optional<vector_index> ann;
  if (m.value("index", std::string("flat")) != "flat") {
    auto loaded = vector_index::load((d / "index.faiss").string(), opts_.hnsw_half_floats);
    if (!loaded.ok()) return loaded.err();
    ann = std::move(*loaded);
  }

  docs_ = std::move(docs);
  vectors_.resize(slots * opts_.dimension);
  std::memcpy(vectors_.data(), vec_raw->data(), vec_raw->size());
  model_ = std::move(model);
  slot_of_.clear();
  bm25_ = bm25_index();
  live_ = 0;
  for (uint32_t s = 0; s < docs_.size(); ++s)
    if (docs_[s].live) {
      slot_of_[docs_[s].id] = s;
      bm25_.add(s, docs_[s].bag);
      ++live_;
    }
  ann_ = std::move(ann);
  ann_slots_ = ann_ ? m.value("index_slots", size_t{0}) : 0;
  sequence_ = m.value("sequence", uint64_t{0});
  change_serial_ = m.value("change_serial", int64_t{0});
  synced_ = true;
  index_files();
  building_.reset();
  building_slots_ = 0;
  index_pending_ = false;
  // Saved before its model was learnt (a CLI index defers it): the owner learns it.
  model_pending_ = opts_.defer_model && opts_.learn_cooccurrence && !external_ && live_ > 0 &&
                   (!model_ || live_ >= 2 * std::max<size_t>(model_->documents(), 1));
  ensure_index(false);  // saved without its index (or with fewer slots): built anew
  return {};
}

}  // namespace cg
