#include "storage/backup.hpp"

#include <rocksdb/utilities/backup_engine.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "schema/hash.hpp"
#include "storage/store_impl.hpp"

namespace cg {

struct backup_access {
  static rocksdb::DB* db(store& s) { return s.impl_->db; }
};

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* files_manifest = "files.json";

error backup_error(const rocksdb::Status& s, const std::string& what) {
  return make_error(s.IsNotFound()     ? errc::not_found
                    : s.IsCorruption() ? errc::corrupt
                                       : errc::storage_error,
                    what + ": " + s.ToString());
}

// Fault injection for the crash tests: CODEGRAPH_TEST_KILL_IN_BACKUP=search dies once the
// search files are staged, =store while the store's files are being copied.
bool kill_requested(const char* phase) {
  const char* v = std::getenv("CODEGRAPH_TEST_KILL_IN_BACKUP");
  return v && std::string_view(v) == phase;
}

fs::path search_root(const std::string& dir) { return fs::path(dir) / "search"; }
fs::path search_dir(const std::string& dir, uint32_t id) { return search_root(dir) / std::to_string(id); }

// hash64 over the file in 1 MiB pieces, chained; hex.
result<std::string> file_hash(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return make_error(errc::io_error, "cannot read " + p.string());
  std::string buf(1u << 20, '\0');
  uint64_t h = 0;
  while (f) {
    f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = f.gcount();
    if (n <= 0) break;
    h = hash64(std::string_view(buf.data(), static_cast<size_t>(n)), h);
  }
  if (f.bad()) return make_error(errc::io_error, "cannot read " + p.string());
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string(hex);
}

// The search files of a backup as its manifest lists them: path -> {bytes, hash}.
result<json> read_files_manifest(const fs::path& d) {
  std::ifstream f(d / files_manifest);
  if (!f) return make_error(errc::not_found, "no " + std::string(files_manifest) + " in " + d.string());
  auto m = json::parse(f, nullptr, false);
  if (m.is_discarded() || !m.is_object() || !m.contains("files") || !m["files"].is_object())
    return make_error(errc::corrupt, (d / files_manifest).string() + " is damaged");
  return m;
}

// Every file the manifest lists is there, with its size and checksum.
status check_search_files(const fs::path& d) {
  auto m = read_files_manifest(d);
  if (!m.ok()) return m.err();
  for (const auto& [rel, f] : (*m)["files"].items()) {
    auto p = d / rel;
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    if (ec) return make_error(errc::corrupt, "search file " + rel + " is missing");
    if (size != f.value("bytes", uint64_t{0}))
      return make_error(errc::corrupt, "search file " + rel + " has the wrong size");
    auto h = file_hash(p);
    if (!h.ok()) return h.err();
    if (*h != f.value("hash", std::string()))
      return make_error(errc::corrupt, "search file " + rel + " fails its checksum");
  }
  return {};
}

void add_search_summary(const std::string& dir, backup_info& b) {
  auto m = read_files_manifest(search_dir(dir, b.id));
  if (!m.ok()) return;
  b.search_projects = (*m).value("projects", 0u);
  for (const auto& [rel, f] : (*m)["files"].items()) b.search_bytes += f.value("bytes", uint64_t{0});
}

backup_info info_of(const std::string& dir, const rocksdb::BackupInfo& b) {
  backup_info out{b.backup_id, b.timestamp, b.size, b.number_files, b.app_metadata, {}, 0, 0};
  // The metadata is JSON (note, heads); a backup made before that holds the note alone.
  if (!b.app_metadata.empty() && b.app_metadata.front() == '{') {
    auto m = json::parse(b.app_metadata, nullptr, false);
    if (m.is_object() && m.contains("note")) {
      out.note = m.value("note", std::string());
      if (m.contains("heads") && m["heads"].is_object())
        for (const auto& [p, v] : m["heads"].items())
          if (v.is_number_unsigned()) out.heads[p] = v.get<uint64_t>();
    }
  }
  add_search_summary(dir, out);
  return out;
}

rocksdb::BackupEngineOptions options_for(const std::string& dir) {
  rocksdb::BackupEngineOptions o(dir);
  o.share_files_with_checksum = true;  // incremental: one copy of each SST across backups
  o.max_background_operations = 2;
  if (kill_requested("store")) o.callback_trigger_interval_size = 1u << 12;
  return o;
}

result<std::unique_ptr<rocksdb::BackupEngineReadOnly>> open_read_only(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(errc::not_found, "no backup directory " + dir);
  rocksdb::BackupEngineReadOnly* be = nullptr;
  auto s = rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(), options_for(dir), &be);
  if (!s.ok()) return backup_error(s, "cannot open backups in " + dir);
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(be);
}

// The newest backup before `id` whose search files are there (for hard links).
std::optional<fs::path> previous_search_dir(const std::string& dir, uint32_t id) {
  std::optional<fs::path> best;
  uint32_t best_id = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(search_root(dir), ec)) {
    auto name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto n = static_cast<uint32_t>(std::strtoul(name.c_str(), nullptr, 10));
    if (n < id && n > best_id && fs::exists(e.path() / files_manifest)) best = e.path(), best_id = n;
  }
  return best;
}

// Checksums every staged file into files.json; a file equal to the previous backup's
// becomes a hard link to it.
status seal_search_files(const fs::path& staged, const std::optional<fs::path>& prev, uint32_t projects) {
  json prev_files = json::object();
  if (prev)
    if (auto m = read_files_manifest(*prev); m.ok()) prev_files = (*m)["files"];
  json files = json::object();
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(staged, ec)) {
    if (!e.is_regular_file()) continue;
    auto rel = fs::relative(e.path(), staged).generic_string();
    auto h = file_hash(e.path());
    if (!h.ok()) return h.err();
    auto bytes = e.file_size();
    files[rel] = {{"bytes", bytes}, {"hash", *h}};
    if (prev_files.contains(rel) && prev_files[rel].value("hash", std::string()) == *h &&
        prev_files[rel].value("bytes", uint64_t{0}) == bytes) {
      auto tmp = e.path().string() + ".link";
      std::error_code lec;
      fs::create_hard_link(*prev / rel, tmp, lec);
      if (!lec) fs::rename(tmp, e.path(), lec);
      if (lec) fs::remove(tmp, lec);  // another file system: the copy stays
    }
  }
  if (ec) return make_error(errc::io_error, "cannot list " + staged.string() + ": " + ec.message());
  json m = {{"projects", projects}, {"files", files}};
  std::ofstream out(staged / files_manifest, std::ios::trunc);
  out << m.dump(1);
  out.close();
  if (!out) return make_error(errc::io_error, "cannot write " + (staged / files_manifest).string());
  return {};
}

uint32_t count_projects(const fs::path& staged) {
  uint32_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(staged, ec))
    if (e.is_directory()) ++n;
  return n;
}

}  // namespace

nlohmann::json to_json(const backup_info& b) {
  return {{"id", b.id},
          {"created", b.created},
          {"bytes", b.bytes},
          {"files", b.files},
          {"note", b.note},
          {"heads", b.heads},
          {"search", {{"projects", b.search_projects}, {"bytes", b.search_bytes}}}};
}

status copy_saved_search_state(const std::string& data_dir, const std::string& project, const std::string& to) {
  fs::path from = fs::path(data_dir) / "vectors" / project;
  std::error_code ec;
  // DIR.old stands in for DIR when a crash came between the two renames of a save;
  // DIR.new (a save in progress) is never a state.
  if (!fs::exists(from / "manifest.json", ec)) from += ".old";
  if (!fs::exists(from / "manifest.json", ec)) return {};
  fs::create_directories(fs::path(to).parent_path(), ec);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec) return make_error(errc::io_error, "cannot copy " + from.string() + ": " + ec.message());
  return {};
}

status copy_saved_search_files(const std::string& data_dir, const std::string& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return make_error(errc::io_error, "cannot create " + to + ": " + ec.message());
  std::set<std::string> projects;
  for (const auto& e : fs::directory_iterator(fs::path(data_dir) / "vectors", ec)) {
    auto name = e.path().filename().string();
    if (name.ends_with(".new")) continue;
    if (name.ends_with(".old")) name.resize(name.size() - 4);
    if (e.is_directory()) projects.insert(name);
  }
  for (const auto& p : projects)
    if (auto st = copy_saved_search_state(data_dir, p, (fs::path(to) / p).string()); !st.ok()) return st;
  return {};
}

result<backup_info> create_backup(store& db, const std::string& dir, const backup_request& req) {
  if (db.read_only()) return make_error(errc::invalid_argument, "a backup needs the store opened for writing");
  std::error_code ec;
  fs::create_directories(search_root(dir), ec);
  if (ec) return make_error(errc::io_error, "cannot create backup directory " + dir + ": " + ec.message());

  json heads = json::object();
  if (auto projects = db.projects(); projects.ok())
    for (const auto& [name, id] : *projects)
      if (auto h = db.head_version(id); h.ok() && *h) heads[name] = *h;

  // Stage the search files first: they are then no newer than the store's copy.
  std::vector<fs::path> stale;  // a crashed backup's
  for (const auto& e : fs::directory_iterator(search_root(dir), ec))
    if (e.path().filename().string().starts_with(".staging")) stale.push_back(e.path());
  for (const auto& p : stale) fs::remove_all(p, ec);
  auto staged = search_root(dir) / (".staging-" + std::to_string(::getpid()));
  fs::remove_all(staged, ec);
  auto written =
      req.write_search ? req.write_search(staged.string()) : copy_saved_search_files(db.dir(), staged.string());
  if (!written.ok()) {
    fs::remove_all(staged, ec);
    return make_error(written.err().code, "cannot save the search index for the backup: " + written.err().message);
  }
  if (kill_requested("search")) ::raise(SIGKILL);

  rocksdb::BackupEngine* raw = nullptr;
  auto s = rocksdb::BackupEngine::Open(rocksdb::Env::Default(), options_for(dir), &raw);
  if (!s.ok()) return backup_error(s, "cannot open backups in " + dir);
  std::unique_ptr<rocksdb::BackupEngine> be(raw);
  rocksdb::CreateBackupOptions co;
  co.flush_before_backup = true;  // no WAL replay needed on restore
  if (kill_requested("store")) co.progress_callback = [] { ::raise(SIGKILL); };
  rocksdb::BackupID id = 0;
  json meta = {{"note", req.note}, {"heads", heads}};
  s = be->CreateNewBackupWithMetadata(co, backup_access::db(db), meta.dump(), &id);
  if (!s.ok()) {
    fs::remove_all(staged, ec);
    return backup_error(s, "backup failed");
  }

  // The store's backup is complete; its search files join it under its id (a crash
  // before the rename leaves a backup without them: its restore rebuilds the index).
  auto sealed = seal_search_files(staged, previous_search_dir(dir, id), count_projects(staged));
  if (sealed.ok()) {
    fs::remove_all(search_dir(dir, id), ec);
    fs::rename(staged, search_dir(dir, id), ec);
  }
  if (!sealed.ok() || ec) fs::remove_all(staged, ec);
  rocksdb::BackupInfo bi;
  if (auto got = be->GetBackupInfo(id, &bi); !got.ok()) return backup_error(got, "cannot read the new backup");
  if (!sealed.ok())
    return make_error(sealed.err().code, "backup " + std::to_string(id) +
                                             " holds the store but not the search index: " + sealed.err().message);
  return info_of(dir, bi);
}

result<std::vector<backup_info>> list_backups(const std::string& dir) {
  auto be = open_read_only(dir);
  if (!be.ok()) return be.err();
  std::vector<rocksdb::BackupInfo> all;
  (*be)->GetBackupInfo(&all);
  std::vector<backup_info> out;
  for (const auto& b : all) out.push_back(info_of(dir, b));
  return out;
}

status verify_backup(const std::string& dir, uint32_t id) {
  auto be = open_read_only(dir);
  if (!be.ok()) return be.err();
  auto s = (*be)->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!s.ok()) return backup_error(s, "backup " + std::to_string(id) + " does not verify");
  std::error_code ec;
  if (fs::exists(search_dir(dir, id), ec))
    if (auto st = check_search_files(search_dir(dir, id)); !st.ok())
      return make_error(errc::corrupt, "backup " + std::to_string(id) + ": " + st.err().message);
  return {};
}

result<restore_outcome> restore_backup(const std::string& dir, uint32_t id, const std::string& target) {
  std::error_code ec;
  if (fs::exists(fs::path(target) / "CURRENT", ec))
    return make_error(errc::conflict, target + " already holds a store: restore into a new directory");
  auto be = open_read_only(dir);
  if (!be.ok()) return be.err();
  std::vector<rocksdb::BackupInfo> all;
  (*be)->GetBackupInfo(&all);
  if (all.empty()) return make_error(errc::not_found, "no backups in " + dir);
  const rocksdb::BackupInfo* pick = &all.back();
  if (id) {
    pick = nullptr;
    for (const auto& b : all)
      if (b.backup_id == id) pick = &b;
    if (!pick) return make_error(errc::not_found, "no backup " + std::to_string(id) + " in " + dir);
  }
  fs::create_directories(target, ec);
  if (ec) return make_error(errc::io_error, "cannot create " + target + ": " + ec.message());
  auto s = (*be)->RestoreDBFromBackup(pick->backup_id, target, target);
  if (!s.ok()) return backup_error(s, "restore failed");
  restore_outcome out{info_of(dir, *pick), "none"};
  auto from = search_dir(dir, pick->backup_id);
  if (!fs::exists(from / files_manifest, ec)) return out;
  if (auto st = check_search_files(from); !st.ok()) {
    out.search = "left out (" + st.err().message + "): rebuilt on first use";
    return out;
  }
  auto to = fs::path(target) / "vectors";
  fs::remove_all(to, ec);
  fs::create_directories(to, ec);
  for (const auto& e : fs::directory_iterator(from, ec))
    if (e.is_directory()) fs::copy(e.path(), to / e.path().filename(), fs::copy_options::recursive, ec);
  out.search = ec ? "left out (" + ec.message() + "): rebuilt on first use" : "restored";
  if (ec) fs::remove_all(to, ec);
  return out;
}

}  // namespace cg
