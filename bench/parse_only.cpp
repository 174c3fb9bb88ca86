// Parse-only throughput: the same files the index holds, read into memory first,
// parsed by N threads with tree-sitter and nothing else (no extraction, no store).
// The baseline the full index is compared with.
// Usage: cg_bench_parse ROOT FILE_LIST THREADS [--extract]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "actors/parser/language_detect.hpp"
#include "actors/parser/parser_state.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s ROOT FILE_LIST THREADS [--extract]\n", argv[0]);
    return 1;
  }
  std::string root = argv[1];
  unsigned threads = static_cast<unsigned>(std::max(1, std::atoi(argv[3])));
  bool extract = argc > 4 && std::string(argv[4]) == "--extract";
  struct file {
    std::string path, text;
    cg::language lang;
  };
  std::vector<file> files;
  std::ifstream list(argv[2]);
  uint64_t loc = 0, bytes = 0;
  for (std::string rel; std::getline(list, rel);) {
    if (rel.empty()) continue;
    std::ifstream f(root + "/" + rel, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    file x{rel, ss.str(), cg::language::unknown};
    x.lang = cg::detect_language(rel, std::string_view(x.text).substr(0, 16384));
    if (x.lang == cg::language::unknown) continue;
    bytes += x.text.size();
    for (char c : x.text) loc += c == '\n';
    if (!x.text.empty() && x.text.back() != '\n') ++loc;
    files.push_back(std::move(x));
  }
  std::atomic<size_t> next{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      cg::parser_state ps;
      for (size_t i; (i = next++) < files.size();) {
        if (extract)
          (void)ps.parse_source("bench", files[i].path, files[i].text, files[i].lang);
        else
          (void)ps.parse_only(files[i].lang, files[i].text);
      }
    });
  for (auto& t : pool) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "{\"files\": %zu, \"loc\": %llu, \"bytes\": %llu, \"threads\": %u, \"seconds\": %.4f, \"loc_per_second\": "
      "%.0f}\n",
      files.size(), static_cast<unsigned long long>(loc), static_cast<unsigned long long>(bytes), threads, secs,
      static_cast<double>(loc) / secs);
  return 0;
}
