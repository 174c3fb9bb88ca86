// codegraph serve, codegraph token create|list|revoke
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "actors/engine.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/server_file.hpp"
#include "net/app/auth.hpp"
#include "net/transport/memory_trim.hpp"
#include "net/transport/server.hpp"

namespace cg::cli {
namespace {

std::string keys_file_of(const context& ctx) {
  return ctx.cfg.auth.keys_file.empty() ? ctx.cfg.data_dir + "/api_keys.json" : ctx.cfg.auth.keys_file;
}

result<net::server_options> server_options_of(const context& ctx, const serve_args& a) {
  const auto& s = ctx.cfg.server;
  net::server_options o;
  auto listen = a.listen.empty() ? s.listen : a.listen;
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return make_error(errc::invalid_argument, "--listen must be address:port");
  o.address = listen.substr(0, colon);
  if (o.address.size() > 2 && o.address.front() == '[') o.address = o.address.substr(1, o.address.size() - 2);
  auto port = std::strtoul(listen.c_str() + colon + 1, nullptr, 10);
  if (port > 65535) return make_error(errc::invalid_argument, "port out of range in " + listen);
  o.port = static_cast<uint16_t>(port);
  o.io_threads = s.io_threads;
  o.worker_threads = s.worker_threads;
  o.tls_cert_file = a.tls_cert.empty() ? s.tls_cert : a.tls_cert;
  o.tls_key_file = a.tls_key.empty() ? s.tls_key : a.tls_key;
  o.cors_origins = s.cors_origins;
  o.allowed_roots = s.allowed_roots;
  o.allowed_hosts = s.allowed_hosts;
  o.query_token = s.query_token;
  o.graphql.max_cost = s.graphql_max_cost;
  o.graphql.timeout = std::chrono::milliseconds(s.graphql_timeout_ms);
  o.graphql.max_memory = static_cast<size_t>(s.graphql_max_memory);
  o.audit_log = s.audit_log.empty() ? ctx.cfg.data_dir + "/audit.log" : s.audit_log == "off" ? "" : s.audit_log;
  o.data_dir = ctx.cfg.data_dir;
  o.backup_dir = s.backup_dir.empty() ? ctx.cfg.data_dir + "/backups" : s.backup_dir;
  o.assets_dir = s.assets_dir;
  o.web_dir = s.web_dir;
  o.watch = s.watch;
  o.watch_quiet = std::chrono::microseconds(s.watch_quiet_us);
  o.watch_settled = s.watch_settled;
  o.auth.enabled = ctx.cfg.auth.enabled && !a.no_auth;
  o.auth.keys_file = keys_file_of(ctx);
  o.auth.jwt_secret = ctx.cfg.auth.jwt_secret;
  o.auth.jwt_public_key_file = ctx.cfg.auth.jwt_public_key;
  o.auth.jwt_issuer = ctx.cfg.auth.jwt_issuer;
  o.auth.jwt_audience = ctx.cfg.auth.jwt_audience;
  auto& l = o.limits;
  l.body_bytes = s.body_limit;
  l.header_bytes = s.header_limit;
  l.read_timeout = std::chrono::milliseconds(s.read_timeout_ms);
  l.drain_timeout = std::chrono::milliseconds(s.drain_timeout_ms);
  l.ws_message_bytes = s.ws_message_limit;
  l.ws_queue_bytes = s.ws_queue_limit;
  l.ws_idle_timeout = std::chrono::milliseconds(s.ws_idle_timeout_ms);
  l.ws_slow_close = std::chrono::milliseconds(s.ws_slow_close_ms);
  l.ws_init_timeout = std::chrono::milliseconds(s.ws_init_timeout_ms);
  l.ws_send_buffer = static_cast<size_t>(s.ws_send_buffer_bytes);
  l.max_connections = s.max_connections;
  l.worker_queue = static_cast<size_t>(s.worker_queue);
  o.rate.per_key_rps = s.rate_per_key;
  o.rate.per_key_burst = s.burst_per_key;
  o.rate.per_ip_rps = s.rate_per_ip;
  o.rate.per_ip_burst = s.burst_per_ip;
  o.cache_bytes = s.cache_bytes;
  o.cache_ttl = std::chrono::milliseconds(s.cache_ttl_ms);
  o.max_file_bytes = ctx.cfg.index.max_file_size;
  o.vectors = ctx.cfg.search.vectors;
  o.fusion = ctx.cfg.search.fusion;
  o.rrf_k = ctx.cfg.search.rrf_k;
  o.bm25_weight = ctx.cfg.search.bm25_weight;
  o.vector_weight = ctx.cfg.search.vector_weight;
  return o;
}

}  // namespace

int run_serve(const context& ctx, const serve_args& args) {
  auto opts = server_options_of(ctx, args);
  if (!opts.ok()) return report_error(ctx.json, exit_usage, opts.err().message);
  std::vector<std::pair<std::string, std::string>> projects;
  auto specs = ctx.cfg.server.projects;
  specs.insert(specs.end(), args.projects.begin(), args.projects.end());
  for (const auto& p : specs) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size())
      return report_error(ctx.json, exit_usage, "--project-root must be NAME=PATH, not " + p);
    std::error_code ec;
    auto abs = std::filesystem::weakly_canonical(p.substr(eq + 1), ec);
    if (ec || !std::filesystem::is_directory(abs, ec))
      return report_error(ctx.json, exit_usage, "not a directory: " + p.substr(eq + 1));
    projects.emplace_back(p.substr(0, eq), abs.string());
  }
  // Signals are taken by sigwait below: block them before any thread starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  auto eo = engine_options_for(ctx);
  eo.parser_workers = ctx.cfg.index.jobs;
  eo.vectors.background_index = true;  // the ANN index is built between searches
  eo.edit_queue_limit = static_cast<size_t>(ctx.cfg.server.edit_queue);
  auto eng = engine::open(eo);
  if (!eng.ok()) return report_error(ctx.json, exit_runtime, owner_hint(ctx.cfg.data_dir, eng.err()).message);
  // The local token, for the CLI beside this server (server.json).
  auto local_token = net::random_token("cgl_");
  if (!local_token.empty()) opts->auth.local_token_sha256 = net::sha256_hex(local_token);
  auto srv = net::server::start(**eng, *opts);
  if (!srv.ok()) return report_error(ctx.json, exit_runtime, srv.err().message);
  if (!local_token.empty()) {
    server_file f;
    f.pid = static_cast<int>(::getpid());
    f.token = local_token;
    f.started_unix = static_cast<long long>(std::time(nullptr));
    auto port = std::to_string((*srv)->port());
    if ((*srv)->tls()) {
      f.url = "https://localhost:" + port;  // as its certificate names it
      f.tls_cert = std::filesystem::absolute(opts->tls_cert_file).string();
    } else {
      auto host = opts->address;
      if (host == "0.0.0.0" || host.empty())
        host = "127.0.0.1";
      else if (host == "::")
        host = "::1";
      if (host.find(':') != std::string::npos) host = "[" + host + "]";
      f.url = "http://" + host + ":" + port;
    }
    if (auto s = write_server_file(ctx.cfg.data_dir, f); !s.ok())
      spdlog::warn("{} (the CLI will not find this server)", s.err().message);
  }
  nlohmann::json started = {{"listening", (*srv)->base_url()},
                            {"port", (*srv)->port()},
                            {"tls", (*srv)->tls()},
                            {"auth", opts->auth.enabled},
                            {"data_dir", ctx.cfg.data_dir}};
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& [name, root] : projects) {
    auto t = (*srv)->index_project(name, root);
    if (!t.ok()) {
      remove_server_file(ctx.cfg.data_dir);
      (*srv)->shutdown();
      return report_error(ctx.json, exit_runtime, "project " + name + ": " + t.err().message);
    }
    tasks.push_back({{"project", name}, {"root", root}, {"task", *t}});
  }
  started["index_tasks"] = tasks;
  auto follows = ctx.cfg.server.follow;
  follows.insert(follows.end(), args.follow.begin(), args.follow.end());
  nlohmann::json followed = nlohmann::json::array();
  for (const auto& f : follows) {
    auto eq = f.find('='), hash = f.rfind('#');
    if (eq == std::string::npos || eq == 0 || eq + 1 == f.size() || (hash != std::string::npos && hash < eq)) {
      remove_server_file(ctx.cfg.data_dir);
      (*srv)->shutdown();
      return report_error(ctx.json, exit_usage, "--follow must be NAME=REPO[#BRANCH], not " + f);
    }
    auto name = f.substr(0, eq);
    auto repo = hash == std::string::npos ? f.substr(eq + 1) : f.substr(eq + 1, hash - eq - 1);
    auto branch = hash == std::string::npos ? std::string() : f.substr(hash + 1);
    if (auto st = (*srv)->follow_project(name, repo, branch); !st.ok()) {
      remove_server_file(ctx.cfg.data_dir);
      (*srv)->shutdown();
      return report_error(ctx.json, exit_runtime, "follow " + name + ": " + st.err().message);
    }
    followed.push_back({{"project", name}, {"repository", repo}, {"branch", branch.empty() ? "HEAD" : branch}});
  }
  started["follow"] = followed;
  if (!args.port_file.empty()) {
    std::ofstream pf(args.port_file + ".tmp");
    pf << (*srv)->port() << "\n";
    pf.close();
    std::filesystem::rename(args.port_file + ".tmp", args.port_file);
  }
  if (ctx.json) {
    std::printf("%s\n", started.dump().c_str());
  } else {
    std::printf("codegraph serving on %s (%s)\n", (*srv)->base_url().c_str(),
                opts->auth.enabled ? "auth on" : "no auth, loopback only");
    std::printf("  dashboard: open %s/ in a browser%s\n", (*srv)->base_url().c_str(),
                opts->auth.enabled ? " and paste an API key" : "");
    for (const auto& t : tasks)
      std::printf("  indexing %s (%s) as task %llu\n", t["project"].get<std::string>().c_str(),
                  t["root"].get<std::string>().c_str(), static_cast<unsigned long long>(t["task"].get<uint64_t>()));
  }
  std::fflush(stdout);
  // Wait for SIGINT/SIGTERM; once a second, the main thread's part of giving memory
  // back after a burst (only it reclaims what threads that ended left behind).
  // Asked for, it trims at once and again 5 s later (pages freed after the first).
  int sig = 0;
  auto again = std::chrono::steady_clock::time_point::max();
  while (sig <= 0) {
    timespec second{1, 0};
    sig = sigtimedwait(&sigs, nullptr, &second);
    if (sig > 0) break;
    auto now = std::chrono::steady_clock::now();
    if ((*srv)->main_thread_trim_due()) {
      net::release_free_memory();
      again = now + std::chrono::seconds(5);
    } else if (now >= again) {
      net::release_free_memory();
      again = std::chrono::steady_clock::time_point::max();
    }
  }
  spdlog::info("signal {}: graceful shutdown", sig);
  remove_server_file(ctx.cfg.data_dir);
  (*srv)->shutdown();
  srv->reset();
  eng->reset();
  if (!ctx.json && !ctx.quiet) std::printf("codegraph stopped (signal %d)\n", sig);
  return exit_ok;
}

int run_token(const context& ctx, const token_args& args) {
  auto file = keys_file_of(ctx);
  if (args.action == "create") {
    net::role r;
    if (!net::parse_role(args.role, r))
      return report_error(ctx.json, exit_usage, "--role must be reader, writer or admin");
    net::api_key_record rec;
    auto token = net::create_api_key(file, r, args.project, args.name, &rec);
    if (!token.ok()) return report_error(ctx.json, exit_runtime, token.err().message);
    if (ctx.json) {
      print_json(
          {{"token", *token}, {"id", rec.id}, {"role", args.role}, {"project", args.project}, {"keys_file", file}});
    } else {
      std::printf("%s\n", token->c_str());
      std::fprintf(stderr, "API key %s (%s%s) stored hashed in %s; the token above is shown only once.\n",
                   rec.id.c_str(), args.role.c_str(), args.project.empty() ? "" : (", project " + args.project).c_str(),
                   file.c_str());
    }
    return exit_ok;
  }
  if (args.action == "list") {
    auto keys = net::load_api_keys(file);
    if (!keys.ok()) return report_error(ctx.json, exit_runtime, keys.err().message);
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& k : *keys)
      arr.push_back({{"id", k.id},
                     {"role", net::to_string(k.granted)},
                     {"project", k.project},
                     {"name", k.name},
                     {"created", k.created}});
    if (ctx.json) {
      print_json({{"keys", arr}});
    } else {
      for (const auto& k : *keys)
        std::printf("%s  %-6s  %-16s  %s\n", k.id.c_str(), std::string(net::to_string(k.granted)).c_str(),
                    k.project.empty() ? "(all projects)" : k.project.c_str(), k.name.c_str());
      if (keys->empty()) std::printf("no API keys in %s\n", file.c_str());
    }
    return exit_ok;
  }
  auto s = net::revoke_api_key(file, args.id);
  if (!s.ok())
    return report_error(ctx.json, s.err().code == errc::not_found ? exit_usage : exit_runtime, s.err().message);
  if (ctx.json)
    print_json({{"revoked", args.id}});
  else
    std::printf("revoked %s\n", args.id.c_str());
  return exit_ok;
}

}  // namespace cg::cli
