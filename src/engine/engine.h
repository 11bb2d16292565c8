#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "engine/probe.h"
#include "util/status.h"

/* The one event loop that drives every connection of a run (libuv), with two
 * levels of politeness:
 *  - jobs: how many targets are scanned at once (a fleet is queued);
 *  - per target: how many connections are open at once (`parallel`) and how
 *    fast new ones start (`rate`), through a FIFO queue per target (bulk
 *    probes, see probe_request.bulk, wait behind every other).
 *
 * Nothing here blocks: name resolution, connects, reads and the libssl
 * handshake are all callbacks on the loop. Every callback an API takes is
 * called exactly once, from the loop, never from inside the call that
 * registered it. */

struct engine_config {
    unsigned jobs; /* targets scanned concurrently; 0 means 1 */
};

struct engine;

struct engine *engine_new(const struct engine_config *cfg);
/* Runs until all queued work is done. */
enum status engine_run(struct engine *e) MUST_CHECK;
/* Frees an engine whose loop has no work left; accepts NULL. */
void engine_free(struct engine *e);
uv_loop_t *engine_loop(struct engine *e);

/* Jobs: a unit of work that occupies one of the `jobs` slots (one target's
 * scan). start is called once a slot is free (possibly later, from the loop);
 * the job calls engine_job_finish() when it is done, which frees the slot. */
struct engine_job {
    void (*start)(struct engine_job *job);
    struct engine_job *next; /* private: queue link */
};

void engine_job_submit(struct engine *e, struct engine_job *job);
void engine_job_finish(struct engine *e, struct engine_job *job);

/* Name resolution (uv_getaddrinfo). On success err is NULL and addr holds the
 * first address of the requested family; otherwise err says why in one
 * sentence and addr is zeroed. */
typedef void (*engine_resolve_fn)(void *arg, const struct sockaddr_storage *addr, const char *err);
enum status engine_resolve(struct engine *e, const char *host, uint16_t port, int family,
                           engine_resolve_fn done, void *arg) MUST_CHECK;

/* The same, with every distinct address of the answer (for scanning each
 * one): on success err is NULL and addrs holds n >= 1 addresses, each once,
 * in the resolver's order, with the port set; otherwise n is 0 and err says
 * why, worded as engine_resolve words it. addrs is valid only during the call. */
typedef void (*engine_resolve_all_fn)(void *arg, const struct sockaddr_storage *addrs, size_t n,
                                      const char *err);
enum status engine_resolve_all(struct engine *e, const char *host, uint16_t port, int family,
                               engine_resolve_all_fn done, void *arg) MUST_CHECK;

/* Formats a numeric address without the port ("127.0.0.1", "::1"). */
void engine_addr_text(const struct sockaddr_storage *addr, char *buf, size_t len);

/* One server (address and port) and the politeness rules for talking to it. */
struct engine_target_config {
    struct sockaddr_storage addr; /* with the port set */
    unsigned parallel;            /* concurrent connections; 0 means ENGINE_DEFAULT_PARALLEL */
    double rate;                  /* connection starts per second; 0 = unlimited */
    unsigned timeout_ms;          /* per connection: connect + complete answer */
    unsigned budget_ms;           /* the whole target, from now; 0 = no limit */
    const char *label;            /* for log lines, e.g. "example.test:443" */
};

#define ENGINE_DEFAULT_PARALLEL 32
#define ENGINE_DEFAULT_TIMEOUT  5000

struct engine_target;

/* Past the budget, no connection is opened: each probe still queued or started
 * later ends, from the loop, as PROBE_OVER_BUDGET, and one still waiting for
 * its answer ends so at the deadline. A hostile server can make every step of
 * a scan wait almost `timeout_ms`; the budget bounds the sum. */
struct engine_target *engine_target_new(struct engine *e, const struct engine_target_config *cfg);
/* Ends every connection of the target now and every one queued or started
 * later, each as PROBE_ABANDONED (from the loop), when the answers so far
 * settle what the rest would have told. */
void engine_target_abandon(struct engine_target *t);
/* Only once every probe and handshake started on it has called back. */
void engine_target_free(struct engine_target *t);
/* TCP connections opened so far (counted when connect() is issued). */
unsigned engine_target_connections(const struct engine_target *t);
const char *engine_target_label(const struct engine_target *t);

/* One ClientHello, one answer. The hello is copied. */
struct probe_request {
    const uint8_t *hello;
    size_t hello_len;
    uint16_t version;  /* version probed (for probe_is_refusal); 0 when not one */
    bool want_full;    /* TLS <= 1.2: read on to ServerHelloDone */
    bool expect_sslv2; /* the hello is an SSLv2 CLIENT-HELLO */
    const char *what;  /* what is offered, for the log line */
    /* Independent work nothing else waits for (a client simulation): it
     * starts only when no other probe of the target is queued, so that the
     * steps of a chain (each waiting for the last) are never stuck behind a
     * hundred of these. */
    bool bulk;
};

/* res (and the flight's views) are valid only during the call. */
typedef void (*probe_done_fn)(void *arg, const struct probe_result *res);

enum status engine_probe(struct engine_target *t, const struct probe_request *req,
                         probe_done_fn done, void *arg) MUST_CHECK;

/* A complete TLS handshake through libssl on the same loop (memory BIOs, no
 * blocking sockets), verification off, to read the certificate chain of a
 * server that only speaks TLS 1.3 (where the Certificate is encrypted). */
struct tls_handshake_result {
    bool ok;
    char why[160];       /* when !ok: the probe outcome or libssl's error */
    uint16_t version;    /* negotiated */
    const uint8_t *leaf; /* DER, valid only during the callback */
    size_t leaf_len;
    int chain_len;              /* certificates the server sent, leaf included */
    enum probe_outcome outcome; /* how the connection ended */
};

typedef void (*tls_handshake_fn)(void *arg, const struct tls_handshake_result *res);

/* sni: NULL or "" for none. max_version: e.g. 0x0304. */
enum status engine_tls_handshake(struct engine_target *t, const char *sni, uint16_t min_version,
                                 uint16_t max_version, tls_handshake_fn done, void *arg) MUST_CHECK;
