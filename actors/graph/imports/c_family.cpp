// C and C++: `#include` (beside the including file, then the project file whose path
// ends the same way and shares the longest directory prefix; <system> headers the
// project lacks are external), using-declarations and directives, and namespace
// aliases (std:: is external).
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/module_paths.hpp"

namespace cg {

using resolve_util::common_prefix;
using resolve_util::normalize_path;

resolver::target resolver::import_c_family(const raw_import& imp) {
  if (imp.alias.empty() && imp.name.empty()) {  // #include
    std::string rel = normalize_path(std::string(directory_of(path_)) + "/" + imp.module);
    if (auto f = symbols_.file_node(rel)) return imported(f);
    const symbol* pick = nullptr;
    size_t score = 0;
    for (auto i : symbols_.files_ending_with(imp.module)) {
      size_t s = common_prefix(symbols_.at(i).file, path_) + 1;
      if (!pick || s > score) {
        pick = &symbols_.at(i);
        score = s;
      }
    }
    if (pick) return imported(pick);
    return imp.level == 0 ? external_target() : target{};
  }
  // using ns::name; using namespace ns; namespace alias = ns; (no name)
  if (imp.module == "std" || imp.module.starts_with("std::")) return external_target();
  std::string q = imp.name == "*" || imp.name.empty() ? imp.module : imp.module + "::" + imp.name;
  return imported(best(symbols_.qualified(q), imp.name, want::any));
}

}  // namespace cg
