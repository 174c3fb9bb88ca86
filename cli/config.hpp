#pragma once
// The effective configuration: built-in defaults, then one TOML file, then
// CODEGRAPH_* environment variables, then command-line flags (highest).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "net/client/openai_embedder.hpp"
#include "schema/result.hpp"

namespace cg::cli {

struct config {
  std::string data_dir;     // where the store lives
  std::string config_file;  // the file that was read ("" if none)
  struct {
    unsigned jobs = 0;  // parser workers; 0: one per core
    uint64_t max_file_size = 2u << 20;
    std::vector<std::string> include, exclude, languages;
    bool follow_symlinks = false;
    bool gitignore = true;
    bool versions = true;  // a run over the whole tree commits a version
  } index;
  struct {
    bool vectors = true;            // build the search index while indexing
    size_t dimension = 384;         // embedding dimension of the built-in embedder
    std::string index = "auto";     // auto | flat | ivf_flat | hnsw | ivf_sq8
    bool hnsw_half_floats = true;   // HNSW walks a half-float copy (faster; 2 bytes/dim/vector more)
    std::string fusion = "convex";  // convex | rrf (see actors/search/fusion.hpp)
    size_t rrf_k = 60;
    double bm25_weight = 1.0, vector_weight = 0.2;
  } search;
  struct {
    std::string provider = "builtin";  // builtin | openai (any OpenAI-compatible server)
    std::string base_url, model, api_key, ca_file;
    size_t dimension = 0;         // the model's output size (required for openai)
    size_t batch = 64;            // inputs per request
    uint64_t timeout_ms = 30000;  // per request
    unsigned attempts = 4;        // first try + retries (exponential backoff)
    uint64_t backoff_ms = 500;    // before the first retry; doubles each time
  } embeddings;
  struct {
    std::string listen = "127.0.0.1:8080";     // address:port (port 0: any free port)
    unsigned io_threads = 2;                   // network threads
    unsigned worker_threads = 4;               // blocking handlers (search, parse, graph walks)
    std::string tls_cert, tls_key;             // PEM files: both set turns on HTTPS/WSS
    std::vector<std::string> cors_origins;     // browser origins allowed ("*": any)
    std::vector<std::string> allowed_roots;    // project roots must lie under these (empty: anywhere with
                                               // auth, under registered roots with --no-auth)
    std::vector<std::string> allowed_hosts;    // Host names answered besides IP literals and localhost
    bool query_token = false;                  // ?access_token= accepted (browsers' WebSocket upgrades)
    uint64_t graphql_max_cost = 250000;        // estimated before execution (0: no limit)
    uint64_t graphql_timeout_ms = 30000;       // per operation (per event of a subscription)
    uint64_t graphql_max_memory = 256u << 20;  // estimated bytes of an operation's values
    std::vector<std::string> projects;         // "name=/path" indexed when the server starts
    std::string assets_dir;                    // npm packages GraphiQL is served from; "": the build's node_modules
    std::string web_dir;                       // the dashboard's built files; "": the build's (build/<preset>/web)
    std::vector<std::string> follow;           // NAME=REPO[#BRANCH]: git branches serve follows
    std::string backup_dir;                    // admin backups over REST; "": <data_dir>/backups
    std::string audit_log;                     // JSON lines of writes; "" : <data_dir>/audit.log; "off": none
    uint64_t body_limit = 8u << 20, header_limit = 16u << 10;
    uint64_t read_timeout_ms = 30000, drain_timeout_ms = 10000;
    uint64_t ws_message_limit = 1u << 20, ws_queue_limit = 4u << 20;
    uint64_t ws_idle_timeout_ms = 60000, ws_slow_close_ms = 10000;
    uint64_t ws_init_timeout_ms = 10000;
    uint64_t ws_send_buffer_bytes = 0;  // kernel send buffer per WebSocket (0: autotuned)
    bool watch = true;                  // re-index saved files (inotify)
    uint64_t watch_quiet_us = 2000;     // a burst of saves ends after this long without one (µs)
    bool watch_settled = true;          // hand saved files over once closed/moved, without the quiet window
    uint64_t max_connections = 20000;
    uint64_t worker_queue = 256;  // requests queued for or running on the workers; over: 503 (0: no bound)
    uint64_t edit_queue = 64;     // manual edits waiting per project's graph writer; over: 503 (0: no bound)
    double rate_per_key = 100, burst_per_key = 200, rate_per_ip = 200, burst_per_ip = 400;
    uint64_t cache_bytes = 64u << 20, cache_ttl_ms = 30000;
  } server;
  struct {
    bool enabled = true;         // false: no-auth mode, refused off loopback
    std::string keys_file;       // "" : <data_dir>/api_keys.json
    std::string jwt_secret;      // HS256
    std::string jwt_public_key;  // RS256 public key (PEM file)
    std::string jwt_issuer, jwt_audience;
  } auth;
  struct {
    std::string format = "text";  // text | json
    std::string level = "warn";
  } log;
  struct {
    uint64_t cache = 64u << 20;  // RocksDB block cache
    uint64_t write_buffer = 0;   // memtable per column family (0: 32 MiB for nodes and idx, 16 MiB else)
  } store;
};

// path: an explicit --config (must exist); else $CODEGRAPH_CONFIG, ./codegraph.toml,
// $XDG_CONFIG_HOME/codegraph/config.toml (each optional).
result<config> load_config(const std::string& path);

// The embedding provider's client options from [embeddings].
net::openai_embedder_options provider_options(const config& c);

// [server] and [auth]: from the TOML table (may be null), then CODEGRAPH_SERVER_* and
// CODEGRAPH_AUTH_* variables. Called by load_config.
status load_server_config(const void* toml_table, config& c);
// The [server] and [auth] sections as JSON (secrets shown as "(set)").
nlohmann::json server_config_json(const config& c);

// "2MiB", "512k", "1048576" -> bytes.
result<uint64_t> parse_size(std::string_view s);

std::string default_data_dir();

}  // namespace cg::cli
