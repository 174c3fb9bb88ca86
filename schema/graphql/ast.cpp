#include "schema/graphql/ast.hpp"

namespace cg::gql {

value::value() = default;
value::value(const value&) = default;
value::value(value&&) noexcept = default;
value& value::operator=(const value&) = default;
value& value::operator=(value&&) noexcept = default;
value::~value() = default;

std::string type_ref::str() const {
  switch (k) {
    case kind::named: return name;
    case kind::list: return "[" + of->str() + "]";
    case kind::non_null: return of->str() + "!";
  }
  return name;
}

namespace {
void quote(const std::string& s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void print_to(const value& v, std::string& out) {
  switch (v.k) {
    case value::kind::variable: out += "$" + v.text; break;
    case value::kind::int_:
    case value::kind::float_:
    case value::kind::enum_: out += v.text; break;
    case value::kind::string: quote(v.text, out); break;
    case value::kind::boolean: out += v.boolean ? "true" : "false"; break;
    case value::kind::null: out += "null"; break;
    case value::kind::list:
      out += '[';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ", ";
        print_to(v.items[i], out);
      }
      out += ']';
      break;
    case value::kind::object:
      out += '{';
      for (size_t i = 0; i < v.fields.size(); ++i) {
        if (i) out += ", ";
        out += v.fields[i].first + ": ";
        print_to(v.fields[i].second, out);
      }
      out += '}';
      break;
  }
}
}  // namespace

std::string print(const value& v) {
  std::string out;
  print_to(v, out);
  return out;
}

}  // namespace cg::gql
