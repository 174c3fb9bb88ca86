#include "schema/graphql/execute.hpp"

#include <future>
#include <unordered_map>
#include <unordered_set>

#include "schema/graphql/validate.hpp"
#include "schema/graphql/values.hpp"

namespace cg::gql {

json error_json(const gql_error& e) {
  json j = {{"message", e.message}};
  if (!e.locations.empty()) {
    json locs = json::array();
    for (const auto& l : e.locations) locs.push_back({{"line", l.line}, {"column", l.column}});
    j["locations"] = locs;
  }
  if (!e.path.empty()) {
    json p = json::array();
    for (const auto& s : e.path) {
      if (auto* n = std::get_if<std::string>(&s))
        p.push_back(*n);
      else
        p.push_back(std::get<size_t>(s));
    }
    j["path"] = p;
  }
  if (!e.code.empty()) j["extensions"] = {{"code", e.code}};
  // Refused for load: when to try again, in seconds (as the HTTP Retry-After says).
  if (e.code == "OVERLOADED") j["extensions"]["retryAfter"] = 1;
  return j;
}

json errors_json(const std::vector<gql_error>& errors) {
  json arr = json::array();
  for (const auto& e : errors) arr.push_back(error_json(e));
  return arr;
}

prepared prepare(const schema& s, const request& req, const exec_limits& limits) {
  prepared p;
  auto parsed = parse(req.query, limits.parse);
  if (auto* e = std::get_if<gql_error>(&parsed)) {
    p.errors.push_back(*e);
    p.syntax_error = true;
    return p;
  }
  auto doc = std::make_shared<document>(std::move(std::get<document>(parsed)));
  p.doc = doc;
  p.errors = validate(s, *doc);
  if (!p.errors.empty()) {
    for (auto& e : p.errors) e.code = "GRAPHQL_VALIDATION_FAILED";
    return p;
  }
  // The operation.
  if (req.operation_name.empty()) {
    if (doc->operations.size() != 1) {
      p.errors.push_back({doc->operations.empty()
                              ? "Must provide an operation."
                              : "Must provide operation name if query contains multiple operations.",
                          {},
                          {},
                          "BAD_USER_INPUT"});
      return p;
    }
    p.op = &doc->operations[0];
  } else {
    for (const auto& op : doc->operations)
      if (op.name == req.operation_name) p.op = &op;
    if (!p.op) {
      p.errors.push_back({"Unknown operation named \"" + req.operation_name + "\".", {}, {}, "BAD_USER_INPUT"});
      return p;
    }
  }
  // Variables (6.1.2).
  const json& given = req.variables.is_object() ? req.variables : json::object();
  for (const auto& v : p.op->vars) {
    bool has = given.contains(v.name);
    if (!has) {
      if (v.default_value) {
        json d;
        std::string err;
        if (coerce_literal(s, *v.default_value, v.type, json::object(), d, err)) p.variables[v.name] = d;
      } else if (v.type.non_null()) {
        p.errors.push_back({"Variable \"$" + v.name + "\" of required type \"" + v.type.str() + "\" was not provided.",
                            {v.loc},
                            {},
                            "BAD_USER_INPUT"});
      }
      continue;
    }
    json out;
    std::string err;
    if (!coerce_input(s, given[v.name], v.type, out, err)) {
      if (given[v.name].is_null() && v.type.non_null())
        p.errors.push_back({"Variable \"$" + v.name + "\" of non-null type \"" + v.type.str() + "\" must not be null.",
                            {v.loc},
                            {},
                            "BAD_USER_INPUT"});
      else
        p.errors.push_back({"Variable \"$" + v.name + "\" got invalid value " + inspect(given[v.name]) + "; " + err,
                            {v.loc},
                            {},
                            "BAD_USER_INPUT"});
      continue;
    }
    p.variables[v.name] = std::move(out);
  }
  return p;
}

bool directives_include(const std::vector<directive>& ds, const json& variables) {
  for (const auto& d : ds) {
    if (d.name != "skip" && d.name != "include") continue;
    bool cond = false;
    for (const auto& a : d.args) {
      if (a.name != "if") continue;
      if (a.v.k == value::kind::boolean)
        cond = a.v.boolean;
      else if (a.v.k == value::kind::variable && variables.contains(a.v.text) && variables[a.v.text].is_boolean())
        cond = variables[a.v.text].get<bool>();
    }
    if (d.name == "skip" && cond) return false;
    if (d.name == "include" && !cond) return false;
  }
  return true;
}

namespace {

using path_t = std::vector<path_segment>;

// An estimate of the bytes a value holds (strings, plus a fixed cost per value and
// per object member); iterative (values from resolvers can be deep).
size_t approx_bytes(const json& v) {
  size_t total = 0;
  std::vector<const json*> todo{&v};
  while (!todo.empty()) {
    const json* j = todo.back();
    todo.pop_back();
    total += 16;
    if (j->is_string())
      total += j->get_ref<const std::string&>().size();
    else if (j->is_object())
      for (auto it = j->begin(); it != j->end(); ++it) {
        total += 32 + it.key().size();
        todo.push_back(&*it);
      }
    else if (j->is_array())
      for (const auto& x : *j) todo.push_back(&x);
  }
  return total;
}
using group = std::pair<std::string, std::vector<const selection*>>;

class executor {
 public:
  executor(const schema& s, const prepared& p, context& ctx) : s_(s), p_(p), ctx_(ctx) {
    for (const auto& f : p.doc->fragments) frags_.emplace(f.name, &f);
  }

  json run() {
    const auto* root = s_.root(p_.op->op);
    json root_value = json::object();
    std::vector<const json*> parents{&root_value};
    std::vector<path_t> paths{path_t{}};
    auto out = exec_set(*root, parents, paths, {&p_.op->sel}, p_.op->op == "mutation");
    json resp = json::object();
    resp["data"] = out[0] ? std::move(*out[0]) : json(nullptr);
    if (!errors_.empty()) resp["errors"] = errors_json(errors_);
    // graphql-js orders errors first when present.
    if (!errors_.empty()) {
      json r2 = json::object();
      r2["errors"] = resp["errors"];
      r2["data"] = resp["data"];
      return r2;
    }
    return resp;
  }

  // The root field of a subscription: its group, arguments and field.
  struct root_field {
    group g;
    const field_info* f = nullptr;
    json args;
  };
  std::optional<root_field> subscription_root(std::string& err) {
    const auto* root = s_.root("subscription");
    std::vector<group> groups;
    collect(*root, p_.op->sel, groups, 0);
    if (groups.size() != 1) {
      err = "A subscription must select one top level field.";
      return std::nullopt;
    }
    root_field r;
    r.g = groups[0];
    r.f = root->field(r.g.second[0]->name);
    if (!r.f || !r.f->subscribe) {
      err = "Subscription field \"" + r.g.second[0]->name + "\" has no event source.";
      return std::nullopt;
    }
    if (!coerce_args(r.f->args, r.g.second[0]->args, r.args, err)) return std::nullopt;
    return r;
  }

  // One event of a subscription: the root field's value completed.
  json complete_event(const root_field& r, const json& value) {
    if (ctx_.budget) ctx_.budget->restart();  // each event gets the whole budget
    aborted_ = false;
    std::vector<field_value> vals{field_value{value}};
    std::vector<path_t> paths{path_t{r.g.first}};
    auto out = complete_field(*s_.root("subscription"), *r.f, r.g, vals, paths);
    json data = json::object();
    json resp = json::object();
    if (out[0]) {
      data[r.g.first] = std::move(*out[0]);
      if (!errors_.empty()) resp["errors"] = errors_json(errors_);
      resp["data"] = data;
    } else {
      resp["errors"] = errors_json(errors_);
      resp["data"] = nullptr;
    }
    errors_.clear();
    return resp;
  }

 private:
  bool included(const std::vector<directive>& ds) { return directives_include(ds, p_.variables); }

  bool applies(const type_info& t, const std::string& cond) {
    if (cond.empty() || cond == t.name) return true;
    const auto* c = s_.type(cond);
    return c && c->abstract() && s_.possible(*c, t.name);
  }

  void collect(const type_info& t, const selection_set& sel, std::vector<group>& out, int depth,
               std::unordered_set<std::string>* visited = nullptr) {
    std::unordered_set<std::string> own;
    if (!visited) visited = &own;
    for (const auto& s : sel) {
      if (!included(s.directives)) continue;
      switch (s.k) {
        case selection::kind::field: {
          auto& key = s.response_name();
          auto it = std::find_if(out.begin(), out.end(), [&](const group& g) { return g.first == key; });
          if (it == out.end())
            out.push_back({key, {&s}});
          else
            it->second.push_back(&s);
          break;
        }
        case selection::kind::inline_fragment:
          if (applies(t, s.type_condition)) collect(t, s.sub, out, depth, visited);
          break;
        case selection::kind::spread: {
          if (visited->count(s.name)) break;
          visited->insert(s.name);
          auto it = frags_.find(s.name);
          if (it == frags_.end() || !applies(t, it->second->type_condition)) break;
          collect(t, it->second->sel, out, depth, visited);
          break;
        }
      }
    }
  }

  bool coerce_args(const std::vector<arg_info>& defs, const std::vector<argument>& given, json& out, std::string& err) {
    out = json::object();
    for (const auto& d : defs) {
      const argument* a = nullptr;
      for (const auto& g : given)
        if (g.name == d.name) a = &g;
      bool absent = !a || (a->v.k == value::kind::variable && !p_.variables.contains(a->v.text));
      if (absent) {
        if (d.default_value) {
          json v;
          if (!coerce_literal(s_, *d.default_value, d.type, p_.variables, v, err)) return false;
          out[d.name] = v;
        } else if (d.type.non_null()) {
          err = a ? "Argument \"" + d.name + "\" of required type \"" + d.type.str() +
                        "\" was provided the variable \"$" + a->v.text + "\" which was not provided a runtime value."
                  : "Argument \"" + d.name + "\" of required type \"" + d.type.str() + "\" was not provided.";
          return false;
        }
        continue;
      }
      json v;
      if (!coerce_literal(s_, a->v, d.type, p_.variables, v, err)) {
        err = "Argument \"" + d.name + "\" has invalid value " + print(a->v) + ".";
        return false;
      }
      out[d.name] = std::move(v);
    }
    return true;
  }

  // Whether the operation's budget is spent (or it was cancelled): the first time,
  // one error says which; every field after that becomes null without resolving.
  bool stop_now() {
    if (aborted_) return true;
    if (!ctx_.budget || !ctx_.budget->stopped()) return false;
    aborted_ = true;
    add_error(ctx_.budget->message(), nullptr, {}, ctx_.budget->code());
    return true;
  }

  void add_error(std::string msg, const selection* at, const path_t& path, std::string code = {}) {
    gql_error e;
    e.message = std::move(msg);
    if (at) e.locations.push_back(at->loc);
    e.path = path;
    e.code = std::move(code);
    errors_.push_back(std::move(e));
  }

  // One selection set over a batch of objects of type t: one object per parent
  // (nullopt: it must become null, an error already said why).
  std::vector<std::optional<json>> exec_set(const type_info& t, const std::vector<const json*>& parents,
                                            const std::vector<path_t>& paths,
                                            const std::vector<const selection_set*>& sets, bool serial) {
    const size_t n = parents.size();
    if (stop_now()) return std::vector<std::optional<json>>(n, std::nullopt);
    std::vector<group> groups;
    std::unordered_set<std::string> visited;
    for (const auto* set : sets) collect(t, *set, groups, 0, &visited);
    std::vector<std::optional<json>> out(n, json::object());

    // Resolve: concurrent fields start first, then the rest run here.
    struct pending {
      const field_info* f = nullptr;
      json args;
      std::string arg_error;
      std::future<std::vector<field_value>> fut;
      std::vector<field_value> vals;
    };
    std::vector<pending> work(groups.size());
    auto resolve_now = [&](size_t i) {
      auto& w = work[i];
      if (w.f->resolve) return w.f->resolve(parents, w.args, ctx_);
      std::vector<field_value> vals;
      vals.reserve(n);
      for (const auto* p : parents) {
        auto it = p->find(w.f->name);
        vals.push_back(field_value{it == p->end() ? json(nullptr) : *it});
      }
      return vals;
    };
    for (size_t i = 0; i < groups.size(); ++i) {
      const auto& name = groups[i].second[0]->name;
      if (name == "__typename") continue;
      auto& w = work[i];
      if (name == "__schema" || name == "__type") {
        if (&t != s_.root("query")) continue;
      }
      w.f = name == "__schema" || name == "__type" ? nullptr : t.field(name);
      if (name == "__schema" || name == "__type") continue;
      if (!w.f) continue;  // validation refused this before
      if (!coerce_args(w.f->args, groups[i].second[0]->args, w.args, w.arg_error)) continue;
      if (w.f->concurrent && !serial && groups.size() > 1)
        w.fut = std::async(std::launch::async, [&, i] { return resolve_now(i); });
    }
    for (size_t i = 0; i < groups.size(); ++i) {
      auto& w = work[i];
      const auto& first = *groups[i].second[0];
      if (stop_now()) {
        for (auto& rest : work)
          if (rest.fut.valid()) rest.fut.wait();
        return std::vector<std::optional<json>>(n, std::nullopt);
      }
      std::vector<path_t> fpaths(paths);
      for (auto& p : fpaths) p.push_back(first.response_name());
      if (first.name == "__typename") {
        for (size_t k = 0; k < n; ++k)
          if (out[k]) (*out[k])[groups[i].first] = t.name;
        continue;
      }
      std::vector<field_value> vals;
      const field_info* f = w.f;
      field_info meta;
      if (first.name == "__schema" || first.name == "__type") {
        meta.name = first.name;
        if (first.name == "__schema") {
          meta.type = type_ref::wrap(type_ref::kind::non_null, type_ref::named_type("__Schema"));
          vals.assign(n, field_value{json::object()});
        } else {
          meta.type = type_ref::named_type("__Type");
          std::string tname;
          for (const auto& a : first.args)
            if (a.name == "name") {
              if (a.v.k == value::kind::string)
                tname = a.v.text;
              else if (a.v.k == value::kind::variable && p_.variables.contains(a.v.text))
                tname = p_.variables[a.v.text].get<std::string>();
            }
          vals.assign(n, field_value{s_.type(tname) ? json{{"__ref", tname}} : json(nullptr)});
        }
        f = &meta;
      } else if (!f) {
        continue;
      } else if (!w.arg_error.empty()) {
        vals.assign(n, field_value::fail(w.arg_error, "BAD_USER_INPUT"));
      } else if (w.fut.valid()) {
        vals = w.fut.get();
      } else {
        try {
          vals = resolve_now(i);
        } catch (const std::exception& e) {
          vals.assign(n, field_value::fail(std::string("internal error: ") + e.what(), "INTERNAL_SERVER_ERROR"));
        }
      }
      if (vals.size() != n)
        vals.assign(n, field_value::fail("internal error: resolver answered for the wrong number of objects"));
      if (ctx_.budget) {
        size_t bytes = 0;
        for (const auto& v : vals) bytes += approx_bytes(v.value) + v.error.size();
        ctx_.budget->charge(bytes);
      }
      if (stop_now()) {
        // Wait for the concurrent resolvers still running (they stop early too).
        for (auto& rest : work)
          if (rest.fut.valid()) rest.fut.wait();
        return std::vector<std::optional<json>>(n, std::nullopt);
      }
      auto done = complete_field(t, *f, groups[i], vals, fpaths);
      for (size_t k = 0; k < n; ++k) {
        if (!out[k]) continue;
        if (!done[k])
          out[k] = std::nullopt;  // a non-null field failed: the object is null
        else
          (*out[k])[groups[i].first] = std::move(*done[k]);
      }
    }
    return out;
  }

  std::vector<std::optional<json>> complete_field(const type_info& parent, const field_info& f, const group& g,
                                                  std::vector<field_value>& vals, const std::vector<path_t>& paths) {
    std::vector<json> values(vals.size());
    std::vector<bool> failed(vals.size(), false);
    for (size_t k = 0; k < vals.size(); ++k) {
      if (!vals[k].error.empty()) {
        add_error(vals[k].error, g.second[0], paths[k], vals[k].code);
        failed[k] = true;
      } else {
        values[k] = std::move(vals[k].value);
      }
    }
    std::vector<const selection_set*> subs;
    for (const auto* s : g.second)
      if (!s->sub.empty()) subs.push_back(&s->sub);
    ctx_field_ = parent.name + "." + f.name;
    auto out = complete(f.type, values, paths, subs, g.second[0], failed);
    return out;
  }

  // Values of type t (one per path); failed ones already have their error.
  std::vector<std::optional<json>> complete(const type_ref& t, const std::vector<json>& values,
                                            const std::vector<path_t>& paths,
                                            const std::vector<const selection_set*>& subs, const selection* at,
                                            const std::vector<bool>& failed) {
    const size_t n = values.size();
    if (t.k == type_ref::kind::non_null) {
      auto inner = complete_nullable(*t.of, values, paths, subs, at, failed);
      for (size_t k = 0; k < n; ++k) {
        if (failed[k] || !inner[k]) {
          inner[k] = std::nullopt;
          continue;
        }
        if (inner[k]->is_null()) {
          add_error("Cannot return null for non-nullable field " + ctx_field_ + ".", at, paths[k]);
          inner[k] = std::nullopt;
        }
      }
      return inner;
    }
    auto r = complete_nullable(t, values, paths, subs, at, failed);
    for (auto& v : r)
      if (!v) v = json(nullptr);
    return r;
  }

  std::vector<std::optional<json>> complete_nullable(const type_ref& t, const std::vector<json>& values,
                                                     const std::vector<path_t>& paths,
                                                     const std::vector<const selection_set*>& subs, const selection* at,
                                                     const std::vector<bool>& failed) {
    const size_t n = values.size();
    std::vector<std::optional<json>> out(n, json(nullptr));
    for (size_t k = 0; k < n; ++k)
      if (failed[k]) out[k] = std::nullopt;
    if (t.k == type_ref::kind::list) {
      // Every item of every list in one batch.
      std::vector<json> items;
      std::vector<path_t> ipaths;
      std::vector<std::pair<size_t, size_t>> span(n, {0, 0});
      std::vector<bool> is_list(n, false);
      for (size_t k = 0; k < n; ++k) {
        if (failed[k] || values[k].is_null()) continue;
        if (!values[k].is_array()) {
          add_error("Expected Iterable, but did not find one for field \"" + ctx_field_ + "\".", at, paths[k]);
          out[k] = std::nullopt;
          continue;
        }
        is_list[k] = true;
        span[k].first = items.size();
        for (size_t i = 0; i < values[k].size(); ++i) {
          items.push_back(values[k][i]);
          auto p = paths[k];
          p.push_back(i);
          ipaths.push_back(std::move(p));
        }
        span[k].second = items.size();
      }
      std::vector<bool> ifailed(items.size(), false);
      auto done = complete(*t.of, items, ipaths, subs, at, ifailed);
      for (size_t k = 0; k < n; ++k) {
        if (!is_list[k]) continue;
        json arr = json::array();
        bool ok = true;
        for (size_t i = span[k].first; i < span[k].second; ++i) {
          if (!done[i]) {
            ok = false;
            break;
          }
          arr.push_back(std::move(*done[i]));
        }
        out[k] = ok ? std::optional<json>(std::move(arr)) : std::nullopt;
      }
      return out;
    }
    const auto* ti = s_.type(t.name);
    if (!ti) return out;
    if (ti->leaf()) {
      for (size_t k = 0; k < n; ++k) {
        if (failed[k] || values[k].is_null()) continue;
        json v;
        std::string err;
        if (serialize_leaf(*ti, values[k], v, err)) {
          out[k] = std::move(v);
        } else {
          add_error(err, at, paths[k]);
          out[k] = std::nullopt;
        }
      }
      return out;
    }
    // Objects, grouped by their concrete type.
    std::unordered_map<std::string, std::vector<size_t>> by_type;
    std::vector<std::string> order;
    for (size_t k = 0; k < n; ++k) {
      if (failed[k] || values[k].is_null()) continue;
      std::string concrete = ti->name;
      if (ti->abstract()) {
        concrete = values[k].is_object() ? values[k].value("__typename", std::string()) : std::string();
        const auto* ct = s_.type(concrete);
        if (!ct || ct->k != type_def::kind::object || !s_.possible(*ti, concrete)) {
          add_error("Abstract type \"" + ti->name + "\" must resolve to an Object type at runtime for field \"" +
                        ctx_field_ + "\". Either the \"" + ti->name +
                        "\" type should provide a \"resolveType\" function or each possible type should provide an "
                        "\"isTypeOf\" function.",
                    at, paths[k]);
          out[k] = std::nullopt;
          continue;
        }
      } else if (!values[k].is_object()) {
        add_error("Expected a value of type \"" + ti->name + "\" for field \"" + ctx_field_ + "\".", at, paths[k]);
        out[k] = std::nullopt;
        continue;
      }
      auto [it, fresh] = by_type.try_emplace(concrete);
      if (fresh) order.push_back(concrete);
      it->second.push_back(k);
    }
    if (++depth_ > 64) {
      for (const auto& [tn, ks] : by_type)
        for (auto k : ks) {
          add_error("Query is nested too deeply.", at, paths[k]);
          out[k] = std::nullopt;
        }
      --depth_;
      return out;
    }
    auto saved = ctx_field_;
    for (const auto& tn : order) {
      const auto& ks = by_type[tn];
      std::vector<const json*> parents;
      std::vector<path_t> ps;
      for (auto k : ks) {
        parents.push_back(&values[k]);
        ps.push_back(paths[k]);
      }
      auto done = exec_set(*s_.type(tn), parents, ps, subs, false);
      for (size_t i = 0; i < ks.size(); ++i) out[ks[i]] = std::move(done[i]);
      ctx_field_ = saved;
    }
    --depth_;
    return out;
  }

  const schema& s_;
  const prepared& p_;
  context& ctx_;
  std::unordered_map<std::string, const fragment*> frags_;
  std::vector<gql_error> errors_;
  std::string ctx_field_;
  int depth_ = 0;
  bool aborted_ = false;
};

// Keeps what a running subscription needs alive (the document and the executor).
struct subscription_state : stream_handle {
  std::shared_ptr<const prepared> p;
  std::unique_ptr<stream_handle> source;
  ~subscription_state() override { source.reset(); }
};

}  // namespace

json execute(const schema& s, const prepared& p, context& ctx) {
  if (!p.errors.empty()) return json{{"errors", errors_json(p.errors)}};
  executor ex(s, p, ctx);
  return ex.run();
}

std::variant<std::unique_ptr<stream_handle>, std::vector<gql_error>> subscribe(
    const schema& s, std::shared_ptr<const prepared> p, context& ctx, emit_fn on_next,
    std::function<void(std::string)> on_end) {
  if (!p->errors.empty()) return p->errors;
  if (p->op->op != "subscription")
    return std::vector<gql_error>{{"The operation is not a subscription.", {}, {}, "BAD_USER_INPUT"}};
  auto ex = std::make_shared<executor>(s, *p, ctx);
  std::string err;
  auto root = ex->subscription_root(err);
  if (!root) return std::vector<gql_error>{{err, {p->op->loc}, {}, "BAD_USER_INPUT"}};
  auto r = std::make_shared<executor::root_field>(std::move(*root));
  auto mu = std::make_shared<std::mutex>();
  auto emit = [ex, r, mu, p, on_next](json v, std::string coalesce) {
    json resp;
    {
      std::lock_guard lock(*mu);  // one event at a time through the executor
      resp = ex->complete_event(*r, v);
    }
    on_next(std::move(resp), std::move(coalesce));
  };
  auto started = r->f->subscribe(r->args, ctx, emit, on_end);
  if (!started.ok()) {
    gql_error e;
    e.message = started.err().message;
    e.path = {r->g.first};
    e.code = started.err().code == errc::invalid_argument    ? "BAD_USER_INPUT"
             : started.err().code == errc::not_found         ? "NOT_FOUND"
             : started.err().code == errc::permission_denied ? "FORBIDDEN"
                                                             : "INTERNAL_SERVER_ERROR";
    return std::vector<gql_error>{e};
  }
  auto st = std::make_unique<subscription_state>();
  st->p = std::move(p);
  st->source = std::move(*started);
  return std::unique_ptr<stream_handle>(std::move(st));
}

}  // namespace cg::gql
