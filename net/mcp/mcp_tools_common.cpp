// Arguments, projects, compact encodings, paging and freshness for the tools.
#include <algorithm>

#include "net/mcp/mcp_tools_internal.hpp"
#include "schema/hash.hpp"

namespace cg::mcp::catalog {

error tool_error(std::string message) { return make_error(errc::invalid_argument, std::move(message)); }

result<std::string> string_arg(const json& args, const char* key, bool required, std::string fallback) {
  if (!args.contains(key) || args[key].is_null()) {
    if (required) return tool_error(std::string("the argument '") + key + "' is required");
    return fallback;
  }
  if (!args[key].is_string()) return tool_error(std::string("the argument '") + key + "' must be a string");
  auto s = args[key].get<std::string>();
  if (required && s.empty()) return tool_error(std::string("the argument '") + key + "' must not be empty");
  return s;
}

result<int64_t> int_arg(const json& args, const char* key, int64_t fallback, int64_t lo, int64_t hi) {
  if (!args.contains(key) || args[key].is_null()) return fallback;
  const auto& v = args[key];
  if (!v.is_number_integer() && !v.is_number_unsigned())
    return tool_error(std::string("the argument '") + key + "' must be an integer");
  auto n = v.get<int64_t>();
  if (n < lo || n > hi)
    return tool_error(std::string("the argument '") + key + "' must be from " + std::to_string(lo) + " to " +
                      std::to_string(hi));
  return n;
}

result<bool> bool_arg(const json& args, const char* key, bool fallback) {
  if (!args.contains(key) || args[key].is_null()) return fallback;
  if (!args[key].is_boolean()) return tool_error(std::string("the argument '") + key + "' must be true or false");
  return args[key].get<bool>();
}

result<std::vector<std::string>> strings_arg(const json& args, const char* key) {
  std::vector<std::string> out;
  if (!args.contains(key) || args[key].is_null()) return out;
  const auto& v = args[key];
  if (v.is_string()) return std::vector<std::string>{v.get<std::string>()};
  if (!v.is_array()) return tool_error(std::string("the argument '") + key + "' must be an array of strings");
  for (const auto& s : v) {
    if (!s.is_string()) return tool_error(std::string("the argument '") + key + "' must be an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

result<std::vector<node_kind>> kinds_arg(const json& args) {
  auto names = strings_arg(args, "kinds");
  if (!names.ok()) return names.err();
  std::vector<node_kind> out;
  for (auto& k : *names) {
    auto kind = parse_node_kind(k);
    if (!kind) return tool_error("unknown kind '" + k + "' (function, method, class, struct, interface, ...)");
    out.push_back(*kind);
  }
  return out;
}

result<std::vector<language>> languages_arg(const json& args) {
  auto names = strings_arg(args, "languages");
  if (!names.ok()) return names.err();
  std::vector<language> out;
  for (auto& l : *names) {
    auto lang = parse_language(l);
    if (!lang)
      return tool_error("unknown language '" + l + "' (python, javascript, typescript, java, go, rust, c, cpp)");
    out.push_back(*lang);
  }
  return out;
}

namespace {

std::string visible_names(host& h, const net::principal& who) {
  std::string s;
  if (auto all = h.db().projects(); all.ok())
    for (auto& [name, id] : *all)
      if (who.may_project(name)) s += (s.empty() ? "" : ", ") + name;
  return s.empty() ? "none indexed yet" : s;
}

result<std::string> project_name(const call_context& cx, const json& args) {
  auto name = string_arg(args, "project", false);
  if (!name.ok()) return name.err();
  if (!name->empty()) return *name;
  auto all = cx.h.db().projects();
  if (!all.ok()) return all.err();
  std::vector<std::string> seen;
  for (auto& [n, id] : *all)
    if (cx.who.may_project(n)) seen.push_back(n);
  if (seen.size() == 1) return seen.front();
  if (seen.empty()) return tool_error("no project is indexed yet: index one with index_project");
  return tool_error("several projects are indexed; name one in the 'project' argument: " + visible_names(cx.h, cx.who));
}

}  // namespace

result<picked> pick_project(const call_context& cx, const json& args, net::operation op, bool allow_at) {
  auto name = project_name(cx, args);
  if (!name.ok()) return name.err();
  auto d = net::authorize(cx.who, op, *name);
  if (!d.allowed) return make_error(errc::permission_denied, d.message);
  auto id = cx.h.db().project_id(*name);
  if (!id.ok()) return tool_error("no project '" + *name + "'; projects: " + visible_names(cx.h, cx.who));
  picked p;
  p.name = *name;
  p.id = *id;
  p.root = cx.h.project_root(*name);
  auto view = cx.h.db().latest();
  if (allow_at) {
    auto at = string_arg(args, "at", false);
    if (!at.ok()) return at.err();
    if (!at->empty()) {
      auto v = resolve_version(cx.h.db(), *id, *at);
      if (!v.ok()) return tool_error(v.err().message);
      auto past = cx.h.db().as_of(*id, *v);
      if (!past.ok()) return past.err();
      view = *past;
      p.version = *v;
    }
  }
  p.query = std::make_unique<graph_query>(view, *id);
  return p;
}

json freshness(const call_context& cx, const picked& p) {
  json f = {{"seq", cx.h.db().sequence()}};
  if (auto head = cx.h.db().head_version(p.id); head.ok() && *head) f["version"] = *head;
  if (p.version) f["at"] = p.version;
  auto pending = cx.h.pending_files(p.name);
  if (!pending.empty()) f["pending"] = pending;
  return f;
}

json brief(const node& n) {
  return {{"id", format_id(n.id)},
          {"name", n.qualified_name.empty() ? n.name : n.qualified_name},
          {"kind", to_string(n.kind)},
          {"file", n.file},
          {"line", n.line()}};
}

result<graph_target> target_arg(const picked& p, const json& args, const char* key, bool allow_file) {
  auto arg = string_arg(args, key, true);
  if (!arg.ok()) return arg.err();
  auto t = resolve_target(*p.query, p.root, *arg, allow_file);
  if (!t.ok() && t.err().code == errc::not_found) return tool_error(t.err().message);
  return t;
}

result<size_t> cursor_arg(const json& args) {
  auto c = string_arg(args, "cursor", false);
  if (!c.ok()) return c.err();
  if (c->empty()) return size_t{0};
  char* end = nullptr;
  auto n = std::strtoull(c->c_str(), &end, 10);
  if (*end != '\0') return tool_error("invalid cursor '" + *c + "': pass the `next` value of the previous answer");
  return static_cast<size_t>(n);
}

result<window> window_arg(const json& args, int64_t dflt, int64_t max) {
  auto limit = int_arg(args, "limit", dflt, 1, max);
  if (!limit.ok()) return limit.err();
  auto offset = cursor_arg(args);
  if (!offset.ok()) return offset.err();
  return window{*offset, static_cast<size_t>(*limit)};
}

void page(json& out, const char* key, json items, const window& w) {
  json kept = json::array();
  for (size_t i = w.offset; i < items.size() && kept.size() < w.limit; ++i) kept.push_back(std::move(items[i]));
  if (w.offset + w.limit < items.size()) out["next"] = std::to_string(w.offset + w.limit);
  out[key] = std::move(kept);
}

json paged(const call_context& cx, const picked& p, const char* key, json items, const window& w) {
  json out = json::object();
  page(out, key, std::move(items), w);
  out["fresh"] = freshness(cx, p);
  return out;
}

}  // namespace cg::mcp::catalog
