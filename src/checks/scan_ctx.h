#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/scan.h"
#include "engine/engine.h"
#include "results/scan_results.h"
#include "wire/hello_client.h"

/* Private to checks/: the state of one target's scan, shared by the check
 * files (protocols.c, suites.c, order.c, groups.c, certificate.c,
 * clients.c) and driven by scan.c.
 *
 * Every probe a check sends is an "operation": scan_send() counts it and the
 * count drops after the check's callback has run (and queued whatever it
 * leads to). When it reaches zero the scan moves to its next phase. */

/* Removal enumeration offers this many suites per chunk: ~260 bytes of
 * suites keep the hello well under one record, and the chunks of one
 * protocol run side by side. */
#define SCAN_CHUNK_SUITES 128
/* Groups are enumerated the same way, in smaller chunks to shorten chains. */
#define SCAN_CHUNK_GROUPS 16
/* Largest candidate list of one chunk (the first probe of a protocol offers
 * every usable suite at once). */
#define SCAN_MAX_CANDIDATES 1024
/* Addresses of one name kept for falling back (a resolver's answer is
 * rarely longer; the rest are not tried). */
#define SCAN_MAX_ADDRESSES 8

enum scan_phase {
    SCAN_PHASE_PROTOCOLS = 0, /* roots, their enumeration, server order, TLS 1.3 groups */
    SCAN_PHASE_RETRIES,       /* second tries of broken first probes */
    SCAN_PHASE_DETAILS,       /* TLS <= 1.2 groups, certificate, clients */
    SCAN_PHASE_DONE,
};

struct chunk;

/* One protocol's enumeration. */
struct proto_scan {
    struct scan_ctx *sc;
    uint16_t version;
    struct proto_result *pr; /* in sc->r */
    unsigned live_chunks;
    bool accepted_any;                 /* the server accepted this version at least once */
    bool refused;                      /* the first probe got a refusal */
    bool broken;                       /* some chunk ended inconclusive */
    bool root_pick_known;              /* suites[0] is the server's pick from every candidate */
    bool root_limited;                 /* the first hello was cut to SCAN_CHUNK_SUITES suites */
    char root_limit_why[RESULTS_TEXT]; /* what the full one got, noted if the cut one passes */
    struct chunk *parked;              /* first probe broke: decided or retried after phase 1 */
    enum probe_outcome parked_outcome;
    char refusal_why[RESULTS_TEXT];
    uint16_t chunk_of[RESULTS_MAX_SUITES]; /* which chunk found each suite */
    uint16_t next_chunk_id;                /* ids tell the chains apart (order.c) */
    unsigned workaround_flags;             /* SCAN_HELLO_PAD / _NO_EXTENSIONS some chunk needed */
    bool enumerated;                       /* every chunk is done */
    bool reverse_sent;                     /* the reversed first hello went out */
    bool reverse_pending;                  /* ... and is not back */
    bool reverse_known;                    /* ... and picked reverse_pick */
    uint32_t reverse_pick;
    struct suite_result reverse_found; /* what that answer said of reverse_pick */
    struct chunk *fan_out_waiting;     /* the answered root, until the reversal is back */
    uint16_t outside_chunk;            /* the chunk of what client order ruled out; 0 if none */
    bool order_mixed;                  /* ... which found a suite: neither order holds */
    bool order_settled;
};

struct scan_ctx {
    struct engine_job job; /* first: the engine hands it back */
    struct engine *e;
    struct engine_target *t;
    struct scan_options opts;
    struct scan_results *r;
    scan_done_fn done;
    void *done_arg;
    char host[256];
    uint16_t port;
    char sni[256];
    char label[360];
    bool pinned; /* scan_start_at: pin_addr is scanned without a resolution */
    struct sockaddr_storage pin_addr;
    /* A name's other addresses, tried in turn while none takes a connection;
     * `fallback` says pin_addr is the next of them (see scan_next_address). */
    struct sockaddr_storage more_addrs[SCAN_MAX_ADDRESSES];
    size_t n_more_addrs;
    bool fallback;
    unsigned prior_connections; /* opened at the addresses tried before */
    /* scan_addresses_resolve: the ctx only resolves, then calls this */
    scan_addresses_fn addresses_done;
    uint64_t started_ms;
    unsigned pending;
    enum scan_phase phase;
    bool any_tls;     /* some probe got a TLS answer */
    bool any_garbled; /* some probe got bytes that are not TLS */
    char garbled_why[RESULTS_TEXT];
    unsigned n_refused, n_timeout, n_other_broken, n_over_budget;
    unsigned n_seen, n_net_error; /* probes ended, and of them by a socket error */
    unsigned n_plain_text;        /* TLS hellos answered in plain text */
    size_t timeout_bytes_max;     /* most bytes any timed-out probe had received */
    size_t closed_bytes_max;      /* most bytes any probe closed mid-answer had received */
    bool groups12_started;
    bool groups13_started;
    /* TLS <= 1.2 groups hidden behind the ECDSA certificate's curve */
    uint16_t groups12_unsure[RESULTS_MAX_GROUPS];
    size_t n_groups12_unsure;
    uint16_t groups12_unsure_version;
    bool cert_started;
    bool cert_pending; /* the libssl handshake for the certificate is running */
    bool clients_started;
    struct proto_scan protos[RESULTS_NUM_PROTOS];
};

/* Sends one hello and calls cb(arg, res) with its answer; counts as an
 * operation until cb returns. On failure nothing is sent and cb is not called. */
typedef void (*scan_probe_fn)(void *arg, const struct probe_result *res);
enum status scan_send(struct scan_ctx *sc, const struct scan_hello *h, bool want_full,
                      const char *what, scan_probe_fn cb, void *arg, size_t *sent_len) MUST_CHECK;
/* How scan_send_raw sends its hello. */
enum scan_send_flag {
    SCAN_SEND_FULL = 1 << 0,  /* TLS <= 1.2: read on to ServerHelloDone */
    SCAN_SEND_SSLV2 = 1 << 1, /* the hello is an SSLv2 CLIENT-HELLO */
    SCAN_SEND_BULK = 1 << 2,  /* independent: waits behind every other probe */
};
enum status scan_send_raw(struct scan_ctx *sc, const uint8_t *hello, size_t len, uint16_t version,
                          unsigned flags, const char *what, scan_probe_fn cb, void *arg) MUST_CHECK;
/* Brackets work that is not a probe (a libssl handshake) the same way. */
void scan_op_begin(struct scan_ctx *sc);
void scan_op_end(struct scan_ctx *sc);
/* Adds a note unless the same text is already there. */
void scan_note(struct scan_ctx *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fills a scan_hello with the scan's SNI and a fresh random (kept in *random). */
void scan_hello_init(struct scan_ctx *sc, struct scan_hello *h, uint16_t version,
                     uint8_t random[32]);
/* Records what every probe said about the target as a whole (TLS or not). */
void scan_saw(struct scan_ctx *sc, const struct probe_result *res);

/* protocols.c + suites.c */
void protocols_start(struct scan_ctx *sc);
void protocols_after_first_round(struct scan_ctx *sc);
/* called by suites.c when a protocol's last chunk is done */
void protocol_enumerated(struct proto_scan *ps);

/* suites.c: chunk removal enumeration */
/* Starts removal enumeration over suites (copied). A root chunk is a
 * protocol's first probe: it offers every candidate and, once the server
 * accepts, fans out into chunks laid out by suite_prior.c. */
void chunk_start(struct proto_scan *ps, const uint32_t *suites, size_t n, bool root,
                 uint16_t chunk_id, unsigned flags, int split_depth);
/* After the first round: decides or retries a protocol's parked first probe. */
void chunk_unpark(struct proto_scan *ps);
/* Frees a parked first probe when the scan ends without judging it. */
void chunk_discard_parked(struct proto_scan *ps);
size_t suite_candidates(uint16_t version, uint32_t *out, size_t cap);
void suite_result_from_flight(struct suite_result *sr, const struct server_flight *f);

/* order.c: order_reverse_start() offers a protocol's first hello again in
 * reverse, as soon as the server has answered it; order_settle() runs once
 * enumeration is done and that answer is back, and finds the order. */
void order_reverse_start(struct proto_scan *ps, const uint32_t *suites, size_t n, unsigned flags);
/* suites.c: the reversed first hello is back; a root waiting for it fans out. */
void chunk_reverse_known(struct proto_scan *ps, const struct server_flight *f);
void order_settle(struct proto_scan *ps);

/* suite_prior.c: the guess that lays out chunks and breaks ties in order.c.
 * A smaller key is a suite more likely accepted and preferred. */
uint64_t suite_prior_key(uint32_t code);
/* Sorts for the chunk layout: tier by tier, each in suite_prior_key order. */
void suite_prior_sort(uint32_t *codes, size_t n);
/* Length of the chunk that starts sorted[0] (sorted by suite_prior_sort). */
size_t suite_prior_chunk_len(const uint32_t *sorted, size_t n);
/* OpenSSL's PrioritizeChaCha puts a server's ChaCha20 suites first when the
 * client lists one first: hellos whose answer is read as the server's own
 * preference move them last (stable), and order.c tests for it once. */
bool suite_is_chacha(uint32_t code);
void suite_chacha_last(uint16_t *codes, size_t n);

/* groups.c */
void groups_tls13_start(struct scan_ctx *sc);
/* TLS <= 1.2 ECDHE curves, in the highest such version with ECDHE suites;
 * `early`: only TLS 1.2, as soon as its suites are known. */
void groups_tls12_start(struct scan_ctx *sc, bool early);
/* Group probes need one accepted suite of the right kind, not the whole list:
 * they start with the first TLS 1.3 suite, or TLS 1.2 ECDHE suite not signed
 * with ECDSA (whose certificate curve would constrain them), alongside the
 * rest of the enumeration. */
void groups_on_suite(struct scan_ctx *sc, uint16_t version, uint32_t code);
/* Once every probe is done: judges the TLS 1.2 groups that an ECDSA server's
 * preference for its certificate's curve left untested (see groups.c). */
void groups_settle(struct scan_ctx *sc);

/* certificate.c */
void certificate_from_flight(struct scan_ctx *sc, const struct server_flight *f, uint16_t version);
/* Starts the libssl handshake when the certificate is still missing and TLS
 * 1.3 is supported; `early` only once every older protocol has been judged
 * without supplying one (so it overlaps with the rest of the scan). */
void certificate_start(struct scan_ctx *sc, bool early);
/* Once every probe is done: picks the main certificate (see certificate.c). */
void certificate_settle(struct scan_ctx *sc);

/* clients.c: starts the client simulations once (the certificate must be
 * known or known to be unobtainable); refine sharpens verdicts at the end. */
void clients_start(struct scan_ctx *sc);
void clients_refine(struct scan_ctx *sc);
