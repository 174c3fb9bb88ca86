#include "actors/indexer/tree_watcher.hpp"

#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "actors/indexer/walker.hpp"

namespace cg {

struct tree_watcher::impl {
  std::string root;
  watch_options opts;
  on_change fn;
  int ifd = -1, stop_fd = -1;
  std::unordered_map<int, std::string> dirs;  // watch descriptor -> relative dir ("" : root)
  mutable std::mutex mu;                      // dirs (watches() reads it)
  std::thread thread;

  ~impl() {
    if (stop_fd >= 0) {
      uint64_t one = 1;
      (void)!::write(stop_fd, &one, sizeof one);
    }
    if (thread.joinable()) thread.join();
    if (ifd >= 0) ::close(ifd);
    if (stop_fd >= 0) ::close(stop_fd);
  }

  // Watches dir and every directory under it the walk would enter.
  void add_tree(const std::string& rel) {
    {
      std::lock_guard lock(mu);
      if (dirs.size() >= opts.max_watches) return;
    }
    auto abs = rel.empty() ? root : root + "/" + rel;
    int wd = ::inotify_add_watch(ifd, abs.c_str(),
                                 IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR |
                                     IN_DONT_FOLLOW | IN_EXCL_UNLINK);
    if (wd < 0) {
      if (errno == ENOSPC) spdlog::warn("watch {}: out of inotify watches (fs.inotify.max_user_watches)", root);
      return;
    }
    {
      std::lock_guard lock(mu);
      dirs[wd] = rel;
    }
    DIR* d = ::opendir(abs.c_str());
    if (!d) return;
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st {};
        is_dir = ::lstat((abs + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      }
      if (is_dir && !walk_skips_dir(opts.walk, name)) add_tree(rel.empty() ? name : rel + "/" + name);
    }
    ::closedir(d);
  }

  // Files under a directory that appeared after it was made (mkdir -p, then writes).
  void list_files(const std::string& rel, std::set<std::string>& out) {
    auto abs = rel.empty() ? root : root + "/" + rel;
    DIR* d = ::opendir(abs.c_str());
    if (!d) return;
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      auto child = rel.empty() ? name : rel + "/" + name;
      if (e->d_type == DT_DIR) {
        if (!walk_skips_dir(opts.walk, name)) list_files(child, out);
      } else {
        out.insert(child);
      }
    }
    ::closedir(d);
  }

  // A batch goes as soon as every path in it is settled: its last event says the
  // writer is done with it (closed after writing, moved into place, deleted, moved
  // away). A path only created so far, a new directory's files, or lost events wait
  // for the tree to be quiet for opts.quiet (at most opts.max_delay).
  void run() {
    std::set<std::string> pending;
    std::set<std::string> unsettled;
    bool overflow = false;
    auto first = std::chrono::steady_clock::time_point{};
    auto last = first;
    alignas(inotify_event) char buf[64 * 1024];
    for (;;) {
      timespec ts{};
      timespec* timeout = nullptr;  // none: wait for an event
      if (!pending.empty() || overflow) {
        auto now = std::chrono::steady_clock::now();
        auto due = std::min(last + opts.quiet, first + opts.max_delay);
        auto ns = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(due - now).count());
        ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
        ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
        timeout = &ts;
      }
      pollfd fds[2] = {{ifd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
      int n = ::ppoll(fds, 2, timeout, nullptr);
      if (n < 0 && errno != EINTR) break;
      if (fds[1].revents) break;
      if (n > 0 && (fds[0].revents & POLLIN)) {
        ssize_t len = ::read(ifd, buf, sizeof buf);
        auto now = std::chrono::steady_clock::now();
        for (char* p = buf; len > 0 && p < buf + len;) {
          auto* ev = reinterpret_cast<inotify_event*>(p);
          p += sizeof(inotify_event) + ev->len;
          if (ev->mask & IN_Q_OVERFLOW) {
            overflow = true;
            continue;
          }
          std::string dir;
          {
            std::lock_guard lock(mu);
            auto it = dirs.find(ev->wd);
            if (it == dirs.end()) continue;
            dir = it->second;
            if (ev->mask & IN_IGNORED) {
              dirs.erase(it);
              continue;
            }
          }
          if (ev->len == 0) continue;
          std::string name = ev->name;
          auto rel = dir.empty() ? name : dir + "/" + name;
          if (ev->mask & IN_ISDIR) {
            if (walk_skips_dir(opts.walk, name)) continue;
            if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
              add_tree(rel);
              std::set<std::string> found;
              list_files(rel, found);
              pending.insert(found.begin(), found.end());
              unsettled.insert(found.begin(), found.end());
            } else {
              overflow = true;  // a directory went: let the indexer look at everything
            }
          } else {
            if (!walk_may_index(opts.walk, name)) continue;  // an editor's temporary file
            pending.insert(rel);
            if (ev->mask & IN_CREATE)
              unsettled.insert(rel);  // opened for writing: the close will tell
            else
              unsettled.erase(rel);  // IN_CLOSE_WRITE, IN_MOVED_*, IN_DELETE
          }
          if (first == std::chrono::steady_clock::time_point{}) first = now;
          last = now;
        }
      }
      if (pending.empty() && !overflow) continue;
      auto now = std::chrono::steady_clock::now();
      bool settled = !overflow && unsettled.empty() && opts.settled_flush;
      if (!settled && now < last + opts.quiet && now < first + opts.max_delay) continue;
      // Quiet long enough (or waited long enough): hand the batch over.
      if (overflow) {
        pending.clear();
        overflow = false;
        fn({});
      } else if (!pending.empty()) {
        std::vector<std::string> batch(pending.begin(), pending.end());
        pending.clear();
        fn(std::move(batch));
      }
      unsettled.clear();
      first = last = {};
    }
  }
};

result<std::unique_ptr<tree_watcher>> tree_watcher::start(std::string root, watch_options opts, on_change fn) {
  auto p = std::make_unique<impl>();
  p->root = std::move(root);
  p->opts = std::move(opts);
  p->fn = std::move(fn);
  p->ifd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (p->ifd < 0) return make_error(errc::io_error, std::string("inotify: ") + std::strerror(errno));
  p->stop_fd = ::eventfd(0, EFD_CLOEXEC);
  if (p->stop_fd < 0) return make_error(errc::io_error, std::string("eventfd: ") + std::strerror(errno));
  p->add_tree("");
  if (p->dirs.empty()) return make_error(errc::io_error, "cannot watch " + p->root);
  auto* raw = p.get();
  p->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<tree_watcher>(new tree_watcher(std::move(p)));
}

tree_watcher::tree_watcher(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
tree_watcher::~tree_watcher() = default;

size_t tree_watcher::watches() const {
  std::lock_guard lock(impl_->mu);
  return impl_->dirs.size();
}

}  // namespace cg
