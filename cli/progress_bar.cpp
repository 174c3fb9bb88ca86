#include "cli/progress_bar.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "cli/output.hpp"

namespace cg::cli {

progress_bar::progress_bar(bool enabled) : enabled_(enabled) {
  struct winsize ws {};
  if (enabled_ && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) width_ = ws.ws_col;
}

progress_bar::~progress_bar() { finish(); }

void progress_bar::update(const index_progress& p) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  char line[512];
  double frac = 0;
  std::string detail;
  switch (p.phase) {
    case index_phase::walking: std::snprintf(line, sizeof line, "walking the tree..."); break;
    case index_phase::parsing: {
      frac = p.bytes_total ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total) : 0;
      std::string eta = p.eta_seconds >= 0 ? " ETA " + human_seconds(p.eta_seconds) : "";
      std::snprintf(line, sizeof line, "parsing %zu/%zu files %s/%s%s%s", p.files_done, p.files_total,
                    human_bytes(p.bytes_done).c_str(), human_bytes(p.bytes_total).c_str(), eta.c_str(),
                    p.errors ? (" " + std::to_string(p.errors) + " with errors").c_str() : "");
      break;
    }
    case index_phase::resolving:
      frac = p.resolve_total ? static_cast<double>(p.resolve_done) / static_cast<double>(p.resolve_total) : 0;
      std::snprintf(line, sizeof line, "resolving references %zu/%zu files", p.resolve_done, p.resolve_total);
      break;
    default: return;
  }
  int bar = 24;
  int filled = static_cast<int>(frac * bar);
  std::string b =
      "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(bar - filled), '.') + "] ";
  std::string text = b + line;
  if (static_cast<int>(text.size()) > width_ - 1) text.resize(static_cast<size_t>(width_ - 1));
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void progress_bar::finish() {
  std::lock_guard lock(mu_);
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace cg::cli
