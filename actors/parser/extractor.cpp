#include "actors/parser/extractor.hpp"

#include <algorithm>

#include "schema/hash.hpp"
#include "schema/text.hpp"

namespace cg {
namespace {

constexpr size_t max_signature = 400;
constexpr size_t max_doc = 4000;

uint32_t count_lines(std::string_view s) {
  if (s.empty()) return 0;
  auto n = static_cast<uint32_t>(std::count(s.begin(), s.end(), '\n'));
  return s.back() == '\n' ? n : n + 1;
}

std::string_view basename(std::string_view path) {
  auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

extractor::extractor(const extract_input& in, file_extract& out, std::string_view separator)
    : in_(in), out_(out), sep_(separator) {
  cursors_.reserve(max_depth + 2);
}

extractor::~extractor() {
  for (auto& c : cursors_) ts_tree_cursor_delete(&c);
}

TSTreeCursor* extractor::cursor_at(uint32_t depth, TSNode n) {
  if (depth < cursors_.size()) {
    ts_tree_cursor_reset(&cursors_[depth], n);
  } else {
    cursors_.push_back(ts_tree_cursor_new(n));
  }
  return &cursors_[depth];
}

void extractor::run(TSNode root) {
  auto& rec = out_.record;
  rec.path = std::string(in_.path);
  rec.lang = in_.lang;
  rec.invalid_utf8 = !in_.valid_utf8;
  rec.loc = count_lines(in_.source);

  node file;
  file.kind = node_kind::file;
  file.lang = in_.lang;
  file.name = str(basename(in_.path));
  file.qualified_name = str(in_.path);
  file.file = file.qualified_name;
  file.span.start = {1, 1};
  file.span.end = end_of(root);
  file.span.end_byte = static_cast<uint32_t>(in_.source.size());
  file.name_pos = {1, 1};
  file.content_hash = rec.content_hash ? rec.content_hash : hash64(in_.source);
  file.id = make_node_id(in_.project, file.file, file.qualified_name, node_kind::file);
  out_.nodes.push_back(std::move(file));
  scope_q_.emplace_back();

  extract(root);

  if (ts_node_has_error(root) && errors_ == 0) errors_ = 1;
  rec.error_count = errors_;
  rec.status = errors_ > 0 ? parse_status::syntax_errors : parse_status::ok;
  rec.node_count = static_cast<uint32_t>(out_.nodes.size());
  out_.refs.module_path = scope_q_[0];

  out_.contains.reserve(out_.nodes.size());
  for (size_t i = 1; i < out_.nodes.size(); ++i) {
    const auto& n = out_.nodes[i];
    edge e;
    e.source = n.parent;
    e.target = n.id;
    e.kind = edge_kind::contains;
    e.how = resolution::local;
    e.sites.push_back({n.name_pos.line, n.name_pos.column});
    out_.contains.push_back(std::move(e));
  }
}

std::string_view extractor::text(TSNode n) const {
  // A field the grammar's error recovery left out is a null node: tree-sitter's
  // accessors dereference its tree (fuzz_extract found a JavaScript class field
  // without a name that crashed the process here).
  if (ts_node_is_null(n)) return {};
  auto b = ts_node_start_byte(n), e = ts_node_end_byte(n);
  if (b > in_.source.size() || e > in_.source.size() || e < b) return {};
  return in_.source.substr(b, e - b);
}

std::string extractor::str(TSNode n) const { return str(text(n)); }

std::string extractor::str(std::string_view s) const {
  if (in_.valid_utf8) return std::string(s);
  return sanitize_utf8(s);
}

text_pos extractor::start_of(TSNode n) {
  auto p = ts_node_start_point(n);
  return {p.row + 1, p.column + 1};
}
text_pos extractor::end_of(TSNode n) {
  auto p = ts_node_end_point(n);
  return {p.row + 1, p.column + 1};
}
edge_site extractor::site_of(TSNode n) {
  auto p = ts_node_start_point(n);
  return {p.row + 1, p.column + 1};
}

void extractor::set_module_scope(std::string s) { scope_q_[0] = std::move(s); }

std::string extractor::join(std::string_view scope, std::string_view name) const {
  if (scope.empty()) return std::string(name);
  std::string q;
  q.reserve(scope.size() + sep_.size() + name.size());
  q.append(scope).append(sep_).append(name);
  return q;
}

uint32_t extractor::add_def(def&& d) {
  node n;
  n.kind = d.kind;
  n.lang = in_.lang;
  n.vis = d.vis;
  n.modifiers = d.modifiers;
  n.name = std::move(d.name);
  if (n.name.find_first_of("\t\n\r\f\v") != std::string::npos) n.name = collapse_whitespace(n.name, 1024);
  if (d.qualified_name.find_first_of("\t\n\r\f\v") != std::string::npos)
    d.qualified_name = collapse_whitespace(d.qualified_name, 4096);
  n.qualified_name = d.qualified_name.empty() ? join(scope_q_[d.parent], n.name) : std::move(d.qualified_name);
  n.file = out_.nodes[0].file;
  n.span.start = start_of(d.whole);
  n.span.end = end_of(d.whole);
  n.span.start_byte = ts_node_start_byte(d.whole);
  n.span.end_byte = ts_node_end_byte(d.whole);
  n.name_pos = null(d.name_node) ? n.span.start : start_of(d.name_node);
  n.signature = std::move(d.signature);
  n.type_name = collapse_whitespace(d.type_name, 200);
  n.docstring = std::move(d.doc);
  if (n.docstring.size() > max_doc) n.docstring = collapse_whitespace(n.docstring, max_doc);
  n.content_hash = hash64(text(d.whole));
  n.parent = out_.nodes[d.parent].id;

  std::string seen_key = n.qualified_name;
  seen_key.push_back('\0');
  seen_key.push_back(static_cast<char>(n.kind));
  uint32_t ordinal = seen_[seen_key]++;
  n.id = make_node_id(in_.project, n.file, n.qualified_name, n.kind, ordinal);

  scope_q_.push_back(d.child_scope.empty() ? n.qualified_name : std::move(d.child_scope));
  out_.nodes.push_back(std::move(n));
  return static_cast<uint32_t>(out_.nodes.size() - 1);
}

void extractor::add_ref(uint32_t scope, edge_kind k, std::string name, std::string qualifier, TSNode at_node,
                        uint8_t flags) {
  if (name.empty()) return;
  if (qualifier.empty() && k != edge_kind::calls && is_type_parameter(name)) return;  // T in Vec<T>
  raw_ref r;
  r.source = out_.nodes[scope].id;
  r.kind = k;
  r.flags = flags;
  r.name = in_.valid_utf8 ? std::move(name) : sanitize_utf8(name);
  r.qualifier = in_.valid_utf8 ? std::move(qualifier) : sanitize_utf8(qualifier);
  r.site = site_of(at_node);
  out_.refs.refs.push_back(std::move(r));
}

void extractor::add_import(uint32_t import_node, std::string module, std::string name, std::string alias,
                           TSNode at_node, uint8_t level) {
  raw_import i;
  i.source = out_.nodes[import_node].id;
  i.module = str(module);
  i.name = str(name);
  i.alias = str(alias);
  i.site = site_of(at_node);
  i.level = level;
  out_.refs.imports.push_back(std::move(i));
}

void extractor::add_binding(uint32_t scope, std::string variable, std::string type) {
  if (variable.empty() || type.empty()) return;
  type_binding b;
  b.scope = out_.nodes[scope].id;
  b.variable = str(variable);
  b.type = str(type);
  out_.refs.bindings.push_back(std::move(b));
}

void extractor::note_comment(TSNode c) {
  auto start = ts_node_start_point(c).row, end = ts_node_end_point(c).row;
  if (ts_node_end_point(c).column == 0 && end > start) --end;  // a line comment that swallowed its newline
  if (run_.valid && start <= run_.end_row + 1 && start >= run_.start_row) {
    run_.end_row = std::max(run_.end_row, end);
  } else {
    run_.valid = true;
    run_.start_row = start;
    run_.end_row = end;
    run_.ranges.clear();
  }
  run_.ranges.emplace_back(ts_node_start_byte(c), ts_node_end_byte(c));
}

void extractor::extend_comment_run(TSNode n) {
  auto start = ts_node_start_point(n).row;
  if (run_.valid && start == run_.end_row + 1) run_.end_row = ts_node_end_point(n).row;
}

std::string extractor::doc_above(uint32_t row) const {
  if (!run_.valid || run_.end_row + 1 != row) return {};
  std::string joined;
  for (auto [b, e] : run_.ranges) {
    if (!joined.empty()) joined.push_back('\n');
    joined.append(clean_comment(in_.source.substr(b, e - b)));
  }
  auto t = std::string(trim(joined));
  return str(t);
}

std::string extractor::clean_comment(std::string_view raw) const { return strip_comment_markers(raw); }

std::string extractor::signature_of(uint32_t start_byte, uint32_t end_byte) const {
  if (end_byte <= start_byte || end_byte > in_.source.size()) return {};
  auto s = collapse_whitespace(in_.source.substr(start_byte, end_byte - start_byte), max_signature);
  return str(s);
}

std::string strip_comment_markers(std::string_view raw) {
  std::string out;
  bool block = raw.starts_with("/*");
  if (block) {
    raw.remove_prefix(2);
    while (!raw.empty() && (raw.front() == '*' || raw.front() == '!')) raw.remove_prefix(1);
    if (raw.ends_with("*/")) raw.remove_suffix(2);
  }
  size_t pos = 0;
  while (pos <= raw.size()) {
    auto eol = raw.find('\n', pos);
    auto line = raw.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    line = trim(line);
    if (block) {
      if (line.starts_with("*")) line.remove_prefix(1);
    } else {
      while (line.starts_with("/")) line.remove_prefix(1);
      if (line.starts_with("!")) line.remove_prefix(1);
      while (line.starts_with("#")) line.remove_prefix(1);
    }
    if (line.starts_with(" ")) line.remove_prefix(1);
    if (!out.empty() || !line.empty()) {
      if (!out.empty()) out.push_back('\n');
      out.append(line);
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace cg
