#pragma once

#include "clients/client.h"
#include "grade/grade.h"
#include "report/report.h"

/* Judges one target's results for the reports: grades every suite, applies
 * the grade policy, checks the required clients, and fills a report_target
 * that points into this struct (keep it alive while reporting). */
struct assessment {
    struct report_target rt;
    struct suite_grade *grades[RESULTS_NUM_PROTOS];
    struct scan_verdict verdict;
    char reach_why[4096];
    const char **findings;
    const char **lost;
    const char **names;
};

/* db may be NULL (no clients loaded); require may be NULL (no client required). */
enum status cli_assess(struct assessment *a, const struct scan_results *r,
                       const struct grade_policy *policy, const struct client_db *db,
                       const char *require) MUST_CHECK;
void cli_assessment_clear(struct assessment *a);
