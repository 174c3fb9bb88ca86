#pragma once
// CAF-facing declarations: atoms, the message type-id block, payload aliases and
// the typed actor interfaces. Included only by the actor shells and the engine's
// implementation in actors/; nothing outside actors/ sees CAF.
//
// Messages stay inside one process, so large payloads travel as shared pointers
// (whitelisted as unsafe message types: never serialised).
#include <caf/all.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/bus/events.hpp"
#include "actors/graph/graph_state.hpp"
#include "actors/indexer/index_types.hpp"
#include "actors/parser/parser_state.hpp"
#include "actors/search/vector_jobs.hpp"
#include "schema/version.hpp"
#include "storage/store.hpp"

namespace cg {

using parse_job_ptr = std::shared_ptr<const parse_job>;
using parse_outcome_ptr = std::shared_ptr<parse_outcome>;
using extract_batch_ptr = std::shared_ptr<std::vector<file_extract>>;
using paths_ptr = std::shared_ptr<const std::vector<std::string>>;
using records_ptr = std::shared_ptr<const std::vector<file_record>>;
using manifest_reply = std::shared_ptr<const result<std::vector<file_record>>>;
using changes_reply = std::shared_ptr<const result<std::vector<file_change>>>;
using status_reply = std::shared_ptr<const status>;
using resolve_reply = std::shared_ptr<const result<resolve_summary>>;
using progress_fn_ptr = std::shared_ptr<const std::function<void(size_t, size_t)>>;
using event_ptr = std::shared_ptr<const event>;
using sink_ptr = std::shared_ptr<const event_sink>;
using summary_fn_ptr = std::shared_ptr<const std::function<void(const index_summary&)>>;
using search_call_ptr = std::shared_ptr<const search_call>;
using similar_call_ptr = std::shared_ptr<const similar_call>;
using hits_reply = std::shared_ptr<const result<std::vector<search_hit>>>;
using sync_reply = std::shared_ptr<const result<sync_summary>>;
using vstats_reply = std::shared_ptr<const result<vector_stats>>;

// Changes to manual nodes (actors/graph/manual_edit.hpp).
using manual_edits_ptr = std::shared_ptr<const manual_edits>;
using manual_reply = std::shared_ptr<const result<manual_outcome>>;
// A whole run's version, committed by the project's graph actor after it resolved what
// other runs applied meanwhile (a version never holds a definition without its edges).
using version_ptr = std::shared_ptr<const version_record>;
using commit_reply = std::shared_ptr<const result<uint64_t>>;

}  // namespace cg

CAF_BEGIN_TYPE_ID_BLOCK(codegraph, caf::first_custom_type_id)
CAF_ADD_ATOM(codegraph, cg, parse_atom, "parse")
CAF_ADD_ATOM(codegraph, cg, manifest_atom, "manifest")
CAF_ADD_ATOM(codegraph, cg, apply_atom, "apply")
CAF_ADD_ATOM(codegraph, cg, remove_atom, "remove")
CAF_ADD_ATOM(codegraph, cg, touch_atom, "touch")
CAF_ADD_ATOM(codegraph, cg, resolve_atom, "resolve")
CAF_ADD_ATOM(codegraph, cg, publish_atom, "publish")
CAF_ADD_ATOM(codegraph, cg, subscribe_atom, "subscribe")
CAF_ADD_ATOM(codegraph, cg, unsubscribe_atom, "unsub")
CAF_ADD_ATOM(codegraph, cg, start_atom, "start")
CAF_ADD_ATOM(codegraph, cg, cancel_atom, "cancel")
CAF_ADD_ATOM(codegraph, cg, search_atom, "search")
CAF_ADD_ATOM(codegraph, cg, similar_atom, "similar")
CAF_ADD_ATOM(codegraph, cg, vsync_atom, "vsync")
CAF_ADD_ATOM(codegraph, cg, vstats_atom, "vstats")
CAF_ADD_ATOM(codegraph, cg, manual_atom, "manual")
CAF_ADD_ATOM(codegraph, cg, index_step_atom, "idxstep")
CAF_ADD_ATOM(codegraph, cg, commit_atom, "commit")
CAF_ADD_ATOM(codegraph, cg, rewind_atom, "rewind")
CAF_ADD_TYPE_ID(codegraph, (cg::parse_job_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::parse_outcome_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::extract_batch_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::paths_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::records_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::manifest_reply))
CAF_ADD_TYPE_ID(codegraph, (cg::changes_reply))
CAF_ADD_TYPE_ID(codegraph, (cg::status_reply))
CAF_ADD_TYPE_ID(codegraph, (cg::resolve_reply))
CAF_ADD_TYPE_ID(codegraph, (cg::progress_fn_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::event_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::sink_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::summary_fn_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::search_call_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::similar_call_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::hits_reply))
CAF_ADD_TYPE_ID(codegraph, (cg::sync_reply))
CAF_ADD_TYPE_ID(codegraph, (cg::vstats_reply))
CAF_ADD_TYPE_ID(codegraph, (cg::manual_edits_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::manual_reply))
CAF_ADD_TYPE_ID(codegraph, (cg::version_ptr))
CAF_ADD_TYPE_ID(codegraph, (cg::commit_reply))
CAF_END_TYPE_ID_BLOCK(codegraph)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::parse_job_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::parse_outcome_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::extract_batch_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::paths_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::records_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::manifest_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::changes_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::status_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::resolve_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::progress_fn_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::event_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::sink_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::summary_fn_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::search_call_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::similar_call_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::hits_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::sync_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::vstats_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::manual_edits_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::manual_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::version_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cg::commit_reply)

namespace cg {

// One per core; each owns its tree-sitter parsers. Pure: file in, extract out.
using parser_actor = caf::typed_actor<caf::replies_to<parse_atom, parse_job_ptr>::with<parse_outcome_ptr>>;

// One per project: the only writer of that project's part of the store.
using graph_actor = caf::typed_actor<caf::replies_to<manifest_atom>::with<manifest_reply>,
                                     caf::replies_to<apply_atom, extract_batch_ptr>::with<changes_reply>,
                                     caf::replies_to<remove_atom, paths_ptr>::with<changes_reply>,
                                     caf::replies_to<touch_atom, records_ptr>::with<status_reply>,
                                     caf::replies_to<resolve_atom, progress_fn_ptr>::with<resolve_reply>,
                                     caf::replies_to<manual_atom, manual_edits_ptr>::with<manual_reply>,
                                     caf::replies_to<commit_atom, version_ptr>::with<commit_reply>,
                                     caf::replies_to<rewind_atom, uint64_t>::with<commit_reply>>;

// Topic-prefix fan-out of events to sinks.
using bus_actor = caf::typed_actor<caf::reacts_to<publish_atom, event_ptr>,
                                   caf::replies_to<subscribe_atom, std::string, sink_ptr>::with<uint64_t>,
                                   caf::replies_to<unsubscribe_atom, uint64_t>::with<bool>>;

// One per project: owns the search state (documents, BM25, embeddings, ANN index),
// keeps it in step with the graph and saved beside the store; streams search batches.
// vsync's flag: rebuild from scratch. index_step: its own message, one step of a
// pending ANN build (never sent from outside).
using vector_actor =
    caf::typed_actor<caf::replies_to<search_atom, search_call_ptr>::with<status_reply>,
                     caf::replies_to<similar_atom, similar_call_ptr>::with<hits_reply>,
                     caf::replies_to<vsync_atom, bool>::with<sync_reply>,
                     caf::replies_to<vstats_atom>::with<vstats_reply>, caf::reacts_to<index_step_atom>>;

// A search's reader: spawned by the vector actor per search, answers that one
// request (delegated to it) and ends; several run at once beside the vector actor.
using search_reader_actor = caf::typed_actor<caf::replies_to<search_atom, search_call_ptr>::with<status_reply>>;

// CAF 0.17 binds a reference to the spawn arguments' tuple even when there are
// none, and that tuple is then a null shared_ptr (UBSan: "reference binding to
// null pointer" in init_fun_factory.hpp). Every function-based actor therefore
// takes this tag as its one extra argument, which makes the tuple real.
struct spawn_tag {};

// An actor's mailbox depth for /metrics. Only the actor itself may read its mailbox
// (CAF's size() moves messages between its internal queues), so each handler records
// the depth it sees behind the message it is handling; the last handler of a burst
// sees 0, so an idle actor reads 0.
using depth_gauge = std::shared_ptr<std::atomic<size_t>>;
template <class Self>
void note_depth(Self self, const depth_gauge& g) {
  if (g) g->store(self->mailbox().size(), std::memory_order_relaxed);
}

// Spawners (each actor shell lives in its own translation unit).
parser_actor spawn_parser_worker(caf::actor_system& sys, depth_gauge depth = {});
graph_actor spawn_graph(caf::actor_system& sys, store& s, uint32_t project_id, std::string project, bus_actor bus,
                        depth_gauge depth = {});
bus_actor spawn_bus(caf::actor_system& sys, depth_gauge depth = {});
vector_actor spawn_vector(caf::actor_system& sys, store& s, uint32_t project_id, std::string project,
                          vector_shared shared, std::string dir, depth_gauge depth = {});
caf::actor spawn_indexer(caf::actor_system& sys, index_request req, uint64_t task, graph_actor graph,
                         std::vector<parser_actor> workers, bus_actor bus, summary_fn_ptr done);

}  // namespace cg
