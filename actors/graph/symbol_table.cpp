#include "actors/graph/symbol_table.hpp"

#include <algorithm>
#include <cstring>

#include "schema/module_paths.hpp"
#include "storage/keys.hpp"
#include "storage/symbol_index.hpp"

namespace cg {
namespace {
const std::vector<uint32_t> empty_list;

std::string_view basename_of(std::string_view p) {
  auto slash = p.find_last_of('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

std::string_view last_segment(std::string_view m) {
  size_t cut = m.find_last_of(".:/");
  return cut == std::string_view::npos ? m : m.substr(cut + 1);
}

std::string module_of(const symbol& s) {
  switch (s.lang) {
    case language::python: return python_module_path(s.file);
    case language::javascript:
    case language::jsx:
    case language::typescript:
    case language::tsx: return js_module_path(s.file);
    case language::rust: return rust_module_path(s.file);
    default: return {};
  }
}

// Every index lists its symbols in one order that depends on the source alone (file,
// line, kind, qualified name; the hashed id only between otherwise equal ones), never on
// load or insertion order: a lookup that takes the first match answers the same for
// every project name and for an incremental run as for a fresh one.
bool before(const symbol& a, const symbol& b) {
  if (a.file != b.file) return a.file < b.file;
  if (a.line != b.line) return a.line < b.line;
  if (a.kind != b.kind) return a.kind < b.kind;
  if (a.qualified_name != b.qualified_name) return a.qualified_name < b.qualified_name;
  return a.id < b.id;
}

template <class Map, class Key>
void erase_from(Map& m, const Key& key, uint32_t idx) {
  auto it = m.find(key);
  if (it == m.end()) return;
  std::erase(it->second, idx);
  if (it->second.empty()) m.erase(it);
}

symbol symbol_of(const node& n) {
  symbol s;
  s.id = n.id;
  s.parent = n.parent;
  s.kind = n.kind;
  s.lang = n.lang;
  s.modifiers = n.modifiers;
  s.line = n.name_pos.line;
  s.name = n.name;
  s.qualified_name = n.qualified_name;
  s.file = n.file;
  s.type_name = n.type_name;
  return s;
}
}  // namespace

std::string_view symbol_table::intern(std::string_view s) {
  if (s.empty()) return {};
  if (chunk_used_ + s.size() > chunk_size_) {
    chunk_size_ = std::max<size_t>(1 << 20, s.size());
    chunks_.push_back(std::make_unique<char[]>(chunk_size_));
    chunk_used_ = 0;
  }
  char* dst = chunks_.back().get() + chunk_used_;
  std::memcpy(dst, s.data(), s.size());
  chunk_used_ += s.size();
  return {dst, s.size()};
}

void symbol_table::place(std::vector<uint32_t>& list, uint32_t idx) {
  if (bulk_) return list.push_back(idx);  // sorted once at the end of load()
  auto at = std::upper_bound(list.begin(), list.end(), idx,
                             [this](uint32_t a, uint32_t b) { return before(symbols_[a], symbols_[b]); });
  list.insert(at, idx);
}

void symbol_table::sort_indexes() {
  auto by_source = [this](uint32_t a, uint32_t b) { return before(symbols_[a], symbols_[b]); };
  auto sort_map = [&](auto& m) {
    for (auto& [key, list] : m) std::sort(list.begin(), list.end(), by_source);
  };
  sort_map(by_name_);
  sort_map(by_top_name_);
  sort_map(by_qname_);
  sort_map(by_file_);
  sort_map(by_dir_);
  sort_map(by_module_);
  sort_map(by_basename_);
  sort_map(children_);
}

void symbol_table::add(const symbol& in) {
  symbol s = in;
  s.name = intern(in.name);
  s.qualified_name = s.name == in.qualified_name ? s.name : intern(in.qualified_name);
  auto f = by_file_.find(in.file);
  s.file = f != by_file_.end() ? f->first : intern(in.file);
  s.type_name = intern(in.type_name);
  auto idx = static_cast<uint32_t>(symbols_.size());
  symbols_.push_back(s);
  by_id_.emplace(s.id, idx);
  place(by_name_[s.name], idx);
  place(by_qname_[s.qualified_name], idx);
  place(by_file_[s.file], idx);
  if (s.modifiers & modifier::manual) manual_.insert(idx);
  if (s.parent) place(children_[s.parent], idx);
  if (s.kind == node_kind::file) {
    place(by_dir_[directory_of(s.file)], idx);
    place(by_basename_[basename_of(s.file)], idx);
    std::string module = module_of(s);
    if (!module.empty()) {
      auto m = intern(module);
      place(by_module_[m], idx);
      auto last = last_segment(m);
      if (last.size() != m.size()) place(by_basename_[last], idx);
    }
  }
}

result<std::unique_ptr<symbol_table>> symbol_table::load(const read_view& view, uint32_t proj) {
  auto t = std::make_unique<symbol_table>();
  auto prefix = keys::index_tag_prefix(proj, keys::tag_name);
  symbol_entry e;
  auto cur = view.scan(column::idx, prefix);
  t->bulk_ = true;
  for (; cur.valid(); cur.next()) {
    if (auto s = decode_symbol_entry(cur.key(), cur.value(), e); !s.ok()) return s.err();
    symbol sym;
    sym.id = e.id;
    sym.parent = e.parent;
    sym.kind = e.kind;
    sym.lang = e.lang;
    sym.modifiers = e.modifiers;
    sym.line = e.line;
    sym.name = e.name;
    sym.qualified_name = e.qualified_name;
    sym.file = e.file;
    sym.type_name = e.type_name;
    t->add(sym);
  }
  if (auto s = cur.status_of(); !s.ok()) return s.err();
  t->link_parents();
  t->sort_indexes();
  t->bulk_ = false;
  return t;
}

std::unique_ptr<symbol_table> symbol_table::empty_for_filling() {
  auto t = std::make_unique<symbol_table>();
  t->bulk_ = true;
  return t;
}

void symbol_table::settle() {
  if (!bulk_) return;
  sort_indexes();
  bulk_ = false;
}

void symbol_table::link(uint32_t i) {
  auto& s = symbols_[i];
  if (!s.parent) return;
  auto it = by_id_.find(s.parent);
  if (it == by_id_.end()) return;
  s.parent_index = it->second;
  auto pk = symbols_[it->second].kind;
  if (pk == node_kind::file || is_container(pk)) place(by_top_name_[s.name], i);
}

void symbol_table::link_parents() {
  for (uint32_t i = 0; i < symbols_.size(); ++i) link(i);
}

// The symbols a write of `path` replaces: a parsed file's own, or for the virtual
// file of manual nodes every manual node (whatever file each names).
void symbol_table::remove_file(std::string_view path) {
  // Removal finds entries in sorted lists: a filling table settles first, when it has
  // something to remove.
  if (bulk_ && (path == manual_path ? !manual_.empty() : by_file_.contains(path))) settle();
  std::vector<uint32_t> gone;
  if (path == manual_path) {
    gone.assign(manual_.begin(), manual_.end());
  } else if (auto f = by_file_.find(path); f != by_file_.end()) {
    for (auto idx : f->second)
      if (!(symbols_[idx].modifiers & modifier::manual)) gone.push_back(idx);
  }
  for (auto idx : gone) unlink(idx);
}

void symbol_table::unlink(uint32_t idx) {
  auto& s = symbols_[idx];
  erase_from(by_file_, s.file, idx);
  erase_from(by_name_, s.name, idx);
  erase_from(by_qname_, s.qualified_name, idx);
  erase_from(by_top_name_, s.name, idx);
  if (s.parent) erase_from(children_, s.parent, idx);
  if (auto it = by_id_.find(s.id); it != by_id_.end() && it->second == idx) by_id_.erase(it);
  if (s.kind == node_kind::file) {
    erase_from(by_dir_, directory_of(s.file), idx);
    erase_from(by_basename_, basename_of(s.file), idx);
    std::string module = module_of(s);
    if (!module.empty()) {
      erase_from(by_module_, std::string_view(module), idx);
      auto last = last_segment(module);
      if (last.size() != module.size()) erase_from(by_basename_, last, idx);
    }
  }
  // Its own children list (children live in their parent's file).
  children_.erase(s.id);
  manual_.erase(idx);
  s = symbol{};  // dead: id 0
  ++dead_;
}

void symbol_table::upsert(const node& n) {
  if (n.id == 0) return;
  settle();
  erase(n.id);
  add(symbol_of(n));
  link(static_cast<uint32_t>(symbols_.size() - 1));
}

void symbol_table::erase(node_id id) {
  settle();
  if (auto it = by_id_.find(id); it != by_id_.end()) unlink(it->second);
}

void symbol_table::replace_file(std::string_view path, std::span<const node> nodes) {
  remove_file(path);
  auto first = static_cast<uint32_t>(symbols_.size());
  for (const auto& n : nodes) {
    if (n.id == 0) continue;
    add(symbol_of(n));
  }
  for (auto i = first; i < symbols_.size(); ++i) link(i);
}

const symbol* symbol_table::find(node_id id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &symbols_[it->second];
}

#define CG_LOOKUP(map, key)               \
  auto it = map.find(key);                \
  if (it == map.end()) return empty_list; \
  return it->second;

std::span<const uint32_t> symbol_table::named(std::string_view name) const {
    CG_LOOKUP(by_name_, name)} std::span<const uint32_t> symbol_table::top_level_named(std::string_view n) const {
    CG_LOOKUP(by_top_name_, n)} std::span<const uint32_t> symbol_table::qualified(std::string_view q) const {
    CG_LOOKUP(by_qname_, q)} std::span<const uint32_t> symbol_table::children(node_id parent) const {
    CG_LOOKUP(children_, parent)} std::span<const uint32_t> symbol_table::in_file(std::string_view path) const {
    CG_LOOKUP(by_file_, path)} std::span<const uint32_t> symbol_table::files_in_dir(std::string_view dir) const {
  CG_LOOKUP(by_dir_, dir)
}
#undef CG_LOOKUP

const symbol* symbol_table::file_node(std::string_view path) const {
  for (auto i : in_file(path))
    if (symbols_[i].kind == node_kind::file) return &symbols_[i];
  return nullptr;
}

std::vector<uint32_t> symbol_table::files_for_module(std::string_view module, language lang) const {
  std::vector<uint32_t> out;
  auto sep = lang == language::rust ? std::string_view("::") : lang == language::python ? "." : "/";
  auto matches_lang = [&](const symbol& s) {
    bool js = [](language l) {
      return l == language::javascript || l == language::jsx || l == language::typescript || l == language::tsx;
    }(lang);
    if (js)
      return s.lang == language::javascript || s.lang == language::jsx || s.lang == language::typescript ||
             s.lang == language::tsx;
    return s.lang == lang;
  };
  if (auto it = by_module_.find(module); it != by_module_.end())
    for (auto i : it->second)
      if (matches_lang(symbols_[i])) out.push_back(i);
  if (!out.empty()) return out;
  // Suffix match: the project root may sit above the package root.
  auto last = last_segment(module);
  if (auto it = by_basename_.find(last); it != by_basename_.end()) {
    for (auto i : it->second) {
      const auto& s = symbols_[i];
      if (!matches_lang(s)) continue;
      std::string m;
      switch (s.lang) {
        case language::python: m = python_module_path(s.file); break;
        case language::rust: m = rust_module_path(s.file); break;
        default: m = js_module_path(s.file); break;
      }
      if (m.size() > module.size() && m.ends_with(module) &&
          std::string_view(m).substr(m.size() - module.size() - sep.size(), sep.size()) == sep)
        out.push_back(i);
    }
  }
  return out;
}

std::vector<uint32_t> symbol_table::files_ending_with(std::string_view tail) const {
  std::vector<uint32_t> out;
  auto it = by_basename_.find(basename_of(tail));
  if (it == by_basename_.end()) return out;
  for (auto i : it->second) {
    auto f = symbols_[i].file;
    if (f == tail || (f.size() > tail.size() && f.ends_with(tail) && f[f.size() - tail.size() - 1] == '/'))
      out.push_back(i);
  }
  return out;
}

}  // namespace cg
