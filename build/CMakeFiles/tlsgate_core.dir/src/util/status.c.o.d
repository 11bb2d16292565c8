CMakeFiles/tlsgate_core.dir/src/util/status.c.o: \
 /work/main/src/util/status.c /usr/include/stdc-predef.h \
 /work/main/src/util/status.h
