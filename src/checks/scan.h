#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results/scan_results.h"
#include "util/status.h"

struct engine;
struct client_profile;

/* What to scan and how politely; filled once from the command line. */
struct scan_options {
    unsigned timeout_ms; /* per handshake wait (connect, and each answer) */
    unsigned budget_ms;  /* the whole scan of one target; 0 = no limit */
    unsigned parallel;   /* concurrent connections per target */
    double rate;         /* new connections per second per target; 0 = unlimited */
    int family;          /* AF_UNSPEC, AF_INET or AF_INET6 (-4/-6) */
    const char *sni;     /* override; NULL = the host name unless it is an IP literal */
    uint16_t default_port; /* 443 */
    /* client profiles to simulate (none: skip the Clients section) */
    const struct client_profile *const *clients;
    size_t n_clients;
};

typedef void (*scan_done_fn)(struct scan_results *results, void *arg);

/* Parses "host", "host:port", "[v6]:port", resolves it and runs every check on
 * the engine's loop; `done` is called exactly once, with results that the
 * callee owns (free with results_free). Returns ST_USAGE (and fills err) when
 * the target spec itself is malformed; resolution and network failures are
 * reported through results->state instead. */
enum status scan_start(struct engine *e, const struct scan_options *opts, const char *target_spec,
                       scan_done_fn done, void *arg, char *err, size_t errlen) MUST_CHECK;
