#include "storage/backup.hpp"

#include <rocksdb/utilities/backup_engine.h>

#include <filesystem>
#include <memory>

#include "storage/store_impl.hpp"

namespace cg {

struct backup_access {
  static rocksdb::DB* db(store& s) { return s.impl_->db; }
};

namespace {

namespace fs = std::filesystem;

error backup_error(const rocksdb::Status& s, const std::string& what) {
  return make_error(s.IsNotFound()     ? errc::not_found
                    : s.IsCorruption() ? errc::corrupt
                                       : errc::storage_error,
                    what + ": " + s.ToString());
}

backup_info info_of(const rocksdb::BackupInfo& b) {
  return {b.backup_id, b.timestamp, b.size, b.number_files, b.app_metadata};
}

rocksdb::BackupEngineOptions options_for(const std::string& dir) {
  rocksdb::BackupEngineOptions o(dir);
  o.share_files_with_checksum = true;  // incremental: one copy of each SST across backups
  o.max_background_operations = 2;
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

}  // namespace

result<backup_info> create_backup(store& db, const std::string& dir, const std::string& note) {
  if (db.read_only()) return make_error(errc::invalid_argument, "a backup needs the store opened for writing");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(errc::io_error, "cannot create backup directory " + dir + ": " + ec.message());
  rocksdb::BackupEngine* raw = nullptr;
  auto s = rocksdb::BackupEngine::Open(rocksdb::Env::Default(), options_for(dir), &raw);
  if (!s.ok()) return backup_error(s, "cannot open backups in " + dir);
  std::unique_ptr<rocksdb::BackupEngine> be(raw);
  rocksdb::CreateBackupOptions co;
  co.flush_before_backup = true;  // no WAL replay needed on restore
  rocksdb::BackupID id = 0;
  s = be->CreateNewBackupWithMetadata(co, backup_access::db(db), note, &id);
  if (!s.ok()) return backup_error(s, "backup failed");
  rocksdb::BackupInfo bi;
  if (auto got = be->GetBackupInfo(id, &bi); !got.ok()) return backup_error(got, "cannot read the new backup");
  return info_of(bi);
}

result<std::vector<backup_info>> list_backups(const std::string& dir) {
  auto be = open_read_only(dir);
  if (!be.ok()) return be.err();
  std::vector<rocksdb::BackupInfo> all;
  (*be)->GetBackupInfo(&all);
  std::vector<backup_info> out;
  for (const auto& b : all) out.push_back(info_of(b));
  return out;
}

status verify_backup(const std::string& dir, uint32_t id) {
  auto be = open_read_only(dir);
  if (!be.ok()) return be.err();
  auto s = (*be)->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!s.ok()) return backup_error(s, "backup " + std::to_string(id) + " does not verify");
  return {};
}

result<backup_info> restore_backup(const std::string& dir, uint32_t id, const std::string& target) {
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
  return info_of(*pick);
}

}  // namespace cg
