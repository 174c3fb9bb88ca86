#!/usr/bin/env bash
# The layering rules docs/ARCHITECTURE.md states, checked on the tracked sources:
#   - CAF is included only under actors/ (the actor shells, the engine, caf_types.hpp);
#   - Beast/Asio only under net/transport/ (the server), net/client/ (outbound HTTP)
#     and the HTTP fuzzer;
#   - net/ and cli/ include from actors/ only the published headers: the engine facade
#     and the types it takes and returns, its JSON encodings, the read API, the watch
#     scheduler, the git repository and follower (plain C++) and the embedding-provider
#     interface.
# Prints each violation (file: include) and exits 1 when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
published='actors/(engine|engine_json|read_api)\.hpp|actors/indexer/(index_types|watch_scheduler)\.hpp|actors/search/(search_types|embedder)\.hpp|actors/bus/events\.hpp|actors/parser/parse_types\.hpp|actors/git/(git_repo|git_follow)\.hpp'
bad=0
report() { echo "layering: $1" >&2; bad=1; }
while IFS= read -r hit; do report "CAF outside actors/: $hit"; done < <(
  git ls-files '*.cpp' '*.hpp' | grep -v '^actors/' | xargs grep -Hn '#include <caf/' || true)
while IFS= read -r hit; do report "Beast/Asio outside net/transport and net/client: $hit"; done < <(
  git ls-files '*.cpp' '*.hpp' | grep -Ev '^(net/transport/|net/client/|tests/fuzz/fuzz_http_request\.cpp)' |
    xargs grep -HnE '#include <boost/(beast|asio)' || true)
while IFS= read -r hit; do report "past the facade: $hit"; done < <(
  git ls-files 'net/*.cpp' 'net/*.hpp' 'cli/*.cpp' 'cli/*.hpp' | grep -v '_test\.cpp$' |
    xargs grep -HnE '#include "actors/' | grep -Ev "\"($published)\"" || true)
[ "$bad" = 0 ] && echo "layers: CAF in actors/, Beast in net/, net/ and cli/ through the published headers"
exit "$bad"
