#include "cli/config.hpp"

#include "actors/search/search_types.hpp"

#include <cstdlib>
#include <filesystem>

#include <toml++/toml.h>

namespace cg::cli {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    auto item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool parse_bool(const std::string& s, bool& out) {
  if (s == "1" || s == "true" || s == "yes" || s == "on")
    out = true;
  else if (s == "0" || s == "false" || s == "no" || s == "off")
    out = false;
  else
    return false;
  return true;
}

std::vector<std::string> string_array(const toml::node_view<toml::node>& n) {
  std::vector<std::string> out;
  if (auto* arr = n.as_array())
    for (auto& el : *arr)
      if (auto s = el.value<std::string>()) out.push_back(*s);
  return out;
}

}  // namespace

std::string default_data_dir() {
  auto xdg = env("XDG_DATA_HOME");
  if (!xdg.empty()) return xdg + "/codegraph";
  auto home = env("HOME");
  if (!home.empty()) return home + "/.local/share/codegraph";
  return ".codegraph";
}

net::openai_embedder_options provider_options(const config& c) {
  net::openai_embedder_options o;
  o.base_url = c.embeddings.base_url;
  o.model = c.embeddings.model;
  o.api_key = c.embeddings.api_key;
  o.dimension = c.embeddings.dimension;
  o.batch = c.embeddings.batch;
  o.timeout = std::chrono::milliseconds(c.embeddings.timeout_ms);
  o.attempts = c.embeddings.attempts;
  o.backoff = std::chrono::milliseconds(c.embeddings.backoff_ms);
  o.tls.ca_file = c.embeddings.ca_file;
  return o;
}

result<config> load_config(const std::string& explicit_path) {
  namespace fs = std::filesystem;
  config c;
  c.data_dir = default_data_dir();

  std::string path = explicit_path;
  if (path.empty()) {
    std::vector<std::string> candidates;
    if (auto e = env("CODEGRAPH_CONFIG"); !e.empty()) candidates.push_back(e);
    candidates.push_back("codegraph.toml");
    auto xdg = env("XDG_CONFIG_HOME");
    if (xdg.empty() && !env("HOME").empty()) xdg = env("HOME") + "/.config";
    if (!xdg.empty()) candidates.push_back(xdg + "/codegraph/config.toml");
    std::error_code ec;
    for (const auto& p : candidates)
      if (fs::is_regular_file(p, ec)) {
        path = p;
        break;
      }
  } else {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return make_error(errc::not_found, "config file not found: " + path);
  }

  toml::table t;
  if (!path.empty()) {
    try {  // toml++ reports parse errors by exception: they stay in this function
      t = toml::parse_file(path);
    } catch (const toml::parse_error& err) {
      return make_error(errc::invalid_argument, "invalid config " + path + ":" +
                                                    std::to_string(err.source().begin.line) + ": " +
                                                    std::string(err.description()));
    }
    c.config_file = path;
    if (auto v = t["data_dir"].value<std::string>()) c.data_dir = *v;
    if (auto v = t["index"]["jobs"].value_exact<int64_t>())
      c.index.jobs = static_cast<unsigned>(std::max<int64_t>(0, *v));
    if (auto v = t["index"]["max_file_size"].value<std::string>()) {
      auto sz = parse_size(*v);
      if (!sz.ok()) return make_error(errc::invalid_argument, path + ": index.max_file_size: " + sz.err().message);
      c.index.max_file_size = *sz;
    } else if (auto n = t["index"]["max_file_size"].value_exact<int64_t>()) {
      c.index.max_file_size = static_cast<uint64_t>(*n);
    }
    if (t["index"]["include"]) c.index.include = string_array(t["index"]["include"]);
    if (t["index"]["exclude"]) c.index.exclude = string_array(t["index"]["exclude"]);
    if (t["index"]["languages"]) c.index.languages = string_array(t["index"]["languages"]);
    if (auto v = t["index"]["follow_symlinks"].value<bool>()) c.index.follow_symlinks = *v;
    if (auto v = t["index"]["gitignore"].value<bool>()) c.index.gitignore = *v;
    if (auto v = t["index"]["versions"].value<bool>()) c.index.versions = *v;
    if (auto v = t["log"]["format"].value<std::string>()) c.log.format = *v;
    if (auto v = t["log"]["level"].value<std::string>()) c.log.level = *v;
    if (auto v = t["search"]["vectors"].value<bool>()) c.search.vectors = *v;
    if (auto v = t["search"]["dimension"].value_exact<int64_t>())
      c.search.dimension = static_cast<size_t>(std::max<int64_t>(0, *v));
    if (auto v = t["search"]["index"].value<std::string>()) c.search.index = *v;
    if (auto v = t["search"]["hnsw_half_floats"].value<bool>()) c.search.hnsw_half_floats = *v;
    if (auto v = t["search"]["fusion"].value<std::string>()) c.search.fusion = *v;
    if (auto v = t["search"]["rrf_k"].value_exact<int64_t>())
      c.search.rrf_k = static_cast<size_t>(std::max<int64_t>(1, *v));
    if (auto v = t["search"]["bm25_weight"].value<double>()) c.search.bm25_weight = *v;
    if (auto v = t["search"]["vector_weight"].value<double>()) c.search.vector_weight = *v;
    auto em = t["embeddings"];
    if (auto v = em["provider"].value<std::string>()) c.embeddings.provider = *v;
    if (auto v = em["base_url"].value<std::string>()) c.embeddings.base_url = *v;
    if (auto v = em["model"].value<std::string>()) c.embeddings.model = *v;
    if (auto v = em["api_key"].value<std::string>()) c.embeddings.api_key = *v;
    if (auto v = em["ca_file"].value<std::string>()) c.embeddings.ca_file = *v;
    if (auto v = em["dimension"].value_exact<int64_t>())
      c.embeddings.dimension = static_cast<size_t>(std::max<int64_t>(0, *v));
    if (auto v = em["batch"].value_exact<int64_t>()) c.embeddings.batch = static_cast<size_t>(std::max<int64_t>(0, *v));
    if (auto v = em["timeout_ms"].value_exact<int64_t>())
      c.embeddings.timeout_ms = static_cast<uint64_t>(std::max<int64_t>(1, *v));
    if (auto v = em["attempts"].value_exact<int64_t>())
      c.embeddings.attempts = static_cast<unsigned>(std::max<int64_t>(0, *v));
    if (auto v = em["backoff_ms"].value_exact<int64_t>())
      c.embeddings.backoff_ms = static_cast<uint64_t>(std::max<int64_t>(0, *v));
  }

  // Environment overrides.
  if (auto e = env("CODEGRAPH_DATA_DIR"); !e.empty()) c.data_dir = e;
  if (auto e = env("CODEGRAPH_INDEX_JOBS"); !e.empty()) c.index.jobs = static_cast<unsigned>(std::atoi(e.c_str()));
  if (auto e = env("CODEGRAPH_INDEX_MAX_FILE_SIZE"); !e.empty()) {
    auto sz = parse_size(e);
    if (!sz.ok()) return make_error(errc::invalid_argument, "CODEGRAPH_INDEX_MAX_FILE_SIZE: " + sz.err().message);
    c.index.max_file_size = *sz;
  }
  if (auto e = env("CODEGRAPH_INDEX_INCLUDE"); !e.empty()) c.index.include = split_list(e);
  if (auto e = env("CODEGRAPH_INDEX_EXCLUDE"); !e.empty()) c.index.exclude = split_list(e);
  if (auto e = env("CODEGRAPH_INDEX_LANGUAGES"); !e.empty()) c.index.languages = split_list(e);
  if (auto e = env("CODEGRAPH_INDEX_FOLLOW_SYMLINKS"); !e.empty() && !parse_bool(e, c.index.follow_symlinks))
    return make_error(errc::invalid_argument, "CODEGRAPH_INDEX_FOLLOW_SYMLINKS must be true or false");
  if (auto e = env("CODEGRAPH_INDEX_GITIGNORE"); !e.empty() && !parse_bool(e, c.index.gitignore))
    return make_error(errc::invalid_argument, "CODEGRAPH_INDEX_GITIGNORE must be true or false");
  if (auto e = env("CODEGRAPH_INDEX_VERSIONS"); !e.empty() && !parse_bool(e, c.index.versions))
    return make_error(errc::invalid_argument, "CODEGRAPH_INDEX_VERSIONS must be true or false");
  if (auto e = env("CODEGRAPH_SEARCH_VECTORS"); !e.empty() && !parse_bool(e, c.search.vectors))
    return make_error(errc::invalid_argument, "CODEGRAPH_SEARCH_VECTORS must be true or false");
  if (auto e = env("CODEGRAPH_SEARCH_DIMENSION"); !e.empty())
    c.search.dimension = static_cast<size_t>(std::atoi(e.c_str()));
  if (auto e = env("CODEGRAPH_SEARCH_INDEX"); !e.empty()) c.search.index = e;
  if (auto e = env("CODEGRAPH_SEARCH_HNSW_HALF_FLOATS"); !e.empty() && !parse_bool(e, c.search.hnsw_half_floats))
    return make_error(errc::invalid_argument, "CODEGRAPH_SEARCH_HNSW_HALF_FLOATS must be true or false");
  if (auto e = env("CODEGRAPH_SEARCH_FUSION"); !e.empty()) c.search.fusion = e;
  if (!parse_fusion_method(c.search.fusion))
    return make_error(errc::invalid_argument, "search.fusion must be rrf or convex");
  if (c.search.dimension < 8 || c.search.dimension > 8192)
    return make_error(errc::invalid_argument, "search.dimension must be between 8 and 8192");
  if (c.search.index != "auto" && !parse_index_kind(c.search.index))
    return make_error(errc::invalid_argument, "search.index must be auto, flat, ivf_flat, hnsw or ivf_sq8");
  if (auto e = env("CODEGRAPH_EMBEDDINGS_PROVIDER"); !e.empty()) c.embeddings.provider = e;
  if (auto e = env("CODEGRAPH_EMBEDDINGS_BASE_URL"); !e.empty()) c.embeddings.base_url = e;
  if (auto e = env("CODEGRAPH_EMBEDDINGS_MODEL"); !e.empty()) c.embeddings.model = e;
  if (auto e = env("CODEGRAPH_EMBEDDINGS_API_KEY"); !e.empty()) c.embeddings.api_key = e;
  if (auto e = env("CODEGRAPH_EMBEDDINGS_CA_FILE"); !e.empty()) c.embeddings.ca_file = e;
  if (auto e = env("CODEGRAPH_EMBEDDINGS_DIMENSION"); !e.empty())
    c.embeddings.dimension = static_cast<size_t>(std::atoll(e.c_str()));
  if (auto e = env("CODEGRAPH_EMBEDDINGS_TIMEOUT_MS"); !e.empty())
    c.embeddings.timeout_ms = static_cast<uint64_t>(std::atoll(e.c_str()));
  if (auto e = env("CODEGRAPH_EMBEDDINGS_ATTEMPTS"); !e.empty())
    c.embeddings.attempts = static_cast<unsigned>(std::atoi(e.c_str()));
  if (auto e = env("CODEGRAPH_EMBEDDINGS_BACKOFF_MS"); !e.empty())
    c.embeddings.backoff_ms = static_cast<uint64_t>(std::atoll(e.c_str()));
  if (c.embeddings.provider != "builtin" && c.embeddings.provider != "openai")
    return make_error(errc::invalid_argument,
                      "embeddings.provider must be builtin or openai, not " + c.embeddings.provider);
  if (c.embeddings.provider == "openai") {
    if (auto s = net::validate(provider_options(c)); !s.ok()) return s.err();
  }
  if (auto s = load_server_config(path.empty() ? nullptr : &t, c); !s.ok()) return s.err();
  if (auto e = env("CODEGRAPH_LOG_FORMAT"); !e.empty()) c.log.format = e;
  if (auto e = env("CODEGRAPH_LOG_LEVEL"); !e.empty()) c.log.level = e;
  if (c.log.format != "text" && c.log.format != "json")
    return make_error(errc::invalid_argument, "log format must be text or json, not " + c.log.format);
  return c;
}

}  // namespace cg::cli
