#include "checks/target_spec.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool target_is_ip_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static enum status target_port_parse(const char *s, uint16_t *port)
{
    size_t n = strlen(s);
    if (n == 0 || n > 5) {
        return ST_USAGE;
    }
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return ST_USAGE;
        }
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v == 0 || v > 65535) {
        return ST_USAGE;
    }
    *port = (uint16_t)v;
    return ST_OK;
}

static bool target_host_ok(const char *host, size_t len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)host[i];
        if (!isalnum(ch) && ch != '.' && ch != '-' && ch != '_' && ch != ':' && ch != '%') {
            return false;
        }
    }
    return true;
}

/* Locates host and port text inside spec; port_text is NULL when absent. */
static enum status target_split(const char *spec, const char **host, size_t *host_n,
                                const char **port_text)
{
    *port_text = NULL;
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (end == NULL || (end[1] != '\0' && end[1] != ':')) {
            return ST_USAGE;
        }
        *host = spec + 1;
        *host_n = (size_t)(end - spec - 1);
        *port_text = end[1] == ':' ? end + 2 : NULL;
        return ST_OK;
    }
    const char *colon = strchr(spec, ':');
    *host = spec;
    if (colon != NULL && strchr(colon + 1, ':') == NULL) {
        *host_n = (size_t)(colon - spec);
        *port_text = colon + 1;
    } else {
        *host_n = strlen(spec); /* no colon, or a bare IPv6 literal */
    }
    return ST_OK;
}

enum status target_spec_parse(const char *spec, uint16_t default_port, char *host, size_t host_len,
                              uint16_t *port, char *err, size_t errlen)
{
    const char *h = NULL;
    size_t hn = 0;
    const char *port_text = NULL;
    if (spec == NULL || target_split(spec, &h, &hn, &port_text) != ST_OK ||
        !target_host_ok(h, hn) || hn >= host_len || hn > 253) {
        snprintf(err, errlen, "invalid target '%s': expected host, host:port or [v6]:port",
                 spec != NULL ? spec : "");
        return ST_USAGE;
    }
    *port = default_port;
    if (port_text != NULL && target_port_parse(port_text, port) != ST_OK) {
        snprintf(err, errlen, "invalid port in target '%s': expected 1..65535", spec);
        return ST_USAGE;
    }
    memcpy(host, h, hn);
    host[hn] = '\0';
    if (strchr(host, ':') != NULL && !target_is_ip_literal(host)) {
        snprintf(err, errlen, "invalid target '%s': an IPv6 address goes in brackets", spec);
        return ST_USAGE;
    }
    return ST_OK;
}
