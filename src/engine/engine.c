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
    engine_resolve_fn done;
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

static void engine_on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct engine_resolve_req *r = req->data;
    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof(addr));
    char err[320] = "";

    if (status < 0 || res == NULL) {
        snprintf(err, sizeof(err), "cannot resolve %s: %s", r->host,
                 status < 0 ? uv_strerror(status) : "no address");
    } else if (res->ai_addrlen > sizeof(addr)) {
        snprintf(err, sizeof(err), "cannot resolve %s: unusable address", r->host);
    } else {
        memcpy(&addr, res->ai_addr, res->ai_addrlen);
        engine_set_port(&addr, r->port);
    }
    uv_freeaddrinfo(res);
    r->done(r->arg, &addr, err[0] != '\0' ? err : NULL);
    free(r);
}

enum status engine_resolve(struct engine *e, const char *host, uint16_t port, int family,
                           engine_resolve_fn done, void *arg)
{
    struct engine_resolve_req *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return ST_NO_MEMORY;
    }
    if (strlen(host) >= sizeof(r->host)) {
        free(r);
        return ST_USAGE;
    }
    memcpy(r->host, host, strlen(host) + 1);
    r->done = done;
    r->arg = arg;
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
