#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "checks/target_spec.h"
#include "cli/config.h"
#include "cli/target.h"

/* The option table drives both parsing and --help: adding an option is adding
 * a row. Each row stores its value into one field of struct config. */

enum opt_kind {
    OPT_STRING,  /* const char * */
    OPT_FLAG,    /* bool, set true */
    OPT_COUNT,   /* int, incremented each time */
    OPT_UINT,    /* unsigned in [min, max] */
    OPT_PORT,    /* uint16_t in [1, 65535] */
    OPT_SECONDS, /* seconds (decimal) in (0, max], stored as unsigned milliseconds */
    OPT_RATE,    /* double in [0, max] */
    OPT_GRADE,   /* char 'A'..'F' */
    OPT_FAMILY,  /* int, set to the row's value */
    OPT_COMMAND, /* enum cli_command, set to the row's value */
    OPT_SHARD,   /* "K/N" into shard_k and shard_n */
    OPT_SNI,     /* a host name into sni_name, pointed to by sni */
    OPT_LIST,    /* const char *, comma-separated items, none of them empty */
};

struct cli_option {
    const char *name; /* long name, without "--" */
    char short_name;  /* 0 when there is none */
    const char *arg;  /* metavariable shown in --help; NULL for options without a value */
    enum opt_kind kind;
    size_t offset; /* of the target field in struct config */
    long value;    /* OPT_FAMILY, OPT_COMMAND: the value stored */
    double max;    /* OPT_UINT, OPT_SECONDS, OPT_RATE: largest accepted value */
    const char *help;
};

#define FIELD(f) offsetof(struct config, f)

/* Upper bounds keep a typo from becoming a denial of service against the
 * scanned server or the machine running the scan. */
#define MAX_TIMEOUT_S 3600
#define MAX_SCAN_S    86400
#define MAX_PARALLEL  256
#define MAX_JOBS      4096
#define MAX_RATE      100000
#define MAX_SHARDS    100000

static const struct cli_option cli_options[] = {
    {"json", 0, "FILE", OPT_STRING, FIELD(json), 0, 0,
     "write the JSON report to FILE; '-' writes it to stdout instead of the table"},
    {"jsonl", 0, "FILE", OPT_STRING, FIELD(jsonl), 0, 0,
     "write JSON Lines to FILE, one target per line as each scan finishes; '-' writes "
     "them to stdout instead of the table"},
    {"min-grade", 0, "A..F", OPT_GRADE, FIELD(min_grade), 0, 0,
     "fail (exit flag 1) when a suite grades below this (default A)"},
    {"require-client", 0, "LIST", OPT_LIST, FIELD(require_clients), 0, 0,
     "fail (exit flag 4) when one of these clients cannot connect: ids, globs "
     "(android-*) or groups (ats, android, browsers), comma-separated"},
    {"clients", 0, "LIST", OPT_LIST, FIELD(clients), 0, 0,
     "clients to simulate (default all); 'none' skips the Clients section"},
    {"sni", 0, "NAME", OPT_SNI, FIELD(sni), 0, 0,
     "server name to send (default: the target's host name, none for an IP address)"},
    {"timeout", 0, "SECONDS", OPT_SECONDS, FIELD(timeout_ms), 0, MAX_TIMEOUT_S,
     "wait this long for a connection or an answer (default 5)"},
    {"max-time", 0, "SECONDS", OPT_SECONDS, FIELD(max_time_ms), 0, MAX_SCAN_S,
     "stop scanning a target after this long and mark what is unfinished incomplete "
     "(default 120)"},
    {"port", 0, "PORT", OPT_PORT, FIELD(port), 0, 0,
     "port for targets that name none (default 443)"},
    {"ipv4", '4', NULL, OPT_FAMILY, FIELD(family), AF_INET, 0, "connect over IPv4 only"},
    {"ipv6", '6', NULL, OPT_FAMILY, FIELD(family), AF_INET6, 0, "connect over IPv6 only"},
    {"all-addresses", 0, NULL, OPT_FLAG, FIELD(all_addresses), 0, 0,
     "scan every address a host name resolves to (A and AAAA, within -4/-6), each as "
     "its own target, and say whether they differ"},
    {"input", 'i', "FILE", OPT_STRING, FIELD(input), 0, 0,
     "read more targets from FILE, one per line ('-' for stdin; # starts a comment)"},
    {"parallel", 0, "N", OPT_UINT, FIELD(parallel), 0, MAX_PARALLEL,
     "open at most N connections at once per target (default 32)"},
    {"rate", 0, "N", OPT_RATE, FIELD(rate), 0, MAX_RATE,
     "open at most N new connections per second per target (default 0: no limit)"},
    {"jobs", 0, "N", OPT_UINT, FIELD(jobs), 0, MAX_JOBS,
     "scan at most N targets at once (default 16)"},
    {"shard", 0, "K/N", OPT_SHARD, FIELD(shard_k), 0, MAX_SHARDS,
     "scan only the K-th of N equal parts of the target list (K from 1 to N), so N "
     "machines can share a fleet"},
    {"no-color", 0, NULL, OPT_FLAG, FIELD(no_color), 0, 0,
     "no colours in the table (also when NO_COLOR is set)"},
    {"quiet", 'q', NULL, OPT_FLAG, FIELD(quiet), 0, 0, "log errors only on stderr"},
    {"verbose", 'v', NULL, OPT_COUNT, FIELD(verbose), 0, 0,
     "log more on stderr: -v each handshake, -vv each probe, -vvv hex dumps"},
    {"help", 'h', NULL, OPT_COMMAND, FIELD(command), CLI_CMD_HELP, 0, "show this help"},
    {"version", 'V', NULL, OPT_COMMAND, FIELD(command), CLI_CMD_VERSION, 0, "show the version"},
};

#define N_OPTIONS (sizeof(cli_options) / sizeof(cli_options[0]))

static void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->min_grade = 'A';
    cfg->clients = "all";
    cfg->timeout_ms = 5000;
    cfg->max_time_ms = 120000;
    cfg->family = AF_UNSPEC;
    cfg->port = 443;
    cfg->parallel = 32;
    cfg->jobs = 16;
}

static void *field_at(struct config *cfg, const struct cli_option *o)
{
    return (char *)cfg + o->offset;
}

/* Reads a whole decimal number; trailing bytes, signs and overflow are refused. */
static bool number_parse(const char *s, double *out)
{
    if (s[0] == '\0' || s[0] == '-' || s[0] == '+' || s[0] == ' ') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v)) {
        return false;
    }
    *out = v;
    return true;
}

static bool integer_parse(const char *s, double max, unsigned long *out)
{
    if (strspn(s, "0123456789") != strlen(s) || s[0] == '\0' || strlen(s) > 9) {
        return false;
    }
    unsigned long v = strtoul(s, NULL, 10);
    if ((double)v > max) {
        return false;
    }
    *out = v;
    return true;
}

static enum status value_store_number(struct config *cfg, const struct cli_option *o,
                                      const char *arg, char *err, size_t errlen)
{
    unsigned long n = 0;
    double d = 0;

    switch (o->kind) {
    case OPT_UINT:
        if (!integer_parse(arg, o->max, &n) || n == 0) {
            snprintf(err, errlen, "--%s needs a whole number from 1 to %.0f, not '%s'.", o->name,
                     o->max, arg);
            return ST_USAGE;
        }
        *(unsigned *)field_at(cfg, o) = (unsigned)n;
        return ST_OK;
    case OPT_PORT:
        if (!integer_parse(arg, 65535, &n) || n == 0) {
            snprintf(err, errlen, "--%s needs a port from 1 to 65535, not '%s'.", o->name, arg);
            return ST_USAGE;
        }
        *(uint16_t *)field_at(cfg, o) = (uint16_t)n;
        return ST_OK;
    case OPT_SECONDS:
        if (!number_parse(arg, &d) || d < 0.001 || d > o->max) {
            snprintf(err, errlen, "--%s needs seconds between 0.001 and %.0f, not '%s'.", o->name,
                     o->max, arg);
            return ST_USAGE;
        }
        *(unsigned *)field_at(cfg, o) = (unsigned)lround(d * 1000.0);
        return ST_OK;
    default: /* OPT_RATE */
        if (!number_parse(arg, &d) || d > o->max) {
            snprintf(err, errlen, "--%s needs a number from 0 to %.0f, not '%s'.", o->name, o->max,
                     arg);
            return ST_USAGE;
        }
        *(double *)field_at(cfg, o) = d;
        return ST_OK;
    }
}

static enum status shard_store(struct config *cfg, const struct cli_option *o, const char *arg,
                               char *err, size_t errlen)
{
    char k_text[16], n_text[16];
    const char *slash = strchr(arg, '/');
    size_t k_len = slash != NULL ? (size_t)(slash - arg) : 0;
    unsigned long k = 0, n = 0;
    if (slash == NULL || k_len == 0 || k_len >= sizeof(k_text) ||
        strlen(slash + 1) >= sizeof(n_text)) {
        goto bad;
    }
    memcpy(k_text, arg, k_len);
    k_text[k_len] = '\0';
    snprintf(n_text, sizeof(n_text), "%s", slash + 1);
    if (!integer_parse(k_text, o->max, &k) || !integer_parse(n_text, o->max, &n) || k == 0 ||
        n == 0 || k > n) {
        goto bad;
    }
    cfg->shard_k = (unsigned)k;
    cfg->shard_n = (unsigned)n;
    return ST_OK;
bad:
    snprintf(err, errlen, "--%s needs K/N with 1 <= K <= N, not '%s'.", o->name, arg);
    return ST_USAGE;
}

/* RFC 6066 3: server_name is a DNS host name, "without a trailing dot";
 * "literal IPv4 and IPv6 addresses are not permitted". */
static enum status sni_store(struct config *cfg, const struct cli_option *o, const char *arg,
                             char *err, size_t errlen)
{
    size_t n = strlen(arg);
    if (n == 0) {
        snprintf(err, errlen, "--%s needs a value, not an empty string.", o->name);
        return ST_USAGE;
    }
    if (target_is_ip_literal(arg)) {
        snprintf(err, errlen,
                 "--%s takes a host name, not an IP address ('%s'); RFC 6066 forbids addresses "
                 "in server_name.",
                 o->name, arg);
        return ST_USAGE;
    }
    if (n > 1 && arg[n - 1] == '.') {
        n--; /* the root: "example.test." is example.test */
    }
    if (!cli_hostname_valid(arg, n)) {
        snprintf(err, errlen,
                 "--%s needs a host name (dot-separated labels of 1 to 63 letters, digits or "
                 "hyphens, %d characters at most), not '%.64s'.",
                 o->name, CLI_SNI_MAX, arg);
        return ST_USAGE;
    }
    memcpy(cfg->sni_name, arg, n);
    cfg->sni_name[n] = '\0';
    cfg->sni = cfg->sni_name;
    return ST_OK;
}

/* A client LIST: items separated by commas, blanks around them allowed. An
 * empty item is a slip (",," or a trailing comma) that would otherwise
 * select nothing, or less than was meant, without a word. */
static enum status list_store(struct config *cfg, const struct cli_option *o, const char *arg,
                              char *err, size_t errlen)
{
    if (arg[0] == '\0') {
        snprintf(err, errlen, "--%s needs a value, not an empty string.", o->name);
        return ST_USAGE;
    }
    for (const char *item = arg;; item += strcspn(item, ",") + 1) {
        size_t n = strcspn(item, ",");
        if (strspn(item, " ") >= n) {
            snprintf(err, errlen,
                     "--%s has an empty item in '%s'; separate ids, globs and groups with single "
                     "commas.",
                     o->name, arg);
            return ST_USAGE;
        }
        if (item[n] == '\0') {
            break;
        }
    }
    *(const char **)field_at(cfg, o) = arg;
    return ST_OK;
}

static enum status value_store(struct config *cfg, const struct cli_option *o, const char *arg,
                               char *err, size_t errlen)
{
    switch (o->kind) {
    case OPT_STRING:
        if (arg[0] == '\0') {
            snprintf(err, errlen, "--%s needs a value, not an empty string.", o->name);
            return ST_USAGE;
        }
        *(const char **)field_at(cfg, o) = arg;
        return ST_OK;
    case OPT_FLAG:
        *(bool *)field_at(cfg, o) = true;
        return ST_OK;
    case OPT_COUNT:
        (*(int *)field_at(cfg, o))++;
        return ST_OK;
    case OPT_GRADE: {
        char g = (char)(arg[0] & ~0x20); /* ASCII upper case */
        if (strlen(arg) != 1 || g < 'A' || g > 'F') {
            snprintf(err, errlen, "--%s needs a grade from A to F, not '%s'.", o->name, arg);
            return ST_USAGE;
        }
        *(char *)field_at(cfg, o) = g;
        return ST_OK;
    }
    case OPT_FAMILY:
        *(int *)field_at(cfg, o) = (int)o->value;
        return ST_OK;
    case OPT_COMMAND:
        *(enum cli_command *)field_at(cfg, o) = (enum cli_command)o->value;
        return ST_OK;
    case OPT_SHARD:
        return shard_store(cfg, o, arg, err, errlen);
    case OPT_SNI:
        return sni_store(cfg, o, arg, err, errlen);
    case OPT_LIST:
        return list_store(cfg, o, arg, err, errlen);
    default:
        return value_store_number(cfg, o, arg, err, errlen);
    }
}

/* getopt_long's inputs, built from the table. Long options return
 * LONG_BASE + row; options with a short letter return the letter. */
#define LONG_BASE 256

static void getopt_tables_build(struct option *longs, char *shorts, size_t shorts_cap)
{
    size_t k = 0;
    shorts[k++] = ':'; /* report a missing value as ':' rather than '?' */
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];
        longs[i].name = o->name;
        longs[i].has_arg = o->arg != NULL ? required_argument : no_argument;
        longs[i].flag = NULL;
        longs[i].val = o->short_name != 0 ? o->short_name : LONG_BASE + (int)i;
        if (o->short_name != 0 && k + 3 < shorts_cap) {
            shorts[k++] = o->short_name;
            if (o->arg != NULL) {
                shorts[k++] = ':';
            }
        }
    }
    memset(&longs[N_OPTIONS], 0, sizeof(longs[0]));
    shorts[k] = '\0';
}

static const struct cli_option *option_for(int c)
{
    if (c >= LONG_BASE && c < LONG_BASE + (int)N_OPTIONS) {
        return &cli_options[c - LONG_BASE];
    }
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (cli_options[i].short_name == c) {
            return &cli_options[i];
        }
    }
    return NULL;
}

/* Names the option that getopt rejected, as the user typed it. */
static const char *bad_option_name(char **argv)
{
    if (optind > 0 && argv[optind - 1] != NULL) {
        return argv[optind - 1];
    }
    return "an option";
}

/* One option as getopt returned it: stored, or a usage error in err.
 * given[row]: that option's value was stored already. A second value is
 * refused rather than silently winning over the first; flags and counts
 * may repeat. */
static enum status option_take(int c, char **argv, struct config *cfg, bool *given, char *err,
                               size_t errlen)
{
    if (c == ':') {
        snprintf(err, errlen, "%s needs a value.", bad_option_name(argv));
        return ST_USAGE;
    }
    const struct cli_option *o = option_for(c);
    if (c == '?' || o == NULL) {
        if (optopt != 0 && optopt < LONG_BASE && optopt != '?') {
            snprintf(err, errlen, "unknown option '-%c'; see 'tlsgate --help'.", optopt);
        } else {
            snprintf(err, errlen, "unknown option '%s'; see 'tlsgate --help'.",
                     bad_option_name(argv));
        }
        return ST_USAGE;
    }
    if (o->arg != NULL && given[o - cli_options]) {
        snprintf(err, errlen, "--%s given twice; give it once.", o->name);
        return ST_USAGE;
    }
    given[o - cli_options] = true;
    return value_store(cfg, o, optarg, err, errlen);
}

/* Reads every option, even past a bad one: --help and --version answer
 * whatever else was given. Returns the first error, its sentence in err. */
static enum status options_read(int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
    struct option longs[N_OPTIONS + 1];
    char shorts[2 * N_OPTIONS + 2];
    getopt_tables_build(longs, shorts, sizeof(shorts));

    optind = 0; /* glibc: start afresh (tests parse more than once) */
    opterr = 0;
    enum status first = ST_OK;
    bool given[N_OPTIONS] = {false};
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        char why[256];
        enum status st = option_take(c, argv, cfg, given, why, sizeof(why));
        if (st != ST_OK && first == ST_OK) {
            first = st;
            snprintf(err, errlen, "%s", why);
        }
    }
    return first;
}

static const struct {
    const char *name;
    enum cli_command command;
} cli_commands[] = {
    {"scan", CLI_CMD_SCAN},
    {"clients", CLI_CMD_CLIENTS},
    {"help", CLI_CMD_HELP},
    {"version", CLI_CMD_VERSION},
};

static enum status command_read(int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
    if (optind >= argc) {
        snprintf(err, errlen, "no command given; try 'tlsgate scan HOST' or 'tlsgate --help'.");
        return ST_USAGE;
    }
    const char *word = argv[optind++];
    for (size_t i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++) {
        if (strcmp(word, cli_commands[i].name) == 0) {
            cfg->command = cli_commands[i].command;
            return ST_OK;
        }
    }
    snprintf(err, errlen, "unknown command '%s'; the commands are scan and clients.", word);
    return ST_USAGE;
}

static enum status targets_read(int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
    for (; optind < argc; optind++) {
        if (cfg->command != CLI_CMD_SCAN) {
            snprintf(err, errlen, "unexpected argument '%s'; only scan takes targets.",
                     argv[optind]);
            return ST_USAGE;
        }
        if (cfg->n_targets >= CLI_MAX_ARG_TARGETS) {
            snprintf(err, errlen, "more than %d targets on the command line; use -i FILE.",
                     CLI_MAX_ARG_TARGETS);
            return ST_USAGE;
        }
        TRY(cli_target_check(argv[optind], err, errlen));
        TRY(cli_target_family_check(argv[optind], cfg->family, err, errlen));
        cfg->targets[cfg->n_targets++] = argv[optind];
    }
    return ST_OK;
}

static enum status config_check(struct config *cfg, const char *no_color_env, char *err,
                                size_t errlen)
{
    if (cfg->quiet && cfg->verbose > 0) {
        snprintf(err, errlen, "--quiet and --verbose contradict each other; use one.");
        return ST_USAGE;
    }
    if (cfg->command == CLI_CMD_SCAN && cfg->n_targets == 0 && cfg->input == NULL) {
        snprintf(err, errlen, "scan needs a target (host, host:port or [v6]:port) or -i FILE.");
        return ST_USAGE;
    }
    if (cfg->json != NULL && cfg->jsonl != NULL && strcmp(cfg->json, "-") == 0 &&
        strcmp(cfg->jsonl, "-") == 0) {
        snprintf(err, errlen, "--json - and --jsonl - both want stdout; send one to a file.");
        return ST_USAGE;
    }
    if (no_color_env != NULL && no_color_env[0] != '\0') {
        cfg->no_color = true;
    }
    return ST_OK;
}

enum status cli_config_parse(int argc, char **argv, const char *no_color_env, struct config *cfg,
                             char *err, size_t errlen)
{
    config_defaults(cfg);
    enum status st = options_read(argc, argv, cfg, err, errlen);

    /* --help and --version answer at once, whatever else was given. */
    if (cfg->command == CLI_CMD_HELP || cfg->command == CLI_CMD_VERSION) {
        err[0] = '\0';
        return ST_OK;
    }
    TRY(st);
    TRY(command_read(argc, argv, cfg, err, errlen));
    if (cfg->command == CLI_CMD_HELP || cfg->command == CLI_CMD_VERSION) {
        return ST_OK;
    }
    TRY(targets_read(argc, argv, cfg, err, errlen));
    return config_check(cfg, no_color_env, err, errlen);
}

static const char cli_help_head[] =
    "Usage: tlsgate scan [OPTIONS] TARGET...\n"
    "       tlsgate clients\n"
    "       tlsgate --help | --version\n"
    "\n"
    "Scans TLS servers with its own ClientHellos: protocols SSLv2 to TLS 1.3, every\n"
    "IANA cipher suite graded A-F as nmap's ssl-enum-ciphers does, key exchange\n"
    "groups, the certificate, and whether real clients (browsers, iOS, Android,\n"
    "Java...) still connect.\n"
    "'tlsgate clients' lists the client profiles and groups.\n"
    "\n"
    "A TARGET is host, host:port or [IPv6 address]:port.\n"
    "\n"
    "Options:\n";

static const char cli_help_tail[] =
    "\n"
    "Exit status: the sum of these flags, OR-ed over all targets:\n"
    "  0  every target passed\n"
    "  1  strength broken: a suite below --min-grade, or no forward secrecy at all\n"
    "  2  usage or configuration error: nothing was scanned (never combined)\n"
    "  4  reach broken: a client named by --require-client cannot connect\n"
    "  8  incomplete: a target unreachable or not TLS, or a probe inconclusive\n"
    "For example 5 means weak suites and a lost client. A scan that could not finish\n"
    "never exits 0.\n";

#define HELP_LEFT  28 /* column where option descriptions start */
#define HELP_WIDTH 79

/* Writes "  left  help...", wrapping help at word boundaries. */
static void help_wrap(FILE *out, const char *left, const char *help)
{
    fprintf(out, "  %-*s ", HELP_LEFT - 3, left);
    if (strlen(left) > HELP_LEFT - 3) {
        fprintf(out, "\n%*s", HELP_LEFT, "");
    }
    size_t col = HELP_LEFT;
    const char *p = help;
    while (*p != '\0') {
        size_t word = strcspn(p, " ");
        if (col > HELP_LEFT && col + 1 + word > HELP_WIDTH) {
            fprintf(out, "\n%*s", HELP_LEFT, "");
            col = HELP_LEFT;
        } else if (col > HELP_LEFT) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, word, out);
        col += word;
        p += word;
        p += strspn(p, " ");
    }
    fputc('\n', out);
}

void cli_help_write(FILE *out)
{
    fputs(cli_help_head, out);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct cli_option *o = &cli_options[i];
        char left[48];
        char shortpart[8] = "    ";
        if (o->short_name != 0) {
            snprintf(shortpart, sizeof(shortpart), "-%c, ", o->short_name);
        }
        snprintf(left, sizeof(left), "%s--%s%s%s", shortpart, o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
        help_wrap(out, left, o->help);
    }
    fputs(cli_help_tail, out);
}
