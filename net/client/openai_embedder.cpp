#include "net/client/openai_embedder.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace cg::net {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

std::string endpoint_of(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0) return base + "/embeddings";
  return base + "/v1/embeddings";
}

bool retryable_status(int s) { return s == 408 || s == 429 || (s >= 500 && s != 501 && s != 505); }

// The provider's own message, when it sent the usual {"error": {"message": ...}}.
std::string provider_message(const std::string& body) {
  std::string msg;
  try {
    auto j = json::parse(body);
    if (j.contains("error")) {
      const auto& e = j["error"];
      msg = e.is_string() ? e.get<std::string>() : e.value("message", std::string{});
    }
  } catch (const std::exception&) {}
  if (msg.empty()) msg = body.substr(0, 200);
  return msg;
}

// Cut at a UTF-8 boundary.
std::string_view cut(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

status validate(const openai_embedder_options& o) {
  if (o.base_url.rfind("http://", 0) != 0 && o.base_url.rfind("https://", 0) != 0)
    return make_error(errc::invalid_argument,
                      "embeddings.base_url must start with http:// or https:// (got \"" + o.base_url + "\")");
  if (o.model.empty())
    return make_error(errc::invalid_argument, "embeddings.model is required for the openai provider");
  if (o.dimension < 8 || o.dimension > 8192)
    return make_error(errc::invalid_argument, "embeddings.dimension must be the model's output size (8 to 8192)");
  if (o.batch == 0) return make_error(errc::invalid_argument, "embeddings.batch must be at least 1");
  if (o.attempts == 0) return make_error(errc::invalid_argument, "embeddings.attempts must be at least 1");
  return {};
}

openai_embedder::openai_embedder(openai_embedder_options o, sleeper sleep)
    : opts_(std::move(o)), sleep_(std::move(sleep)), endpoint_(endpoint_of(opts_.base_url)) {
  if (!sleep_) sleep_ = [](milliseconds d) { std::this_thread::sleep_for(d); };
}

result<http_response> openai_embedder::post_with_retries(const std::string& body) {
  http_request rq;
  rq.url = endpoint_;
  rq.body = body;
  rq.timeout = opts_.timeout;
  rq.headers.emplace_back("Accept", "application/json");
  if (!opts_.api_key.empty()) rq.headers.emplace_back("Authorization", "Bearer " + opts_.api_key);
  http_client_options co;
  co.tls = opts_.tls;
  std::minstd_rand jitter(std::random_device{}());
  milliseconds wait = opts_.backoff;
  error last;
  for (unsigned attempt = 1; attempt <= opts_.attempts; ++attempt) {
    auto res = http_call(rq, co);
    milliseconds pause = wait;
    if (res.ok()) {
      if (res->status >= 200 && res->status < 300) return res;
      std::string what = "HTTP " + std::to_string(res->status) + ": " + provider_message(res->body);
      if (res->status == 401 || res->status == 403)
        return make_error(errc::upstream, "embedding provider " + endpoint_ + " refused the request (" + what +
                                              "); check embeddings.api_key");
      if (!retryable_status(res->status))
        return make_error(errc::upstream, "embedding provider " + endpoint_ + " rejected the request (" + what + ")");
      last = make_error(errc::upstream, what);
      if (auto ra = res->header("Retry-After"); !ra.empty()) {
        long secs = std::strtol(ra.c_str(), nullptr, 10);
        if (secs > 0) pause = std::min(milliseconds(secs * 1000), milliseconds(30000));
      }
    } else {
      if (res.err().code == errc::invalid_argument) return res.err();  // a bad URL does not get better
      last = res.err();
    }
    if (attempt == opts_.attempts) break;
    // ±20% jitter so that many clients do not retry in step.
    auto spread = static_cast<long>(pause.count() / 5);
    if (spread > 0) pause += milliseconds(static_cast<long>(jitter() % (2 * spread + 1)) - spread);
    spdlog::warn("embedding provider {}: {} (attempt {} of {}, retrying in {} ms)", endpoint_, last.message, attempt,
                 opts_.attempts, pause.count());
    sleep_(pause);
    wait = std::min(wait * 2, milliseconds(30000));
  }
  return make_error(last.code == errc::timeout ? errc::timeout : errc::upstream,
                    "embedding provider " + endpoint_ + " failed after " + std::to_string(opts_.attempts) +
                        " attempt(s): " + last.message);
}

status openai_embedder::embed_batch(std::span<const std::string_view> texts, float* out) {
  json inputs = json::array();
  for (auto t : texts) {
    auto c = cut(t, opts_.max_chars);
    inputs.push_back(c.empty() ? std::string(" ") : std::string(c));  // providers refuse empty strings
  }
  json body = {{"model", opts_.model}, {"input", std::move(inputs)}, {"encoding_format", "float"}};
  auto res = post_with_retries(body.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!res.ok()) return res.err();
  const size_t dim = opts_.dimension;
  // Decode into a scratch buffer: the caller's output is written only when all is well.
  std::vector<float> scratch(texts.size() * dim);
  std::vector<bool> filled(texts.size(), false);
  try {
    auto j = json::parse(res->body);
    const auto& data = j.at("data");
    if (!data.is_array() || data.size() != texts.size())
      return make_error(errc::upstream, "embedding provider " + endpoint_ + " returned " +
                                            std::to_string(data.is_array() ? data.size() : 0) + " embeddings for " +
                                            std::to_string(texts.size()) + " inputs");
    for (size_t i = 0; i < data.size(); ++i) {
      const auto& item = data[i];
      size_t idx = item.contains("index") ? item["index"].get<size_t>() : i;
      const auto& emb = item.at("embedding");
      if (idx >= texts.size() || filled[idx])
        return make_error(errc::upstream,
                          "embedding provider " + endpoint_ + " returned a bad index " + std::to_string(idx));
      if (!emb.is_array() || emb.size() != dim)
        return make_error(errc::upstream, "embedding provider " + endpoint_ + " returned " +
                                              std::to_string(emb.is_array() ? emb.size() : 0) +
                                              "-dimensional vectors but embeddings.dimension is " +
                                              std::to_string(dim) +
                                              "; set it to the model's dimension and run `codegraph vectors rebuild`");
      float* row = scratch.data() + idx * dim;
      double norm = 0;
      for (size_t d = 0; d < dim; ++d) {
        row[d] = emb[d].get<float>();
        if (!std::isfinite(row[d]))
          return make_error(errc::upstream, "embedding provider " + endpoint_ + " returned a non-finite value");
        norm += double(row[d]) * row[d];
      }
      if (norm == 0) return make_error(errc::upstream, "embedding provider " + endpoint_ + " returned a zero vector");
      l2_normalise(row, dim);
      filled[idx] = true;
    }
  } catch (const json::exception& e) {
    return make_error(errc::upstream, "embedding provider " + endpoint_ + " sent an unreadable answer: " + e.what());
  }
  std::copy(scratch.begin(), scratch.end(), out);
  return {};
}

status openai_embedder::embed(std::span<const embed_input> inputs, float* out) {
  std::vector<std::string_view> texts;
  for (size_t start = 0; start < inputs.size(); start += opts_.batch) {
    size_t end = std::min(inputs.size(), start + opts_.batch);
    texts.clear();
    for (size_t i = start; i < end; ++i) texts.push_back(inputs[i].text);
    if (auto s = embed_batch(texts, out + start * opts_.dimension); !s.ok()) return s;
  }
  return {};
}

status openai_embedder::embed_query(std::string_view query, float* out) {
  std::string_view one[1] = {query};
  return embed_batch(one, out);
}

}  // namespace cg::net
