#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/status.h"

/* Everything the command line asked for, built once by cli_config_parse() and
 * then only read (passed as const struct config *). Strings point into argv. */

enum cli_command {
    CLI_CMD_NONE = 0,
    CLI_CMD_SCAN,
    CLI_CMD_CLIENTS,
    CLI_CMD_HELP,
    CLI_CMD_VERSION,
};

/* Longest server_name: a DNS host name without its trailing dot (RFC 1035
 * 2.3.4: 255 bytes on the wire are 253 characters as text). */
#define CLI_SNI_MAX 253

/* Targets named on the command line itself; -i FILE adds more at run time. */
#define CLI_MAX_ARG_TARGETS 4096

struct config {
    enum cli_command command;
    const char *targets[CLI_MAX_ARG_TARGETS];
    size_t n_targets;
    const char *input; /* -i: a file of targets, one per line; "-" for stdin; NULL if none */

    const char *json;            /* --json: a path, "-" for stdout, NULL for no JSON */
    const char *jsonl;           /* --jsonl: JSON Lines, one target per line as each finishes */
    char min_grade;              /* --min-grade: 'A'..'F' */
    const char *require_clients; /* --require-client: NULL when no client is required */
    const char *clients;         /* --clients: "all" (default), a list, or "none" */
    const char *sni;             /* --sni: NULL = the host name unless it is an IP literal */
    /* --sni as sent, without a trailing dot: sni points here, not into argv */
    char sni_name[CLI_SNI_MAX + 1];

    unsigned timeout_ms;  /* --timeout, given in seconds */
    unsigned max_time_ms; /* --max-time: the whole scan of one target, given in seconds */
    int family;           /* AF_UNSPEC, AF_INET (-4) or AF_INET6 (-6) */
    bool all_addresses;   /* --all-addresses: one scan per address of a host name */
    uint16_t port;        /* --port: used when a target names no port */
    unsigned parallel;    /* --parallel: concurrent connections per target */
    double rate;          /* --rate: new connections per second per target, 0 = unlimited */
    unsigned jobs;        /* --jobs: targets scanned at once */
    unsigned shard_k;     /* --shard K/N: scan the targets whose index % N == K - 1 */
    unsigned shard_n;     /* 0 when not sharded */

    bool no_color; /* --no-color, or NO_COLOR set and not empty */
    bool quiet;    /* -q: log errors only */
    int verbose;   /* -v count: 1 INFO, 2 DEBUG, 3+ TRACE */
};

/* Parses argv into cfg (defaults first). On a usage error returns ST_USAGE
 * with one sentence in err; nothing else is touched. `no_color_env` is the
 * value of NO_COLOR (NULL when unset), passed in so parsing stays pure. */
enum status cli_config_parse(int argc, char **argv, const char *no_color_env, struct config *cfg,
                             char *err, size_t errlen) MUST_CHECK;

/* Writes the --help text, generated from the option table. */
void cli_help_write(FILE *out);
