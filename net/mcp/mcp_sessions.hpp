#pragma once
// The MCP sessions of a server's Streamable HTTP endpoint, by Mcp-Session-Id: who
// opened each (only they may use it), when it was last used, at most `max` at once
// (sessions idle past `idle` make room). Plain C++.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "net/mcp/mcp_session.hpp"

namespace cg::mcp {

class sessions {
 public:
  explicit sessions(size_t max = 1000, std::chrono::seconds idle = std::chrono::hours(1));

  // Registers a session and returns its new id (128 random bits, hex); nullopt when
  // every slot holds a session in use.
  std::optional<std::string> open(std::shared_ptr<session> s);
  // The session when the id names one the subject opened; null otherwise.
  std::shared_ptr<session> find(const std::string& id, const std::string& subject);
  bool close(const std::string& id, const std::string& subject);
  size_t size() const;
  void clear();

 private:
  void drop_idle(std::chrono::steady_clock::time_point now);
  struct entry {
    std::shared_ptr<session> s;
    std::chrono::steady_clock::time_point used;
  };
  size_t max_;
  std::chrono::seconds idle_;
  mutable std::mutex mu_;
  std::map<std::string, entry> by_id_;
};

}  // namespace cg::mcp
