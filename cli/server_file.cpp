#include "cli/server_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cg::cli {

std::string server_file_path(const std::string& data_dir) { return data_dir + "/server.json"; }

status write_server_file(const std::string& data_dir, const server_file& f) {
  nlohmann::json j = {{"pid", f.pid}, {"url", f.url}, {"token", f.token}, {"started_unix", f.started_unix}};
  if (!f.tls_cert.empty()) j["tls_cert"] = f.tls_cert;
  auto text = j.dump(2) + "\n";
  auto path = server_file_path(data_dir);
  auto tmp = path + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(errc::io_error, "cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return make_error(errc::io_error, "cannot write " + path + ": " + std::strerror(errno));
  }
  return {};
}

namespace {

std::optional<server_file> read_server_file(const std::string& data_dir) {
  std::ifstream in(server_file_path(data_dir));
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return std::nullopt;
  server_file f;
  f.pid = j.value("pid", 0);
  f.url = j.value("url", std::string());
  f.token = j.value("token", std::string());
  f.tls_cert = j.value("tls_cert", std::string());
  f.started_unix = j.value("started_unix", 0LL);
  if (f.pid <= 0 || f.url.empty()) return std::nullopt;
  return f;
}

}  // namespace

void remove_server_file(const std::string& data_dir) {
  auto f = read_server_file(data_dir);
  if (f && f->pid == ::getpid()) ::unlink(server_file_path(data_dir).c_str());
}

std::optional<server_file> find_server(const std::string& data_dir) {
  auto f = read_server_file(data_dir);
  if (!f) return std::nullopt;
  // A killed server leaves its file: the process it names must still run (EPERM:
  // it runs as someone else, and then its token was not ours to read anyway).
  if (::kill(f->pid, 0) != 0 && errno != EPERM) return std::nullopt;
  return f;
}

error owner_hint(const std::string& data_dir, error e) {
  if (e.code != errc::conflict) return e;
  if (auto s = find_server(data_dir))
    e.message = "the store in " + data_dir + " is owned by a running codegraph server (pid " + std::to_string(s->pid) +
                ", " + s->url + "); stop it first, or ask it over its API";
  return e;
}

}  // namespace cg::cli
