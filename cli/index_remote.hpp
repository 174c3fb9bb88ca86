#pragma once
// `codegraph index` when a running server owns the data directory: the run is handed
// to that server (POST /api/v1/projects with the CLI's walk settings, as its local
// token) and followed to its end with the same progress bar and report; Ctrl-C
// cancels the server's task.
#include "actors/indexer/index_types.hpp"
#include "actors/read_api.hpp"
#include "cli/context.hpp"
#include "cli/server_file.hpp"

namespace cg::cli {

// over: the tree is a work tree of that project's repository, indexed as a layer.
int index_via_server(const context& ctx, const index_request& req, const server_file& srv,
                     const std::string& over = {});

// The report of a finished run (shared with the local run): the summary, then what
// the project now holds, read from the store (read-only).
int report_index(const context& ctx, const index_summary& summary, const std::string& via_server = {});
// The same with the totals read by the caller (a local run reads them from the store
// it still has open, instead of opening it again).
int report_index(const context& ctx, const index_summary& summary, const graph_stats& stats, uint64_t disk_bytes,
                 const std::string& totals_error = {}, const std::string& via_server = {});

}  // namespace cg::cli
