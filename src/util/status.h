#pragma once

/* One error type for every fallible function in tlsgate: ST_OK is zero so that
 * TRY() can return early on anything else. A server's refusal is not an error
 * (see enum probe_outcome); these codes are for our own failures and for bytes
 * that do not parse. */
enum status {
    ST_OK = 0,
    ST_MALFORMED,   /* bytes from the peer or a data file do not parse */
    ST_UNSUPPORTED, /* well-formed but outside what tlsgate handles */
    ST_TOO_BIG,     /* a named cap was hit (see the cap's comment) */
    ST_NO_MEMORY,
    ST_IO,          /* a system call failed; detail is in the caller's context */
    ST_USAGE,       /* bad command line or configuration */
    ST_NOT_FOUND,
};

#if defined(__GNUC__) || defined(__clang__)
#define MUST_CHECK __attribute__((warn_unused_result))
#else
#define MUST_CHECK
#endif

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        enum status try_st_ = (expr);                                                              \
        if (try_st_ != ST_OK) {                                                                    \
            return try_st_;                                                                        \
        }                                                                                          \
    } while (0)

const char *status_name(enum status st);
