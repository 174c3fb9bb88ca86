// The engine facade over the actor system: index tasks, progress and change
// events on the bus, incremental runs, several projects, cancellation, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/engine.hpp"
#include "actors/graph/graph_query.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

struct recorder {
  std::mutex mu;
  std::vector<index_progress> progress;
  std::vector<node_changes> changes;
  void on(const event& e) {
    std::lock_guard lock(mu);
    if (auto* p = std::get_if<index_progress>(&e.payload)) progress.push_back(*p);
    if (auto* c = std::get_if<node_changes>(&e.payload)) changes.push_back(*c);
  }
};

struct engine_fixture : ::testing::Test {
  temp_dir src{"src"};
  temp_dir data{"data"};
  std::unique_ptr<engine> eng;
  void SetUp() override {
    copy_tree(source_dir() + "/tests/fixtures/python", src.path());
    engine_options o;
    o.data_dir = data.str();
    o.parser_workers = 2;
    auto e = engine::open(o);
    ASSERT_TRUE(e.ok()) << e.err().message;
    eng = std::move(*e);
  }
  index_summary run(const std::string& project = "shop") {
    index_request req;
    req.project = project;
    req.root = src.str();
    return eng->index(req);
  }
  uint32_t pid(const std::string& project = "shop") { return *eng->storage().project_id(project); }
};

TEST_F(engine_fixture, indexes_and_publishes_progress_and_changes) {
  recorder rec;
  auto s1 = eng->subscribe("progress/shop", [&](const event& e) { rec.on(e); });
  auto s2 = eng->subscribe("changes/", [&](const event& e) { rec.on(e); });
  auto summary = run();
  eng->unsubscribe(s1);
  eng->unsubscribe(s2);
  EXPECT_EQ(summary.outcome, index_phase::done) << summary.error;
  EXPECT_EQ(summary.files_seen, 3u);
  EXPECT_EQ(summary.added, 3u);
  EXPECT_EQ(summary.loc_parsed, 80u);  // 4 + 44 + 32 lines
  EXPECT_EQ(summary.nodes_created, 34u);
  EXPECT_EQ(summary.files_resolved, 3u);
  EXPECT_GT(summary.resolution.resolved[static_cast<int>(edge_kind::calls)], 0u);

  std::lock_guard lock(rec.mu);
  ASSERT_FALSE(rec.progress.empty());
  EXPECT_EQ(rec.progress.front().phase, index_phase::walking);
  EXPECT_EQ(rec.progress.back().phase, index_phase::done);
  EXPECT_TRUE(
      std::any_of(rec.progress.begin(), rec.progress.end(), [](auto& p) { return p.phase == index_phase::parsing; }));
  EXPECT_TRUE(
      std::any_of(rec.progress.begin(), rec.progress.end(), [](auto& p) { return p.phase == index_phase::resolving; }));
  for (size_t i = 1; i < rec.progress.size(); ++i)
    EXPECT_GE(rec.progress[i].files_done, rec.progress[i - 1].files_done);
  EXPECT_EQ(rec.progress.back().files_done, 3u);
  size_t created = 0;
  for (auto& c : rec.changes)
    for (auto& f : c.files) created += f.created.size();
  EXPECT_EQ(created, 34u);
  EXPECT_EQ(check_consistency(eng->storage(), pid()), std::vector<std::string>{});
}

TEST_F(engine_fixture, re_runs_are_incremental) {
  ASSERT_EQ(run().outcome, index_phase::done);
  auto again = run();
  EXPECT_EQ(again.added + again.changed + again.removed, 0u);
  EXPECT_EQ(again.unchanged, 3u);
  EXPECT_EQ(again.loc_parsed, 0u);
  EXPECT_EQ(again.files_resolved, 0u);

  recorder rec;
  auto sub = eng->subscribe("changes/shop", [&](const event& e) { rec.on(e); });
  write_file(src / "shop/models.py", read_file(src / "shop/models.py") + "\n\ndef discount(x):\n    return x * 0.9\n");
  fs::remove(src / "shop/__init__.py");
  write_file(src / "shop/extra.py", "from .models import discount\n\ndef sale(x):\n    return discount(x)\n");
  auto third = run();
  eng->unsubscribe(sub);
  EXPECT_EQ(third.added, 1u);
  EXPECT_EQ(third.changed, 1u);
  EXPECT_EQ(third.removed, 1u);
  EXPECT_EQ(third.unchanged, 1u);
  {
    std::lock_guard lock(rec.mu);
    size_t created = 0, deleted = 0;
    bool removed_seen = false;
    for (auto& c : rec.changes)
      for (auto& f : c.files) {
        created += f.created.size();
        deleted += f.deleted.size();
        removed_seen |= f.kind == file_change::what::removed && f.path == "shop/__init__.py";
      }
    EXPECT_TRUE(removed_seen);
    EXPECT_EQ(deleted, 4u);  // file, Product and Order imports, __all__
    EXPECT_EQ(created, 4u);  // discount; extra.py: file, import, sale
  }
  auto lines = graph_lines(eng->storage(), pid());
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "edge calls shop.extra.sale@shop/extra.py:3 -> shop.models.discount@shop/models.py:47 (import)"),
            lines.end());
  EXPECT_EQ(check_consistency(eng->storage(), pid()), std::vector<std::string>{});
}

TEST_F(engine_fixture, manual_nodes_are_written_published_searchable_and_survive_reindexing) {
  ASSERT_EQ(run().outcome, index_phase::done);
  auto before = check_consistency(eng->storage(), pid());
  ASSERT_EQ(before, std::vector<std::string>{});
  recorder rec;
  auto sub = eng->subscribe("changes/shop", [&](const event& e) { rec.on(e); });

  node n;
  n.kind = node_kind::function;
  n.name = "quarterlyRevenueForecast";
  n.file = "shop/models.py";
  n.docstring = "Forecast of the next quarter's revenue.";
  auto made = eng->create_node("shop", n);
  ASSERT_TRUE(made.ok()) << made.err().message;
  EXPECT_NE(made->id, 0u);
  EXPECT_TRUE(made->has(modifier::manual));
  EXPECT_EQ(made->qualified_name, "quarterlyRevenueForecast");
  // A second node of the same name is a different node.
  auto twin = eng->create_node("shop", n);
  ASSERT_TRUE(twin.ok());
  EXPECT_NE(twin->id, made->id);

  graph_query q(eng->storage().latest(), pid());
  auto got = q.get(made->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->docstring, n.docstring);

  auto upd = eng->update_node("shop", made->id, [](node& x) -> status {
    x.signature = "quarterlyRevenueForecast(year, quarter)";
    return {};
  });
  ASSERT_TRUE(upd.ok()) << upd.err().message;
  EXPECT_EQ(upd->signature, "quarterlyRevenueForecast(year, quarter)");
  EXPECT_EQ(upd->id, made->id);

  // Search finds it (the vector actor catches up with the store).
  search_request sr;
  sr.project = "shop";
  sr.query = "quarterly revenue forecast";
  std::vector<node_id> hits;
  ASSERT_TRUE(eng->search(sr,
                          [&](const search_batch& b) {
                            for (auto& h : b.hits) hits.push_back(h.id);
                          })
                  .ok());
  EXPECT_NE(std::find(hits.begin(), hits.end(), made->id), hits.end());

  // Parsed nodes are the parser's: refused with a reason; unknown ids: not_found.
  auto files = q.files();
  ASSERT_TRUE(files.ok());
  auto outline = q.outline("shop/models.py");
  ASSERT_TRUE(outline.ok() && !outline->empty());
  auto refused = eng->update_node("shop", outline->back().id, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.err().code, errc::invalid_argument);
  EXPECT_EQ(eng->delete_node("shop", 12345).err().code, errc::not_found);
  EXPECT_EQ(eng->create_node("nope", n).err().code, errc::not_found);
  node unnamed;
  unnamed.kind = node_kind::class_;
  EXPECT_EQ(eng->create_node("shop", unnamed).err().code, errc::invalid_argument);

  // A re-index (the virtual file is not on disk) keeps manual nodes.
  auto again = run();
  EXPECT_EQ(again.removed, 0u);
  ASSERT_TRUE(graph_query(eng->storage().latest(), pid()).get(made->id)->has_value());

  ASSERT_TRUE(eng->delete_node("shop", made->id).ok());
  EXPECT_FALSE(graph_query(eng->storage().latest(), pid()).get(made->id)->has_value());
  EXPECT_TRUE(graph_query(eng->storage().latest(), pid()).get(twin->id)->has_value());
  eng->unsubscribe(sub);
  {
    std::lock_guard lock(rec.mu);
    std::vector<node_id> created, updated, deleted;
    for (auto& c : rec.changes)
      for (auto& f : c.files) {
        EXPECT_EQ(f.path, "@manual");
        created.insert(created.end(), f.created.begin(), f.created.end());
        updated.insert(updated.end(), f.updated.begin(), f.updated.end());
        deleted.insert(deleted.end(), f.deleted.begin(), f.deleted.end());
      }
    EXPECT_NE(std::find(created.begin(), created.end(), made->id), created.end());
    EXPECT_NE(std::find(created.begin(), created.end(), twin->id), created.end());
    EXPECT_EQ(updated, std::vector<node_id>{made->id});
    EXPECT_EQ(deleted, std::vector<node_id>{made->id});
  }
  EXPECT_EQ(check_consistency(eng->storage(), pid()), std::vector<std::string>{});
}

TEST_F(engine_fixture, several_projects_at_once) {
  temp_dir other("other");
  copy_tree(source_dir() + "/tests/fixtures/go", other.path());
  std::promise<index_summary> a, b;
  index_request ra{"shop", src.str(), {}}, rb{"go", other.str(), {}};
  ASSERT_TRUE(eng->start_index(ra, [&](const index_summary& s) { a.set_value(s); }).ok());
  ASSERT_TRUE(eng->start_index(rb, [&](const index_summary& s) { b.set_value(s); }).ok());
  auto sa = a.get_future().get(), sb = b.get_future().get();
  EXPECT_EQ(sa.outcome, index_phase::done);
  EXPECT_EQ(sb.outcome, index_phase::done);
  EXPECT_EQ(sb.added, 3u);
  EXPECT_NE(pid("shop"), pid("go"));
  EXPECT_EQ(graph_query(eng->storage().snapshot(), pid("go")).stats().languages.front().lang, language::go);
  EXPECT_EQ(check_consistency(eng->storage(), pid("shop")), std::vector<std::string>{});
  EXPECT_EQ(check_consistency(eng->storage(), pid("go")), std::vector<std::string>{});
}

TEST_F(engine_fixture, a_cancelled_task_leaves_a_consistent_store) {
  std::promise<index_summary> done;
  index_request req{"stdlib", "/usr/lib/python3.11", {}};
  auto task = eng->start_index(req, [&](const index_summary& s) { done.set_value(s); });
  ASSERT_TRUE(task.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  eng->cancel(*task);
  auto s = done.get_future().get();
  EXPECT_TRUE(s.outcome == index_phase::cancelled || s.outcome == index_phase::done);
  EXPECT_EQ(check_consistency(eng->storage(), pid("stdlib")), std::vector<std::string>{});
  auto again = eng->index(req);  // finishes the job, pending resolutions included
  EXPECT_EQ(again.outcome, index_phase::done);
  EXPECT_EQ(check_consistency(eng->storage(), pid("stdlib")), std::vector<std::string>{});
  EXPECT_FALSE(eng->cancel(*task));  // long gone
}

TEST_F(engine_fixture, errors_are_reported_and_the_engine_stays_usable) {
  index_request bad{"bad", (src / "no-such-dir").string(), {}};
  auto s = eng->index(bad);
  EXPECT_EQ(s.outcome, index_phase::failed);
  EXPECT_NE(s.error.find("no-such-dir"), std::string::npos);
  index_request unnamed{"", src.str(), {}};
  EXPECT_EQ(eng->index(unnamed).outcome, index_phase::failed);
  EXPECT_EQ(run().outcome, index_phase::done);
}

// The summary is published once the task has ended: its version is committed and
// readable when a listener hears of it, and the summary names it.
TEST_F(engine_fixture, the_summary_comes_with_the_committed_version) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<index_summary> heard;
  bool readable = false;
  auto sub = eng->subscribe("index/shop", [&](const event& e) {
    auto* s = std::get_if<index_summary>(&e.payload);
    if (!s) return;
    bool ok = s->version && eng->storage().version(*eng->storage().project_id("shop"), s->version).ok();
    std::lock_guard lock(mu);
    heard = *s;
    readable = ok;
    cv.notify_all();
  });
  auto s = run();
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return heard.has_value(); }));
  eng->unsubscribe(sub);
  EXPECT_EQ(heard->task, s.task);
  EXPECT_NE(heard->version, 0u);
  EXPECT_EQ(heard->version, s.version);
  EXPECT_TRUE(readable);
  EXPECT_TRUE(heard->vectors.synced);
}

// A task whose graph is written but that still syncs the search index: removing its
// project waits for it instead of refusing.
TEST_F(engine_fixture, removing_a_project_waits_for_a_task_that_is_finishing) {
  index_request req;
  req.project = "shop";
  req.root = src.str();
  std::promise<status> removed;
  std::thread remover;
  std::promise<void> ended;
  auto t = eng->start_index(
      req, [&](const index_summary&) { ended.set_value(); },
      [&] {  // the graph is written; the search index sync follows
        remover = std::thread([&] { removed.set_value(eng->remove_project("shop")); });
      });
  ASSERT_TRUE(t.ok()) << t.err().message;
  auto r = removed.get_future();
  ASSERT_EQ(r.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  auto st = r.get();
  EXPECT_TRUE(st.ok()) << st.err().message;
  remover.join();
  EXPECT_EQ(ended.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(eng->storage().project_id("shop").ok());
}

}  // namespace
}  // namespace cg

namespace cg {
namespace {

// Searches run side by side (each in a reader of its own) while the index changes
// under them: every one answers, whole, and a change made before a search is seen
// by it (the vector actor syncs, alone, before it starts the next reader).
TEST_F(engine_fixture, concurrent_searches_answer_while_the_project_changes) {
  ASSERT_EQ(run().outcome, index_phase::done);
  std::atomic<int> answered{0}, failed{0}, empty{0};
  std::atomic<bool> stop{false};
  auto searcher = [&](int n) {
    for (int i = 0; i < n && !stop; ++i) {
      search_request sr;
      sr.project = "shop";
      sr.query = i % 2 ? "order total" : "refund policy";
      size_t got = 0;
      bool last = false;
      auto st = eng->search(sr, [&](const search_batch& b) {
        got += b.hits.size();
        last = last || b.last;
      });
      if (!st.ok())
        ++failed;
      else if (!last || got == 0)
        ++empty;
      else
        ++answered;
    }
  };
  std::vector<std::thread> ts;
  for (int t = 0; t < 6; ++t) ts.emplace_back(searcher, 40);
  // Meanwhile: manual nodes made one after another; each is found by the next search.
  for (int i = 0; i < 5; ++i) {
    node n;
    n.kind = node_kind::function;
    n.name = "zebraticket" + std::to_string(i);
    n.docstring = "zebra ticket number " + std::to_string(i);
    auto made = eng->create_node("shop", std::move(n));
    ASSERT_TRUE(made.ok()) << made.err().message;
    search_request sr;
    sr.project = "shop";
    sr.query = "zebraticket" + std::to_string(i);
    bool found = false;
    ASSERT_TRUE(eng->search(sr,
                            [&](const search_batch& b) {
                              for (auto& h : b.hits) found = found || h.id == made->id;
                            })
                    .ok());
    EXPECT_TRUE(found) << "round " << i;
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(empty.load(), 0);
  EXPECT_EQ(answered.load(), 6 * 40);
}

// A search answered in place (try_search_now: the caller's thread, no actor) says what
// the actor path says, and runs only when it cannot wait: not before the search state
// is loaded and current, and not after the store moved on until a search through the
// vector actor has caught it up.
TEST_F(engine_fixture, searches_in_place_only_on_a_current_index_and_answer_alike) {
  search_request sr;
  sr.project = "shop";
  sr.query = "order total";
  auto collect = [](std::vector<search_hit>& into) {
    return [&into](const search_batch& b) { into.insert(into.end(), b.hits.begin(), b.hits.end()); };
  };
  ASSERT_EQ(run().outcome, index_phase::done);  // indexing syncs the vectors: current now
  std::vector<search_hit> now, queued;
  auto ran = eng->try_search_now(sr, collect(now));
  ASSERT_TRUE(ran.has_value());
  ASSERT_TRUE(ran->ok()) << ran->err().message;
  ASSERT_FALSE(now.empty());
  ASSERT_TRUE(eng->search(sr, collect(queued)).ok());
  ASSERT_EQ(now.size(), queued.size());
  for (size_t i = 0; i < now.size(); ++i) {
    EXPECT_EQ(now[i].id, queued[i].id);
    EXPECT_EQ(now[i].score, queued[i].score);
    EXPECT_EQ(now[i].reasons, queued[i].reasons);
  }
  // The store moves on (a manual node): the state is behind, so no search in place...
  node n;
  n.kind = node_kind::function;
  n.name = "quokkacounter";
  n.docstring = "counts quokkas";
  auto made = eng->create_node("shop", std::move(n));
  ASSERT_TRUE(made.ok()) << made.err().message;
  std::vector<search_hit> none;
  sr.query = "quokkacounter";
  EXPECT_FALSE(eng->try_search_now(sr, collect(none)).has_value());
  EXPECT_TRUE(none.empty());
  // ...until a search through the actor syncs it; then in place again, new node found.
  std::vector<search_hit> synced, after;
  ASSERT_TRUE(eng->search(sr, collect(synced)).ok());
  ASSERT_FALSE(synced.empty());
  EXPECT_EQ(synced[0].id, made->id);
  auto again = eng->try_search_now(sr, collect(after));
  ASSERT_TRUE(again.has_value());
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after[0].id, made->id);
  // What may need brute force over more than the limit declines: exact mode, filters.
  std::vector<search_hit> limited;
  sr.mode = search_mode::exact;
  EXPECT_TRUE(eng->try_search_now(sr, collect(limited)).has_value());  // the default limit: 50,000
  EXPECT_FALSE(eng->try_search_now(sr, collect(limited), 0).has_value());
  sr.mode = search_mode::balanced;
  EXPECT_TRUE(eng->try_search_now(sr, collect(limited), 0).has_value());
  sr.filters.languages.push_back(language::python);
  EXPECT_FALSE(eng->try_search_now(sr, collect(limited), 0).has_value());
  sr.filters = {};
  // An unknown project is an error, not a decline.
  sr.project = "nope";
  auto unknown = eng->try_search_now(sr, collect(none));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_FALSE(unknown->ok());
}

// The vector state is saved at most every save_interval after the first sync of a
// run: a later change is synced and searchable at once but not written, and an engine
// opened afterwards loads the older files and catches up from the store.
TEST_F(engine_fixture, vector_saves_are_spaced_and_an_older_save_catches_up) {
  eng.reset();
  engine_options o;
  o.data_dir = data.str();
  o.parser_workers = 2;
  o.vectors.save_interval = std::chrono::hours(1);
  auto e = engine::open(o);
  ASSERT_TRUE(e.ok()) << e.err().message;
  eng = std::move(*e);
  auto manifest_sequence = [&] {
    auto text = read_file(data.path() / "vectors" / "shop" / "manifest.json");
    auto j = nlohmann::json::parse(text, nullptr, false);
    return j.is_object() ? j.value("sequence", uint64_t{0}) : uint64_t{0};
  };
  ASSERT_EQ(run().outcome, index_phase::done);  // the run's first sync: saved
  const auto first = manifest_sequence();
  ASSERT_GT(first, 0u);
  node n;
  n.kind = node_kind::function;
  n.name = "quokkacounter";
  n.docstring = "counts quokkas";
  auto made = eng->create_node("shop", std::move(n));
  ASSERT_TRUE(made.ok()) << made.err().message;
  search_request sr;
  sr.project = "shop";
  sr.query = "quokkacounter";
  std::vector<search_hit> hits;
  auto collect = [&hits](const search_batch& b) { hits.insert(hits.end(), b.hits.begin(), b.hits.end()); };
  ASSERT_TRUE(eng->search(sr, collect).ok());
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, made->id);
  EXPECT_EQ(manifest_sequence(), first);  // synced, not written: within the interval
  eng.reset();
  e = engine::open(o);
  ASSERT_TRUE(e.ok()) << e.err().message;
  eng = std::move(*e);
  hits.clear();
  ASSERT_TRUE(eng->search(sr, collect).ok());
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, made->id);        // the older files caught up
  EXPECT_GT(manifest_sequence(), first);  // and this run's first sync saved
}

// graph_done runs once, before done, when the graph is written: another task's graph
// work (a watch run) need not wait for this task's search index sync.
TEST_F(engine_fixture, graph_done_comes_before_the_search_index_sync_ends) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> order;
  bool graph_searchable = false;
  index_summary summary;
  index_request req;
  req.project = "shop";
  req.root = src.str();
  auto t = eng->start_index(
      req,
      [&](const index_summary& s) {
        std::lock_guard lock(mu);
        order.push_back("done");
        summary = s;
        cv.notify_all();
      },
      [&] {
        // The graph is there already (the nodes of the files just indexed).
        symbol_query sq;
        sq.text = "Order";
        sq.fuzzy = false;
        auto found = graph_query(eng->storage().latest(), pid()).find(sq);
        std::lock_guard lock(mu);
        graph_searchable = found.ok() && !found->empty();
        order.push_back("graph");
      });
  ASSERT_TRUE(t.ok()) << t.err().message;
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return order.size() == 2; }));
  EXPECT_EQ(order, (std::vector<std::string>{"graph", "done"}));
  EXPECT_TRUE(graph_searchable);
  EXPECT_EQ(summary.outcome, index_phase::done);
  EXPECT_TRUE(summary.vectors.synced);  // done still waits for the sync
}

// A server learns the co-occurrence model a run deferred (in the background), so a
// search at a version learns it too: it answers as a fresh index of that version's
// tree does once its model is learnt, not as one still without it.
TEST_F(engine_fixture, a_search_at_a_version_answers_with_the_model_a_server_learns) {
  engine_options o;
  o.data_dir = data.str();
  o.parser_workers = 2;
  o.vectors.defer_model = true;  // as `serve` runs
  eng.reset();
  auto e = engine::open(o);
  ASSERT_TRUE(e.ok()) << e.err().message;
  eng = std::move(*e);
  ASSERT_EQ(run().outcome, index_phase::done);
  temp_dir first_tree{"first-tree"};
  copy_tree(src.path(), first_tree.path());
  write_file(src.path() / "refunds.py",
             "def refund_order(order, reason):\n    \"\"\"Refund a paid order and record why.\"\"\"\n"
             "    return order.total\n");
  ASSERT_EQ(run().outcome, index_phase::done);

  temp_dir fresh_data{"fresh-data"};
  o.data_dir = fresh_data.str();
  auto fresh = engine::open(o);
  ASSERT_TRUE(fresh.ok()) << fresh.err().message;
  index_request req;
  req.project = "shop";
  req.root = first_tree.str();
  ASSERT_EQ((*fresh)->index(req).outcome, index_phase::done);
  auto learnt = [&] {
    for (const auto& s : (*fresh)->search_states())
      if (s.project == "shop") return s.state != "not_loaded" && !s.model_pending;
    return false;
  };
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!learnt() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(learnt()) << "the fresh server never learnt its model";

  auto hits = [](engine& en, const std::string& query, const std::string& at) {
    search_request sr;
    sr.project = "shop";
    sr.query = query;
    sr.mode = search_mode::exact;
    sr.at = at;
    std::vector<search_hit> out;
    auto s = en.search(sr, [&](const search_batch& b) { out.insert(out.end(), b.hits.begin(), b.hits.end()); });
    EXPECT_TRUE(s.ok()) << s.err().message;
    return out;
  };
  for (const std::string q : {"order total price", "add an item to the cart", "refund"}) {
    auto at = hits(*eng, q, "1");
    auto want = hits(**fresh, q, "");
    ASSERT_FALSE(want.empty()) << q;
    ASSERT_EQ(at.size(), want.size()) << q;
    for (size_t i = 0; i < at.size(); ++i) {
      EXPECT_EQ(at[i].id, want[i].id) << q << " #" << i;
      EXPECT_FLOAT_EQ(at[i].score, want[i].score) << q << " #" << i;
    }
  }
}

}  // namespace
}  // namespace cg
