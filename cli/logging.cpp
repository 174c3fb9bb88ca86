#include "cli/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

namespace cg::cli {
namespace {

class json_sink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto t = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    nlohmann::json j;
    j["time_ms"] = t;
    j["level"] =
        std::string(spdlog::level::to_string_view(msg.level).data(), spdlog::level::to_string_view(msg.level).size());
    j["msg"] = std::string(msg.payload.data(), msg.payload.size());
    if (msg.logger_name.size()) j["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    auto line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void setup_logging(const std::string& format, const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (format == "json") {
    logger = std::make_shared<spdlog::logger>("codegraph", std::make_shared<json_sink>());
  } else {
    logger = spdlog::stderr_color_mt("codegraph");
    // Debug and trace lines carry the time to the microsecond (where does a save's time go).
    auto lv = spdlog::level::from_str(level);
    logger->set_pattern(lv <= spdlog::level::debug ? "%H:%M:%S.%f %^%l%$: %v" : "%^%l%$: %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace cg::cli
