#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/probe.h"
#include "results/scan_results.h"
#include "util/status.h"

/* Client profiles: real clients' ClientHellos and acceptance rules, loaded at
 * run time from data files (data/clients/), and the pure functions that
 * simulate a client against a server's answer. */

struct client_profile; /* opaque; see profile.c */
struct client_db;

/* Loads every profile under dir (default: TLSGATE_DATA_DIR "/clients", or the
 * TLSGATE_DATA environment variable + "/clients"). NULL and err filled on error. */
struct client_db *client_db_load(const char *dir, char *err, size_t errlen);
void client_db_free(struct client_db *db);
size_t client_db_count(const struct client_db *db);
const struct client_profile *client_db_get(const struct client_db *db, size_t i);

const char *client_id(const struct client_profile *p);   /* e.g. "ios-17" */
const char *client_name(const struct client_profile *p); /* e.g. "Safari 17 (iOS 17)" */

/* Resolves a comma-separated list of ids, globs ("android-*") and groups
 * ("ats", "android", "browsers"); "all" and "none" too. The array is malloc'd;
 * unknown names are ST_NOT_FOUND with the name in err. */
enum status client_db_select(const struct client_db *db, const char *list,
                             const struct client_profile ***out, size_t *n_out, char *err,
                             size_t errlen) MUST_CHECK;

/* The record-framed ClientHello the client would send to `sni` (NULL: the
 * client's no-SNI behaviour), with a fresh random. */
enum status client_hello_build(const struct client_profile *p, const char *sni,
                               const uint8_t random[32], uint8_t *out, size_t cap,
                               size_t *out_len) MUST_CHECK;
/* Clients whose hellos are byte-identical (random aside) share one handshake:
 * equal keys mean identical hellos. */
uint64_t client_hello_key(const struct client_profile *p);

/* Would this client complete the handshake, given the server's answer to its
 * hello and the server certificate found by the scan? Fills out (verdict,
 * version, suite, group, dh_bits, why). Pure: no I/O, no logging.
 *
 * CONNECTS: version/suite/group/dh_bits are what was negotiated; why is empty
 * or "after a HelloRetryRequest for <group>".
 * FAILS, why one of: "no shared cipher suite (server alert ...)", "ATS: the
 * server accepts none of the forward-secret suites ATS allows (...)", "server refused every
 * version the client offers ..." (client_result_refine turns it into "server
 * requires TLS 1.3, client tops out at TLS 1.2"), "server chose a suite the
 * client did not offer", "server chose TLS 1.0, below the client's minimum TLS
 * 1.2", "DH 1024 bits below the client's minimum 2048", "ATS: certificate RSA
 * 1024 bits below 2048", "certificate signed with ...; the client requires
 * SHA-2", "server signs its TLS 1.0 key exchange with MD5+SHA-1, which the
 * client refuses", curve/group mismatches.
 * INCONCLUSIVE: the probe broke; why is probe_describe()'s text.
 *
 * The DH size and the certificate of a TLS <= 1.2 handshake are read from the
 * flight: send client hellos with want_full set (ServerKeyExchange and
 * Certificate), else only the scan's certificate is checked. */
void client_judge(const struct client_profile *p, const struct probe_result *res,
                  const struct cert_result *cert, struct client_result *out);

/* Checks the clients a team requires (same list syntax as select) against a
 * target's results: returns GATE_REACH (4) when any is lost and writes each lost
 * client and why into why (one per line); 0 otherwise. */
unsigned client_gate(const struct client_db *db, const char *require_list,
                     const struct scan_results *r, char *why, size_t why_len);

/* ---- additions for listing and lookup (tlsgate clients, reports) ---- */

/* The fields `tlsgate clients` shows for one profile; pointers are owned by
 * the profile. Versions are wire u16 values. */
struct client_display {
    const char *id;
    const char *name;
    const char *family;        /* e.g. "android", "safari", "dotnet" */
    const char *kind;          /* provenance: "captured" or "derived" */
    const char *source;        /* where the facts came from, in words */
    const char *where;         /* how/where captured, or why derived */
    const char *const *groups; /* groups the profile belongs to, e.g. "ats", "ios" */
    size_t n_groups;
    uint16_t max_version; /* highest version the hello offers */
    uint16_t min_version; /* lowest version the client accepts */
    bool ats;             /* App Transport Security rules apply */
};
void client_display(const struct client_profile *p, struct client_display *out);

/* Every group name used by the profiles, sorted, at most cap; returns the count. */
size_t client_db_groups(const struct client_db *db, const char **out, size_t cap);
bool client_in_group(const struct client_profile *p, const char *group);
/* NULL when no profile has this id. */
const struct client_profile *client_db_find(const struct client_db *db, const char *id);

/* Sharpens a FAILS verdict that came from a server alert, once the scan's
 * protocol and suite results are known: "server requires TLS 1.3, client
 * tops out at TLS 1.2" instead of the alert's bare words. Call it after the
 * protocol and suite checks finished (client_gate applies it itself). */
void client_result_refine(const struct client_profile *p, const struct scan_results *r,
                          struct client_result *res);
