#include "storage/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cg {

piece_writer::piece_writer(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) error_ = errno;
}

piece_writer::~piece_writer() {
  if (fd_ >= 0) ::close(fd_);
}

bool piece_writer::write(const void* data, size_t size) {
  if (fd_ < 0 || error_ != 0) return false;
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, std::min(size, file_write_piece));
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

status piece_writer::close() {
  if (fd_ >= 0) {
    if (::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
  }
  if (error_ != 0) return make_error(errc::io_error, "cannot write " + path_ + ": " + std::strerror(error_));
  return {};
}

status write_whole_file(const std::string& path, std::string_view bytes) {
  piece_writer w(path);
  w.write(bytes.data(), bytes.size());
  return w.close();
}

}  // namespace cg
