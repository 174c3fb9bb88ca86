#pragma once
// The audit log ([server] audit_log): one JSON object per line for every change a
// client makes (projects, index runs, manual nodes, GraphQL mutations): when, the
// request, who with which role, from where, the action and what it touched. Appended
// and flushed line by line, whole lines under concurrent writers. Thread-safe.
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "schema/result.hpp"

namespace cg::net {

struct audit_entry {
  int64_t time_unix = 0;
  std::string request_id, who, role, ip, method, path;
  std::string_view action;
  std::string detail;
};

class audit_log {
 public:
  audit_log() = default;
  ~audit_log();
  audit_log(const audit_log&) = delete;
  audit_log& operator=(const audit_log&) = delete;

  // Appends to `path` from now on (created when missing); an error names the file.
  status open(const std::string& path);
  bool enabled() const { return file_ != nullptr; }
  void record(const audit_entry& e);

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
};

}  // namespace cg::net
