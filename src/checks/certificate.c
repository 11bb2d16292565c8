/* Which certificate does the server present? Taken from the first TLS <= 1.2
 * flight that carried one (the Certificate message is in clear there); for a
 * server that only speaks TLS 1.3 (where it is encrypted) a real handshake
 * through libssl on the same loop reads it. A server may hold one certificate
 * per key type (RSA and ECDSA) and send each with the suites that need it, so
 * a leaf of another key type than the first is kept too: each suite is graded
 * with its own. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checks/cert_parse.h"
#include "checks/scan_ctx.h"
#include "registry/registry.h"
#include "util/log.h"

/* Whether the leaf is one already kept (most flights repeat the first); a
 * kept one is marked seen in the highest version that sent it, so that the
 * report does not depend on which answer came back first. */
static bool certificate_known(struct scan_results *r, const struct cert_view *leaf,
                              uint16_t version)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(leaf->der, leaf->len, md, &md_len, EVP_sha256(), NULL) != 1) {
        return true; /* cannot tell: keep what we have */
    }
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < md_len; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
    struct cert_result *kept = NULL;
    if (strcmp(r->cert.sha256, hex) == 0) {
        kept = &r->cert;
    }
    for (size_t i = 0; i < r->n_other_certs && kept == NULL; i++) {
        if (strcmp(r->other_certs[i].sha256, hex) == 0) {
            kept = &r->other_certs[i];
        }
    }
    if (kept != NULL && version > kept->seen_in_version) {
        kept->seen_in_version = version;
    }
    return kept != NULL;
}

void certificate_settle(struct scan_ctx *sc)
{
    /* The probes of several versions run at once, so the first leaf to
     * arrive varies from run to run: the main certificate is the one seen in
     * the highest version, EC before RSA when both were. */
    struct scan_results *r = sc->r;
    for (size_t i = 0; i < r->n_other_certs && r->cert.present; i++) {
        struct cert_result *o = &r->other_certs[i];
        bool better = o->seen_in_version > r->cert.seen_in_version ||
                      (o->seen_in_version == r->cert.seen_in_version &&
                       strcmp(o->key_type, r->cert.key_type) < 0);
        if (better) {
            struct cert_result tmp = r->cert;
            r->cert = *o;
            *o = tmp;
        }
    }
}

/* Keeps a leaf whose key type no kept certificate has. */
static void certificate_other_from_flight(struct scan_ctx *sc, const struct server_flight *f,
                                          uint16_t version)
{
    struct scan_results *r = sc->r;
    if (certificate_known(r, &f->certs[0], version) ||
        r->n_other_certs >= RESULTS_MAX_OTHER_CERTS) {
        return;
    }
    struct cert_result c;
    memset(&c, 0, sizeof(c));
    if (cert_parse_der(f->certs[0].der, f->certs[0].len, (int)f->n_certs_seen, version, &c) !=
        ST_OK) {
        return;
    }
    if (strcasecmp(c.key_type, r->cert.key_type) == 0) {
        return;
    }
    for (size_t i = 0; i < r->n_other_certs; i++) {
        if (strcasecmp(c.key_type, r->other_certs[i].key_type) == 0) {
            return;
        }
    }
    r->other_certs[r->n_other_certs++] = c;
}

void certificate_from_flight(struct scan_ctx *sc, const struct server_flight *f, uint16_t version)
{
    if (f->n_certs == 0) {
        return;
    }
    if (sc->r->cert.present) {
        certificate_other_from_flight(sc, f, version);
        return;
    }
    if (cert_parse_der(f->certs[0].der, f->certs[0].len, (int)f->n_certs_seen, version,
                       &sc->r->cert) != ST_OK) {
        scan_note(sc, "the server's certificate (%s) could not be parsed", version_name(version));
        snprintf(sc->r->cert_error, sizeof(sc->r->cert_error),
                 "the certificate sent in %s could not be parsed", version_name(version));
        return;
    }
    clients_start(sc);
}

static void certificate_on_handshake(void *arg, const struct tls_handshake_result *res)
{
    struct scan_ctx *sc = arg;
    char *err = sc->r->cert_error;
    size_t cap = sizeof(sc->r->cert_error);
    if (!res->ok || res->leaf == NULL) {
        scan_note(sc, "certificate not read: %s", res->ok ? "the server sent none" : res->why);
        snprintf(err, cap, "the certificate could not be read: %s",
                 res->ok ? "the server sent none" : res->why);
    } else if (cert_parse_der(res->leaf, res->leaf_len, res->chain_len, res->version,
                              &sc->r->cert) != ST_OK) {
        scan_note(sc, "the server's certificate (TLS 1.3) could not be parsed");
        snprintf(err, cap, "the certificate sent in TLSv1.3 could not be parsed");
    }
    sc->cert_pending = false;
    clients_start(sc);
    scan_op_end(sc);
}

static bool certificate_older_all_judged(const struct scan_ctx *sc)
{
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *pr = &sc->r->protos[i];
        if (pr->version != VERSION_TLS13 &&
            (pr->state == PROTO_NOT_TESTED || pr->state == PROTO_SUPPORTED)) {
            return false;
        }
    }
    return true;
}

void certificate_start(struct scan_ctx *sc, bool early)
{
    const struct proto_result *tls13 = &sc->r->protos[results_proto_index(VERSION_TLS13)];
    if (sc->cert_started || sc->r->cert.present || tls13->state != PROTO_SUPPORTED) {
        return;
    }
    if (early && !certificate_older_all_judged(sc)) {
        return;
    }
    sc->cert_started = true;
    if (engine_tls_handshake(sc->t, sc->sni, VERSION_TLS13, VERSION_TLS13, certificate_on_handshake,
                             sc) == ST_OK) {
        scan_op_begin(sc);
    } else {
        scan_note(sc, "certificate not read: libssl could not be set up");
        snprintf(sc->r->cert_error, sizeof(sc->r->cert_error),
                 "the certificate could not be read: libssl could not be set up");
    }
}
