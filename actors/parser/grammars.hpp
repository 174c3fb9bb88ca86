#pragma once
// The compiled-in tree-sitter grammars (pinned npm releases, ABI 14).
#include <tree_sitter/api.h>

#include "schema/kinds.hpp"

namespace cg {

// nullptr for language::unknown.
const TSLanguage* grammar_for(language lang);

}  // namespace cg
