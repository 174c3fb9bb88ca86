// The vector actor: one per project. Restores the saved search state on first use,
// brings it in step with the graph when the store has moved on (RocksDB sequence),
// saves it after a change (at most every save_interval, holding the state's lock
// shared: searches go on), and answers searches in streamed batches.
//
// Searches only read the state (vector_shared), so each runs in a short-lived actor of
// its own and several run at once on the scheduler's threads, holding the state's lock
// shared; this actor is the only writer (load, sync, save) and takes the lock alone,
// which waits for the searches in flight (it starts no new ones meanwhile). When the
// state is loaded and current, the engine's callers search it in place under the same
// shared lock (engine.cpp) and only the others come here.
#include <chrono>
#include <shared_mutex>

#include <spdlog/spdlog.h>

#include "actors/caf_types.hpp"

namespace cg {
namespace {

struct vector_holder {
  store* db = nullptr;
  uint32_t proj = 0;
  std::string project, dir;
  std::shared_ptr<vector_state> state;
  std::shared_ptr<std::shared_mutex> rw;
  bool loaded = false;
  bool saved = false;  // by this actor, since it started
  std::chrono::steady_clock::time_point last_save{};
  bool step_queued = false;  // an index_step message is in the mailbox
  size_t step_chunk = 1024;  // vectors per step, adapted to ~0.2 s a step
  static inline const char* name = "cg.vector";

  void save_now() {
    if (db->read_only() || dir.empty()) return;  // dir "": kept in memory only (a layer's)
    std::shared_lock reading(*rw);
    if (auto s = state->save(dir); !s.ok()) {
      spdlog::warn("vectors of {}: cannot save: {}", project, s.err().message);
    } else {
      saved = true;
      last_save = std::chrono::steady_clock::now();
    }
  }

  // The whole pending build at once (asked for by `vectors rebuild` in the CLI).
  status build_index_now() {
    while (state->index_pending()) {
      auto r = state->index_step(size_t{1} << 20);
      if (!r.ok()) return r.err();
      if (!*r) continue;
      std::unique_lock lock(*rw);
      state->install_index();
    }
    return {};
  }

  // The co-occurrence model a sync left pending: learnt, and every definition embedded
  // with it, under the shared lock (searches go on with the vectors they have); then
  // swapped in alone. The ANN index is rebuilt over the new vectors in later steps.
  void model_step() {
    auto t0 = std::chrono::steady_clock::now();
    vector_state::learnt_model m;
    {
      std::shared_lock reading(*rw);
      m = state->learn_model();
    }
    size_t terms = m.model ? m.model->terms() : 0, embedded = m.slots.size();
    bool installed = false;
    {
      std::unique_lock lock(*rw);
      installed = state->install_model(std::move(m));
    }
    if (!installed) return;
    spdlog::info("vectors of {}: co-occurrence model learnt ({} terms), {} definitions re-embedded in {:.2f} s",
                 project, terms, embedded,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (!state->index_pending()) save_now();  // else when the index is built
  }

  // One step of the pending ANN build; installs it when complete. Searches go on
  // meanwhile: the step adds to an index none of them reads.
  void index_step() {
    auto t0 = std::chrono::steady_clock::now();
    auto r = state->index_step(step_chunk, true);
    if (!r.ok()) {
      spdlog::warn("vectors of {}: ANN index build failed ({}); searches stay brute force", project, r.err().message);
      return;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s < 0.1)
      step_chunk = std::min<size_t>(step_chunk * 2, 1 << 16);
    else if (s > 0.4)
      step_chunk = std::max<size_t>(step_chunk / 2, 64);
    if (*r) {
      {
        std::unique_lock lock(*rw);
        state->install_index();
      }
      spdlog::info("vectors of {}: ANN index built ({} vectors)", project, state->stats().index_vectors);
      save_now();
    }
  }

  // The state, restored and current; sync errors come back as values.
  result<sync_summary> ready(bool rebuild) {
    if (!loaded && !dir.empty()) {
      loaded = true;
      std::unique_lock lock(*rw);
      auto st = state->load(dir);
      if (!st.ok() && st.err().code != errc::not_found)
        spdlog::warn("vectors of {}: {}; rebuilding", project, st.err().message);
      if (!st.ok() && st.err().code == errc::invalid_argument) rebuild = true;
    }
    auto seq = db->sequence();
    if (!rebuild && state->sequence() == seq) {
      sync_summary s;
      s.documents = state->live_documents();
      return s;
    }
    std::unique_lock lock(*rw);
    auto view = db->snapshot();
    auto r = rebuild ? state->rebuild(view, proj, seq) : state->sync(view, proj, seq);
    if (!r.ok()) return r;
    // The save only reads the state, and this actor is its only writer: searches (in
    // place and here) go on beside it under the shared lock instead of waiting for
    // the files (seconds at a million definitions).
    // At most every save_interval (the files are rewritten whole: ~3 GB at 900K
    // definitions); a state saved earlier catches up on load.
    // A read-only engine (the CLI beside a server) keeps what it built in memory:
    // the files belong to the store's owner.
    if (db->read_only()) return r;
    auto now = std::chrono::steady_clock::now();
    if (saved && !rebuild && now - last_save < state->options().save_interval) return r;
    // Nothing changed (a load that found the store's other writes only): the files
    // already say it; the next load's catch-up is as empty as this one.
    if (!rebuild && r->added + r->updated + r->removed == 0) return r;
    lock.unlock();
    save_now();
    return r;
  }

  // For searches: a failed catch-up (say, the embedding provider is down) still
  // leaves the last synced state to answer from.
  status ready_to_read() {
    auto r = ready(false);
    if (r.ok()) return {};
    if (state->live_documents() == 0) return r.err();
    spdlog::warn("vectors of {}: cannot catch up with the graph ({}); answering from the last synced state", project,
                 r.err().message);
    return {};
  }
};

// Queues one step of a pending model or ANN build behind the messages already waiting (one
// step in the mailbox at a time).
template <class Self>
void queue_index_step(Self* self) {
  auto& h = self->state;
  if (h.step_queued || !(h.state->index_pending() || h.state->model_pending()) || !h.state->options().background_index)
    return;
  h.step_queued = true;
  caf::anon_send(caf::actor_cast<vector_actor>(self), index_step_atom_v);
}

// One search over the shared state, holding its lock shared; the batches stream to
// on_batch, the response says how it ended.
search_reader_actor::behavior_type search_reader(search_reader_actor::pointer self, std::shared_ptr<vector_state> st,
                                                 std::shared_ptr<std::shared_mutex> rw, store* db, uint32_t proj,
                                                 std::chrono::steady_clock::time_point t0) {
  return {
      [=](search_atom, const search_call_ptr& call) -> status_reply {
        self->quit();
        result<std::vector<search_hit>> hits = std::vector<search_hit>{};
        {
          std::shared_lock lock(*rw);
          hits = st->search(call->req, db->snapshot(), proj);
        }
        if (!hits.ok()) return std::make_shared<const status>(hits.err());
        deliver_batches(std::move(*hits), call->req.batch_size, t0, call->on_batch);
        return std::make_shared<const status>();
      },
  };
}

}  // namespace

void deliver_batches(std::vector<search_hit>&& hits, size_t batch_size, std::chrono::steady_clock::time_point t0,
                     const std::function<void(const search_batch&)>& on_batch) {
  size_t per = std::max<size_t>(1, batch_size);
  size_t total = hits.size();
  size_t batches = std::max<size_t>(1, (total + per - 1) / per);
  for (size_t b = 0; b < batches; ++b) {
    search_batch batch;
    batch.index = b;
    batch.total = total;
    batch.last = b + 1 == batches;
    for (size_t i = b * per; i < std::min(total, (b + 1) * per); ++i) batch.hits.push_back(std::move(hits[i]));
    batch.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (on_batch) on_batch(batch);
  }
}

vector_actor spawn_vector(caf::actor_system& sys, store& s, uint32_t project_id, std::string project,
                          vector_shared shared, std::string dir, depth_gauge depth) {
  return sys.spawn(
      [&s, project_id, project, shared, dir, depth](vector_actor::stateful_pointer<vector_holder> self,
                                                    spawn_tag) -> vector_actor::behavior_type {
        self->state.db = &s;
        self->state.proj = project_id;
        self->state.project = project;
        self->state.dir = dir;
        self->state.state = shared.state;
        self->state.rw = shared.rw;
        return {
            [=](search_atom, const search_call_ptr& call) -> caf::result<status_reply> {
              note_depth(self, depth);
              auto t0 = std::chrono::steady_clock::now();
              auto ok = self->state.ready_to_read();
              if (!ok.ok()) return std::make_shared<const status>(ok.err());
              queue_index_step(self);
              // A reader of its own answers: the search runs beside other searches and
              // this actor goes on to its next message.
              auto reader =
                  self->spawn(search_reader, self->state.state, self->state.rw, self->state.db, self->state.proj, t0);
              return self->delegate(reader, search_atom_v, call);
            },
            [=](similar_atom, const similar_call_ptr& call) -> hits_reply {
              note_depth(self, depth);
              auto ok = self->state.ready_to_read();
              if (!ok.ok()) return std::make_shared<const result<std::vector<search_hit>>>(ok.err());
              queue_index_step(self);
              std::shared_lock lock(*self->state.rw);
              auto& st = *self->state.state;
              return std::make_shared<const result<std::vector<search_hit>>>(
                  call->id == 0 ? st.search_raw(call->vector, call->k, call->mode, call->filters)
                                : st.similar(call->id, call->k, call->min_score, call->mode, call->filters));
            },
            [=](vsync_atom, bool rebuild) -> sync_reply {
              note_depth(self, depth);
              auto r = self->state.ready(rebuild);
              // Asked for a rebuild (`vectors rebuild`): the index too, before answering.
              if (rebuild && r.ok() && !self->state.state->options().background_index) {
                if (auto s = self->state.build_index_now(); !s.ok())
                  r = s.err();
                else
                  self->state.save_now();
              }
              queue_index_step(self);
              return std::make_shared<const result<sync_summary>>(std::move(r));
            },
            [=](index_step_atom) {
              note_depth(self, depth);
              self->state.step_queued = false;
              // The model first: the index is then built once, over the final vectors.
              if (self->state.state->model_pending())
                self->state.model_step();
              else if (self->state.state->index_pending())
                self->state.index_step();
              queue_index_step(self);
            },
            [=](vstats_atom) -> vstats_reply {
              note_depth(self, depth);
              auto ok = self->state.ready_to_read();
              if (!ok.ok()) return std::make_shared<const result<vector_stats>>(ok.err());
              queue_index_step(self);
              return std::make_shared<const result<vector_stats>>(self->state.state->stats());
            },
        };
      },
      spawn_tag{});
}

}  // namespace cg
