// Review impact: test conventions, what counts as public, and the risk score.
#include <algorithm>
#include <cmath>
#include <string>

#include "actors/review/review.hpp"

namespace cg {
namespace {

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool has_dir(std::string_view path, std::string_view dir) {
  std::string with = "/" + std::string(dir) + "/";
  return path.starts_with(with.substr(1)) || path.find(with) != std::string_view::npos;
}

bool ends_with_any(std::string_view s, std::initializer_list<std::string_view> tails) {
  return std::any_of(tails.begin(), tails.end(), [&](std::string_view t) { return s.ends_with(t); });
}

bool is_callable_kind(node_kind k) {
  return k == node_kind::function || k == node_kind::method || k == node_kind::constructor;
}

}  // namespace

bool is_test_file(std::string_view path) {
  auto name = base_name(path);
  auto dot = name.rfind('.');
  auto stem = dot == std::string_view::npos ? name : name.substr(0, dot);
  auto ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot);
  if (ext == ".py")
    return stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest" || has_dir(path, "tests") ||
           has_dir(path, "test");
  if (ext == ".go") return stem.ends_with("_test");
  if (ext == ".java") return ends_with_any(stem, {"Test", "Tests", "IT"}) || has_dir(path, "src/test");
  if (ext == ".js" || ext == ".ts" || ext == ".jsx" || ext == ".tsx" || ext == ".mjs" || ext == ".cjs")
    return ends_with_any(stem, {".test", ".spec"}) || has_dir(path, "__tests__");
  if (ext == ".rs") return has_dir(path, "tests") || stem == "tests";
  if (ext == ".c" || ext == ".cc" || ext == ".cpp" || ext == ".cxx")
    return ends_with_any(stem, {"_test", "_unittest", "_tests"}) || stem.starts_with("test_") ||
           has_dir(path, "tests") || has_dir(path, "test");
  return false;
}

bool is_test_definition(const node& n) {
  if (n.kind == node_kind::file) return is_test_file(n.file);
  if (n.lang == language::rust &&
      (n.qualified_name.find("::tests::") != std::string::npos || n.qualified_name.starts_with("tests::")))
    return is_callable_kind(n.kind);
  if (n.lang == language::cpp || n.lang == language::c) {
    // gtest: TEST(suite, name) and TEST_F(...) bodies.
    if (n.name.starts_with("TEST") || n.signature.starts_with("TEST")) return true;
  }
  if (!is_test_file(n.file)) return false;
  if (!is_callable_kind(n.kind)) return is_test_file(n.file) && is_type(n.kind);
  switch (n.lang) {
    case language::python: return n.name.starts_with("test") || n.name == "setUp" || n.name == "setUpClass";
    case language::go: return n.name.starts_with("Test") || n.name.starts_with("Benchmark");
    default: return true;  // JS/TS callbacks, JUnit methods, C/C++ helpers of a test file
  }
}

bool is_public_definition(const node& n) {
  if (n.has(modifier::exported)) return true;
  if (n.vis == visibility::private_ || n.vis == visibility::internal) {
    // Python: dunder methods (__init__, __call__) are the class's surface.
    bool dunder = n.lang == language::python && n.name.size() > 4 && n.name.starts_with("__") && n.name.ends_with("__");
    return dunder;
  }
  if (n.lang == language::python && n.name.starts_with("_")) return false;
  if (n.lang == language::rust || n.lang == language::go) return n.vis == visibility::public_;
  if (n.lang == language::javascript || n.lang == language::typescript || n.lang == language::jsx ||
      n.lang == language::tsx)
    return n.vis == visibility::public_ || n.kind == node_kind::method;
  return true;
}

std::string count_of(size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

review_risk score_review(const review_report& r) {
  review_risk k;
  auto add = [&](int points, std::string text) {
    if (points > 0) k.reasons.push_back({points, std::move(text)});
  };
  // Radius: 2 points per definition at distance 1, 1 at distance 2, 1/2 further; at most 40.
  double radius = 0;
  size_t total = 0;
  for (const auto& [d, n] : r.by_depth) {
    radius += n * (d == 1 ? 2.0 : d == 2 ? 1.0 : 0.5);
    total += n;
  }
  size_t near = r.by_depth.count(1) ? r.by_depth.at(1) : 0;
  add(std::min(40, static_cast<int>(std::lround(radius))), count_of(total, "definition") + " within " +
                                                               count_of(static_cast<size_t>(r.depth), "hop") + " (" +
                                                               std::to_string(near) + " direct)");
  // API: 10 per public definition whose signature changed or that went away with users
  // in other files, 5 without such users; at most 30.
  int api = 0;
  size_t api_used = 0;
  for (const auto& a : r.api) {
    api += a.users.empty() ? 5 : 10;
    api_used += !a.users.empty();
  }
  add(std::min(30, api), count_of(r.api.size(), "public signature") + " changed or removed (" +
                             std::to_string(api_used) + " used from other files)");
  // Untested: 4 per changed callable that no test reaches; at most 20.
  add(std::min(20, static_cast<int>(r.untested.size()) * 4),
      count_of(r.untested.size(), "changed function") + " no test reaches");
  // Fan-in: the most used changed definition; 10 at 20 or more direct users, 5 at 5 or more.
  size_t fan_in = 0;
  std::string busiest;
  for (const auto& c : r.changed)
    if (c.direct_users > fan_in) {
      fan_in = c.direct_users;
      busiest = c.n.qualified_name.empty() ? c.n.name : c.n.qualified_name;
    }
  add(fan_in >= 20 ? 10 : fan_in >= 5 ? 5 : 0, busiest + " has " + count_of(fan_in, "direct user"));
  // Trust: 5 when a changed file did not parse cleanly.
  add(r.trust.parse_errors.empty() ? 0 : 5,
      count_of(r.trust.parse_errors.size(), "changed file") + " with syntax errors");
  for (const auto& reason : k.reasons) k.score += reason.points;
  k.score = std::min(100, k.score);
  k.level = k.score < 20 ? "low" : k.score < 50 ? "medium" : "high";
  return k;
}

}  // namespace cg
