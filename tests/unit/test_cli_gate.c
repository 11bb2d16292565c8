/* Exit status: per-target flags and their combination; target lists. */
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
#include <sys/socket.h>
#include <unistd.h>

#include "cli/gate.h"
#include "cli/targets.h"
#include "grade/grade.h"

static struct scan_results *scanned_ok(void)
{
    struct scan_results *r = results_new();
    assert_non_null(r);
    r->state = TARGET_SCANNED;
    int i = results_proto_index(0x0303);
    r->protos[i].state = PROTO_SUPPORTED;
    r->protos[i].suites_complete = true;
    r->protos[i].n_suites = 1;
    r->protos[i].suites[0].code = 0xC02F;
    return r;
}

static void test_gate_clean_target_passes(void **state)
{
    (void)state;
    struct scan_results *r = scanned_ok();
    assert_int_equal(gate_target_flags(r, 0, 0), 0);
    results_free(r);
}

static void test_gate_flags_pass_through(void **state)
{
    (void)state;
    struct scan_results *r = scanned_ok();
    assert_int_equal(gate_target_flags(r, GATE_STRENGTH, 0), 1);
    assert_int_equal(gate_target_flags(r, 0, GATE_REACH), 4);
    assert_int_equal(gate_target_flags(r, GATE_STRENGTH, GATE_REACH), 5);
    assert_int_equal(gate_target_flags(r, GATE_STRENGTH | GATE_INCOMPLETE, GATE_REACH), 13);
    /* usage is never a target's flag */
    assert_int_equal(gate_target_flags(r, GATE_USAGE | GATE_STRENGTH, 0), 1);
    results_free(r);
}

/* A scan that could not finish never exits 0, whatever grade_scan said. */
static void test_gate_unfinished_is_incomplete(void **state)
{
    (void)state;
    static const unsigned states[] = {TARGET_UNRESOLVED, TARGET_UNREACHABLE, TARGET_NOT_TLS};
    for (size_t i = 0; i < 3; i++) {
        struct scan_results *r = scanned_ok();
        r->state = (uint8_t)states[i];
        assert_int_equal(gate_target_flags(r, 0, 0), GATE_INCOMPLETE);
        results_free(r);
    }

    struct scan_results *r = scanned_ok();
    r->protos[results_proto_index(0x0304)].state = PROTO_INCONCLUSIVE;
    assert_int_equal(gate_target_flags(r, 0, 0), GATE_INCOMPLETE);
    results_free(r);

    r = scanned_ok();
    r->protos[results_proto_index(0x0303)].suites_complete = false;
    assert_int_equal(gate_target_flags(r, GATE_STRENGTH, 0), GATE_STRENGTH | GATE_INCOMPLETE);
    results_free(r);

    r = scanned_ok();
    r->clients = calloc(2, sizeof(*r->clients));
    r->n_clients = 2;
    r->clients[0].verdict = CLIENT_CONNECTS;
    r->clients[1].verdict = CLIENT_INCONCLUSIVE;
    assert_int_equal(gate_target_flags(r, 0, 0), GATE_INCOMPLETE);
    r->clients[1].verdict = CLIENT_FAILS; /* a failing client is data, not a broken probe */
    assert_int_equal(gate_target_flags(r, 0, 0), 0);
    results_free(r);
}

static void test_gate_combine_ors_targets(void **state)
{
    (void)state;
    unsigned code = 0;
    code = gate_exit_combine(code, 0);
    assert_int_equal(code, 0);
    code = gate_exit_combine(code, GATE_STRENGTH);
    code = gate_exit_combine(code, GATE_REACH);
    assert_int_equal(code, 5);
    code = gate_exit_combine(code, GATE_STRENGTH);
    assert_int_equal(code, 5);
    code = gate_exit_combine(code, GATE_INCOMPLETE);
    assert_int_equal(code, 13);
    assert_int_equal(gate_exit_combine(0, GATE_USAGE), 0);
}

static void test_targets_from_file_and_stdin(void **state)
{
    (void)state;
    char path[] = "/tmp/tlsgate-targets-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# fleet\n\n  a.test:8443  \nb.test # comment\n[::1]:443\r\n", f);
    fclose(f);

    static char stdin_text[] = "c.test\n";
    FILE *in = fmemopen(stdin_text, strlen(stdin_text), "r");
    struct config *cfg = calloc(1, sizeof(*cfg));
    cfg->command = CLI_CMD_SCAN;
    cfg->targets[0] = "first.test";
    cfg->n_targets = 1;
    cfg->input = path;

    struct target_list list;
    char err[256] = "";
    assert_int_equal(cli_targets_collect(cfg, in, &list, err, sizeof(err)), ST_OK);
    assert_int_equal(list.n, 4);
    assert_string_equal(list.items[0], "first.test");
    assert_string_equal(list.items[1], "a.test:8443");
    assert_string_equal(list.items[2], "b.test");
    assert_string_equal(list.items[3], "[::1]:443");
    cli_targets_free(&list);

    cfg->input = "-";
    assert_int_equal(cli_targets_collect(cfg, in, &list, err, sizeof(err)), ST_OK);
    assert_int_equal(list.n, 2);
    assert_string_equal(list.items[1], "c.test");
    cli_targets_free(&list);
    fclose(in);
    unlink(path);
    free(cfg);
}

static void test_targets_bad_file_is_usage_error(void **state)
{
    (void)state;
    struct config *cfg = calloc(1, sizeof(*cfg));
    cfg->command = CLI_CMD_SCAN;
    cfg->input = "/nonexistent/targets.txt";
    struct target_list list;
    char err[256] = "";
    assert_int_equal(cli_targets_collect(cfg, stdin, &list, err, sizeof(err)), ST_USAGE);
    assert_non_null(strstr(err, "cannot open target file"));
    cli_targets_free(&list);

    static char bad[] = "ok.test\nnot a host\n";
    FILE *in = fmemopen(bad, strlen(bad), "r");
    cfg->input = "-";
    assert_int_equal(cli_targets_collect(cfg, in, &list, err, sizeof(err)), ST_USAGE);
    assert_non_null(strstr(err, "line 2"));
    cli_targets_free(&list);
    fclose(in);

    static char empty[] = "# nothing\n";
    in = fmemopen(empty, strlen(empty), "r");
    assert_int_equal(cli_targets_collect(cfg, in, &list, err, sizeof(err)), ST_USAGE);
    assert_non_null(strstr(err, "no targets"));
    cli_targets_free(&list);
    fclose(in);
    free(cfg);
}

/* -4 and -6 hold for the targets of -i FILE too: a literal of the other
 * family cannot be scanned. */
static void test_targets_file_of_the_other_family(void **state)
{
    (void)state;
    struct config *cfg = calloc(1, sizeof(*cfg));
    cfg->command = CLI_CMD_SCAN;
    cfg->input = "-";
    cfg->family = AF_INET;
    static char v6[] = "ok.test\n127.0.0.1\n[::1]:443\n";
    FILE *in = fmemopen(v6, strlen(v6), "r");
    struct target_list list;
    char err[256] = "";
    assert_int_equal(cli_targets_collect(cfg, in, &list, err, sizeof(err)), ST_USAGE);
    assert_non_null(strstr(err, "line 3"));
    assert_non_null(strstr(err, "IPv6 address"));
    cli_targets_free(&list);
    fclose(in);

    cfg->family = AF_INET6;
    in = fmemopen(v6, strlen(v6), "r");
    assert_int_equal(cli_targets_collect(cfg, in, &list, err, sizeof(err)), ST_USAGE);
    assert_non_null(strstr(err, "line 2"));
    assert_non_null(strstr(err, "IPv4 address"));
    cli_targets_free(&list);
    fclose(in);
    free(cfg);
}

/* Shards 1..n of the same list cover every target exactly once. */
static void test_targets_shards_partition_the_list(void **state)
{
    (void)state;
    struct config *cfg = calloc(1, sizeof(*cfg));
    static const char *const names[] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6"};
    cfg->command = CLI_CMD_SCAN;
    for (size_t i = 0; i < 7; i++) {
        cfg->targets[cfg->n_targets++] = names[i];
    }
    int seen[7] = {0};
    for (unsigned k = 1; k <= 3; k++) {
        struct target_list list;
        char err[256] = "";
        assert_int_equal(cli_targets_collect(cfg, stdin, &list, err, sizeof(err)), ST_OK);
        cli_targets_shard(&list, k, 3);
        assert_int_equal(list.n, k == 1 ? 3 : 2);
        for (size_t i = 0; i < list.n; i++) {
            seen[list.items[i][1] - '0']++;
        }
        cli_targets_free(&list);
    }
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(seen[i], 1);
    }

    struct target_list list;
    char err[256] = "";
    assert_int_equal(cli_targets_collect(cfg, stdin, &list, err, sizeof(err)), ST_OK);
    cli_targets_shard(&list, 9, 9); /* more shards than targets: empty, not an error */
    assert_int_equal(list.n, 0);
    cli_targets_free(&list);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gate_clean_target_passes),
        cmocka_unit_test(test_gate_flags_pass_through),
        cmocka_unit_test(test_gate_unfinished_is_incomplete),
        cmocka_unit_test(test_gate_combine_ors_targets),
        cmocka_unit_test(test_targets_from_file_and_stdin),
        cmocka_unit_test(test_targets_bad_file_is_usage_error),
        cmocka_unit_test(test_targets_file_of_the_other_family),
        cmocka_unit_test(test_targets_shards_partition_the_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
