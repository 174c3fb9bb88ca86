#include "net/app/audit_log.hpp"

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

namespace cg::net {

audit_log::~audit_log() {
  if (file_) std::fclose(file_);
}

status audit_log::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return make_error(errc::io_error, "cannot open the audit log " + path + ": " + std::strerror(errno));
  std::lock_guard lock(mu_);
  if (file_) std::fclose(file_);
  file_ = f;
  return {};
}

void audit_log::record(const audit_entry& e) {
  if (!file_) return;
  nlohmann::json j = {{"time", e.time_unix}, {"request_id", e.request_id}, {"who", e.who},   {"role", e.role},
                      {"ip", e.ip},          {"method", e.method},         {"path", e.path}, {"action", e.action},
                      {"detail", e.detail}};
  auto line = j.dump() + "\n";
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace cg::net
