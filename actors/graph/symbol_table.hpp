#pragma once
// Every definition of one project in memory, indexed the ways resolution asks:
// by id, simple name, qualified name, parent, file, directory and module path.
// Loaded from the covering name index in one scan; strings live in an arena.
// The graph writer keeps its table across runs and replaces the symbols of each
// file it writes (replace_file), so a save costs resolution that file's symbols,
// not a scan of the project; removed symbols leave dead slots (alive() is false)
// until worth_reloading() says a fresh load is cheaper than the waste.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "schema/node.hpp"
#include "schema/result.hpp"
#include "storage/store.hpp"

namespace cg {

struct symbol {
  node_id id = 0;
  node_id parent = 0;
  node_kind kind = node_kind::file;
  language lang = language::unknown;
  uint16_t modifiers = 0;
  uint32_t line = 0;
  uint32_t parent_index = UINT32_MAX;  // index of the parent symbol, UINT32_MAX when none
  std::string_view name;
  std::string_view qualified_name;
  std::string_view file;
  std::string_view type_name;  // declared or return type as written
};

class symbol_table {
 public:
  static result<std::unique_ptr<symbol_table>> load(const read_view& view, uint32_t proj);
  // An empty table for a project with no definitions yet (a first index): filled by
  // replace_file as the files are written, its indexes sorted once by settle(), as
  // load() does, instead of a scan of everything just written.
  static std::unique_ptr<symbol_table> empty_for_filling();
  // Sorts what was added since empty_for_filling(); a no-op after that. Lookups need a
  // settled table (resolution settles it first).
  void settle();

  size_t size() const { return symbols_.size(); }  // slots, dead ones included
  size_t live() const { return symbols_.size() - dead_; }
  bool alive(uint32_t i) const { return symbols_[i].id != 0; }
  const symbol& at(uint32_t i) const { return symbols_[i]; }

  // The symbols a write of `path` made become those of `nodes` (empty: the file is
  // gone). For manual_path (the graph writer's virtual file) that is every manual node.
  static constexpr std::string_view manual_path = "@manual";
  void replace_file(std::string_view path, std::span<const node> nodes);
  // One manual node written (replacing its earlier state) or removed: the cost of a
  // manual edit does not grow with the number of manual nodes.
  void upsert(const node& n);
  void erase(node_id id);
  bool worth_reloading() const { return dead_ > 50000 && dead_ > live(); }
  const symbol* find(node_id id) const;
  const symbol* parent_of(const symbol& s) const {
    return s.parent_index == UINT32_MAX ? nullptr : &symbols_[s.parent_index];
  }

  std::span<const uint32_t> named(std::string_view name) const;
  // Definitions of that name directly in a file, namespace, package or module.
  std::span<const uint32_t> top_level_named(std::string_view name) const;
  std::span<const uint32_t> qualified(std::string_view qname) const;
  std::span<const uint32_t> children(node_id parent) const;
  std::span<const uint32_t> in_file(std::string_view path) const;

  const symbol* file_node(std::string_view path) const;
  std::span<const uint32_t> files_in_dir(std::string_view dir) const;  // file symbols
  // Files whose module path (Python dotted, JS/TS path sans extension, Rust crate
  // path) equals `module` or ends with it after a separator.
  std::vector<uint32_t> files_for_module(std::string_view module, language lang) const;
  // Files whose path equals `tail` or ends with "/" + tail (#include "a/b.h").
  std::vector<uint32_t> files_ending_with(std::string_view tail) const;

 private:
  std::string_view intern(std::string_view s);
  void add(const symbol& s);
  void link(uint32_t i);
  // Indexes list symbols in source order (file, line, kind, qualified name), whatever
  // order they were added in.
  void place(std::vector<uint32_t>& list, uint32_t idx);
  void sort_indexes();
  bool bulk_ = false;
  void link_parents();
  void remove_file(std::string_view path);
  void unlink(uint32_t idx);  // out of every index; the slot dies

  std::vector<symbol> symbols_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0, chunk_size_ = 0;
  std::unordered_map<node_id, uint32_t> by_id_;
  std::unordered_map<std::string_view, std::vector<uint32_t>> by_name_, by_top_name_, by_qname_, by_file_, by_dir_,
      by_module_, by_basename_;
  std::unordered_map<node_id, std::vector<uint32_t>> children_;
  std::unordered_set<uint32_t> manual_;  // manual nodes (their source is the virtual file manual_path)
  size_t dead_ = 0;
};

}  // namespace cg
