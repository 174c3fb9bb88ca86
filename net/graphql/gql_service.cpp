#include "net/graphql/gql_service.hpp"

#include <spdlog/spdlog.h>

#include "net/app/app.hpp"
#include "schema/client_json.hpp"

#include <map>

namespace cg::net {

// The app (and so the engine) is still there: searchStream threads finish first.
graphql_service::~graphql_service() { wait_for_search_streams(std::chrono::seconds(30)); }

graphql_service::graphql_service(app& a) : a_(a) {
  cost_.max_cost = a.options().graphql.max_cost;
  // Lists the server bounds itself (no argument says how long they are).
  for (const char* f : {"Query.callers", "Query.callees", "Query.dependencies", "Query.dependents"})
    cost_.list_sizes[f] = 1000;
  // Lists that are short by nature: the places one reference is written.
  cost_.list_sizes["Relationship.sites"] = 10;
}

std::shared_ptr<gql::exec_budget> graphql_service::budget_for(const api_request& origin, bool cancellable) const {
  const auto& lim = a_.options().graphql;
  auto b = std::make_shared<gql::exec_budget>(lim.timeout, lim.max_memory);
  if (cancellable && origin.cancel) b->watch(origin.cancel);
  b->watch_shutdown(&a_.aborting());
  return b;
}

result<std::unique_ptr<graphql_service>> graphql_service::create(app& a) {
  auto s = gql::schema::from_sdl(codegraph_sdl);
  if (!s.ok()) return s.err();
  if (auto st = wire_resolvers(**s); !st.ok()) return st.err();
  std::unique_ptr<graphql_service> svc(new graphql_service(a));
  svc->schema_ = std::move(*s);
  return svc;
}

result<gql::request> graphql_service::request_from_json(const nlohmann::json& j) { return gql_request_from_json(j); }

namespace {
struct owned_ctx {
  gql::context ctx;
  owned_ctx(app& a, const api_request& origin, std::shared_ptr<gql::exec_budget> budget) {
    auto rc = std::make_shared<gql_request_ctx>();
    rc->a = &a;
    rc->who = origin.who;
    rc->origin = origin;
    rc->origin.body.clear();
    ctx.user = rc;
    ctx.budget = std::move(budget);
  }
};

// The response for an operation refused before it ran.
gql::json refused(const gql::gql_error& e) { return gql::json{{"errors", gql::errors_json({e})}}; }

// A running operation: the context outlives the stream that refers to it.
struct op_stream : gql::stream_handle {
  std::unique_ptr<owned_ctx> ctx;
  std::unique_ptr<gql::stream_handle> inner;
  ~op_stream() override { inner.reset(); }
};
}  // namespace

std::pair<int, gql::json> graphql_service::execute(const api_request& origin, const gql::request& req, bool read_only) {
  auto p = gql::prepare(*schema_, req);
  if (!p.errors.empty()) {
    gql::context none;
    return {400, gql::execute(*schema_, p, none)};
  }
  if (p.op->op == "subscription")
    return {400, gql::json{{"errors",
                            gql::json::array({{{"message",
                                                "Subscriptions need a streaming transport: graphql-transport-ws on "
                                                "/graphql, or Server-Sent Events (Accept: text/event-stream)."}}})}}};
  if (read_only && p.op->op == "mutation")
    return {405,
            gql::json{{"errors", gql::json::array(
                                     {{{"message", "Can only perform a mutation operation from a POST request."}}})}}};
  if (auto e = gql::check_cost(*schema_, p, cost_)) {
    ++a_.stats().graphql_refused_cost_total;
    return {400, refused(*e)};
  }
  owned_ctx c(a_, origin, budget_for(origin, true));
  ++running_;
  auto out = gql::execute(*schema_, p, c.ctx);
  --running_;
  return {200, std::move(out)};
}

size_t graphql_service::lane_of(size_t lanes, size_t loops, int loop, uint64_t id) {
  if (lanes == 0) return 0;
  loops = std::clamp<size_t>(loops, 1, lanes);
  if (loop < 0) return static_cast<size_t>(id % lanes);
  size_t home = static_cast<size_t>(loop) % loops;
  size_t per_loop = (lanes - home + loops - 1) / loops;  // lanes home, home + loops, ...
  return home + loops * static_cast<size_t>(id % per_loop);
}

struct graphql_service::group {
  struct member {
    std::shared_ptr<const next_fn> on_next;
    std::function<void(gql::json)> on_done;
    size_t lane = 0;
  };
  std::mutex mu;
  std::map<uint64_t, member> members;
  uint64_t next = 1;
  bool ended = false;
  std::unique_ptr<op_stream> source;
  ~group() { source.reset(); }
};

namespace {
// One member's hold on a shared stream.
struct member_handle : gql::stream_handle {
  std::shared_ptr<graphql_service::group> g;
  uint64_t id = 0;
  ~member_handle() override;
};
}  // namespace

std::unique_ptr<gql::stream_handle> graphql_service::start(const api_request& origin, const gql::request& req,
                                                           next_fn on_next, std::function<void(gql::json)> on_done) {
  auto p = std::make_shared<gql::prepared>(gql::prepare(*schema_, req));
  if (!p->errors.empty()) {
    on_done(gql::errors_json(p->errors));
    return nullptr;
  }
  if (auto e = gql::check_cost(*schema_, *p, cost_)) {
    ++a_.stats().graphql_refused_cost_total;
    on_done(gql::errors_json({*e}));
    return nullptr;
  }
  if (p->op->op != "subscription") {
    owned_ctx c(a_, origin, budget_for(origin, true));
    ++running_;
    auto resp = gql::execute(*schema_, *p, c.ctx);
    --running_;
    on_next(std::make_shared<const std::string>(resp.dump()), std::string());
    on_done(nullptr);
    return nullptr;
  }
  // Who may see the same: the project scope (resolvers check nothing else for reads).
  std::string key = req.query + '\0' + req.variables.dump() + '\0' + req.operation_name + '\0' + origin.who.project;
  std::shared_ptr<group> g;
  std::unique_lock lock(groups_mu_);
  if (auto it = groups_.find(key); it != groups_.end()) g = it->second.lock();
  if (g) {
    std::lock_guard gl(g->mu);
    if (!g->ended) {
      auto h = std::make_unique<member_handle>();
      h->g = g;
      h->id = g->next++;
      g->members[h->id] = {std::make_shared<const next_fn>(std::move(on_next)), std::move(on_done),
                           lane_for(origin.loop, h->id)};
      ++subscriptions_;
      return h;
    }
  }
  g = std::make_shared<group>();
  std::weak_ptr<group> weak = g;
  auto h = std::make_unique<member_handle>();
  h->g = g;
  h->id = g->next++;
  g->members[h->id] = {std::make_shared<const next_fn>(std::move(on_next)), on_done, lane_for(origin.loop, h->id)};
  groups_[key] = g;
  lock.unlock();
  auto st = std::make_unique<op_stream>();
  // A shared stream outlives any one member: only the server's abort and the
  // per-event time and memory budgets apply to it, not a member's cancellation.
  st->ctx = std::make_unique<owned_ctx>(a_, origin, budget_for(origin, false));
  auto emit = [this, weak](gql::json v, std::string coalesce) {
    auto grp = weak.lock();
    if (!grp) return;
    auto bytes = std::make_shared<const std::string>(v.dump());
    using fn_list = std::vector<std::shared_ptr<const next_fn>>;
    std::vector<fn_list> by_lane(lanes_.empty() ? 1 : lanes_.size());
    bool spread = false;
    {
      std::lock_guard gl(grp->mu);
      spread = !lanes_.empty();  // always, once there are lanes: a member's events keep one path
      for (auto& [id, m] : grp->members) by_lane[spread ? m.lane : 0].push_back(m.on_next);
    }
    if (!spread) {
      for (auto& f : by_lane[0]) (*f)(bytes, coalesce);
      return;
    }
    // In slices, so that other work on the network threads (requests, reads) gets
    // its turn between them; a lane's slices run in order.
    constexpr size_t slice = 128;
    for (size_t i = 0; i < by_lane.size(); ++i)
      for (size_t at = 0; at < by_lane[i].size(); at += slice) {
        auto end = std::min(by_lane[i].size(), at + slice);
        lanes_[i]([list = fn_list(by_lane[i].begin() + static_cast<std::ptrdiff_t>(at),
                                  by_lane[i].begin() + static_cast<std::ptrdiff_t>(end)),
                   bytes, coalesce] {
          for (auto& f : list) (*f)(bytes, coalesce);
        });
      }
  };
  auto end = [this, weak, key](std::string err) {
    auto grp = weak.lock();
    if (!grp) return;
    std::vector<std::pair<size_t, std::function<void(gql::json)>>> to;
    {
      std::lock_guard gl(grp->mu);
      grp->ended = true;
      for (auto& [id, m] : grp->members) to.emplace_back(m.lane, m.on_done);
    }
    {
      std::lock_guard l(groups_mu_);
      if (auto it = groups_.find(key); it != groups_.end() && it->second.lock() == grp) groups_.erase(it);
    }
    // Through the member's lane when there are lanes: after every event before it.
    for (auto& [lane, f] : to) {
      auto errors = err.empty() ? gql::json(nullptr) : gql::json::array({{{"message", err}}});
      if (lanes_.empty())
        f(std::move(errors));
      else
        lanes_[lane]([f = std::move(f), errors = std::move(errors)]() mutable { f(std::move(errors)); });
    }
  };
  auto r = gql::subscribe(*schema_, p, st->ctx->ctx, emit, end);
  if (auto* errs = std::get_if<std::vector<gql::gql_error>>(&r)) {
    {
      std::lock_guard gl(g->mu);
      g->ended = true;
    }
    {
      std::lock_guard l(groups_mu_);
      if (auto it = groups_.find(key); it != groups_.end() && it->second.lock() == g) groups_.erase(it);
    }
    on_done(gql::errors_json(*errs));
    return nullptr;
  }
  st->inner = std::move(std::get<std::unique_ptr<gql::stream_handle>>(r));
  {
    std::lock_guard gl(g->mu);
    g->source = std::move(st);
  }
  ++subscriptions_;
  return h;
}

namespace {
member_handle::~member_handle() {
  if (!g) return;
  {
    std::lock_guard gl(g->mu);
    g->members.erase(id);
  }
  g.reset();  // the last member takes the source stream with it
}
}  // namespace

size_t graphql_service::shared_streams() {
  std::lock_guard l(groups_mu_);
  size_t n = 0;
  for (auto& [k, w] : groups_) n += !w.expired();
  return n;
}

}  // namespace cg::net
