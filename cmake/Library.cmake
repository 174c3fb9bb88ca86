# One way to declare a library of ours and a unit-test executable.
#
# cg_library(NAME SOURCES a.cpp b.cpp [PUBLIC deps...] [PRIVATE deps...] [DEFINITIONS defs...])
#   a static library, include root at the checkout, our warnings, its dependencies.
# cg_gtest(NAME SOURCES ... LIBS ... LABEL label)
#   a GoogleTest executable whose tests ctest discovers under that label.
function(cg_library name)
  cmake_parse_arguments(A "" "" "SOURCES;PUBLIC;PRIVATE;DEFINITIONS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${A_PUBLIC} PRIVATE ${A_PRIVATE})
  target_compile_options(${name} PRIVATE ${CODEGRAPH_WARNINGS})
  if(A_DEFINITIONS)
    target_compile_definitions(${name} PRIVATE ${A_DEFINITIONS})
  endif()
endfunction()

function(cg_gtest name)
  cmake_parse_arguments(A "" "LABEL" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_LIBS} GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${CODEGRAPH_WARNINGS})
  gtest_discover_tests(${name} PROPERTIES LABELS ${A_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()
