#include "schema/version.hpp"

#include <nlohmann/json.hpp>

namespace cg {

nlohmann::json to_json(const version_record& v) {
  nlohmann::json j{{"id", v.id},       {"parent", v.parent}, {"source", v.source}, {"created", v.created},
                   {"files", v.files}, {"nodes", v.nodes},   {"edges", v.edges},   {"changedKeys", v.changed_keys}};
  if (!v.message.empty()) j["message"] = v.message;
  if (!v.commit.empty()) j["commit"] = v.commit;
  if (!v.author.empty()) j["author"] = v.author;
  if (v.committed) j["committed"] = v.committed;
  if (!v.git_parents.empty()) j["gitParents"] = v.git_parents;
  return j;
}

std::string encode_version(const version_record& v) {
  auto j = to_json(v);
  if (v.resolver_state) j["resolverState"] = true;
  return j.dump();
}

result<version_record> decode_version(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(errc::storage_error, "a damaged version record");
  version_record v;
  try {
    v.id = j.at("id").get<uint64_t>();
    v.parent = j.value("parent", uint64_t{0});
    v.source = j.value("source", std::string("index"));
    v.created = j.value("created", int64_t{0});
    v.message = j.value("message", std::string());
    v.commit = j.value("commit", std::string());
    v.author = j.value("author", std::string());
    v.committed = j.value("committed", int64_t{0});
    v.git_parents = j.value("gitParents", std::vector<uint64_t>{});
    v.files = j.value("files", uint64_t{0});
    v.nodes = j.value("nodes", uint64_t{0});
    v.edges = j.value("edges", uint64_t{0});
    v.changed_keys = j.value("changedKeys", uint64_t{0});
    v.resolver_state = j.value("resolverState", false);
  } catch (const nlohmann::json::exception& e) {
    return make_error(errc::storage_error, std::string("a damaged version record: ") + e.what());
  }
  return v;
}

}  // namespace cg
