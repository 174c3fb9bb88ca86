// Review impact: changed lines that fall in no definition, from the texts of both
// sides (git blobs of indexed commits, or the working tree for the newest state).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/git/git_repo.hpp"
#include "actors/graph/graph_query.hpp"
#include "actors/review/review.hpp"

namespace cg {
namespace {

std::optional<std::string> read_file(const std::filesystem::path& p, uint64_t limit) {
  std::error_code ec;
  auto size = std::filesystem::file_size(p, ec);
  if (ec || size > limit) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A commit's files by path, read once.
struct commit_files {
  std::shared_ptr<git_repo> repo;
  std::string sha;
  std::optional<std::map<std::string, std::string>> blobs;  // path -> blob id
  std::optional<std::string> read(const std::string& path) {
    if (!blobs) {
      blobs.emplace();
      auto fs = repo->files(sha);
      if (fs.ok())
        for (auto& f : *fs)
          if (f.what == git_tree_entry_info::kind::file) (*blobs)[f.path] = f.blob;
    }
    auto it = blobs->find(path);
    if (it == blobs->end()) return std::string();  // not in the commit: empty
    auto b = repo->blob(it->second, 16u << 20);
    if (!b.ok()) return std::nullopt;
    return std::move(*b);
  }
};

std::function<std::optional<std::string>(const std::string&)> side_of(std::shared_ptr<git_repo> repo,
                                                                      const std::string& root, uint64_t id,
                                                                      const version_record& v) {
  if (id == 0)  // the newest state: the working tree as last indexed or saved
    return [root](const std::string& path) -> std::optional<std::string> {
      std::error_code ec;
      if (!std::filesystem::exists(std::filesystem::path(root) / path, ec)) return std::string();
      return read_file(std::filesystem::path(root) / path, 16u << 20);
    };
  if (v.commit.empty() || !repo) return {};
  auto files = std::make_shared<commit_files>(commit_files{std::move(repo), v.commit, std::nullopt});
  return [files](const std::string& path) { return files->read(path); };
}

// Whether each line (1-based) of a text holds only whitespace.
std::vector<bool> blank_lines(const std::string& text) {
  std::vector<bool> blank{true};  // [0] unused
  bool all_space = true;
  for (char c : text) {
    if (c == '\n') {
      blank.push_back(all_space);
      all_space = true;
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\f') {
      all_space = false;
    }
  }
  blank.push_back(all_space);
  return blank;
}

// Lines [first, first + count) less the spans of definitions and blank lines, as ranges.
void uncovered(uint32_t first, uint32_t count, const std::vector<std::pair<uint32_t, uint32_t>>& spans,
               const std::vector<bool>& blank, std::vector<review_line_range>& out) {
  for (uint32_t line = first; line < first + count; ++line) {
    bool inside =
        std::any_of(spans.begin(), spans.end(), [&](const auto& s) { return line >= s.first && line <= s.second; });
    if (inside || (line < blank.size() && blank[line])) continue;
    if (!out.empty() && out.back().end + 1 == line)
      out.back().end = line;
    else
      out.push_back({line, line});
  }
}

result<std::vector<std::pair<uint32_t, uint32_t>>> spans_of(const graph_query& q, const std::string& file) {
  auto defs = q.outline(file);
  if (!defs.ok()) return defs.err();
  std::vector<std::pair<uint32_t, uint32_t>> spans;
  for (const auto& n : *defs)
    if (n.kind != node_kind::file && n.kind != node_kind::import) spans.push_back({n.span.start.line, n.span.end.line});
  return spans;
}

}  // namespace

std::string project_root(const store& db, std::string_view project) {
  auto info = db.project_info(project);
  if (!info.ok() || !*info) return {};
  auto j = nlohmann::json::parse(**info, nullptr, false);
  return j.is_object() ? j.value("root", std::string()) : std::string();
}

review_sources review_sources_for(const std::string& root, uint64_t base, const version_record& base_version,
                                  uint64_t target, const version_record& target_version) {
  review_sources s;
  if (root.empty()) return s;
  std::shared_ptr<git_repo> repo;
  if (!base_version.commit.empty() || !target_version.commit.empty()) {
    auto r = git_repo::open(root);
    if (r.ok()) repo = std::move(*r);
  }
  s.base = side_of(repo, root, base, base_version);
  s.target = side_of(repo, root, target, target_version);
  return s;
}

status note_unowned_lines(review_report& r, const std::set<std::string>& files, const review_sources& src,
                          const graph_query& base, const graph_query& target) {
  for (const auto& file : files) {
    std::optional<std::string> a = src.base ? src.base(file) : std::nullopt;
    std::optional<std::string> b = src.target ? src.target(file) : std::nullopt;
    if (!a || !b) {
      r.trust.lines_unknown.push_back(file);
      continue;
    }
    auto hunks = diff_lines(*a, *b);
    if (!hunks.ok()) {
      r.trust.lines_unknown.push_back(file);
      continue;
    }
    auto old_spans = spans_of(base, file);
    if (!old_spans.ok()) return old_spans.err();
    auto new_spans = spans_of(target, file);
    if (!new_spans.ok()) return new_spans.err();
    review_unowned u;
    u.file = file;
    auto old_blank = blank_lines(*a), new_blank = blank_lines(*b);
    for (const auto& h : *hunks) {
      uncovered(h.new_start, h.new_lines, *new_spans, new_blank, u.added);
      uncovered(h.old_start, h.old_lines, *old_spans, old_blank, u.removed);
    }
    if (!u.added.empty() || !u.removed.empty()) r.unowned.push_back(std::move(u));
  }
  return {};
}

}  // namespace cg
