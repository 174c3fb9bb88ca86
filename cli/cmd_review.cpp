// review BASE..TARGET: the changed definitions of a range, what reaches them, the
// tests that reach them, API changes and a risk score; text, Markdown or JSON, and a
// gate for CI (--fail-on risk>=N, exit 3).
#include <charconv>
#include <nlohmann/json.hpp>

#include "actors/git/git_repo.hpp"
#include "actors/read_api.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "schema/hash.hpp"

namespace cg::cli {
namespace {

// A version reference, else a git revision of the project's repository whose commit
// was indexed.
result<uint64_t> side_version(const open_project& p, const std::string& ref) {
  auto v = resolve_version(*p.db, p.id, ref);
  if (v.ok() || p.root.empty()) return v;
  auto repo = git_repo::open(p.root);
  if (!repo.ok()) return v;
  auto c = (*repo)->commit(ref);
  if (!c.ok()) return v;
  auto named = resolve_version(*p.db, p.id, c->sha);
  if (named.ok()) return named;
  return make_error(errc::not_found, "git commit " + c->sha.substr(0, 12) + " (" + ref +
                                         ") is not indexed: `codegraph index --git " + ref + "` first");
}

std::optional<int> parse_gate(const std::string& text) {
  const std::string prefix = "risk>=";
  if (!text.starts_with(prefix)) return std::nullopt;
  int n = -1;
  auto tail = std::string_view(text).substr(prefix.size());
  auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), n);
  if (ec != std::errc{} || end != tail.data() + tail.size() || n < 0 || n > 100) return std::nullopt;
  return n;
}

std::string name_of(const node& n) { return n.qualified_name.empty() ? n.name : n.qualified_name; }

void print_text(const review_report& r, const std::string& project, size_t limit) {
  std::printf("%s: %s -> %s, depth %d\n", project.c_str(), ("version " + std::to_string(r.base)).c_str(),
              r.target ? ("version " + std::to_string(r.target)).c_str() : "the newest state", r.depth);
  std::printf("risk %d/100 (%s)\n", r.risk.score, r.risk.level.c_str());
  for (const auto& x : r.risk.reasons) std::printf("  +%-3d %s\n", x.points, x.text.c_str());
  std::printf("\nchanged: %zu definitions in %zu files\n", r.changed.size(), r.changed_files);
  size_t shown = 0;
  for (const auto& c : r.changed) {
    if (shown++ == limit) break;
    std::string note = c.signature_changed ? "  (signature)" : "";
    if (c.change == "renamed") note = "  (was " + name_of(c.before) + ")";
    if (c.via_members) note += "  (members)";
    std::printf("  %-8s %-8s %s  %s  users %zu%s\n", c.change.c_str(), std::string(to_string(c.n.kind)).c_str(),
                name_of(c.n).c_str(), location(c.n).c_str(), c.direct_users, note.c_str());
  }
  if (r.changed.size() > limit) std::printf("  ... %zu more\n", r.changed.size() - limit);
  std::printf("\nradius: %zu definitions", r.radius.size());
  for (const auto& [d, n] : r.by_depth) std::printf("%s%zu at %d", d == r.by_depth.begin()->first ? " (" : ", ", n, d);
  std::printf("%s\n", r.by_depth.empty() ? "" : ")");
  shown = 0;
  for (const auto& s : r.radius) {
    if (shown++ == limit) break;
    std::string via;
    for (const auto& h : s.path) via += std::string(via.empty() ? "" : " ") + std::string(to_string(h.kind));
    std::printf("  %d  %-8s %s  %s  via %s%s\n", s.distance, std::string(to_string(s.n.kind)).c_str(),
                name_of(s.n).c_str(), location(s.n).c_str(), via.c_str(), s.exact ? "" : " (possible)");
  }
  if (r.radius.size() > limit) std::printf("  ... %zu more (--json for all)\n", r.radius.size() - limit);
  std::printf("\ntests reaching the change: %zu\n", r.tests.size());
  shown = 0;
  for (const auto& t : r.tests) {
    if (shown++ == limit) break;
    std::printf("  %d  %s  %s\n", t.distance, name_of(t.n).c_str(), location(t.n).c_str());
  }
  if (!r.untested.empty()) {
    std::printf("changed functions no test reaches: %zu\n", r.untested.size());
    shown = 0;
    for (auto id : r.untested)
      for (const auto& c : r.changed)
        if (c.n.id == id && shown++ < limit) std::printf("  %s  %s\n", name_of(c.n).c_str(), location(c.n).c_str());
  }
  if (!r.api.empty()) {
    std::printf("\nAPI changes: %zu\n", r.api.size());
    for (const auto& a : r.api)
      std::printf("  %-9s %s  %s  (%zu users in other files)\n", a.change.c_str(), name_of(a.n).c_str(),
                  location(a.n).c_str(), a.users.size());
  }
  if (!r.unowned.empty()) {
    std::printf("\nchanged lines outside definitions:\n");
    for (const auto& u : r.unowned) {
      std::string s;
      for (const auto& x : u.added)
        s += (s.empty() ? "" : ", ") + std::to_string(x.start) + (x.end > x.start ? "-" + std::to_string(x.end) : "");
      for (const auto& x : u.removed)
        s += (s.empty() ? "" : ", ") + std::string("removed ") + std::to_string(x.start) +
             (x.end > x.start ? "-" + std::to_string(x.end) : "");
      std::printf("  %s: %s\n", u.file.c_str(), s.c_str());
    }
  }
  if (r.trust.truncated) std::printf("\nnote: a walk stopped at its limit; the radius is partial\n");
  if (!r.trust.parse_errors.empty())
    std::printf("\nnote: %zu changed files have syntax errors\n", r.trust.parse_errors.size());
}

}  // namespace

int run_review(const context& ctx, const review_args& args) {
  std::optional<int> gate;
  if (!args.fail_on.empty() && !(gate = parse_gate(args.fail_on)))
    return report_error(ctx.json, exit_usage, "--fail-on takes risk>=N with N from 0 to 100");
  if (args.format != "text" && args.format != "markdown" && args.format != "json")
    return report_error(ctx.json, exit_usage, "--format is text, markdown or json");
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  auto dots = args.range.find("..");
  std::string base_ref = args.range.substr(0, dots);
  std::string target_ref = dots == std::string::npos ? "" : args.range.substr(dots + 2);
  if (base_ref.empty()) return report_error(ctx.json, exit_usage, "review BASE..TARGET: BASE is missing");
  auto base = side_version(*p, base_ref);
  if (!base.ok()) return report_error(ctx.json, exit_usage, base.err().message);
  uint64_t target = 0;
  if (!target_ref.empty() && target_ref != "working") {
    auto t = side_version(*p, target_ref);
    if (!t.ok()) return report_error(ctx.json, exit_usage, t.err().message);
    target = *t;
  }
  review_request req;
  req.base = *base;
  req.target = target;
  req.depth = args.depth;
  req.root = p->root;
  auto r = review_versions(*p->db, p->id, req);
  if (!r.ok())
    return report_error(ctx.json, r.err().code == errc::invalid_argument ? exit_usage : exit_runtime, r.err().message);
  if (ctx.json || args.format == "json") {
    auto j = to_json(*r);
    j["project"] = p->name;
    print_json(j);
  } else if (args.format == "markdown") {
    std::fputs(to_markdown(*r, p->name, args.limit).c_str(), stdout);
  } else {
    print_text(*r, p->name, args.limit);
  }
  if (gate && r->risk.score >= *gate) {
    if (!ctx.quiet)
      std::fprintf(stderr, "review: risk %d reaches the gate (%s)\n", r->risk.score, args.fail_on.c_str());
    return exit_review_risk;
  }
  return exit_ok;
}

}  // namespace cg::cli
