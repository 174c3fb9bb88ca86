#pragma once
// Formatting helpers shared by the CLI commands.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "schema/node.hpp"

namespace cg::cli {

// Exit codes.
inline constexpr int exit_ok = 0;
inline constexpr int exit_usage = 1;
inline constexpr int exit_runtime = 2;

std::string human_bytes(uint64_t n);
std::string human_count(uint64_t n);           // 1234567 -> "1,234,567"
std::string local_time(int64_t unix_seconds);  // "2026-12-05 07:58:01" ("" for 0)
std::string human_seconds(double s);
std::string percent(double part, double whole);

// A text table: left-aligned columns padded to the widest cell.
void print_table(std::FILE* out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, size_t indent = 2);

void print_json(const nlohmann::json& j);  // one document on stdout
std::string location(const node& n);       // "path:line"

// Prints "error: message" to stderr (or a JSON error object to stdout with --json).
int report_error(bool json, int code, const std::string& message);

}  // namespace cg::cli
