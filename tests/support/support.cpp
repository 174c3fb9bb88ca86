#include "tests/support/support.hpp"

#include "actors/indexer/indexer_state.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "actors/graph/counters.hpp"
#include "actors/indexer/walker.hpp"
#include "actors/parser/parser_state.hpp"
#include "schema/codec.hpp"
#include "schema/hash.hpp"
#include "storage/keys.hpp"
#include "storage/symbol_index.hpp"

extern char** environ;

namespace cg::test {

temp_dir::temp_dir(const std::string& tag) {
  std::random_device rd;
  auto base = fs::temp_directory_path() /
              ("codegraph-test-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(base);
  path_ = base;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  // Restore permissions a test may have removed, then delete.
  for (auto it = fs::recursive_directory_iterator(path_, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_symlink(ec)) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::remove_all(path_, ec);
}

void write_file(const fs::path& p, std::string_view content) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int run_cli_and_kill_after(const std::vector<std::string>& args, int ms) {
  std::vector<std::string> all{codegraph_binary()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

std::string codegraph_binary() {
  const char* b = std::getenv("CODEGRAPH_BIN");
#ifdef CODEGRAPH_BIN_DEFAULT
  if (!b) b = CODEGRAPH_BIN_DEFAULT;
#endif
  if (!b) throw std::runtime_error("CODEGRAPH_BIN is not set");
  return b;
}

std::string source_dir() {
#ifdef CODEGRAPH_SOURCE_DIR
  return CODEGRAPH_SOURCE_DIR;
#else
  return ".";
#endif
}

std::string golden_path(const std::string& name) { return source_dir() + "/tests/golden/" + name; }

static std::string slurp_fd(int fd) {
  std::string out;
  char buf[65536];
  while (true) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

cli_result run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env, int as_uid) {
  std::vector<std::string> argv_s;
  if (as_uid >= 0) {
    argv_s = {"/usr/bin/setpriv", "--reuid=" + std::to_string(as_uid), "--regid=" + std::to_string(as_uid),
              "--clear-groups", codegraph_binary()};
  } else {
    argv_s = {codegraph_binary()};
  }
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  for (auto& e : env) env_s.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  temp_dir tmp("cli");
  auto out_path = tmp / "out", err_path = tmp / "err";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  cli_result r;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    r.err = "spawn failed";
    return r;
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

std::unique_ptr<store> open_store(const std::string& dir, bool read_only) {
  store_options o;
  o.dir = dir;
  o.read_only = read_only;
  auto s = store::open(o);
  if (!s.ok()) throw std::runtime_error(s.err().message);
  return std::move(*s);
}

plain_index_result index_plain(store& s, const std::string& project, const std::string& root) {
  auto proj = s.ensure_project(project);
  if (!proj.ok()) throw std::runtime_error(proj.err().message);
  graph_state g(s, *proj);
  return index_plain(g, project, root);
}

// The index task's own planning (indexer_state: walk, compare with the manifest,
// parse what changed, remove what vanished), run in line instead of through actors.
plain_index_result index_plain(graph_state& g, const std::string& project, const std::string& root) {
  plain_index_result out;
  index_request req;
  req.project = project;
  req.root = root;
  indexer_state is(req, 1);
  if (auto w = is.walk(); !w.ok()) throw std::runtime_error(w.err().message);
  auto m = g.manifest();
  if (!m.ok()) throw std::runtime_error(m.err().message);
  is.plan(*m);
  out.files = is.progress(index_phase::parsing).files_total;
  parser_state ps;
  std::vector<std::string> gone = is.removals();
  while (is.has_job()) {
    auto j = is.next_job();
    auto path = j.path;
    auto o = ps.parse_file(j);
    switch (is.on_parsed(o, path)) {
      case indexer_state::action::apply: {
        ++out.parsed;
        auto c = g.apply(o.extract);
        if (!c.ok()) throw std::runtime_error(c.err().message);
        is.on_changes({*c});
        break;
      }
      case indexer_state::action::touch:
        if (auto t = g.touch(o.extract.record); !t.ok()) throw std::runtime_error(t.err().message);
        break;
      case indexer_state::action::forget: gone.push_back(path); break;
      case indexer_state::action::drop: break;
    }
  }
  for (const auto& path : gone)
    if (auto c = g.remove(path); !c.ok()) throw std::runtime_error(c.err().message);
  auto r = g.resolve_pending();
  if (!r.ok()) throw std::runtime_error(r.err().message);
  is.on_resolved(*r);
  out.resolution = *r;
  return out;
}

std::vector<std::string> check_consistency(store& s, uint32_t proj) {
  namespace cn = counter_names;
  std::vector<std::string> problems;
  auto v = s.snapshot();
  auto say = [&](std::string p) {
    if (problems.size() < 50) problems.push_back(std::move(p));
  };
  auto checked = [&](const status& st) {
    if (!st.ok()) say("scan failed: " + st.err().message);
  };
  // Nodes and their files.
  std::unordered_map<node_id, node> nodes;
  std::unordered_map<int, int64_t> kind_count;
  int64_t contains = 0;
  auto st = v.for_each(column::nodes, keys::project_prefix(proj), [&](std::string_view k, std::string_view val) {
    auto n = decode_node(val, keys::node_id_of(k));
    if (!n.ok()) {
      say("undecodable node " + format_id(keys::node_id_of(k)));
      return true;
    }
    ++kind_count[static_cast<int>(n->kind)];
    if (n->parent) ++contains;
    nodes.emplace(n->id, std::move(*n));
    return true;
  });
  if (!st.ok()) say("scan failed: " + st.err().message);
  std::unordered_set<std::string> manifest;
  checked(v.for_each(column::meta, keys::meta_tag_prefix(proj, keys::tag_manifest),
                     [&](std::string_view k, std::string_view val) {
                       manifest.insert(std::string(keys::meta_path_of(k)));
                       if (!decode_file_record(val, keys::meta_path_of(k)).ok())
                         say("undecodable manifest entry " + std::string(keys::meta_path_of(k)));
                       return true;
                     }));
  std::unordered_set<std::string> node_files;
  for (auto& [id, n] : nodes) {
    // A manual node belongs to the virtual file "@manual"; the file it names is the user's.
    const std::string& source = (n.modifiers & modifier::manual) ? std::string(manual_file) : n.file;
    node_files.insert(source);
    if (!manifest.count(source)) say("node " + n.qualified_name + " of unknown file " + source);
    if (n.parent && !nodes.count(n.parent)) say("node " + n.qualified_name + " has a missing parent");
  }
  for (auto& f : manifest) {
    if (!node_files.count(f)) say("manifest file without nodes: " + f);
    if (!v.get(column::meta, keys::refs(proj, f))->has_value()) say("manifest file without references: " + f);
  }
  // Indexes point at existing nodes and cover every node.
  size_t name_entries = 0, file_entries = 0, kind_entries = 0;
  checked(v.for_each(column::idx, keys::index_tag_prefix(proj, keys::tag_name),
                     [&](std::string_view k, std::string_view val) {
                       ++name_entries;
                       symbol_entry e;
                       if (!decode_symbol_entry(k, val, e).ok() || !nodes.count(e.id))
                         say("name index entry without node");
                       return true;
                     }));
  checked(
      v.for_each(column::idx, keys::index_tag_prefix(proj, keys::tag_file), [&](std::string_view k, std::string_view) {
        ++file_entries;
        if (!nodes.count(keys::trailing_id(k))) say("file index entry without node");
        return true;
      }));
  checked(
      v.for_each(column::idx, keys::index_tag_prefix(proj, keys::tag_kind), [&](std::string_view k, std::string_view) {
        ++kind_entries;
        if (!nodes.count(keys::trailing_id(k))) say("kind index entry without node");
        return true;
      }));
  if (name_entries != nodes.size() || file_entries != nodes.size() || kind_entries != nodes.size())
    say("index sizes differ from node count: " + std::to_string(name_entries) + "/" + std::to_string(file_entries) +
        "/" + std::to_string(kind_entries) + " vs " + std::to_string(nodes.size()));
  // Edges: sources exist, every edge has its reverse twin, counts match counters.
  std::unordered_map<int, int64_t> edge_count, unresolved_count, external_count;
  size_t forward = 0;
  checked(v.for_each(column::edges, keys::project_prefix(proj), [&](std::string_view k, std::string_view val) {
    ++forward;
    auto p = keys::parse_edge_key(k);
    edge e;
    if (!decode_edge_value(val, e).ok()) say("undecodable edge");
    if (!nodes.count(p.first)) say("edge from a missing node");
    auto twin = v.get(column::redges, keys::edge(proj, p.second, p.kind, p.first));
    if (!twin.ok() || !twin->has_value()) say("edge without reverse twin");
    ++edge_count[static_cast<int>(p.kind)];
    if (e.how == resolution::unresolved) ++unresolved_count[static_cast<int>(p.kind)];
    if (e.how == resolution::external) ++external_count[static_cast<int>(p.kind)];
    return true;
  }));
  size_t backward = 0;
  checked(v.for_each(column::redges, keys::project_prefix(proj), [&](std::string_view, std::string_view) {
    ++backward;
    return true;
  }));
  if (forward != backward) say("edges " + std::to_string(forward) + " != reverse edges " + std::to_string(backward));
  edge_count[static_cast<int>(edge_kind::contains)] = contains;
  for (int k = 1; k < node_kind_count; ++k) {
    auto c = v.counter(keys::counter(proj, cn::nodes(static_cast<node_kind>(k))));
    if (c != kind_count[k])
      say("node counter " + std::string(to_string(static_cast<node_kind>(k))) + " = " + std::to_string(c) +
          ", actual " + std::to_string(kind_count[k]));
  }
  for (int k = 1; k < edge_kind_count; ++k) {
    auto ek = static_cast<edge_kind>(k);
    auto c = v.counter(keys::counter(proj, cn::edges(ek)));
    if (c != edge_count[k])
      say("edge counter " + std::string(to_string(ek)) + " = " + std::to_string(c) + ", actual " +
          std::to_string(edge_count[k]));
    if (v.counter(keys::counter(proj, cn::unresolved(ek))) != unresolved_count[k])
      say("unresolved counter mismatch for " + std::string(to_string(ek)));
    if (v.counter(keys::counter(proj, cn::external(ek))) != external_count[k])
      say("external counter mismatch for " + std::string(to_string(ek)));
  }
  return problems;
}

std::vector<std::string> graph_lines(store& s, uint32_t proj, bool with_contains) {
  graph_query q(s.snapshot(), proj);
  std::unordered_map<node_id, std::string> names;
  std::vector<std::string> lines;
  (void)q.for_each_node([&](const node& n) {
    names[n.id] = n.qualified_name + "@" + n.file + ":" + std::to_string(n.name_pos.line);
    if (n.kind != node_kind::file)
      lines.push_back("node " + std::string(to_string(n.kind)) + " " + n.qualified_name + " " + n.file + ":" +
                      std::to_string(n.name_pos.line));
    return true;
  });
  (void)q.for_each_edge([&](const edge& e) {
    if (e.kind == edge_kind::contains && !with_contains) return true;
    std::string src = names.count(e.source) ? names[e.source] : "?" + format_id(e.source);
    std::string dst = e.resolved() ? (names.count(e.target) ? names[e.target] : "?missing") : "?" + e.target_name;
    lines.push_back("edge " + std::string(to_string(e.kind)) + " " + src + " -> " + dst + " (" +
                    std::string(to_string(e.how)) + ")");
    return true;
  });
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace cg::test
