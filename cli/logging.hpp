#pragma once
// spdlog to stderr, as text or as JSON lines ({"time","level","msg"}).
#include <string>

namespace cg::cli {

void setup_logging(const std::string& format, const std::string& level);

}  // namespace cg::cli
