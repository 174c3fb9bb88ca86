#pragma once

namespace cg::cli {

// On a crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) writes the signal and a
// raw backtrace to stderr, then dies of the same signal: a crash in a server run
// by a test, a service manager or a user leaves a trace in its log
// (addr2line -e codegraph -f -C ADDR names the frames). Sanitizer builds keep the
// sanitizer's own report.
void report_fatal_signals();

}  // namespace cg::cli
