# Adds tests/fuzz to a build whose top-level CMakeLists.txt does not add it itself when
# OCIRUN_FUZZ is on. run.sh passes this file as CMAKE_PROJECT_INCLUDE; the call is deferred to
# the end of the top-level file, after the libraries the targets link exist.
option(OCIRUN_FUZZ "Build the libFuzzer targets of tests/fuzz (needs clang)" OFF)

function(ocirun_add_fuzz_directory)
    if(OCIRUN_FUZZ AND NOT TARGET config_fuzz)
        # Deferred calls may not add subdirectories, so the file is included instead.
        include(${CMAKE_SOURCE_DIR}/tests/fuzz/CMakeLists.txt)
    endif()
endfunction()

cmake_language(DEFER CALL ocirun_add_fuzz_directory)
