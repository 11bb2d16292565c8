#include "report/names.h"

#include <stdio.h>

#include "registry/registry.h"
#include "results/scan_results.h"

const char *report_version_name(uint16_t version)
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
        return "unknown";
    }
}

static const char *const kex_names[] = {
    [KEX_NONE] = "NULL",
    [KEX_RSA] = "RSA",
    [KEX_RSA_EXPORT] = "RSA_EXPORT",
    [KEX_DH] = "DH",
    [KEX_DHE] = "DHE",
    [KEX_ECDH] = "ECDH",
    [KEX_ECDHE] = "ECDHE",
    [KEX_PSK] = "PSK",
    [KEX_DHE_PSK] = "DHE_PSK",
    [KEX_ECDHE_PSK] = "ECDHE_PSK",
    [KEX_RSA_PSK] = "RSA_PSK",
    [KEX_SRP] = "SRP",
    [KEX_KRB5] = "KRB5",
    [KEX_GOST] = "GOST",
    [KEX_ECCPWD] = "ECCPWD",
    [KEX_TLS13] = "TLS13",
    [KEX_SSL2] = "SSL2_RSA",
};

const char *report_kex_name(unsigned kex)
{
    if (kex >= sizeof(kex_names) / sizeof(kex_names[0]) || kex_names[kex] == NULL) {
        return "unknown";
    }
    return kex_names[kex];
}

const char *report_target_state_name(unsigned state)
{
    static const char *const names[] = {
        [TARGET_SCANNED] = "scanned",
        [TARGET_UNRESOLVED] = "unresolved",
        [TARGET_UNREACHABLE] = "unreachable",
        [TARGET_NOT_TLS] = "not_tls",
    };
    return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

const char *report_proto_state_name(unsigned state)
{
    static const char *const names[] = {
        [PROTO_NOT_TESTED] = "not_tested",
        [PROTO_SUPPORTED] = "supported",
        [PROTO_NOT_SUPPORTED] = "not_supported",
        [PROTO_INCONCLUSIVE] = "inconclusive",
    };
    return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

const char *report_client_verdict_name(unsigned verdict)
{
    static const char *const names[] = {
        [CLIENT_NOT_RUN] = "not_run",
        [CLIENT_CONNECTS] = "connects",
        [CLIENT_FAILS] = "fails",
        [CLIENT_INCONCLUSIVE] = "inconclusive",
    };
    return verdict < sizeof(names) / sizeof(names[0]) ? names[verdict] : "unknown";
}

const char *report_group_name(uint16_t code, char *buf, size_t len)
{
    const struct group_info *g = group_find(code);
    if (g != NULL) {
        return g->name;
    }
    snprintf(buf, len, "0x%04X", code);
    return buf;
}

const char *report_suite_code(uint32_t code, char *buf, size_t len)
{
    snprintf(buf, len, code > 0xffff ? "0x%06X" : "0x%04X", (unsigned)code);
    return buf;
}

const char *report_suite_name(uint32_t code, char *buf, size_t len)
{
    const struct suite_info *s = suite_find(code);
    if (s != NULL) {
        return s->name;
    }
    return report_suite_code(code, buf, len);
}

const char *report_suite_kex(const struct suite_info *s, uint16_t group)
{
    if (s == NULL) {
        return "unknown";
    }
    /* Anonymous suites say so: "DHE" alone would suggest an authenticated exchange. */
    if (s->auth == AUTH_ANON && s->kex == KEX_DHE) {
        return "DH_anon";
    }
    if (s->auth == AUTH_ANON && s->kex == KEX_ECDHE) {
        return "ECDH_anon";
    }
    if (s->kex != KEX_TLS13) {
        return report_kex_name(s->kex);
    }
    /* TLS 1.3 suites do not name a key exchange: the key_share group does. */
    const struct group_info *g = group_find(group);
    if (g == NULL) {
        return "TLS13";
    }
    switch (g->kind) {
    case GROUP_EC:
        return "ECDHE";
    case GROUP_FFDHE:
        return "DHE";
    case GROUP_HYBRID:
        return "HYBRID";
    case GROUP_PQ:
        return "KEM";
    default:
        return "TLS13";
    }
}
