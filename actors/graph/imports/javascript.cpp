// JavaScript and TypeScript imports: relative specifiers against the file ("./x.js"
// meaning x.ts in TypeScript sources, directory index files); bare specifiers are
// packages from node_modules (external). `default` is the default export, else the
// first exported definition.
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/module_paths.hpp"

namespace cg {

using resolve_util::normalize_path;

resolver::target resolver::import_javascript(const raw_import& imp) {
  if (imp.level == 0 && !imp.module.starts_with("/")) return external_target();
  std::string base = normalize_path(std::string(directory_of(path_)) + "/" + imp.module);
  std::string stem = base;
  for (std::string_view ext : {".js", ".jsx", ".mjs", ".cjs"})
    if (stem.ends_with(ext)) {
      stem.resize(stem.size() - ext.size());
      break;
    }
  const symbol* f = symbols_.file_node(base);
  for (std::string_view ext : {".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs"}) {
    if (f) break;
    f = symbols_.file_node(stem + std::string(ext));
  }
  for (std::string_view ext : {"/index.ts", "/index.tsx", "/index.js", "/index.jsx"}) {
    if (f) break;
    f = symbols_.file_node(stem + std::string(ext));
  }
  if (!f) return {};
  if (imp.name.empty() || imp.name == "*") return imported(f);
  if (imp.name == "default") {
    const symbol* d = child_named(f, "default", want::any);
    if (!d)
      for (auto i : symbols_.children(f->id)) {
        const auto& s = symbols_.at(i);
        if ((s.modifiers & modifier::exported) && s.kind != node_kind::import && s.line > 0) {
          d = &s;
          break;
        }
      }
    return imported(d ? d : f);
  }
  const symbol* c = child_named(f, imp.name, want::any);
  return imported(c ? c : f);
}

}  // namespace cg
