// What the parsers extract from single files, language by language.
#include <gtest/gtest.h>

#include <algorithm>

#include "actors/parser/language_detect.hpp"
#include "actors/parser/parser_state.hpp"
#include "schema/text.hpp"

namespace cg {
namespace {

struct parsed {
  parse_outcome out;
  const node* find(std::string_view qname, node_kind k) const {
    for (auto& n : out.extract.nodes)
      if (n.qualified_name == qname && n.kind == k) return &n;
    return nullptr;
  }
  const node& get(std::string_view qname, node_kind k) const {
    auto* n = find(qname, k);
    if (!n) throw std::runtime_error("no " + std::string(to_string(k)) + " " + std::string(qname));
    return *n;
  }
};

parsed parse(std::string_view path, std::string_view src) {
  parser_state ps;
  return {ps.parse_source("test", path, src)};
}

TEST(extract_python, docstrings_signatures_and_name_lines) {
  auto p = parse("pkg/mod.py", R"PY(
import os.path as osp
from ..base import Thing as T, other

@decorator
@another(1)
async def fetch(url: str, *, retries=3) -> bytes:
    """Fetch a URL.

    Args:
        url: where from.
    """
    return b""

class Outer(T):
    class Inner:
        def method(self):
            def helper():
                pass
            return helper
)PY");
  ASSERT_EQ(p.out.kind, parse_result_kind::parsed);
  const auto& f = p.get("pkg.mod.fetch", node_kind::function);
  EXPECT_EQ(f.name_pos.line, 7u);    // the def line, as ast reports it
  EXPECT_EQ(f.span.start.line, 5u);  // the span starts at the first decorator
  EXPECT_EQ(f.signature, "async def fetch(url: str, *, retries=3) -> bytes");
  EXPECT_EQ(f.docstring, "Fetch a URL.\n\nArgs:\n    url: where from.");  // as inspect.cleandoc
  EXPECT_EQ(f.type_name, "bytes");
  EXPECT_TRUE(f.has(modifier::async));
  EXPECT_TRUE(p.find("pkg.mod.Outer.Inner.method.helper", node_kind::function));
  EXPECT_TRUE(p.find("pkg.mod.Outer.Inner.method", node_kind::method));
  // Imports keep their aliases; relative levels are recorded.
  const auto& imps = p.out.extract.refs.imports;
  auto it = std::find_if(imps.begin(), imps.end(), [](auto& i) { return i.alias == "osp"; });
  ASSERT_NE(it, imps.end());
  EXPECT_EQ(it->module, "os.path");
  auto t = std::find_if(imps.begin(), imps.end(), [](auto& i) { return i.alias == "T"; });
  ASSERT_NE(t, imps.end());
  EXPECT_EQ(t->name, "Thing");
  EXPECT_EQ(t->level, 2);
  EXPECT_EQ(p.out.extract.refs.module_path, "pkg.mod");
}

TEST(extract_python, ids_survive_moving_code_and_duplicates_are_kept) {
  auto a = parse("m.py", "def f():\n    return 1\n\ndef g():\n    pass\n");
  auto b = parse("m.py", "# a new comment\n\n\ndef g():\n    pass\n\ndef f():\n    return 1\n");
  EXPECT_EQ(a.get("m.f", node_kind::function).id, b.get("m.f", node_kind::function).id);
  EXPECT_EQ(a.get("m.f", node_kind::function).content_hash, b.get("m.f", node_kind::function).content_hash);
  auto c = parse("m.py", "def f():\n    return 2\n");
  EXPECT_NE(a.get("m.f", node_kind::function).content_hash, c.get("m.f", node_kind::function).content_hash);
  auto d = parse("m.py", "if X:\n    def f(): pass\nelse:\n    def f(): pass\n");
  std::vector<node_id> ids;
  for (auto& n : d.out.extract.nodes)
    if (n.name == "f") ids.push_back(n.id);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_NE(ids[0], ids[1]);
}

TEST(extract, syntax_errors_keep_what_parses) {
  auto p =
      parse("broken.py", "def good():\n    pass\n\ndef bad(:\n    x = = 1\n\nclass Fine:\n    def ok(self): pass\n");
  ASSERT_EQ(p.out.kind, parse_result_kind::parsed);
  EXPECT_EQ(p.out.extract.record.status, parse_status::syntax_errors);
  EXPECT_GT(p.out.extract.record.error_count, 0u);
  EXPECT_TRUE(p.find("broken.good", node_kind::function));
  // tree-sitter's recovery folds `class Fine` into the broken parameter list; the
  // def after it still parses and is kept.
  EXPECT_TRUE(
      std::any_of(p.out.extract.nodes.begin(), p.out.extract.nodes.end(), [](auto& n) { return n.name == "ok"; }));
  auto js = parse("x.ts", "export function a() { return 1 }\nfunction (((\nexport class B { m() {} }\n");
  EXPECT_EQ(js.out.extract.record.status, parse_status::syntax_errors);
  EXPECT_TRUE(js.find("x.a", node_kind::function));
}

TEST(extract, invalid_utf8_is_replaced_and_flagged) {
  std::string src = "def caf\xe9():\n    \"\"\"Doc \xff\xfe.\"\"\"\n";
  auto p = parse("latin.py", src);
  ASSERT_EQ(p.out.kind, parse_result_kind::parsed);
  EXPECT_TRUE(p.out.extract.record.invalid_utf8);
  for (auto& n : p.out.extract.nodes) {
    EXPECT_TRUE(is_valid_utf8(n.name)) << n.name;
    EXPECT_TRUE(is_valid_utf8(n.qualified_name));
    EXPECT_TRUE(is_valid_utf8(n.docstring));
    EXPECT_TRUE(is_valid_utf8(n.signature));
  }
}

TEST(extract, binary_content_is_skipped) {
  std::string src = "def f():\n    pass\n";
  src.push_back('\0');
  auto p = parse("bin.py", src);
  EXPECT_EQ(p.out.kind, parse_result_kind::skipped);
  EXPECT_EQ(p.out.reason, "binary content");
}

TEST(extract, deep_nesting_does_not_overflow) {
  std::string expr = "x = ";
  for (int i = 0; i < 20000; ++i) expr += "a + ";
  expr += "b\n\ndef after():\n    pass\n";
  auto p = parse("deep.py", expr);
  ASSERT_EQ(p.out.kind, parse_result_kind::parsed);
  EXPECT_TRUE(p.find("deep.after", node_kind::function));
}

TEST(language, by_extension_shebang_and_content) {
  EXPECT_EQ(detect_language("a/b.py", ""), language::python);
  EXPECT_EQ(detect_language("a.RS", ""), language::rust);
  EXPECT_EQ(detect_language("x.mjs", ""), language::javascript);
  EXPECT_EQ(detect_language("x.jsx", ""), language::jsx);
  EXPECT_EQ(detect_language("x.mts", ""), language::typescript);
  EXPECT_EQ(detect_language("x.tsx", ""), language::tsx);
  EXPECT_EQ(detect_language("x.hpp", ""), language::cpp);
  EXPECT_EQ(detect_language("x.h", "int f(void);\n"), language::c);
  EXPECT_EQ(detect_language("x.h", "namespace a { class B {}; }\n"), language::cpp);
  EXPECT_EQ(detect_language("bin/tool", "#!/usr/bin/env python3\n"), language::python);
  EXPECT_EQ(detect_language("bin/run", "#!/usr/bin/env node\n"), language::javascript);
  EXPECT_EQ(detect_language("README", "hello\n"), language::unknown);
  EXPECT_EQ(detect_language("notes.txt", ""), language::unknown);
  EXPECT_TRUE(looks_binary(std::string_view("ab\0cd", 5)));
  EXPECT_FALSE(looks_binary("plain"));
}

TEST(extract_rust, doc_comments_attributes_impls_and_use_trees) {
  auto p = parse("crate/src/geo.rs", R"RS(
use std::collections::{HashMap, BTreeMap as Tree};
use super::*;

/// A point in the plane.
/// With two coordinates.
#[derive(Debug)]
pub struct Point { pub x: f64, y: f64 }

impl Point {
    /// Makes a point.
    pub fn new(x: f64, y: f64) -> Self { Point { x, y } }
}

pub trait Norm: Clone + std::fmt::Debug { fn norm(&self) -> f64; }
)RS");
  const auto& s = p.get("crate::geo::Point", node_kind::struct_);
  EXPECT_EQ(s.docstring, "A point in the plane.\nWith two coordinates.");
  EXPECT_EQ(s.vis, visibility::public_);
  const auto& m = p.get("crate::geo::Point::new", node_kind::method);
  EXPECT_EQ(m.parent, s.id);
  EXPECT_EQ(m.docstring, "Makes a point.");
  EXPECT_EQ(m.type_name, "Self");
  EXPECT_EQ(p.get("crate::geo::Point::y", node_kind::field).vis, visibility::private_);
  const auto& imps = p.out.extract.refs.imports;
  auto tree = std::find_if(imps.begin(), imps.end(), [](auto& i) { return i.alias == "Tree"; });
  ASSERT_NE(tree, imps.end());
  EXPECT_EQ(tree->module, "std::collections");
  EXPECT_EQ(tree->name, "BTreeMap");
  EXPECT_TRUE(std::any_of(imps.begin(), imps.end(), [](auto& i) { return i.name == "*" && i.module == "super"; }));
  auto& refs = p.out.extract.refs.refs;
  EXPECT_TRUE(std::any_of(refs.begin(), refs.end(),
                          [](auto& r) { return r.kind == edge_kind::inherits && r.name == "Clone"; }));
}

TEST(extract_go, receivers_docs_and_embedding) {
  auto p = parse("net/srv/server.go", R"GO(package srv

import (
	h "net/http"
	. "strings"
	_ "embed"
)

// Server serves.
type Server struct {
	h.Handler
	addr string
}

// Start starts it.
func (s *Server) Start() error { return nil }
)GO");
  const auto& s = p.get("net/srv.Server", node_kind::struct_);
  EXPECT_EQ(s.docstring, "Server serves.");
  const auto& m = p.get("net/srv.Server.Start", node_kind::method);
  EXPECT_EQ(m.parent, s.id);
  EXPECT_EQ(m.type_name, "error");
  EXPECT_EQ(m.vis, visibility::public_);
  EXPECT_EQ(p.get("net/srv.Server.addr", node_kind::field).vis, visibility::internal);
  auto& refs = p.out.extract.refs.refs;
  EXPECT_TRUE(std::any_of(refs.begin(), refs.end(), [](auto& r) {
    return r.kind == edge_kind::inherits && r.name == "Handler" && r.qualifier == "h";
  }));
  auto& imps = p.out.extract.refs.imports;
  EXPECT_TRUE(std::any_of(imps.begin(), imps.end(), [](auto& i) { return i.alias == "h" && i.module == "net/http"; }));
  EXPECT_TRUE(std::any_of(imps.begin(), imps.end(), [](auto& i) { return i.name == "*" && i.module == "strings"; }));
  EXPECT_EQ(p.out.extract.refs.package, "srv");
}

TEST(extract_java, javadoc_modifiers_and_overloads) {
  auto p = parse("src/a/B.java", R"JAVA(package a;

/** A thing. */
public abstract class B<T> extends Base<T> implements Runnable {
  /** Runs. */
  @Override
  public void run() {}
  protected static int count(int x) { return x; }
  protected static int count(String x) { return 0; }
  abstract T get();
}
)JAVA");
  const auto& b = p.get("a.B", node_kind::class_);
  EXPECT_EQ(b.docstring, "A thing.");
  EXPECT_TRUE(b.has(modifier::abstract));
  const auto& run = p.get("a.B.run", node_kind::method);
  EXPECT_EQ(run.docstring, "Runs.");
  EXPECT_EQ(run.name_pos.line, 7u);
  EXPECT_EQ(run.span.start.line, 6u);  // the annotation starts the span
  int counts = 0;
  for (auto& n : p.out.extract.nodes) counts += n.qualified_name == "a.B.count";
  EXPECT_EQ(counts, 2);
  auto& refs = p.out.extract.refs.refs;
  EXPECT_FALSE(std::any_of(refs.begin(), refs.end(), [](auto& r) { return r.name == "T"; }));  // a type parameter
  EXPECT_TRUE(std::any_of(refs.begin(), refs.end(),
                          [](auto& r) { return r.kind == edge_kind::implements && r.name == "Runnable"; }));
}

TEST(extract_cpp, namespaces_out_of_line_members_macros_and_templates) {
  auto p = parse("src/x.cpp", R"CPP(#include "x.hpp"
#define SQUARE(x) ((x) * (x))
                                    namespace outer {
                                    namespace inner {
                                    /// Adds.
                                    template <typename T>
                                    T add(T a, T b) {
                                      return a + b;
                                    }
                                    class EXPORT_API Widget : public Base {
                                     public:
                                      Widget();
                                      int size() const;
                                    };
                                    int Widget::size() const { return SQUARE(2); }
                                    }  // namespace inner
                                    }  // namespace outer
  )CPP");
  EXPECT_TRUE(p.find("outer", node_kind::namespace_));
  const auto& add = p.get("outer::inner::add", node_kind::function);
  EXPECT_EQ(add.docstring, "Adds.");
  const auto& w = p.get("outer::inner::Widget", node_kind::class_);  // the export macro is seen through
  auto sizes = std::count_if(p.out.extract.nodes.begin(), p.out.extract.nodes.end(),
                             [](auto& n) { return n.qualified_name == "outer::inner::Widget::size"; });
  EXPECT_EQ(sizes, 2);  // the declaration and the out-of-line definition
  EXPECT_TRUE(p.get("outer::inner::Widget::Widget", node_kind::constructor).has(modifier::declaration));
  EXPECT_TRUE(p.find("SQUARE", node_kind::macro));
  auto& refs = p.out.extract.refs.refs;
  EXPECT_TRUE(std::any_of(refs.begin(), refs.end(), [&](auto& r) {
    return r.kind == edge_kind::inherits && r.source == w.id && r.name == "Base";
  }));
  EXPECT_FALSE(std::any_of(refs.begin(), refs.end(), [](auto& r) { return r.name == "T"; }));
}

TEST(extract_c, prototypes_function_pointers_and_typedefs) {
  auto p = parse("lib/a.c", R"C(
struct node *push(struct node *head, int v);
int (*callback)(int);
typedef struct { int x; } point;
typedef int (*handler_fn)(void *);
static inline int twice(int v) { return 2 * v; }
)C");
  EXPECT_TRUE(p.get("push", node_kind::function).has(modifier::declaration));  // returns a pointer
  EXPECT_TRUE(p.find("callback", node_kind::variable));                        // a function pointer
  EXPECT_TRUE(p.find("point", node_kind::struct_));
  EXPECT_TRUE(p.find("point::x", node_kind::field));
  EXPECT_TRUE(p.find("handler_fn", node_kind::type_alias));
  const auto& t = p.get("twice", node_kind::function);
  EXPECT_TRUE(t.has(modifier::static_));
  EXPECT_EQ(t.vis, visibility::private_);
}

TEST(extract_ts, exports_accessors_namespaces_and_jsx) {
  auto p = parse("src/ui.tsx", R"TS(
/** Props of a button. */
export interface Props { label: string; onClick?(): void }
export default class Button extends Base<Props> {
  private _n = 0;
  get count(): number { return this._n; }
  render() { return <Icon name="x" />; }
}
export namespace Util { export const answer = 42; }
export const handler = async (e: Event): Promise<void> => {};
)TS");
  const auto& props = p.get("src/ui.Props", node_kind::interface);
  EXPECT_EQ(props.docstring, "Props of a button.");
  EXPECT_TRUE(props.has(modifier::exported));
  EXPECT_TRUE(p.find("src/ui.Props.onClick", node_kind::method));
  EXPECT_TRUE(p.find("src/ui.Button.count", node_kind::property));
  EXPECT_EQ(p.get("src/ui.Button._n", node_kind::field).vis, visibility::private_);
  EXPECT_TRUE(p.find("src/ui.Util", node_kind::namespace_));
  const auto& h = p.get("src/ui.handler", node_kind::function);
  EXPECT_TRUE(h.has(modifier::async));
  EXPECT_EQ(h.type_name, "Promise");
  auto& refs = p.out.extract.refs.refs;
  EXPECT_TRUE(std::any_of(refs.begin(), refs.end(),
                          [](auto& r) { return r.name == "Icon" && (r.flags & ref_flag::constructor); }));
}

}  // namespace
}  // namespace cg
