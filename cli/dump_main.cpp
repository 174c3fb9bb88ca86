#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include "actors/parser/parser_state.hpp"
int main(int argc, char** argv) {
  cg::parser_state ps;
  std::string root = argv[1];
  bool only = std::getenv("PARSE_ONLY");
  std::vector<std::string> srcs;
  for (int i = 2; i < argc; ++i) { std::ifstream f(root + "/" + argv[i]); std::stringstream ss; ss << f.rdbuf(); srcs.push_back(ss.str()); }
  auto t0 = std::chrono::steady_clock::now();
  size_t n = 0;
  for (int i = 2; i < argc; ++i) {
    if (only) { ps.parse_only(cg::language::python, srcs[i-2]); continue; }
    auto o = ps.parse_source("p", argv[i], srcs[i-2]);
    n += o.extract.nodes.size();
    if (std::getenv("PRINT")) for (auto& x : o.extract.nodes)
      if (std::getenv("ALL") ? (x.kind != cg::node_kind::file && x.kind != cg::node_kind::import) : (x.kind == cg::node_kind::function || x.kind == cg::node_kind::method || x.kind == cg::node_kind::constructor || x.kind == cg::node_kind::class_))
        std::printf("%s\t%s\t%u\t%s\n", argv[i], x.name.c_str(), x.name_pos.line, std::string(cg::to_string(x.kind)).c_str());
  }
  std::fprintf(stderr, "%.3f s, %zu nodes\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), n);
}
