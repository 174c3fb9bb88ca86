// Review impact as JSON (CLI --json, REST, GraphQL) and as a Markdown PR comment.
#include <nlohmann/json.hpp>

#include "actors/review/review.hpp"
#include "schema/hash.hpp"

namespace cg {
namespace {

using nlohmann::json;

std::string display_name(const node& n) { return n.qualified_name.empty() ? n.name : n.qualified_name; }

json symbol_json(const node& n) {
  return json{{"id", format_id(n.id)},
              {"name", n.name},
              {"qualifiedName", display_name(n)},
              {"kind", std::string(to_string(n.kind))},
              {"file", n.file},
              {"line", n.line()},
              {"endLine", n.span.end.line}};
}

json version_json(uint64_t id, const version_record& v) {
  if (id == 0) return json{{"version", nullptr}, {"state", "newest"}};
  json j{{"version", id}, {"source", v.source}};
  if (!v.commit.empty()) j["commit"] = v.commit;
  if (!v.message.empty()) j["message"] = v.message.substr(0, v.message.find('\n'));
  return j;
}

json impacted_json_of(const impacted_symbol& s) {
  json j = symbol_json(s.n);
  j["distance"] = s.distance;
  j["fromChange"] = format_id(s.from_change);
  j["exact"] = s.exact;
  j["test"] = s.is_test;
  j["changesReached"] = s.changes_reached;
  json path = json::array();
  for (const auto& h : s.path)
    path.push_back({{"from", format_id(h.from)},
                    {"to", format_id(h.to)},
                    {"kind", std::string(to_string(h.kind))},
                    {"resolution", h.exact ? "exact" : "possible"}});
  j["path"] = std::move(path);
  return j;
}

json changed_json_of(const changed_symbol& c) {
  json j = symbol_json(c.n);
  j["change"] = c.change;
  j["signatureChanged"] = c.signature_changed;
  if (c.signature_changed) {
    j["signatureBefore"] = c.signature_before;
    j["signatureAfter"] = c.n.signature;
  }
  if (c.change == "renamed") j["renamedFrom"] = symbol_json(c.before);
  if (c.change == "moved" && c.before.id != c.n.id) j["movedFrom"] = symbol_json(c.before);
  if (c.change == "modified" || c.change == "moved") j["lineBefore"] = c.before.line();
  j["viaMembers"] = c.via_members;
  j["public"] = c.is_public;
  j["test"] = c.is_test;
  j["directUsers"] = c.direct_users;
  j["reached"] = c.reached;
  json tests = json::array();
  for (auto t : c.tests) tests.push_back(format_id(t));
  j["tests"] = std::move(tests);
  return j;
}

json counts_json(const std::map<std::string, size_t>& m) {
  std::vector<std::pair<std::string, size_t>> rows(m.begin(), m.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  json out = json::array();
  for (const auto& [k, n] : rows) out.push_back({{"name", k}, {"count", n}});
  return out;
}

}  // namespace

nlohmann::json to_json(const changed_symbol& c) { return changed_json_of(c); }
nlohmann::json to_json(const impacted_symbol& s) { return impacted_json_of(s); }

nlohmann::json risk_json(const review_risk& k) {
  json reasons = json::array();
  for (const auto& x : k.reasons) reasons.push_back({{"points", x.points}, {"reason", x.text}});
  return {{"score", k.score}, {"level", k.level}, {"reasons", std::move(reasons)}};
}

nlohmann::json totals_json(const review_report& r) {
  return {{"changed", r.changed.size()}, {"changedFiles", r.changed_files}, {"radius", r.radius.size()},
          {"tests", r.tests.size()},     {"untested", r.untested.size()},   {"api", r.api.size()}};
}

nlohmann::json to_json(const review_report& r) {
  json j{{"base", version_json(r.base, r.base_version)},
         {"target", version_json(r.target, r.target_version)},
         {"depth", r.depth},
         {"testDepth", r.test_depth}};
  json changed = json::array();
  for (const auto& c : r.changed) changed.push_back(changed_json_of(c));
  j["changed"] = std::move(changed);
  json radius = json::array();
  for (const auto& s : r.radius) radius.push_back(impacted_json_of(s));
  j["radius"] = std::move(radius);
  json by_depth = json::object();
  for (const auto& [d, n] : r.by_depth) by_depth[std::to_string(d)] = n;
  j["byDepth"] = std::move(by_depth);
  j["byFile"] = counts_json(r.by_file);
  j["byPackage"] = counts_json(r.by_package);
  json tests = json::array();
  for (const auto& s : r.tests) tests.push_back(impacted_json_of(s));
  json untested = json::array();
  for (auto id : r.untested) untested.push_back(format_id(id));
  j["tests"] = {{"reaching", std::move(tests)}, {"untested", std::move(untested)}};
  json api = json::array();
  for (const auto& a : r.api) {
    json e = symbol_json(a.n);
    e["change"] = a.change;
    e["signatureBefore"] = a.signature_before;
    if (a.change == "signature") e["signatureAfter"] = a.signature_after;
    json users = json::array();
    for (const auto& u : a.users) users.push_back(symbol_json(u));
    e["users"] = std::move(users);
    api.push_back(std::move(e));
  }
  j["api"] = std::move(api);
  j["risk"] = risk_json(r.risk);
  json unowned = json::array();
  for (const auto& u : r.unowned) {
    auto ranges = [](const std::vector<review_line_range>& v) {
      json a = json::array();
      for (const auto& x : v) a.push_back({{"start", x.start}, {"end", x.end}});
      return a;
    };
    unowned.push_back({{"file", u.file}, {"added", ranges(u.added)}, {"removed", ranges(u.removed)}});
  }
  j["unowned"] = std::move(unowned);
  j["trust"] = {{"unresolvedInChanges", r.trust.unresolved_in_changes},
                {"parseErrors", r.trust.parse_errors},
                {"truncated", r.trust.truncated},
                {"linesChecked", r.trust.lines_checked},
                {"linesUnknown", r.trust.lines_unknown}};
  j["totals"] = totals_json(r);
  return j;
}

namespace {

std::string side(uint64_t id, const version_record& v) {
  if (id == 0) return "the working tree";
  std::string s = "version " + std::to_string(id);
  if (!v.commit.empty()) s += " (`" + v.commit.substr(0, 10) + "`)";
  return s;
}

std::string cell(std::string s) {
  for (auto& ch : s)
    if (ch == '|' || ch == '\n') ch = ' ';
  return s;
}

}  // namespace

std::string to_markdown(const review_report& r, const std::string& project, size_t limit) {
  std::string md;
  const char* icon = r.risk.level == "high" ? "🔴" : r.risk.level == "medium" ? "🟠" : "🟢";
  md += "### " + std::string(icon) + " Review impact: risk " + std::to_string(r.risk.score) + "/100 (" + r.risk.level +
        ")\n\n";
  md += "`" + cell(project) + "`: " + side(r.base, r.base_version) + " → " + side(r.target, r.target_version) + ". ";
  md += count_of(r.changed.size(), "changed definition") + " in " + count_of(r.changed_files, "file") + " reach " +
        std::to_string(r.radius.size()) + " more within " + count_of(static_cast<size_t>(r.depth), "hop") + "; " +
        count_of(r.tests.size(), "test") + (r.tests.size() == 1 ? " reaches" : " reach") + " them, " +
        count_of(r.untested.size(), "changed function") + (r.untested.size() == 1 ? " is" : " are") + " untested.\n\n";
  if (!r.risk.reasons.empty()) {
    for (const auto& x : r.risk.reasons) md += "- **+" + std::to_string(x.points) + "** " + cell(x.text) + "\n";
    md += "\n";
  }
  if (!r.changed.empty()) {
    md += "#### Changed\n\n| | Definition | Kind | Where | Users |\n|---|---|---|---|---|\n";
    size_t shown = 0;
    for (const auto& c : r.changed) {
      if (shown++ == limit) break;
      std::string mark = c.change == "added"     ? "+"
                         : c.change == "removed" ? "−"
                         : c.change == "renamed" ? "↪"
                         : c.change == "moved"   ? "↕"
                                                 : "~";
      std::string what = "`" + cell(display_name(c.n)) + "`";
      if (c.change == "renamed") what += " (was `" + cell(display_name(c.before)) + "`)";
      if (c.signature_changed) what += " · signature";
      if (c.via_members) what += " · members";
      md += "| " + mark + " | " + what + " | " + std::string(to_string(c.n.kind)) + " | " + cell(c.n.file) + ":" +
            std::to_string(c.n.line()) + " | " + std::to_string(c.direct_users) + " |\n";
    }
    if (r.changed.size() > limit) md += "\n… and " + std::to_string(r.changed.size() - limit) + " more.\n";
    md += "\n";
  }
  if (!r.by_depth.empty()) {
    md += "#### Radius\n\n| Distance | Definitions |\n|---|---|\n";
    for (const auto& [d, n] : r.by_depth) md += "| " + std::to_string(d) + " | " + std::to_string(n) + " |\n";
    md += "\n";
    size_t shown = 0;
    md += "Nearest: ";
    for (const auto& s : r.radius) {
      if (shown == 10) break;
      md += std::string(shown++ ? ", " : "") + "`" + cell(display_name(s.n)) + "`" + (s.exact ? "" : "?");
    }
    md += r.radius.size() > 10 ? ", …\n\n" : "\n\n";
  }
  if (!r.tests.empty() || !r.untested.empty()) {
    md += "#### Tests\n\n";
    size_t shown = 0;
    for (const auto& t : r.tests) {
      if (shown++ == limit) break;
      md += "- `" + cell(display_name(t.n)) + "` (" + cell(t.n.file) + ", " + std::to_string(t.distance) +
            (t.distance == 1 ? " hop)\n" : " hops)\n");
    }
    if (r.tests.size() > limit) md += "- … and " + std::to_string(r.tests.size() - limit) + " more\n";
    if (!r.untested.empty()) {
      md += r.tests.empty() ? "No test reaches: " : "\nNo test reaches: ";
      size_t k = 0;
      for (auto id : r.untested)
        for (const auto& c : r.changed)
          if (c.n.id == id && k < limit) md += std::string(k++ ? ", " : "") + "`" + cell(display_name(c.n)) + "`";
      md += r.untested.size() > limit ? ", …\n" : "\n";
    }
    md += "\n";
  }
  if (!r.api.empty()) {
    md += "#### API changes\n\n";
    for (const auto& a : r.api)
      md += "- `" + cell(display_name(a.n)) + "` " + a.change + ": " + count_of(a.users.size(), "user") +
            " in other files\n";
    md += "\n";
  }
  if (!r.unowned.empty()) {
    md += "#### Changed lines outside definitions\n\n";
    size_t shown = 0;
    for (const auto& u : r.unowned) {
      if (shown++ == limit) break;
      auto lines = [](const std::vector<review_line_range>& v) {
        std::string s;
        for (const auto& x : v)
          s += (s.empty() ? "" : ", ") + std::to_string(x.start) + (x.end > x.start ? "–" + std::to_string(x.end) : "");
        return s;
      };
      md += "- " + cell(u.file) + ": " + (u.added.empty() ? "" : "lines " + lines(u.added)) +
            (u.removed.empty() ? "" : std::string(u.added.empty() ? "" : "; ") + "removed " + lines(u.removed)) + "\n";
    }
    md += "\n";
  }
  if (r.trust.truncated || !r.trust.parse_errors.empty())
    md += "_Partial: " + std::string(r.trust.truncated ? "a walk stopped at its limit. " : "") +
          std::to_string(r.trust.parse_errors.size()) + " changed files have syntax errors._\n";
  return md;
}

}  // namespace cg
