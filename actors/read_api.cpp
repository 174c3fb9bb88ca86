#include "actors/read_api.hpp"

#include "actors/parser/parser_state.hpp"

namespace cg {
namespace {

parser_state& thread_parser() {
  thread_local parser_state p;  // one set of tree-sitter parsers per calling thread
  return p;
}

}  // namespace

parse_outcome parse_here(const parse_job& job) { return thread_parser().parse_file(job); }

parse_outcome parse_here(std::string_view project, std::string_view path, std::string_view source, language lang) {
  return thread_parser().parse_source(project, path, source, lang);
}

}  // namespace cg
