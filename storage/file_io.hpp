#pragma once
// Whole-file writes for the state files beside the store (search state, index files).
//
// A single write(2) of tens of megabytes is 10-20x slower on some kernels than the
// same bytes in 1 MiB pieces (measured here: 30 MB in one call 0.41 s, in 1 MiB
// calls 0.03 s), and std::ofstream/fwrite hand a large buffer to the kernel in one
// call. These helpers always write in bounded pieces.
#include <cstddef>
#include <string>
#include <string_view>

#include "schema/result.hpp"

namespace cg {

// The largest piece handed to one write(2).
inline constexpr size_t file_write_piece = size_t{1} << 20;

// Creates or truncates `path` and writes `bytes`; an error names the file.
status write_whole_file(const std::string& path, std::string_view bytes);

// An open file written in pieces: for writers that produce their output in parts
// (FAISS's IOWriter). close() reports the first error.
class piece_writer {
 public:
  explicit piece_writer(const std::string& path);
  ~piece_writer();
  piece_writer(const piece_writer&) = delete;
  piece_writer& operator=(const piece_writer&) = delete;

  bool write(const void* data, size_t size);
  status close();

 private:
  std::string path_;
  int fd_ = -1;
  int error_ = 0;
};

}  // namespace cg
