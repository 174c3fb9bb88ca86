#pragma once
// Backups of a data directory with RocksDB's BackupEngine: incremental (SST files are
// shared between the backups in one backup directory), consistent (taken from the live
// database at one sequence, while it serves and writes), verifiable by checksum, and
// restorable into a new data directory.
//
// A backup also holds the search-index files of every project (DIR/search/<id>/), saved
// at a sequence no later than the store's: a restored server loads them and catches up
// with the store's change log (the same catch-up as after a restart), so its search
// answers what the restored graph holds without re-embedding it. Their files carry
// checksums (DIR/search/<id>/files.json); a file equal to the previous backup's is a
// hard link to it.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "schema/result.hpp"

namespace cg {

class store;

struct backup_info {
  uint32_t id = 0;
  int64_t created = 0;  // unix seconds
  uint64_t bytes = 0;   // the store's files it holds (shared ones counted in every backup)
  uint32_t files = 0;
  std::string note;  // what the caller recorded with it
  // Each versioned project's last committed version when the backup began: the
  // backup holds at least these (a version committed during it may be there too).
  std::map<std::string, uint64_t> heads;
  uint32_t search_projects = 0;  // projects whose search-index files it holds
  uint64_t search_bytes = 0;
};

struct backup_request {
  std::string note;
  // Writes each project's search-index files into dir/<project>/ (the engine saves its
  // states from memory). Unset: the data directory's saved files are copied as they are
  // (the caller holds the store alone, so nobody rewrites them meanwhile).
  std::function<status(const std::string& dir)> write_search;
};

// A new backup of the open store into dir (created if needed).
result<backup_info> create_backup(store& db, const std::string& dir, const backup_request& req = {});
result<std::vector<backup_info>> list_backups(const std::string& dir);
// Every file of the backup is present with its size and checksum, the search-index
// files included.
status verify_backup(const std::string& dir, uint32_t id);

struct restore_outcome {
  backup_info backup;
  // "restored", "none" (the backup holds no search files: the index is rebuilt on first
  // use) or why they were left out (damaged: rebuilt likewise).
  std::string search;
};
// Restores backup id (0: the newest) into target, which must not hold a store.
result<restore_outcome> restore_backup(const std::string& dir, uint32_t id, const std::string& target);

// One backup as the CLI and the REST API show it.
nlohmann::json to_json(const backup_info& b);

// Copies the saved search-index files of a data directory (data_dir/vectors/<project>/)
// into to/<project>/: the default write_search.
status copy_saved_search_files(const std::string& data_dir, const std::string& to);
// One project's (to: its folder); nothing when none is saved.
status copy_saved_search_state(const std::string& data_dir, const std::string& project, const std::string& to);

}  // namespace cg
