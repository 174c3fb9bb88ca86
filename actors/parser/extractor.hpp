#pragma once
// The shared machinery of all language extractors. A language extractor walks the
// tree-sitter tree once and calls add_def / add_ref / add_import / add_binding; this
// base turns those into nodes with stable ids, qualified names, spans, docs and
// contains edges, and keeps every string valid UTF-8.
#include <tree_sitter/api.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "schema/extract.hpp"

namespace cg {

struct extract_input {
  std::string_view project;
  std::string_view path;  // relative to the project root, '/' separated
  language lang = language::unknown;
  std::string_view source;
  bool valid_utf8 = true;
};

class extractor {
 public:
  extractor(const extract_input& in, file_extract& out, std::string_view separator);
  virtual ~extractor();
  extractor(const extractor&) = delete;
  extractor& operator=(const extractor&) = delete;

  void run(TSNode root);

  static constexpr uint32_t max_depth = 1500;                          // deeper subtrees are not visited
  static constexpr TSSymbol error_symbol = static_cast<TSSymbol>(-1);  // tree-sitter ERROR nodes

 protected:
  virtual void extract(TSNode root) = 0;

  // Text and positions.
  std::string_view text(TSNode n) const;
  std::string str(TSNode n) const;
  std::string str(std::string_view s) const;
  static text_pos start_of(TSNode n);
  static text_pos end_of(TSNode n);
  static edge_site site_of(TSNode n);
  static bool null(TSNode n) { return ts_node_is_null(n); }
  static TSNode field(TSNode n, TSFieldId id) { return ts_node_child_by_field_id(n, id); }

  // Visits each child of n (f(child, field_id)); allocation-free, depth-guarded.
  template <class F>
  void for_children(TSNode n, F&& f) {
    if (depth_ >= max_depth) {
      depth_limited_ = true;
      return;
    }
    if (ts_node_child_count(n) == 0) return;  // a leaf: no cursor to set up
    TSTreeCursor* c = cursor_at(depth_, n);
    ++depth_;
    if (ts_tree_cursor_goto_first_child(c)) {
      do {
        TSNode child = ts_tree_cursor_current_node(c);
        if (ts_node_symbol(child) == error_symbol || ts_node_is_missing(child)) ++errors_;
        f(child, ts_tree_cursor_current_field_id(c));
      } while (ts_tree_cursor_goto_next_sibling(c));
    }
    --depth_;
  }
  // The generic descent: named children only (punctuation and keywords are half of
  // all nodes and carry nothing a walker needs), no field ids.
  template <class F>
  void descend(TSNode n, F&& f) {
    if (depth_ >= max_depth) {
      depth_limited_ = true;
      return;
    }
    if (ts_node_child_count(n) == 0) return;  // a leaf: no cursor to set up
    TSTreeCursor* c = cursor_at(depth_, n);
    ++depth_;
    if (ts_tree_cursor_goto_first_child(c)) {
      do {
        TSNode child = ts_tree_cursor_current_node(c);
        if (ts_node_is_named(child)) {
          if (ts_node_symbol(child) == error_symbol) ++errors_;
          f(child);
        } else if (ts_node_is_missing(child)) {
          ++errors_;
        }
      } while (ts_tree_cursor_goto_next_sibling(c));
    }
    --depth_;
  }
  template <class F>
  void for_named_children(TSNode n, F&& f) {
    for_children(n, [&](TSNode c, TSFieldId fid) {
      if (ts_node_is_named(c)) f(c, fid);
    });
  }

  // Definitions.
  struct def {
    node_kind kind = node_kind::function;
    std::string name;
    TSNode whole{};       // span of the definition (decorators included)
    TSNode name_node{};   // where its name is (null: start of whole)
    uint32_t parent = 0;  // index of the containing node
    std::string signature;
    std::string type_name;  // declared type or return type
    std::string doc;
    uint16_t modifiers = 0;
    visibility vis = visibility::none;
    std::string qualified_name;  // overrides parent-scope + separator + name
    std::string child_scope;     // overrides the prefix its children get (default: its qname)
  };
  uint32_t add_def(def&& d);
  node& at(uint32_t idx) { return out_.nodes[idx]; }
  node_id id_of(uint32_t idx) const { return out_.nodes[idx].id; }
  const std::string& scope_of(uint32_t idx) const { return scope_q_[idx]; }
  void set_module_scope(std::string s);  // prefix of top-level qualified names
  std::string join(std::string_view scope, std::string_view name) const;

  // References, imports, local type knowledge.
  void add_ref(uint32_t scope, edge_kind k, std::string name, std::string qualifier, TSNode at_node, uint8_t flags = 0);
  void add_import(uint32_t import_node, std::string module, std::string name, std::string alias, TSNode at_node,
                  uint8_t level = 0);
  void add_binding(uint32_t scope, std::string variable, std::string type);

  // Type parameters (generics, templates) of this file: names that are not references.
  void add_type_parameter(std::string name) { type_params_.insert(std::move(name)); }
  bool is_type_parameter(std::string_view name) const { return type_params_.count(std::string(name)) > 0; }

  // Doc comments: the run of comments that ends on the line right above `row`.
  void note_comment(TSNode comment);
  void extend_comment_run(TSNode n);  // an attribute between a doc comment and its item
  std::string doc_above(uint32_t row) const;
  virtual std::string clean_comment(std::string_view raw) const;

  // Signature: source text between two byte offsets, white space collapsed.
  std::string signature_of(uint32_t start_byte, uint32_t end_byte) const;

  const extract_input& in_;
  file_extract& out_;

 private:
  TSTreeCursor* cursor_at(uint32_t depth, TSNode n);
  std::string_view sep_;
  std::vector<std::string> scope_q_;
  std::unordered_map<std::string, uint32_t> seen_;
  std::unordered_set<std::string> type_params_;
  std::vector<TSTreeCursor> cursors_;
  uint32_t depth_ = 0;
  bool depth_limited_ = false;
  uint32_t errors_ = 0;
  struct comment_run {
    bool valid = false;
    uint32_t start_row = 0, end_row = 0;
    std::vector<std::pair<uint32_t, uint32_t>> ranges;  // byte ranges of the comments
  } run_;
};

// Strips comment markers (//, ///, //!, /* */, leading *, #) and common indentation.
std::string strip_comment_markers(std::string_view raw);

}  // namespace cg
