#pragma once

#include <stdbool.h>

/* Levelled diagnostics on stderr, one line per event, prefixed by level and
 * target. The level is the one process-wide setting: it is fixed by main()
 * before the first scan and only read afterwards. stdout is never touched. */
enum log_level {
    LOG_ERROR = 0,
    LOG_WARN,
    LOG_INFO,  /* -v: each handshake's outcome */
    LOG_DEBUG, /* -vv: each probe's details */
    LOG_TRACE, /* -vvv: hex dumps of what was sent and received */
};

void log_setup(enum log_level level, bool color);
bool log_enabled(enum log_level level);
/* target may be NULL for messages about no particular target. */
void log_msg(const char *target, enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* TRACE-level hex dump of bytes sent or received. */
void log_hex(const char *target, const char *label, const unsigned char *buf, unsigned long len);
