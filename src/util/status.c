#include "util/status.h"

const char *status_name(enum status st)
{
    static const char *const names[] = {
        [ST_OK] = "ok",
        [ST_MALFORMED] = "malformed input",
        [ST_UNSUPPORTED] = "unsupported",
        [ST_TOO_BIG] = "size limit exceeded",
        [ST_NO_MEMORY] = "out of memory",
        [ST_IO] = "I/O error",
        [ST_USAGE] = "usage error",
        [ST_NOT_FOUND] = "not found",
    };
    if ((unsigned)st < sizeof(names) / sizeof(names[0]) && names[st] != 0) {
        return names[st];
    }
    return "unknown status";
}
