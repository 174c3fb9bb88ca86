#pragma once
// One long-lived thread that runs posted jobs in order, for work that must run on
// another thread (the server's queued watch batches, resolution's producer) without a
// thread per job: the allocator (mimalloc) keeps the pages of every thread that ended
// while blocks it allocated are still in use ("abandoned", given back only by the main
// thread), and a thread per save left tens of MB behind after a burst of saves.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace cg {

class serial_runner {
 public:
  serial_runner();
  ~serial_runner();  // runs what was posted, then joins
  serial_runner(const serial_runner&) = delete;
  serial_runner& operator=(const serial_runner&) = delete;
  void post(std::function<void()> job);

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cg
