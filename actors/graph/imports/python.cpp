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

resolver::target resolver::import_python(const raw_import& imp) {
  std::string module = python_absolute(path_, imp);
  const symbol* f = module_file(module);
  if (imp.name.empty() || imp.name == "*") {
    if (f) return imported(f);
    return imp.level == 0 ? external_target() : target{};
  }
  if (f)
    if (auto c = child_named(f, imp.name, want::any)) return imported(c);
  if (auto sub = module_file(module.empty() ? imp.name : module + "." + imp.name)) return imported(sub);
  return !f && imp.level == 0 ? external_target() : target{};
}

}  // namespace cg
