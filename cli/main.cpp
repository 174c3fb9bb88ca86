// codegraph: index source trees into a code graph and query it.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>

#include "cli/batch_memory.hpp"
#include "cli/blas_threads.hpp"
#include "cli/commands.hpp"
#include "cli/fatal_signals.hpp"
#include "cli/logging.hpp"
#include "cli/output.hpp"

namespace {

const char* const examples = R"(
Examples:
  codegraph index ~/src/myrepo                 index (or re-index, incrementally) a tree
  codegraph index ../wt --over myrepo          a second worktree, stored as its differences
  codegraph stats                              what the project holds
  codegraph symbol parse_args                  definitions by name (fuzzy; --exact)
  codegraph callers json.decoder.JSONDecoder.decode --depth 2
  codegraph deps src/app.py                    files a file depends on
  codegraph outline src/app.py                 the definitions of one file
  codegraph blame src/app.py                   the version that last changed each of them
  codegraph export --format graphml -o g.xml   the whole graph for graph tools
  codegraph serve --project-root app=~/src/app  the server: REST on /api/v1, events on /ws
  codegraph token create --role reader         an API key for the server
  codegraph mcp                                MCP over stdio for AI agents (e.g. in .mcp.json)
Every command takes --json. Exit codes: 0 success, 1 usage error, 2 runtime error.
Configuration: --config FILE, else $CODEGRAPH_CONFIG, ./codegraph.toml or
~/.config/codegraph/config.toml; CODEGRAPH_* variables override it; flags override both.)";

std::vector<std::string> split_commas(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    size_t start = 0;
    while (start <= s.size()) {
      auto c = s.find(',', start);
      auto part = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
      if (!part.empty()) out.push_back(part);
      if (c == std::string::npos) break;
      start = c + 1;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cg::cli;
  report_fatal_signals();
  park_blas_threads();
  CLI::App app{"CodeGraph: a code graph of your repository (definitions, calls, imports, inheritance, references).",
               "codegraph"};
  app.footer(examples);
  app.set_version_flag("--version", "codegraph 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();

  std::string config_path, data_dir, project, log_format, log_level;
  bool json = false, quiet = false;
  app.add_option("--config", config_path, "TOML configuration file");
  app.add_option("--data-dir", data_dir, "where the store lives (default ~/.local/share/codegraph)");
  app.add_option("-p,--project", project,
                 "project name (default: the directory name when indexing; the only or current project when querying)");
  app.add_flag("--json", json, "machine-readable JSON output");
  app.add_flag("-q,--quiet", quiet, "no progress bar or summary (errors still reported)");
  app.add_option("--log-format", log_format, "log format: text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off");
  std::string at;
  app.add_option("--at", at,
                 "read the graph as it was at this version, not the newest state: 3, head, head~N "
                 "(`codegraph versions` lists them)");

  index_args ia;
  std::vector<std::string> langs, includes, excludes;
  unsigned jobs = 0;
  std::string max_size;
  bool follow = false, no_gitignore = false;
  auto* idx = app.add_subcommand(
      "index", "index a directory, or git commits with --git (incremental: only changed files are parsed)");
  idx->add_option("path", ia.path, "directory to index (with --git: a path in the repository, default .)");
  idx->add_option("--git", ia.git,
                  "index a git commit straight from the repository (no checkout): a sha, branch, tag or HEAD~3, "
                  "or a range A..B indexed commit by commit (first parent); each becomes a version");
  idx->add_option("--lang", langs,
                  "only these languages (comma-separated): python, rust, javascript, typescript, go, java, c, cpp");
  idx->add_option("--include", includes, "only files matching these globs (gitignore syntax; repeatable)");
  idx->add_option("--exclude", excludes, "skip files matching these globs (gitignore syntax; repeatable)");
  idx->add_option("-j,--jobs", jobs, "parser workers (default: one per core)");
  idx->add_option("--max-file-size", max_size, "skip files larger than this (e.g. 2MiB, 512k)");
  idx->add_flag("--follow-symlinks", follow, "follow symbolic links (loops are detected)");
  idx->add_flag("--follow", ia.follow,
                "follow a git branch (--git BRANCH, default the one HEAD names): index its new commits as versions "
                "as they arrive, the work tree over the head, until interrupted");
  idx->add_flag("--no-gitignore", no_gitignore, "index files that .gitignore excludes");
  idx->add_option("--over", ia.over,
                  "PROJECT: index PATH, a work tree of PROJECT's git repository (a linked worktree, another "
                  "branch), as a layer over the version of its HEAD commit (indexed first if it is not): only its "
                  "differences are stored; --project names the layer (default: the directory name)");

  app.add_subcommand("stats", "files, LOC, nodes and edges by kind, resolution rate");
  app.add_subcommand("projects", "the projects in the store");
  auto* cfg = app.add_subcommand("config", "configuration");
  cfg->add_subcommand("show", "print the effective configuration");
  cfg->require_subcommand(1);

  symbol_args sa;
  auto* sym =
      app.add_subcommand("symbol", "find definitions by name: exact, qualified, prefix, substring, typo-tolerant");
  sym->add_option("name", sa.name, "a name or qualified name (pkg.Class.method, ns::Type)")->required();
  sym->add_flag("--exact", sa.exact, "exact (and qualified) matches only");
  sym->add_option("--kind", sa.kinds, "only these node kinds (function, method, class, ...)");
  sym->add_option("--lang", sa.languages, "only these languages");
  sym->add_option("--limit", sa.limit, "at most this many results")->check(CLI::PositiveNumber);

  std::string node_arg;
  auto* nd = app.add_subcommand("node", "one node with its edges, by id or name");
  nd->add_option("id", node_arg, "16-hex node id or a name")->required();

  std::string blame_arg;
  auto* bl = app.add_subcommand(
      "blame", "the version that created each definition and the last that changed its text (a file: all of its)");
  bl->add_option("target", blame_arg, "a node id, a (qualified) name, or a file")->required();
  std::string outline_arg;
  auto* ol = app.add_subcommand("outline", "the definitions of a file, nested");
  ol->add_option("file", outline_arg, "a file path (relative to the project root, or absolute)")->required();

  walk_args wa;
  auto add_walk = [&](const char* name, const char* help, bool kinds) {
    auto* s = app.add_subcommand(name, help);
    s->add_option("target", wa.target, kinds ? "a file, a name or a node id" : "a name or a node id")->required();
    s->add_option("-d,--depth", wa.depth, "how many steps to follow")->check(CLI::PositiveNumber);
    s->add_option("--limit", wa.limit, "at most this many results")->check(CLI::PositiveNumber);
    if (kinds) s->add_option("--kind", wa.kinds, "only these edge kinds (calls, imports, inherits, ...)");
    s->add_option("--resolution", wa.resolution,
                  "only edges resolved so: exact, possible, resolved, or local, import, member, package, global, "
                  "heuristic, external, unresolved (comma-separated)");
    return s;
  };
  auto* callers = add_walk("callers", "who calls a function or method (or instantiates a class)", false);
  auto* callees = add_walk("callees", "what a function or method calls (and the classes it instantiates)", false);
  auto* deps = add_walk("deps", "what a file or symbol depends on", true);
  auto* dependents = add_walk("dependents", "what depends on a file or symbol", true);

  export_args ea;
  auto* ex = app.add_subcommand("export", "every node and edge, as NDJSON or GraphML");
  ex->add_option("-f,--format", ea.format, "ndjson or graphml")->check(CLI::IsMember({"ndjson", "graphml"}));
  ex->add_option("-o,--output", ea.output, "file to write (default: stdout)");

  search_args qa;
  auto* se = app.add_subcommand("search", "search definitions by meaning and by name (BM25 + embeddings, fused)");
  se->add_option("query", qa.query, "words, a name, or a question")->required();
  se->add_option("--mode", qa.mode, "exact (100% recall), balanced (~95%) or fast (~85%)")
      ->check(CLI::IsMember({"exact", "balanced", "fast"}));
  se->add_option("-k,--k", qa.k, "how many results")->check(CLI::Range(1, 1000));
  se->add_option("--lang", qa.languages, "only these languages");
  se->add_option("--kind", qa.kinds, "only these node kinds (function, method, class, ...)");
  se->add_option("--path", qa.path, "only files matching this glob (gitignore syntax)");
  se->add_option("--context-file", qa.context_file, "rank definitions in or next to this file higher");
  se->add_option("--fusion", qa.fusion, "how text and vector rankings merge: rrf or convex (default: the config's)")
      ->check(CLI::IsMember({"rrf", "convex"}));
  se->add_option("--batch", qa.batch, "results per streamed batch")->check(CLI::Range(1, 1000));
  se->add_flag("--ndjson", qa.ndjson, "stream one JSON line per batch as results arrive");
  similar_args sa2;
  auto* si = app.add_subcommand("similar", "definitions like a given one (by embedding)");
  si->add_option("node", sa2.node, "a node id or a name")->required();
  si->add_option("-k,--k", sa2.k, "how many results")->check(CLI::Range(1, 1000));
  si->add_option("--threshold", sa2.threshold, "minimum cosine similarity (default 0.5)")->check(CLI::Range(-1.0, 1.0));
  si->add_option("--mode", sa2.mode, "exact, balanced or fast")->check(CLI::IsMember({"exact", "balanced", "fast"}));
  versions_args va;
  auto* vers =
      app.add_subcommand("versions", "versions of the project's graph (each index run commits one): list, show");
  vers->add_subcommand("list", "every version, newest first (the default)");
  auto* vshow = vers->add_subcommand("show", "one version: when, what made it, the graph's size");
  vshow->add_option("version", va.show, "a version: 3, head, head~1, a tag, a branch, a git sha")->required();
  for (std::string kind : {"tag", "branch"}) {
    auto* sub = vers->add_subcommand(kind, kind == "tag" ? "name a version with a tag (fixed: --force moves it)"
                                                         : "point a branch at a version (moves on each call)");
    sub->add_option("name", va.ref_name, kind + " name")->required();
    sub->add_option("version", va.ref_version, "the version to name (default head)");
    sub->add_flag("--delete", va.remove, "delete the " + kind);
    if (kind == "tag") sub->add_flag("--force", va.force, "move an existing tag");
    sub->callback([&va, kind] { va.ref_kind = kind; });
  }
  vers->add_subcommand("refs", "the project's tags and branches")->callback([&va] { va.list_refs = true; });
  auto* vprune = vers->add_subcommand(
      "prune", "drop old versions to reclaim space; kept versions read exactly as before (branches always stay)");
  vprune->add_option("--keep-last", va.keep_last, "keep the newest N versions")
      ->required()
      ->check(CLI::Range(1, 1 << 30));
  vprune->add_flag("--keep-tags", va.keep_tags, "keep every tagged version too");
  vprune->add_flag("--dry-run", va.dry_run, "list what would be dropped, drop nothing");
  vprune->callback([&va] { va.prune = true; });
  diff_args da;
  auto* df =
      app.add_subcommand("diff", "what changed between two versions: definitions and edges added, removed, changed");
  df->add_option("from", da.from, "the older version: 3, head~1, ...")->required();
  df->add_option("to", da.to, "the newer version (default: the newest state, uncommitted changes included)");
  df->add_option("--limit", da.limit, "changed definitions listed in text output (default 200)");

  review_args ra;
  auto* rv = app.add_subcommand("review",
                                "what a change touches: changed definitions, callers and dependents up to "
                                "a depth, tests, API changes, a risk score");
  rv->add_option("range", ra.range,
                 "BASE..TARGET: versions (3, head~1, a tag or branch) or indexed git revisions; TARGET omitted: "
                 "the newest state (the working tree as last indexed or saved)")
      ->required();
  rv->add_option("--depth", ra.depth, "hops from a changed definition (default 3)")->check(CLI::Range(1, 10));
  rv->add_option("--format", ra.format, "text (default), markdown (a PR comment) or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  rv->add_option("--fail-on", ra.fail_on, "risk>=N: exit 3 when the risk score reaches N (a CI gate)");
  rv->add_option("--limit", ra.limit, "rows per section in text and markdown (default 20)");

  auto* mcp = app.add_subcommand(
      "mcp",
      "an MCP server on stdin/stdout for AI coding agents: the graph's tools, resources and prompts (relayed to "
      "the server that owns the data directory when one runs; else read-only over it)");
  bool mcp_local = false;
  mcp->add_flag("--local", mcp_local,
                "read the data directory in this process even when a server owns it (no push, no index runs)");

  auto* vec = app.add_subcommand("vectors", "the search index: stats, rebuild");
  auto* vstats = vec->add_subcommand("stats", "documents, vocabulary, index kind and size");
  auto* vrebuild = vec->add_subcommand("rebuild", "relearn the model, re-embed everything, rebuild the index");
  vec->require_subcommand(1);
  serve_args sv;
  auto* srv = app.add_subcommand("serve", "run the HTTP/WebSocket server (REST API, streams, events, metrics)");
  srv->add_option("--listen", sv.listen, "address:port to listen on (default 127.0.0.1:8080; port 0: any free port)");
  srv->add_option("--project-root", sv.projects, "NAME=PATH: register and index this project at start (repeatable)");
  srv->add_option("--follow", sv.follow,
                  "NAME=REPO[#BRANCH]: index the branch's commits as versions as they arrive (default: HEAD's "
                  "branch), with the work tree over the head (repeatable)");
  srv->add_flag("--no-auth", sv.no_auth, "no authentication (refused unless listening on loopback)");
  srv->add_option("--tls-cert", sv.tls_cert, "certificate chain (PEM): serve HTTPS and WSS");
  srv->add_option("--tls-key", sv.tls_key, "private key (PEM) of the certificate");
  srv->add_option("--port-file", sv.port_file, "write the bound port to this file once listening");
  token_args tk;
  auto* tok = app.add_subcommand("token", "API keys for the server: create, list, revoke");
  auto* tcreate = tok->add_subcommand("create", "create a key; the token is printed once (stored hashed)");
  tcreate->add_option("--role", tk.role, "reader, writer or admin")
      ->check(CLI::IsMember({"reader", "writer", "admin"}));
  tcreate->add_option("--scope-project", tk.project, "limit the key to one project");
  tcreate->add_option("--name", tk.name, "a label for the key");
  auto* tlist = tok->add_subcommand("list", "the keys (ids, roles, scopes; never the tokens)");
  auto* trevoke = tok->add_subcommand("revoke", "revoke a key by id");
  trevoke->add_option("id", tk.id, "the key id (16 hex digits)")->required();
  tok->require_subcommand(1);
  backup_args ba;
  auto* bak = app.add_subcommand("backup", "backups of the store: create, list, verify, restore (incremental)");
  for (std::string action : {"create", "list", "verify", "restore"}) {
    auto* sub =
        bak->add_subcommand(action, action == "create"   ? "back the store up into DIR (shares unchanged files)"
                                    : action == "list"   ? "the backups in DIR"
                                    : action == "verify" ? "check every file's size and checksum"
                                                         : "restore a backup into --data-dir (a new directory)");
    sub->add_option("dir", ba.dir, "the backup directory")->required();
    if (action == "create") sub->add_option("--note", ba.note, "a note kept with the backup");
    if (action == "verify" || action == "restore")
      sub->add_option("--id", ba.id, "one backup (default: every one / the newest)");
    sub->callback([&ba, action] { ba.action = action; });
  }
  bak->require_subcommand(1);
  bool no_vectors = false;
  idx->add_flag("--no-vectors", no_vectors, "do not update the search index (BM25 and embeddings)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return exit_ok;
  } catch (const CLI::CallForAllHelp&) {
    std::printf("%s", app.help("", CLI::AppFormatMode::All).c_str());
    return exit_ok;
  } catch (const CLI::CallForVersion&) {
    std::printf("codegraph 0.1.0\n");
    return exit_ok;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s\nRun with --help for usage.\n", e.what());
    return exit_usage;
  }

  auto loaded = load_config(config_path);
  if (!loaded.ok()) return report_error(json, exit_usage, loaded.err().message);
  context ctx;
  ctx.cfg = std::move(*loaded);
  ctx.json = json;
  ctx.quiet = quiet;
  ctx.project = project;
  ctx.at = at;
  if (!data_dir.empty()) ctx.cfg.data_dir = data_dir;
  if (!log_format.empty()) ctx.cfg.log.format = log_format;
  if (!log_level.empty()) ctx.cfg.log.level = log_level;
  if (!langs.empty()) ctx.cfg.index.languages = split_commas(langs);
  if (!includes.empty()) ctx.cfg.index.include = includes;
  if (!excludes.empty()) ctx.cfg.index.exclude = excludes;
  if (jobs) ctx.cfg.index.jobs = jobs;
  if (follow) ctx.cfg.index.follow_symlinks = true;
  if (no_vectors) ctx.cfg.search.vectors = false;
  if (no_gitignore) ctx.cfg.index.gitignore = false;
  if (!max_size.empty()) {
    auto sz = parse_size(max_size);
    if (!sz.ok()) return report_error(json, exit_usage, "--max-file-size: " + sz.err().message);
    ctx.cfg.index.max_file_size = *sz;
  }
  // The server logs one line per request at info unless told otherwise.
  if (*srv && log_level.empty() && !std::getenv("CODEGRAPH_LOG_LEVEL") && ctx.cfg.log.level == "warn")
    ctx.cfg.log.level = "info";
  setup_logging(ctx.cfg.log.format, ctx.cfg.log.level);

  if (*idx || *vrebuild) prefer_huge_pages();
  if (!at.empty() && (*idx || *srv || *si || *vec || app.got_subcommand("token") || *bak || *rv || *mcp))
    return report_error(json, exit_usage,
                        "--at reads a version with the graph commands (stats, symbol, node, outline, callers, "
                        "callees, deps, dependents, export, diff) and search; similar and the others use the "
                        "newest state");

  try {
    if (*idx) return run_index(ctx, ia);
    if (app.got_subcommand("stats")) return run_stats(ctx);
    if (app.got_subcommand("projects")) return run_projects(ctx);
    if (*cfg) return run_config_show(ctx);
    if (*sym) return run_symbol(ctx, sa);
    if (*nd) return run_node(ctx, node_arg);
    if (*ol) return run_outline(ctx, outline_arg);
    if (*bl) return run_blame(ctx, blame_arg);
    if (*callers) return run_walk(ctx, walk_kind::callers, wa);
    if (*callees) return run_walk(ctx, walk_kind::callees, wa);
    if (*deps) return run_walk(ctx, walk_kind::deps, wa);
    if (*dependents) return run_walk(ctx, walk_kind::dependents, wa);
    if (*ex) return run_export(ctx, ea);
    if (*se) return run_search(ctx, qa);
    if (*si) return run_similar(ctx, sa2);
    if (*vers) return run_versions(ctx, va);
    if (*df) return run_diff(ctx, da);
    if (*rv) return run_review(ctx, ra);
    if (*mcp) return run_mcp(ctx, mcp_local);
    if (*vstats) return run_vectors(ctx, false);
    if (*vrebuild) return run_vectors(ctx, true);
    if (*srv) return run_serve(ctx, sv);
    if (*bak) return run_backup(ctx, ba);
    if (*tcreate) {
      tk.action = "create";
      return run_token(ctx, tk);
    }
    if (*tlist) {
      tk.action = "list";
      return run_token(ctx, tk);
    }
    if (*trevoke) {
      tk.action = "revoke";
      return run_token(ctx, tk);
    }
  } catch (const std::exception& e) {
    spdlog::critical("unexpected error: {}", e.what());
    return report_error(json, exit_runtime, std::string("unexpected error: ") + e.what());
  }
  return exit_usage;
}
