/* Which certificate does the server present? Taken from the first TLS <= 1.2
 * flight that carried one (the Certificate message is in clear there); for a
 * server that only speaks TLS 1.3 (where it is encrypted) a real handshake
 * through libssl on the same loop reads it. */
#include <stdio.h>
#include <string.h>

#include "checks/cert_parse.h"
#include "checks/scan_ctx.h"
#include "registry/registry.h"
#include "util/log.h"

void certificate_from_flight(struct scan_ctx *sc, const struct server_flight *f, uint16_t version)
{
    if (sc->r->cert.present || f->n_certs == 0) {
        return;
    }
    if (cert_parse_der(f->certs[0].der, f->certs[0].len, (int)f->n_certs_seen, version,
                       &sc->r->cert) != ST_OK) {
        scan_note(sc, "the server's certificate (%s) could not be parsed", version_name(version));
        return;
    }
    clients_start(sc);
}

static void certificate_on_handshake(void *arg, const struct tls_handshake_result *res)
{
    struct scan_ctx *sc = arg;
    if (!res->ok || res->leaf == NULL) {
        scan_note(sc, "certificate not read: %s", res->ok ? "the server sent none" : res->why);
    } else if (cert_parse_der(res->leaf, res->leaf_len, res->chain_len, res->version,
                              &sc->r->cert) != ST_OK) {
        scan_note(sc, "the server's certificate (TLS 1.3) could not be parsed");
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
    }
}
