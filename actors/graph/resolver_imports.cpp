// What an import statement names, per language, and how dotted or :: paths in
// qualifiers resolve to files, packages, namespaces and types.
#include "actors/graph/builtins.hpp"
#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/module_paths.hpp"

namespace cg {

using namespace resolve_util;

namespace {

std::vector<std::string> split_dots(std::string_view s, char sep = '.') {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    auto cut = s.find(sep, start);
    auto part = s.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start);
    if (!part.empty()) out.emplace_back(part);
    if (cut == std::string_view::npos) break;
    start = cut + 1;
  }
  return out;
}

std::string join_strings(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

// Python: the absolute module an import names (relative imports resolved against the file).
std::string python_absolute(std::string_view file, const raw_import& imp) {
  if (imp.level == 0) return imp.module;
  auto parts = split_dots(python_module_path(file));
  bool is_init = file.ends_with("__init__.py") || file.ends_with("__init__.pyi");
  if (!is_init && !parts.empty()) parts.pop_back();
  for (int k = 1; k < imp.level && !parts.empty(); ++k) parts.pop_back();
  if (!imp.module.empty()) parts.push_back(imp.module);
  return join_strings(parts, ".");
}

// Rust: crate::, self::, super:: made absolute against the file's module path.
std::string rust_absolute(std::string_view file_module, std::string_view path) {
  std::vector<std::string> mod;
  {
    size_t start = 0;
    while (start <= file_module.size()) {
      auto cut = file_module.find("::", start);
      auto part = file_module.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start);
      if (!part.empty()) mod.emplace_back(part);
      if (cut == std::string_view::npos) break;
      start = cut + 2;
    }
  }
  auto parts = split_path(path);
  std::vector<std::string> out;
  size_t i = 0;
  if (!parts.empty() && parts[0] == "crate") {
    if (!mod.empty()) out.push_back(mod[0]);
    i = 1;
  } else if (!parts.empty() && (parts[0] == "self" || parts[0] == "super")) {
    out = mod;
    while (i < parts.size() && (parts[i] == "self" || parts[i] == "super")) {
      if (parts[i] == "super" && !out.empty()) out.pop_back();
      ++i;
    }
  }
  for (; i < parts.size(); ++i) out.emplace_back(parts[i]);
  return join_strings(out, "::");
}

}  // namespace

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
  auto found = [&](const symbol* s, resolution how = resolution::import) {
    t.sym = s;
    t.how = s ? how : resolution::unresolved;
  };
  auto external = [&] { t = {nullptr, resolution::external}; };

  switch (lang_) {
    case language::python: {
      std::string module = python_absolute(path_, imp);
      const symbol* f = module_file(module);
      if (imp.name.empty() || imp.name == "*") {
        if (f)
          found(f);
        else if (imp.level == 0)
          external();
        break;
      }
      if (f)
        if (auto c = child_named(f, imp.name, want::any)) {
          found(c);
          break;
        }
      if (auto sub = module_file(module.empty() ? imp.name : module + "." + imp.name)) {
        found(sub);
        break;
      }
      if (!f && imp.level == 0) external();
      break;
    }
    case language::javascript:
    case language::jsx:
    case language::typescript:
    case language::tsx: {
      if (imp.level == 0 && !imp.module.starts_with("/")) {
        external();  // a package from node_modules
        break;
      }
      std::string base = normalize_path(std::string(directory_of(path_)) + "/" + imp.module);
      std::string stem = base;
      for (std::string_view ext : {".js", ".jsx", ".mjs", ".cjs"})
        if (stem.ends_with(ext)) {
          stem.resize(stem.size() - ext.size());  // TS sources import "./x.js" meaning x.ts
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
      if (!f) break;
      if (imp.name.empty() || imp.name == "*") {
        found(f);
      } else if (imp.name == "default") {
        const symbol* d = child_named(f, "default", want::any);
        if (!d)
          for (auto i : symbols_.children(f->id)) {
            const auto& s = symbols_.at(i);
            if ((s.modifiers & modifier::exported) && s.kind != node_kind::import && s.line > 0) {
              d = &s;
              break;
            }
          }
        found(d ? d : f);
      } else {
        const symbol* c = child_named(f, imp.name, want::any);
        found(c ? c : f);
      }
      break;
    }
    case language::go: {
      std::vector<uint32_t> files;
      for (auto i : symbols_.files_in_dir(imp.module)) files.push_back(i);
      // example.com/shop/money inside module example.com/shop lives in money/: when
      // the path starts with a domain, try ever shorter suffixes as directories.
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
      if (files.empty()) {  // the project root sits above the import path
        auto tail = imp.module;
        for (auto i : symbols_.files_ending_with(std::string(tail) + "/")) files.push_back(i);
      }
      if (files.empty()) {
        // Find any .go file in a directory ending with the import path.
        auto base =
            imp.module.substr(imp.module.find_last_of('/') == std::string::npos ? 0 : imp.module.find_last_of('/') + 1);
        for (auto i : symbols_.named(base)) {
          const auto& s = symbols_.at(i);
          if (s.kind == node_kind::package && s.lang == language::go) {
            auto dir = directory_of(s.file);
            if (dir == imp.module || (dir.size() > imp.module.size() && dir.ends_with(imp.module) &&
                                      dir[dir.size() - imp.module.size() - 1] == '/')) {
              found(&s);
              break;
            }
          }
        }
        if (!t.sym) external();
        break;
      }
      for (auto f : files)
        for (auto c : symbols_.children(symbols_.at(f).id))
          if (symbols_.at(c).kind == node_kind::package) {
            found(&symbols_.at(c));
            break;
          }
      if (!t.sym) found(&symbols_.at(files.front()));
      break;
    }
    case language::java: {
      if (imp.name == "*") {
        for (auto i : symbols_.qualified(imp.module))
          if (symbols_.at(i).kind == node_kind::package || is_type(symbols_.at(i).kind)) {
            found(&symbols_.at(i));
            break;
          }
        if (!t.sym) external();
        break;
      }
      std::string q = imp.module.empty() ? imp.name : imp.module + "." + imp.name;
      if (auto b = best(symbols_.qualified(q), imp.name, want::any)) {
        found(b);
        break;
      }
      // static import of a member: module is the class
      for (auto i : symbols_.qualified(imp.module))
        if (is_type(symbols_.at(i).kind)) {
          if (auto m = member_of(&symbols_.at(i), imp.name, want::any)) found(m);
          break;
        }
      if (!t.sym) external();
      break;
    }
    case language::rust: {
      std::string full = imp.module.empty() ? imp.name : imp.module + "::" + imp.name;
      if (imp.name == "*") full = imp.module;
      // crate::, self::, super:: paths are absolute; others are tried relative to this
      // module, then to the crate root, then as written (another crate of the project).
      std::vector<std::string> candidates;
      auto head = full.substr(0, full.find("::"));
      if (head == "crate" || head == "self" || head == "super") {
        candidates.push_back(rust_absolute(refs_->module_path, full));
      } else {
        candidates.push_back(refs_->module_path + "::" + full);
        auto crate = refs_->module_path.substr(0, refs_->module_path.find("::"));
        if (crate != refs_->module_path) candidates.push_back(crate + "::" + full);
        candidates.push_back(full);
      }
      for (const auto& abs : candidates) {
        if (t.sym) break;
        if (auto b = best(symbols_.qualified(abs), imp.name, want::any)) {
          found(b);
          break;
        }
        if (auto f = module_file(abs)) {
          found(f);
          break;
        }
        // use Type::Variant / use module::Type::method
        auto parts = split_path(abs);
        if (parts.size() >= 2) {
          std::string owner = join(parts, "::", 0, parts.size() - 1);
          for (auto i : symbols_.qualified(owner))
            if (is_type(symbols_.at(i).kind))
              if (auto m = member_of(&symbols_.at(i), parts.back(), want::any)) {
                found(m);
                break;
              }
        }
      }
      if (t.sym) break;
      // A crate we do not index (std, core, alloc, dependencies) is external.
      bool crate_in_project = !symbols_.files_for_module(head, language::rust).empty() || head == "crate" ||
                              head == "self" || head == "super";
      if (!crate_in_project) external();
      break;
    }
    case language::c:
    case language::cpp: {
      if (imp.alias.empty() && imp.name.empty()) {  // #include
        std::string rel = normalize_path(std::string(directory_of(path_)) + "/" + imp.module);
        if (auto f = symbols_.file_node(rel)) {
          found(f);
          break;
        }
        auto cands = symbols_.files_ending_with(imp.module);
        if (!cands.empty()) {
          const symbol* pick = nullptr;
          size_t score = 0;
          for (auto i : cands) {
            size_t s = common_prefix(symbols_.at(i).file, path_) + 1;
            if (!pick || s > score) {
              pick = &symbols_.at(i);
              score = s;
            }
          }
          found(pick);
        } else if (imp.level == 0) {
          external();  // <system header>
        }
        break;
      }
      // using ns::name; using namespace ns;
      if (imp.module == "std" || imp.module.starts_with("std::")) {
        external();
        break;
      }
      std::string q = imp.name == "*" ? imp.module : imp.module + "::" + imp.name;
      if (auto b = best(symbols_.qualified(q), imp.name, want::any)) found(b);
      break;
    }
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
    std::string abs = rust_absolute(refs_->module_path, path);
    for (auto i : symbols_.qualified(abs)) return {&symbols_.at(i), resolution::package};
    if (auto f = module_file(abs)) return {f, resolution::package};
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
    if (s->kind == node_kind::file) {
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
