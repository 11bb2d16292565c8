#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/server_flight.h"

/* What happened to one ClientHello sent to a server. A refusal is data, not an
 * error: every probe ends in exactly one outcome, and only PROBE_ANSWERED
 * means the server said something we could parse (a ServerHello, a
 * HelloRetryRequest, an SSLv2 SERVER-HELLO or an alert: see flight.answer). */
enum probe_outcome {
    PROBE_ANSWERED = 0,
    PROBE_CLOSED,      /* orderly close (FIN) before a complete answer */
    PROBE_RESET,       /* connection reset (RST) */
    PROBE_TIMEOUT,     /* no complete answer within the timeout */
    PROBE_GARBLED,     /* bytes that are not TLS: flight.why says what */
    PROBE_REFUSED,     /* TCP connect refused */
    PROBE_NET_ERROR,   /* any other socket error: sys_errno */
    PROBE_OVER_BUDGET, /* the target's time budget ran out before an answer */
    PROBE_ABANDONED,   /* ended early: other answers already settled the target */
};

struct probe_result {
    enum probe_outcome outcome;
    int sys_errno;
    struct server_flight flight; /* valid (views included) only during the callback */
    size_t bytes_received;
    double elapsed_ms;
    uint16_t version_offered; /* the protocol the hello probed; 0 when not one */
};

/* "timed out after 5.0 s", "connection reset by peer", "alert handshake_failure",
 * "not TLS: starts with 'HTTP/1.1 400'", ... into buf. */
void probe_describe(const struct probe_result *res, char *buf, size_t len);
/* A refusal that means "no" (an alert, or a ServerHello of another version)
 * rather than a broken probe whose answer we do not know. */
bool probe_is_refusal(const struct probe_result *res);
