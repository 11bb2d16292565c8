/* Option table parsing: every option, and bad values as usage errors. */
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

#include "cli/config.h"

#define MAX_ARGS 48

/* Parses a NULL-terminated argument list (argv[0] added). */
static enum status parse_with(const char *no_color, struct config *cfg, char *err, size_t errlen,
                              const char *first, va_list ap)
{
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)"tlsgate";
    for (const char *a = first; a != NULL && argc < MAX_ARGS; a = va_arg(ap, const char *)) {
        argv[argc++] = (char *)a;
    }
    argv[argc] = NULL;
    return cli_config_parse(argc, argv, no_color, cfg, err, errlen);
}

static enum status parse(struct config *cfg, char *err, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    enum status st = parse_with(NULL, cfg, err, 256, first, ap);
    va_end(ap);
    return st;
}

static struct config cfg; /* large; one per test binary, reset by every parse */

static void test_cli_defaults(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(parse(&cfg, err, "scan", "example.test", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_SCAN);
    assert_int_equal(cfg.n_targets, 1);
    assert_string_equal(cfg.targets[0], "example.test");
    assert_int_equal(cfg.min_grade, 'A');
    assert_string_equal(cfg.clients, "all");
    assert_null(cfg.require_clients);
    assert_null(cfg.json);
    assert_null(cfg.sni);
    assert_int_equal(cfg.timeout_ms, 5000);
    assert_int_equal(cfg.port, 443);
    assert_int_equal(cfg.family, AF_UNSPEC);
    assert_false(cfg.no_color);
    assert_false(cfg.quiet);
    assert_int_equal(cfg.verbose, 0);
    assert_true(cfg.parallel > 0);
    assert_true(cfg.jobs > 0);
    assert_null(cfg.jsonl);
    assert_int_equal(cfg.shard_n, 0);
    assert_false(cfg.all_addresses);
}

static void test_cli_every_option(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(parse(&cfg, err, "scan", "--json", "out.json", "--min-grade", "b",
                           "--require-client", "ats,android-*", "--clients", "ios-*", "--sni",
                           "www.example.test", "--timeout", "2.5", "-6", "--no-color", "-vv",
                           "--parallel", "4", "--rate", "10.5", "--jobs", "3", "-i", "fleet.txt",
                           "--port", "8443", "--jsonl", "fleet.jsonl", "--shard", "2/5",
                           "--all-addresses", "a.test", "[::1]:443", "b.test:8443", NULL),
                     ST_OK);
    assert_string_equal(cfg.json, "out.json");
    assert_int_equal(cfg.min_grade, 'B');
    assert_string_equal(cfg.require_clients, "ats,android-*");
    assert_string_equal(cfg.clients, "ios-*");
    assert_string_equal(cfg.sni, "www.example.test");
    assert_int_equal(cfg.timeout_ms, 2500);
    assert_int_equal(cfg.family, AF_INET6);
    assert_true(cfg.no_color);
    assert_int_equal(cfg.verbose, 2);
    assert_int_equal(cfg.parallel, 4);
    assert_true(cfg.rate > 10.49 && cfg.rate < 10.51);
    assert_int_equal(cfg.jobs, 3);
    assert_string_equal(cfg.input, "fleet.txt");
    assert_int_equal(cfg.port, 8443);
    assert_string_equal(cfg.jsonl, "fleet.jsonl");
    assert_int_equal(cfg.shard_k, 2);
    assert_int_equal(cfg.shard_n, 5);
    assert_true(cfg.all_addresses);
    assert_int_equal(cfg.n_targets, 3);
    assert_string_equal(cfg.targets[1], "[::1]:443");
}

static void test_cli_short_and_long_forms(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(parse(&cfg, err, "-4", "-q", "scan", "h", NULL), ST_OK);
    assert_int_equal(cfg.family, AF_INET);
    assert_true(cfg.quiet);
    assert_int_equal(parse(&cfg, err, "--ipv4", "--quiet", "scan", "h", NULL), ST_OK);
    assert_int_equal(cfg.family, AF_INET);
    assert_int_equal(parse(&cfg, err, "scan", "h", "-vvv", NULL), ST_OK);
    assert_int_equal(cfg.verbose, 3);
    assert_int_equal(parse(&cfg, err, "scan", "h", "-v", "--verbose", NULL), ST_OK);
    assert_int_equal(cfg.verbose, 2);
    assert_int_equal(parse(&cfg, err, "scan", "--json=-", "h", NULL), ST_OK);
    assert_string_equal(cfg.json, "-");
    assert_int_equal(parse(&cfg, err, "scan", "h", "--clients", "ios-17, android-*", NULL), ST_OK);
    assert_string_equal(cfg.clients, "ios-17, android-*");
}

static void test_cli_help_and_version(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(parse(&cfg, err, "--help", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_HELP);
    assert_int_equal(parse(&cfg, err, "-h", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_HELP);
    assert_int_equal(parse(&cfg, err, "scan", "--help", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_HELP);
    assert_int_equal(parse(&cfg, err, "--version", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_VERSION);
    assert_int_equal(parse(&cfg, err, "clients", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_CLIENTS);
}

/* docs/cli.md: --help and --version exit 0 "whatever else is given", bad
 * options and values included. */
static void test_cli_help_wins_over_errors(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(parse(&cfg, err, "--help", "--bogus", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_HELP);
    assert_int_equal(parse(&cfg, err, "--bogus", "-h", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_HELP);
    assert_int_equal(parse(&cfg, err, "scan", "--timeout", "0", "--help", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_HELP);
    assert_int_equal(parse(&cfg, err, "-x", "--version", "-q", "-v", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_VERSION);
    assert_int_equal(parse(&cfg, err, "frobnicate", "--help", "bad host", NULL), ST_OK);
    assert_int_equal(cfg.command, CLI_CMD_HELP);
    assert_int_equal(parse(&cfg, err, "scan", "h", "--json", "--help", NULL), ST_OK);
    assert_string_equal(cfg.json, "--help"); /* a value, not the option */
}

static void test_cli_no_color_env(void **state)
{
    (void)state;
    char err[256] = "";
    char *argv[] = {"tlsgate", "scan", "h", NULL};
    assert_int_equal(cli_config_parse(3, argv, "1", &cfg, err, sizeof(err)), ST_OK);
    assert_true(cfg.no_color);
    assert_int_equal(cli_config_parse(3, argv, "", &cfg, err, sizeof(err)), ST_OK);
    assert_false(cfg.no_color); /* NO_COLOR counts only when not empty */
}

/* Each of these must be refused with one sentence naming the problem. */
static const struct {
    const char *args[6];
    const char *says; /* a part of the message */
} bad_cases[] = {
    {{NULL}, "no command"},
    {{"frobnicate", NULL}, "unknown command 'frobnicate'"},
    {{"scan", NULL}, "needs a target"},
    {{"scan", "h", "--bogus", NULL}, "unknown option '--bogus'"},
    {{"scan", "h", "-x", NULL}, "unknown option '-x'"},
    {{"scan", "h", "--json", NULL}, "needs a value"},
    {{"scan", "h", "--min-grade", "G", NULL}, "grade from A to F"},
    {{"scan", "h", "--min-grade", "AB", NULL}, "grade from A to F"},
    {{"scan", "h", "--timeout", "0", NULL}, "--timeout"},
    {{"scan", "h", "--timeout", "-1", NULL}, "--timeout"},
    {{"scan", "h", "--timeout", "5s", NULL}, "--timeout"},
    {{"scan", "h", "--timeout", "99999", NULL}, "--timeout"},
    {{"scan", "h", "--parallel", "0", NULL}, "--parallel"},
    {{"scan", "h", "--parallel", "abc", NULL}, "--parallel"},
    {{"scan", "h", "--jobs", "1e3", NULL}, "--jobs"},
    {{"scan", "h", "--rate", "-3", NULL}, "--rate"},
    {{"scan", "h", "--port", "65536", NULL}, "--port"},
    {{"scan", "h", "--port", "0", NULL}, "--port"},
    {{"scan", "h", "--sni", "", NULL}, "empty"},
    {{"scan", "h", "--sni", "127.0.0.1", NULL}, "not an IP address"},
    {{"scan", "h", "--sni", "::1", NULL}, "not an IP address"},
    {{"scan", "h", "--sni", "bad name", NULL}, "host name"},
    {{"scan", "h", "--sni", "a..b", NULL}, "host name"},
    {{"scan", "h", "--sni", ".", NULL}, "host name"},
    {{"scan", "h", "--sni", "-a.test", NULL}, "host name"},
    {{"scan", "h", "--sni", "a-.test", NULL}, "host name"},
    {{"scan", "h", "--sni", "[::1]", NULL}, "host name"},
    {{"scan", "h", "--sni", "a_b.test", NULL}, "host name"},
    {{"scan", "h", "-q", "-v", NULL}, "contradict"},
    {{"scan", "h", "--clients", ",", NULL}, "--clients has an empty item"},
    {{"scan", "h", "--clients", "ios-17,,android-*", NULL}, "empty item"},
    {{"scan", "h", "--clients", "ios-17,", NULL}, "empty item"},
    {{"scan", "h", "--clients", " ", NULL}, "empty item"},
    {{"scan", "h", "--require-client", ", ats", NULL}, "--require-client has an empty item"},
    {{"scan", "h", "--shard", "0/3", NULL}, "--shard"},
    {{"scan", "h", "--shard", "4/3", NULL}, "--shard"},
    {{"scan", "h", "--shard", "3", NULL}, "--shard"},
    {{"scan", "h", "--shard", "/3", NULL}, "--shard"},
    {{"scan", "h", "--shard", "1/x", NULL}, "--shard"},
    {{"scan", "--json=-", "--jsonl=-", "h", NULL}, "both want stdout"},
    {{"clients", "h", NULL}, "only scan takes targets"},
    {{"scan", "h:0", NULL}, "bad port"},
    {{"scan", "h:99999", NULL}, "bad port"},
    {{"scan", "h:", NULL}, "bad port"},
    {{"scan", "[::1", NULL}, "IPv6"},
    {{"scan", "[::1]:x", NULL}, "bad port"},
    {{"scan", "https://h/", NULL}, "URL"},
    {{"scan", "bad host", NULL}, "not a valid host"},
    {{"scan", "-4", "[::1]:443", NULL}, "IPv6 address"},
    {{"scan", "-4", "::1", NULL}, "IPv6 address"},
    {{"scan", "--ipv4", "[fe80::1%lo]", NULL}, "IPv6 address"},
    {{"scan", "-6", "127.0.0.1:443", NULL}, "IPv4 address"},
    {{"scan", "h", "127.0.0.1", "--ipv6", NULL}, "IPv4 address"},
};

static void test_cli_bad_values_are_usage_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        char *argv[8] = {"tlsgate"};
        int argc = 1;
        for (int k = 0; bad_cases[i].args[k] != NULL; k++) {
            argv[argc++] = (char *)bad_cases[i].args[k];
        }
        char err[256] = "";
        enum status st = cli_config_parse(argc, argv, NULL, &cfg, err, sizeof(err));
        if (st != ST_USAGE || strstr(err, bad_cases[i].says) == NULL) {
            fail_msg("case %zu (%s ...): status %d, message '%s', wanted '%s'", i,
                     argc > 1 ? argv[1] : "", st, err, bad_cases[i].says);
        }
        /* one sentence: ends with a full stop, no newline */
        assert_null(strchr(err, '\n'));
        assert_int_equal(err[strlen(err) - 1], '.');
    }
}

#define LABEL63                                                                                    \
    "abcdefghij"                                                                                   \
    "abcdefghij"                                                                                   \
    "abcdefghij"                                                                                   \
    "abcdefghij"                                                                                   \
    "abcdefghij"                                                                                   \
    "abcdefghij"                                                                                   \
    "abc"

/* RFC 6066 3: server_name is a DNS host name, sent without a trailing dot:
 * LDH labels of 1 to 63 characters, 253 in all. */
static void test_cli_sni_is_a_host_name(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(parse(&cfg, err, "scan", "h", "--sni", "www.Example-1.test.", NULL), ST_OK);
    assert_string_equal(cfg.sni, "www.Example-1.test");
    assert_int_equal(parse(&cfg, err, "scan", "h", "--sni", "localhost", NULL), ST_OK);
    assert_string_equal(cfg.sni, "localhost");
    assert_int_equal(parse(&cfg, err, "scan", "h", "--sni", LABEL63 ".test", NULL), ST_OK);
    assert_int_equal(parse(&cfg, err, "scan", "h", "--sni", LABEL63 "x.test", NULL), ST_USAGE);
    assert_non_null(strstr(err, "host name"));

    /* 4 labels of 63 and 3 dots make 255: cut to 254 it is too long, to 253
     * it is not, nor with a trailing dot */
    const char *name255 = LABEL63 "." LABEL63 "." LABEL63 "." LABEL63;
    char name[300];
    assert_int_equal(parse(&cfg, err, "scan", "h", "--sni", name255, NULL), ST_USAGE);
    snprintf(name, sizeof(name), "%.254s", name255);
    assert_int_equal(parse(&cfg, err, "scan", "h", "--sni", name, NULL), ST_USAGE);
    snprintf(name, sizeof(name), "%.253s.", name255);
    assert_int_equal(parse(&cfg, err, "scan", "h", "--sni", name, NULL), ST_OK);
    assert_int_equal(strlen(cfg.sni), 253);
}

/* An option that takes a value takes one: a second one was a slip, and
 * which one wins would be a guess. Flags and -v counts may repeat. */
static void test_cli_value_options_given_once(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(parse(&cfg, err, "scan", "h", "--json", "-", "--json", "x.json", NULL),
                     ST_USAGE);
    assert_string_equal(err, "--json given twice; give it once.");
    assert_int_equal(parse(&cfg, err, "scan", "h", "--json=a", "--jsonl", "b", "--json", "a", NULL),
                     ST_USAGE);
    assert_non_null(strstr(err, "--json given twice"));
    assert_int_equal(parse(&cfg, err, "scan", "-i", "a", "h", "--input", "b", NULL), ST_USAGE);
    assert_non_null(strstr(err, "--input given twice"));
    assert_int_equal(parse(&cfg, err, "scan", "h", "--timeout", "1", "--timeout", "1", NULL),
                     ST_USAGE);
    assert_non_null(strstr(err, "--timeout given twice"));
    assert_int_equal(parse(&cfg, err, "scan", "h", "--sni", "a.test", "--sni", "b.test", NULL),
                     ST_USAGE);
    assert_int_equal(parse(&cfg, err, "scan", "h", "--shard", "1/2", "--shard", "2/2", NULL),
                     ST_USAGE);
    assert_int_equal(parse(&cfg, err, "scan", "h", "--clients", "all", "--clients", "none", NULL),
                     ST_USAGE);

    assert_int_equal(parse(&cfg, err, "scan", "h", "-v", "-v", "--no-color", "--no-color",
                           "--all-addresses", "--all-addresses", "-4", "-4", NULL),
                     ST_OK);
    assert_int_equal(cfg.verbose, 2);
}

static void test_cli_target_forms_accepted(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(parse(&cfg, err, "scan", "example.test", "example.test:8443", "10.0.0.1",
                           "[2001:db8::1]:443", "[::1]", "::1", "fe80::1%lo", NULL),
                     ST_OK);
    assert_int_equal(cfg.n_targets, 7);

    /* -4 and -6 refuse only the literals of the other family */
    assert_int_equal(parse(&cfg, err, "scan", "-4", "127.0.0.1:443", "v4.test", NULL), ST_OK);
    assert_int_equal(parse(&cfg, err, "scan", "-6", "[::1]:443", "v6.test:8443", NULL), ST_OK);
}

static void test_cli_help_lists_every_option(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    cli_help_write(f);
    fclose(f);
    static const char *const wanted[] = {
        "--json FILE",
        "--min-grade",
        "--require-client",
        "--clients",
        "--sni",
        "--timeout",
        "-4, --ipv4",
        "-6, --ipv6",
        "--no-color",
        "-q, --quiet",
        "-v, --verbose",
        "--parallel",
        "--rate",
        "--jobs",
        "-i, --input",
        "--port",
        "--help",
        "--version",
        "Exit status",
        "  8  incomplete",
        "  4  reach broken",
        "  1  strength broken",
        "  2  usage",
    };
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        if (strstr(buf, wanted[i]) == NULL) {
            fail_msg("--help does not mention '%s'", wanted[i]);
        }
    }
    /* fits an 80-column terminal */
    for (char *line = buf; *line != '\0';) {
        char *nl = strchr(line, '\n');
        size_t n = nl != NULL ? (size_t)(nl - line) : strlen(line);
        assert_true(n <= 80);
        line = nl != NULL ? nl + 1 : line + n;
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_defaults),
        cmocka_unit_test(test_cli_every_option),
        cmocka_unit_test(test_cli_short_and_long_forms),
        cmocka_unit_test(test_cli_help_and_version),
        cmocka_unit_test(test_cli_help_wins_over_errors),
        cmocka_unit_test(test_cli_no_color_env),
        cmocka_unit_test(test_cli_bad_values_are_usage_errors),
        cmocka_unit_test(test_cli_sni_is_a_host_name),
        cmocka_unit_test(test_cli_value_options_given_once),
        cmocka_unit_test(test_cli_target_forms_accepted),
        cmocka_unit_test(test_cli_help_lists_every_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
