#include "schema/graphql/values.hpp"

#include <cmath>
#include <cstdlib>

namespace cg::gql {

std::string inspect(const json& v) {
  if (v.is_string()) return v.dump();
  if (v.is_null()) return "null";
  if (v.is_object()) {
    std::string s = "{ ";
    bool first = true;
    for (const auto& [k, x] : v.items()) {
      if (!first) s += ", ";
      first = false;
      s += k + ": " + inspect(x);
    }
    return v.empty() ? "{}" : s + " }";
  }
  if (v.is_array()) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + inspect(v[i]);
    return s + "]";
  }
  return v.dump();
}

namespace {
bool int32(double d) { return d == std::floor(d) && d >= -2147483648.0 && d <= 2147483647.0; }

bool coerce_scalar(const type_info& t, const json& in, json& out, std::string& err) {
  const auto& n = t.name;
  if (n == "Int") {
    if (in.is_number_integer() && int32(static_cast<double>(in.get<int64_t>()))) {
      out = in.get<int64_t>();
      return true;
    }
    if (in.is_number_float() && int32(in.get<double>())) {
      out = static_cast<int64_t>(in.get<double>());
      return true;
    }
    if (in.is_number())
      err = "Int cannot represent non 32-bit signed integer value: " + inspect(in);
    else
      err = "Int cannot represent non-integer value: " + inspect(in);
    return false;
  }
  if (n == "Float") {
    if (in.is_number()) {
      out = in.get<double>();
      return true;
    }
    err = "Float cannot represent non numeric value: " + inspect(in);
    return false;
  }
  if (n == "String") {
    if (in.is_string()) {
      out = in;
      return true;
    }
    err = "String cannot represent a non string value: " + inspect(in);
    return false;
  }
  if (n == "Boolean") {
    if (in.is_boolean()) {
      out = in;
      return true;
    }
    err = "Boolean cannot represent a non boolean value: " + inspect(in);
    return false;
  }
  if (n == "ID") {
    if (in.is_string()) {
      out = in;
      return true;
    }
    if (in.is_number_integer()) {
      out = std::to_string(in.get<int64_t>());
      return true;
    }
    err = "ID cannot represent value: " + inspect(in);
    return false;
  }
  out = in;  // custom scalars (JSON) pass through
  return true;
}
}  // namespace

bool coerce_input(const schema& s, const json& in, const type_ref& t, json& out, std::string& err,
                  const std::string& path) {
  auto where = [&]() { return path.empty() ? std::string() : " at \"" + path + "\""; };
  if (t.k == type_ref::kind::non_null) {
    if (in.is_null()) {
      err = "Expected non-nullable type \"" + t.str() + "\" not to be null" + where() + ".";
      return false;
    }
    return coerce_input(s, in, *t.of, out, err, path);
  }
  if (in.is_null()) {
    out = nullptr;
    return true;
  }
  if (t.k == type_ref::kind::list) {
    out = json::array();
    if (!in.is_array()) {  // a single value is a list of one
      json item;
      if (!coerce_input(s, in, *t.of, item, err, path)) return false;
      out.push_back(std::move(item));
      return true;
    }
    for (size_t i = 0; i < in.size(); ++i) {
      json item;
      if (!coerce_input(s, in[i], *t.of, item, err,
                        path.empty() ? "[" + std::to_string(i) + "]" : path + "[" + std::to_string(i) + "]"))
        return false;
      out.push_back(std::move(item));
    }
    return true;
  }
  const auto* ti = s.type(t.name);
  if (!ti) {
    err = "Unknown type \"" + t.name + "\".";
    return false;
  }
  switch (ti->k) {
    case type_def::kind::scalar:
      if (!coerce_scalar(*ti, in, out, err)) {
        if (!path.empty()) err += where();
        return false;
      }
      return true;
    case type_def::kind::enum_:
      if (in.is_string() && ti->has_value(in.get<std::string>())) {
        out = in;
        return true;
      }
      err = in.is_string() ? "Value " + inspect(in) + " does not exist in \"" + ti->name + "\" enum."
                           : "Enum \"" + ti->name + "\" cannot represent non-string value: " + inspect(in) + ".";
      return false;
    case type_def::kind::input: {
      if (!in.is_object()) {
        err = "Expected type \"" + ti->name + "\" to be an object" + where() + ".";
        return false;
      }
      out = json::object();
      for (const auto& f : ti->input_fields) {
        auto sub = path.empty() ? f.name : path + "." + f.name;
        if (!in.contains(f.name)) {
          if (f.default_value) {
            json d;
            if (!coerce_literal(s, *f.default_value, f.type, json::object(), d, err)) return false;
            out[f.name] = d;
          } else if (f.type.non_null()) {
            err = "Field \"" + f.name + "\" of required type \"" + f.type.str() + "\" was not provided" + where() + ".";
            return false;
          }
          continue;
        }
        json v;
        if (!coerce_input(s, in[f.name], f.type, v, err, sub)) return false;
        out[f.name] = std::move(v);
      }
      for (const auto& [k, v] : in.items())
        if (!ti->input_field(k)) {
          err = "Field \"" + k + "\" is not defined by type \"" + ti->name + "\"" + where() + ".";
          return false;
        }
      return true;
    }
    default: err = "\"" + ti->name + "\" is not an input type."; return false;
  }
}

bool coerce_literal(const schema& s, const value& v, const type_ref& t, const json& variables, json& out,
                    std::string& err) {
  if (v.k == value::kind::variable) {
    if (!variables.contains(v.text)) {
      if (t.non_null()) {
        err = "Variable \"$" + v.text + "\" of required type \"" + t.str() + "\" was not provided.";
        return false;
      }
      out = nullptr;
      return true;
    }
    const auto& got = variables[v.text];
    if (got.is_null() && t.non_null()) {
      err = "Variable \"$" + v.text + "\" of non-null type \"" + t.str() + "\" must not be null.";
      return false;
    }
    out = got;
    return true;
  }
  if (t.k == type_ref::kind::non_null) {
    if (v.k == value::kind::null) {
      err = "Expected value of type \"" + t.str() + "\", found null.";
      return false;
    }
    return coerce_literal(s, v, *t.of, variables, out, err);
  }
  if (v.k == value::kind::null) {
    out = nullptr;
    return true;
  }
  if (t.k == type_ref::kind::list) {
    out = json::array();
    if (v.k != value::kind::list) {
      json item;
      if (!coerce_literal(s, v, *t.of, variables, item, err)) return false;
      out.push_back(std::move(item));
      return true;
    }
    for (const auto& i : v.items) {
      json item;
      if (!coerce_literal(s, i, *t.of, variables, item, err)) return false;
      out.push_back(std::move(item));
    }
    return true;
  }
  const auto* ti = s.type(t.name);
  if (!ti) {
    err = "Unknown type \"" + t.name + "\".";
    return false;
  }
  auto mismatch = [&]() {
    err = "Expected value of type \"" + t.str() + "\", found " + print(v) + ".";
    return false;
  };
  switch (ti->k) {
    case type_def::kind::scalar: {
      json raw;
      switch (v.k) {
        case value::kind::int_: {
          char* end = nullptr;
          double d = std::strtod(v.text.c_str(), &end);
          if (ti->name == "Float")
            raw = d;
          else if (int32(d))
            raw = static_cast<int64_t>(d);
          else if (ti->name == "Int") {
            err = "Int cannot represent non 32-bit signed integer value: " + v.text;
            return false;
          } else
            raw = v.text;  // ID or a custom scalar: keep the digits
          break;
        }
        case value::kind::float_:
          if (ti->name == "Int" || ti->name == "ID" || ti->name == "String" || ti->name == "Boolean") return mismatch();
          raw = std::strtod(v.text.c_str(), nullptr);
          break;
        case value::kind::string: raw = v.text; break;
        case value::kind::boolean: raw = v.boolean; break;
        case value::kind::enum_:
          if (ti->name == "Int" || ti->name == "Float" || ti->name == "String" || ti->name == "Boolean" ||
              ti->name == "ID")
            return mismatch();
          raw = v.text;
          break;
        case value::kind::list:
        case value::kind::object: {
          if (ti->name == "Int" || ti->name == "Float" || ti->name == "String" || ti->name == "Boolean" ||
              ti->name == "ID")
            return mismatch();
          // A custom scalar (JSON): the literal as JSON.
          raw = v.k == value::kind::list ? json::array() : json::object();
          for (const auto& i : v.items) {
            json x;
            type_ref any = type_ref::named_type(ti->name);
            if (!coerce_literal(s, i, any, variables, x, err)) return false;
            raw.push_back(x);
          }
          for (const auto& [k, fv] : v.fields) {
            json x;
            type_ref any = type_ref::named_type(ti->name);
            if (!coerce_literal(s, fv, any, variables, x, err)) return false;
            raw[k] = x;
          }
          out = raw;
          return true;
        }
        default: return mismatch();
      }
      if (ti->name == "ID" && raw.is_number_integer()) raw = std::to_string(raw.get<int64_t>());
      if (!coerce_scalar(*ti, raw, out, err)) return mismatch();
      return true;
    }
    case type_def::kind::enum_:
      if (v.k != value::kind::enum_ || !ti->has_value(v.text)) return mismatch();
      out = v.text;
      return true;
    case type_def::kind::input: {
      if (v.k != value::kind::object) return mismatch();
      out = json::object();
      for (const auto& f : ti->input_fields) {
        const value* given = nullptr;
        for (const auto& [k, fv] : v.fields)
          if (k == f.name) given = &fv;
        if (given && !(given->k == value::kind::variable && !variables.contains(given->text))) {
          json x;
          if (!coerce_literal(s, *given, f.type, variables, x, err)) return false;
          out[f.name] = std::move(x);
        } else if (f.default_value) {
          json x;
          if (!coerce_literal(s, *f.default_value, f.type, variables, x, err)) return false;
          out[f.name] = std::move(x);
        } else if (f.type.non_null()) {
          err = "Field \"" + ti->name + "." + f.name + "\" of required type \"" + f.type.str() + "\" was not provided.";
          return false;
        }
      }
      for (const auto& [k, fv] : v.fields)
        if (!ti->input_field(k)) {
          err = "Field \"" + k + "\" is not defined by type \"" + ti->name + "\".";
          return false;
        }
      return true;
    }
    default: return mismatch();
  }
}

bool serialize_leaf(const type_info& t, const json& in, json& out, std::string& err) {
  if (t.k == type_def::kind::enum_) {
    if (in.is_string() && t.has_value(in.get<std::string>())) {
      out = in;
      return true;
    }
    err = "Enum \"" + t.name + "\" cannot represent value: " + inspect(in);
    return false;
  }
  const auto& n = t.name;
  if (n == "String") {
    if (in.is_string())
      out = in;
    else if (in.is_boolean())
      out = in.get<bool>() ? "true" : "false";
    else if (in.is_number())
      out = in.dump();
    else {
      err = "String cannot represent value: " + inspect(in);
      return false;
    }
    return true;
  }
  if (n == "Boolean" && in.is_number()) {
    out = in.get<double>() != 0;
    return true;
  }
  if (n == "ID" && in.is_number_integer()) {
    out = std::to_string(in.get<int64_t>());
    return true;
  }
  if (n == "Int" && in.is_boolean()) {
    out = in.get<bool>() ? 1 : 0;
    return true;
  }
  return coerce_scalar(t, in, out, err);
}

}  // namespace cg::gql
