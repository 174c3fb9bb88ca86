# Compiles the pinned tree-sitter grammars (npm, ABI 14) into one static library.
# The grammar sources come from node_modules, installed by deploy/install-deps.sh (npm ci).
set(CODEGRAPH_GRAMMAR_ROOT ${CMAKE_SOURCE_DIR}/node_modules CACHE PATH "Where the tree-sitter-* npm packages live")

set(_grammar_dirs
  tree-sitter-python/src tree-sitter-rust/src tree-sitter-javascript/src
  tree-sitter-typescript/typescript/src tree-sitter-typescript/tsx/src
  tree-sitter-go/src tree-sitter-java/src tree-sitter-cpp/src tree-sitter-c/src)

set(_grammar_sources)
foreach(dir IN LISTS _grammar_dirs)
  set(full ${CODEGRAPH_GRAMMAR_ROOT}/${dir})
  if(NOT EXISTS ${full}/parser.c)
    message(FATAL_ERROR "tree-sitter grammar missing: ${full}/parser.c\n"
                        "Run deploy/install-deps.sh (it runs npm ci --ignore-scripts).")
  endif()
  # Each grammar is its own object library: parser.c files share symbol-free
  # static names but include their own tree_sitter/parser.h.
  string(REPLACE "/" "_" lib ${dir})
  string(REPLACE "-" "_" lib ${lib})
  set(srcs ${full}/parser.c)
  if(EXISTS ${full}/scanner.c)
    list(APPEND srcs ${full}/scanner.c)
  endif()
  add_library(${lib} OBJECT ${srcs})
  target_include_directories(${lib} PRIVATE ${full})
  target_compile_options(${lib} PRIVATE -O2 -w)
  list(APPEND _grammar_sources $<TARGET_OBJECTS:${lib}>)
endforeach()

add_library(cg_grammars STATIC ${_grammar_sources})
set_target_properties(cg_grammars PROPERTIES LINKER_LANGUAGE C)
