#pragma once
// What travels on the event bus. Topics are "/"-separated strings; a subscriber
// names a prefix: "progress/" (every project's index progress), "changes/myproj"
// (node changes of one project), "index/" (task completions), "versions/" (versions
// committed).
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "actors/graph/graph_state.hpp"
#include "actors/indexer/index_types.hpp"
#include "schema/version.hpp"

namespace cg {

struct node_changes {
  std::string project;
  std::vector<file_change> files;  // per committed file: created/updated/deleted node ids
};

// A version committed (by an index run, a git commit or a transaction of edits).
struct version_created {
  std::string project;
  version_record version;
};

struct event {
  std::string topic;
  std::variant<index_progress, node_changes, index_summary, version_created> payload;
};

namespace topics {
inline std::string progress(std::string_view project) { return "progress/" + std::string(project); }
inline std::string changes(std::string_view project) { return "changes/" + std::string(project); }
inline std::string index_done(std::string_view project) { return "index/" + std::string(project); }
inline std::string versions(std::string_view project) { return "versions/" + std::string(project); }
}  // namespace topics

// Called on the bus's thread: must not block (hand the event to a queue or strand).
using event_sink = std::function<void(const event&)>;

}  // namespace cg
