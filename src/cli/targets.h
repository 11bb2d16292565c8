#pragma once

#include <stddef.h>
#include <stdio.h>

#include "cli/config.h"
#include "util/status.h"

/* The targets of a scan: the command line's, then those read with -i. */
struct target_list {
    char **items; /* each malloc'd */
    size_t n;
    size_t cap;
};

/* A fleet file larger than this is a mistake (or needs --shard). */
#define TARGETS_MAX 1000000

/* Collects and syntax-checks every target; ST_USAGE with one sentence in err
 * for a malformed line (with its line number), an unreadable file or no target
 * at all. `in` is the stream used for "-i -" (stdin). */
enum status cli_targets_collect(const struct config *cfg, FILE *in, struct target_list *out,
                                char *err, size_t errlen) MUST_CHECK;
void cli_targets_free(struct target_list *list);

/* Keeps only shard k of n (1 <= k <= n): the targets whose position in the
 * list is k - 1 modulo n, so n machines given the same list and k = 1..n scan
 * every target exactly once. A shard may be empty (fewer targets than
 * shards): that machine then has nothing to do, which is not an error. */
void cli_targets_shard(struct target_list *list, unsigned k, unsigned n);
