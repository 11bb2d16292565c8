#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "engine/engine.h"

/* Private to engine/: the engine, a target's connection queue, and `struct
 * conn`, the one TCP connection life cycle (queue, rate delay, connect, read,
 * timeout, close) that probes and libssl handshakes both drive. */

/* One read at a time lands here; a record is at most 2^14 + 2048 bytes. The
 * loop runs on one thread and each read is consumed by its callback before
 * the next one, so every connection shares the engine's buffer. */
#define CONN_READ_BUF 16384

struct engine {
    uv_loop_t loop;
    uint8_t rbuf[CONN_READ_BUF];
    unsigned jobs;
    unsigned jobs_active;
    struct engine_job *queue_head;
    struct engine_job *queue_tail;
};

struct conn;

struct engine_target {
    struct engine *e;
    struct sockaddr_storage addr;
    unsigned parallel;
    double rate;
    unsigned timeout_ms;
    uint64_t deadline_ms;     /* loop time past which nothing starts; 0 = none */
    bool abandoned;           /* engine_target_abandon: nothing starts, nothing waits */
    struct conn *active_list; /* admitted connections, for engine_target_abandon */
    char label[160];
    unsigned active;        /* admitted connections not yet closed */
    unsigned connections;   /* connects issued */
    uint64_t next_start_ms; /* rate limit: earliest start of the next connection */
    /* Waiting connections: queue[0] first, then queue[1] (bulk probes, see
     * probe_request.bulk), each in FIFO order. */
    struct conn_queue {
        struct conn *head;
        struct conn *tail;
    } queue[2];
};

/* What a connection's driver does at each step. */
struct conn_ops {
    /* TCP is up: send the first flight. */
    void (*connected)(struct conn *c);
    /* Bytes arrived; the driver calls conn_end() once it has its answer. */
    void (*data)(struct conn *c, const uint8_t *buf, size_t len);
    /* Called exactly once, after every handle is closed; the driver frees c
     * here (conn is embedded in the driver's object). */
    void (*closed)(struct conn *c);
};

struct conn {
    struct engine_target *t;
    const struct conn_ops *ops;
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_connect_t connect_req;
    int open_handles;
    bool tcp_open;
    bool delaying;                    /* the timer is counting the rate delay, not the timeout */
    bool ending;                      /* conn_end() was called: outcome is final */
    enum probe_outcome timer_outcome; /* when the timer ends the connection */
    enum probe_outcome outcome;
    int sys_errno;
    uint64_t started_ms;
    double elapsed_ms;
    size_t bytes_received;
    bool bulk;         /* waits in the target's bulk queue */
    struct conn *next; /* queue link */
    struct conn *active_prev, *active_next;
};

void conn_init(struct conn *c, struct engine_target *t, const struct conn_ops *ops);
/* Queues the connection on its target; it starts when parallel and rate allow. */
void conn_submit(struct conn *c);
/* Sends bytes (copied). Failure ends the connection. */
void conn_write(struct conn *c, const uint8_t *buf, size_t len);
/* Ends the connection with this outcome (the first call wins) and closes it;
 * ops->closed follows from the loop. */
void conn_end(struct conn *c, enum probe_outcome outcome, int sys_errno);
