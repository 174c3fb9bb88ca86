#include "actors/parser/parser_state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "actors/git/git_repo.hpp"
#include "actors/parser/cpp_macros.hpp"
#include "actors/parser/extractors.hpp"
#include "actors/parser/grammars.hpp"
#include "actors/parser/language_detect.hpp"
#include "schema/hash.hpp"
#include "schema/text.hpp"

namespace cg {
namespace {

constexpr uint64_t parse_timeout_us = 10'000'000;  // a pathological file gives up after 10 s

std::string human_bytes(uint64_t n) {
  char buf[32];
  if (n >= (1u << 20))
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1 << 20));
  else if (n >= 1024)
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
  else
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  return buf;
}

struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

parser_state::parser_state() = default;

parser_state::~parser_state() {
  for (auto* p : parsers_)
    if (p) ts_parser_delete(p);
}

TSParser* parser_state::parser_for(language lang) {
  auto& p = parsers_[static_cast<size_t>(lang)];
  if (!p) {
    const TSLanguage* g = grammar_for(lang);
    if (!g) return nullptr;
    p = ts_parser_new();
    if (!ts_parser_set_language(p, g)) {
      ts_parser_delete(p);
      p = nullptr;
      return nullptr;
    }
    ts_parser_set_timeout_micros(p, parse_timeout_us);
  }
  return p;
}

bool parser_state::parse_only(language lang, std::string_view source) {
  TSParser* p = parser_for(lang);
  if (!p) return false;
  TSTree* tree = ts_parser_parse_string(p, nullptr, source.data(), static_cast<uint32_t>(source.size()));
  if (!tree) {
    ts_parser_reset(p);
    return false;
  }
  ts_tree_delete(tree);
  return true;
}

parse_outcome parser_state::parse_blob(const parse_job& job) {
  parse_outcome out;
  if (!git_ || git_->root() != job.root) {
    git_.reset();
    auto repo = git_repo::open(job.root);
    if (!repo.ok()) {
      out.kind = parse_result_kind::failed;
      out.reason = repo.err().message;
      return out;
    }
    git_ = std::move(*repo);
  }
  auto content = git_->blob(job.blob, job.max_bytes);
  if (!content.ok()) {
    out.kind = content.err().code == errc::too_large ? parse_result_kind::skipped : parse_result_kind::failed;
    out.reason = content.err().message;
    return out;
  }
  return parse_read(job, *content, job.stamp);
}

parse_outcome parser_state::parse_file(const parse_job& job) {
  if (!job.blob.empty()) return parse_blob(job);
  parse_outcome out;
  std::string full = job.root;
  if (!full.empty() && full.back() != '/') full.push_back('/');
  full += job.path;

  fd_guard f{::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)};
  if (f.fd < 0) {
    out.kind = parse_result_kind::failed;
    out.reason = std::string("cannot open: ") + std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    out.kind = parse_result_kind::failed;
    out.reason = std::string("cannot stat: ") + std::strerror(errno);
    return out;
  }
  if (!S_ISREG(st.st_mode)) {
    out.kind = parse_result_kind::skipped;
    out.reason = "not a regular file";
    return out;
  }
  auto size = static_cast<uint64_t>(st.st_size);
  if (size > job.max_bytes) {
    out.kind = parse_result_kind::skipped;
    out.reason = "too large (" + human_bytes(size) + " > " + human_bytes(job.max_bytes) + " limit)";
    return out;
  }
  std::string content;
  content.resize(size);
  size_t got = 0;
  while (got < size) {
    auto n = ::read(f.fd, content.data() + got, size - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.kind = parse_result_kind::failed;
      out.reason = std::string("cannot read: ") + std::strerror(errno);
      return out;
    }
    if (n == 0) break;  // truncated while we read: index what is there
    got += static_cast<size_t>(n);
  }
  content.resize(got);
  return parse_read(job, content, static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec);
}

parse_outcome parser_state::parse_read(const parse_job& job, std::string_view content, int64_t mtime_ns) {
  parse_outcome out;
  auto& rec = out.extract.record;
  rec.path = job.path;
  rec.size = content.size();
  rec.mtime_ns = mtime_ns;
  rec.content_hash = hash64(content);
  if (job.warm) return warm(job, content);
  if (job.has_previous && job.previous_hash == rec.content_hash) {
    out.kind = parse_result_kind::unchanged;
    return out;
  }
  auto result = parse_source(job.project, job.path, content, language::unknown, job.keep_tree);
  result.extract.record.size = rec.size;
  result.extract.record.mtime_ns = rec.mtime_ns;
  result.extract.record.content_hash = rec.content_hash;
  return result;
}

parse_outcome parser_state::warm(const parse_job& job, std::string_view content) {
  parse_outcome out;
  out.kind = parse_result_kind::skipped;
  out.reason = "warmed";
  if (content.size() < tree_cache::min_bytes || looks_binary(content)) return out;
  language lang = detect_language(job.path, content.substr(0, 16384));
  if (trees_.holds(lang, tree_key(job.project, job.path))) return out;
  // The whole parse, so that the kept tree is of the text a save parses (C and C++
  // macros blanked); the extraction is dropped.
  (void)parse_source(job.project, job.path, content, lang);
  ++warmed_;
  return out;
}

std::string parser_state::tree_key(std::string_view project, std::string_view path) {
  return std::string(project) + '\0' + std::string(path);
}

parse_outcome parser_state::parse_source(std::string_view project, std::string_view path, std::string_view source,
                                         language lang, bool keep_tree) {
  parse_outcome out;
  if (looks_binary(source)) {
    out.kind = parse_result_kind::skipped;
    out.reason = "binary content";
    return out;
  }
  if (lang == language::unknown) lang = detect_language(path, source.substr(0, 16384));
  TSParser* p = parser_for(lang);
  if (!p) {
    out.kind = parse_result_kind::skipped;
    out.reason = "unsupported language";
    return out;
  }
  if (source.size() > UINT32_MAX) {
    out.kind = parse_result_kind::skipped;
    out.reason = "too large";
    return out;
  }
  const uint64_t content_hash = hash64(source);  // of the bytes on disk, before any patching
  // C/C++: blank declaration macros the grammar cannot see through (offsets unchanged).
  std::string patched;
  if (lang == language::cpp || lang == language::c) {
    patched.assign(source);
    bool changed = blank_lone_macro_lines(patched);
    if (may_have_declaration_macros(patched)) changed = blank_declaration_macros(patched) || changed;
    if (changed)
      source = patched;
    else
      patched.clear();
  }
  auto t0 = std::chrono::steady_clock::now();
  // A large file parsed before (watch mode saves it again): from its kept tree.
  const std::string key = tree_key(project, path);
  bool reused = false;
  TSTree* tree = trees_.parse(p, lang, key, source, reused);
  if (reused) ++incremental_parses_;
  out.parse_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto& rec = out.extract.record;
  rec.content_hash = content_hash;
  rec.size = source.size();
  if (!tree) {  // timeout or cancellation: keep the file node only
    ts_parser_reset(p);
    out.kind = parse_result_kind::parsed;
    rec.path = std::string(path);
    rec.lang = lang;
    rec.status = parse_status::failed;
    rec.error_count = 1;
    node file;
    file.kind = node_kind::file;
    file.lang = lang;
    file.file = sanitize_utf8(path);
    file.qualified_name = file.file;
    auto slash = file.file.find_last_of('/');
    file.name = slash == std::string::npos ? file.file : file.file.substr(slash + 1);
    file.name_pos = {1, 1};
    file.content_hash = rec.content_hash;
    file.id = make_node_id(project, file.file, file.qualified_name, node_kind::file);
    out.extract.nodes.push_back(std::move(file));
    rec.node_count = 1;
    rec.analysis = analysis_version;
    out.reason = "parser gave up (timeout)";
    return out;
  }
  extract_input in;
  in.project = project;
  in.path = path;
  in.lang = lang;
  in.source = source;
  in.valid_utf8 = is_valid_utf8(source);
  TSNode root = ts_tree_root_node(tree);
  switch (lang) {
    case language::python: extract_python(in, root, out.extract); break;
    case language::rust: extract_rust(in, root, out.extract); break;
    case language::javascript:
    case language::jsx:
    case language::typescript:
    case language::tsx: extract_javascript(in, root, out.extract); break;
    case language::go: extract_go(in, root, out.extract); break;
    case language::java: extract_java(in, root, out.extract); break;
    case language::c:
    case language::cpp: extract_c_family(in, root, out.extract); break;
    case language::unknown: break;
  }
  if (keep_tree)
    trees_.keep(lang, key, source, tree);
  else
    ts_tree_delete(tree);
  ++files_parsed_;
  out.kind = parse_result_kind::parsed;
  out.extract.record.analysis = analysis_version;
  return out;
}

}  // namespace cg
