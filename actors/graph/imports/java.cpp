// Java imports: a type by its qualified name, a package or type on demand (`pkg.*`),
// or a static import of a member (`import static pkg.T.m`). Others are external.
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"

namespace cg {

resolver::target resolver::import_java(const raw_import& imp) {
  if (imp.name == "*") {
    for (auto i : symbols_.qualified(imp.module))
      if (symbols_.at(i).kind == node_kind::package || is_type(symbols_.at(i).kind)) return imported(&symbols_.at(i));
    return external_target();
  }
  std::string q = imp.module.empty() ? imp.name : imp.module + "." + imp.name;
  if (auto b = best(symbols_.qualified(q), imp.name, want::any)) return imported(b);
  // A static import of a member: the module is the class.
  for (auto i : symbols_.qualified(imp.module))
    if (is_type(symbols_.at(i).kind)) {
      if (auto m = member_of(&symbols_.at(i), imp.name, want::any)) return imported(m);
      break;
    }
  return external_target();
}

}  // namespace cg
