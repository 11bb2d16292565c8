#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bounded cursor over untrusted bytes. Every parser in tlsgate reads wire
 * data through this type and nothing else: no offset arithmetic on peer data
 * happens anywhere outside reader.c.
 *
 * A read past the end sets `bad`, which is sticky, and yields zero (or an
 * empty view). Parsers therefore read a message's fields in RFC order and test
 * rd_ok() once at the end, instead of checking after every field. */
struct reader {
    const uint8_t *buf;
    size_t len;
    size_t off;
    bool bad;
};

struct reader rd_init(const uint8_t *buf, size_t len);

bool rd_ok(const struct reader *r);
/* Bytes not yet consumed (0 once bad). */
size_t rd_left(const struct reader *r);
/* Total length of the reader's window (0 once bad). */
size_t rd_len(const struct reader *r);
/* True when every byte was consumed and nothing overran. */
bool rd_done(const struct reader *r);
/* Pointer to the next unread byte; only valid for rd_left() bytes. */
const uint8_t *rd_ptr(const struct reader *r);

uint8_t rd_u8(struct reader *r);
uint16_t rd_u16(struct reader *r);
uint32_t rd_u24(struct reader *r);
uint32_t rd_u32(struct reader *r);
/* Consumes n bytes and returns a pointer to them, or NULL (and sets bad). */
const uint8_t *rd_bytes(struct reader *r, size_t n);
void rd_skip(struct reader *r, size_t n);

/* A child reader over the next n bytes; the parent skips them whole. If the
 * parent is short, both are bad. */
struct reader rd_sub(struct reader *r, size_t n);
/* Length-prefixed vectors (RFC 8446 3.4): the prefix is read, then a child
 * reader covers exactly the vector's bytes. */
struct reader rd_vec8(struct reader *r);
struct reader rd_vec16(struct reader *r);
struct reader rd_vec24(struct reader *r);

/* Marks r bad by hand, for semantic errors found while parsing. */
void rd_fail(struct reader *r);
