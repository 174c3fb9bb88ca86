#pragma once
// The Python extractor records what an unannotated function returns and what a name
// is bound to as value texts (ref:x, call:f|in:g, import:os.path) in the node's
// type_name, for the resolver's value analysis. They are not types a person wrote:
// user-facing type fields leave them out.
#include <string_view>

namespace cg {

inline bool is_value_text(std::string_view t) {
  for (std::string_view p : {"ref:", "call:", "get:", "elem:", "in:", "import:"})
    if (t.starts_with(p)) return true;
  return t.find('|') != std::string_view::npos;
}

}  // namespace cg
