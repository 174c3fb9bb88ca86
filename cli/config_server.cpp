// [server], [auth] and [store]: table-driven, so the TOML key, the environment variable and
// the JSON shown by `config show` stay in step.
#include <toml++/toml.h>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <variant>

#include "cli/config.hpp"

namespace cg::cli {
namespace {

enum class kind { text, list, boolean, count, size, real };
struct setting {
  const char* section;
  const char* key;
  kind k;
  std::variant<std::string*, std::vector<std::string>*, bool*, uint64_t*, unsigned*, double*> field;
  bool secret = false;
};

std::vector<setting> settings(config& c) {
  auto& s = c.server;
  auto& a = c.auth;
  return {
      {"server", "listen", kind::text, &s.listen},
      {"server", "io_threads", kind::count, &s.io_threads},
      {"server", "worker_threads", kind::count, &s.worker_threads},
      {"server", "tls_cert", kind::text, &s.tls_cert},
      {"server", "tls_key", kind::text, &s.tls_key},
      {"server", "cors_origins", kind::list, &s.cors_origins},
      {"server", "allowed_roots", kind::list, &s.allowed_roots},
      {"server", "allowed_hosts", kind::list, &s.allowed_hosts},
      {"server", "query_token", kind::boolean, &s.query_token},
      {"server", "graphql_max_cost", kind::count, &s.graphql_max_cost},
      {"server", "graphql_timeout_ms", kind::count, &s.graphql_timeout_ms},
      {"server", "graphql_max_memory", kind::size, &s.graphql_max_memory},
      {"server", "projects", kind::list, &s.projects},
      {"server", "follow", kind::list, &s.follow},
      {"server", "audit_log", kind::text, &s.audit_log},
      {"server", "backup_dir", kind::text, &s.backup_dir},
      {"server", "assets_dir", kind::text, &s.assets_dir},
      {"server", "web_dir", kind::text, &s.web_dir},
      {"server", "body_limit", kind::size, &s.body_limit},
      {"server", "header_limit", kind::size, &s.header_limit},
      {"server", "read_timeout_ms", kind::count, &s.read_timeout_ms},
      {"server", "drain_timeout_ms", kind::count, &s.drain_timeout_ms},
      {"server", "ws_message_limit", kind::size, &s.ws_message_limit},
      {"server", "ws_queue_limit", kind::size, &s.ws_queue_limit},
      {"server", "ws_idle_timeout_ms", kind::count, &s.ws_idle_timeout_ms},
      {"server", "ws_slow_close_ms", kind::count, &s.ws_slow_close_ms},
      {"server", "ws_init_timeout_ms", kind::count, &s.ws_init_timeout_ms},
      {"server", "ws_send_buffer_bytes", kind::count, &s.ws_send_buffer_bytes},
      {"server", "watch", kind::boolean, &s.watch},
      {"server", "watch_quiet_us", kind::count, &s.watch_quiet_us},
      {"server", "watch_settled", kind::boolean, &s.watch_settled},
      {"server", "max_connections", kind::count, &s.max_connections},
      {"server", "worker_queue", kind::count, &s.worker_queue},
      {"server", "edit_queue", kind::count, &s.edit_queue},
      {"server", "rate_per_key", kind::real, &s.rate_per_key},
      {"server", "burst_per_key", kind::real, &s.burst_per_key},
      {"server", "rate_per_ip", kind::real, &s.rate_per_ip},
      {"server", "burst_per_ip", kind::real, &s.burst_per_ip},
      {"server", "cache_bytes", kind::size, &s.cache_bytes},
      {"server", "cache_ttl_ms", kind::count, &s.cache_ttl_ms},
      {"store", "cache", kind::size, &c.store.cache},
      {"store", "write_buffer", kind::size, &c.store.write_buffer},
      {"auth", "enabled", kind::boolean, &a.enabled},
      {"auth", "keys_file", kind::text, &a.keys_file},
      {"auth", "jwt_secret", kind::text, &a.jwt_secret, true},
      {"auth", "jwt_public_key", kind::text, &a.jwt_public_key},
      {"auth", "jwt_issuer", kind::text, &a.jwt_issuer},
      {"auth", "jwt_audience", kind::text, &a.jwt_audience},
  };
}

std::string env_name(const setting& s) {
  std::string n = std::string("CODEGRAPH_") + s.section + "_" + s.key;
  for (auto& ch : n) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return n;
}

std::vector<std::string> split(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    auto c = v.find(',', start);
    auto item = v.substr(start, c == std::string::npos ? std::string::npos : c - start);
    if (!item.empty()) out.push_back(item);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

// From a string (environment) into the field.
status assign(const setting& s, const std::string& v, const std::string& where) {
  auto bad = [&](const char* what) { return make_error(errc::invalid_argument, where + " must be " + what); };
  switch (s.k) {
    case kind::text: *std::get<std::string*>(s.field) = v; return {};
    case kind::list: *std::get<std::vector<std::string>*>(s.field) = split(v); return {};
    case kind::boolean: {
      auto* b = std::get<bool*>(s.field);
      if (v == "1" || v == "true" || v == "yes" || v == "on")
        *b = true;
      else if (v == "0" || v == "false" || v == "no" || v == "off")
        *b = false;
      else
        return bad("true or false");
      return {};
    }
    case kind::size: {
      auto n = parse_size(v);
      if (!n.ok()) return bad("a size (e.g. 8MiB)");
      *std::get<uint64_t*>(s.field) = *n;
      return {};
    }
    case kind::count: {
      char* end = nullptr;
      auto n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end) return bad("a whole number");
      if (auto* u = std::get_if<unsigned*>(&s.field))
        **u = static_cast<unsigned>(n);
      else
        *std::get<uint64_t*>(s.field) = n;
      return {};
    }
    case kind::real: {
      char* end = nullptr;
      auto d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || d < 0) return bad("a number >= 0");
      *std::get<double*>(s.field) = d;
      return {};
    }
  }
  return {};
}

status from_toml(const setting& s, const toml::node& n, const std::string& where) {
  if (s.k == kind::list) {
    auto* arr = n.as_array();
    if (!arr) return make_error(errc::invalid_argument, where + " must be an array of strings");
    auto* out = std::get<std::vector<std::string>*>(s.field);
    out->clear();
    for (auto& el : *arr)
      if (auto v = el.value<std::string>()) out->push_back(*v);
    return {};
  }
  if (auto v = n.value<std::string>()) return assign(s, *v, where);
  if (auto v = n.value<bool>()) return assign(s, *v ? "true" : "false", where);
  // value_exact: toml++'s value<int64_t>() casts a float to an integer, undefined for
  // 1.5e110 (found by fuzz_config).
  if (auto v = n.value_exact<int64_t>()) return assign(s, std::to_string(*v), where);
  if (auto v = n.value<double>()) return assign(s, std::to_string(*v), where);
  return make_error(errc::invalid_argument, where + " has the wrong type");
}

}  // namespace

status load_server_config(const void* table, config& c) {
  const auto* t = static_cast<const toml::table*>(table);
  for (const auto& s : settings(c)) {
    if (t) {
      if (const auto* n = (*t)[s.section][s.key].node())
        if (auto st = from_toml(s, *n, std::string(s.section) + "." + s.key); !st.ok()) return st;
    }
    if (const char* e = std::getenv(env_name(s).c_str()); e && *e)
      if (auto st = assign(s, e, env_name(s)); !st.ok()) return st;
  }
  if (c.server.listen.rfind(':') == std::string::npos)
    return make_error(errc::invalid_argument, "server.listen must be address:port, e.g. 127.0.0.1:8080");
  return {};
}

nlohmann::json server_config_json(const config& cfg) {
  auto& c = const_cast<config&>(cfg);  // settings() takes pointers; nothing is written here
  nlohmann::json j = nlohmann::json::object();
  for (const auto& s : settings(c)) {
    nlohmann::json v;
    std::visit([&](auto* p) { v = *p; }, s.field);
    if (s.secret && v.is_string() && !v.get<std::string>().empty()) v = "(set)";
    j[s.section][s.key] = v;
  }
  return j;
}

}  // namespace cg::cli
