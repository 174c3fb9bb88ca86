// Python arguments passed across files (helper(Handler()) in a.py binds h in b.py's
// def helper(h)). The caller's resolution finds them; they are stored under the callee's
// file (keys::args_in), so that the callee's resolution binds its parameters to them
// without reading every caller, and a change to them marks the callee file pending.
#include <algorithm>
#include <cctype>
#include <deque>
#include <map>

#include "actors/graph/graph_state.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/hash.hpp"
#include "storage/keys.hpp"

namespace cg {
namespace {

using cross_argument = resolver::cross_argument;

// callee, scope, skip, slot, text; each field ended by '\0' (texts hold none).
std::string encode(const std::vector<cross_argument>& args) {
  std::string out;
  for (const auto& a : args) {
    out += format_id(a.callee);
    out.push_back('\0');
    out += format_id(a.scope);
    out.push_back('\0');
    out.push_back(static_cast<char>('0' + a.skip));
    out.push_back('\0');
    out += a.slot;
    out.push_back('\0');
    out += a.text;
    out.push_back('\0');
  }
  return out;
}

void decode(std::string_view raw, const std::string& file, std::vector<cross_argument>& into) {
  auto field = [&raw]() -> std::optional<std::string_view> {
    auto end = raw.find('\0');
    if (end == std::string_view::npos) return std::nullopt;
    auto f = raw.substr(0, end);
    raw.remove_prefix(end + 1);
    return f;
  };
  while (!raw.empty()) {
    auto callee = field(), scope = field(), skip = field(), slot = field(), text = field();
    if (!text) return;  // a damaged record: what was read stands
    cross_argument a;
    a.file = file;
    if (!parse_id(*callee, a.callee) || !parse_id(*scope, a.scope) || skip->size() != 1) return;
    a.skip = static_cast<uint8_t>((*skip)[0] - '0');
    a.slot = std::string(*slot);
    a.text = std::string(*text);
    into.push_back(std::move(a));
  }
}

std::vector<std::string> split_paths(std::string_view raw) {
  std::vector<std::string> out;
  while (!raw.empty()) {
    auto end = raw.find('\0');
    out.emplace_back(raw.substr(0, end));
    if (end == std::string_view::npos) break;
    raw.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace

std::map<std::string, std::vector<cross_argument>> by_callee_file(std::vector<cross_argument> out) {
  std::map<std::string, std::vector<cross_argument>> by_file;
  for (auto& a : out) by_file[a.file].push_back(std::move(a));
  return by_file;
}

bool graph_state::passes_arguments(const file_references& refs) {
  return std::any_of(refs.bindings.begin(), refs.bindings.end(),
                     [](const type_binding& b) { return b.variable.size() > 2 && b.variable.starts_with("()"); });
}

void graph_state::preview_outgoing(const std::string& path, std::vector<cross_argument> out, round_state& rs) const {
  for (auto& [file, args] : by_callee_file(std::move(out))) rs.args_preview[file][path] = encode(args);
}

result<std::vector<cross_argument>> graph_state::incoming_arguments(
    const read_view& v, const std::string& path, const round_state& rs,
    std::map<std::string, std::string>* by_caller) const {
  std::map<std::string, std::string_view> from;  // caller file -> encoded arguments
  std::deque<std::string> stored;                // stable: `from` views them
  const auto prefix = keys::args_in_prefix(proj_, path);
  auto cur = v.scan(column::meta, prefix);
  for (; cur.valid(); cur.next()) {
    auto caller = std::string(cur.key().substr(prefix.size()));
    if (!rs.in_round.count(caller)) from[caller] = stored.emplace_back(cur.value());
  }
  if (auto s = cur.status_of(); !s.ok()) return s.err();
  if (auto p = rs.args_preview.find(path); p != rs.args_preview.end())
    for (const auto& [caller, raw] : p->second) from[caller] = raw;
  if (auto w = rs.args_written.find(path); w != rs.args_written.end())
    for (const auto& [caller, raw] : w->second) from[caller] = raw;
  std::vector<cross_argument> out;
  for (const auto& [caller, raw] : from) {
    decode(raw, path, out);
    if (by_caller) by_caller->emplace(caller, raw);
  }
  return out;
}

namespace {
// `name` as a whole word of `text` (an identifier, not part of a longer one).
bool mentions(std::string_view text, std::string_view name) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    size_t end = at + name.size();
    if ((at == 0 || !word(text[at - 1])) && (end == text.size() || !word(text[end]))) return true;
  }
  return false;
}

std::vector<cross_argument> difference(const std::vector<cross_argument>& a, const std::vector<cross_argument>& b) {
  std::vector<cross_argument> out;
  for (const auto& x : a)
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  for (const auto& x : b)
    if (std::find(a.begin(), a.end(), x) == a.end()) out.push_back(x);
  return out;
}
}  // namespace

result<bool> graph_state::arguments_matter(const read_view& v, const std::string& path,
                                           const std::vector<cross_argument>& changed, round_state& rs) {
  if (changed.empty()) return false;
  auto it = rs.refs.find(path);
  if (it == rs.refs.end()) {
    auto refs = load_refs(v, path);
    if (!refs.ok()) return refs.err();
    it = rs.refs.emplace(path, std::move(*refs)).first;
  }
  const file_references& refs = it->second;
  // Inside f: f itself or a definition nested in it (a closure reads f's parameters).
  auto within = [&](node_id scope, node_id f) {
    const symbol* s = symbols_ ? symbols_->find(scope) : nullptr;
    for (; s; s = symbols_->parent_of(*s))
      if (s->id == f) return true;
    return scope == f;
  };
  for (const auto& a : changed) {
    auto list = std::find_if(refs.bindings.begin(), refs.bindings.end(),
                             [&](const type_binding& b) { return b.scope == a.callee && b.variable == "()"; });
    if (list == refs.bindings.end()) continue;  // not a function of this file's as it stands
    bool spread = false;
    auto param = resolve_util::parameter_for(list->type, a.slot, a.skip, spread);
    if (param.empty()) continue;
    for (const auto& r : refs.refs)
      if (within(r.source, a.callee) && (r.name == param || mentions(r.qualifier, param))) return true;
    for (const auto& b : refs.bindings)
      if (&b != &*list && within(b.scope, a.callee) && mentions(b.type, param)) return true;
  }
  return false;
}

status graph_state::record_outgoing(write_batch& b, const read_view& v, const std::string& path,
                                    std::vector<cross_argument> out, round_state& rs) {
  auto by_file = by_callee_file(std::move(out));
  auto old_list = v.get(column::meta, keys::args_out(proj_, path));
  if (!old_list.ok()) return old_list.err();
  std::vector<std::string> files;
  if (old_list->has_value()) files = split_paths(**old_list);
  for (const auto& [file, args] : by_file) files.push_back(file);
  if (auto p = std::find(files.begin(), files.end(), path); p != files.end()) files.erase(p);
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  std::string list;
  for (const auto& file : files) {
    auto it = by_file.find(file);
    std::string now = it == by_file.end() ? std::string() : encode(it->second);
    auto key = keys::args_in(proj_, file, path);
    auto before = v.get(column::meta, key);
    if (!before.ok()) return before.err();
    const std::string was = before->value_or(std::string());
    if (was != now && now.empty())
      b.del(column::meta, key);
    else if (was != now)
      b.put(column::meta, key, now);
    rs.args_written[file][path] = now;
    if (!now.empty()) {
      if (!list.empty()) list.push_back('\0');
      list += file;
    }
    // The callee file sees these when it is resolved later in the round. Resolved
    // already (with what this caller passed then), or not in the round (with what was
    // stored), it is resolved again, in the next round, if an argument that came or
    // went lands in a parameter it reads.
    std::string_view used = was;
    bool compare = !rs.in_round.count(file);
    if (auto w = rs.resolved_with.find(file); !compare && w != rs.resolved_with.end()) {
      auto c = w->second.find(path);
      used = c == w->second.end() ? std::string_view{} : std::string_view(c->second);
      compare = true;
    }
    std::vector<cross_argument> changed;
    if (compare && used != now) {
      std::vector<cross_argument> old_args, new_args;
      decode(used, file, old_args);
      decode(now, file, new_args);
      changed = difference(old_args, new_args);
    }
    auto matter = arguments_matter(v, file, changed, rs);
    if (!matter.ok()) return matter.err();
    if (*matter) b.put(column::meta, keys::pending(proj_, file), "1");
  }
  if (list.empty()) {
    if (old_list->has_value()) b.del(column::meta, keys::args_out(proj_, path));
  } else if (old_list->value_or(std::string()) != list) {
    b.put(column::meta, keys::args_out(proj_, path), list);
  }
  return {};
}

status graph_state::retract_outgoing(write_batch& b, const read_view& v, std::string_view path) {
  auto old_list = v.get(column::meta, keys::args_out(proj_, path));
  if (!old_list.ok()) return old_list.err();
  if (!old_list->has_value()) return {};
  for (const auto& file : split_paths(**old_list)) {
    b.del(column::meta, keys::args_in(proj_, file, path));
    b.put(column::meta, keys::pending(proj_, file), "1");
  }
  b.del(column::meta, keys::args_out(proj_, path));
  return {};
}

}  // namespace cg
