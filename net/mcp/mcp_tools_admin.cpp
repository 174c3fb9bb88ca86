// list_projects, project_stats, index_project, index_status, review_changes,
// diff_versions, symbol_history.
#include <condition_variable>
#include <map>
#include <mutex>

#include "actors/engine_json.hpp"
#include "net/mcp/mcp_tools_internal.hpp"
#include "schema/hash.hpp"

namespace cg::mcp::catalog {
namespace {

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  return true;
}

json summary_brief(const index_summary& s) {
  json j = {{"task", s.task},
            {"outcome", to_string(s.outcome)},
            {"files", s.files_seen},
            {"added", s.added},
            {"changed", s.changed},
            {"unchanged", s.unchanged},
            {"removed", s.removed},
            {"failed", s.failed},
            {"nodes_created", s.nodes_created},
            {"nodes_updated", s.nodes_updated},
            {"nodes_deleted", s.nodes_deleted},
            {"seconds", static_cast<double>(static_cast<int64_t>(s.seconds_total * 1000)) / 1000}};
  if (!s.error.empty()) j["error"] = s.error;
  if (s.version) j["version"] = s.version;
  return j;
}

// Follows one index run to its end: progress to the client, the summary back.
class run_follower {
 public:
  run_follower(const call_context& cx, const std::string& project) : cx_(cx) {
    auto& eng = cx.h.eng();
    done_sub_ = eng.subscribe(topics::index_done(project), [this](const event& e) {
      if (auto* s = std::get_if<index_summary>(&e.payload)) {
        std::lock_guard lk(mu_);
        ended_.push_back(*s);
        cv_.notify_all();
      }
    });
    // Every run's latest progress, kept from the start: a short run may report (and
    // end) before wait() learns which task is ours.
    progress_sub_ = eng.subscribe(topics::progress(project), [this](const event& e) {
      if (auto* p = std::get_if<index_progress>(&e.payload)) {
        std::lock_guard lk(mu_);
        last_[p->task] = *p;
        cv_.notify_all();
      }
    });
  }
  ~run_follower() {
    cx_.h.eng().unsubscribe(done_sub_);
    cx_.h.eng().unsubscribe(progress_sub_);
  }

  // The run's summary; nullopt when the call was cancelled (the run is cancelled too).
  // A client that asked for progress hears the end last (its bar reaches the total).
  std::optional<index_summary> wait(uint64_t task) {
    std::unique_lock lk(mu_);
    size_t reported = 0;
    bool any = false;
    for (;;) {
      for (auto& s : ended_)
        if (s.task == task) {
          auto summary = s;
          lk.unlock();
          cx_.progress(static_cast<double>(summary.files_seen), static_cast<double>(summary.files_seen),
                       std::string(to_string(summary.outcome)));
          return summary;
        }
      if (cx_.stopped()) {
        lk.unlock();
        cx_.h.cancel_task(task);
        return std::nullopt;
      }
      auto last = last_.find(task);
      if (last != last_.end() && (!any || last->second.files_done + last->second.resolve_done != reported)) {
        auto p = last->second;
        reported = p.files_done + p.resolve_done;
        any = true;
        lk.unlock();
        bool resolving = p.phase == index_phase::resolving;
        cx_.progress(static_cast<double>(resolving ? p.resolve_done : p.files_done),
                     static_cast<double>(resolving ? p.resolve_total : p.files_total),
                     std::string(to_string(p.phase)) + (p.current.empty() ? "" : " " + p.current));
        lk.lock();
        continue;
      }
      cv_.wait_for(lk, std::chrono::milliseconds(100));
    }
  }

 private:
  const call_context& cx_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<index_summary> ended_;
  std::map<uint64_t, index_progress> last_;  // by task
  uint64_t done_sub_ = 0, progress_sub_ = 0;
};

// {v, source, when, sha, author, msg}: a version as an agent needs it.
json version_brief(const store& db, uint32_t proj, uint64_t v) {
  if (!v) return nullptr;
  auto rec = db.version(proj, v);
  if (!rec.ok()) return json(v);
  json j = {{"v", v}, {"source", rec->source}, {"when", rec->committed ? rec->committed : rec->created}};
  if (!rec->commit.empty()) j["sha"] = rec->commit.substr(0, 12);
  if (!rec->author.empty()) j["author"] = rec->author;
  auto msg = rec->message.substr(0, rec->message.find('\n'));
  if (!msg.empty()) j["msg"] = msg;
  return j;
}

}  // namespace

result<json> list_projects(const call_context& cx, const json&) {
  auto all = cx.h.db().projects();
  if (!all.ok()) return all.err();
  json arr = json::array();
  uint64_t versioned = 0;
  for (auto& [name, id] : *all) {
    if (!cx.who.may_project(name)) continue;
    auto stats = graph_query(cx.h.db().latest(), id).stats();
    int64_t files = 0;
    for (auto& l : stats.languages) files += l.files;
    json j = {{"name", name}, {"root", cx.h.project_root(name)}, {"files", files}, {"nodes", stats.total_nodes()}};
    if (auto head = cx.h.db().head_version(id); head.ok() && *head) {
      j["version"] = *head;
      ++versioned;
    }
    if (auto l = describe_layer(cx.h.db(), id)) j["over"] = {{"project", l->over}, {"version", l->version}};
    arr.push_back(std::move(j));
  }
  json fresh = {{"seq", cx.h.db().sequence()}};
  return json{{"projects", std::move(arr)}, {"fresh", fresh}};
}

result<json> project_stats(const call_context& cx, const json& args) {
  auto p = pick_project(cx, args, net::operation::project_read);
  if (!p.ok()) return p.err();
  auto s = p->query->stats();
  json langs = json::object(), nodes = json::object(), edges = json::object();
  int64_t files = 0;
  for (auto& l : s.languages) {
    langs[std::string(to_string(l.lang))] = {{"files", l.files}, {"loc", l.loc}};
    files += l.files;
  }
  for (auto& [k, n] : s.nodes) nodes[std::string(to_string(k))] = n;
  for (auto& e : s.edges) {
    json j = {{"total", e.total}};
    if (e.unresolved) j["unresolved"] = e.unresolved;
    if (e.external) j["external"] = e.external;
    edges[std::string(to_string(e.kind))] = std::move(j);
  }
  auto refs = s.references() - s.external_references();
  double rate = refs > 0 ? static_cast<double>(s.resolved_references()) / static_cast<double>(refs) : 1.0;
  return json{{"project", p->name},
              {"root", p->root},
              {"files", files},
              {"files_with_errors", s.files_with_errors},
              {"languages", std::move(langs)},
              {"nodes", std::move(nodes)},
              {"edges", std::move(edges)},
              {"resolved", static_cast<double>(static_cast<int64_t>(rate * 10000)) / 10000},
              {"fresh", freshness(cx, *p)}};
}

result<json> index_project(const call_context& cx, const json& args) {
  auto name = string_arg(args, "project", true);
  if (!name.ok()) return name.err();
  if (!valid_name(*name)) return tool_error("project: 1-64 letters, digits, '.', '-' or '_'");
  auto path = string_arg(args, "path", false);
  if (!path.ok()) return path.err();
  auto over = string_arg(args, "over", false);
  if (!over.ok()) return over.err();
  if (!over->empty() && !cx.who.may_project(*over)) return make_error(errc::permission_denied, "no access to " + *over);
  bool exists = cx.h.db().project_id(*name).ok();
  if (!exists && path->empty()) return tool_error("no project '" + *name + "' yet: give the path of its tree");
  auto op = exists && path->empty() ? net::operation::project_index : net::operation::project_create;
  if (auto d = net::authorize(cx.who, op, *name); !d.allowed) return make_error(errc::permission_denied, d.message);
  run_follower follow(cx, *name);
  auto task = cx.h.start_index(*name, *path, *over);
  if (!task.ok()) return tool_error(task.err().message);
  auto summary = follow.wait(*task);
  if (!summary) return make_error(errc::cancelled, "cancelled; the index run was cancelled");
  auto out = summary_brief(*summary);
  out["project"] = *name;
  out["fresh"] = {{"seq", cx.h.db().sequence()}};
  return out;
}

result<json> index_status(const call_context& cx, const json& args) {
  auto name = string_arg(args, "project", false);
  if (!name.ok()) return name.err();
  auto task = int_arg(args, "task", 0, 0, INT64_MAX);
  if (!task.ok()) return task.err();
  if (!name->empty())
    if (auto d = net::authorize(cx.who, net::operation::task_read, *name); !d.allowed)
      return make_error(errc::permission_denied, d.message);
  json tasks = json::array();
  for (auto& t : cx.h.tasks(*name)) {
    if (!cx.who.may_project(t.value("project", ""))) continue;
    if (*task && t.value("task", uint64_t{0}) != static_cast<uint64_t>(*task)) continue;
    tasks.push_back(std::move(t));
  }
  if (*task && tasks.empty()) return tool_error("no task " + std::to_string(*task));
  return json{{"tasks", std::move(tasks)}, {"fresh", {{"seq", cx.h.db().sequence()}}}};
}

result<json> review_changes(const call_context& cx, const json& args) {
  auto p = pick_project(cx, args, net::operation::graph_read);
  if (!p.ok()) return p.err();
  auto base = string_arg(args, "base", true);
  if (!base.ok()) return base.err();
  auto target = string_arg(args, "target", false);
  if (!target.ok()) return target.err();
  auto depth = int_arg(args, "depth", 3, 1, 10);
  if (!depth.ok()) return depth.err();
  auto win = window_arg(args, 100, 1000);
  if (!win.ok()) return win.err();
  review_request req;
  req.root = p->root;
  req.depth = static_cast<int>(*depth);
  auto b = resolve_version(cx.h.db(), p->id, *base);
  if (!b.ok()) return tool_error(b.err().message);
  req.base = *b;
  if (!target->empty() && *target != "working") {
    auto t = resolve_version(cx.h.db(), p->id, *target);
    if (!t.ok()) return tool_error(t.err().message);
    req.target = *t;
  }
  auto r = review_versions(cx.h.db(), p->id, req);
  if (!r.ok()) return tool_error(r.err().message);
  json changed = json::array();
  for (const auto& c : r->changed) {
    auto j = brief(c.n);
    j["change"] = c.change;
    if (c.signature_changed) j["sig_changed"] = true;
    if (c.via_members) j["via_members"] = true;
    if (c.reached) j["reached"] = c.reached;
    if (c.tests.empty() && !c.is_test && c.n.kind != node_kind::file) j["untested"] = true;
    changed.push_back(std::move(j));
  }
  json radius = json::array();
  for (const auto& s : r->radius) {
    auto j = brief(s.n);
    j["d"] = s.distance;
    j["reaches"] = format_id(s.from_change);
    if (!s.path.empty()) j["via"] = format_id(s.path.front().to);
    if (!s.exact) j["how"] = "possible";
    if (s.is_test) j["test"] = true;
    radius.push_back(std::move(j));
  }
  json tests = json::array();
  for (const auto& s : r->tests) tests.push_back(brief(s.n));
  json api = json::array();
  for (const auto& a : r->api) {
    auto j = brief(a.n);
    j["change"] = a.change;
    j["users"] = a.users.size();
    api.push_back(std::move(j));
  }
  json risk = risk_json(r->risk);
  json out = {{"base", r->base},
              {"target", r->target ? json(r->target) : json("working")},
              {"totals", totals_json(*r)},
              {"risk", std::move(risk)},
              {"changed", std::move(changed)},
              {"tests", std::move(tests)},
              {"api", std::move(api)}};
  if (r->trust.truncated || r->trust.unresolved_in_changes || !r->trust.parse_errors.empty())
    out["trust"] = {{"unresolved", r->trust.unresolved_in_changes},
                    {"parse_errors", r->trust.parse_errors},
                    {"truncated", r->trust.truncated}};
  page(out, "radius", std::move(radius), *win);
  out["fresh"] = freshness(cx, *p);
  return out;
}

result<json> diff_versions(const call_context& cx, const json& args) {
  auto p = pick_project(cx, args, net::operation::graph_read);
  if (!p.ok()) return p.err();
  auto from = string_arg(args, "from", true);
  if (!from.ok()) return from.err();
  auto to = string_arg(args, "to", false);
  if (!to.ok()) return to.err();
  auto win = window_arg(args, 100, 1000);
  if (!win.ok()) return win.err();
  auto a = resolve_version(cx.h.db(), p->id, *from);
  if (!a.ok()) return tool_error(a.err().message);
  uint64_t b = 0;
  if (!to->empty()) {
    auto v = resolve_version(cx.h.db(), p->id, *to);
    if (!v.ok()) return tool_error(v.err().message);
    b = *v;
  }
  json changes = json::array();
  size_t want = win->want();
  diff_sink sink;
  sink.node = [&](node_change&& c) {
    if (changes.size() < want) {
      const auto& n = c.change == "removed" ? c.before : c.after;
      auto j = brief(n);
      j["change"] = c.change;
      if (c.signature_changed) j["sig_changed"] = true;
      if (c.moved) j["moved"] = true;
      if (c.renamed) j["renamed"] = format_id(c.renamed);
      changes.push_back(std::move(j));
    }
    return !cx.stopped();
  };
  auto totals = stream_diff(cx.h.db(), p->id, *a, b, sink);
  if (!totals.ok()) return tool_error(totals.err().message);
  const auto& t = totals->total;
  json out = {{"from", *a},
              {"to", b ? json(b) : json("newest")},
              {"totals",
               {{"added", t.nodes_added},
                {"removed", t.nodes_removed},
                {"changed", t.nodes_changed},
                {"renamed", t.nodes_renamed},
                {"files", totals->files.size()}}}};
  page(out, "changes", std::move(changes), *win);
  out["fresh"] = freshness(cx, *p);
  return out;
}

result<json> symbol_history(const call_context& cx, const json& args) {
  auto p = pick_project(cx, args, net::operation::graph_read);
  if (!p.ok()) return p.err();
  auto t = target_arg(*p, args, "symbol", false);
  if (!t.ok()) return t.err();
  json history = json::array();
  rename_memo memo;
  for (const auto& n : t->nodes) {
    auto b = blame_node(cx.h.db(), p->id, n.id, &memo);
    if (!b.ok()) return tool_error(b.err().message);
    auto j = brief(n);
    if (auto v = version_brief(cx.h.db(), p->id, b->created_in); !v.is_null()) j["created"] = v;
    if (auto v = version_brief(cx.h.db(), p->id, b->changed_in); !v.is_null()) j["changed"] = v;
    if (!b->created_in || !b->changed_in) j["oldest"] = b->oldest;
    if (b->uncommitted) j["uncommitted"] = true;
    for (const auto& r : b->renames) {
      json m{{"file", r.file}, {"name", r.name}, {"id", format_id(r.from)}};
      if (auto v = version_brief(cx.h.db(), p->id, r.version); !v.is_null()) m["until"] = v;
      j["movedFrom"].push_back(std::move(m));
    }
    history.push_back(std::move(j));
  }
  return json{{"history", std::move(history)}, {"fresh", freshness(cx, *p)}};
}

}  // namespace cg::mcp::catalog
