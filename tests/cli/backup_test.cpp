// Backups end to end through the codegraph binary: create (incremental), list,
// verify, restore into a new data directory that exports exactly what the source
// held at backup time and searches as it did; a damaged backup fails verification; a
// restore never overwrites a store; a backup killed midway leaves the store and the
// earlier backups whole.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;

std::string search_text(const std::string& data) {
  auto r = run_cli({"search", "brand_new total price", "--data-dir", data, "--project", "shop", "--json", "-k", "8"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out, nullptr, false);
  // The hits (ids, scores and order); timings differ from run to run.
  return j.is_object() && j.contains("hits") ? j["hits"].dump() : r.out;
}

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
    auto r = run_cli({"index", tree.string(), "--data-dir", data, "--project", "shop", "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  index();
  const auto first_export = export_text(data);
  auto b1 = run_cli({"backup", "create", backups, "--data-dir", data, "--note", "first", "--json"});
  ASSERT_EQ(b1.exit_code, 0) << b1.err;
  auto first = json::parse(b1.out);
  EXPECT_EQ(first["id"], 1);
  EXPECT_GT(first["bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(first["heads"]["shop"], 1);
  // The search index came along, with checksums.
  EXPECT_EQ(first["search"]["projects"], 1);
  EXPECT_GT(first["search"]["bytes"].get<uint64_t>(), 0u);
  EXPECT_TRUE(fs::exists(fs::path(backups) / "search" / "1" / "shop" / "manifest.json"));
  const auto first_search = search_text(data);

  write_file(tree / "added.py",
             "def brand_new(x):\n    return x * 2\n\nclass Later:\n    def go(self):\n"
             "        return brand_new(1)\n");
  index();
  const auto second_export = export_text(data);
  const auto second_search = search_text(data);
  ASSERT_NE(first_export, second_export);
  ASSERT_NE(first_search, second_search);
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
    if (e.is_regular_file() && !e.path().string().starts_with(backups + "/search/")) stored += e.file_size();
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
  // Their search index was restored (not rebuilt) and answers as the source did.
  EXPECT_TRUE(fs::exists(fs::path(r1) / "vectors" / "shop" / "manifest.json"));
  EXPECT_EQ(search_text(r1), first_search);
  EXPECT_EQ(search_text(r2), second_search);
  // A backup with nothing changed shares the previous one's search files (hard links).
  ASSERT_EQ(run_cli({"backup", "create", backups, "--data-dir", data, "-q"}).exit_code, 0);
  EXPECT_TRUE(fs::equivalent(fs::path(backups) / "search" / "2" / "shop" / "vectors.f32",
                             fs::path(backups) / "search" / "3" / "shop" / "vectors.f32"));
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

TEST(backup_cli, damaged_search_files_fail_verification_and_are_left_out_of_a_restore) {
  temp_dir work("backup_search");
  const fs::path tree = work / "tree";
  fs::copy(source_dir() + "/tests/fixtures/python", tree, fs::copy_options::recursive);
  const std::string data = (work / "data").string(), backups = (work / "backups").string();
  ASSERT_EQ(run_cli({"index", tree.string(), "--data-dir", data, "--project", "shop", "-q"}).exit_code, 0);
  ASSERT_EQ(run_cli({"backup", "create", backups, "--data-dir", data, "-q"}).exit_code, 0);
  ASSERT_EQ(run_cli({"backup", "verify", backups, "-q"}).exit_code, 0);
  auto docs = fs::path(backups) / "search" / "1" / "shop" / "docs.bin";
  auto text = read_file(docs);
  ASSERT_FALSE(text.empty());
  text[text.size() / 3] ^= 0x21;
  write_file(docs, text);
  auto bad = run_cli({"backup", "verify", backups, "--json"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.out.find("fails its checksum"), std::string::npos) << bad.out;
  // The store restores; the damaged search files stay out and the index is rebuilt on
  // first use, answering as the source does.
  const std::string restored = (work / "restored").string();
  auto r = run_cli({"backup", "restore", backups, "--data-dir", restored, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(json::parse(r.out)["search"].get<std::string>().find("left out"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(fs::path(restored) / "vectors" / "shop"));
  EXPECT_EQ(export_text(restored), export_text(data));
  EXPECT_EQ(search_text(restored), search_text(data));
}

// SIGKILL while the search files are staged, while the store's files are copied, and
// from outside at once: the store is untouched, the earlier backup lists and verifies,
// the leftovers are swept by the next backup, which restores to what the store holds.
TEST(backup_cli, killed_during_a_backup_leaves_the_store_and_earlier_backups_whole) {
  temp_dir work("backup_crash");
  const std::string data = (work / "data").string(), backups = (work / "backups").string();
  auto idx = run_cli({"index", "/usr/lib/python3.11/json", "--data-dir", data, "--project", "shop", "-q"});
  ASSERT_EQ(idx.exit_code, 0) << idx.err;
  const auto before = export_text(data);
  ASSERT_EQ(run_cli({"backup", "create", backups, "--data-dir", data, "-q"}).exit_code, 0);
  for (const char* phase : {"search", "store"}) {
    auto killed = run_cli({"backup", "create", backups, "--data-dir", data, "-q"},
                          {std::string("CODEGRAPH_TEST_KILL_IN_BACKUP=") + phase});
    EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << phase << ": " << killed.err;
    auto listed = run_cli({"backup", "list", backups, "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(json::parse(listed.out)["backups"].size(), 1u) << phase << ": " << listed.out;
    auto verified = run_cli({"backup", "verify", backups, "--json"});
    EXPECT_EQ(verified.exit_code, 0) << phase << ": " << verified.out;
    EXPECT_EQ(export_text(data), before) << phase;
  }
  run_cli_and_kill_after({"backup", "create", backups, "--data-dir", data, "-q"}, 30);
  auto again = run_cli({"backup", "create", backups, "--data-dir", data, "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto id = json::parse(again.out)["id"].get<uint32_t>();
  for (const auto& e : fs::directory_iterator(fs::path(backups) / "search"))
    EXPECT_FALSE(e.path().filename().string().starts_with(".staging")) << e.path();
  ASSERT_EQ(run_cli({"backup", "verify", backups, "-q"}).exit_code, 0);
  const std::string restored = (work / "restored").string();
  auto r = run_cli({"backup", "restore", backups, "--id", std::to_string(id), "--data-dir", restored, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["search"], "restored");
  EXPECT_EQ(export_text(restored), before);
}

}  // namespace
}  // namespace cg
