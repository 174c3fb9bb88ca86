// The indexer actor: one per index task. It walks the tree, asks the graph actor
// for the manifest, fans parse jobs out to the parser pool (a bounded number in
// flight), batches results into the graph actor (at most two batches outstanding:
// backpressure), then applies removals, resolves, and reports. All decisions live
// in indexer_state; this shell only moves messages.
#include <spdlog/spdlog.h>

#include "actors/caf_types.hpp"
#include "actors/indexer/indexer_state.hpp"

namespace cg {
namespace {

constexpr size_t jobs_per_worker = 4;
constexpr size_t max_graph_batches = 2;
constexpr size_t batch_files = 64;
// Runs of at most this many files (watch mode's saves) send each file to its own
// parser worker, which keeps the trees of the large files it parsed last.
constexpr size_t affine_run_files = 32;
constexpr size_t batch_bytes = 8u << 20;
constexpr auto progress_interval = std::chrono::milliseconds(100);

struct indexer_holder {
  std::unique_ptr<indexer_state> st;
  graph_actor graph;
  std::vector<parser_actor> workers;
  bus_actor bus;
  summary_fn_ptr done;
  size_t in_flight = 0, next_worker = 0, graph_in_flight = 0;
  bool affine = false;  // a small run: files go to worker_for(path)
  extract_batch_ptr batch = std::make_shared<std::vector<file_extract>>();
  size_t batch_source_bytes = 0;
  std::vector<file_record> touches;
  std::vector<std::string> forgets;
  bool tail_started = false, completed = false;
  std::chrono::steady_clock::time_point last_progress{};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  static inline const char* name = "cg.indexer";
};

using self_ptr = caf::stateful_actor<indexer_holder>*;

// Where a task's time goes (debug level): milliseconds since it was spawned.
void trace(self_ptr self, const char* what) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  spdlog::debug(
      "index task {}: {} at {:.2f} ms", self->state.st->task(), what,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - self->state.started).count());
}

void publish(self_ptr self, event_ptr ev) { self->send(self->state.bus, publish_atom_v, std::move(ev)); }

void publish_progress(self_ptr self, index_phase phase, bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - self->state.last_progress < progress_interval) return;
  self->state.last_progress = now;
  auto ev = std::make_shared<event>();
  ev->topic = topics::progress(self->state.st->request().project);
  ev->payload = self->state.st->progress(phase);
  publish(self, std::move(ev));
}

void complete(self_ptr self, index_phase outcome) {
  if (self->state.completed) return;
  self->state.completed = true;
  auto summary = self->state.st->finish(outcome);
  auto p = self->state.st->progress(summary.outcome);
  p.elapsed_seconds = summary.seconds_total;
  auto ev = std::make_shared<event>();
  ev->topic = topics::progress(summary.project);
  ev->payload = p;
  publish(self, std::move(ev));
  // The summary goes out from the engine once the task has ended (its version committed,
  // its search index synced), so a client told it ended finds all of that in place.
  if (self->state.done) (*self->state.done)(summary);
  self->quit();
}

void fail(self_ptr self, std::string message) {
  spdlog::error("index task {} failed: {}", self->state.st->task(), message);
  self->state.st->fail(std::move(message));
  complete(self, index_phase::failed);
}

auto on_error(self_ptr self) {
  return [self](caf::error& err) { fail(self, self->system().render(err)); };
}

void pump(self_ptr self);
void maybe_tail(self_ptr self);

void flush(self_ptr self) {
  auto& s = self->state;
  if (s.batch->empty()) return;
  auto batch = std::move(s.batch);
  s.batch = std::make_shared<std::vector<file_extract>>();
  s.batch_source_bytes = 0;
  ++s.graph_in_flight;
  trace(self, "apply sent");
  self->request(s.graph, caf::infinite, apply_atom_v, batch)
      .then(
          [self](const changes_reply& r) {
            trace(self, "applied");
            --self->state.graph_in_flight;
            if (!r->ok()) return fail(self, r->err().message);
            self->state.st->on_changes(r->value());
            pump(self);
            maybe_tail(self);
          },
          on_error(self));
}

void on_outcome(self_ptr self, const std::string& path, parse_outcome& out) {
  auto& s = self->state;
  switch (s.st->on_parsed(out, path)) {
    case indexer_state::action::apply:
      s.batch_source_bytes += out.extract.record.size;
      s.batch->push_back(std::move(out.extract));
      if (s.batch->size() >= batch_files || s.batch_source_bytes >= batch_bytes) flush(self);
      break;
    case indexer_state::action::touch: s.touches.push_back(out.extract.record); break;
    case indexer_state::action::forget: s.forgets.push_back(path); break;
    case indexer_state::action::drop: break;
  }
}

void pump(self_ptr self) {
  auto& s = self->state;
  if (s.completed) return;
  size_t limit = s.workers.size() * jobs_per_worker;
  while (!s.st->cancelled() && s.st->has_job() && s.in_flight < limit && s.graph_in_flight < max_graph_batches) {
    auto next = std::make_shared<parse_job>(s.st->next_job());
    next->keep_tree = s.affine;  // a cold or large run keeps no trees
    std::shared_ptr<const parse_job> job = std::move(next);
    auto& worker = s.affine ? s.workers[worker_for(job->project, job->path, s.workers.size())]
                            : s.workers[s.next_worker++ % s.workers.size()];
    ++s.in_flight;
    self->request(worker, caf::infinite, parse_atom_v, job)
        .then(
            [self, job](const parse_outcome_ptr& out) {
              trace(self, "parsed");
              --self->state.in_flight;
              on_outcome(self, job->path, *out);
              publish_progress(self, index_phase::parsing, false);
              pump(self);
              maybe_tail(self);
            },
            on_error(self));
  }
}

void resolve(self_ptr self) {
  auto& s = self->state;
  if (s.st->cancelled()) return complete(self, index_phase::cancelled);
  publish_progress(self, index_phase::resolving, true);
  trace(self, "resolving");
  // Runs on the graph actor's thread: only publish, never touch indexer state.
  auto bus = s.bus;
  auto base = std::make_shared<index_progress>(s.st->progress(index_phase::resolving));
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  auto fn = std::make_shared<const std::function<void(size_t, size_t)>>([bus, base, last](size_t done, size_t total) {
    auto now = std::chrono::steady_clock::now();
    if (done != total && now - *last < progress_interval) return;
    *last = now;
    auto ev = std::make_shared<event>();
    index_progress p = *base;
    p.resolve_done = done;
    p.resolve_total = total;
    ev->topic = topics::progress(p.project);
    ev->payload = std::move(p);
    caf::anon_send(bus, publish_atom_v, event_ptr(std::move(ev)));
  });
  self->request(s.graph, caf::infinite, resolve_atom_v, progress_fn_ptr(fn))
      .then(
          [self](const resolve_reply& r) {
            if (!r->ok()) return fail(self, r->err().message);
            trace(self, "resolved");
            self->state.st->on_resolved(r->value());
            complete(self, index_phase::done);
          },
          on_error(self));
}

// After the last parse: flush, remove vanished files, record touched files, resolve.
void maybe_tail(self_ptr self) {
  auto& s = self->state;
  if (s.tail_started || s.completed) return;
  bool parsing_over = (s.st->cancelled() || !s.st->has_job()) && s.in_flight == 0;
  if (!parsing_over) return;
  flush(self);
  if (s.graph_in_flight > 0) return;
  s.tail_started = true;
  s.st->mark_parsed();
  if (s.st->cancelled()) return complete(self, index_phase::cancelled);
  auto removals = std::make_shared<std::vector<std::string>>(s.st->removals());
  removals->insert(removals->end(), s.forgets.begin(), s.forgets.end());
  auto touches = std::make_shared<const std::vector<file_record>>(std::move(s.touches));
  self->request(s.graph, caf::infinite, remove_atom_v, paths_ptr(removals))
      .then(
          [self, touches](const changes_reply& r) {
            if (!r->ok()) return fail(self, r->err().message);
            self->state.st->on_changes(r->value());
            self->request(self->state.graph, caf::infinite, touch_atom_v, records_ptr(touches))
                .then(
                    [self](const status_reply& st) {
                      if (!st->ok()) return fail(self, st->err().message);
                      resolve(self);
                    },
                    on_error(self));
          },
          on_error(self));
}

}  // namespace

caf::actor spawn_indexer(caf::actor_system& sys, index_request req, uint64_t task, graph_actor graph,
                         std::vector<parser_actor> workers, bus_actor bus, summary_fn_ptr done) {
  return sys.spawn(
      [req = std::move(req), task, graph, workers = std::move(workers), bus, done](self_ptr self,
                                                                                   spawn_tag) mutable -> caf::behavior {
        auto& s = self->state;
        s.st = std::make_unique<indexer_state>(std::move(req), task);
        s.graph = graph;
        s.workers = std::move(workers);
        s.bus = bus;
        s.done = done;
        self->send(self, start_atom_v);
        return {
            [self](start_atom) {
              auto& st = *self->state.st;
              trace(self, "started");
              publish_progress(self, index_phase::walking, true);
              if (auto w = st.walk(); !w.ok()) return fail(self, w.err().message);
              st.mark_walked();
              trace(self, "walked");
              self->request(self->state.graph, caf::infinite, manifest_atom_v)
                  .then(
                      [self](const manifest_reply& m) {
                        if (!m->ok()) return fail(self, m->err().message);
                        trace(self, "manifest read");
                        self->state.st->plan(m->value());
                        self->state.affine = self->state.st->jobs_left() <= affine_run_files;
                        publish_progress(self, index_phase::parsing, true);
                        pump(self);
                        maybe_tail(self);
                      },
                      on_error(self));
            },
            [self](cancel_atom) {
              self->state.st->cancel();
              maybe_tail(self);
            },
        };
      },
      spawn_tag{});
}

}  // namespace cg
