#pragma once
// The read API beside the engine facade (actors/engine.hpp): what the CLI and the
// server read or compute on their own thread, without an actor round trip. net/ and
// cli/ include from actors/ only the facade, its JSON encodings, this header, the
// watch scheduler and the embedding-provider interface (deploy/check_layers.sh).
//
//   graph_query    consistent reads of one project's graph over a store view: nodes,
//                  callers and callees, paths, outline, files, stats
//   graph_target   what a user names (node id, file, symbol) as nodes or a file
//   glob_match     the walk's gitignore-style globs, for filters on paths
//   versions       versions of a project's graph: references (3, head~1), diffs
//   review         review impact: a change's definitions, what reaches them, tests, risk;
//                  review_live keeps one current as writes land
//   parse_here     one file's (or snippet's) extraction on the calling thread, with a
//                  tree-sitter parser per thread reused across calls
#include <string_view>

#include "actors/graph/graph_query.hpp"
#include "actors/graph/graph_target.hpp"
#include "actors/indexer/glob.hpp"
#include "actors/parser/parse_types.hpp"
#include "actors/review/review.hpp"
#include "actors/review/review_cache.hpp"
#include "actors/review/review_live.hpp"
#include "actors/version/versions.hpp"

namespace cg {

// Reads, hashes, parses and extracts one file (job.root/job.path).
parse_outcome parse_here(const parse_job& job);
// Bytes already in memory; lang unknown: detected from the path.
parse_outcome parse_here(std::string_view project, std::string_view path, std::string_view source,
                         language lang = language::unknown);

}  // namespace cg
