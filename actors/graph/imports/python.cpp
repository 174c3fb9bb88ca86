// Python imports: `import a.b`, `from . import x`, `from .m import *`. Relative imports
// are made absolute against the file; then the module's file, a name in it, or a
// submodule. Absolute modules the project lacks are external.
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/module_paths.hpp"

namespace cg {
namespace {

// The absolute module an import names (relative imports resolved against the file).
std::string python_absolute(std::string_view file, const raw_import& imp) {
  if (imp.level == 0) return imp.module;
  auto parts = resolve_util::split_words(python_module_path(file), ".");
  bool is_init = file.ends_with("__init__.py") || file.ends_with("__init__.pyi");
  if (!is_init && !parts.empty()) parts.pop_back();
  for (int k = 1; k < imp.level && !parts.empty(); ++k) parts.pop_back();
  if (!imp.module.empty()) parts.push_back(imp.module);
  return resolve_util::join_words(parts, ".");
}

}  // namespace

// A package's __init__ that imports a name from one of its modules (from .impl import
// helper, from .impl import *) re-exports it: the definition in a module of that
// package, when exactly one of them defines the name.
const symbol* resolver::python_reexport(const symbol* init, std::string_view name) {
  if (!init->file.ends_with("__init__.py") && !init->file.ends_with("__init__.pyi")) return nullptr;
  bool imports_it = false;
  for (auto i : symbols_.children(init->id)) {
    const auto& c = symbols_.at(i);
    if (c.kind == node_kind::import && (c.name == name || c.name == "*")) imports_it = true;
  }
  if (!imports_it) return nullptr;
  const symbol* found = nullptr;
  for (auto f : symbols_.files_in_dir(directory_of(init->file))) {
    const symbol* file = &symbols_.at(f);
    if (file == init) continue;
    if (const symbol* c = child_named(file, name, want::any)) {
      if (found) return nullptr;  // two modules define it: not ours to choose
      found = c;
    }
  }
  return found;
}

const symbol* resolver::import_child(const symbol* file, std::string_view name) const {
  for (auto i : symbols_.named(name)) {
    const auto& c = symbols_.at(i);
    if (c.kind == node_kind::import && c.parent == file->id && c.type_name.starts_with("import:")) return &c;
  }
  return nullptr;
}

// What another file's import binds, from the "import:MODULE[:NAME]" its extractor
// recorded: a module, a definition in it, a submodule, or (through further imports)
// a definition elsewhere; modules outside the project make it external.
resolver::target resolver::follow_python_import(const symbol* imp, int depth) {
  std::string_view spec = imp->type_name.substr(7);
  if (depth > 6 || spec.empty()) return {};
  auto colon = spec.find(':');
  std::string module(spec.substr(0, colon));
  std::string_view name = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
  const symbol* f = module_file(module);
  if (name.empty()) return f ? imported(f) : external_target();
  if (f) return python_member(f, name, depth + 1, imp);
  if (auto sub = module_file(module + "." + std::string(name))) return imported(sub);
  return external_target();
}

// A name of a module as other code sees it: its definitions, what it imports by name,
// what its star imports bring in (os: from posix import *), what its package
// re-exports, its submodules. A star import of a module outside the project may
// define anything: then the name is external rather than unresolved.
resolver::target resolver::python_member(const symbol* file, std::string_view name, int depth, const symbol* from) {
  if (depth > 6) return {};
  if (auto c = child_named(file, name, want::any)) return imported(c);
  if (const symbol* via = import_child(file, name); via && via != from) {
    auto t = follow_python_import(via, depth + 1);
    if (t.sym || t.how == resolution::external) return t;
  }
  bool open_star = false;
  for (auto i : symbols_.named("*")) {
    const auto& star = symbols_.at(i);
    if (star.kind != node_kind::import || star.parent != file->id || !star.type_name.starts_with("import:")) continue;
    const symbol* m = module_file(std::string_view(star.type_name).substr(7));
    if (!m) {
      open_star = true;
      continue;
    }
    if (m == file) continue;
    auto t = python_member(m, name, depth + 1, &star);
    if (t.sym) return t;
    if (t.how == resolution::external) open_star = true;
  }
  if (auto re = python_reexport(file, name)) return imported(re);
  if (auto sub = module_file(std::string(python_module_path(file->file)) + "." + std::string(name)))
    return imported(sub);
  return open_star ? external_target() : target{};
}

resolver::target resolver::import_python(const raw_import& imp) {
  std::string module = python_absolute(path_, imp);
  const symbol* f = module_file(module);
  if (imp.name.empty() || imp.name == "*") {
    if (f) return imported(f);
    return imp.level == 0 ? external_target() : target{};
  }
  if (f) {
    auto t = python_member(f, imp.name, 0, nullptr);
    if (t.sym || t.how == resolution::external) return t;
  }
  if (auto sub = module_file(module.empty() ? imp.name : module + "." + imp.name)) return imported(sub);
  return !f && imp.level == 0 ? external_target() : target{};
}

}  // namespace cg
