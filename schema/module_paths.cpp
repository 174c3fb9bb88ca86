#include "schema/module_paths.hpp"

#include <vector>

namespace cg {

std::string python_module_path(std::string_view path) {
  std::string p(path);
  for (auto ext : {".pyi", ".pyw", ".py"})
    if (p.size() > std::string_view(ext).size() && p.ends_with(ext)) {
      p.resize(p.size() - std::string_view(ext).size());
      break;
    }
  for (auto& ch : p)
    if (ch == '/') ch = '.';
  if (p == "__init__") return "";
  if (p.ends_with(".__init__")) p.resize(p.size() - 9);
  return p;
}

std::string rust_module_path(std::string_view path) {
  std::string p(path);
  if (p.ends_with(".rs")) p.resize(p.size() - 3);
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= p.size()) {
    auto slash = p.find('/', pos);
    parts.push_back(p.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  // crate/src/a/b.rs -> crate::a::b ; the last "src" component marks the crate root.
  size_t src = parts.size();
  for (size_t i = parts.size(); i-- > 0;)
    if (parts[i] == "src") {
      src = i;
      break;
    }
  // A crate rooted at the project root has no directory name: it is "crate".
  std::vector<std::string> mod;
  if (src < parts.size()) {
    mod.push_back(src > 0 ? parts[src - 1] : std::string("crate"));
    for (size_t i = src + 1; i < parts.size(); ++i) mod.push_back(parts[i]);
  } else if (parts.size() == 1) {
    mod.push_back("crate");
    mod.push_back(parts[0]);
  } else {
    mod = parts;
  }
  if (mod.size() > 1 && (mod.back() == "mod" || mod.back() == "lib" || mod.back() == "main")) mod.pop_back();
  std::string out;
  for (const auto& m : mod) {
    if (m.empty()) continue;
    if (!out.empty()) out += "::";
    for (char ch : m) out.push_back(ch == '-' ? '_' : ch);
  }
  return out;
}

std::string js_module_path(std::string_view path) {
  std::string p(path);
  for (auto ext : {".d.ts", ".tsx", ".ts", ".mts", ".cts", ".jsx", ".js", ".mjs", ".cjs"}) {
    std::string_view e(ext);
    if (p.size() > e.size() && p.ends_with(e)) {
      p.resize(p.size() - e.size());
      break;
    }
  }
  return p;
}

std::string_view directory_of(std::string_view path) {
  auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

std::string_view qualifier_separator(language lang) {
  switch (lang) {
    case language::rust:
    case language::c:
    case language::cpp: return "::";
    default: return ".";
  }
}

}  // namespace cg
