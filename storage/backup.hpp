#pragma once
// Backups of a data directory's store with RocksDB's BackupEngine: incremental (SST
// files are shared between the backups in one backup directory), consistent (taken
// from the live database at one sequence, while it serves and writes), verifiable by
// checksum, and restorable into a new data directory. The search index is not part
// of a backup: it is derived from the graph and rebuilt (`codegraph vectors rebuild`).
#include <cstdint>
#include <string>
#include <vector>

#include "schema/result.hpp"

namespace cg {

class store;

struct backup_info {
  uint32_t id = 0;
  int64_t created = 0;  // unix seconds
  uint64_t bytes = 0;   // the files it holds (shared ones counted in every backup)
  uint32_t files = 0;
  std::string note;  // what the caller recorded with it
};

// A new backup of the open store into dir (created if needed).
result<backup_info> create_backup(store& db, const std::string& dir, const std::string& note = {});
result<std::vector<backup_info>> list_backups(const std::string& dir);
// Every file of the backup is present with its size and checksum.
status verify_backup(const std::string& dir, uint32_t id);
// Restores backup id (0: the newest) into target, which must not hold a store.
result<backup_info> restore_backup(const std::string& dir, uint32_t id, const std::string& target);

}  // namespace cg
