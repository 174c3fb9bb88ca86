// JWT verification: the fail-open cases the hostile probe found are refused (a
// project claim that names no project, an unknown critical header), and the normal
// ones still pass.
#include "net/app/auth.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

namespace cg::net {
namespace {

const std::string secret = "test-secret-0123456789";
constexpr int64_t now = 1800000000;

std::string sign(const nlohmann::json& header, const nlohmann::json& claims) {
  auto input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &n);
  return input + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), n));
}

struct Jwt : ::testing::Test {
  authenticator auth{auth_options{true, "/nonexistent/keys.json", secret, "", "", "", std::chrono::seconds(30)}};
  nlohmann::json head = {{"alg", "HS256"}, {"typ", "JWT"}};
  nlohmann::json claims(nlohmann::json extra) {
    nlohmann::json c = {{"sub", "alice"}, {"role", "writer"}, {"exp", now + 600}};
    for (auto& [k, v] : extra.items()) c[k] = v;
    return c;
  }
};

TEST_F(Jwt, ScopedAndUnscopedTokens) {
  auto p = auth.verify_jwt(sign(head, claims({})), now);
  ASSERT_TRUE(p.ok()) << p.err().message;
  EXPECT_TRUE(p->project.empty());
  EXPECT_EQ(p->granted, role::writer);
  auto s = auth.verify_jwt(sign(head, claims({{"project", "demo"}})), now);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->project, "demo");
}

TEST_F(Jwt, AProjectClaimThatNamesNoProjectIsRefused) {
  for (auto bad : {nlohmann::json(1), nlohmann::json(""), nlohmann::json(nullptr), nlohmann::json::array({"demo"}),
                   nlohmann::json::object(), nlohmann::json(true)}) {
    auto r = auth.verify_jwt(sign(head, claims({{"project", bad}})), now);
    EXPECT_FALSE(r.ok()) << "project claim " << bad.dump() << " was accepted as unscoped";
    if (!r.ok()) EXPECT_NE(r.err().message.find("project claim"), std::string::npos) << r.err().message;
  }
}

TEST_F(Jwt, UnknownCriticalHeadersAreRefused) {
  for (auto crit : {nlohmann::json::array({"exp"}), nlohmann::json::array({"x-custom"}), nlohmann::json::array(),
                    nlohmann::json("b64")}) {
    auto h = head;
    h["crit"] = crit;
    h["x-custom"] = 1;
    auto r = auth.verify_jwt(sign(h, claims({})), now);
    EXPECT_FALSE(r.ok()) << crit.dump();
  }
}

TEST_F(Jwt, DeeplyNestedClaimsAreMalformedNotACrash) {
  auto input = base64url_encode(head.dump()) + "." +
               base64url_encode("{\"role\":\"admin\",\"exp\":" + std::to_string(now + 60) +
                                ",\"x\":" + std::string(5000, '[') + std::string(5000, ']') + "}");
  auto r = auth.verify_jwt(input + ".AAAA", now);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message, "malformed token");
}

}  // namespace
}  // namespace cg::net
