#include "net/app/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <strings.h>
#include <sys/stat.h>

#include <cctype>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <sstream>

#include "schema/client_json.hpp"

namespace cg::net {
namespace {

std::string hex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = digits[p[i] >> 4];
    s[2 * i + 1] = digits[p[i] & 15];
  }
  return s;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

nlohmann::json record_json(const api_key_record& r) {
  return {{"id", r.id},           {"hash", r.hash}, {"role", to_string(r.granted)},
          {"project", r.project}, {"name", r.name}, {"created", r.created}};
}

status write_keys(const std::string& file, const std::vector<api_key_record>& keys) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& k : keys) arr.push_back(record_json(k));
  std::error_code ec;
  auto dir = std::filesystem::path(file).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  auto tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return make_error(errc::io_error, "cannot write " + tmp);
    out << nlohmann::json({{"keys", arr}}).dump(2) << "\n";
    if (!out.flush()) return make_error(errc::io_error, "cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  std::filesystem::rename(tmp, file, ec);
  if (ec) return make_error(errc::io_error, "cannot replace " + file + ": " + ec.message());
  return {};
}

bool claim_string(const nlohmann::json& j, const char* name, std::string& out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  // The algorithm is fetched once, and each thread keeps its context: EVP_Digest with
  // EVP_sha256() looks the implementation up in OpenSSL 3's shared tables on every call,
  // under a lock that the network threads then contend for (one hash per request).
  static EVP_MD* const md_sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!md_sha256 || !ctx || EVP_DigestInit_ex(ctx.get(), md_sha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), md, &n) != 1)
    EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  return hex(md, n);
}

bool base64url_decode(std::string_view in, std::string& out) {
  std::string b64;
  b64.reserve(in.size() + 3);
  for (char c : in) {
    if (c == '-')
      b64.push_back('+');
    else if (c == '_')
      b64.push_back('/');
    else if (std::isalnum(static_cast<unsigned char>(c)))
      b64.push_back(c);
    else
      return false;  // '=' padding, '+', '/' and anything else are not base64url
  }
  if (b64.size() % 4 == 1) return false;
  while (b64.size() % 4) b64.push_back('=');
  out.assign(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return false;
  size_t pad = 0;
  for (size_t i = b64.size(); i > 0 && b64[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return true;
}

std::string base64url_encode(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return out;
}

result<std::vector<api_key_record>> load_api_keys(const std::string& keys_file) {
  std::vector<api_key_record> out;
  std::ifstream in(keys_file);
  if (!in) return out;  // no file: no keys
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.contains("keys") || !j["keys"].is_array())
    return make_error(errc::corrupt, "API key file " + keys_file + " is not valid JSON with a keys array");
  for (const auto& k : j["keys"]) {
    api_key_record r;
    std::string role_name;
    if (!claim_string(k, "id", r.id) || !claim_string(k, "hash", r.hash) || !claim_string(k, "role", role_name) ||
        !parse_role(role_name, r.granted))
      return make_error(errc::corrupt, "API key file " + keys_file + " has a malformed entry");
    claim_string(k, "project", r.project);
    claim_string(k, "name", r.name);
    if (k.contains("created") && k["created"].is_number_integer()) r.created = k["created"].get<int64_t>();
    out.push_back(std::move(r));
  }
  return out;
}

result<std::string> create_api_key(const std::string& keys_file, role r, const std::string& project,
                                   const std::string& name, api_key_record* out) {
  if (r == role::none) return make_error(errc::invalid_argument, "a key needs a role");
  auto keys = load_api_keys(keys_file);
  if (!keys.ok()) return keys.err();
  unsigned char id[8], secret[24];
  if (RAND_bytes(id, sizeof id) != 1 || RAND_bytes(secret, sizeof secret) != 1)
    return make_error(errc::internal, "no randomness from OpenSSL");
  api_key_record rec;
  rec.id = hex(id, sizeof id);
  std::string token = "cgk_" + rec.id + "_" + hex(secret, sizeof secret);
  rec.hash = sha256_hex(token);
  rec.granted = r;
  rec.project = project;
  rec.name = name;
  rec.created = unix_now();
  keys->push_back(rec);
  if (auto s = write_keys(keys_file, *keys); !s.ok()) return s.err();
  if (out) *out = rec;
  return token;
}

status revoke_api_key(const std::string& keys_file, const std::string& id) {
  auto keys = load_api_keys(keys_file);
  if (!keys.ok()) return keys.err();
  auto before = keys->size();
  std::erase_if(*keys, [&](const api_key_record& k) { return k.id == id; });
  if (keys->size() == before) return make_error(errc::not_found, "no API key with id " + id);
  return write_keys(keys_file, *keys);
}

authenticator::authenticator(auth_options opts) : opts_(std::move(opts)) {
  if (!opts_.jwt_public_key_file.empty()) {
    std::ifstream in(opts_.jwt_public_key_file);
    std::stringstream ss;
    ss << in.rdbuf();
    rsa_public_pem_ = ss.str();
    if (rsa_public_pem_.empty()) spdlog::error("cannot read JWT public key {}", opts_.jwt_public_key_file);
  }
}

void authenticator::reload_keys_if_changed(bool force) {
  // A stat at most every 100 ms (a revoked key stops within that), and at once for a
  // token not known yet (a key just created works on its first request).
  auto now = std::chrono::steady_clock::now();
  if (!force && keys_mtime_ != -1 && now - last_check_ < std::chrono::milliseconds(100)) return;
  last_check_ = now;
  struct stat st {};
  int64_t mtime = -2;
  uint64_t size = 0;
  if (::stat(opts_.keys_file.c_str(), &st) == 0) {
    mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    size = static_cast<uint64_t>(st.st_size);
  }
  if (mtime == keys_mtime_ && size == keys_size_) return;
  auto keys = load_api_keys(opts_.keys_file);
  if (!keys.ok()) {
    spdlog::error("{}", keys.err().message);  // keep the keys we had
    return;
  }
  by_hash_.clear();
  for (auto& k : *keys) by_hash_.emplace(k.hash, std::move(k));
  keys_mtime_ = mtime;
  keys_size_ = size;
}

result<principal> authenticator::check_api_key(std::string_view token) {
  // Clients send the same key request after request: each thread keeps the last key it
  // hashed (the key itself is still looked up every time, so revocation holds).
  thread_local std::string last_token, last_hash;
  if (token != last_token) {
    last_hash = sha256_hex(token);
    last_token.assign(token);
  }
  const std::string& h = last_hash;
  auto as_principal = [](const api_key_record& k) {
    principal p;
    p.subject = "key:" + k.id;
    p.granted = k.granted;
    p.project = k.project;
    p.via = "api_key";
    return p;
  };
  {
    // The common case, shared by every network thread: a known key, no stat due.
    std::shared_lock lock(mu_);
    if (keys_mtime_ != -1 && std::chrono::steady_clock::now() - last_check_ < std::chrono::milliseconds(100)) {
      auto it = by_hash_.find(h);
      if (it != by_hash_.end()) return as_principal(it->second);
    }
  }
  std::unique_lock lock(mu_);
  reload_keys_if_changed(false);
  auto it = by_hash_.find(h);
  if (it == by_hash_.end()) {
    reload_keys_if_changed(true);
    it = by_hash_.find(h);
  }
  if (it == by_hash_.end()) return make_error(errc::invalid_argument, "unknown or revoked API key");
  return as_principal(it->second);
}

result<principal> authenticator::verify_jwt(std::string_view token, int64_t now) const {
  auto d1 = token.find('.');
  auto d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return make_error(errc::invalid_argument, "malformed token");
  std::string header_raw, payload_raw, sig;
  if (!base64url_decode(token.substr(0, d1), header_raw) ||
      !base64url_decode(token.substr(d1 + 1, d2 - d1 - 1), payload_raw) || !base64url_decode(token.substr(d2 + 1), sig))
    return make_error(errc::invalid_argument, "malformed token");
  auto header_parsed = parse_client_json(header_raw, 8);
  auto claims_parsed = parse_client_json(payload_raw, 16);
  if (!header_parsed.ok() || !claims_parsed.ok() || !header_parsed->is_object() || !claims_parsed->is_object())
    return make_error(errc::invalid_argument, "malformed token");
  const auto& header = *header_parsed;
  const auto& claims = *claims_parsed;
  std::string alg;
  claim_string(header, "alg", alg);
  // RFC 7515 4.1.11: extensions named critical must be understood; we understand none.
  if (header.contains("crit"))
    return make_error(errc::invalid_argument,
                      "token has critical header parameters (crit) this server does not understand");
  auto signing_input = token.substr(0, d2);
  if (alg == "HS256") {
    if (opts_.jwt_secret.empty()) return make_error(errc::invalid_argument, "HS256 tokens are not accepted here");
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), opts_.jwt_secret.data(), static_cast<int>(opts_.jwt_secret.size()),
         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &n);
    if (sig.size() != n || CRYPTO_memcmp(mac, sig.data(), n) != 0)
      return make_error(errc::invalid_argument, "bad token signature");
  } else if (alg == "RS256") {
    if (rsa_public_pem_.empty()) return make_error(errc::invalid_argument, "RS256 tokens are not accepted here");
    BIO* bio = BIO_new_mem_buf(rsa_public_pem_.data(), static_cast<int>(rsa_public_pem_.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key) return make_error(errc::internal, "the configured JWT public key does not load");
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                               reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    if (!ok) return make_error(errc::invalid_argument, "bad token signature");
  } else {
    return make_error(errc::invalid_argument, "token algorithm must be HS256 or RS256");
  }
  auto leeway = opts_.leeway.count();
  if (!claims.contains("exp") || !claims["exp"].is_number())
    return make_error(errc::invalid_argument, "token has no exp claim");
  if (claims["exp"].get<double>() + static_cast<double>(leeway) < static_cast<double>(now))
    return make_error(errc::invalid_argument, "token expired");
  if (claims.contains("nbf") && claims["nbf"].is_number() &&
      claims["nbf"].get<double>() - static_cast<double>(leeway) > static_cast<double>(now))
    return make_error(errc::invalid_argument, "token not yet valid");
  std::string s;
  if (!opts_.jwt_issuer.empty() && (!claim_string(claims, "iss", s) || s != opts_.jwt_issuer))
    return make_error(errc::invalid_argument, "token issuer not accepted");
  if (!opts_.jwt_audience.empty()) {
    bool ok = claim_string(claims, "aud", s) && s == opts_.jwt_audience;
    if (!ok && claims.contains("aud") && claims["aud"].is_array())
      for (const auto& a : claims["aud"]) ok = ok || (a.is_string() && a.get<std::string>() == opts_.jwt_audience);
    if (!ok) return make_error(errc::invalid_argument, "token audience not accepted");
  }
  principal p;
  p.via = "jwt";
  p.subject = claim_string(claims, "sub", s) ? "jwt:" + s : "jwt";
  std::string role_name;
  if (!claim_string(claims, "role", role_name) || !parse_role(role_name, p.granted))
    return make_error(errc::invalid_argument, "token has no role claim (reader, writer or admin)");
  // An unscoped token has no project claim at all; a claim that names no project (a
  // number, "", null, ...) is refused rather than read as "every project".
  if (claims.contains("project")) {
    if (!claim_string(claims, "project", p.project) || p.project.empty())
      return make_error(errc::invalid_argument, "token's project claim must be a project name (a non-empty string)");
  }
  return p;
}

std::string random_token(std::string_view prefix) {
  unsigned char secret[24];
  if (RAND_bytes(secret, sizeof secret) != 1) return {};
  return std::string(prefix) + hex(secret, sizeof secret);
}

std::optional<principal> authenticator::local(std::string_view authorization) const {
  if (opts_.local_token_sha256.empty() || authorization.size() < 7 ||
      strncasecmp(authorization.data(), "Bearer ", 7) != 0)
    return std::nullopt;
  auto token = authorization.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (!token.starts_with("cgl_")) return std::nullopt;
  auto h = sha256_hex(token);
  if (h.size() != opts_.local_token_sha256.size() ||
      CRYPTO_memcmp(h.data(), opts_.local_token_sha256.data(), h.size()) != 0)
    return std::nullopt;
  return principal{"local-cli", role::admin, "", "local"};
}

result<principal> authenticator::authenticate(std::string_view authorization, std::string_view access_token) {
  std::string_view token = access_token;
  if (!authorization.empty()) {
    if (authorization.size() < 7 || strncasecmp(authorization.data(), "Bearer ", 7) != 0)
      return make_error(errc::invalid_argument, "Authorization must be 'Bearer <token>'");
    token = authorization.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  }
  if (token.empty()) return make_error(errc::invalid_argument, "no credentials: send Authorization: Bearer <token>");
  if (token.size() > 8192) return make_error(errc::invalid_argument, "token too long");
  if (token.starts_with("cgk_")) return check_api_key(token);
  if (token.starts_with("cgl_")) {
    if (auto who = local(authorization)) return *who;
    return make_error(errc::invalid_argument,
                      "not this server's local token (a server writes a new one to server.json at each start)");
  }
  return verify_jwt(token, unix_now());
}

}  // namespace cg::net
