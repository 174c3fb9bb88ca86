#pragma once
// <data_dir>/server.json: how the CLI finds the server that owns a data directory.
// `codegraph serve` writes it (mode 0600) once it listens and removes it when it
// stops; it holds the server's local URL and a token the server accepts as admin
// (whoever can read the file can read the store beside it). A file left by a server
// that was killed names a process that is gone and is ignored.
#include <optional>
#include <string>

#include "schema/result.hpp"

namespace cg::cli {

struct server_file {
  int pid = 0;
  std::string url;       // http://127.0.0.1:PORT (https://localhost:PORT with TLS)
  std::string token;     // the local token (cgl_...)
  std::string tls_cert;  // the server's certificate, to verify it by (TLS only)
  long long started_unix = 0;
};

std::string server_file_path(const std::string& data_dir);
status write_server_file(const std::string& data_dir, const server_file& f);
// Removes the file if it is this process's.
void remove_server_file(const std::string& data_dir);
// The live server of this data directory, if any.
std::optional<server_file> find_server(const std::string& data_dir);
// A store-in-use error, told with who holds it when a server does.
error owner_hint(const std::string& data_dir, error e);

}  // namespace cg::cli
