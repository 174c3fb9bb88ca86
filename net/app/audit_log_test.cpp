// The audit log: whole JSON lines, appended, under concurrent writers.
#include "net/app/audit_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace cg::net {
namespace {

std::filesystem::path temp_file(const char* tag) {
  return std::filesystem::temp_directory_path() /
         (std::string("codegraph-audit-") + tag + "-" + std::to_string(::getpid()) + ".log");
}

std::vector<nlohmann::json> lines_of(const std::filesystem::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(audit_log, records_one_json_line_per_change_and_appends) {
  auto p = temp_file("append");
  std::filesystem::remove(p);
  {
    std::ofstream(p) << R"({"earlier":true})"
                     << "\n";
    audit_log log;
    ASSERT_TRUE(log.open(p.string()).ok());
    EXPECT_TRUE(log.enabled());
    log.record({1700000000, "r-1", "alice", "admin", "127.0.0.1", "POST", "/api/v1/projects", "project.create",
                "app /src/app"});
  }
  auto lines = lines_of(p);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0]["earlier"]);
  EXPECT_EQ(lines[1]["action"], "project.create");
  EXPECT_EQ(lines[1]["who"], "alice");
  EXPECT_EQ(lines[1]["role"], "admin");
  EXPECT_EQ(lines[1]["request_id"], "r-1");
  EXPECT_EQ(lines[1]["detail"], "app /src/app");
  EXPECT_EQ(lines[1]["time"], 1700000000);
  std::filesystem::remove(p);
}

TEST(audit_log, concurrent_writers_leave_whole_lines) {
  auto p = temp_file("threads");
  std::filesystem::remove(p);
  {
    audit_log log;
    ASSERT_TRUE(log.open(p.string()).ok());
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
      ts.emplace_back([&, t] {
        for (int i = 0; i < 200; ++i)
          log.record({i, "r", "u" + std::to_string(t), "writer", "::1", "DELETE", "/x", "node.delete",
                      std::string(200, 'a' + t)});
      });
    for (auto& t : ts) t.join();
  }
  auto lines = lines_of(p);  // parse throws on a torn line
  EXPECT_EQ(lines.size(), 800u);
  std::filesystem::remove(p);
}

TEST(audit_log, a_path_that_cannot_be_opened_is_an_error_and_nothing_is_recorded) {
  audit_log log;
  auto s = log.open("/nonexistent-dir/audit.log");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("/nonexistent-dir/audit.log"), std::string::npos);
  EXPECT_FALSE(log.enabled());
  log.record({0, "r", "u", "reader", "ip", "GET", "/", "x", ""});  // no crash, nothing written
}

}  // namespace
}  // namespace cg::net
