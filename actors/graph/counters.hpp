#pragma once
// Names of the per-project counters kept in the meta column family. Every batch that
// adds or removes something adds the matching delta in the same atomic write.
#include <string>

#include "schema/kinds.hpp"

namespace cg::counter_names {

inline std::string nodes(node_kind k) { return "n." + std::string(to_string(k)); }
inline std::string edges(edge_kind k) { return "e." + std::string(to_string(k)); }
inline std::string unresolved(edge_kind k) { return "u." + std::string(to_string(k)); }
inline std::string external(edge_kind k) { return "x." + std::string(to_string(k)); }
inline std::string files(language l) { return "f." + std::string(to_string(l)); }
inline std::string loc(language l) { return "l." + std::string(to_string(l)); }
inline std::string bytes(language l) { return "b." + std::string(to_string(l)); }
inline const char* files_with_errors() { return "f.syntax_errors"; }
inline const char* unresolved_total() { return "u.total"; }
// Bumped by every write that changes files; the change log records it per file.
inline const char* change_serial() { return "c.serial"; }

}  // namespace cg::counter_names
