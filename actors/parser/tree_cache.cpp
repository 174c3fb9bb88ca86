#include "actors/parser/tree_cache.hpp"

#include <algorithm>

namespace cg {
namespace {

// The point (row, byte column) of `to` in `text`, counting from `from` at point `at`.
TSPoint advance(std::string_view text, size_t from, size_t to, TSPoint at) {
  for (size_t i = from; i < to; ++i) {
    if (text[i] == '\n') {
      ++at.row;
      at.column = 0;
    } else {
      ++at.column;
    }
  }
  return at;
}

}  // namespace

TSInputEdit edit_between(std::string_view before, std::string_view after) {
  const size_t shorter = std::min(before.size(), after.size());
  size_t prefix = 0;
  while (prefix < shorter && before[prefix] == after[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < shorter - prefix && before[before.size() - 1 - suffix] == after[after.size() - 1 - suffix]) ++suffix;
  TSInputEdit e{};
  e.start_byte = static_cast<uint32_t>(prefix);
  e.old_end_byte = static_cast<uint32_t>(before.size() - suffix);
  e.new_end_byte = static_cast<uint32_t>(after.size() - suffix);
  e.start_point = advance(before, 0, prefix, TSPoint{0, 0});
  e.old_end_point = advance(before, prefix, e.old_end_byte, e.start_point);
  e.new_end_point = advance(after, prefix, e.new_end_byte, e.start_point);
  return e;
}

TSTree* tree_cache::parse(TSParser* p, language lang, std::string_view key, std::string_view source, bool& reused) {
  reused = false;
  auto it =
      std::find_if(entries_.begin(), entries_.end(), [&](const entry& e) { return e.lang == lang && e.key == key; });
  TSTree* old = nullptr;
  if (it != entries_.end()) {
    old = it->tree;
    TSInputEdit e = edit_between(it->source, source);
    ts_tree_edit(old, &e);
    bytes_ -= it->source.size();
    entries_.erase(it);
    reused = true;
  }
  TSTree* tree = ts_parser_parse_string(p, old, source.data(), static_cast<uint32_t>(source.size()));
  if (old) ts_tree_delete(old);
  return tree;
}

void tree_cache::keep(language lang, std::string_view key, std::string_view source, TSTree* tree) {
  if (!tree) return;
  if (source.size() < min_bytes) {
    ts_tree_delete(tree);
    return;
  }
  if (source.size() > max_source_bytes) {
    ts_tree_delete(tree);
    return;
  }
  entries_.push_front(entry{lang, std::string(key), std::string(source), tree});
  bytes_ += source.size();
  while (entries_.size() > max_entries || bytes_ > max_source_bytes) {
    bytes_ -= entries_.back().source.size();
    ts_tree_delete(entries_.back().tree);
    entries_.pop_back();
  }
}

bool tree_cache::holds(language lang, std::string_view key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const entry& e) { return e.lang == lang && e.key == key; });
}

void tree_cache::clear() {
  for (auto& e : entries_) ts_tree_delete(e.tree);
  entries_.clear();
  bytes_ = 0;
}

}  // namespace cg
