#include "actors/indexer/indexer_state.hpp"

#include <set>

#include <algorithm>

#include "actors/indexer/walker_git.hpp"

namespace cg {

std::string_view to_string(index_phase p) {
  switch (p) {
    case index_phase::walking: return "walking";
    case index_phase::parsing: return "parsing";
    case index_phase::resolving: return "resolving";
    case index_phase::done: return "done";
    case index_phase::failed: return "failed";
    case index_phase::cancelled: return "cancelled";
  }
  return "?";
}

indexer_state::indexer_state(index_request req, uint64_t task) : req_(std::move(req)), task_(task) {
  summary_.task = task;
  summary_.project = req_.project;
}

double indexer_state::since_start() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

status indexer_state::walk() {
  result<walk_result> w = make_error(errc::internal, "no walk");
  if (!req_.git.sha.empty()) {
    auto repo = git_repo::open(req_.root);
    if (!repo.ok()) return repo.err();
    w = walk_git(**repo, req_.git.sha, req_.walk);
  } else {
    w = req_.only.empty() ? walk_tree(req_.root, req_.walk) : walk_paths(req_.root, req_.only, req_.walk);
  }
  if (!w.ok()) return w.err();
  walk_ = std::move(*w);
  summary_.root = walk_.root;
  summary_.files_seen = walk_.files.size();
  summary_.skipped = walk_.skipped;
  summary_.unsupported = walk_.unsupported;
  summary_.ignored = walk_.ignored;
  return {};
}

void indexer_state::mark_walked() { summary_.seconds_walk = since_start(); }
void indexer_state::mark_parsed() { summary_.seconds_parse = since_start() - summary_.seconds_walk; }

void indexer_state::plan(const std::vector<file_record>& manifest) {
  for (const auto& rec : manifest) previous_.emplace(rec.path, rec);
  std::unordered_map<std::string, bool> walked;
  walked.reserve(walk_.files.size());
  for (const auto& f : walk_.files) {
    walked.emplace(f.path, true);
    auto it = previous_.find(f.path);
    // A file extracted by another analysis version is parsed again even when unchanged.
    const bool current = it != previous_.end() && it->second.analysis == analysis_version;
    if (current && it->second.size == f.size && it->second.mtime_ns == f.mtime_ns) {
      ++summary_.unchanged;
      continue;
    }
    parse_job j;
    j.project = req_.id_space.empty() ? req_.project : req_.id_space;
    j.root = walk_.root;
    j.path = f.path;
    j.max_bytes = req_.walk.max_file_bytes;
    j.blob = f.blob;
    j.stamp = f.mtime_ns;
    if (current) {
      j.has_previous = true;
      j.previous_hash = it->second.content_hash;
    }
    bytes_total_ += f.size;
    job_bytes_[f.path] = f.size;
    jobs_.push_back(std::move(j));
  }
  if (req_.only.empty()) {
    for (const auto& [path, rec] : previous_)
      if (!walked.count(path) && !is_virtual_path(path)) removals_.push_back(path);
  } else {  // watch mode: only the named files can have gone
    std::set<std::string> named(req_.only.begin(), req_.only.end());
    for (const auto& path : named)
      if (previous_.count(path) && !walked.count(path) && !is_virtual_path(path)) removals_.push_back(path);
  }
  std::sort(removals_.begin(), removals_.end());
  // Largest files first: the cores finish together instead of one of them parsing a
  // big file alone at the end.
  std::stable_sort(jobs_.begin(), jobs_.end(),
                   [&](const parse_job& a, const parse_job& b) { return job_bytes_[a.path] > job_bytes_[b.path]; });
  files_total_ = jobs_.size();
}

parse_job indexer_state::next_job() {
  parse_job j = std::move(jobs_.front());
  jobs_.pop_front();
  current_ = j.path;
  return j;
}

indexer_state::action indexer_state::on_parsed(parse_outcome& out, const std::string& path) {
  ++files_done_;
  if (auto it = job_bytes_.find(path); it != job_bytes_.end()) bytes_done_ += it->second;
  summary_.parse_cpu_seconds += out.parse_seconds;
  bool known = previous_.count(path) > 0;
  switch (out.kind) {
    case parse_result_kind::parsed: {
      const auto& rec = out.extract.record;
      auto t = std::find_if(summary_.parsed.begin(), summary_.parsed.end(),
                            [&](const language_tally& x) { return x.lang == rec.lang; });
      if (t == summary_.parsed.end()) {
        summary_.parsed.push_back({rec.lang, 0, 0, 0});
        t = summary_.parsed.end() - 1;
      }
      ++t->files;
      t->loc += rec.loc;
      t->bytes += rec.size;
      summary_.loc_parsed += rec.loc;
      summary_.bytes_parsed += rec.size;
      if (rec.status != parse_status::ok) {
        ++summary_.syntax_error_files;
        if (rec.status == parse_status::failed)
          summary_.failures.push_back({path, out.reason.empty() ? "parse failed" : out.reason});
      }
      if (known)
        ++summary_.changed;
      else
        ++summary_.added;
      return action::apply;
    }
    case parse_result_kind::unchanged: ++summary_.unchanged; return action::touch;
    case parse_result_kind::skipped:
      summary_.skipped.push_back({path, out.reason});
      if (known) {
        ++summary_.removed;
        return action::forget;
      }
      return action::drop;
    case parse_result_kind::failed:
      ++summary_.failed;
      summary_.failures.push_back({path, out.reason});
      // A file we cannot read now keeps what we knew of it.
      return action::drop;
  }
  return action::drop;
}

void indexer_state::on_changes(const std::vector<file_change>& changes) {
  for (const auto& c : changes) {
    summary_.nodes_created += c.created.size();
    summary_.nodes_updated += c.updated.size();
    summary_.nodes_deleted += c.deleted.size();
    if (c.kind == file_change::what::removed &&
        std::find(removals_.begin(), removals_.end(), c.path) != removals_.end())
      ++summary_.removed;
  }
}

void indexer_state::on_resolved(const resolve_summary& r) {
  summary_.files_resolved += r.files;
  summary_.resolution.merge(r.counts);
}

void indexer_state::fail(std::string message) {
  summary_.outcome = index_phase::failed;
  summary_.error = std::move(message);
}

index_progress indexer_state::progress(index_phase phase) const {
  index_progress p;
  p.task = task_;
  p.project = req_.project;
  p.phase = phase;
  p.files_done = files_done_;
  p.files_total = files_total_;
  p.bytes_done = bytes_done_;
  p.lines_done = summary_.loc_parsed;
  p.bytes_total = bytes_total_;
  p.errors = summary_.failed + summary_.syntax_error_files;
  p.elapsed_seconds = since_start();
  p.current = current_;
  if (phase == index_phase::parsing && bytes_done_ > 0 && bytes_total_ > bytes_done_) {
    double parse_elapsed = p.elapsed_seconds - summary_.seconds_walk;
    p.eta_seconds = parse_elapsed * static_cast<double>(bytes_total_ - bytes_done_) / static_cast<double>(bytes_done_);
  }
  return p;
}

index_summary indexer_state::finish(index_phase outcome) {
  summary_.seconds_total = since_start();
  summary_.seconds_resolve = std::max(0.0, summary_.seconds_total - summary_.seconds_walk - summary_.seconds_parse);
  if (summary_.outcome != index_phase::failed) summary_.outcome = outcome;
  return summary_;
}

}  // namespace cg
