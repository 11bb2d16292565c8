#include "registry/registry.h"

#include <strings.h>

/* The tables are generated sorted by code (tools/gen_registry.py), SSLv2
 * specs last because their 3-byte codes are larger than any 2-byte code. */

const struct suite_info *suite_find(uint32_t code)
{
    size_t lo = 0;
    size_t hi = suite_table_len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t c = suite_table[mid].code;

        if (c == code) {
            return &suite_table[mid];
        }
        if (c < code) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* Two passes so that an IANA name always wins over an OpenSSL name: OpenSSL
 * reuses "RC4-MD5" for both TLS 0x0004 and the SSLv2 spec 0x010080, and the
 * table order then picks the TLS suite. */
const struct suite_info *suite_find_name(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < suite_table_len; i++) {
        if (strcasecmp(suite_table[i].name, name) == 0) {
            return &suite_table[i];
        }
    }
    for (size_t i = 0; i < suite_table_len; i++) {
        const char *o = suite_table[i].openssl_name;

        if (o != NULL && strcasecmp(o, name) == 0) {
            return &suite_table[i];
        }
    }
    return NULL;
}

bool suite_usable_in(const struct suite_info *s, uint16_t version)
{
    if (s == NULL || (s->flags & SUITE_SCSV)) {
        return false;
    }

    /* SSLv2 speaks its own 3-byte cipher specs and nothing else. */
    if ((s->flags & SUITE_SSLV2) || version == VERSION_SSL2) {
        return (s->flags & SUITE_SSLV2) && version == VERSION_SSL2;
    }

    /* RFC 8446 4.1.2: TLS 1.3 suites only in 1.3, and 1.3 takes nothing else. */
    if ((s->flags & SUITE_TLS13) || version == VERSION_TLS13) {
        return (s->flags & SUITE_TLS13) && version == VERSION_TLS13;
    }

    if (s->flags & SUITE_TLS12) {
        return version >= VERSION_TLS12;
    }
    return version >= VERSION_SSL3 && version <= VERSION_TLS12;
}

const struct group_info *group_find(uint16_t code)
{
    size_t lo = 0;
    size_t hi = group_table_len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (group_table[mid].code == code) {
            return &group_table[mid];
        }
        if (group_table[mid].code < code) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const struct group_info *group_find_name(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < group_table_len; i++) {
        if (strcasecmp(group_table[i].name, name) == 0) {
            return &group_table[i];
        }
    }
    return NULL;
}

const struct sigalg_info *sigalg_find(uint16_t code)
{
    size_t lo = 0;
    size_t hi = sigalg_table_len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (sigalg_table[mid].code == code) {
            return &sigalg_table[mid];
        }
        if (sigalg_table[mid].code < code) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const char *version_name(uint16_t version)
{
    switch (version) {
    case VERSION_SSL2:
        return "SSLv2";
    case VERSION_SSL3:
        return "SSLv3";
    case VERSION_TLS10:
        return "TLSv1.0";
    case VERSION_TLS11:
        return "TLSv1.1";
    case VERSION_TLS12:
        return "TLSv1.2";
    case VERSION_TLS13:
        return "TLSv1.3";
    default:
        return "unknown version";
    }
}

static const char *auth_cert_key_type(uint8_t auth)
{
    switch (auth) {
    case AUTH_RSA:
        return "RSA";
    case AUTH_DSS:
        return "DSA";
    case AUTH_ECDSA:
        return "EC";
    default:
        return NULL;
    }
}

const char *suite_cert_key_type(const struct suite_info *s)
{
    switch (s->kex) {
    case KEX_RSA:
    case KEX_RSA_EXPORT:
    case KEX_RSA_PSK:
    case KEX_SSL2:
        return "RSA";
    case KEX_DH:
        return "DH";
    case KEX_ECDH:
        return "EC";
    case KEX_DHE:
    case KEX_ECDHE:
    case KEX_SRP:
        return auth_cert_key_type(s->auth);
    default:
        return NULL;
    }
}
