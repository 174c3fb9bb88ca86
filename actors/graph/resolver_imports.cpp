// What an import statement names (dispatched to one file per language under
// imports/), and how dotted or :: paths in qualifiers resolve to files, packages,
// namespaces and types.
#include "actors/graph/builtins.hpp"
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/module_paths.hpp"

namespace cg {

using namespace resolve_util;

const symbol* resolver::module_file(std::string_view module) const {
  auto files = symbols_.files_for_module(module, lang_);
  const symbol* pick = nullptr;
  size_t score = 0;
  for (auto i : files) {
    const auto& f = symbols_.at(i);
    size_t s = common_prefix(f.file, path_) + 1;
    if (!pick || s > score) {
      pick = &f;
      score = s;
    }
  }
  return pick;
}

resolver::target resolver::resolve_import(size_t index) {
  if (auto it = import_cache_.find(index); it != import_cache_.end()) return it->second;
  const auto& imp = refs_->imports[index];
  target t;
  switch (lang_) {
    case language::python: t = import_python(imp); break;
    case language::javascript:
    case language::jsx:
    case language::typescript:
    case language::tsx: t = import_javascript(imp); break;
    case language::go: t = import_go(imp); break;
    case language::java: t = import_java(imp); break;
    case language::rust: t = import_rust(imp); break;
    case language::c:
    case language::cpp: t = import_c_family(imp); break;
    case language::unknown: break;
  }
  import_cache_[index] = t;
  return t;
}

// "os.path", "pkg", "ns::Type", "crate::io", "Outer.Inner": what the path names.
resolver::target resolver::resolve_path(std::string_view path, const symbol* source) {
  auto parts = split_path(path);
  if (parts.empty()) return {};
  // A whole-module import: `import os.path` then `os.path.join()`.
  for (size_t i = 0; i < refs_->imports.size(); ++i) {
    const auto& imp = refs_->imports[i];
    if (imp.name.empty() && imp.module == path && lang_ == language::python) {
      auto t = resolve_import(i);
      if (t.sym || t.how == resolution::external) return t;
    }
  }
  target cur;
  size_t next = 1;
  // The first component: an import alias, then a name in scope, then a qualified name.
  auto [lo, hi] = imports_by_alias_.equal_range(std::string(parts[0]));
  for (auto it = lo; it != hi && !cur.sym; ++it) {
    auto t = resolve_import(it->second);
    if (t.how == resolution::external) {
      cur = t;
      break;
    }
    if (t.sym) cur = {t.sym, resolution::import};
  }
  if (cur.how == resolution::external) return cur;
  if (!cur.sym && lang_ == language::rust && (parts[0] == "crate" || parts[0] == "self" || parts[0] == "super")) {
    if (auto s = rust_lookup(rust_absolute(rust_module_of(source), path), want::any, 0))
      return {s, resolution::package};
    return {};
  }
  if (!cur.sym && parts[0] == "Self") {
    if (auto t = enclosing_type(source)) cur = {t, resolution::member};
  }
  if (!cur.sym) {
    // Fully qualified names (java.util.List, ns::Type, core::iter::Map).
    std::string q = join(parts, sep_);
    if (auto b = best(symbols_.qualified(q), parts.back(), want::any)) return {b, resolution::package};
    // Relative to enclosing namespaces (C++/Rust/Java nested types).
    for (const symbol* s = source; s; s = symbols_.parent_of(*s)) {
      if (s->kind == node_kind::file) break;
      if (is_container(s->kind) || is_type(s->kind)) {
        std::string rel = std::string(s->qualified_name) + std::string(sep_) + q;
        if (auto b = best(symbols_.qualified(rel), parts.back(), want::any)) return {b, resolution::package};
      }
    }
    if (lang_ == language::python)
      if (auto f = module_file(q)) return {f, resolution::package};
    auto t = resolve_plain(parts[0], source, want::any);
    if (t.how == resolution::external) return t;
    if (!t.sym) {
      if (is_builtin_qualifier(lang_, path)) return {nullptr, resolution::external};
      return {};
    }
    cur = t;
  }
  for (; next < parts.size() && cur.sym; ++next) {
    const symbol* s = cur.sym;
    const symbol* step = nullptr;
    if (lang_ == language::rust && !is_type(s->kind)) {
      step = rust_member(s, parts[next], want::any, 0);
    } else if (s->kind == node_kind::file) {
      step = child_named(s, parts[next], want::any);
      if (!step && lang_ == language::python)
        step = module_file(python_module_path(s->file) + "." + std::string(parts[next]));
    } else if (is_type(s->kind)) {
      step = member_of(s, parts[next], want::any);
    } else if (s->kind == node_kind::package && lang_ == language::go) {
      for (auto f : symbols_.files_in_dir(directory_of(s->file)))
        if ((step = child_named(&symbols_.at(f), parts[next], want::any))) break;
    } else {
      step = child_named(s, parts[next], want::any);
    }
    cur.sym = step;
  }
  if (!cur.sym) return {};
  return cur;
}

}  // namespace cg
