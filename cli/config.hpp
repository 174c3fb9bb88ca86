#pragma once
// The effective configuration: built-in defaults, then one TOML file, then
// CODEGRAPH_* environment variables, then command-line flags (highest).
#include <cstdint>
#include <string>
#include <vector>

#include "net/openai_embedder.hpp"
#include "schema/result.hpp"

namespace cg::cli {

struct config {
  std::string data_dir;            // where the store lives
  std::string config_file;         // the file that was read ("" if none)
  struct {
    unsigned jobs = 0;             // parser workers; 0: one per core
    uint64_t max_file_size = 2u << 20;
    std::vector<std::string> include, exclude, languages;
    bool follow_symlinks = false;
    bool gitignore = true;
  } index;
  struct {
    bool vectors = true;           // build the search index while indexing
    size_t dimension = 384;        // embedding dimension of the built-in embedder
    std::string index = "auto";    // auto | flat | ivf_flat | hnsw | ivf_sq8
    std::string fusion = "convex"; // convex | rrf (see actors/vector/fusion.hpp)
    size_t rrf_k = 60;
    double bm25_weight = 1.0, vector_weight = 0.2;
  } search;
  struct {
    std::string provider = "builtin";  // builtin | openai (any OpenAI-compatible server)
    std::string base_url, model, api_key, ca_file;
    size_t dimension = 0;          // the model's output size (required for openai)
    size_t batch = 64;             // inputs per request
    uint64_t timeout_ms = 30000;   // per request
    unsigned attempts = 4;         // first try + retries (exponential backoff)
    uint64_t backoff_ms = 500;     // before the first retry; doubles each time
  } embeddings;
  struct {
    std::string format = "text";   // text | json
    std::string level = "warn";
  } log;
};

// path: an explicit --config (must exist); else $CODEGRAPH_CONFIG, ./codegraph.toml,
// $XDG_CONFIG_HOME/codegraph/config.toml (each optional).
result<config> load_config(const std::string& path);

// The embedding provider's client options from [embeddings].
net::openai_embedder_options provider_options(const config& c);

// "2MiB", "512k", "1048576" -> bytes.
result<uint64_t> parse_size(std::string_view s);

std::string default_data_dir();

}  // namespace cg::cli
