#pragma once
// An embedder backed by any server speaking the OpenAI-compatible embeddings API
// (POST {base}/v1/embeddings): OpenAI, Ollama, LM Studio, vLLM, text-embeddings-
// inference. Batches inputs, retries transport failures, 429 and 5xx with
// exponential backoff, and checks every answer (count, order, dimension) before
// anything reaches the caller's output.
#include <chrono>
#include <functional>
#include <string>

#include "actors/search/embedder.hpp"
#include "net/client/http_client.hpp"

namespace cg::net {

struct openai_embedder_options {
  std::string base_url;  // "http://127.0.0.1:11434" or "https://api.openai.com" (a trailing /v1 is fine)
  std::string model;
  std::string api_key;                       // sent as a bearer token when set
  size_t dimension = 0;                      // what the model returns; checked on every answer
  size_t batch = 64;                         // inputs per request
  std::chrono::milliseconds timeout{30000};  // per request
  unsigned attempts = 4;                     // first try + retries
  std::chrono::milliseconds backoff{500};    // before the first retry; doubles, capped at 30 s
  size_t max_chars = 8000;                   // longer inputs are cut
  tls_options tls;
};

// Checks the options (URL, model, dimension) without calling anyone.
status validate(const openai_embedder_options& o);

class openai_embedder final : public embedder {
 public:
  using sleeper = std::function<void(std::chrono::milliseconds)>;
  explicit openai_embedder(openai_embedder_options o, sleeper sleep = {});

  size_t dimension() const override { return opts_.dimension; }
  std::string name() const override { return "openai:" + opts_.model; }
  status embed(std::span<const embed_input> inputs, float* out) override;
  status embed_query(std::string_view query, float* out) override;

  const std::string& endpoint() const { return endpoint_; }

 private:
  status embed_batch(std::span<const std::string_view> texts, float* out);
  result<http_response> post_with_retries(const std::string& body);

  openai_embedder_options opts_;
  sleeper sleep_;
  std::string endpoint_;
};

}  // namespace cg::net
