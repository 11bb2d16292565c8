#include "cli/gate.h"

#include <stdbool.h>

#include "grade/grade.h"

static bool protos_incomplete(const struct scan_results *r)
{
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *p = &r->protos[i];
        if (p->state == PROTO_INCONCLUSIVE) {
            return true;
        }
        if (p->state == PROTO_SUPPORTED && !p->suites_complete) {
            return true;
        }
    }
    return false;
}

static bool clients_incomplete(const struct scan_results *r)
{
    for (size_t i = 0; i < r->n_clients; i++) {
        if (r->clients[i].verdict == CLIENT_INCONCLUSIVE) {
            return true;
        }
    }
    return false;
}

unsigned gate_target_flags(const struct scan_results *r, unsigned verdict_flags,
                           unsigned reach_flags)
{
    unsigned flags = (verdict_flags | reach_flags) & ~(unsigned)GATE_USAGE;
    if (r->state != TARGET_SCANNED || protos_incomplete(r) || clients_incomplete(r)) {
        flags |= GATE_INCOMPLETE;
    }
    return flags;
}

unsigned gate_exit_combine(unsigned exit_so_far, unsigned target_flags)
{
    return (exit_so_far | target_flags) & ~(unsigned)GATE_USAGE;
}
