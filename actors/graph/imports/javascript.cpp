// JavaScript and TypeScript imports: relative specifiers against the file ("./x.js"
// meaning x.ts in TypeScript sources, directory index files); bare specifiers are
// packages from node_modules (external). `default` is the default export, else the
// first exported definition.
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/module_paths.hpp"

namespace cg {

using resolve_util::normalize_path;

// The file a module path names: itself, with a source extension ("./x.js" meaning x.ts
// in TypeScript sources), or a directory's index file.
const symbol* resolver::js_module_file(const std::string& base) const {
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
  return f;
}

// A name a module exports: its own definition, else what it re-exports (export { x }
// from './impl', export * from './impl'), followed to the defining module.
const symbol* resolver::js_export(const symbol* file, std::string_view name, int depth) const {
  if (const symbol* c = child_named(file, name, want::any)) return c;
  if (depth > 6) return nullptr;
  for (auto i : symbols_.children(file->id)) {
    const auto& imp = symbols_.at(i);
    if (imp.kind != node_kind::import || !imp.type_name.starts_with("import:")) continue;
    if (imp.name != name && imp.name != "*") continue;
    std::string_view spec = std::string_view(imp.type_name).substr(7);
    auto colon = spec.rfind(':');
    if (colon == std::string_view::npos) continue;
    std::string_view original = spec.substr(colon + 1);
    const symbol* from = js_module_file(normalize_path(std::string(spec.substr(0, colon))));
    if (!from || from == file) continue;
    if (const symbol* d = js_export(from, imp.name == "*" ? name : original, depth + 1)) return d;
  }
  return nullptr;
}

resolver::target resolver::import_javascript(const raw_import& imp) {
  if (imp.level == 0 && !imp.module.starts_with("/")) return external_target();
  const symbol* f = js_module_file(normalize_path(std::string(directory_of(path_)) + "/" + imp.module));
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
  const symbol* c = js_export(f, imp.name, 0);
  return imported(c ? c : f);
}

}  // namespace cg
