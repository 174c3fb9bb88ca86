// Rust `use` paths: crate::, self:: and super:: are absolute against the file's
// module; others are tried relative to this module, then to the crate root, then as
// written (another crate of the project). Each candidate may name a definition, a
// module file, or a member of a type (`Type::Variant`, `module::Type::method`). Crates
// the project lacks (std, core, alloc, dependencies) are external.
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"

namespace cg {
using resolve_util::rust_absolute;
using resolve_util::split_path;

// One absolute candidate: a definition, a module file, or a member of its owner type.
const symbol* resolver::rust_candidate(const std::string& abs, std::string_view name) {
  if (auto b = best(symbols_.qualified(abs), name, want::any)) return b;
  if (auto f = module_file(abs)) return f;
  auto parts = split_path(abs);
  if (parts.size() < 2) return nullptr;
  std::string owner = resolve_util::join(parts, "::", 0, parts.size() - 1);
  for (auto i : symbols_.qualified(owner))
    if (is_type(symbols_.at(i).kind))
      if (auto m = member_of(&symbols_.at(i), parts.back(), want::any)) return m;
  return nullptr;
}

resolver::target resolver::import_rust(const raw_import& imp) {
  std::string full = imp.module.empty() ? imp.name : imp.module + "::" + imp.name;
  if (imp.name == "*") full = imp.module;
  std::vector<std::string> candidates;
  auto head = full.substr(0, full.find("::"));
  bool absolute = head == "crate" || head == "self" || head == "super";
  if (absolute) {
    candidates.push_back(rust_absolute(refs_->module_path, full));
  } else {
    candidates.push_back(refs_->module_path + "::" + full);
    auto crate = refs_->module_path.substr(0, refs_->module_path.find("::"));
    if (crate != refs_->module_path) candidates.push_back(crate + "::" + full);
    candidates.push_back(full);
  }
  for (const auto& abs : candidates)
    if (auto s = rust_candidate(abs, imp.name)) return imported(s);
  bool crate_in_project = absolute || !symbols_.files_for_module(head, language::rust).empty();
  return crate_in_project ? target{} : external_target();
}

}  // namespace cg
