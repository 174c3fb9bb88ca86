// The OpenAI-compatible embedding provider against a server this test starts on
// loopback: batching, auth, order, retries with backoff, timeouts, 500s, wrong
// dimensions, garbage, refused connections, HTTPS with a self-signed certificate,
// and a vector index that a failing provider leaves as it was.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>

#include "actors/search/vector_state.hpp"
#include "net/client/http_client.hpp"
#include "net/client/openai_embedder.hpp"
#include "tests/support/loopback_http.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using net::openai_embedder;
using net::openai_embedder_options;
using test::loopback_reply;
using test::loopback_request;

// A deterministic "model": each text maps to a vector from its bytes.
std::vector<float> fake_vector(const std::string& text, size_t dim) {
  std::vector<float> v(dim, 0.01f);
  for (size_t i = 0; i < text.size(); ++i) v[(static_cast<unsigned char>(text[i]) * 7 + i) % dim] += 1.0f;
  return v;
}

// Answers like the real API; the items come back in reverse order (with their index).
loopback_reply embeddings_reply(const loopback_request& rq, size_t dim) {
  auto body = json::parse(rq.body);
  json data = json::array();
  const auto& in = body.at("input");
  for (size_t i = in.size(); i-- > 0;)
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", fake_vector(in[i].get<std::string>(), dim)}});
  return {200, json{{"object", "list"}, {"data", data}, {"model", body.at("model")}}.dump()};
}

openai_embedder_options options_for(const std::string& url, size_t dim = 16) {
  openai_embedder_options o;
  o.base_url = url;
  o.model = "test-model";
  o.api_key = "sk-test";
  o.dimension = dim;
  o.batch = 3;
  o.timeout = 2000ms;
  o.attempts = 3;
  o.backoff = 5ms;
  return o;
}

status embed_texts(openai_embedder& e, const std::vector<std::string>& texts, std::vector<float>& out) {
  std::vector<embed_input> in;
  for (const auto& t : texts) in.push_back({t, nullptr});
  out.assign(texts.size() * e.dimension(), -7.0f);
  return e.embed(in, out.data());
}

TEST(EmbeddingProvider, BatchesAuthenticatesAndKeepsOrder) {
  std::mutex mu;
  std::vector<loopback_request> seen;
  test::loopback_http_server srv([&](const loopback_request& rq) {
    std::lock_guard lock(mu);
    seen.push_back(rq);
    return embeddings_reply(rq, 16);
  });
  openai_embedder e(options_for(srv.url() + "/"));
  EXPECT_EQ(e.endpoint(), srv.url() + "/v1/embeddings");
  EXPECT_EQ(openai_embedder(options_for(srv.url() + "/v1")).endpoint(), srv.url() + "/v1/embeddings");
  std::vector<std::string> texts{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"};
  std::vector<float> out;
  ASSERT_TRUE(embed_texts(e, texts, out).ok());
  ASSERT_EQ(seen.size(), 3u);  // 3 + 3 + 1
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/v1/embeddings");
  EXPECT_EQ(seen[0].headers["authorization"], "Bearer sk-test");
  EXPECT_EQ(seen[0].headers["content-type"], "application/json");
  auto b0 = json::parse(seen[0].body);
  EXPECT_EQ(b0["model"], "test-model");
  EXPECT_EQ(b0["input"], json({"alpha", "beta", "gamma"}));
  EXPECT_EQ(json::parse(seen[2].body)["input"], json({"eta"}));
  for (size_t i = 0; i < texts.size(); ++i) {
    auto want = fake_vector(texts[i], 16);
    l2_normalise(want.data(), 16);
    for (size_t d = 0; d < 16; ++d) ASSERT_NEAR(out[i * 16 + d], want[d], 1e-6) << texts[i];
  }
  std::vector<float> q(16);
  ASSERT_TRUE(e.embed_query("beta", q.data()).ok());
  EXPECT_NEAR(q[0], out[16], 1e-6);
}

TEST(EmbeddingProvider, RetriesServerErrorsWithBackoff) {
  std::atomic<int> calls{0};
  test::loopback_http_server srv([&](const loopback_request& rq) {
    if (calls.fetch_add(1) < 2) return loopback_reply{503, R"({"error":{"message":"warming up"}})"};
    return embeddings_reply(rq, 16);
  });
  std::vector<std::chrono::milliseconds> pauses;
  openai_embedder e(options_for(srv.url()), [&](std::chrono::milliseconds d) { pauses.push_back(d); });
  std::vector<float> out;
  ASSERT_TRUE(embed_texts(e, {"one"}, out).ok());
  EXPECT_EQ(srv.requests(), 3u);
  ASSERT_EQ(pauses.size(), 2u);
  EXPECT_GE(pauses[0].count(), 4);  // 5 ms +-20%
  EXPECT_LE(pauses[0].count(), 6);
  EXPECT_GE(pauses[1].count(), 8);  // doubled
  EXPECT_LE(pauses[1].count(), 12);
}

TEST(EmbeddingProvider, GivesUpOnPersistent500sWithTheProvidersMessage) {
  test::loopback_http_server srv([](const loopback_request&) {
    return loopback_reply{500, R"({"error":{"message":"CUDA out of memory"}})"};
  });
  openai_embedder e(options_for(srv.url()), [](auto) {});
  std::vector<float> out;
  auto s = embed_texts(e, {"one", "two"}, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err().code, errc::upstream);
  EXPECT_NE(s.err().message.find("after 3 attempt"), std::string::npos) << s.err().message;
  EXPECT_NE(s.err().message.find("HTTP 500: CUDA out of memory"), std::string::npos) << s.err().message;
  EXPECT_EQ(srv.requests(), 3u);
  EXPECT_EQ(out[0], -7.0f);  // the output was not touched
}

TEST(EmbeddingProvider, HonoursRetryAfterOn429) {
  std::atomic<int> calls{0};
  test::loopback_http_server srv([&](const loopback_request& rq) {
    if (calls.fetch_add(1) == 0) return loopback_reply{429, "{}", {{"Retry-After", "2"}}};
    return embeddings_reply(rq, 16);
  });
  std::vector<std::chrono::milliseconds> pauses;
  openai_embedder e(options_for(srv.url()), [&](std::chrono::milliseconds d) { pauses.push_back(d); });
  std::vector<float> out;
  ASSERT_TRUE(embed_texts(e, {"one"}, out).ok());
  ASSERT_EQ(pauses.size(), 1u);
  EXPECT_GE(pauses[0].count(), 1600);
}

TEST(EmbeddingProvider, TimesOutAndSaysSo) {
  test::loopback_http_server srv([](const loopback_request& rq) {
    auto r = embeddings_reply(rq, 16);
    r.delay_ms = 3000;
    return r;
  });
  auto o = options_for(srv.url());
  o.timeout = 150ms;
  o.attempts = 2;
  openai_embedder e(o, [](auto) {});
  std::vector<float> out;
  auto t0 = std::chrono::steady_clock::now();
  auto s = embed_texts(e, {"slow"}, out);
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err().code, errc::timeout);
  EXPECT_NE(s.err().message.find("within 150 ms"), std::string::npos) << s.err().message;
  EXPECT_LT(took, 1500ms);
  EXPECT_EQ(srv.requests(), 2u);
}

TEST(EmbeddingProvider, RefusesTheWrongDimensionWithoutRetrying) {
  test::loopback_http_server srv([](const loopback_request& rq) { return embeddings_reply(rq, 32); });
  openai_embedder e(options_for(srv.url(), 16), [](auto) {});
  std::vector<float> out;
  auto s = embed_texts(e, {"one"}, out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("returned 32-dimensional vectors but embeddings.dimension is 16"), std::string::npos)
      << s.err().message;
  EXPECT_EQ(srv.requests(), 1u);
}

TEST(EmbeddingProvider, BadKeysGarbageAndShortAnswersAreErrors) {
  std::atomic<int> mode{0};
  test::loopback_http_server srv([&](const loopback_request& rq) -> loopback_reply {
    switch (mode.load()) {
      case 0: return {401, R"({"error":{"message":"Incorrect API key provided"}})"};
      case 1: return {200, "<html>not json</html>"};
      case 2: return {200, R"({"data":[{"index":0,"embedding":[1,2]}]})"};
      case 3: return {400, R"({"error":"input too long"})"};
      default: return {200, "", {}, 0, true};  // hangs up
    }
  });
  openai_embedder e(options_for(srv.url(), 2), [](auto) {});
  std::vector<float> out;
  auto s = embed_texts(e, {"a"}, out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("HTTP 401: Incorrect API key provided"), std::string::npos) << s.err().message;
  EXPECT_NE(s.err().message.find("embeddings.api_key"), std::string::npos);
  EXPECT_EQ(srv.requests(), 1u);  // no retry for 401
  mode = 1;
  s = embed_texts(e, {"a"}, out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("unreadable answer"), std::string::npos) << s.err().message;
  mode = 2;
  s = embed_texts(e, {"a", "b"}, out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("returned 1 embeddings for 2 inputs"), std::string::npos) << s.err().message;
  mode = 3;
  s = embed_texts(e, {"a"}, out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("HTTP 400: input too long"), std::string::npos) << s.err().message;
  mode = 4;
  size_t before = srv.requests();
  s = embed_texts(e, {"a"}, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err().code, errc::upstream);
  EXPECT_EQ(srv.requests() - before, 3u);  // a hang-up is worth retrying
}

TEST(EmbeddingProvider, RefusedConnectionsAndBadUrls) {
  uint16_t port;
  {
    test::loopback_http_server gone([](const loopback_request&) { return loopback_reply{}; });
    port = gone.port();
  }
  auto o = options_for("http://127.0.0.1:" + std::to_string(port));
  o.attempts = 2;
  openai_embedder e(o, [](auto) {});
  std::vector<float> out;
  auto s = embed_texts(e, {"a"}, out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("cannot talk to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << s.err().message;
  EXPECT_FALSE(net::validate(options_for("ftp://example.org")).ok());
  auto no_model = options_for("http://127.0.0.1:1");
  no_model.model.clear();
  EXPECT_NE(net::validate(no_model).err().message.find("embeddings.model"), std::string::npos);
  EXPECT_TRUE(net::validate(options_for("https://api.openai.com")).ok());
}

TEST(EmbeddingProvider, SpeaksHttpsAndChecksTheCertificate) {
  test::temp_dir certs("certs");
  auto files = test::make_self_signed(certs.str());
  test::loopback_http_server srv([](const loopback_request& rq) { return embeddings_reply(rq, 16); }, &files);
  ASSERT_EQ(srv.url().rfind("https://", 0), 0u);
  auto o = options_for(srv.url());
  o.attempts = 1;
  std::vector<float> out;
  {
    openai_embedder untrusted(o);
    auto s = embed_texts(untrusted, {"a"}, out);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.err().message.find("TLS"), std::string::npos) << s.err().message;
  }
  o.tls.ca_file = files.cert;
  openai_embedder trusted(o);
  ASSERT_TRUE(embed_texts(trusted, {"a", "b"}, out).ok());
  auto want = fake_vector("b", 16);
  l2_normalise(want.data(), 16);
  EXPECT_NEAR(out[16], want[0], 1e-6);
}

// The provider behind a real vector index: when it fails (wrong dimension, down),
// the index keeps serving the state of the last good sync.
TEST(EmbeddingProvider, AFailingProviderLeavesTheIndexAsItWas) {
  test::temp_dir data("prov-data"), root("prov-root");
  test::write_file(root / "net/client.py",
                   "def open_connection(host, port):\n    \"\"\"Open a TCP connection.\"\"\"\n    return None\n\n"
                   "def fetch_page(url):\n    \"\"\"Download a web page.\"\"\"\n    return open_connection(url, 80)\n");
  auto db = test::open_store(data.str());
  test::index_plain(*db, "p", root.str());
  uint32_t proj = *db->project_id("p");
  std::atomic<int> mode{0};
  test::loopback_http_server srv([&](const loopback_request& rq) {
    if (mode == 1) return embeddings_reply(rq, 24);
    if (mode == 2) return loopback_reply{500, "{}"};
    return embeddings_reply(rq, 16);
  });
  vector_state vs({}, std::make_unique<openai_embedder>(options_for(srv.url()), [](auto) {}));
  ASSERT_TRUE(vs.sync(db->latest(), proj, db->sequence()).ok());
  EXPECT_EQ(vs.stats().embedder, "openai:test-model");
  EXPECT_EQ(vs.stats().dimension, 16u);
  search_request rq;
  rq.query = "fetch_page";
  rq.k = 5;
  auto before = vs.search(rq, db->latest(), proj);
  ASSERT_TRUE(before.ok()) << before.err().message;
  ASSERT_FALSE(before->empty());
  EXPECT_EQ(before->front().name, "fetch_page");
  auto stats_before = vs.stats();

  test::write_file(root / "net/extra.py", "def extra_helper():\n    return 1\n");
  test::index_plain(*db, "p", root.str());
  for (int m : {1, 2}) {
    mode = m;
    auto s = vs.sync(db->latest(), proj, db->sequence());
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(vs.stats().documents, stats_before.documents);
    EXPECT_EQ(vs.stats().slots, stats_before.slots);
    EXPECT_EQ(vs.stats().index_vectors, stats_before.index_vectors);
  }
  mode = 0;
  auto after = vs.search(rq, db->latest(), proj);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), before->size());
  for (size_t i = 0; i < after->size(); ++i) EXPECT_EQ((*after)[i].id, (*before)[i].id);
  auto ok = vs.sync(db->latest(), proj, db->sequence());
  ASSERT_TRUE(ok.ok()) << ok.err().message;
  EXPECT_EQ(ok->added, 2u);  // the new file and its function
}

}  // namespace
}  // namespace cg
