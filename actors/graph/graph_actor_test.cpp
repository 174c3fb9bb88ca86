// The graph actor commits a whole run's version itself, after resolving what other runs
// applied meanwhile: a watch-mode save applied while a whole-tree run was ending used to
// land in the version without its edges (the version was cut from outside the actor,
// between the save's apply and its resolution).
#include <gtest/gtest.h>

#include "actors/caf_types.hpp"
#include "actors/graph/graph_query.hpp"
#include "actors/parser/parser_state.hpp"
#include "actors/version/versions.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {
using namespace test;

class quiet_config : public caf::actor_system_config {
 public:
  quiet_config() {
    set("scheduler.max-threads", size_t{2});
    set("logger.console", caf::atom("none"));
    set("logger.verbosity", caf::atom("quiet"));
  }
};

// The call edges of the version: "source name -> target name" (unresolved: "?name").
std::set<std::string> calls_at(store& db, uint32_t proj, uint64_t version) {
  auto view = db.as_of(proj, version);
  EXPECT_TRUE(view.ok()) << view.err().message;
  graph_query q(*view, proj);
  std::set<std::string> out;
  EXPECT_TRUE(q.for_each_edge([&](const edge& e) {
                 if (e.kind != edge_kind::calls) return true;
                 auto from = q.get(e.source);
                 auto to = e.target ? q.get(e.target) : result<std::optional<node>>(std::optional<node>());
                 std::string target = to.ok() && *to ? (*to)->qualified_name : "?" + e.target_name;
                 out.insert((from.ok() && *from ? (*from)->qualified_name : "?") + " -> " + target);
                 return true;
               }).ok());
  return out;
}

TEST(graph_actor, a_version_holds_the_edges_of_files_another_run_applied) {
  temp_dir src("graph-actor-src"), data("graph-actor-data");
  write_file(src.path() / "lib.py", "def helper():\n    return 1\n");
  store_options so;
  so.dir = data.str();
  auto db = store::open(so);
  ASSERT_TRUE(db.ok()) << db.err().message;
  index_plain(**db, "p", src.str());
  auto proj = *(*db)->project_id("p");
  version_record first;
  first.source = "index";
  auto v1 = commit_after_index(**db, proj, first);
  ASSERT_TRUE(v1.ok() && *v1) << (v1.ok() ? "no version" : v1.err().message);

  quiet_config cfg;
  caf::actor_system sys{cfg};
  auto bus = spawn_bus(sys);
  auto graph = spawn_graph(sys, **db, proj, "p", bus);
  caf::scoped_actor self{sys};

  // A save of a new file calling helper(): applied (its resolution not asked for yet, as
  // when the save's run is between its two steps)...
  parser_state ps;
  auto parsed = ps.parse_source("p", "app.py", "from lib import helper\n\n\ndef use():\n    return helper()\n");
  ASSERT_EQ(parsed.kind, parse_result_kind::parsed) << parsed.reason;
  auto batch = std::make_shared<std::vector<file_extract>>();
  batch->push_back(std::move(parsed.extract));
  self->request(graph, caf::infinite, apply_atom_v, batch)
      .receive([](const changes_reply& r) { ASSERT_TRUE(r->ok()) << r->err().message; },
               [](caf::error& e) { FAIL() << caf::to_string(e); });

  // ...when another run commits its version.
  version_record second;
  second.source = "index";
  uint64_t v2 = 0;
  self->request(graph, caf::infinite, commit_atom_v, std::make_shared<const version_record>(second))
      .receive(
          [&](const commit_reply& r) {
            ASSERT_TRUE(r->ok()) << r->err().message;
            v2 = **r;
          },
          [](caf::error& e) { FAIL() << caf::to_string(e); });
  ASSERT_GT(v2, *v1);
  EXPECT_TRUE(calls_at(**db, proj, v2).count("app.use -> lib.helper")) << "the version has app.py without its edges";
  EXPECT_TRUE(calls_at(**db, proj, *v1).empty());
  self->send_exit(graph, caf::exit_reason::user_shutdown);
  self->send_exit(bus, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace cg
