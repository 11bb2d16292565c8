#include "engine/engine.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"

struct engine *engine_new(const struct engine_config *cfg)
{
    struct engine *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return NULL;
    }
    if (uv_loop_init(&e->loop) < 0) {
        free(e);
        return NULL;
    }
    e->jobs = cfg != NULL && cfg->jobs > 0 ? cfg->jobs : 1;
    return e;
}

enum status engine_run(struct engine *e)
{
    return uv_run(&e->loop, UV_RUN_DEFAULT) < 0 ? ST_IO : ST_OK;
}

void engine_free(struct engine *e)
{
    if (e == NULL) {
        return;
    }
    /* Let close callbacks still pending run before the loop goes away. */
    uv_run(&e->loop, UV_RUN_NOWAIT);
    (void)uv_loop_close(&e->loop);
    free(e);
}

uv_loop_t *engine_loop(struct engine *e)
{
    return &e->loop;
}

static void engine_job_pump(struct engine *e)
{
    while (e->queue_head != NULL && e->jobs_active < e->jobs) {
        struct engine_job *job = e->queue_head;
        e->queue_head = job->next;
        if (e->queue_head == NULL) {
            e->queue_tail = NULL;
        }
        job->next = NULL;
        e->jobs_active++;
        job->start(job);
    }
}

void engine_job_submit(struct engine *e, struct engine_job *job)
{
    job->next = NULL;
    if (e->queue_tail != NULL) {
        e->queue_tail->next = job;
    } else {
        e->queue_head = job;
    }
    e->queue_tail = job;
    engine_job_pump(e);
}

void engine_job_finish(struct engine *e, struct engine_job *job)
{
    (void)job;
    if (e->jobs_active > 0) {
        e->jobs_active--;
    }
    engine_job_pump(e);
}

struct engine_resolve_req {
    uv_getaddrinfo_t req;
    engine_resolve_fn done_one; /* engine_resolve: the first address */
    engine_resolve_all_fn done_all;
    void *arg;
    uint16_t port;
    char host[256];
};

static void engine_set_port(struct sockaddr_storage *ss, uint16_t port)
{
    if (ss->ss_family == AF_INET) {
        ((struct sockaddr_in *)ss)->sin_port = htons(port);
    } else if (ss->ss_family == AF_INET6) {
        ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
    }
}

/* Same host address (the port is the same for every entry of one answer). */
static bool engine_addr_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family) {
        return false;
    }
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a;
        const struct sockaddr_in *y = (const struct sockaddr_in *)b;
        return x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
    const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
    return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 &&
           x->sin6_scope_id == y->sin6_scope_id;
}

/* Copies the usable entries of an answer into addrs (room for one per
 * entry), each once, in the resolver's order; returns how many. */
static size_t engine_addrs_collect(const struct addrinfo *res, uint16_t port,
                                   struct sockaddr_storage *addrs)
{
    size_t n = 0;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        bool usable = (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
                      ai->ai_addrlen <= sizeof(addrs[0]);
        if (!usable) {
            continue;
        }
        memset(&addrs[n], 0, sizeof(addrs[n]));
        memcpy(&addrs[n], ai->ai_addr, ai->ai_addrlen);
        engine_set_port(&addrs[n], port);
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++) {
            seen = engine_addr_same(&addrs[k], &addrs[n]);
        }
        n += !seen;
    }
    return n;
}

static size_t engine_addrinfo_count(const struct addrinfo *res)
{
    size_t n = 0;
    for (; res != NULL; res = res->ai_next) {
        n++;
    }
    return n;
}

static void engine_resolve_deliver(struct engine_resolve_req *r,
                                   const struct sockaddr_storage *addrs, size_t n, const char *err)
{
    if (r->done_all != NULL) {
        r->done_all(r->arg, addrs, n, err);
        return;
    }
    struct sockaddr_storage none;
    memset(&none, 0, sizeof(none));
    r->done_one(r->arg, n > 0 ? &addrs[0] : &none, err);
}

static void engine_on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct engine_resolve_req *r = req->data;
    size_t cap = engine_addrinfo_count(res);
    struct sockaddr_storage *addrs = calloc(cap > 0 ? cap : 1, sizeof(*addrs));
    size_t n = 0;
    char err[320] = "";

    if (status < 0 || res == NULL) {
        snprintf(err, sizeof(err), "cannot resolve %s: %s", r->host,
                 status < 0 ? uv_strerror(status) : "no address");
    } else if (addrs == NULL) {
        snprintf(err, sizeof(err), "cannot resolve %s: out of memory", r->host);
    } else if ((n = engine_addrs_collect(res, r->port, addrs)) == 0) {
        snprintf(err, sizeof(err), "cannot resolve %s: unusable address", r->host);
    }
    uv_freeaddrinfo(res);
    engine_resolve_deliver(r, addrs, n, err[0] != '\0' ? err : NULL);
    free(addrs);
    free(r);
}

static enum status engine_resolve_begin(struct engine *e, const char *host, uint16_t port,
                                        int family, struct engine_resolve_req *r)
{
    if (strlen(host) >= sizeof(r->host)) {
        free(r);
        return ST_USAGE;
    }
    memcpy(r->host, host, strlen(host) + 1);
    r->port = port;
    r->req.data = r;

    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    if (uv_getaddrinfo(&e->loop, &r->req, engine_on_resolved, r->host, NULL, &hints) < 0) {
        free(r);
        return ST_IO;
    }
    return ST_OK;
}

enum status engine_resolve(struct engine *e, const char *host, uint16_t port, int family,
                           engine_resolve_fn done, void *arg)
{
    struct engine_resolve_req *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return ST_NO_MEMORY;
    }
    r->done_one = done;
    r->arg = arg;
    return engine_resolve_begin(e, host, port, family, r);
}

enum status engine_resolve_all(struct engine *e, const char *host, uint16_t port, int family,
                               engine_resolve_all_fn done, void *arg)
{
    struct engine_resolve_req *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return ST_NO_MEMORY;
    }
    r->done_all = done;
    r->arg = arg;
    return engine_resolve_begin(e, host, port, family, r);
}

void engine_addr_text(const struct sockaddr_storage *addr, char *buf, size_t len)
{
    if (len == 0) {
        return;
    }
    buf[0] = '\0';
    if (addr->ss_family == AF_INET) {
        uv_ip4_name((const struct sockaddr_in *)addr, buf, len);
    } else if (addr->ss_family == AF_INET6) {
        uv_ip6_name((const struct sockaddr_in6 *)addr, buf, len);
    }
}

struct engine_target *engine_target_new(struct engine *e, const struct engine_target_config *cfg)
{
    struct engine_target *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->e = e;
    t->addr = cfg->addr;
    t->parallel = cfg->parallel > 0 ? cfg->parallel : ENGINE_DEFAULT_PARALLEL;
    t->rate = cfg->rate;
    t->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : ENGINE_DEFAULT_TIMEOUT;
    if (cfg->budget_ms > 0) {
        t->deadline_ms = uv_now(&e->loop) + cfg->budget_ms;
    }
    snprintf(t->label, sizeof(t->label), "%s", cfg->label != NULL ? cfg->label : "");
    return t;
}

void engine_target_free(struct engine_target *t)
{
    free(t);
}

unsigned engine_target_connections(const struct engine_target *t)
{
    return t->connections;
}

const char *engine_target_label(const struct engine_target *t)
{
    return t->label;
}
