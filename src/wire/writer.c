#include "wire/writer.h"

#include <string.h>

struct writer wr_init(uint8_t *buf, size_t cap)
{
    struct writer w = {.buf = buf, .cap = buf != NULL ? cap : 0};
    return w;
}

bool wr_ok(const struct writer *w)
{
    return !w->bad;
}

bool wr_done(const struct writer *w)
{
    return !w->bad && w->depth == 0;
}

static uint8_t *wr_take(struct writer *w, size_t n)
{
    if (w->bad || n > w->cap - w->len) {
        w->bad = true;
        return NULL;
    }
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

static void put_be(uint8_t *p, uint32_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static void wr_uint(struct writer *w, uint32_t v, int width)
{
    uint8_t *p = wr_take(w, (size_t)width);
    if (p != NULL) {
        put_be(p, v, width);
    }
}

void wr_u8(struct writer *w, uint8_t v)
{
    wr_uint(w, v, 1);
}

void wr_u16(struct writer *w, uint16_t v)
{
    wr_uint(w, v, 2);
}

void wr_u24(struct writer *w, uint32_t v)
{
    wr_uint(w, v & 0xffffff, 3);
}

void wr_u32(struct writer *w, uint32_t v)
{
    wr_uint(w, v, 4);
}

void wr_bytes(struct writer *w, const uint8_t *p, size_t n)
{
    uint8_t *dst = wr_take(w, n);
    if (dst != NULL && n > 0) {
        memcpy(dst, p, n);
    }
}

void wr_zeros(struct writer *w, size_t n)
{
    uint8_t *dst = wr_take(w, n);
    if (dst != NULL && n > 0) {
        memset(dst, 0, n);
    }
}

static void wr_vec_open(struct writer *w, uint8_t width)
{
    if (w->depth >= WR_MAX_DEPTH) {
        w->bad = true;
        return;
    }
    size_t at = w->len;
    if (wr_take(w, width) == NULL) {
        return;
    }
    w->open_at[w->depth] = at;
    w->open_width[w->depth] = width;
    w->depth++;
}

void wr_vec8_open(struct writer *w)
{
    wr_vec_open(w, 1);
}

void wr_vec16_open(struct writer *w)
{
    wr_vec_open(w, 2);
}

void wr_vec24_open(struct writer *w)
{
    wr_vec_open(w, 3);
}

void wr_vec_close(struct writer *w)
{
    if (w->bad || w->depth == 0) {
        w->bad = true;
        return;
    }
    w->depth--;
    size_t at = w->open_at[w->depth];
    int width = w->open_width[w->depth];
    size_t body = w->len - at - (size_t)width;
    if (body >= ((size_t)1 << (8 * width))) {
        w->bad = true;
        return;
    }
    put_be(w->buf + at, (uint32_t)body, width);
}
