// The graph actor: the single writer of one project's graph. It turns messages into
// graph_state calls and publishes each commit's node changes on the bus.
#include <spdlog/spdlog.h>

#include "actors/caf_types.hpp"
#include "actors/version/versions.hpp"

namespace cg {
namespace {

struct graph_holder {
  std::unique_ptr<graph_state> graph;
  std::string project;
  bus_actor bus;
  static inline const char* name = "cg.graph";
};

void publish_changes(graph_actor::stateful_pointer<graph_holder> self, const std::vector<file_change>& changes) {
  auto ev = std::make_shared<event>();
  ev->topic = topics::changes(self->state.project);
  node_changes nc;
  nc.project = self->state.project;
  for (const auto& c : changes)
    if (!c.created.empty() || !c.updated.empty() || !c.deleted.empty() || c.kind == file_change::what::removed)
      nc.files.push_back(c);
  if (nc.files.empty()) return;
  ev->payload = std::move(nc);
  self->send(self->state.bus, publish_atom::value, event_ptr(std::move(ev)));
}

void publish_version(graph_actor::stateful_pointer<graph_holder> self, const store& s, uint32_t project_id,
                     uint64_t id) {
  auto rec = s.version(project_id, id);
  if (!rec.ok()) return;
  auto ev = std::make_shared<event>();
  ev->topic = topics::versions(self->state.project);
  ev->payload = version_created{self->state.project, std::move(*rec)};
  self->send(self->state.bus, publish_atom::value, event_ptr(std::move(ev)));
}

}  // namespace

graph_actor spawn_graph(caf::actor_system& sys, store& s, uint32_t project_id, std::string project, bus_actor bus,
                        depth_gauge depth) {
  return sys.spawn(
      [&s, project_id, project, bus, depth](graph_actor::stateful_pointer<graph_holder> self,
                                            spawn_tag) -> graph_actor::behavior_type {
        self->state.graph = std::make_unique<graph_state>(s, project_id);
        self->state.project = project;
        self->state.bus = bus;
        return {
            [=](manifest_atom) -> manifest_reply {
              note_depth(self, depth);
              return std::make_shared<const result<std::vector<file_record>>>(self->state.graph->manifest());
            },
            [=](apply_atom, const extract_batch_ptr& batch) -> changes_reply {
              note_depth(self, depth);
              // One atomic write for the whole batch: each file in it is still whole.
              auto changes = self->state.graph->apply(std::span<const file_extract>(*batch));
              if (!changes.ok()) {
                spdlog::error("graph: cannot store a batch of {} files: {}", batch->size(), changes.err().message);
                return std::make_shared<const result<std::vector<file_change>>>(changes.err());
              }
              publish_changes(self, *changes);
              return std::make_shared<const result<std::vector<file_change>>>(std::move(*changes));
            },
            [=](remove_atom, const paths_ptr& paths) -> changes_reply {
              note_depth(self, depth);
              std::vector<file_change> changes;
              for (const auto& p : *paths) {
                auto c = self->state.graph->remove(p);
                if (!c.ok()) return std::make_shared<const result<std::vector<file_change>>>(c.err());
                changes.push_back(std::move(*c));
              }
              publish_changes(self, changes);
              return std::make_shared<const result<std::vector<file_change>>>(std::move(changes));
            },
            [=](touch_atom, const records_ptr& recs) -> status_reply {
              note_depth(self, depth);
              for (const auto& r : *recs)
                if (auto s = self->state.graph->touch(r); !s.ok()) return std::make_shared<const status>(s);
              return std::make_shared<const status>();
            },
            [=, &s](manual_atom, const manual_edits_ptr& edits) -> manual_reply {
              note_depth(self, depth);
              auto reply = [](result<manual_outcome> r) {
                return std::make_shared<const result<manual_outcome>>(std::move(r));
              };
              auto r = self->state.graph->apply_manual(edits->ops);
              if (!r.ok()) return reply(r.err());
              publish_changes(self, {r->second});
              manual_outcome out;
              out.nodes = std::move(r->first);
              // A transaction of a versioned project is one version (with whatever
              // else the open version held: watch-mode saves since the last one).
              auto head = s.head_version(project_id);
              if (edits->as_version && head.ok() && *head) {
                version_record rec;
                rec.source = "edit";
                rec.message = edits->message;
                auto v = commit_after_index(s, project_id, std::move(rec));
                if (!v.ok())
                  return reply(make_error(v.err().code,
                                          "the edits were applied but not committed as a version: " + v.err().message));
                out.version = *v;
                if (*v) publish_version(self, s, project_id, *v);
              }
              return reply(std::move(out));
            },
            [=, &s](commit_atom, const version_ptr& rec) -> commit_reply {
              note_depth(self, depth);
              // Another run's files applied meanwhile (a watch-mode save) may still wait
              // for their resolution: resolved first, so the version holds their edges.
              auto resolved = self->state.graph->resolve_pending({});
              if (!resolved.ok()) return std::make_shared<const result<uint64_t>>(resolved.err());
              return std::make_shared<const result<uint64_t>>(commit_after_index(s, project_id, *rec));
            },
            [=](rewind_atom, uint64_t version) -> commit_reply {
              note_depth(self, depth);
              auto r = self->state.graph->rewind_to(version);
              if (!r.ok()) return std::make_shared<const result<uint64_t>>(r.err());
              publish_changes(self, r->files);  // node subscribers see the graph go back
              return std::make_shared<const result<uint64_t>>(uint64_t{r->keys});
            },
            [=](resolve_atom, const progress_fn_ptr& progress) -> resolve_reply {
              note_depth(self, depth);
              return std::make_shared<const result<resolve_summary>>(
                  self->state.graph->resolve_pending(progress ? *progress : std::function<void(size_t, size_t)>{}));
            },
        };
      },
      spawn_tag{});
}

}  // namespace cg
