/* Judging one target for the reports: grades, strength and reach flags,
 * lost clients, client names. Uses the real profile database (data/clients). */
/* cmocka needs these first */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
/* clang-format on */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/assess.h"

static struct client_db *db_load(void)
{
    char err[256] = "";
    struct client_db *db = client_db_load(NULL, err, sizeof(err));
    if (db == NULL) {
        fail_msg("cannot load the client profiles: %s", err);
    }
    return db;
}

/* TLS 1.2 with one ECDHE-GCM suite (A) and TLS_RSA_WITH_3DES_EDE_CBC_SHA (C),
 * an RSA-2048 certificate, and three simulated clients. */
static struct scan_results *target_make(void)
{
    struct scan_results *r = results_new();
    snprintf(r->target, sizeof(r->target), "127.0.0.1:8443");
    r->state = TARGET_SCANNED;
    struct proto_result *p = &r->protos[results_proto_index(0x0303)];
    p->state = PROTO_SUPPORTED;
    p->suites_complete = true;
    p->suites[0] = (struct suite_result){.code = 0xC02F, .group = 0x001D};
    p->suites[1] = (struct suite_result){.code = 0x000A};
    p->n_suites = 2;
    r->cert.present = true;
    snprintf(r->cert.key_type, sizeof(r->cert.key_type), "RSA");
    r->cert.key_bits = 2048;
    r->cert.rsa_exponent = 65537;
    snprintf(r->cert.sig_alg, sizeof(r->cert.sig_alg), "sha256WithRSAEncryption");
    r->groups_complete = true;

    r->clients = calloc(3, sizeof(*r->clients));
    r->n_clients = 3;
    r->clients[0] = (struct client_result){
        .id = "ios-17", .verdict = CLIENT_CONNECTS, .version = 0x0303, .suite = 0xC02F};
    r->clients[1] = (struct client_result){.id = "android-14", .verdict = CLIENT_FAILS};
    snprintf(r->clients[1].why, sizeof(r->clients[1].why), "no shared cipher suite");
    r->clients[2] = (struct client_result){.id = "java-17-local", .verdict = CLIENT_INCONCLUSIVE};
    snprintf(r->clients[2].why, sizeof(r->clients[2].why), "timed out after 5.0 s");
    return r;
}

static bool finding_has(const struct assessment *a, const char *text)
{
    for (size_t i = 0; i < a->rt.n_findings; i++) {
        if (strstr(a->rt.findings[i], text) != NULL) {
            return true;
        }
    }
    return false;
}

static void test_assess_grades_and_strength(void **state)
{
    struct client_db *db = *state;
    struct scan_results *r = target_make();
    r->clients[2].verdict = CLIENT_CONNECTS; /* nothing inconclusive here */
    struct grade_policy policy = {.min_grade = 'A', .require_forward_secrecy = true};
    struct assessment a;

    assert_int_equal(cli_assess(&a, r, &policy, db, NULL), ST_OK);
    const struct suite_grade *g = a.rt.grades[results_proto_index(0x0303)];
    assert_non_null(g);
    assert_int_equal(g[0].letter, 'A');
    assert_int_equal(g[1].letter, 'C'); /* 112-bit cipher: C at best, as nmap */
    assert_int_equal(a.rt.least, 'C');
    assert_int_equal(a.rt.flags, GATE_STRENGTH);
    assert_int_equal(a.rt.n_lost, 0);
    cli_assessment_clear(&a);

    policy.min_grade = 'C';
    assert_int_equal(cli_assess(&a, r, &policy, db, NULL), ST_OK);
    assert_int_equal(a.rt.flags, 0);
    cli_assessment_clear(&a);
    results_free(r);
}

static void test_assess_lost_client_breaks_reach(void **state)
{
    struct client_db *db = *state;
    struct scan_results *r = target_make();
    struct grade_policy policy = {.min_grade = 'C', .require_forward_secrecy = true};
    struct assessment a;

    assert_int_equal(cli_assess(&a, r, &policy, db, "ios-17,android-14"), ST_OK);
    assert_true(a.rt.flags & GATE_REACH);
    assert_int_equal(a.rt.n_lost, 1);
    assert_string_equal(a.rt.lost[0], "android-14");
    assert_true(finding_has(&a, "android-14 cannot connect: no shared cipher suite"));
    cli_assessment_clear(&a);

    /* only clients that connect: no reach flag (java-17-local is still inconclusive) */
    assert_int_equal(cli_assess(&a, r, &policy, db, "ios-17"), ST_OK);
    assert_int_equal(a.rt.flags, GATE_INCOMPLETE);
    assert_int_equal(a.rt.n_lost, 0);
    cli_assessment_clear(&a);
    results_free(r);
}

/* A required client whose probe broke is not known to be lost: incomplete. */
static void test_assess_inconclusive_client_is_incomplete(void **state)
{
    struct client_db *db = *state;
    struct scan_results *r = target_make();
    struct grade_policy policy = {.min_grade = 'C', .require_forward_secrecy = true};
    struct assessment a;
    assert_int_equal(cli_assess(&a, r, &policy, db, "java-17-local"), ST_OK);
    assert_int_equal(a.rt.flags, GATE_INCOMPLETE);
    assert_int_equal(a.rt.n_lost, 0);
    cli_assessment_clear(&a);
    results_free(r);
}

static void test_assess_unsimulated_required_client_is_lost(void **state)
{
    struct client_db *db = *state;
    struct scan_results *r = target_make();
    r->n_clients = 1; /* only ios-17 was simulated */
    struct grade_policy policy = {.min_grade = 'C', .require_forward_secrecy = true};
    struct assessment a;
    assert_int_equal(cli_assess(&a, r, &policy, db, "android-14"), ST_OK);
    assert_int_equal(a.rt.flags, GATE_REACH);
    assert_true(finding_has(&a, "android-14 cannot connect: not simulated"));
    cli_assessment_clear(&a);
    results_free(r);
}

static void test_assess_unreachable_target_is_incomplete(void **state)
{
    struct client_db *db = *state;
    struct scan_results *r = results_new();
    r->state = TARGET_UNREACHABLE;
    snprintf(r->error, sizeof(r->error), "refused");
    struct grade_policy policy = {.min_grade = 'A', .require_forward_secrecy = true};
    struct assessment a;
    assert_int_equal(cli_assess(&a, r, &policy, db, "ios-17"), ST_OK);
    assert_true(a.rt.flags & GATE_INCOMPLETE);
    assert_false(a.rt.flags & GATE_REACH);
    assert_int_equal(a.rt.least, 0);
    cli_assessment_clear(&a);
    results_free(r);
}

static void test_assess_client_names(void **state)
{
    struct client_db *db = *state;
    struct scan_results *r = target_make();
    r->clients[2].id = "no-such-client";
    struct grade_policy policy = {.min_grade = 'A', .require_forward_secrecy = true};
    struct assessment a;
    assert_int_equal(cli_assess(&a, r, &policy, db, NULL), ST_OK);
    assert_non_null(a.rt.client_names[0]);
    assert_string_equal(a.rt.client_names[0], client_name(client_db_find(db, "ios-17")));
    assert_null(a.rt.client_names[2]);
    cli_assessment_clear(&a);
    results_free(r);
}

static int db_setup(void **state)
{
    *state = db_load();
    return 0;
}

static int db_teardown(void **state)
{
    client_db_free(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assess_grades_and_strength),
        cmocka_unit_test(test_assess_lost_client_breaks_reach),
        cmocka_unit_test(test_assess_inconclusive_client_is_incomplete),
        cmocka_unit_test(test_assess_unsimulated_required_client_is_lost),
        cmocka_unit_test(test_assess_unreachable_target_is_incomplete),
        cmocka_unit_test(test_assess_client_names),
    };
    return cmocka_run_group_tests(tests, db_setup, db_teardown);
}
