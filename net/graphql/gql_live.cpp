// Subscriptions: node changes and index progress from the server's event hub,
// search batches from the project's vector actor.
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "actors/engine.hpp"
#include "actors/read_api.hpp"
#include "net/app/app.hpp"
#include "net/graphql/gql_service.hpp"
#include "schema/hash.hpp"

namespace cg::net {

using gql::json;
json gql_node(const std::string& project, const node& n);
json gql_hit(const std::string& project, const search_hit& h);
json gql_version(const version_record& v);
search_request gql_search_request(const json& args);
bool gql_may(gql::context& c, const std::string& project, std::string& err);

namespace {

gql_request_ctx& rctx(gql::context& c) { return *std::any_cast<std::shared_ptr<gql_request_ctx>>(c.user); }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct listen_handle : gql::stream_handle {
  app* a = nullptr;
  uint64_t id = 0;
  ~listen_handle() override {
    if (a && id) a->events().unlisten(id);
  }
};

struct node_filter {
  std::string project, glob;
  std::vector<node_kind> kinds;
  // The glob matches the node's file or the file the change came from ("@manual").
  bool pass(const node& n, const std::string& change_path) const {
    if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), n.kind) == kinds.end()) return false;
    return glob.empty() || glob_match(glob, n.file) || glob_match(glob, change_path);
  }
};

node_filter filter_from(const json& args) {
  node_filter f;
  f.project = args.value("project", std::string());
  if (args.contains("filePath") && args["filePath"].is_string()) f.glob = args["filePath"].get<std::string>();
  if (args.contains("nodeType") && args["nodeType"].is_array())
    for (const auto& k : args["nodeType"])
      if (auto x = parse_node_kind(lower(k.get<std::string>()))) f.kinds.push_back(*x);
  return f;
}

enum class node_event { created, updated, deleted };

// The created or updated nodes of the event being delivered, read once per event
// (listeners run one after another on the bus's thread).
const std::vector<std::pair<node, std::string>>& event_nodes(app& a, const node_changes& ch, bool created) {
  struct memo {
    uint64_t serial = 0;
    bool created = false;
    std::vector<std::pair<node, std::string>> nodes;
  };
  thread_local memo m;
  auto serial = a.events().event_serial();
  if (m.serial == serial && m.created == created && serial != 0) return m.nodes;
  m.serial = serial;
  m.created = created;
  m.nodes.clear();
  std::vector<node_id> ids;
  std::unordered_map<node_id, std::string> path_of;
  for (const auto& fc : ch.files)
    for (auto id : created ? fc.created : fc.updated) {
      ids.push_back(id);
      path_of[id] = fc.path;
    }
  if (ids.empty()) return m.nodes;
  auto pid = a.eng().storage().project_id(ch.project);
  if (!pid.ok()) return m.nodes;
  graph_query q(a.eng().storage().latest(), *pid);
  auto ns = q.get_many(ids);
  if (!ns.ok()) return m.nodes;
  for (auto& n : *ns) m.nodes.emplace_back(std::move(n), path_of[n.id]);
  return m.nodes;
}

gql::subscribe_fn node_subscription(node_event which) {
  return [which](const json& args, gql::context& c, gql::emit_fn emit,
                 std::function<void(std::string)>) -> result<std::unique_ptr<gql::stream_handle>> {
    auto f = filter_from(args);
    std::string err;
    // No project: every project the caller may see (its scope, or all of them).
    if (!f.project.empty() && !gql_may(c, f.project, err)) return make_error(errc::not_found, err);
    auto& r = rctx(c);
    app* a = r.a;
    auto who = r.who;
    auto h = std::make_unique<listen_handle>();
    h->a = a;
    h->id = a->events().listen([a, f, who, which, emit](const event& e) {
      const auto* ch = std::get_if<node_changes>(&e.payload);
      if (!ch || (f.project.empty() ? !who.may_project(ch->project) : ch->project != f.project)) return;
      const auto& project = ch->project;
      if (which == node_event::deleted) {
        for (const auto& fc : ch->files)
          if (f.glob.empty() || glob_match(f.glob, fc.path))
            for (auto id : fc.deleted)
              emit(json{{"project", project}, {"id", format_id(id)}, {"filePath", fc.path}}, "");
        return;
      }
      // The event's nodes are read once, for every subscription that gets it.
      const auto& loaded = event_nodes(*a, *ch, which == node_event::created);
      for (const auto& [n, change_path] : loaded) {
        if (!f.pass(n, change_path)) continue;
        auto nj = gql_node(project, n);
        // A node's newer state supersedes an older one not yet sent; every creation counts.
        if (which == node_event::created)
          emit(std::move(nj), "");
        else
          emit(json{{"project", project}, {"node", nj}}, project + "/" + format_id(n.id));
      }
    });
    return std::unique_ptr<gql::stream_handle>(std::move(h));
  };
}

// Versions as they are committed: of one project, or of every project the caller may see.
gql::subscribe_fn version_subscription() {
  return [](const json& args, gql::context& c, gql::emit_fn emit,
            std::function<void(std::string)>) -> result<std::unique_ptr<gql::stream_handle>> {
    std::string project = args.value("project", std::string());
    std::string err;
    if (!project.empty() && !gql_may(c, project, err)) return make_error(errc::not_found, err);
    auto& r = rctx(c);
    auto who = r.who;
    auto h = std::make_unique<listen_handle>();
    h->a = r.a;
    h->id = r.a->events().listen([project, who, emit](const event& e) {
      const auto* v = std::get_if<version_created>(&e.payload);
      if (!v || (project.empty() ? !who.may_project(v->project) : v->project != project)) return;
      emit(gql_version(v->version), "");  // every version counts
    });
    return std::unique_ptr<gql::stream_handle>(std::move(h));
  };
}

json progress_gql(const index_progress& p) {
  return json{{"taskId", std::to_string(p.task)},
              {"project", p.project},
              {"phase", std::string(to_string(p.phase))},
              {"filesDone", p.files_done},
              {"linesDone", p.lines_done},
              {"filesTotal", p.files_total},
              {"errors", p.errors},
              {"elapsedSeconds", p.elapsed_seconds},
              {"etaSeconds", p.eta_seconds < 0 ? json(nullptr) : json(p.eta_seconds)},
              {"current", p.current.empty() ? json(nullptr) : json(p.current)}};
}

gql::subscribe_fn progress_subscription() {
  return [](const json& args, gql::context& c, gql::emit_fn emit,
            std::function<void(std::string)> end) -> result<std::unique_ptr<gql::stream_handle>> {
    auto& r = rctx(c);
    app* a = r.a;
    uint64_t task = 0;
    std::string project = args.value("project", std::string());
    if (args.contains("taskId") && args["taskId"].is_string()) {
      auto s = args["taskId"].get<std::string>();
      char* e = nullptr;
      task = std::strtoull(s.c_str(), &e, 10);
      if (s.empty() || *e) return make_error(errc::invalid_argument, "taskId is a task number");
      auto t = a->task(task);
      if (!t || !r.who.may_project(t->project)) return make_error(errc::not_found, "no task " + s);
    } else if (project.empty()) {
      return make_error(errc::invalid_argument, "give taskId or project");
    } else {
      std::string err;
      if (!gql_may(c, project, err)) return make_error(errc::not_found, err);
    }
    auto who = r.who;
    auto h = std::make_unique<listen_handle>();
    h->a = a;
    auto last = std::make_shared<index_progress>();
    auto over = std::make_shared<std::atomic<bool>>(false);  // the outcome went out (once)
    // Listening first, then looking at the task: the app marks a task over before its
    // listeners hear of the end, so one of the two sees it.
    h->id = a->events().listen([task, project, who, emit, end, last, over](const event& e) {
      if (over->load()) return;
      if (const auto* p = std::get_if<index_progress>(&e.payload)) {
        if (task ? p->task != task : p->project != project) return;
        if (!who.may_project(p->project)) return;
        *last = *p;
        emit(progress_gql(*p), "progress:" + std::to_string(p->task));  // the latest progress says it all
      } else if (const auto* s = std::get_if<index_summary>(&e.payload)) {
        if (task ? s->task != task : s->project != project) return;
        if (!who.may_project(s->project)) return;
        if (task && over->exchange(true)) return;
        index_progress fin = *last;
        fin.task = s->task;
        fin.project = s->project;
        fin.phase = s->outcome;
        fin.eta_seconds = 0;
        fin.elapsed_seconds = s->seconds_total;
        emit(progress_gql(fin), "");  // the outcome is never replaced
        if (task) end("");
      }
    });
    if (task) {
      auto t = a->task(task);
      if (t && t->state != "running" && !over->exchange(true)) {  // over already: its last word, then the end
        auto lastp = nlohmann::json::parse(t->last_progress.empty() ? "{}" : t->last_progress, nullptr, false);
        index_progress p;
        p.task = task;
        p.project = t->project;
        p.files_done = lastp.value("files_done", size_t{0});
        p.files_total = lastp.value("files_total", size_t{0});
        auto j = progress_gql(p);
        j["phase"] = t->state;
        emit(j, "");
        end("");
      }
    }
    return std::unique_ptr<gql::stream_handle>(std::move(h));
  };
}

// A searchStream's batches come from a thread of its own. Disposing of the stream (the
// client completed it, or went away) and delivering a batch take the same lock, so a
// batch is either delivered before the dispose returns or not at all: what emit uses
// (the subscription's context and budget) is freed right after the dispose.
// ThreadSanitizer found batches delivered into a freed context. Recursive: delivering
// a batch can drop the last reference to the stream, whose dispose then runs on this
// same thread, inside the delivery.
struct search_stop {
  std::recursive_mutex mu;
  bool stopped = false;
};

struct search_handle : gql::stream_handle {
  std::shared_ptr<search_stop> stop = std::make_shared<search_stop>();
  ~search_handle() override {
    std::lock_guard lock(stop->mu);
    stop->stopped = true;
  }
};

// The searchStream threads still running, process-wide.
struct stream_threads {
  std::mutex mu;
  std::condition_variable cv;
  int running = 0;
};
stream_threads& search_threads() {
  static stream_threads t;
  return t;
}

gql::subscribe_fn search_subscription() {
  return [](const json& args, gql::context& c, gql::emit_fn emit,
            std::function<void(std::string)> end) -> result<std::unique_ptr<gql::stream_handle>> {
    auto sr = gql_search_request(args);
    std::string err;
    if (!gql_may(c, sr.project, err)) return make_error(errc::not_found, err);
    if (sr.query.empty()) return make_error(errc::invalid_argument, "query is empty");
    auto h = std::make_unique<search_handle>();
    auto stop = h->stop;
    engine* eng = &rctx(c).a->eng();  // outlives the server and its app
    {
      std::lock_guard lock(search_threads().mu);
      ++search_threads().running;
    }
    std::thread([eng, sr, emit, end, stop] {
      struct done_guard {
        ~done_guard() {
          std::lock_guard lock(search_threads().mu);
          --search_threads().running;
          search_threads().cv.notify_all();
        }
      } done;
      auto st = eng->search(sr, [&](const search_batch& b) {
        json hits = json::array();
        for (const auto& x : b.hits) hits.push_back(gql_hit(sr.project, x));
        json batch{
            {"index", b.index}, {"last", b.last}, {"total", b.total}, {"elapsedMs", b.elapsed_ms}, {"hits", hits}};
        std::lock_guard lock(stop->mu);
        if (!stop->stopped) emit(std::move(batch), "");
      });
      std::lock_guard lock(stop->mu);
      if (!stop->stopped) end(st.ok() ? std::string() : st.err().message);
    }).detach();
    return std::unique_ptr<gql::stream_handle>(std::move(h));
  };
}

// reviewImpact: the working tree's review against a base, recomputed on a thread of
// its own after each save or commit of the project. One computation at a time per
// subscription: events that arrive meanwhile mark it dirty and yield one more run, so
// a burst of saves costs two runs at most. Emitting and disposing take one lock (as
// for searchStream).
struct review_live {
  std::unique_ptr<review_live_state> state;  // used by one run at a time
  std::atomic<bool> recompute{false};        // a new version: the next run starts afresh
  std::recursive_mutex emit_mu;
  bool stopped = false;
  std::mutex run_mu;
  bool running = false, dirty = false;
  bool first = true;
  // What the last message said, per id: a change's kind, signature flag and line; a
  // radius entry's distance and nearest change.
  std::unordered_map<node_id, std::tuple<std::string, bool, uint32_t>> changed;
  std::unordered_map<node_id, std::pair<int, node_id>> radius;
  nlohmann::json risk, totals;
  std::unordered_set<std::string> warmed;  // change-set files whose trees were asked for
};

// The files of the change set are the ones being edited: their trees are parsed ahead
// (once each), so that the first save of a large one is an incremental parse too.
void warm_change_set(review_live& l, engine* eng, const std::string& project, const review_report& r) {
  std::vector<std::string> fresh;
  for (const auto& c : r.changed)
    if (c.change != "removed" && l.warmed.insert(c.n.file).second) fresh.push_back(c.n.file);
  if (!fresh.empty()) eng->warm_trees(project, fresh);
}

struct review_handle : gql::stream_handle {
  std::shared_ptr<review_live> live = std::make_shared<review_live>();
  ~review_handle() override {
    std::lock_guard lock(live->emit_mu);
    live->stopped = true;
  }
};

// The message for a new report: all of it first, then what entered and left since the
// last message; false when nothing a subscriber sees differs.
bool review_delta(review_live& l, const review_report& r, const std::string& project, json& msg) {
  decltype(l.changed) changed;
  decltype(l.radius) radius;
  json c_in = json::array(), c_out = json::array(), r_in = json::array(), r_out = json::array();
  for (const auto& c : r.changed) {
    auto key = std::make_tuple(c.change, c.signature_changed, c.n.line());
    auto it = l.changed.find(c.n.id);
    if (!l.first && (it == l.changed.end() || it->second != key)) c_in.push_back(json(to_json(c)));
    changed.emplace(c.n.id, std::move(key));
  }
  for (const auto& [id, k] : l.changed)
    if (!changed.count(id)) c_out.push_back(format_id(id));
  for (const auto& s : r.radius) {
    auto key = std::make_pair(s.distance, s.from_change);
    auto it = l.radius.find(s.n.id);
    if (!l.first && (it == l.radius.end() || it->second != key)) r_in.push_back(json(to_json(s)));
    radius.emplace(s.n.id, key);
  }
  for (const auto& [id, k] : l.radius)
    if (!radius.count(id)) r_out.push_back(format_id(id));
  auto risk = risk_json(r.risk), totals = totals_json(r);
  bool news = l.first || !c_in.empty() || !c_out.empty() || !r_in.empty() || !r_out.empty() || l.risk != risk ||
              l.totals != totals;
  json report = nullptr;
  if (l.first) {
    report = json(to_json(r));
    report["project"] = project;
  }
  msg = json{{"kind", l.first ? "full" : "update"},
             {"report", std::move(report)},
             {"changedEntered", std::move(c_in)},
             {"changedLeft", std::move(c_out)},
             {"radiusEntered", std::move(r_in)},
             {"radiusLeft", std::move(r_out)},
             {"risk", json(risk)},
             {"totals", json(totals)}};
  l.first = false;
  l.changed = std::move(changed);
  l.radius = std::move(radius);
  l.risk = std::move(risk);
  l.totals = std::move(totals);
  return news;
}

void review_run(std::shared_ptr<review_live> l, engine* eng, uint32_t proj, review_request req, std::string project,
                gql::emit_fn emit, std::function<void(std::string)> end) {
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    auto& db = eng->storage();
    uint64_t seq = db.sequence();
    if (!l->state) l->state = std::make_unique<review_live_state>(db, proj, req);
    if (l->recompute.exchange(false)) l->state->reset();
    auto r = l->state->update();
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    {
      std::lock_guard lock(l->emit_mu);
      if (l->stopped) return;
      if (!r.ok()) {
        end(r.err().message);
        return;
      }
      json msg;
      if (review_delta(*l, *r, project, msg)) {
        msg["sequence"] = std::to_string(seq);
        msg["elapsedMs"] = ms;
        emit(std::move(msg), "");  // each update builds on the one before: never replaced
      }
    }
    warm_change_set(*l, eng, project, *r);
    std::lock_guard lock(l->run_mu);
    if (!l->dirty) {
      l->running = false;
      return;
    }
    l->dirty = false;
  }
}

gql::subscribe_fn review_subscription() {
  return [](const json& args, gql::context& c, gql::emit_fn emit,
            std::function<void(std::string)> end) -> result<std::unique_ptr<gql::stream_handle>> {
    std::string project = args.value("project", std::string()), err;
    if (!gql_may(c, project, err)) return make_error(errc::not_found, err);
    auto& r = rctx(c);
    engine* eng = &r.a->eng();
    auto pid = eng->storage().project_id(project);
    if (!pid.ok()) return pid.err();
    review_request req;
    auto base = resolve_version(eng->storage(), *pid, args.value("base", std::string()));
    if (!base.ok()) return base.err();
    req.base = *base;
    if (args.contains("depth") && args["depth"].is_number_integer()) req.depth = args["depth"].get<int>();
    if (req.depth < 1 || req.depth > 10) return make_error(errc::invalid_argument, "depth must be 1 to 10");
    struct review_listen : review_handle {
      app* a = nullptr;
      uint64_t id = 0;
      ~review_listen() override {
        if (a && id) a->events().unlisten(id);
      }
    };
    auto lh = std::make_unique<review_listen>();
    auto live = lh->live;
    uint32_t proj = *pid;
    // Starts a run unless one is going (then it runs once more when done).
    auto kick = [live, eng, proj, req, project, emit, end] {
      {
        std::lock_guard lock(live->run_mu);
        if (live->running) {
          live->dirty = true;
          return;
        }
        live->running = true;
      }
      {
        std::lock_guard lock(search_threads().mu);
        ++search_threads().running;
      }
      std::thread([=] {
        struct done_guard {
          ~done_guard() {
            std::lock_guard lock(search_threads().mu);
            --search_threads().running;
            search_threads().cv.notify_all();
          }
        } done;
        review_run(live, eng, proj, req, project, emit, end);
      }).detach();
    };
    lh->a = r.a;
    lh->id = r.a->events().listen([project, kick, live](const event& e) {
      if (const auto* ch = std::get_if<node_changes>(&e.payload); ch && ch->project == project) kick();
      if (const auto* v = std::get_if<version_created>(&e.payload); v && v->project == project) {
        live->recompute = true;
        kick();
      }
      // A run's end: its references are resolved now (node changes come before that).
      if (const auto* s = std::get_if<index_summary>(&e.payload); s && s->project == project) kick();
    });
    kick();  // the full report
    return std::unique_ptr<gql::stream_handle>(std::move(lh));
  };
}

}  // namespace

void wait_for_search_streams(std::chrono::milliseconds limit) {
  std::unique_lock lock(search_threads().mu);
  search_threads().cv.wait_for(lock, limit, [] { return search_threads().running == 0; });
}

status wire_live_resolvers(gql::schema& s) {
  for (auto st :
       {s.subscribe("nodeCreated", node_subscription(node_event::created)),
        s.subscribe("nodeUpdated", node_subscription(node_event::updated)),
        s.subscribe("nodeDeleted", node_subscription(node_event::deleted)),
        s.subscribe("parseProgress", progress_subscription()), s.subscribe("searchStream", search_subscription()),
        s.subscribe("versionCreated", version_subscription()), s.subscribe("reviewImpact", review_subscription())})
    if (!st.ok()) return st;
  return {};
}

}  // namespace cg::net
