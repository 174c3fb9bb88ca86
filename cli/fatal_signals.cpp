#include "cli/fatal_signals.hpp"

#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CG_HAS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CG_HAS_SANITIZER 1
#endif
#endif

namespace cg::cli {
namespace {

constexpr int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

void put(const char* s) {
  auto n = ::write(STDERR_FILENO, s, std::strlen(s));
  (void)n;
}

// Only async-signal-safe calls: write, backtrace_symbols_fd, raise (backtrace()
// itself is primed before any signal, see report_fatal_signals).
void on_fatal(int sig) {
  put("codegraph: fatal signal ");
  char num[8];
  int n = sig, i = static_cast<int>(sizeof num) - 1;
  num[i] = '\0';
  do num[--i] = static_cast<char>('0' + n % 10);
  while ((n /= 10) && i > 0);
  put(num + i);
  put(" (");
  put(sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
  put("); backtrace:\n");
  void* frames[64];
  int depth = ::backtrace(frames, 64);
  ::backtrace_symbols_fd(frames, depth, STDERR_FILENO);
  ::raise(sig);  // the default action now (SA_RESETHAND), delivered on return
}

}  // namespace

void report_fatal_signals() {
#ifndef CG_HAS_SANITIZER
  void* prime[1];
  (void)::backtrace(prime, 1);  // loads libgcc now, not inside the handler
  // A handler that runs on its own stack still reports a stack overflow.
  static char alt_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof alt_stack;
  ::sigaltstack(&ss, nullptr);
  for (int sig : fatal) {
    struct sigaction sa {};
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    ::sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
#endif
}

}  // namespace cg::cli
