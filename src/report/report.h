#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "grade/grade.h"
#include "report/compare.h"
#include "results/scan_results.h"
#include "util/status.h"

/* Reports render what a scan found and what the gate decided. They are pure:
 * they read the structures below, never log and never touch the network.
 * The caller (cli/) computes grades and flags; nothing here judges. */

struct report_target {
    const struct scan_results *r;
    /* grades[i][k] grades r->protos[i].suites[k]; NULL for a protocol with no suites */
    const struct suite_grade *grades[RESULTS_NUM_PROTOS];
    char least;                  /* the server's grade: 'A'..'F', '?' unknown, 0 when no suite */
    unsigned flags;              /* this target's GATE_* flags */
    const char *const *findings; /* why each flag is set, in words */
    size_t n_findings;
    const char *const *lost; /* ids of required clients that cannot connect */
    size_t n_lost;
    const char *const *client_names; /* parallel to r->clients; NULL or entries NULL if unknown */
};

/* --all-addresses: targets[first .. first + n) are the addresses of one
 * target spec (n >= 2, in the resolver's order), and how they differ. */
struct report_address_group {
    size_t first;
    size_t n;
    const struct address_comparison *cmp;
};

struct report {
    const struct report_target *targets;
    size_t n_targets;
    const struct report_address_group *groups; /* NULL when n_groups is 0 */
    size_t n_groups;
    unsigned exit_code;  /* OR of every target's flags */
    char min_grade;      /* the policy the verdict used */
    const char *version; /* tlsgate's version */
};

/* The human table (one section per target, then the verdict). Colours
 * (ANSI) only when color is true. ST_IO when the stream fails. */
enum status report_text_write(FILE *out, const struct report *rep, bool color) MUST_CHECK;

/* The JSON document described in docs/json-report.md (schema_version 1). */
enum status report_json_write(FILE *out, const struct report *rep) MUST_CHECK;
/* The document itself (new reference), and one TARGET object of it. */
json_t *report_json_build(const struct report *rep);
json_t *report_json_target(const struct report_target *t);

#define REPORT_SCHEMA_VERSION 1
