#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "util/log.h"

/* A write in flight: libuv needs the bytes until its callback. */
struct conn_write_req {
    uv_write_t req;
    struct conn *c;
    size_t len;
    uint8_t data[];
};

static void conn_target_pump(struct engine_target *t);

void conn_init(struct conn *c, struct engine_target *t, const struct conn_ops *ops)
{
    memset(c, 0, sizeof(*c));
    c->t = t;
    c->ops = ops;
}

void conn_submit(struct conn *c)
{
    struct engine_target *t = c->t;
    struct conn_queue *q = &t->queue[c->bulk ? 1 : 0];
    if (q->tail != NULL) {
        q->tail->next = c;
    } else {
        q->head = c;
    }
    q->tail = c;
    conn_target_pump(t);
}

static enum probe_outcome conn_outcome_of(int uv_err)
{
    switch (uv_err) {
    case UV_EOF:
        return PROBE_CLOSED;
    case UV_ECONNRESET:
        return PROBE_RESET;
    case UV_ECONNREFUSED:
        return PROBE_REFUSED;
    case UV_ETIMEDOUT:
        return PROBE_TIMEOUT;
    default:
        return PROBE_NET_ERROR;
    }
}

static void conn_on_close(uv_handle_t *h)
{
    struct conn *c = h->data;
    if (--c->open_handles > 0) {
        return;
    }
    struct engine_target *t = c->t;
    if (c->active_prev != NULL) {
        c->active_prev->active_next = c->active_next;
    } else {
        t->active_list = c->active_next;
    }
    if (c->active_next != NULL) {
        c->active_next->active_prev = c->active_prev;
    }
    t->active--;
    /* Start the next queued connection before handing this one back: the
     * driver's callback may free the target once it has nothing queued. */
    conn_target_pump(t);
    c->ops->closed(c);
}

void conn_end(struct conn *c, enum probe_outcome outcome, int sys_errno)
{
    if (c->ending) {
        return;
    }
    c->ending = true;
    c->outcome = outcome;
    c->sys_errno = sys_errno;
    c->elapsed_ms = (double)(uv_now(&c->t->e->loop) - c->started_ms);

    if (c->tcp_open) {
        uv_close((uv_handle_t *)&c->tcp, conn_on_close);
    }
    uv_close((uv_handle_t *)&c->timer, conn_on_close);
}

static void conn_on_write(uv_write_t *req, int status)
{
    struct conn_write_req *w = (struct conn_write_req *)req;
    struct conn *c = w->c;
    free(w);
    if (status < 0 && status != UV_ECANCELED) {
        /* EPIPE: the server closed before reading our hello. */
        conn_end(c, status == UV_EPIPE ? PROBE_CLOSED : conn_outcome_of(status), -status);
    }
}

void conn_write(struct conn *c, const uint8_t *buf, size_t len)
{
    if (c->ending) {
        return;
    }
    log_hex(c->t->label, "sent", buf, len);
    struct conn_write_req *w = malloc(sizeof(*w) + len);
    if (w == NULL) {
        conn_end(c, PROBE_NET_ERROR, ENOMEM);
        return;
    }
    w->c = c;
    w->len = len;
    memcpy(w->data, buf, len);
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)len);
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, conn_on_write);
    if (rc < 0) {
        free(w);
        conn_end(c, conn_outcome_of(rc), -rc);
    }
}

static void conn_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct conn *c = h->data;
    *buf = uv_buf_init((char *)c->t->e->rbuf, sizeof(c->t->e->rbuf));
}

static void conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    if (c->ending || nread == 0) {
        return;
    }
    if (nread < 0) {
        conn_end(c, conn_outcome_of((int)nread), nread == UV_EOF ? 0 : (int)-nread);
        return;
    }
    log_hex(c->t->label, "received", (const uint8_t *)buf->base, (unsigned long)nread);
    c->bytes_received += (size_t)nread;
    c->ops->data(c, (const uint8_t *)buf->base, (size_t)nread);
}

static void conn_on_connect(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    if (c->ending) {
        return; /* UV_ECANCELED after our own close */
    }
    if (status < 0) {
        conn_end(c, conn_outcome_of(status), -status);
        return;
    }
    int rc = uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
    if (rc < 0) {
        conn_end(c, PROBE_NET_ERROR, -rc);
        return;
    }
    c->ops->connected(c);
}

static void conn_on_timer(uv_timer_t *timer);

static void conn_connect(struct conn *c)
{
    struct engine_target *t = c->t;
    c->delaying = false;
    c->started_ms = uv_now(&t->e->loop);
    uint64_t wait_ms = t->timeout_ms;
    c->timer_outcome = PROBE_TIMEOUT;
    uint64_t left = t->deadline_ms > c->started_ms ? t->deadline_ms - c->started_ms : 0;
    if (t->abandoned || (t->deadline_ms != 0 && left == 0)) {
        /* Abandoned or out of budget: end from the loop without connecting. */
        c->timer_outcome = t->abandoned ? PROBE_ABANDONED : PROBE_OVER_BUDGET;
        uv_timer_start(&c->timer, conn_on_timer, 0, 0);
        return;
    }
    if (t->deadline_ms != 0 && left < wait_ms) {
        c->timer_outcome = PROBE_OVER_BUDGET;
        wait_ms = left;
    }
    /* One timer covers connect and the whole answer, so a server that sends
     * one byte per second still ends within the timeout. */
    uv_timer_start(&c->timer, conn_on_timer, wait_ms, 0);

    int rc = uv_tcp_init(&t->e->loop, &c->tcp);
    if (rc < 0) {
        conn_end(c, PROBE_NET_ERROR, -rc);
        return;
    }
    c->tcp.data = c;
    c->tcp_open = true;
    c->open_handles++;
    c->connect_req.data = c;
    t->connections++;
    rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&t->addr,
                        conn_on_connect);
    if (rc < 0) {
        conn_end(c, conn_outcome_of(rc), -rc);
    }
}

static void conn_on_timer(uv_timer_t *timer)
{
    struct conn *c = timer->data;
    if (c->delaying) {
        conn_connect(c);
        return;
    }
    conn_end(c, c->timer_outcome, 0);
}

/* Admits one queued connection: waits out the rate limit, then connects. */
static void conn_admit(struct conn *c)
{
    struct engine_target *t = c->t;
    uv_timer_init(&t->e->loop, &c->timer);
    c->timer.data = c;
    c->open_handles = 1;
    t->active++;
    c->active_prev = NULL;
    c->active_next = t->active_list;
    if (t->active_list != NULL) {
        t->active_list->active_prev = c;
    }
    t->active_list = c;

    uint64_t now = uv_now(&t->e->loop);
    uint64_t delay = 0;
    if (t->rate > 0) {
        uint64_t start = t->next_start_ms > now ? t->next_start_ms : now;
        t->next_start_ms = start + (uint64_t)(1000.0 / t->rate);
        delay = start - now;
    }
    if (delay > 0) {
        c->delaying = true;
        c->started_ms = now;
        uv_timer_start(&c->timer, conn_on_timer, delay, 0);
        return;
    }
    conn_connect(c);
}

static void conn_target_pump(struct engine_target *t)
{
    while (t->active < t->parallel) {
        struct conn_queue *q = &t->queue[t->queue[0].head != NULL ? 0 : 1];
        struct conn *c = q->head;
        if (c == NULL) {
            return;
        }
        q->head = c->next;
        if (q->head == NULL) {
            q->tail = NULL;
        }
        c->next = NULL;
        conn_admit(c);
    }
}

void engine_target_abandon(struct engine_target *t)
{
    t->abandoned = true;
    for (struct conn *c = t->active_list; c != NULL; c = c->active_next) {
        conn_end(c, PROBE_ABANDONED, 0); /* closes; unlinked once closed */
    }
}
