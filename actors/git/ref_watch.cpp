#include "actors/git/ref_watch.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace cg {
namespace {

constexpr uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM;

// Names whose change moves a ref: HEAD, packed-refs, and any file under refs/ that is
// not a lock file (git writes NAME.lock, then renames it to NAME).
bool ref_name(const std::string& name) { return !name.empty() && !name.ends_with(".lock"); }

}  // namespace

result<std::unique_ptr<ref_watch>> ref_watch::start(const std::vector<std::string>& git_dirs,
                                                    std::chrono::milliseconds settle) {
  std::unique_ptr<ref_watch> w(new ref_watch());
  w->settle_ = settle;
  w->fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (w->fd_ < 0) return make_error(errc::io_error, std::string("inotify: ") + std::strerror(errno));
  w->wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (w->wake_ < 0) return make_error(errc::io_error, std::string("eventfd: ") + std::strerror(errno));
  for (const auto& d : git_dirs) {
    int wd = ::inotify_add_watch(w->fd_, d.c_str(), mask);
    if (wd < 0) return make_error(errc::io_error, "cannot watch " + d + ": " + std::strerror(errno));
    w->dirs_.push_back({wd, d});
    for (const char* sub : {"/refs/heads", "/refs/tags"}) w->add_tree(d + sub);
  }
  return w;
}

ref_watch::~ref_watch() {
  if (fd_ >= 0) ::close(fd_);
  if (wake_ >= 0) ::close(wake_);
}

void ref_watch::add_tree(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return;
  int wd = ::inotify_add_watch(fd_, dir.c_str(), mask);
  if (wd >= 0) dirs_.push_back({wd, dir});
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_directory(ec)) add_tree(e.path().string());
}

// Reads what is queued; relevant when a ref file changed. New directories under refs
// (a branch "feature/x") are watched as they appear.
void ref_watch::drain(bool& relevant) {
  alignas(inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return;
    for (ssize_t off = 0; off < n;) {
      auto* e = reinterpret_cast<inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      if (e->mask & IN_Q_OVERFLOW) {
        relevant = true;
        continue;
      }
      std::string name = e->len ? std::string(e->name) : std::string();
      std::string parent;
      for (const auto& d : dirs_)
        if (d.wd == e->wd) parent = d.path;
      if (parent.empty()) continue;
      const bool top = parent.find("/refs/") == std::string::npos && !parent.ends_with("/refs");
      if ((e->mask & IN_ISDIR) && (e->mask & (IN_CREATE | IN_MOVED_TO))) {
        add_tree(parent + "/" + name);
        relevant = true;
        continue;
      }
      if (top ? (name == "HEAD" || name == "packed-refs") : ref_name(name)) relevant = true;
    }
  }
}

bool ref_watch::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (stopped_) return false;
    int ms = -1;
    if (timeout.count() >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      ms = static_cast<int>(left.count());
    }
    pollfd p[2] = {{fd_, POLLIN, 0}, {wake_, POLLIN, 0}};
    int rc = ::poll(p, 2, ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return false;
    if (p[1].revents) {
      stopped_ = true;
      return false;
    }
    if (!p[0].revents) continue;
    bool relevant = false;
    drain(relevant);
    if (!relevant) continue;
    // Let the burst settle: wait until nothing more comes for `settle`.
    for (;;) {
      pollfd q[2] = {{fd_, POLLIN, 0}, {wake_, POLLIN, 0}};
      int r = ::poll(q, 2, static_cast<int>(settle_.count()));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      if (q[1].revents) {
        stopped_ = true;
        return false;
      }
      drain(relevant);
    }
    return true;
  }
}

void ref_watch::stop() {
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
}

bool ref_watch::stopped() const { return stopped_; }

}  // namespace cg
