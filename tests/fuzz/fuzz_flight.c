/* Whole server flight: the first byte picks want_full (bit 0), expect_sslv2
 * (bit 1), a small reassembly buffer (bit 2) and the chunk size used to feed
 * the rest (bits 3..7, 0 meaning all at once). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/server_flight.h"

/* Small enough that certificate chains overflow it. */
#define FUZZ_SMALL_CAP 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    bool want_full = (mode & 1) != 0;
    bool sslv2 = (mode & 2) != 0;
    size_t cap = (mode & 4) != 0 ? FUZZ_SMALL_CAP : FLIGHT_MAX_HS_MSG;
    size_t chunk = mode >> 3;

    /* An exact-size heap buffer so that ASan sees any write past hs_cap. */
    uint8_t *hs = malloc(cap);
    if (hs == NULL) {
        return 0;
    }
    struct server_flight f;
    server_flight_init(&f, hs, cap, want_full, sslv2);
    const uint8_t *p = data + 1;
    size_t left = size - 1;
    while (left > 0) {
        size_t n = chunk == 0 || chunk > left ? left : chunk;
        (void)server_flight_feed(&f, p, n);
        p += n;
        left -= n;
    }
    enum flight_state st = server_flight_end(&f);
    if (st == FLIGHT_GARBLED && strlen(f.why) == 0) {
        abort(); /* a refusal must always say why */
    }
    for (size_t i = 0; i < f.n_certs; i++) {
        /* Certificate views must lie inside the buffer: touch every byte. */
        volatile uint8_t sink = 0;
        for (size_t j = 0; j < f.certs[i].len; j++) {
            sink ^= f.certs[i].der[j];
        }
        (void)sink;
    }
    free(hs);
    return 0;
}
