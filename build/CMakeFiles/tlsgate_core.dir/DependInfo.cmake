
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/results/scan_results.c" "CMakeFiles/tlsgate_core.dir/src/results/scan_results.c.o" "gcc" "CMakeFiles/tlsgate_core.dir/src/results/scan_results.c.o.d"
  "/work/main/src/util/log.c" "CMakeFiles/tlsgate_core.dir/src/util/log.c.o" "gcc" "CMakeFiles/tlsgate_core.dir/src/util/log.c.o.d"
  "/work/main/src/util/status.c" "CMakeFiles/tlsgate_core.dir/src/util/status.c.o" "gcc" "CMakeFiles/tlsgate_core.dir/src/util/status.c.o.d"
  "/work/main/src/wire/reader.c" "CMakeFiles/tlsgate_core.dir/src/wire/reader.c.o" "gcc" "CMakeFiles/tlsgate_core.dir/src/wire/reader.c.o.d"
  "/work/main/src/wire/writer.c" "CMakeFiles/tlsgate_core.dir/src/wire/writer.c.o" "gcc" "CMakeFiles/tlsgate_core.dir/src/wire/writer.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
