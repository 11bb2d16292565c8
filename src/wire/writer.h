#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A writer into a caller-owned fixed buffer. Like the reader, overflow is
 * sticky: a write that does not fit sets `bad` and every later write is a
 * no-op, so builders check wr_ok() once at the end.
 *
 * Length-prefixed vectors are written by opening them (which reserves the
 * prefix), writing the body, and closing them (which back-fills the length).
 * Opens nest up to WR_MAX_DEPTH deep. */
#define WR_MAX_DEPTH 8

struct writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool bad;
    size_t open_at[WR_MAX_DEPTH];
    uint8_t open_width[WR_MAX_DEPTH];
    int depth;
};

struct writer wr_init(uint8_t *buf, size_t cap);
bool wr_ok(const struct writer *w);
/* True when ok and every opened vector was closed. */
bool wr_done(const struct writer *w);

void wr_u8(struct writer *w, uint8_t v);
void wr_u16(struct writer *w, uint16_t v);
void wr_u24(struct writer *w, uint32_t v);
void wr_u32(struct writer *w, uint32_t v);
void wr_bytes(struct writer *w, const uint8_t *p, size_t n);
void wr_zeros(struct writer *w, size_t n);

/* Reserve a 1-, 2- or 3-byte length prefix; close fills it in. A body longer
 * than the prefix can express sets bad. */
void wr_vec8_open(struct writer *w);
void wr_vec16_open(struct writer *w);
void wr_vec24_open(struct writer *w);
void wr_vec_close(struct writer *w);
