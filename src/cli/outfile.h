#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/status.h"

/* A report file that replaces its path only once the report is complete:
 * it is written to a temporary file beside the path ("PATH.XXXXXX"), renamed
 * over the path when complete, and removed otherwise, so an interrupted or
 * failed run leaves the previous report as it was. A path that exists and is
 * not a regular file (a FIFO, /dev/stdout) is written in place; a symbolic
 * link is followed and the file it names replaced.
 *
 * While the temporary file exists, SIGINT, SIGTERM and SIGHUP remove it and
 * then take their default action (the process dies of the signal, exit
 * status 128 + signal); a signal ignored when the file was opened stays
 * ignored. At most one such file may be open at a time. */
struct cli_outfile {
    FILE *f;             /* where to write; NULL when not open */
    char dest[PATH_MAX]; /* the file replaced in the end */
    bool in_place;       /* f writes to dest itself: there is no temporary */
};

/* Opens the temporary file (mode 0666 less the umask, as a file fopen
 * creates), or dest itself in place. ST_USAGE with one sentence in err when
 * it cannot be created: the directory is missing or not writable. */
enum status cli_outfile_open(struct cli_outfile *o, const char *path, char *err,
                             size_t errlen) MUST_CHECK;

/* Closes the file. When `complete`, flushes it to disk and renames it over
 * dest; otherwise, or when that fails, removes it and leaves dest as it was
 * (in place, what was written stays). ST_IO with one sentence in err when a
 * complete report could not be put in place; ST_OK otherwise, and for a file
 * that is not open. */
enum status cli_outfile_close(struct cli_outfile *o, bool complete, char *err,
                              size_t errlen) MUST_CHECK;
