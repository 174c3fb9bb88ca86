#pragma once
// The syntax trees of the last few large files a parser parsed, with their text, so
// that a file saved again is parsed incrementally: the edit between the kept text and
// the new one (one changed range: the common prefix and suffix set apart) is applied
// to the kept tree and tree-sitter reuses every subtree outside it. Watch mode saves
// the same files over and over; a 6,000-line module's parse drops from ~25 ms to a
// few. Small files are not kept (parsing them is cheaper than keeping them). A tree
// takes about 15 times its text in memory; the texts kept are bounded in count and
// bytes (the least recently used go first). Files a live review's change set holds are
// parsed ahead (warmed) so that even their first save is incremental.
#include <tree_sitter/api.h>

#include <cstdint>
#include <list>
#include <string>
#include <string_view>

#include "schema/kinds.hpp"

namespace cg {

class tree_cache {
 public:
  static constexpr size_t min_bytes = 32 * 1024;  // smaller files are parsed afresh
  static constexpr size_t max_entries = 24;
  static constexpr size_t max_source_bytes = 4u << 20;  // ~60 MB of trees at most

  tree_cache() = default;
  ~tree_cache() { clear(); }
  tree_cache(const tree_cache&) = delete;
  tree_cache& operator=(const tree_cache&) = delete;

  // Parses `source` with `p`, from the kept tree of the same file when there is one.
  // The tree returned belongs to the caller until it hands it back with keep() (or
  // deletes it). `reused` tells whether a kept tree was the starting point.
  TSTree* parse(TSParser* p, language lang, std::string_view key, std::string_view source, bool& reused);
  // Keeps a tree of `source` for the next parse of the same key (large files only;
  // else the tree is deleted).
  void keep(language lang, std::string_view key, std::string_view source, TSTree* tree);
  void clear();
  bool holds(language lang, std::string_view key) const;
  size_t size() const { return entries_.size(); }

 private:
  struct entry {
    language lang;
    std::string key, source;
    TSTree* tree = nullptr;
  };
  std::list<entry> entries_;  // most recent first
  size_t bytes_ = 0;          // of the texts kept
};

// The single edit that turns `before` into `after`: the range between their common
// prefix and common suffix (start_byte == old_end_byte == new_end_byte: no change).
TSInputEdit edit_between(std::string_view before, std::string_view after);

}  // namespace cg
