#pragma once
// Turns one file's unresolved references into edges, using the project's symbols:
// lexical scope, the file's imports, the package/module structure, receiver and
// self types from local type knowledge, and base classes. What it cannot bind is
// kept as an unresolved edge carrying the name; names of the language runtime and
// of imported modules outside the project are "external".
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "actors/graph/symbol_table.hpp"
#include "schema/edge.hpp"
#include "schema/extract.hpp"

namespace cg {

struct resolution_counts {
  uint64_t resolved[edge_kind_count] = {};
  uint64_t external[edge_kind_count] = {};
  uint64_t unresolved[edge_kind_count] = {};
  void add(const edge& e);
  void merge(const resolution_counts& o);
};

class resolver {
 public:
  // Value sets cut at max_value_set, or evaluations stopped at max_value_depth.
  uint64_t capped() const { return capped_; }

  // bases_of: the resolved base types (inherits/implements targets) of a type.
  using bases_fn = std::function<std::vector<node_id>(node_id)>;
  resolver(const symbol_table& symbols, bases_fn bases);
  // open: whether a type outside the files being resolved has a base the project lacks
  // (its stored inherits edge is unresolved or external).
  void set_open_fn(std::function<bool(node_id)> open) { open_fn_ = std::move(open); }

  // Inheritance first (so that member lookups can walk bases), then the rest.
  std::vector<edge> resolve_bases(std::string_view path, language lang, const file_references& refs);
  std::vector<edge> resolve_file(std::string_view path, language lang, const file_references& refs);

  // A Python argument one file passes to a function of another (helper(Handler()) in
  // a.py, def helper(h): h.go() in b.py): the callee, the slot it lands in (a position
  // or a keyword), the parameters bound before it (self), and its text in the caller's
  // scope. The caller's resolution collects them (take_outgoing, after resolve_file);
  // the callee's file gets them before its own (set_incoming), so that h holds them.
  struct cross_argument {
    std::string file;  // the callee's file
    node_id callee = 0;
    std::string slot;
    uint8_t skip = 0;
    node_id scope = 0;
    std::string text;
    bool operator==(const cross_argument&) const = default;
  };
  void set_incoming(std::vector<cross_argument> in) { incoming_ = std::move(in); }
  std::vector<cross_argument> take_outgoing() { return std::move(outgoing_); }
  // The arguments a file passes out, without resolving it (once every pending file's
  // bases are known, so that self.inherited(x) finds its callee).
  std::vector<cross_argument> preview_outgoing(std::string_view path, language lang, const file_references& refs);
  // Pass A (resolve_bases over every pending file) needs no argument bindings.
  void set_bases_only(bool on) { bases_only_ = on; }

 private:
  struct target {
    const symbol* sym = nullptr;
    resolution how = resolution::unresolved;
  };
  enum class want { callable, type, any };

  void begin_file(std::string_view path, language lang, const file_references& refs);
  target resolve_ref(const raw_ref& r);
  target resolve_plain(std::string_view name, const symbol* source, want w);
  target resolve_qualified(std::string_view name, std::string_view qualifier, uint8_t flags, const symbol* source,
                           want w);
  // What an import names (cached per import of the file), one function per language
  // (actors/graph/imports/).
  target resolve_import(size_t index);
  target import_python(const raw_import& imp);
  const symbol* python_reexport(const symbol* init, std::string_view name);
  const symbol* import_child(const symbol* file, std::string_view name) const;
  target follow_python_import(const symbol* imp, int depth);
  target python_member(const symbol* file, std::string_view name, int depth, const symbol* from);
  // Types with a base outside the project or not found: a member they lack may be
  // inherited from there (a call to it is external, not unresolved).
  std::unordered_set<node_id> open_types_;
  std::function<bool(node_id)> open_fn_;
  bool is_open(const symbol* type) const;
  target import_javascript(const raw_import& imp);
  const symbol* js_module_file(const std::string& base) const;
  const symbol* js_export(const symbol* file, std::string_view name, int depth) const;
  target import_go(const raw_import& imp);
  target go_package_by_directory(const raw_import& imp);
  target import_java(const raw_import& imp);
  target import_rust(const raw_import& imp);
  std::string rust_module_of(const symbol* s) const;  // the module (file or inline mod) holding s
  std::vector<std::string> rust_paths(const std::string& module, const std::string& full) const;
  const symbol* rust_lookup(const std::string& abs, want w, int depth);
  const symbol* rust_member(const symbol* module, std::string_view name, want w, int depth);
  const symbol* rust_use(const symbol* imp, want w, int depth);
  // A method of an `impl Type` block in another module than Type's (same crate).
  const symbol* rust_impl_elsewhere(const symbol* type, std::string_view name, want w);  // memoised
  const symbol* find_impl_elsewhere(const symbol* type, std::string_view name, want w) const;
  std::unordered_map<std::string, const symbol*> rust_impl_memo_;    // per run: type id + want + name
  std::unordered_map<std::string, const symbol*> rust_member_memo_;  // per run: module id + want + name
  target import_c_family(const raw_import& imp);
  static target imported(const symbol* s) { return {s, s ? resolution::import : resolution::unresolved}; }
  static target external_target() { return {nullptr, resolution::external}; }
  target resolve_path(std::string_view path, const symbol* source);  // "a.b", "ns::T", "pkg"
  // The type of a receiver expression; how == external when it is a type from outside
  // the project (then calls on it are external too).
  target receiver_type(std::string_view receiver, const symbol* source);
  target resolve_type_text(std::string_view text, const symbol* source, int depth = 0);
  target type_of_member(const symbol* type, std::string_view member, int depth);
  const symbol* prefer_definition(const symbol* s) const;
  const symbol* enclosing_type(const symbol* source) const;
  const symbol* member_of(const symbol* type, std::string_view name, want w, int depth = 0);
  const symbol* child_named(const symbol* scope, std::string_view name, want w) const;
  const symbol* best(std::span<const uint32_t> candidates, std::string_view name, want w) const;
  bool suits(const symbol& s, want w) const;
  const symbol* module_file(std::string_view module) const;  // language-specific module lookup
  void overrides(std::vector<edge>& out);
  // Go's structural typing: a named type of this file implements each project interface
  // whose method set its own covers (actors/graph/go_implements.cpp).
  void go_implements(std::vector<edge>& out);
  using name_set = std::unordered_set<std::string_view>;
  void method_names(const symbol* type, bool interface, int depth, name_set& into, bool& known);
  const std::vector<const symbol*>& go_interfaces_with(std::string_view method);
  const name_set* interface_methods(const symbol* iface);  // null: not knowable (embeds an outside one)
  // A call that builds an instance (Python C(), new C, raise E): instantiates the type
  // and calls its constructor (inherited ones too) when the project defines one.
  bool is_instantiation(const raw_ref& r, const target& t) const;
  void emit_instantiation(std::vector<edge>& out, const raw_ref& r, const target& t, std::string_view written);
  const symbol* constructor_of(const symbol* type);
  std::vector<node_id> bases_of(const symbol* type);
  // The types a member lookup visits after `type` itself: C3 linearisation for
  // Python (depth-first when the bases admit none), depth-first elsewhere.
  const std::vector<const symbol*>& mro(const symbol* type);

  // The value analysis (value_flow.cpp), used where names alone do not bind a call:
  // what a name or expression may hold, evaluated from the value texts the
  // extractors record (bindings, and the return values of unannotated functions).
  struct value {
    enum class kind : uint8_t { instance, object, container, external };
    kind k = kind::external;
    const symbol* sym = nullptr;    // instance: its type; object: the function, class or module
    std::string_view element;       // container: one element's value text
    const symbol* scope = nullptr;  // container: where that text is evaluated
    bool operator==(const value& o) const { return k == o.k && sym == o.sym && element == o.element; }
  };
  using value_set = std::vector<value>;
  static constexpr size_t max_value_set = 16;  // a bigger set is cut (and counted in capped_)
  static constexpr int max_value_depth = 8;
  std::vector<target> call_targets(const raw_ref& r, const symbol* source);
  std::vector<target> targets_of(const value_set& callee, const raw_ref& r);
  value_set eval(std::string_view text, const symbol* scope, int depth);
  value_set eval_uncached(std::string_view text, const symbol* scope, int depth);
  value_set eval_path(std::string_view path, const symbol* scope, int depth);
  value_set name_values(std::string_view name, const symbol* scope, int depth);
  value_set foreign_name_values(std::string_view name, const symbol* scope, int depth);
  value_set member_values(const value_set& of, std::string_view name, int depth);
  value_set call_values(const value_set& callee, int depth);
  value_set elements(const value_set& of, int depth);
  value_set symbol_value(const symbol* s, int depth);
  // Parameters bound at this file's call sites to this file's functions (run(cb),
  // emit(Sink()), decorators: fn is the decorated function): recorded as bindings
  // "()CALLEE#SLOT" in the caller's scope, added to values_ as "at:SCOPE:TEXT".
  struct argument {
    node_id scope;
    std::string_view callee, slot, text;
  };
  void bind_arguments(const std::vector<argument>& args);
  void bind_argument(const argument& a, const value& callee);
  // Binds the parameter of f (a function of this file) that the slot lands in.
  void bind_parameter(const symbol* f, size_t skip, std::string_view slot, node_id scope, std::string_view text);
  bool decorated_here(const symbol* s);  // a definition of this file whose name is rebound
  void add(value_set& into, const value& v);
  void add_all(value_set& into, const value_set& from);
  void emit(std::vector<edge>& out, node_id source, edge_kind kind, const target& t, std::string_view name,
            std::string_view written, edge_site site);

  // The key of a name in a scope (bindings_, values_, value_memo_): the scope's id as 8
  // bytes, '\0', the name; built into `into`, whose capacity a loop reuses.
  static void scope_key(std::string& into, node_id scope, std::string_view name);

  const symbol_table& symbols_;
  bases_fn bases_;

  // Per file.
  std::string_view path_;
  language lang_ = language::unknown;
  const file_references* refs_ = nullptr;
  const symbol* file_ = nullptr;
  std::string_view sep_;
  std::unordered_multimap<std::string, size_t> imports_by_alias_;
  std::vector<size_t> wildcard_imports_;
  std::unordered_map<size_t, target> import_cache_;
  std::unordered_map<std::string, target> global_cache_;           // name + want -> global lookup
  std::unordered_map<std::string, std::string_view> bindings_;     // scope_key -> type
  std::unordered_multimap<std::string, std::string_view> values_;  // scope_key -> every value text
  std::deque<std::string> owned_values_;                           // value texts made here (at:...)
  std::vector<cross_argument> incoming_, outgoing_;
  bool bases_only_ = false;
  std::unordered_map<node_id, std::vector<node_id>> local_bases_;
  std::unordered_map<node_id, std::vector<const symbol*>> mro_cache_;
  // The value analysis memoises per file: (scope id, text) -> values; an entry being
  // computed reads as empty (a cycle such as x = x.copy() ends there). Each call's
  // evaluation has a step budget.
  std::unordered_map<std::string, value_set> value_memo_;
  uint32_t value_steps_ = 0;
  static constexpr uint32_t max_value_steps = 2000;
  int nesting_ = 0;  // type inference may chase bindings in cycles (x = x.copy()): bounded
  uint64_t capped_ = 0;
  // Per resolution run (the symbol table does not change during one).
  std::unordered_map<std::string_view, std::vector<const symbol*>> go_interfaces_by_method_;
  std::unordered_map<node_id, std::optional<name_set>> interface_methods_;
  // Go methods declared in a file without their receiver type (parented by the package):
  // receiver type's qualified name -> method names. Built on first use.
  std::unordered_map<std::string_view, std::vector<std::string_view>> go_detached_methods_;
  bool go_detached_built_ = false;
  std::vector<const symbol*> go_embedding_interfaces_;  // no methods of their own (io.ReadWriter)
  void build_go_package_index();
};

}  // namespace cg
