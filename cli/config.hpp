#pragma once
// The effective configuration: built-in defaults, then one TOML file, then
// CODEGRAPH_* environment variables, then command-line flags (highest).
#include <cstdint>
#include <string>
#include <vector>

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
    size_t rrf_k = 60;
    double bm25_weight = 1.0, vector_weight = 1.0;
  } search;
  struct {
    std::string format = "text";   // text | json
    std::string level = "warn";
  } log;
};

// path: an explicit --config (must exist); else $CODEGRAPH_CONFIG, ./codegraph.toml,
// $XDG_CONFIG_HOME/codegraph/config.toml (each optional).
result<config> load_config(const std::string& path);

// "2MiB", "512k", "1048576" -> bytes.
result<uint64_t> parse_size(std::string_view s);

std::string default_data_dir();

}  // namespace cg::cli
