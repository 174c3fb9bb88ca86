#include "actors/engine.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "actors/caf_types.hpp"
#include "actors/git/git_follow.hpp"
#include "actors/review/review.hpp"
#include "actors/version/versions.hpp"

namespace cg {

namespace {
class engine_config : public caf::actor_system_config {
 public:
  explicit engine_config(unsigned threads) {
    set("scheduler.max-threads", static_cast<size_t>(threads));
    // An idle worker steals queued work after this long (CAF's default, 10 ms, adds
    // up to 10 ms to each hop of a message chain that lands behind a busy worker:
    // visible in watch mode's save-to-client latency). 1 ms costs ~1,000 wake-ups a
    // second per idle worker.
    set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(1)});
    set("logger.console", caf::atom("none"));
    set("logger.verbosity", caf::atom("quiet"));
  }
};
}  // namespace

struct engine::impl {
  // Destroyed in reverse order: the actor system goes before the store it writes to.
  std::unique_ptr<store> db;
  engine_config cfg;
  caf::actor_system system;
  bus_actor bus;
  std::vector<parser_actor> workers;
  std::mutex mu;
  std::unordered_map<uint32_t, graph_actor> graphs;  // by project id
  // The version each project's graph was last put at (a git commit's run, a rewind);
  // absent: its head. A work-tree run over another version's commit rewinds first.
  std::unordered_map<uint32_t, uint64_t> graph_at;
  struct vector_entry {
    vector_actor actor;
    vector_shared shared;  // read in place by searches when current (see search)
  };
  std::unordered_map<uint32_t, vector_entry> vectors;  // by project id
  vector_options vector_opts;
  std::unordered_map<uint64_t, caf::actor> tasks;
  std::unordered_map<uint64_t, uint32_t> task_project;  // the project each task writes
  // Tasks whose graph run is over and that still commit their version or sync the
  // search index; tasks_ended tells when one goes.
  std::unordered_set<uint64_t> finishing;
  std::condition_variable tasks_ended;
  struct gauge_entry {
    std::string actor, project;
    depth_gauge g;
  };
  std::vector<gauge_entry> gauges;  // under mu
  // Manual edits waiting for or being applied by each project's graph writer.
  size_t edit_queue_limit = 0;
  std::unordered_map<uint32_t, std::shared_ptr<std::atomic<size_t>>> edits_waiting;  // under mu
  std::atomic<uint64_t> edits_refused{0};
  std::shared_ptr<std::atomic<size_t>> edit_gauge(uint32_t proj) {
    std::lock_guard lock(mu);
    auto& g = edits_waiting[proj];
    if (!g) g = std::make_shared<std::atomic<size_t>>(0);
    return g;
  }

  depth_gauge new_gauge(std::string actor, std::string project) {  // caller holds mu
    auto g = std::make_shared<std::atomic<size_t>>(0);
    gauges.push_back({std::move(actor), std::move(project), g});
    return g;
  }
  void drop_gauges(const std::string& project) {  // caller holds mu
    std::erase_if(gauges, [&](const gauge_entry& e) {
      return e.project == project && (e.actor == "graph" || e.actor == "vector");
    });
  }
  std::atomic<uint64_t> next_task{1};
  std::mutex backup_mu;  // one backup at a time (a backup directory has one writer)

  // Search states of old versions, newest use first (searches at a version).
  struct version_state {
    uint32_t proj = 0;
    uint64_t version = 0;
    std::shared_ptr<vector_state> state;
  };
  std::mutex at_mu;  // the list; held while one is built (one build at a time)
  std::list<version_state> at_states;
  static constexpr size_t at_states_kept = 4;

  // The search state of a version: what a fresh index of that version's graph would
  // search (one full sync over the version's view), brute force.
  result<std::shared_ptr<vector_state>> state_at(uint32_t proj, uint64_t version, const read_view& view) {
    std::lock_guard lock(at_mu);
    for (auto it = at_states.begin(); it != at_states.end(); ++it)
      if (it->proj == proj && it->version == version) {
        at_states.splice(at_states.begin(), at_states, it);
        return at_states.front().state;
      }
    auto opts = vector_opts;
    opts.kind = index_kind::flat;
    opts.background_index = false;
    auto st = std::make_shared<vector_state>(opts);
    auto synced = st->sync(view, proj, 0);
    if (!synced.ok()) return synced.err();
    // A server learns the model a sync deferred in the background; a fresh index of
    // this version's tree would have it, so this state learns it now (the CLI's, which
    // learn it only on `vectors rebuild`, go without, as its fresh index would).
    if (vector_opts.background_index) st->finish_model();
    at_states.push_front({proj, version, st});
    if (at_states.size() > at_states_kept) at_states.pop_back();
    return st;
  }

  impl(std::unique_ptr<store> s, unsigned threads) : db(std::move(s)), cfg(threads), system(cfg) {}

  graph_actor graph_for(uint32_t proj, const std::string& name) {
    std::lock_guard lock(mu);
    auto it = graphs.find(proj);
    if (it != graphs.end()) return it->second;
    auto g = spawn_graph(system, *db, proj, name, bus, new_gauge("graph", name));
    graphs.emplace(proj, g);
    return g;
  }

  vector_entry vector_entry_for(uint32_t proj, const std::string& name) {
    std::lock_guard lock(mu);
    auto it = vectors.find(proj);
    if (it != vectors.end()) return it->second;
    // A layer's search state is built from its view on first use and kept in memory
    // only: on disk it would repeat the whole project's under it, not its differences.
    auto layer = db->layer_of(proj);
    auto dir = layer.ok() && *layer ? std::string() : (std::filesystem::path(db->dir()) / "vectors" / name).string();
    vector_shared shared;
    shared.state = std::make_shared<vector_state>(vector_opts);
    auto v = spawn_vector(system, *db, proj, name, shared, dir, new_gauge("vector", name));
    vectors.emplace(proj, vector_entry{v, shared});
    return {v, shared};
  }
  vector_actor vector_for(uint32_t proj, const std::string& name) { return vector_entry_for(proj, name).actor; }

  // Runs read on the project's search state in place when that state is loaded and
  // current (its sequence is the store's), under the state's lock shared: no message
  // and no thread hop. Else (not loaded yet, behind the store, or mid-sync) false: the
  // vector actor brings it up to date and answers.
  template <class F>
  bool read_in_place(const vector_shared& v, F&& read) {
    std::shared_lock lock(*v.rw, std::try_to_lock);
    if (!lock.owns_lock() || v.state->sequence() != db->sequence()) return false;
    read(*v.state);
    return true;
  }

  ~impl() {
    {
      std::lock_guard lock(mu);
      for (auto& [id, t] : tasks) caf::anon_send(t, cancel_atom_v);
    }
    // Wait for running tasks to finish (they cancel promptly), then stop the rest.
    for (int i = 0; i < 600; ++i) {
      {
        std::lock_guard lock(mu);
        if (tasks.empty()) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (auto& w : workers) caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
    for (auto& [p, g] : graphs) caf::anon_send_exit(g, caf::exit_reason::user_shutdown);
    for (auto& [p, v] : vectors) caf::anon_send_exit(v.actor, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(bus, caf::exit_reason::user_shutdown);
  }
};

engine::engine(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

engine::~engine() {
  impl_.reset();  // joins the actor system, then closes the store
}

result<std::unique_ptr<engine>> engine::open(const engine_options& opts) {
  store_options so;
  so.dir = opts.data_dir;
  so.block_cache_bytes = opts.store_cache_bytes;
  so.write_buffer_bytes = opts.store_write_buffer_bytes;
  so.read_only = opts.read_only;
  auto db = store::open(so);
  if (!db.ok()) return db.err();
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  unsigned threads = opts.threads ? opts.threads : cores;
  unsigned workers = opts.parser_workers ? opts.parser_workers : cores;
  auto p = std::make_unique<impl>(std::move(*db), threads);
  p->vector_opts = opts.vectors;
  p->edit_queue_limit = opts.edit_queue_limit;
  p->bus = spawn_bus(p->system, p->new_gauge("bus", ""));
  for (unsigned i = 0; i < workers; ++i)
    p->workers.push_back(spawn_parser_worker(p->system, p->new_gauge("parser", std::to_string(i))));
  return std::unique_ptr<engine>(new engine(std::move(p)));
}

store& engine::storage() { return *impl_->db; }

result<backup_info> engine::backup(const std::string& dir, const std::string& note) {
  std::lock_guard one_at_a_time(impl_->backup_mu);
  backup_request req;
  req.note = note;
  // Each project's search state as it stands in memory (saved under its lock shared:
  // searches go on; its writer waits), or its saved files when it was never loaded
  // (then under the engine's lock, so that no vector actor starts and saves meanwhile).
  req.write_search = [this](const std::string& to) -> status {
    std::error_code ec;
    std::filesystem::create_directories(to, ec);
    if (ec) return make_error(errc::io_error, "cannot create " + to + ": " + ec.message());
    auto projects = impl_->db->projects();
    if (!projects.ok()) return projects.err();
    for (const auto& [name, id] : *projects) {
      auto into = (std::filesystem::path(to) / name).string();
      std::unique_lock lock(impl_->mu);
      auto it = impl_->vectors.find(id);
      if (it == impl_->vectors.end()) {
        if (auto st = copy_saved_search_state(impl_->db->dir(), name, into); !st.ok()) return st;
        continue;
      }
      auto shared = it->second.shared;
      lock.unlock();
      std::shared_lock reading(*shared.rw);
      auto st = shared.state->sequence() != 0 ? shared.state->save(into)
                                              : copy_saved_search_state(impl_->db->dir(), name, into);
      if (!st.ok()) return st;
    }
    return {};
  };
  return create_backup(*impl_->db, dir, req);
}
unsigned engine::parser_workers() const { return static_cast<unsigned>(impl_->workers.size()); }

void engine::warm_trees(const std::string& project, const std::vector<std::string>& paths) {
  std::string root = project_root(*impl_->db, project);
  if (root.empty() || impl_->workers.empty()) return;
  for (const auto& path : paths) {
    auto job = std::make_shared<parse_job>();
    job->project = project;
    job->root = root;
    job->path = path;
    job->warm = true;
    caf::anon_send(impl_->workers[worker_for(project, path, impl_->workers.size())], parse_atom_v,
                   parse_job_ptr(std::move(job)));
  }
}

namespace {
// The one way the facade waits on an actor: a request from a scoped actor, blocking
// until the response (a shared result R) or an error CAF reports (the actor gone).
template <class R, class Actor, class... Ts>
R ask(caf::actor_system& sys, const Actor& actor, Ts&&... xs) {
  caf::scoped_actor self{sys};
  R out = make_error(errc::internal, "no reply");
  self->request(actor, caf::infinite, std::forward<Ts>(xs)...)
      .receive([&](const std::shared_ptr<const R>& r) { out = *r; },
               [&](caf::error& err) { out = make_error(errc::internal, sys.render(err)); });
  return out;
}

// The version to index a git commit from: its nearest indexed ancestor, put back
// first, when the graph stands elsewhere (another branch, a later commit) and the
// commit's tree differs from the ancestor's in fewer paths than from the current
// version's commit; 0: from the current state (also when that is no commit's).
uint64_t base_for_commit(const git_repo& repo, const store& db, uint32_t proj, const std::string& sha,
                         uint64_t ancestor) {
  auto head = db.head_version(proj);
  if (!head.ok() || *head == 0 || ancestor == 0 || ancestor == *head) return 0;
  // Versions committed before the resolver's state was versioned cannot be crossed.
  if (auto whole = db.resolver_state_since(proj, ancestor); !whole.ok() || !*whole) return 0;
  auto h = db.version(proj, *head);
  auto a = db.version(proj, ancestor);
  if (!h.ok() || !a.ok() || h->commit.empty() || a->commit.empty()) return 0;
  auto from_ancestor = repo.paths_changed(a->commit, sha);
  auto from_head = repo.paths_changed(h->commit, sha);
  if (!from_ancestor.ok() || !from_head.ok() || *from_ancestor >= *from_head) return 0;
  return ancestor;
}
}  // namespace

result<uint64_t> engine::start_index(index_request req, std::function<void(const index_summary&)> done,
                                     std::function<void()> graph_done) {
  if (req.project.empty()) return make_error(errc::invalid_argument, "an index task needs a project name");
  if (impl_->db->read_only()) return make_error(errc::invalid_argument, "the engine was opened read-only");
  auto proj = impl_->db->ensure_project(req.project);
  if (!proj.ok()) return proj.err();
  // A layer (a second work tree over a version of its base project) commits no
  // versions, and its node ids are its base's.
  if (auto layer = impl_->db->layer_of(*proj); layer.ok() && *layer) {
    std::string over;
    if (auto all = impl_->db->projects(); all.ok())
      for (const auto& [name, id] : *all)
        if (id == (*layer)->project) over = name;
    if (!req.git.sha.empty())
      return make_error(errc::invalid_argument, req.project + " is a layer over " + over + ": index commits into " +
                                                    over + ", work trees into the layer");
    req.versions = false;
    req.start_from = 0;
    req.id_space = over;
    // A run over the whole work tree lays it over the nearest indexed commit of its
    // HEAD's history first (nearer after the project under it indexed more of it).
    if (req.only.empty())
      if (auto l = lay_over(req.project, req.root, over); !l.ok())
        spdlog::debug("index {}: the layer stays over version {}: {}", req.project, (*layer)->version, l.err().message);
  }
  auto graph = impl_->graph_for(*proj, req.project);
  uint64_t task = impl_->next_task++;
  auto* self = impl_.get();
  auto finish = [self, task, done = std::move(done)](const index_summary& s) {
    {
      std::lock_guard lock(self->mu);
      self->tasks.erase(task);
      self->task_project.erase(task);
      self->finishing.erase(task);
    }
    self->tasks_ended.notify_all();
    auto ev = std::make_shared<event>();
    ev->topic = topics::index_done(s.project);
    ev->payload = s;
    caf::anon_send(self->bus, publish_atom_v, event_ptr(std::move(ev)));
    if (done) done(s);
  };
  // After the graph: the search index, by the project's vector actor (off the
  // graph writer's path), then the task is done.
  std::optional<vector_actor> vec;
  if (req.vectors) vec = impl_->vector_for(*proj, req.project);
  // A run over named files (watch-mode saves) leaves small writes in the memtables
  // until they add up to a table's worth; a whole-tree run flushes what it wrote.
  const uint64_t flush_above = req.only.empty() ? (uint64_t{4} << 20) : (uint64_t{32} << 20);
  // After the graph: the version (committed by the graph actor), then the search index.
  auto after_commit = [vec, finish, graph_done, flush_above, git = req.git, proj = *proj, db = impl_->db.get(),
                       sys = &impl_->system, bus = impl_->bus,
                       owner = impl_.get()](index_summary s, const result<uint64_t>* v) {
    if (v && v->ok()) {
      // Committed (or nothing differed from the head): the graph stands at its head.
      std::lock_guard lock(owner->mu);
      owner->graph_at.erase(proj);
    }
    if (v) {
      // A commit that changed no indexed file names the version it left in place.
      if (v->ok() && !git.sha.empty()) {
        auto at = **v ? result<uint64_t>(**v) : db->head_version(proj);
        if (at.ok() && *at) (void)db->set_ref(proj, "commit/" + git.sha, *at);
      }
      if (v->ok() && **v)
        if (auto rec = db->version(proj, **v); rec.ok()) {
          auto ev = std::make_shared<event>();
          ev->topic = topics::versions(s.project);
          ev->payload = version_created{s.project, std::move(*rec)};
          caf::anon_send(bus, publish_atom_v, event_ptr(std::move(ev)));
        }
      if (v->ok())
        s.version = **v;
      else
        spdlog::warn("index task {}: the version was not committed: {}", s.task, v->err().message);
    }
    if (graph_done) graph_done();
    db->flush_in_background(flush_above);  // beside the search index's sync
    if (!vec || s.outcome != index_phase::done) return finish(s);
    // A requester of its own: the answer comes back to it, not to the indexer.
    sys->spawn(
        [vec, s, finish](caf::event_based_actor* self, spawn_tag) {
          self->request(*vec, caf::infinite, vsync_atom_v, false)
              .then(
                  [s = index_summary(s), finish](const sync_reply& r) mutable {
                    if (r->ok()) {
                      s.vectors.synced = true;
                      s.vectors.documents = (*r)->documents;
                      s.vectors.added = (*r)->added;
                      s.vectors.updated = (*r)->updated;
                      s.vectors.removed = (*r)->removed;
                      s.vectors.seconds = (*r)->seconds;
                    } else {
                      s.vectors.error = r->err().message;
                    }
                    finish(s);
                  },
                  [s = index_summary(s), finish, self](caf::error& err) mutable {
                    s.vectors.error = self->system().render(err);
                    finish(s);
                  });
        },
        spawn_tag{});
  };
  // A commit's version records the versions its parents are indexed as (its git
  // ancestry; the version's parent is the one committed before it).
  std::vector<uint64_t> git_parents;
  uint64_t based_on = 0;  // the version the run starts from, put back first
  size_t rewound = 0;
  if (!req.git.sha.empty() && req.only.empty() && req.versions) {
    auto repo = git_repo::open(req.root);
    auto parents = repo.ok() ? indexed_parent_versions(**repo, *impl_->db, *proj, req.git)
                             : result<std::vector<uint64_t>>(repo.err());
    if (parents.ok())
      git_parents = std::move(*parents);
    else
      spdlog::warn("index {}: the versions of {}'s parents: {}", req.project, req.git.sha.substr(0, 10),
                   parents.err().message);
    // A branch or an older commit: from its nearest indexed ancestor, when that is
    // nearer (the answers are exact from either; the cost is what differs).
    if (!git_parents.empty())
      if (uint64_t base = base_for_commit(**repo, *impl_->db, *proj, req.git.sha, git_parents.front())) {
        auto r = ask<result<uint64_t>>(impl_->system, graph, rewind_atom_v, base);
        if (r.ok()) {
          based_on = base;
          rewound = *r;
          spdlog::debug("index {}: {} from version {} ({} keys put back)", req.project, req.git.sha.substr(0, 10), base,
                        rewound);
        } else {
          spdlog::warn("index {}: could not go back to version {} (indexing from the current state): {}", req.project,
                       base, r.err().message);
        }
      }
  }
  // A work tree over an indexed commit the graph does not stand at (a checkout):
  // put back as that commit's version had it, then only its own changes are parsed.
  if (req.start_from && req.git.sha.empty() && req.only.empty()) {
    uint64_t at = 0;
    {
      std::lock_guard lock(impl_->mu);
      if (auto it = impl_->graph_at.find(*proj); it != impl_->graph_at.end()) at = it->second;
    }
    if (!at)
      if (auto head = impl_->db->head_version(*proj); head.ok()) at = *head;
    auto whole = impl_->db->resolver_state_since(*proj, req.start_from);
    if (at != req.start_from && whole.ok() && *whole) {
      auto r = ask<result<uint64_t>>(impl_->system, graph, rewind_atom_v, req.start_from);
      if (r.ok()) {
        based_on = req.start_from;
        rewound = *r;
        std::lock_guard lock(impl_->mu);
        impl_->graph_at[*proj] = req.start_from;
      } else {
        spdlog::warn("index {}: could not go back to version {} (indexing from the current state): {}", req.project,
                     req.start_from, r.err().message);
      }
    }
  }
  auto fn = std::make_shared<const std::function<void(const index_summary&)>>(
      [after_commit, graph, whole = req.only.empty() && req.versions, git = req.git, git_parents, based_on, rewound,
       sys = &impl_->system, owner = self, task](const index_summary& ran) {
        index_summary done = ran;
        done.based_on = based_on;
        done.rewound_keys = rewound;
        {
          std::lock_guard lock(owner->mu);
          owner->finishing.insert(task);
        }
        // A run over the whole tree commits what it changed as a version; watch-mode
        // saves leave their changes in the open version (the working tree's).
        if (!whole || done.outcome != index_phase::done) return after_commit(done, nullptr);
        version_record rec;
        rec.source = "index";
        if (!git.sha.empty()) {
          rec.source = "git";
          rec.commit = git.sha;
          rec.author = git.email.empty() ? git.author : git.author + " <" + git.email + ">";
          rec.committed = git.time;
          rec.message = git.message;
          rec.git_parents = git_parents;
        }
        // Through the project's graph actor, the only writer: what another run applied
        // meanwhile is resolved before the version is cut.
        sys->spawn(
            [after_commit, graph, done, rec = std::make_shared<const version_record>(std::move(rec))](
                caf::event_based_actor* self, spawn_tag) {
              self->request(graph, caf::infinite, commit_atom_v, rec)
                  .then([after_commit, done](const commit_reply& r) { after_commit(done, r.get()); },
                        [after_commit, done, self](caf::error& err) {
                          result<uint64_t> failed = make_error(errc::internal, self->system().render(err));
                          after_commit(done, &failed);
                        });
            },
            spawn_tag{});
      });
  std::lock_guard lock(impl_->mu);
  auto a = spawn_indexer(impl_->system, std::move(req), task, graph, impl_->workers, impl_->bus, fn);
  impl_->tasks.emplace(task, a);
  impl_->task_project.emplace(task, *proj);
  return task;
}

std::optional<status> engine::try_search_now(const search_request& req,
                                             const std::function<void(const search_batch&)>& on_batch,
                                             size_t brute_force_limit) {
  if (!req.at.empty()) return std::nullopt;  // a version's state may need building
  auto proj = impl_->db->project_id(req.project);
  if (!proj.ok()) return status(proj.err());
  auto v = impl_->vector_entry_for(*proj, req.project);
  auto t0 = std::chrono::steady_clock::now();
  result<std::vector<search_hit>> hits = std::vector<search_hit>{};
  bool searched = false;
  // What may take long is left to the caller's slow path: a query embedded over the
  // network, and brute force over a large project (exact mode, or filters, which fall
  // back to it when few ANN hits pass them: ~90 ms at a million vectors).
  const bool may_brute_force = req.mode == search_mode::exact || !req.filters.languages.empty() ||
                               !req.filters.kinds.empty() || !req.filters.path_glob.empty();
  impl_->read_in_place(v.shared, [&](vector_state& st) {
    if (!st.embeds_locally() || (may_brute_force && st.live_documents() > brute_force_limit)) return;
    hits = st.search(req, impl_->db->snapshot(), *proj);
    searched = true;
  });
  if (!searched) return std::nullopt;
  if (!hits.ok()) return status(hits.err());
  deliver_batches(std::move(*hits), req.batch_size, t0, on_batch);
  return status{};
}

status engine::search(const search_request& req, const std::function<void(const search_batch&)>& on_batch) {
  auto proj = impl_->db->project_id(req.project);
  if (!proj.ok()) return proj.err();
  if (!req.at.empty()) {
    auto t0 = std::chrono::steady_clock::now();
    auto version = resolve_version(*impl_->db, *proj, req.at);
    if (!version.ok()) return version.err();
    auto view = impl_->db->as_of(*proj, *version);
    if (!view.ok()) return view.err();
    auto st = impl_->state_at(*proj, *version, *view);
    if (!st.ok()) return st.err();
    auto hits = (*st)->search(req, *view, *proj);
    if (!hits.ok()) return hits.err();
    deliver_batches(std::move(*hits), req.batch_size, t0, on_batch);
    return {};
  }
  auto v = impl_->vector_entry_for(*proj, req.project);
  auto t0 = std::chrono::steady_clock::now();
  result<std::vector<search_hit>> hits = std::vector<search_hit>{};
  if (impl_->read_in_place(v.shared, [&](vector_state& st) { hits = st.search(req, impl_->db->snapshot(), *proj); })) {
    if (!hits.ok()) return hits.err();
    deliver_batches(std::move(*hits), req.batch_size, t0, on_batch);
    return {};
  }
  auto call = std::make_shared<search_call>();
  call->req = req;
  call->on_batch = on_batch;
  return ask<status>(impl_->system, v.actor, search_atom_v, search_call_ptr(std::move(call)));
}

result<std::vector<search_hit>> engine::similar(const std::string& project, node_id id, size_t k, float min_score,
                                                search_mode mode, const search_filters& filters) {
  auto proj = impl_->db->project_id(project);
  if (!proj.ok()) return proj.err();
  auto v = impl_->vector_entry_for(*proj, project);
  result<std::vector<search_hit>> hits = std::vector<search_hit>{};
  if (impl_->read_in_place(v.shared, [&](vector_state& st) { hits = st.similar(id, k, min_score, mode, filters); }))
    return hits;
  auto call = std::make_shared<similar_call>();
  call->id = id;
  call->k = k;
  call->min_score = min_score;
  call->mode = mode;
  call->filters = filters;
  return ask<result<std::vector<search_hit>>>(impl_->system, v.actor, similar_atom_v,
                                              similar_call_ptr(std::move(call)));
}

result<std::vector<search_hit>> engine::search_vector(const std::string& project, std::vector<float> vector, size_t k,
                                                      search_mode mode, const search_filters& filters) {
  auto proj = impl_->db->project_id(project);
  if (!proj.ok()) return proj.err();
  if (vector.empty()) return make_error(errc::invalid_argument, "the query vector is empty");
  auto v = impl_->vector_entry_for(*proj, project);
  result<std::vector<search_hit>> hits = std::vector<search_hit>{};
  if (impl_->read_in_place(v.shared, [&](vector_state& st) { hits = st.search_raw(vector, k, mode, filters); }))
    return hits;
  auto call = std::make_shared<similar_call>();
  call->vector = std::move(vector);
  call->k = k;
  call->mode = mode;
  call->filters = filters;
  return ask<result<std::vector<search_hit>>>(impl_->system, v.actor, similar_atom_v,
                                              similar_call_ptr(std::move(call)));
}

status engine::remove_project(const std::string& project) {
  auto proj = impl_->db->project_id(project);
  if (!proj.ok()) return proj.err();
  for (const auto& [layer, base] : impl_->db->layers())  // refused before anything stops
    if (base.project == *proj)
      return make_error(errc::conflict, project + " lies under a layer (project id " + std::to_string(layer) +
                                            "): remove the layer first");
  if (auto st = retire(project, *proj); !st.ok()) return st;
  return impl_->db->drop_project(*proj);
}

result<layer_info> engine::lay_over(const std::string& project, const std::string& root, const std::string& base) {
  auto repo = git_repo::open(root);
  if (!repo.ok()) return make_error(errc::invalid_argument, "a layer is a git work tree: " + repo.err().message);
  if (!(*repo)->has_work_tree())
    return make_error(errc::invalid_argument, "a layer is a work tree; " + root + " is a bare repository");
  auto head = (*repo)->commit("HEAD");
  if (!head.ok()) return make_error(errc::invalid_argument, "HEAD of " + (*repo)->root() + " names no commit yet");
  auto base_id = impl_->db->project_id(base);
  if (!base_id.ok())
    return make_error(errc::not_found, "no project \"" + base + "\" to lie over (index its repository first)");
  if (auto under = impl_->db->layer_of(*base_id); under.ok() && *under)
    return make_error(errc::invalid_argument, "\"" + base + "\" is a layer itself: name the project under it");
  layer_info out;
  out.over = base;
  out.head = head->sha;
  auto found = nearest_indexed_commit(**repo, *impl_->db, *base_id, head->sha);
  if (!found.ok()) return found.err();
  if (!found->version)
    return make_error(errc::not_found, "no commit of " + head->sha.substr(0, 10) +
                                           "'s first-parent history is indexed in \"" + base +
                                           "\" (index one there first: index --git)");
  out.version = found->version;
  out.commit = found->sha;
  if (project == base) return make_error(errc::invalid_argument, "the layer needs a project name of its own");
  auto proj = impl_->db->ensure_project(project);
  if (!proj.ok()) return proj.err();
  auto now = impl_->db->layer_of(*proj);
  if (!now.ok()) return now.err();
  const store::layer_base want{*base_id, found->version};
  if (*now && **now == want) return out;
  // What the project's actors hold (its symbols, its search index) was of the old base
  // (or of the whole project it was).
  if (auto st = retire(project, *proj); !st.ok()) return st.err();
  if (auto st = impl_->db->set_layer(*proj, want); !st.ok()) return st.err();
  out.rebased = true;
  return out;
}

status engine::retire(const std::string& project, uint32_t proj_id) {
  auto proj = &proj_id;
  std::optional<graph_actor> g;
  std::optional<vector_actor> v;
  {
    std::unique_lock lock(impl_->mu);
    // A task whose run is over but that still commits its version or syncs the search
    // index is waited for (it ends within seconds); a running one refuses.
    auto busy = [&](bool running_only) -> std::optional<uint64_t> {
      for (const auto& [task, p] : impl_->task_project)
        if (p == *proj && (!running_only || !impl_->finishing.count(task))) return task;
      return std::nullopt;
    };
    if (auto t = busy(true))
      return make_error(errc::conflict, "an index task of " + project + " is running (task " + std::to_string(*t) +
                                            "); cancel it or wait");
    if (!impl_->tasks_ended.wait_for(lock, std::chrono::seconds(60), [&] { return !busy(false); }))
      return make_error(errc::conflict, "an index task of " + project + " is still finishing; try again");
    if (auto it = impl_->graphs.find(*proj); it != impl_->graphs.end()) {
      g = it->second;
      impl_->graphs.erase(it);
    }
    if (auto it = impl_->vectors.find(*proj); it != impl_->vectors.end()) {
      v = it->second.actor;
      impl_->vectors.erase(it);
    }
    impl_->drop_gauges(project);
  }
  {
    std::lock_guard lock(impl_->at_mu);  // a new project may get this id again
    impl_->at_states.remove_if([&](const impl::version_state& s) { return s.proj == *proj; });
  }
  // Wait for the actors to finish what they hold before the keys go.
  caf::scoped_actor self{impl_->system};
  if (g) {
    self->monitor(*g);
    caf::anon_send_exit(*g, caf::exit_reason::user_shutdown);
    self->receive([](const caf::down_msg&) {});
  }
  if (v) {
    self->monitor(*v);
    caf::anon_send_exit(*v, caf::exit_reason::user_shutdown);
    self->receive([](const caf::down_msg&) {});
  }
  {
    std::lock_guard lock(impl_->mu);
    impl_->graph_at.erase(*proj);
  }
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(impl_->db->dir()) / "vectors" / project, ec);
  return {};
}

std::vector<engine::mailbox_depth> engine::mailbox_depths() const {
  std::lock_guard lock(impl_->mu);
  std::vector<mailbox_depth> out;
  for (const auto& e : impl_->gauges) out.push_back({e.actor, e.project, e.g->load(std::memory_order_relaxed)});
  return out;
}

size_t engine::running_tasks() const {
  std::lock_guard lock(impl_->mu);
  return impl_->tasks.size();
}

bool engine::indexing(const std::string& project) const {
  auto proj = impl_->db->project_id(project);
  if (!proj.ok()) return false;
  std::lock_guard lock(impl_->mu);
  for (const auto& [task, p] : impl_->task_project)
    if (p == *proj) return true;
  return false;
}

result<std::vector<std::optional<std::vector<float>>>> engine::embeddings(const std::string& project,
                                                                          const std::vector<node_id>& ids) {
  auto proj = impl_->db->project_id(project);
  if (!proj.ok()) return proj.err();
  auto v = impl_->vector_entry_for(*proj, project);
  std::vector<std::optional<std::vector<float>>> out;
  auto read = [&](vector_state& st) {
    out.clear();
    for (auto id : ids) out.push_back(st.embedding(id));
  };
  if (impl_->read_in_place(v.shared, read)) return out;
  // Not loaded or behind the store: the vector actor brings it in step, then it is
  // read as it stands (a change landing meanwhile shows on the next call).
  if (auto s = sync_vectors(project, false); !s.ok()) return s.err();
  std::shared_lock lock(*v.shared.rw);
  read(*v.shared.state);
  return out;
}

std::vector<engine::search_state> engine::search_states() const {
  std::map<uint32_t, vector_shared> loaded;
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& [proj, e] : impl_->vectors) loaded.emplace(proj, e.shared);
  }
  std::vector<search_state> out;
  auto all = impl_->db->projects();
  if (!all.ok()) return out;
  auto seq = impl_->db->sequence();
  for (const auto& [name, proj] : *all) {
    search_state s;
    s.project = name;
    auto it = loaded.find(proj);
    if (it == loaded.end()) {
      s.state = "not_loaded";
    } else if (std::shared_lock lock(*it->second.rw, std::try_to_lock); !lock.owns_lock()) {
      s.state = "updating";
    } else {
      const auto& st = *it->second.state;
      s.state = st.sequence() == seq ? "current" : "behind";
      s.documents = st.live_documents();
      s.index_building = st.index_pending();
      s.model_pending = st.model_pending();
    }
    out.push_back(std::move(s));
  }
  return out;
}

result<sync_summary> engine::sync_vectors(const std::string& project, bool rebuild) {
  auto proj = impl_->db->project_id(project);
  if (!proj.ok()) return proj.err();
  return ask<result<sync_summary>>(impl_->system, impl_->vector_for(*proj, project), vsync_atom_v, rebuild);
}

result<vector_stats> engine::vectors_stats(const std::string& project) {
  auto proj = impl_->db->project_id(project);
  if (!proj.ok()) return proj.err();
  return ask<result<vector_stats>>(impl_->system, impl_->vector_for(*proj, project), vstats_atom_v);
}

bool engine::cancel(uint64_t task) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->tasks.find(task);
  if (it == impl_->tasks.end()) return false;
  caf::anon_send(it->second, cancel_atom_v);
  return true;
}

index_summary engine::index(index_request req, std::function<void(const index_progress&)> on_progress) {
  std::string project = req.project;
  auto task_id = std::make_shared<std::atomic<uint64_t>>(0);
  uint64_t sub = 0;
  if (on_progress) {
    sub = subscribe(topics::progress(project), [task_id, on_progress](const event& e) {
      if (auto* p = std::get_if<index_progress>(&e.payload); p && p->task == task_id->load()) on_progress(*p);
    });
  }
  std::promise<index_summary> promise;
  auto future = promise.get_future();
  auto started = start_index(std::move(req), [&promise](const index_summary& s) { promise.set_value(s); });
  if (!started.ok()) {
    if (sub) unsubscribe(sub);
    index_summary s;
    s.project = project;
    s.outcome = index_phase::failed;
    s.error = started.err().message;
    return s;
  }
  task_id->store(*started);
  auto summary = future.get();
  if (sub) unsubscribe(sub);
  return summary;
}

result<manual_outcome> engine::apply_edits(const std::string& project, manual_edits edits) {
  auto proj = impl_->db->project_id(project);
  if (!proj.ok()) return proj.err();
  auto g = impl_->graph_for(*proj, project);
  // A bounded queue: past the limit the caller is told to come back (a flood of
  // edits would otherwise wait longer and longer in the writer's mailbox).
  auto waiting = impl_->edit_gauge(*proj);
  const size_t limit = impl_->edit_queue_limit;
  if (waiting->fetch_add(1) >= limit && limit) {
    waiting->fetch_sub(1);
    ++impl_->edits_refused;
    return make_error(errc::overloaded, "the graph writer of project " + project + " has " + std::to_string(limit) +
                                            " edits waiting; retry later");
  }
  auto r = ask<result<manual_outcome>>(impl_->system, g, manual_atom_v,
                                       manual_edits_ptr(std::make_shared<const manual_edits>(std::move(edits))));
  waiting->fetch_sub(1);
  return r;
}

uint64_t engine::edits_refused() const { return impl_->edits_refused.load(); }

namespace {
result<node> run_one(engine& e, const std::string& project, manual_op op) {
  manual_edits edits;
  edits.as_version = true;  // one edit is a transaction of one
  edits.ops.push_back(std::move(op));
  auto r = e.apply_edits(project, std::move(edits));
  if (!r.ok()) return r.err();
  return std::move(r->nodes.front());
}
}  // namespace

result<node> engine::create_node(const std::string& project, node n) {
  manual_op op;
  op.op = manual_op::what::create;
  op.n = std::move(n);
  return run_one(*this, project, std::move(op));
}

result<node> engine::update_node(const std::string& project, node_id id, std::function<status(node&)> patch) {
  manual_op op;
  op.op = manual_op::what::update;
  op.id = id;
  op.patch = std::move(patch);
  return run_one(*this, project, std::move(op));
}

status engine::delete_node(const std::string& project, node_id id) {
  manual_op op;
  op.op = manual_op::what::remove;
  op.id = id;
  auto r = run_one(*this, project, std::move(op));
  if (!r.ok()) return r.err();
  return {};
}

uint64_t engine::subscribe(std::string topic_prefix, event_sink sink) {
  caf::scoped_actor self{impl_->system};
  uint64_t id = 0;
  self->request(impl_->bus, caf::infinite, subscribe_atom_v, std::move(topic_prefix),
                sink_ptr(std::make_shared<const event_sink>(std::move(sink))))
      .receive([&](uint64_t got) { id = got; },
               [&](caf::error& err) { spdlog::error("subscribe failed: {}", impl_->system.render(err)); });
  return id;
}

void engine::unsubscribe(uint64_t subscription) {
  // A request, not a send: once it returns, the bus delivers nothing more to the sink.
  caf::scoped_actor self{impl_->system};
  self->request(impl_->bus, caf::infinite, unsubscribe_atom_v, subscription).receive([](bool) {}, [](caf::error&) {});
}

}  // namespace cg
