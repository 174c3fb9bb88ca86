#include "net/app/manual_edits_json.hpp"

#include <nlohmann/json.hpp>

#include "schema/hash.hpp"
#include "schema/node_input.hpp"

namespace cg::net {

result<manual_edits> manual_edits_from_json(const nlohmann::json& list) {
  if (!list.is_array() || list.empty()) return make_error(errc::invalid_argument, "edits: give at least one");
  if (list.size() > max_edits_per_transaction)
    return make_error(errc::too_large,
                      "edits: at most " + std::to_string(max_edits_per_transaction) + " in one transaction");
  manual_edits out;
  out.as_version = true;
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& e = list[i];
    auto bad = [i](const std::string& why) {
      return make_error(errc::invalid_argument, "edits[" + std::to_string(i) + "]: " + why);
    };
    if (!e.is_object()) return bad("an edit is an object");
    auto given = [&](const char* k) { return e.contains(k) && !e[k].is_null(); };
    if (given("create") + given("update") + given("delete") != 1)
      return bad("give exactly one of create, update (with id), delete");
    auto id_of = [&](const char* k, node_id& id) {
      return given(k) && e[k].is_string() && parse_id(e[k].get<std::string>(), id);
    };
    manual_op op;
    if (given("create")) {
      auto in = node_input_from_json(e["create"], true);
      if (!in.ok()) return bad(in.err().message);
      in->apply_to(op.n);
    } else if (given("update")) {
      if (!id_of("id", op.id)) return bad("update needs the node's id (16 hex digits)");
      auto in = node_input_from_json(e["update"], false);
      if (!in.ok()) return bad(in.err().message);
      op.op = manual_op::what::update;
      op.patch = [patch = *in](node& n) -> status {
        patch.apply_to(n);
        return {};
      };
    } else {
      if (!id_of("delete", op.id)) return bad("delete takes a node id (16 hex digits)");
      op.op = manual_op::what::remove;
    }
    out.ops.push_back(std::move(op));
  }
  return out;
}

}  // namespace cg::net
