/* Which protocol versions does the server speak? One probe per version, all
 * at once, each offering every suite usable in that version, likeliest first
 * (see suites.c: the same probe starts the suite enumeration). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/scan_ctx.h"
#include "registry/registry.h"
#include "util/log.h"

void protocols_start(struct scan_ctx *sc)
{
    uint32_t *cand = malloc(SCAN_MAX_CANDIDATES * sizeof(*cand));
    if (cand == NULL) {
        return;
    }
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        struct proto_scan *ps = &sc->protos[i];
        ps->pr->suites_complete = true;
        size_t n = suite_candidates(ps->version, cand, SCAN_MAX_CANDIDATES);
        if (n == 0) {
            ps->pr->state = PROTO_INCONCLUSIVE;
            snprintf(ps->pr->reason, sizeof(ps->pr->reason), "no suite to offer");
            continue;
        }
        ps->next_chunk_id = 1; /* 0 is the root */
        if (ps->version != VERSION_SSL2) {
            suite_prior_sort(cand, n);
        }
        chunk_start(ps, cand, n, true, 0, 0, 0);
        /* Most servers speak TLS 1.2 or 1.3: their reversed first hello goes
         * out at once, so that its answer is back when the first one is
         * (see suites.c). Older versions send it once they are known to be
         * spoken, rather than one more probe for each that is not. */
        if (ps->version >= VERSION_TLS12) {
            order_reverse_start(ps, cand, n, 0);
        }
    }
    free(cand);
}

void protocols_after_first_round(struct scan_ctx *sc)
{
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        chunk_unpark(&sc->protos[i]);
    }
}

void protocol_enumerated(struct proto_scan *ps)
{
    struct proto_result *pr = ps->pr;
    if (ps->accepted_any) {
        pr->state = PROTO_SUPPORTED;
        pr->suites_complete = !ps->broken;
    } else if (ps->broken) {
        pr->state = PROTO_INCONCLUSIVE;
        pr->suites_complete = false;
        snprintf(pr->reason, sizeof(pr->reason), "%s", pr->incomplete_reason);
    } else {
        pr->state = PROTO_NOT_SUPPORTED;
        snprintf(pr->reason, sizeof(pr->reason), "%s", ps->refusal_why);
    }
    log_msg(ps->sc->label, LOG_DEBUG, "%s: %s, %zu suites%s", version_name(ps->version),
            pr->state == PROTO_SUPPORTED       ? "supported"
            : pr->state == PROTO_NOT_SUPPORTED ? "not supported"
                                               : "inconclusive",
            pr->n_suites, pr->suites_complete ? "" : " (incomplete)");

    certificate_start(ps->sc, true);
    if (pr->state != PROTO_SUPPORTED) {
        return;
    }
    if (ps->version == VERSION_TLS12) {
        groups_tls12_start(ps->sc, true); /* the highest version below 1.3 */
    }
    ps->enumerated = true;
    if (ps->version != VERSION_SSL2) {
        order_settle(ps);
    }
    if (ps->version == VERSION_TLS13) {
        groups_tls13_start(ps->sc);
    }
}
