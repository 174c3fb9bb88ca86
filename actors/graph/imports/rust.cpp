// Rust `use` paths: crate::, self:: and super:: are absolute against the module that
// holds the `use` (the file's, or an inline `mod tests { use super::*; }`); others are
// tried relative to that module, then to the crate root, then as written (another
// crate of the project). Each candidate may name a definition, a module (a file or an
// inline `mod`), a member of a type (`Type::Variant`, `module::Type::method`), or a
// name another module re-exports (`pub use self::sse2::*`, `pub use crate::a::B`),
// followed through the import nodes' recorded paths. Crates the project lacks (std,
// core, alloc, dependencies) are external.
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/hash.hpp"
#include "schema/module_paths.hpp"

namespace cg {
using resolve_util::rust_absolute;
using resolve_util::split_path;

namespace {
constexpr int max_rust_hops = 6;  // re-export chains followed at most this deep
}

std::string resolver::rust_module_of(const symbol* s) const {
  for (; s; s = symbols_.parent_of(*s)) {
    if (s->kind == node_kind::module) return std::string(s->qualified_name);
    if (s->kind == node_kind::file) return rust_module_path(s->file);
  }
  return refs_ ? refs_->module_path : std::string();
}

std::vector<std::string> resolver::rust_paths(const std::string& module, const std::string& full) const {
  if (full.starts_with("::")) return {full.substr(2)};  // ::alloc::vec, extern crate alloc
  auto head = full.substr(0, full.find("::"));
  if (head == "crate" || head == "self" || head == "super") return {rust_absolute(module, full)};
  std::vector<std::string> out{module + "::" + full};
  auto crate = module.substr(0, module.find("::"));
  if (crate != module) out.push_back(crate + "::" + full);
  out.push_back(full);
  return out;
}

// What an absolute path names: a definition, a module file, else a member of what its
// owner path names (a type's member, or a module's own or re-exported name).
const symbol* resolver::rust_lookup(const std::string& abs, want w, int depth) {
  if (depth > max_rust_hops) return nullptr;
  auto parts = split_path(abs);
  if (parts.empty()) return nullptr;
  if (auto b = best(symbols_.qualified(abs), parts.back(), w)) {
    // `mod simd;` declares a module whose items are in simd.rs or simd/mod.rs.
    if (b->kind == node_kind::module && (b->modifiers & modifier::declaration))
      if (auto f = module_file(abs)) return f;
    return b;
  }
  if (w == want::any)
    if (auto f = module_file(abs)) return f;
  if (parts.size() < 2) return nullptr;
  const symbol* owner = rust_lookup(resolve_util::join(parts, "::", 0, parts.size() - 1), want::any, depth + 1);
  if (!owner) return nullptr;
  if (is_type(owner->kind)) return member_of(owner, parts.back(), w);
  return rust_member(owner, parts.back(), w, depth + 1);
}

// A name of a module: its own definition, else what a `use` in it binds to that name,
// else what one of its glob imports brings in. Memoised per run; an entry being
// computed reads as nothing, so a cycle of globs ends.
const symbol* resolver::rust_member(const symbol* module, std::string_view name, want w, int depth) {
  if (!module) return nullptr;
  if (auto c = child_named(module, name, w)) return c;
  if (depth > max_rust_hops || (module->kind != node_kind::file && module->kind != node_kind::module)) return nullptr;
  std::string key = format_id(module->id);
  key.push_back(static_cast<char>('0' + static_cast<int>(w)));
  key.append(name);
  if (auto it = rust_member_memo_.find(key); it != rust_member_memo_.end()) return it->second;
  rust_member_memo_.emplace(key, nullptr);
  const symbol* found = nullptr;
  auto fits = [&](const symbol* s) { return s && (suits(*s, w) || (w == want::any && s->kind == node_kind::file)); };
  auto kids = symbols_.children(module->id);
  auto same = symbols_.named(name);
  for (auto i : kids.size() <= same.size() ? kids : same) {  // the shorter list
    const auto& imp = symbols_.at(i);
    if (imp.kind != node_kind::import || imp.parent != module->id || imp.name != name) continue;
    if (auto t = rust_use(&imp, w, depth + 1); fits(t)) {
      found = t;
      break;
    }
  }
  if (!found)
    for (auto i : kids) {
      const auto& glob = symbols_.at(i);
      if (glob.kind != node_kind::import || glob.name != "*") continue;
      const symbol* from = rust_use(&glob, want::any, depth + 1);
      if (!from || from == module) continue;
      found = is_type(from->kind) ? child_named(from, name, w) : rust_member(from, name, w, depth + 1);
      if (fits(found)) break;
      found = nullptr;
    }
  rust_member_memo_[key] = found;
  return found;
}

// What an import node of any file names, from the path it recorded ("use:PATH").
const symbol* resolver::rust_use(const symbol* imp, want w, int depth) {
  if (!imp->type_name.starts_with("use:")) return nullptr;
  std::string full(imp->type_name.substr(4));
  for (const auto& abs : rust_paths(rust_module_of(imp), full))
    if (auto s = rust_lookup(abs, w, depth)) return s;
  return nullptr;
}

// `impl Model { fn weight() }` in ops.rs for a Model of model.rs: the method is named
// ops::Model::weight and parented by ops.rs. Found by the type's simple name within
// its crate; when impls of several modules match, the types may differ: none is taken.
const symbol* resolver::rust_impl_elsewhere(const symbol* type, std::string_view name, want w) {
  std::string key = format_id(type->id);
  key.push_back(static_cast<char>('0' + static_cast<int>(w)));
  key.append(name);
  if (auto it = rust_impl_memo_.find(key); it != rust_impl_memo_.end()) return it->second;
  const symbol* pick = find_impl_elsewhere(type, name, w);
  rust_impl_memo_.emplace(std::move(key), pick);
  return pick;
}

const symbol* resolver::find_impl_elsewhere(const symbol* type, std::string_view name, want w) const {
  std::string tail = "::" + std::string(type->name) + "::" + std::string(name);
  std::string_view crate = type->qualified_name.substr(0, type->qualified_name.find("::"));
  const symbol* pick = nullptr;
  for (auto i : symbols_.named(name)) {
    const auto& s = symbols_.at(i);
    if (s.lang != language::rust || !suits(s, w) || !s.qualified_name.ends_with(tail)) continue;
    if (!s.qualified_name.starts_with(crate) || s.qualified_name.substr(crate.size(), 2) != "::") continue;
    const symbol* parent = symbols_.parent_of(s);
    if (!parent || is_type(parent->kind)) continue;  // a method of a type of its own module
    if (pick && pick->qualified_name != s.qualified_name) return nullptr;
    if (!pick || (pick->modifiers & modifier::declaration)) pick = &s;
  }
  return pick;
}

resolver::target resolver::import_rust(const raw_import& imp) {
  std::string full = imp.module.empty() ? imp.name : imp.module + "::" + imp.name;
  if (imp.name == "*") full = imp.module;
  const symbol* node = symbols_.find(imp.source);
  if (node && node->type_name.starts_with("use:")) full = node->type_name.substr(4);  // ::crate for extern crate
  auto head = full.substr(full.starts_with("::") ? 2 : 0);
  head = head.substr(0, head.find("::"));
  bool absolute = head == "crate" || head == "self" || head == "super";
  for (const auto& abs : rust_paths(rust_module_of(node), full))
    if (auto s = rust_lookup(abs, want::any, 0)) return imported(s);
  bool crate_in_project = absolute || !symbols_.files_for_module(head, language::rust).empty();
  return crate_in_project ? target{} : external_target();
}

}  // namespace cg
