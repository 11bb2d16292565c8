#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

/* Set once by main() before any scan starts (see log.h). */
static enum log_level log_level_current = LOG_WARN;
static bool log_color;

void log_setup(enum log_level level, bool color)
{
    log_level_current = level;
    log_color = color;
}

bool log_enabled(enum log_level level)
{
    return level <= log_level_current;
}

static const char *level_name(enum log_level level)
{
    static const char *const names[] = {"error", "warning", "info", "debug", "trace"};
    return names[level];
}

static const char *level_color(enum log_level level)
{
    static const char *const colors[] = {"\033[1;31m", "\033[33m", "\033[36m", "\033[2m",
                                         "\033[2m"};
    return colors[level];
}

void log_msg(const char *target, enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level)) {
        return;
    }
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    const char *on = log_color ? level_color(level) : "";
    const char *off = log_color ? "\033[0m" : "";
    if (target != NULL) {
        fprintf(stderr, "%stlsgate: %s:%s %s: %s\n", on, level_name(level), off, target, line);
    } else {
        fprintf(stderr, "%stlsgate: %s:%s %s\n", on, level_name(level), off, line);
    }
}

void log_hex(const char *target, const char *label, const unsigned char *buf, unsigned long len)
{
    if (!log_enabled(LOG_TRACE)) {
        return;
    }
    log_msg(target, LOG_TRACE, "%s (%lu bytes)", label, len);
    for (unsigned long off = 0; off < len; off += 16) {
        char hex[16 * 3 + 1];
        unsigned long n = len - off < 16 ? len - off : 16;
        for (unsigned long i = 0; i < n; i++) {
            snprintf(hex + 3 * i, 4, "%02x ", buf[off + i]);
        }
        fprintf(stderr, "    %06lx  %s\n", off, hex);
    }
}
