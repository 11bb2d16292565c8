#include "cli/target.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/config.h"

static bool port_valid(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > 5 || strspn(p, "0123456789") != n) {
        return false;
    }
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

/* A host name or IPv4 literal: letters, digits, '-', '.', '_' (seen in
 * internal names). Anything else is a typo or a URL. */
static bool host_valid(const char *h, size_t n)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789-._";
    if (n == 0 || n > 253) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (strchr(allowed, h[i]) == NULL) {
            return false;
        }
    }
    return true;
}

#define DNS_LABEL_MAX 63 /* RFC 1035 2.3.4 */

static bool label_valid(const char *l, size_t n)
{
    static const char ldh[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "0123456789-";
    if (n == 0 || n > DNS_LABEL_MAX || l[0] == '-' || l[n - 1] == '-') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (strchr(ldh, l[i]) == NULL) {
            return false;
        }
    }
    return true;
}

bool cli_hostname_valid(const char *name, size_t n)
{
    if (n == 0 || n > CLI_SNI_MAX) {
        return false;
    }
    for (const char *end = name + n; name <= end;) {
        const char *dot = memchr(name, '.', (size_t)(end - name));
        const char *stop = dot != NULL ? dot : end;
        if (!label_valid(name, (size_t)(stop - name))) {
            return false;
        }
        name = stop + 1;
    }
    return true;
}

/* An IPv6 literal, optionally with a zone ("fe80::1%eth0"); the resolver
 * decides whether it really is one. */
static bool v6_valid(const char *h, size_t n)
{
    const char *pct = memchr(h, '%', n);
    size_t addr_len = pct != NULL ? (size_t)(pct - h) : n;
    if (addr_len < 2 || addr_len > 45 || (pct != NULL && n - addr_len < 2)) {
        return false;
    }
    for (size_t i = 0; i < addr_len; i++) {
        if (strchr("0123456789abcdefABCDEF:.", h[i]) == NULL) {
            return false;
        }
    }
    return pct == NULL || host_valid(pct + 1, n - addr_len - 1);
}

static enum status bracketed_check(const char *spec, char *err, size_t errlen)
{
    const char *close = strchr(spec, ']');
    if (close == NULL || !v6_valid(spec + 1, (size_t)(close - spec - 1))) {
        snprintf(err, errlen, "target '%s' is not a valid [IPv6 address]:port.", spec);
        return ST_USAGE;
    }
    if (close[1] == '\0') {
        return ST_OK;
    }
    if (close[1] != ':' || !port_valid(close + 2)) {
        snprintf(err, errlen, "target '%s' has a bad port; ports are 1 to 65535.", spec);
        return ST_USAGE;
    }
    return ST_OK;
}

enum status cli_target_check(const char *spec, char *err, size_t errlen)
{
    if (strlen(spec) > CLI_TARGET_MAX) {
        snprintf(err, errlen, "target '%.40s...' is too long to be a host name.", spec);
        return ST_USAGE;
    }
    if (strstr(spec, "://") != NULL) {
        snprintf(err, errlen, "target '%s' is a URL; give host or host:port.", spec);
        return ST_USAGE;
    }
    if (spec[0] == '[') {
        return bracketed_check(spec, err, errlen);
    }
    const char *colon = strchr(spec, ':');
    if (colon != NULL && strchr(colon + 1, ':') != NULL) {
        /* Two or more colons: a bare IPv6 address, which cannot carry a port. */
        if (!v6_valid(spec, strlen(spec))) {
            snprintf(err, errlen, "target '%s' is not a valid IPv6 address; write [addr]:port.",
                     spec);
            return ST_USAGE;
        }
        return ST_OK;
    }
    size_t host_len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
    if (!host_valid(spec, host_len)) {
        snprintf(err, errlen, "target '%s' is not a valid host name or address.", spec);
        return ST_USAGE;
    }
    if (colon != NULL && !port_valid(colon + 1)) {
        snprintf(err, errlen, "target '%s' has a bad port; ports are 1 to 65535.", spec);
        return ST_USAGE;
    }
    return ST_OK;
}

enum status cli_target_family_check(const char *spec, int family, char *err, size_t errlen)
{
    /* cli_target_check's forms: "[v6]..." or a bare IPv6 literal (two colons
     * or more), else host[:port] */
    const char *colon = strchr(spec, ':');
    bool is_v6 = spec[0] == '[' || (colon != NULL && strchr(colon + 1, ':') != NULL);
    char host[CLI_TARGET_MAX + 1];
    snprintf(host, sizeof(host), "%.*s", colon != NULL ? (int)(colon - spec) : (int)strlen(spec),
             spec);
    struct in_addr v4;
    bool is_v4 = !is_v6 && inet_pton(AF_INET, host, &v4) == 1;
    if (family == AF_INET && is_v6) {
        snprintf(err, errlen, "target '%s' is an IPv6 address, but -4 scans over IPv4 only.", spec);
        return ST_USAGE;
    }
    if (family == AF_INET6 && is_v4) {
        snprintf(err, errlen, "target '%s' is an IPv4 address, but -6 scans over IPv6 only.", spec);
        return ST_USAGE;
    }
    return ST_OK;
}
