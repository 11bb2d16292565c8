/* Would real clients connect? One handshake per distinct ClientHello (many
 * profiles share theirs), judged by clients/ against the server's answer and
 * the certificate the scan found. Runs as soon as the certificate is known,
 * alongside the rest of the scan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan_ctx.h"
#include "clients/client.h"
#include "registry/registry.h"
#include "util/log.h"

struct client_probe {
    struct scan_ctx *sc;
    uint64_t key;
};

static void clients_on_probe(void *arg, const struct probe_result *res)
{
    struct client_probe *cp = arg;
    struct scan_ctx *sc = cp->sc;
    if (res->outcome == PROBE_ANSWERED && res->flight.answer == ANSWER_SERVER_HELLO &&
        res->flight.sh.version <= VERSION_TLS12) {
        /* The certificate this client got: another key type than the scan's
         * first when its suite needs one. */
        certificate_from_flight(sc, &res->flight, res->flight.sh.version);
    }
    for (size_t i = 0; i < sc->opts.n_clients; i++) {
        const struct client_profile *p = sc->opts.clients[i];
        if (client_hello_key(p) != cp->key) {
            continue;
        }
        struct client_result *out = &sc->r->clients[i];
        client_judge(p, res, results_cert_for_suite(sc->r, res->flight.sh.suite), out);
        if (res->outcome == PROBE_CLOSED && res->bytes_received == 0 && sc->any_tls) {
            /* As for protocol probes: a server that answers other hellos
             * and closes this one without a word is refusing it. */
            out->verdict = CLIENT_FAILS;
            snprintf(out->why, sizeof(out->why),
                     "the server closes the connection without an alert (a refusal)");
        }
    }
    free(cp);
}

static void clients_mark(struct scan_ctx *sc, uint64_t key, const char *why)
{
    for (size_t i = 0; i < sc->opts.n_clients; i++) {
        if (client_hello_key(sc->opts.clients[i]) == key) {
            sc->r->clients[i].verdict = CLIENT_INCONCLUSIVE;
            snprintf(sc->r->clients[i].why, sizeof(sc->r->clients[i].why), "%s", why);
        }
    }
}

static void clients_send(struct scan_ctx *sc, const struct client_profile *p, uint8_t *buf)
{
    uint64_t key = client_hello_key(p);
    uint8_t random[32];
    struct scan_hello unused;
    scan_hello_init(sc, &unused, 0, random);
    size_t len = 0;
    const char *sni = sc->sni[0] != '\0' ? sc->sni : NULL;
    if (client_hello_build(p, sni, random, buf, HELLO_MAX_LEN, &len) != ST_OK) {
        clients_mark(sc, key, "this client's hello could not be built");
        return;
    }
    struct client_probe *cp = malloc(sizeof(*cp));
    char what[96];
    snprintf(what, sizeof(what), "client %s hello", client_id(p));
    if (cp == NULL) {
        clients_mark(sc, key, "out of memory");
        return;
    }
    *cp = (struct client_probe){.sc = sc, .key = key};
    if (scan_send_raw(sc, buf, len, 0, SCAN_SEND_FULL | SCAN_SEND_BULK, what, clients_on_probe,
                      cp) != ST_OK) {
        free(cp);
        clients_mark(sc, key, "the probe could not be sent");
    }
}

/* True when an earlier profile has the same hello (it carries the probe). */
static bool clients_seen(const struct scan_ctx *sc, size_t i)
{
    uint64_t key = client_hello_key(sc->opts.clients[i]);
    for (size_t j = 0; j < i; j++) {
        if (client_hello_key(sc->opts.clients[j]) == key) {
            return true;
        }
    }
    return false;
}

void clients_start(struct scan_ctx *sc)
{
    if (sc->clients_started || sc->opts.n_clients == 0) {
        return;
    }
    sc->clients_started = true;
    struct scan_results *r = sc->r;
    r->clients = calloc(sc->opts.n_clients, sizeof(*r->clients));
    uint8_t *buf = malloc(HELLO_MAX_LEN);
    if (r->clients == NULL || buf == NULL) {
        free(buf);
        scan_note(sc, "clients not simulated: out of memory");
        return;
    }
    r->n_clients = sc->opts.n_clients;
    for (size_t i = 0; i < r->n_clients; i++) {
        r->clients[i].id = client_id(sc->opts.clients[i]);
    }
    for (size_t i = 0; i < r->n_clients; i++) {
        if (!clients_seen(sc, i)) {
            clients_send(sc, sc->opts.clients[i], buf);
        }
    }
    free(buf);
}

void clients_refine(struct scan_ctx *sc)
{
    struct scan_results *r = sc->r;
    for (size_t i = 0; i < r->n_clients; i++) {
        if (r->clients[i].verdict != CLIENT_NOT_RUN) {
            client_result_refine(sc->opts.clients[i], r, &r->clients[i]);
        }
    }
}
