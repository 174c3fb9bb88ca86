#pragma once
// Who may call the server: API keys (random tokens, stored only as SHA-256 hashes in
// a JSON file beside the store, created with `codegraph token create`) and JWT bearer
// tokens (HS256 with a shared secret, RS256 with a public key), both carrying a role
// and an optional project scope. Plain C++ with OpenSSL; no network.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/app/api_types.hpp"
#include "schema/result.hpp"

namespace cg::net {

struct auth_options {
  bool enabled = true;                   // false: no-auth mode (only allowed on loopback)
  std::string keys_file;                 // API keys: <data_dir>/api_keys.json by default
  std::string jwt_secret;                // HS256 shared secret ("" : HS256 tokens refused)
  std::string jwt_public_key_file;       // RS256 public key, PEM ("" : RS256 refused)
  std::string jwt_issuer, jwt_audience;  // checked when set
  std::chrono::seconds leeway{30};       // clock skew allowed on exp/nbf
  // The local token: written by `codegraph serve` to <data_dir>/server.json (mode 0600)
  // for the CLI on the same machine (`codegraph index` hands its run to the server).
  // Whoever can read it can read the store itself. Accepted as admin, with auth on or
  // off. SHA-256 hex; "" : none.
  std::string local_token_sha256;
};

struct api_key_record {
  std::string id;    // 16 hex digits: names the key in logs and audit lines
  std::string hash;  // SHA-256 of the whole token, hex
  role granted = role::reader;
  std::string project;  // "" : every project
  std::string name;
  int64_t created = 0;  // unix seconds
};

// Creates a key, appends its record to the file (atomic rename) and returns the token,
// which is shown once and never stored.
result<std::string> create_api_key(const std::string& keys_file, role r, const std::string& project,
                                   const std::string& name, api_key_record* out = nullptr);
result<std::vector<api_key_record>> load_api_keys(const std::string& keys_file);
// Removes the key with this id; not_found if absent.
status revoke_api_key(const std::string& keys_file, const std::string& id);

class authenticator {
 public:
  explicit authenticator(auth_options opts);
  // From the Authorization header ("Bearer <token>") or an access_token query value
  // (browsers cannot set headers on a WebSocket). errc::invalid_argument: no or bad
  // credentials (401). Keys are re-read when the file changes.
  result<principal> authenticate(std::string_view authorization, std::string_view access_token);
  const auth_options& options() const { return opts_; }
  // The principal of the local token (via "local"), if the header carries it.
  std::optional<principal> local(std::string_view authorization) const;

  // Exposed for tests.
  result<principal> verify_jwt(std::string_view token, int64_t now_unix) const;

 private:
  result<principal> check_api_key(std::string_view token);
  void reload_keys_if_changed(bool force);

  auth_options opts_;
  std::string rsa_public_pem_;
  std::shared_mutex mu_;  // lookups shared; a reload of the keys file alone
  std::unordered_map<std::string, api_key_record> by_hash_;
  int64_t keys_mtime_ = -1;
  uint64_t keys_size_ = 0;
  std::chrono::steady_clock::time_point last_check_{};
};

std::string sha256_hex(std::string_view data);
// prefix + 48 random hex digits (OpenSSL's RAND_bytes); "" if it has no randomness.
std::string random_token(std::string_view prefix);
bool base64url_decode(std::string_view in, std::string& out);
std::string base64url_encode(std::string_view in);

}  // namespace cg::net
