# Finds every system library CodeGraph uses (Debian 12 packages; see deploy/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS url)
find_package(CLI11 CONFIG REQUIRED)
# mimalloc replaces malloc process-wide (linked first into executables): tree-sitter
# and RocksDB allocate heavily; measured 10-20% less CPU for a full index.
# Not under ThreadSanitizer: its interceptors must own malloc (with mimalloc's the
# instrumented binaries crash at start); memory_trim then does nothing.
if(CODEGRAPH_TSAN)
  add_library(mimalloc INTERFACE)
  target_compile_definitions(mimalloc INTERFACE CODEGRAPH_NO_MIMALLOC)
else()
  find_package(mimalloc CONFIG REQUIRED)
endif()
find_package(tomlplusplus CONFIG REQUIRED)
# FAISS 1.7.3 is a static library built with OpenMP: OpenMP must be found first.
# It uses the system BLAS; libopenblas0-pthread makes that OpenBLAS (batched exact
# search ~45x faster than the reference BLAS).
find_package(OpenMP REQUIRED)
find_package(faiss CONFIG REQUIRED)
pkg_check_modules(TREESITTER REQUIRED IMPORTED_TARGET tree-sitter)
pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2)
# Prefer the static runtime: calls from the generated parsers avoid the PLT (measured ~10% faster).
find_library(TREESITTER_STATIC_LIBRARY NAMES libtree-sitter.a)
add_library(cg_tree_sitter INTERFACE)
if(TREESITTER_STATIC_LIBRARY)
  target_include_directories(cg_tree_sitter INTERFACE ${TREESITTER_INCLUDE_DIRS})
  target_link_libraries(cg_tree_sitter INTERFACE ${TREESITTER_STATIC_LIBRARY})
else()
  target_link_libraries(cg_tree_sitter INTERFACE PkgConfig::TREESITTER)
endif()

# CAF 0.17 ships neither a CMake config nor a .pc file: hand-made imported targets.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
if(NOT TARGET caf::core)
  add_library(caf::core SHARED IMPORTED)
  set_target_properties(caf::core PROPERTIES
    IMPORTED_LOCATION ${CAF_CORE_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR}
    INTERFACE_LINK_LIBRARIES Threads::Threads)
  add_library(caf::io SHARED IMPORTED)
  set_target_properties(caf::io PROPERTIES
    IMPORTED_LOCATION ${CAF_IO_LIBRARY}
    INTERFACE_LINK_LIBRARIES caf::core)
endif()
