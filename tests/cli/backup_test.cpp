// Backups end to end through the codegraph binary: create (incremental), list,
// verify, restore into a new data directory that exports exactly what the source
// held at backup time; a damaged backup fails verification; a restore never
// overwrites a store.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;

std::string export_text(const std::string& data) {
  auto r = run_cli({"export", "--data-dir", data, "--project", "shop"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(backup_cli, incremental_backups_verify_and_restore_what_the_store_held) {
  temp_dir work("backup");
  const fs::path tree = work / "tree";
  fs::copy(source_dir() + "/tests/fixtures/python", tree, fs::copy_options::recursive);
  const std::string data = (work / "data").string(), backups = (work / "backups").string();
  auto index = [&] {
    auto r = run_cli({"index", tree.string(), "--data-dir", data, "--project", "shop", "-q", "--no-vectors"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  index();
  const auto first_export = export_text(data);
  auto b1 = run_cli({"backup", "create", backups, "--data-dir", data, "--note", "first", "--json"});
  ASSERT_EQ(b1.exit_code, 0) << b1.err;
  auto first = json::parse(b1.out);
  EXPECT_EQ(first["id"], 1);
  EXPECT_GT(first["bytes"].get<uint64_t>(), 0u);

  write_file(tree / "added.py",
             "def brand_new(x):\n    return x * 2\n\nclass Later:\n    def go(self):\n"
             "        return brand_new(1)\n");
  index();
  const auto second_export = export_text(data);
  ASSERT_NE(first_export, second_export);
  auto b2 = run_cli({"backup", "create", backups, "--data-dir", data, "--json"});
  ASSERT_EQ(b2.exit_code, 0) << b2.err;

  auto listed = run_cli({"backup", "list", backups, "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto all = json::parse(listed.out)["backups"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["note"], "first");
  // Incremental: the files both backups hold are stored once.
  uint64_t stored = 0;
  for (const auto& e : fs::recursive_directory_iterator(backups))
    if (e.is_regular_file()) stored += e.file_size();
  EXPECT_LT(stored, all[0]["bytes"].get<uint64_t>() + all[1]["bytes"].get<uint64_t>());

  auto verified = run_cli({"backup", "verify", backups, "--json"});
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_TRUE(json::parse(verified.out)["ok"].get<bool>());

  // Each restore exports what the store held when it was taken.
  const std::string r1 = (work / "restored1").string(), r2 = (work / "restored2").string();
  ASSERT_EQ(run_cli({"backup", "restore", backups, "--id", "1", "--data-dir", r1, "-q"}).exit_code, 0);
  ASSERT_EQ(run_cli({"backup", "restore", backups, "--data-dir", r2, "-q"}).exit_code, 0);
  EXPECT_EQ(export_text(r1), first_export);
  EXPECT_EQ(export_text(r2), second_export);
  // The restored store is a working store: its versions came along.
  auto versions = run_cli({"versions", "--data-dir", r2, "--project", "shop", "--json"});
  EXPECT_EQ(json::parse(versions.out)["versions"].size(), 2u);

  // Never over an existing store; unknown backups and directories are clear errors.
  auto over = run_cli({"backup", "restore", backups, "--data-dir", data});
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_NE(over.err.find("already holds a store"), std::string::npos) << over.err;
  EXPECT_NE(run_cli({"backup", "restore", backups, "--id", "9", "--data-dir", (work / "r9").string()}).exit_code, 0);
  auto nodir = run_cli({"backup", "list", (work / "nowhere").string()});
  EXPECT_NE(nodir.exit_code, 0);
  EXPECT_NE(nodir.err.find("no backup directory"), std::string::npos) << nodir.err;

  // A damaged file fails verification (by size or checksum).
  for (const auto& e : fs::recursive_directory_iterator(backups))
    if (e.is_regular_file() && e.path().extension() == ".sst") {
      auto text = read_file(e.path());
      text[text.size() / 2] ^= 0x5a;
      write_file(e.path(), text);
      break;
    }
  auto bad = run_cli({"backup", "verify", backups, "--json"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_FALSE(json::parse(bad.out)["ok"].get<bool>()) << bad.out;
}

}  // namespace
}  // namespace cg
