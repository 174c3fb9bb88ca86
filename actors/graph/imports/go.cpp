// Go imports: an import path names a package directory: inside the project as
// written, under a domain-prefixed module path whose tail is a project directory, or
// with the project root above the path. Paths the project lacks are external.
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/module_paths.hpp"

namespace cg {

// The package node of the directory an import path ends in, anywhere in the project.
resolver::target resolver::go_package_by_directory(const raw_import& imp) {
  auto base =
      imp.module.substr(imp.module.find_last_of('/') == std::string::npos ? 0 : imp.module.find_last_of('/') + 1);
  for (auto i : symbols_.named(base)) {
    const auto& s = symbols_.at(i);
    if (s.kind != node_kind::package || s.lang != language::go) continue;
    auto dir = directory_of(s.file);
    if (dir == imp.module ||
        (dir.size() > imp.module.size() && dir.ends_with(imp.module) && dir[dir.size() - imp.module.size() - 1] == '/'))
      return imported(&s);
  }
  return external_target();
}

resolver::target resolver::import_go(const raw_import& imp) {
  std::vector<uint32_t> files;
  for (auto i : symbols_.files_in_dir(imp.module)) files.push_back(i);
  // example.com/shop/money inside module example.com/shop lives in money/: when the
  // path starts with a domain, try ever shorter suffixes as directories.
  auto first = imp.module.substr(0, imp.module.find('/'));
  if (files.empty() && first.find('.') != std::string::npos) {
    std::string_view rest = imp.module;
    while (files.empty()) {
      auto slash = rest.find('/');
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
      for (auto i : symbols_.files_in_dir(rest)) files.push_back(i);
    }
  }
  if (files.empty())  // the project root sits above the import path
    for (auto i : symbols_.files_ending_with(std::string(imp.module) + "/")) files.push_back(i);
  if (files.empty()) return go_package_by_directory(imp);
  // The package clause of the directory's files (the last file's, as they agree).
  const symbol* package = nullptr;
  for (auto f : files)
    for (auto c : symbols_.children(symbols_.at(f).id))
      if (symbols_.at(c).kind == node_kind::package) {
        package = &symbols_.at(c);
        break;
      }
  return imported(package ? package : &symbols_.at(files.front()));
}

}  // namespace cg
