// Introspection (spec section 4): resolvers over the schema model. A __Type value is
// {"__ref": "<type as written>"}, e.g. "[Node!]!", so wrappers need no objects.
#include "schema/graphql/schema.hpp"

namespace cg::gql {
namespace {

const char* kind_name(type_def::kind k) {
  switch (k) {
    case type_def::kind::scalar: return "SCALAR";
    case type_def::kind::object: return "OBJECT";
    case type_def::kind::interface: return "INTERFACE";
    case type_def::kind::union_: return "UNION";
    case type_def::kind::enum_: return "ENUM";
    case type_def::kind::input: return "INPUT_OBJECT";
  }
  return "SCALAR";
}

json tref(const std::string& t) { return json{{"__ref", t}}; }
json opt_string(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json input_value_json(const arg_info& a) {
  return json{{"name", a.name},
              {"description", opt_string(a.description)},
              {"type", tref(a.type.str())},
              {"defaultValue", a.default_value ? json(print(*a.default_value)) : json(nullptr)},
              {"isDeprecated", a.deprecated},
              {"deprecationReason", a.deprecated ? json(a.deprecation_reason) : json(nullptr)}};
}

json input_values(const std::vector<arg_info>& args) {
  json arr = json::array();
  for (const auto& a : args) arr.push_back(input_value_json(a));
  return arr;
}

// Keeps the deprecated entries only when asked.
json filtered(const json& all, const json& args) {
  bool include = args.contains("includeDeprecated") && args["includeDeprecated"].is_boolean() &&
                 args["includeDeprecated"].get<bool>();
  if (include) return all;
  json out = json::array();
  for (const auto& v : all)
    if (!v.value("isDeprecated", false)) out.push_back(v);
  return out;
}

}  // namespace

void schema::install_introspection() {
  const schema* self = this;
  // The two parsed forms of a type reference string.
  auto unwrap = [](const std::string& r) -> std::pair<std::string, std::string> {  // kind, inner
    if (!r.empty() && r.back() == '!') return {"NON_NULL", r.substr(0, r.size() - 1)};
    if (!r.empty() && r.front() == '[') return {"LIST", r.substr(1, r.size() - 2)};
    return {"", r};
  };
  auto named = [self, unwrap](const json& parent) -> const type_info* {
    auto r = parent.value("__ref", std::string());
    if (!unwrap(r).first.empty()) return nullptr;
    return self->type(r);
  };

  (void)resolve("__Schema", "description", each([self](const json&, const json&, context&) {
                  return field_value{opt_string(self->description)};
                }));
  (void)resolve("__Schema", "types", each([self](const json&, const json&, context&) {
                  json arr = json::array();
                  for (const auto& n : self->order_) arr.push_back(tref(n));
                  return field_value{arr};
                }));
  auto root_ref = [self](const std::string& n) { return n.empty() ? json(nullptr) : tref(n); };
  (void)resolve("__Schema", "queryType", each([self, root_ref](const json&, const json&, context&) {
                  return field_value{root_ref(self->query_type)};
                }));
  (void)resolve("__Schema", "mutationType", each([self, root_ref](const json&, const json&, context&) {
                  return field_value{root_ref(self->mutation_type)};
                }));
  (void)resolve("__Schema", "subscriptionType", each([self, root_ref](const json&, const json&, context&) {
                  return field_value{root_ref(self->subscription_type)};
                }));
  (void)resolve("__Schema", "directives", each([self](const json&, const json&, context&) {
                  json arr = json::array();
                  for (const auto& d : self->directives_) {
                    json locs = json::array();
                    for (const auto& l : d.locations) locs.push_back(l);
                    arr.push_back(json{{"name", d.name},
                                       {"description", opt_string(d.description)},
                                       {"isRepeatable", d.repeatable},
                                       {"locations", locs},
                                       {"__args", input_values(d.args)}});
                  }
                  return field_value{arr};
                }));
  (void)resolve("__Directive", "args", each([](const json& p, const json& args, context&) {
                  return field_value{filtered(p["__args"], args)};
                }));
  (void)resolve("__Field", "args", each([](const json& p, const json& args, context&) {
                  return field_value{filtered(p["__args"], args)};
                }));

  (void)resolve("__Type", "kind", each([self, unwrap](const json& p, const json&, context&) {
                  auto [k, inner] = unwrap(p.value("__ref", std::string()));
                  if (!k.empty()) return field_value{k};
                  auto* t = self->type(inner);
                  return t ? field_value{kind_name(t->k)} : field_value::fail("unknown type " + inner);
                }));
  (void)resolve("__Type", "name", each([named](const json& p, const json&, context&) {
                  auto* t = named(p);
                  return field_value{t ? json(t->name) : json(nullptr)};
                }));
  (void)resolve("__Type", "description", each([named](const json& p, const json&, context&) {
                  auto* t = named(p);
                  return field_value{t ? opt_string(t->description) : json(nullptr)};
                }));
  (void)resolve("__Type", "specifiedByURL", each([named](const json& p, const json&, context&) {
                  auto* t = named(p);
                  return field_value{t ? opt_string(t->specified_by) : json(nullptr)};
                }));
  (void)resolve("__Type", "isOneOf", each([named](const json& p, const json&, context&) {
                  auto* t = named(p);
                  return field_value{t && t->k == type_def::kind::input ? json(false) : json(nullptr)};
                }));
  (void)resolve("__Type", "ofType", each([unwrap](const json& p, const json&, context&) {
                  auto [k, inner] = unwrap(p.value("__ref", std::string()));
                  return field_value{k.empty() ? json(nullptr) : tref(inner)};
                }));
  (void)resolve(
      "__Type", "fields", each([named](const json& p, const json& args, context&) {
        auto* t = named(p);
        if (!t || (t->k != type_def::kind::object && t->k != type_def::kind::interface)) return field_value{nullptr};
        json all = json::array();
        for (const auto& f : t->fields) {
          if (f.name.rfind("__", 0) == 0) continue;
          all.push_back(json{{"name", f.name},
                             {"description", opt_string(f.description)},
                             {"__args", input_values(f.args)},
                             {"type", tref(f.type.str())},
                             {"isDeprecated", f.deprecated},
                             {"deprecationReason", f.deprecated ? json(f.deprecation_reason) : json(nullptr)}});
        }
        return field_value{filtered(all, args)};
      }));
  (void)resolve("__Type", "interfaces", each([named](const json& p, const json&, context&) {
                  auto* t = named(p);
                  if (!t || (t->k != type_def::kind::object && t->k != type_def::kind::interface))
                    return field_value{nullptr};
                  json arr = json::array();
                  for (const auto& i : t->interfaces) arr.push_back(tref(i));
                  return field_value{arr};
                }));
  (void)resolve("__Type", "possibleTypes", each([named](const json& p, const json&, context&) {
                  auto* t = named(p);
                  if (!t || !t->abstract()) return field_value{nullptr};
                  json arr = json::array();
                  for (const auto& i : t->possible) arr.push_back(tref(i));
                  return field_value{arr};
                }));
  (void)resolve(
      "__Type", "enumValues", each([named](const json& p, const json& args, context&) {
        auto* t = named(p);
        if (!t || t->k != type_def::kind::enum_) return field_value{nullptr};
        json all = json::array();
        for (const auto& v : t->values)
          all.push_back(json{{"name", v.name},
                             {"description", opt_string(v.description)},
                             {"isDeprecated", v.deprecated},
                             {"deprecationReason", v.deprecated ? json(v.deprecation_reason) : json(nullptr)}});
        return field_value{filtered(all, args)};
      }));
  (void)resolve("__Type", "inputFields", each([named](const json& p, const json& args, context&) {
                  auto* t = named(p);
                  if (!t || t->k != type_def::kind::input) return field_value{nullptr};
                  return field_value{filtered(input_values(t->input_fields), args)};
                }));
}

}  // namespace cg::gql
