// The parser worker: a thin shell around parser_state.
#include <spdlog/spdlog.h>

#include "actors/caf_types.hpp"

namespace cg {
namespace {

struct parser_worker {
  parser_state parser;
  static inline const char* name = "cg.parser";
};

}  // namespace

parser_actor spawn_parser_worker(caf::actor_system& sys, depth_gauge depth) {
  return sys.spawn(
      [depth](parser_actor::stateful_pointer<parser_worker> self, spawn_tag) -> parser_actor::behavior_type {
        return {
            [=](parse_atom, const parse_job_ptr& job) -> parse_outcome_ptr {
              note_depth(self, depth);
              auto out = std::make_shared<parse_outcome>();
              try {
                *out = self->state.parser.parse_file(*job);
              } catch (const std::exception& e) {  // exceptions stay inside the module
                spdlog::error("parser failed on {}: {}", job->path, e.what());
                out->kind = parse_result_kind::failed;
                out->reason = std::string("parser error: ") + e.what();
              }
              return out;
            },
        };
      },
      spawn_tag{});
}

}  // namespace cg
