#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "results/scan_results.h"
#include "util/status.h"

struct engine;
struct client_profile;

/* What to scan and how politely; filled once from the command line. */
struct scan_options {
    unsigned timeout_ms;   /* per handshake wait (connect, and each answer) */
    unsigned budget_ms;    /* the whole scan of one target; 0 = no limit */
    unsigned parallel;     /* concurrent connections per target */
    double rate;           /* new connections per second per target; 0 = unlimited */
    int family;            /* AF_UNSPEC, AF_INET or AF_INET6 (-4/-6) */
    const char *sni;       /* override; NULL = the host name unless it is an IP literal */
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

/* scan_start with the address already known (one of scan_addresses_resolve's
 * answer, port set): the scan connects there without a resolution of its
 * own; addr NULL is exactly scan_start. The results keep the host name (for
 * SNI and `host`) and record the address; for a host name, log lines and
 * error sentences name the address too ("example.test:443 (::1)"). */
enum status scan_start_at(struct engine *e, const struct scan_options *opts,
                          const char *target_spec, const struct sockaddr_storage *addr,
                          scan_done_fn done, void *arg, char *err, size_t errlen) MUST_CHECK;

/* Every distinct address of a target spec's host (--all-addresses), of
 * opts->family, in the resolver's order, with the port set; an IP literal is
 * its one address. `done` is called exactly once: on success with n >= 1
 * and failed NULL; when the name does not resolve with n 0 and `failed` the
 * target's results exactly as scan_start would report them (unresolved, with
 * its sentence), owned by the callee (results_free); failed is also NULL
 * when even those could not be allocated. The lookup runs on the loop and
 * holds one of the engine's job slots, so a fleet resolves `jobs` names at a
 * time. addrs is valid only during the call. Returns ST_USAGE (and fills
 * err) for a malformed spec, as scan_start does. */
typedef void (*scan_addresses_fn)(void *arg, const struct sockaddr_storage *addrs, size_t n,
                                  struct scan_results *failed);
enum status scan_addresses_resolve(struct engine *e, const struct scan_options *opts,
                                   const char *target_spec, scan_addresses_fn done, void *arg,
                                   char *err, size_t errlen) MUST_CHECK;
