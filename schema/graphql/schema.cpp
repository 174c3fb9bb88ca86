#include "schema/graphql/schema.hpp"

#include <algorithm>

#include "schema/graphql/parser.hpp"

namespace cg::gql {

namespace {
// The built-ins every schema has (spec sections 3.5, 3.13 and 4.5), as SDL.
constexpr const char* builtin_sdl = R"GQL(
"The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent values between -(2^31) and 2^31 - 1."
scalar Int
"The `Float` scalar type represents signed double-precision fractional values as specified by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point)."
scalar Float
"The `String` scalar type represents textual data, represented as UTF-8 character sequences."
scalar String
"The `Boolean` scalar type represents `true` or `false`."
scalar Boolean
"The `ID` scalar type represents a unique identifier, serialized as a String; as input it accepts a String or an Int."
scalar ID
"Directs the executor to include this field or fragment only when the `if` argument is true."
directive @include("Included when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
"Directs the executor to skip this field or fragment when the `if` argument is true."
directive @skip("Skipped when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
"Marks an element of a GraphQL schema as no longer supported."
directive @deprecated(reason: String = "No longer supported") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
"Exposes a URL that specifies the behavior of this scalar."
directive @specifiedBy(url: String!) on SCALAR
"A GraphQL Schema defines the capabilities of a GraphQL server."
type __Schema {
  description: String
  types: [__Type!]!
  queryType: __Type!
  mutationType: __Type
  subscriptionType: __Type
  directives: [__Directive!]!
}
"The fundamental unit of any GraphQL Schema is the type."
type __Type {
  kind: __TypeKind!
  name: String
  description: String
  specifiedByURL: String
  fields(includeDeprecated: Boolean = false): [__Field!]
  interfaces: [__Type!]
  possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
  inputFields(includeDeprecated: Boolean = false): [__InputValue!]
  ofType: __Type
  isOneOf: Boolean
}
"An enum describing what kind of type a given `__Type` is."
enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
"Object and Interface types are described by a list of Fields, each of which has a name, potentially a list of arguments, and a return type."
type __Field {
  name: String!
  description: String
  args(includeDeprecated: Boolean = false): [__InputValue!]!
  type: __Type!
  isDeprecated: Boolean!
  deprecationReason: String
}
"Arguments provided to Fields or Directives and the input fields of an InputObject are represented as Input Values which describe their type and optionally a default value."
type __InputValue {
  name: String!
  description: String
  type: __Type!
  defaultValue: String
  isDeprecated: Boolean!
  deprecationReason: String
}
"One possible value for a given Enum."
type __EnumValue {
  name: String!
  description: String
  isDeprecated: Boolean!
  deprecationReason: String
}
"A Directive provides a way to describe alternate runtime execution and type validation behavior in a GraphQL document."
type __Directive {
  name: String!
  description: String
  isRepeatable: Boolean!
  locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean = false): [__InputValue!]!
}
"A Directive can be adjacent to many parts of the GraphQL language."
enum __DirectiveLocation {
  QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION FRAGMENT_SPREAD INLINE_FRAGMENT VARIABLE_DEFINITION
  SCHEMA SCALAR OBJECT FIELD_DEFINITION ARGUMENT_DEFINITION INTERFACE UNION ENUM ENUM_VALUE INPUT_OBJECT
  INPUT_FIELD_DEFINITION
}
)GQL";

void deprecation(const std::vector<directive>& ds, bool& deprecated, std::string& reason) {
  for (const auto& d : ds) {
    if (d.name != "deprecated") continue;
    deprecated = true;
    reason = "No longer supported";
    for (const auto& a : d.args)
      if (a.name == "reason" && a.v.k == value::kind::string) reason = a.v.text;
  }
}

arg_info to_arg(const input_value_def& d) {
  arg_info a;
  a.name = d.name;
  a.description = d.description;
  a.type = d.type;
  a.default_value = d.default_value;
  deprecation(d.directives, a.deprecated, a.deprecation_reason);
  return a;
}

error bad_schema(const std::string& msg) { return make_error(errc::invalid_argument, "schema: " + msg); }
}  // namespace

const arg_info* field_info::arg(std::string_view n) const {
  for (const auto& a : args)
    if (a.name == n) return &a;
  return nullptr;
}
const arg_info* directive_info::arg(std::string_view n) const {
  for (const auto& a : args)
    if (a.name == n) return &a;
  return nullptr;
}
const field_info* type_info::field(std::string_view n) const {
  auto it = field_index_.find(std::string(n));
  return it == field_index_.end() ? nullptr : &fields[it->second];
}
field_info* type_info::field(std::string_view n) {
  auto it = field_index_.find(std::string(n));
  return it == field_index_.end() ? nullptr : &fields[it->second];
}
const arg_info* type_info::input_field(std::string_view n) const {
  for (const auto& a : input_fields)
    if (a.name == n) return &a;
  return nullptr;
}
bool type_info::has_value(std::string_view n) const {
  return std::any_of(values.begin(), values.end(), [&](const enum_value_info& v) { return v.name == n; });
}

const type_info* schema::type(std::string_view name) const {
  auto it = types_.find(std::string(name));
  return it == types_.end() ? nullptr : &it->second;
}
const directive_info* schema::directive(std::string_view name) const {
  for (const auto& d : directives_)
    if (d.name == name) return &d;
  return nullptr;
}
const type_info* schema::root(std::string_view op) const {
  const std::string& n = op == "mutation" ? mutation_type : op == "subscription" ? subscription_type : query_type;
  return n.empty() ? nullptr : type(n);
}

bool schema::possible(const type_info& t, std::string_view object_type) const {
  if (t.k == type_def::kind::object) return t.name == object_type;
  return std::find(t.possible.begin(), t.possible.end(), object_type) != t.possible.end();
}

bool schema::overlap(const type_info& a, const type_info& b) const {
  if (&a == &b) return true;
  if (a.k == type_def::kind::object) return possible(b, a.name);
  if (b.k == type_def::kind::object) return possible(a, b.name);
  for (const auto& p : a.possible)
    if (possible(b, p)) return true;
  return false;
}

status schema::resolve(std::string_view type, std::string_view field, batch_resolver fn, bool concurrent) {
  auto it = types_.find(std::string(type));
  if (it == types_.end()) return make_error(errc::internal, "no type " + std::string(type));
  auto* f = it->second.field(field);
  if (!f) return make_error(errc::internal, "no field " + std::string(type) + "." + std::string(field));
  f->resolve = std::move(fn);
  f->concurrent = concurrent;
  return {};
}

field_info* schema::mutable_field(std::string_view type, std::string_view field) {
  auto it = types_.find(std::string(type));
  return it == types_.end() ? nullptr : it->second.field(field);
}

status schema::subscribe(std::string_view field, subscribe_fn fn) {
  if (subscription_type.empty()) return make_error(errc::internal, "the schema has no subscription type");
  auto* f = types_[subscription_type].field(field);
  if (!f) return make_error(errc::internal, "no subscription field " + std::string(field));
  f->subscribe = std::move(fn);
  return {};
}

result<std::shared_ptr<schema>> schema::from_sdl(std::string_view sdl) {
  std::shared_ptr<schema> s(new schema());
  for (std::string_view src : {std::string_view(builtin_sdl), sdl}) {
    auto doc = parse(src);
    if (auto* e = std::get_if<gql_error>(&doc)) {
      auto l = e->locations.empty() ? location{} : e->locations[0];
      return bad_schema(e->message + " (line " + std::to_string(l.line) + ", column " + std::to_string(l.column) + ")");
    }
    if (auto st = s->build(std::get<document>(doc)); !st.ok()) return st.err();
  }
  // Interfaces know their implementations; every referenced type exists.
  for (auto& name : s->order_) {
    auto& t = s->types_[name];
    for (const auto& i : t.interfaces) {
      auto it = s->types_.find(i);
      if (it == s->types_.end() || it->second.k != type_def::kind::interface)
        return bad_schema(name + " implements " + i + ", which is not an interface");
      if (t.k == type_def::kind::object) it->second.possible.push_back(name);
    }
    auto check = [&](const type_ref& r, bool input, const std::string& where) -> status {
      auto* b = s->type(r.base());
      if (!b) return bad_schema(where + " has unknown type " + r.base());
      if (input && !b->input()) return bad_schema(where + " must have an input type, not " + r.base());
      if (!input && b->k == type_def::kind::input)
        return bad_schema(where + " must have an output type, not " + r.base());
      return {};
    };
    for (const auto& f : t.fields) {
      if (auto st = check(f.type, false, name + "." + f.name); !st.ok()) return st.err();
      for (const auto& a : f.args)
        if (auto st = check(a.type, true, name + "." + f.name + "(" + a.name + ")"); !st.ok()) return st.err();
    }
    for (const auto& f : t.input_fields)
      if (auto st = check(f.type, true, name + "." + f.name); !st.ok()) return st.err();
    for (const auto& m : t.possible)
      if (t.k == type_def::kind::union_) {
        auto* mt = s->type(m);
        if (!mt || mt->k != type_def::kind::object)
          return bad_schema("union " + name + " member " + m + " is not an object type");
      }
  }
  if (!s->type(s->query_type)) return bad_schema("no query type " + s->query_type);
  if (s->mutation_type.empty() && s->type("Mutation")) s->mutation_type = "Mutation";
  if (s->subscription_type.empty() && s->type("Subscription")) s->subscription_type = "Subscription";
  s->install_introspection();
  return s;
}

status schema::build(const document& doc) {
  if (!doc.operations.empty() || !doc.fragments.empty()) return bad_schema("an SDL file holds type definitions only");
  for (const auto& sd : doc.schemas) {
    if (!sd.description.empty()) description = sd.description;
    for (const auto& [op, t] : sd.ops) {
      if (op == "query") query_type = t;
      if (op == "mutation") mutation_type = t;
      if (op == "subscription") subscription_type = t;
    }
  }
  for (const auto& d : doc.directives) {
    directive_info di;
    di.name = d.name;
    di.description = d.description;
    di.repeatable = d.repeatable;
    di.locations = d.locations;
    for (const auto& a : d.args) di.args.push_back(to_arg(a));
    directives_.push_back(std::move(di));
  }
  for (const auto& td : doc.types) {
    auto it = types_.find(td.name);
    if (!td.extension && it != types_.end()) return bad_schema("type " + td.name + " is defined twice");
    if (td.extension && it == types_.end()) return bad_schema("cannot extend unknown type " + td.name);
    if (it == types_.end()) {
      it = types_.emplace(td.name, type_info{}).first;
      order_.push_back(td.name);
      it->second.k = td.k;
      it->second.name = td.name;
      it->second.description = td.description;
    }
    auto& t = it->second;
    for (const auto& d : td.directives)
      if (d.name == "specifiedBy")
        for (const auto& a : d.args)
          if (a.name == "url") t.specified_by = a.v.text;
    for (const auto& i : td.interfaces) t.interfaces.push_back(i);
    for (const auto& f : td.fields) {
      if (t.field(f.name)) return bad_schema(td.name + "." + f.name + " is defined twice");
      field_info fi;
      fi.name = f.name;
      fi.description = f.description;
      fi.type = f.type;
      for (const auto& a : f.args) fi.args.push_back(to_arg(a));
      deprecation(f.directives, fi.deprecated, fi.deprecation_reason);
      t.field_index_[f.name] = t.fields.size();
      t.fields.push_back(std::move(fi));
    }
    for (const auto& f : td.input_fields) t.input_fields.push_back(to_arg(f));
    for (const auto& m : td.members) t.possible.push_back(m);
    for (const auto& v : td.values) {
      enum_value_info e;
      e.name = v.name;
      e.description = v.description;
      deprecation(v.directives, e.deprecated, e.deprecation_reason);
      t.values.push_back(std::move(e));
    }
  }
  return {};
}

batch_resolver each(std::function<field_value(const json& parent, const json& args, context& ctx)> fn) {
  return [fn = std::move(fn)](const std::vector<const json*>& parents, const json& args, context& ctx) {
    std::vector<field_value> out;
    out.reserve(parents.size());
    for (const auto* p : parents) out.push_back(fn(*p, args, ctx));
    return out;
  };
}

}  // namespace cg::gql
