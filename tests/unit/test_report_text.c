/* The text report on a constructed scan, compared with a frozen snapshot
 * (tests/snapshots/report_text.txt). After a deliberate change, regenerate it
 * with TLSGATE_UPDATE_SNAPSHOTS=1 and review the diff. */
/* cmocka needs these first */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
/* clang-format on */
#include <stdio.h>

#include "test_report_fixture.h"

#define SNAPSHOT TESTS_DIR "/snapshots/report_text.txt"

static char *text_of(const struct report *rep, bool color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(report_text_write(f, rep, color), ST_OK);
    fclose(f);
    return buf;
}

static char *file_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Names the first differing line, so a failure reads like a diff. */
static void assert_same_text(const char *want, const char *got)
{
    if (strcmp(want, got) == 0) {
        return;
    }
    int line = 1;
    const char *w = want, *g = got;
    while (*w != '\0' && *w == *g) {
        line += *w == '\n';
        w++;
        g++;
    }
    const char *wl = w, *gl = g;
    while (wl > want && wl[-1] != '\n') {
        wl--;
    }
    while (gl > got && gl[-1] != '\n') {
        gl--;
    }
    fail_msg("text report differs from %s at line %d:\n- %.*s\n+ %.*s", SNAPSHOT, line,
             (int)strcspn(wl, "\n"), wl, (int)strcspn(gl, "\n"), gl);
}

static void test_report_text_snapshot(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    char *got = text_of(&fx.rep, false);
    const char *update = getenv("TLSGATE_UPDATE_SNAPSHOTS");
    if (update != NULL && strcmp(update, "1") == 0) {
        FILE *f = fopen(SNAPSHOT, "w");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
    }
    char *want = file_read(SNAPSHOT);
    if (want == NULL) {
        fail_msg("no snapshot at %s: run with TLSGATE_UPDATE_SNAPSHOTS=1", SNAPSHOT);
    }
    assert_same_text(want, got);
    free(want);
    free(got);
    fixture_free(&fx);
}

static void test_report_text_colour_only_when_asked(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    char *plain = text_of(&fx.rep, false);
    char *color = text_of(&fx.rep, true);
    assert_null(strchr(plain, '\033'));
    assert_non_null(strstr(color, "\033[31m"));
    assert_non_null(strstr(color, "FAIL (exit 13)"));
    free(plain);
    free(color);
    fixture_free(&fx);
}

static void test_report_text_verdict_line(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    char *text = text_of(&fx.rep, false);
    assert_non_null(strstr(text, "Verdict: FAIL (exit 13): 2 suites below A; lost clients: "
                                 "ios-15; incomplete: some probes were inconclusive\n"));
    free(text);

    /* the same scan judged against C passes on strength */
    for (size_t i = 0; i < 3; i++) {
        fx.g12[i].letter = i == 0 ? 'A' : 'B';
    }
    fx.rt.flags = 0;
    fx.rt.n_lost = 0;
    fx.rep.exit_code = 0;
    fx.rep.min_grade = 'B';
    text = text_of(&fx.rep, false);
    assert_non_null(strstr(text, "Verdict: PASS (exit 0)\n"));
    free(text);
    fixture_free(&fx);
}

/* A server order the probes could not settle is marked in its heading. */
static void test_report_text_partial_server_order(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    char *text = text_of(&fx.rep, false);
    assert_non_null(strstr(text, "TLSv1.2 suites (server order)\n"));
    free(text);
    fx.r->protos[4].order_partial = true;
    text = text_of(&fx.rep, false);
    assert_non_null(strstr(text, "TLSv1.2 suites (server order, partly unproven: see notes)\n"));
    free(text);
    fixture_free(&fx);
}

/* The same weak suite in two protocols is one suite to remove. */
static void test_report_text_counts_each_weak_suite_once(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    struct proto_result *tls10 = &fx.r->protos[results_proto_index(0x0301)];
    tls10->suites[0].code = 0x000A; /* also graded C under TLSv1.2 */
    fx.g10[0].letter = 'C';
    char *text = text_of(&fx.rep, false);
    assert_non_null(strstr(text, "FAIL (exit 13): 2 suites below A;"));
    free(text);

    tls10->suites[0].code = 0x0035; /* a third weak suite */
    text = text_of(&fx.rep, false);
    assert_non_null(strstr(text, "FAIL (exit 13): 3 suites below A;"));
    free(text);
    fixture_free(&fx);
}

static void test_report_text_several_targets(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    struct scan_results *down = results_new();
    snprintf(down->target, sizeof(down->target), "nowhere.invalid");
    snprintf(down->error, sizeof(down->error), "nowhere.invalid does not resolve");
    down->port = 443;
    down->state = TARGET_UNRESOLVED;
    struct report_target both[2] = {fx.rt, {.r = down, .flags = 8}};
    struct report rep = fx.rep;
    rep.targets = both;
    rep.n_targets = 2;
    char *text = text_of(&rep, false);
    assert_non_null(strstr(text, "127.0.0.1:8443  (address 127.0.0.1"));
    assert_non_null(strstr(text, "nowhere.invalid  (address none, port 443"));
    assert_non_null(strstr(text, "  unresolved: nowhere.invalid does not resolve\n"));
    assert_non_null(strstr(text, "Verdict: FAIL (exit 8): nowhere.invalid does not resolve\n"));
    assert_non_null(strstr(text, "All targets: FAIL (exit 13): 2 of 2 targets failed\n"));
    free(text);
    results_free(down);
    fixture_free(&fx);
}

/* --all-addresses: one line per name, after the targets, before the total. */
static void test_report_text_addresses(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    struct address_pair ap;
    address_pair_build(&ap, &fx);
    char *text = text_of(&ap.rep, false);
    assert_non_null(strstr(text, "\nAddresses\n  127.0.0.1:8443: 127.0.0.1 and ::1 differ: "
                                 "TLSv1.0 supported on 127.0.0.1 only\n\nAll targets: "));
    free(text);

    report_addresses_compare(ap.rs, 1, ap.cmp); /* nothing to differ */
    text = text_of(&ap.rep, false);
    assert_non_null(strstr(text, "  127.0.0.1:8443: 127.0.0.1 and ::1 agree (protocols, suites, "
                                 "server order, groups, certificate)\n"));
    free(text);
    address_pair_free(&ap);
    fixture_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_text_snapshot),
        cmocka_unit_test(test_report_text_colour_only_when_asked),
        cmocka_unit_test(test_report_text_verdict_line),
        cmocka_unit_test(test_report_text_partial_server_order),
        cmocka_unit_test(test_report_text_counts_each_weak_suite_once),
        cmocka_unit_test(test_report_text_several_targets),
        cmocka_unit_test(test_report_text_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
