#include "wire/reader.h"

struct reader rd_init(const uint8_t *buf, size_t len)
{
    struct reader r = {.buf = buf, .len = buf != NULL ? len : 0, .off = 0, .bad = false};
    return r;
}

bool rd_ok(const struct reader *r)
{
    return !r->bad;
}

size_t rd_left(const struct reader *r)
{
    return r->bad ? 0 : r->len - r->off;
}

size_t rd_len(const struct reader *r)
{
    return r->bad ? 0 : r->len;
}

bool rd_done(const struct reader *r)
{
    return !r->bad && r->off == r->len;
}

const uint8_t *rd_ptr(const struct reader *r)
{
    return r->bad ? NULL : r->buf + r->off;
}

void rd_fail(struct reader *r)
{
    r->bad = true;
}

/* The single bounds check every read goes through. */
static const uint8_t *rd_take(struct reader *r, size_t n)
{
    if (r->bad || n > r->len - r->off) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->buf + r->off;
    r->off += n;
    return p;
}

uint8_t rd_u8(struct reader *r)
{
    const uint8_t *p = rd_take(r, 1);
    return p != NULL ? p[0] : 0;
}

uint16_t rd_u16(struct reader *r)
{
    const uint8_t *p = rd_take(r, 2);
    return p != NULL ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

uint32_t rd_u24(struct reader *r)
{
    const uint8_t *p = rd_take(r, 3);
    return p != NULL ? ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2] : 0;
}

uint32_t rd_u32(struct reader *r)
{
    const uint8_t *p = rd_take(r, 4);
    if (p == NULL) {
        return 0;
    }
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

const uint8_t *rd_bytes(struct reader *r, size_t n)
{
    return rd_take(r, n);
}

void rd_skip(struct reader *r, size_t n)
{
    (void)rd_take(r, n);
}

struct reader rd_sub(struct reader *r, size_t n)
{
    const uint8_t *p = rd_take(r, n);
    struct reader child = rd_init(p, p != NULL ? n : 0);
    child.bad = (p == NULL);
    return child;
}

struct reader rd_vec8(struct reader *r)
{
    size_t n = rd_u8(r);
    return rd_sub(r, n);
}

struct reader rd_vec16(struct reader *r)
{
    size_t n = rd_u16(r);
    return rd_sub(r, n);
}

struct reader rd_vec24(struct reader *r)
{
    size_t n = rd_u24(r);
    return rd_sub(r, n);
}
