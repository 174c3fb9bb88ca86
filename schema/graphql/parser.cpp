#include "schema/graphql/parser.hpp"

#include <set>

#include "schema/graphql/lexer.hpp"

namespace cg::gql {
namespace {

struct syntax_error {
  std::string message;
  location loc;
};

using K = token::kind;

class parser {
 public:
  parser(std::string_view src, const parse_limits& lim) : lex_(src), lim_(lim) { advance(); }

  document parse_document() {
    document doc;
    do {
      parse_definition(doc);
    } while (tok_.k != K::eof);
    return doc;
  }

 private:
  [[noreturn]] void fail(const std::string& msg, location loc) { throw syntax_error{msg, loc}; }
  [[noreturn]] void unexpected() { fail("Unexpected " + token_desc(tok_) + ".", tok_.loc); }
  static std::string token_desc(const token& t) {
    if (t.k == K::name) return "Name \"" + t.value + "\"";
    if (t.k == K::int_ || t.k == K::float_) return std::string(describe(t.k)) + " \"" + t.value + "\"";
    if (t.k == K::string || t.k == K::block_string) return std::string(describe(t.k)) + " \"" + t.value + "\"";
    return std::string(describe(t.k));
  }

  void advance() {
    std::string err;
    auto loc = tok_.loc;
    if (++tokens_ > lim_.max_tokens)
      fail("Document contains more than " + std::to_string(lim_.max_tokens) + " tokens. Parsing aborted.", loc);
    if (!lex_.next(tok_, err)) fail(err, tok_.loc.line ? tok_.loc : loc);
  }
  bool peek(K k) const { return tok_.k == k; }
  bool peek_name(std::string_view v) const { return tok_.k == K::name && tok_.value == v; }
  token expect(K k) {
    if (tok_.k != k) fail("Expected " + std::string(describe(k)) + ", found " + token_desc(tok_) + ".", tok_.loc);
    token t = tok_;
    advance();
    return t;
  }
  bool skip(K k) {
    if (tok_.k != k) return false;
    advance();
    return true;
  }
  void expect_keyword(std::string_view kw) {
    if (!peek_name(kw)) fail("Expected \"" + std::string(kw) + "\", found " + token_desc(tok_) + ".", tok_.loc);
    advance();
  }
  std::string name() { return expect(K::name).value; }

  struct depth_guard {
    parser& p;
    explicit depth_guard(parser& pp) : p(pp) {
      if (++p.depth_ > p.lim_.max_depth) p.fail("Document is nested too deeply.", p.tok_.loc);
    }
    ~depth_guard() { --p.depth_; }
  };

  // definitions
  void parse_definition(document& doc) {
    if (peek(K::brace_l)) {
      operation op;
      op.loc = tok_.loc;
      op.sel = selection_set_();
      doc.operations.push_back(std::move(op));
      return;
    }
    bool described = peek(K::string) || peek(K::block_string);
    std::string description;
    location start = tok_.loc;
    if (described) {
      description = tok_.value;
      advance();
    }
    if (!peek(K::name)) unexpected();
    const std::string kw = tok_.value;
    if (!described) {
      if (kw == "query" || kw == "mutation" || kw == "subscription") return doc.operations.push_back(operation_());
      if (kw == "fragment") return doc.fragments.push_back(fragment_());
      if (kw == "extend") return extension(doc);
    }
    if (kw == "schema") {
      advance();
      schema_def s;
      s.loc = start;
      s.description = description;
      s.directives = directives(true);
      expect(K::brace_l);
      do {
        auto op = name();
        if (op != "query" && op != "mutation" && op != "subscription")
          fail("Unexpected Name \"" + op + "\".", tok_.loc);
        expect(K::colon);
        s.ops.emplace_back(op, name());
      } while (!skip(K::brace_r));
      doc.type_system.emplace_back("", start);
      doc.schemas.push_back(std::move(s));
      return;
    }
    if (kw == "directive") {
      advance();
      directive_def d;
      d.loc = start;
      d.description = description;
      expect(K::at);
      d.name = name();
      if (peek(K::paren_l)) d.args = input_values(K::paren_l, K::paren_r);
      if (peek_name("repeatable")) {
        d.repeatable = true;
        advance();
      }
      expect_keyword("on");
      skip(K::pipe);
      static const std::set<std::string> locations = {"QUERY",
                                                      "MUTATION",
                                                      "SUBSCRIPTION",
                                                      "FIELD",
                                                      "FRAGMENT_DEFINITION",
                                                      "FRAGMENT_SPREAD",
                                                      "INLINE_FRAGMENT",
                                                      "VARIABLE_DEFINITION",
                                                      "SCHEMA",
                                                      "SCALAR",
                                                      "OBJECT",
                                                      "FIELD_DEFINITION",
                                                      "ARGUMENT_DEFINITION",
                                                      "INTERFACE",
                                                      "UNION",
                                                      "ENUM",
                                                      "ENUM_VALUE",
                                                      "INPUT_OBJECT",
                                                      "INPUT_FIELD_DEFINITION"};
      do {
        auto t = expect(K::name);
        if (!locations.count(t.value)) fail("Unexpected Name \"" + t.value + "\".", t.loc);
        d.locations.push_back(t.value);
      } while (skip(K::pipe));
      doc.type_system.emplace_back(d.name, start);
      doc.directives.push_back(std::move(d));
      return;
    }
    auto t = type_definition(kw, false);
    if (!t) unexpected();
    t->description = description;
    t->loc = start;
    doc.type_system.emplace_back(t->name, start);
    doc.types.push_back(std::move(*t));
  }

  void extension(document& doc) {
    location start = tok_.loc;
    advance();  // extend
    if (!peek(K::name)) unexpected();
    std::string kw = tok_.value;
    if (kw == "schema") {
      advance();
      schema_def s;
      s.extension = true;
      s.loc = start;
      s.directives = directives(true);
      if (skip(K::brace_l)) {
        do {
          auto op = name();
          expect(K::colon);
          s.ops.emplace_back(op, name());
        } while (!skip(K::brace_r));
      }
      if (s.directives.empty() && s.ops.empty()) unexpected();
      doc.type_system.emplace_back("", start);
      doc.schemas.push_back(std::move(s));
      return;
    }
    auto t = type_definition(kw, true);
    if (!t) unexpected();
    bool empty = t->directives.empty() && t->interfaces.empty() && t->fields.empty() && t->input_fields.empty() &&
                 t->members.empty() && t->values.empty();
    if (empty) unexpected();
    t->loc = start;
    doc.type_system.emplace_back(t->name, start);
    doc.types.push_back(std::move(*t));
  }

  std::optional<type_def> type_definition(const std::string& kw, bool extension) {
    type_def t;
    t.extension = extension;
    if (kw == "scalar")
      t.k = type_def::kind::scalar;
    else if (kw == "type")
      t.k = type_def::kind::object;
    else if (kw == "interface")
      t.k = type_def::kind::interface;
    else if (kw == "union")
      t.k = type_def::kind::union_;
    else if (kw == "enum")
      t.k = type_def::kind::enum_;
    else if (kw == "input")
      t.k = type_def::kind::input;
    else
      return std::nullopt;
    advance();
    t.name = name();
    if (t.k == type_def::kind::object || t.k == type_def::kind::interface) {
      if (peek_name("implements")) {
        advance();
        skip(K::amp);
        do t.interfaces.push_back(name());
        while (skip(K::amp));
      }
    }
    t.directives = directives(true);
    switch (t.k) {
      case type_def::kind::object:
      case type_def::kind::interface:
        if (skip(K::brace_l)) {
          do t.fields.push_back(field_definition());
          while (!skip(K::brace_r));
        }
        break;
      case type_def::kind::input:
        if (peek(K::brace_l)) t.input_fields = input_values(K::brace_l, K::brace_r);
        break;
      case type_def::kind::union_:
        if (skip(K::equals)) {
          skip(K::pipe);
          do t.members.push_back(name());
          while (skip(K::pipe));
        }
        break;
      case type_def::kind::enum_:
        if (skip(K::brace_l)) {
          do {
            enum_value_def v;
            v.loc = tok_.loc;
            if (peek(K::string) || peek(K::block_string)) {
              v.description = tok_.value;
              advance();
            }
            auto nt = expect(K::name);
            if (nt.value == "true" || nt.value == "false" || nt.value == "null")
              fail("Name \"" + nt.value + "\" is reserved and cannot be used for an enum value.", nt.loc);
            v.name = nt.value;
            v.directives = directives(true);
            t.values.push_back(std::move(v));
          } while (!skip(K::brace_r));
        }
        break;
      case type_def::kind::scalar: break;
    }
    return t;
  }

  field_def field_definition() {
    field_def f;
    f.loc = tok_.loc;
    if (peek(K::string) || peek(K::block_string)) {
      f.description = tok_.value;
      advance();
    }
    f.name = name();
    if (peek(K::paren_l)) f.args = input_values(K::paren_l, K::paren_r);
    expect(K::colon);
    f.type = type();
    f.directives = directives(true);
    return f;
  }

  std::vector<input_value_def> input_values(K open, K close) {
    std::vector<input_value_def> out;
    expect(open);
    do {
      input_value_def v;
      v.loc = tok_.loc;
      if (peek(K::string) || peek(K::block_string)) {
        v.description = tok_.value;
        advance();
      }
      v.name = name();
      expect(K::colon);
      v.type = type();
      if (skip(K::equals)) v.default_value = value_(true);
      v.directives = directives(true);
      out.push_back(std::move(v));
    } while (!skip(close));
    return out;
  }

  operation operation_() {
    operation op;
    op.loc = tok_.loc;
    op.op = tok_.value;
    advance();
    if (peek(K::name)) op.name = name();
    if (skip(K::paren_l)) {
      do {
        variable_def v;
        v.loc = tok_.loc;
        expect(K::dollar);
        v.name = name();
        expect(K::colon);
        v.type = type();
        if (skip(K::equals)) v.default_value = value_(true);
        v.directives = directives(true);
        op.vars.push_back(std::move(v));
      } while (!skip(K::paren_r));
    }
    op.directives = directives(false);
    op.sel = selection_set_();
    return op;
  }

  fragment fragment_() {
    fragment f;
    f.loc = tok_.loc;
    advance();  // fragment
    if (peek_name("on")) unexpected();
    f.name = name();
    expect_keyword("on");
    f.type_condition = name();
    f.directives = directives(false);
    f.sel = selection_set_();
    return f;
  }

  selection_set selection_set_() {
    depth_guard g(*this);
    selection_set out;
    expect(K::brace_l);
    do out.push_back(selection_());
    while (!skip(K::brace_r));
    return out;
  }

  selection selection_() {
    selection s;
    s.loc = tok_.loc;
    if (skip(K::spread)) {
      if (peek(K::name) && tok_.value != "on") {
        s.k = selection::kind::spread;
        s.name = name();
        s.directives = directives(false);
        return s;
      }
      s.k = selection::kind::inline_fragment;
      if (peek_name("on")) {
        advance();
        s.type_condition = name();
      }
      s.directives = directives(false);
      s.sub = selection_set_();
      return s;
    }
    s.name = name();
    if (skip(K::colon)) {
      s.alias = s.name;
      s.name = name();
    }
    if (peek(K::paren_l)) s.args = arguments(false);
    s.directives = directives(false);
    if (peek(K::brace_l)) s.sub = selection_set_();
    return s;
  }

  std::vector<argument> arguments(bool is_const) {
    std::vector<argument> out;
    expect(K::paren_l);
    do {
      argument a;
      a.loc = tok_.loc;
      a.name = name();
      expect(K::colon);
      a.v = value_(is_const);
      out.push_back(std::move(a));
    } while (!skip(K::paren_r));
    return out;
  }

  std::vector<directive> directives(bool is_const) {
    std::vector<directive> out;
    while (peek(K::at)) {
      directive d;
      d.loc = tok_.loc;
      advance();
      d.name = name();
      if (peek(K::paren_l)) d.args = arguments(is_const);
      out.push_back(std::move(d));
    }
    return out;
  }

  type_ref type() {
    depth_guard g(*this);
    type_ref t;
    location loc = tok_.loc;
    if (skip(K::bracket_l)) {
      auto inner = type();
      expect(K::bracket_r);
      t = type_ref::wrap(type_ref::kind::list, std::move(inner));
    } else {
      t = type_ref::named_type(name());
    }
    t.loc = loc;
    if (skip(K::bang)) {
      t = type_ref::wrap(type_ref::kind::non_null, std::move(t));
      t.loc = loc;
    }
    return t;
  }

  value value_(bool is_const) {
    depth_guard g(*this);
    value v;
    v.loc = tok_.loc;
    switch (tok_.k) {
      case K::bracket_l:
        advance();
        v.k = value::kind::list;
        while (!skip(K::bracket_r)) v.items.push_back(value_(is_const));
        return v;
      case K::brace_l:
        advance();
        v.k = value::kind::object;
        while (!skip(K::brace_r)) {
          auto n = name();
          expect(K::colon);
          v.fields.emplace_back(n, value_(is_const));
        }
        return v;
      case K::int_:
      case K::float_:
        v.k = tok_.k == K::int_ ? value::kind::int_ : value::kind::float_;
        v.text = tok_.value;
        advance();
        return v;
      case K::string:
      case K::block_string:
        v.k = value::kind::string;
        v.block = tok_.k == K::block_string;
        v.text = tok_.value;
        advance();
        return v;
      case K::name:
        if (tok_.value == "true" || tok_.value == "false") {
          v.k = value::kind::boolean;
          v.boolean = tok_.value == "true";
        } else if (tok_.value == "null") {
          v.k = value::kind::null;
        } else {
          v.k = value::kind::enum_;
          v.text = tok_.value;
        }
        advance();
        return v;
      case K::dollar:
        if (is_const) {
          advance();
          if (peek(K::name)) fail("Unexpected variable \"$" + tok_.value + "\" in constant value.", v.loc);
          unexpected();
        }
        advance();
        v.k = value::kind::variable;
        v.text = name();
        return v;
      default: unexpected();
    }
  }

  lexer lex_;
  parse_limits lim_;
  token tok_;
  size_t tokens_ = 0;
  int depth_ = 0;
};

}  // namespace

std::variant<document, gql_error> parse(std::string_view source, const parse_limits& limits) {
  try {
    parser p(source, limits);
    return p.parse_document();
  } catch (const syntax_error& e) {
    gql_error err;
    err.message = "Syntax Error: " + e.message;
    err.locations.push_back(e.loc);
    err.code = "GRAPHQL_PARSE_FAILED";
    return err;
  }
}

}  // namespace cg::gql
