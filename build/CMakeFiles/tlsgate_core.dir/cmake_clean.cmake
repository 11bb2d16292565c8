file(REMOVE_RECURSE
  "CMakeFiles/tlsgate_core.dir/src/results/scan_results.c.o"
  "CMakeFiles/tlsgate_core.dir/src/results/scan_results.c.o.d"
  "CMakeFiles/tlsgate_core.dir/src/util/log.c.o"
  "CMakeFiles/tlsgate_core.dir/src/util/log.c.o.d"
  "CMakeFiles/tlsgate_core.dir/src/util/status.c.o"
  "CMakeFiles/tlsgate_core.dir/src/util/status.c.o.d"
  "CMakeFiles/tlsgate_core.dir/src/wire/reader.c.o"
  "CMakeFiles/tlsgate_core.dir/src/wire/reader.c.o.d"
  "CMakeFiles/tlsgate_core.dir/src/wire/writer.c.o"
  "CMakeFiles/tlsgate_core.dir/src/wire/writer.c.o.d"
  "libtlsgate_core.a"
  "libtlsgate_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/tlsgate_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
