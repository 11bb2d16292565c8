#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clients/profile.h"
#include "registry/registry.h"

/* Would a client complete the handshake, given the server's answer to its
 * own hello? Pure: reads the answer, the profile and the certificate, and
 * writes a verdict with its reason in words. The first rule broken is the
 * reason reported, in the order a real client checks: version, suite,
 * App Transport Security, key exchange, certificate. */

/* The facts about the leaf certificate that clients' rules look at. */
struct leaf_facts {
    bool present;
    bool is_rsa;
    bool is_ec;
    int bits;
    char sig_alg[64];
};

static const char *suite_label(uint16_t code, char *buf, size_t len)
{
    const struct suite_info *s = suite_find(code);
    if (s != NULL) {
        return s->name;
    }
    snprintf(buf, len, "suite 0x%04x", code);
    return buf;
}

static const char *group_label(uint16_t code, char *buf, size_t len)
{
    const struct group_info *g = group_find(code);
    if (g != NULL) {
        return g->name;
    }
    snprintf(buf, len, "group 0x%04x", code);
    return buf;
}

/* Versions in the words people use; the why texts are read by people. */
const char *client_version_words(uint16_t v)
{
    switch (v) {
    case VERSION_SSL2:
        return "SSL 2.0";
    case VERSION_SSL3:
        return "SSL 3.0";
    case VERSION_TLS10:
        return "TLS 1.0";
    case VERSION_TLS11:
        return "TLS 1.1";
    case VERSION_TLS12:
        return "TLS 1.2";
    case VERSION_TLS13:
        return "TLS 1.3";
    default:
        return version_name(v);
    }
}

static bool in_list(const uint16_t *list, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == v) {
            return true;
        }
    }
    return false;
}

static bool offers_version(const struct client_profile *p, uint16_t v)
{
    if (p->n_versions > 0) {
        return in_list(p->versions, p->n_versions, v);
    }
    return v >= VERSION_SSL3 && v <= p->client_version;
}

/* Key shares the hello carries (RFC 8446 4.2.8). */
static bool sent_key_share(const struct client_profile *p, uint16_t group)
{
    for (size_t i = 0; i < p->n_exts; i++) {
        for (size_t k = 0; k < p->exts[i].n_shares; k++) {
            if (p->exts[i].shares[k].group == group) {
                return true;
            }
        }
    }
    return false;
}

__attribute__((format(printf, 3, 4))) static void
verdict(struct client_result *out, enum client_verdict v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof(out->why), fmt, ap);
    va_end(ap);
    out->verdict = (uint8_t)v;
}

/* ------------------------------------------------------------ certificate */

static void leaf_from_der(const uint8_t *der, size_t len, struct leaf_facts *lf)
{
    const unsigned char *q = der;
    X509 *x = d2i_X509(NULL, &q, (long)len);
    if (x == NULL) {
        return;
    }
    EVP_PKEY *key = X509_get0_pubkey(x);
    if (key != NULL) {
        lf->present = true;
        lf->is_rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
        lf->is_ec = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC;
        lf->bits = EVP_PKEY_get_bits(key);
        snprintf(lf->sig_alg, sizeof(lf->sig_alg), "%s", OBJ_nid2ln(X509_get_signature_nid(x)));
    }
    X509_free(x);
}

/* The certificate of this very handshake when the flight carried one (TLS
 * <= 1.2; a server with RSA and ECDSA certificates picks by suite), else the
 * one the scan found. */
static void leaf_facts_get(const struct server_flight *f, const struct cert_result *cert,
                           struct leaf_facts *lf)
{
    memset(lf, 0, sizeof(*lf));
    if (f->n_certs > 0) {
        leaf_from_der(f->certs[0].der, f->certs[0].len, lf);
    }
    if (!lf->present && cert != NULL && cert->present) {
        lf->present = true;
        lf->is_rsa = strcmp(cert->key_type, "RSA") == 0;
        lf->is_ec = strcmp(cert->key_type, "EC") == 0;
        lf->bits = cert->key_bits;
        snprintf(lf->sig_alg, sizeof(lf->sig_alg), "%s", cert->sig_alg);
    }
}

/* SHA-2 of at least min_bits in the signature algorithm's name
 * ("sha256WithRSAEncryption", "ecdsa-with-SHA384"); EdDSA hashes with SHA-2
 * or SHAKE by definition. RSASSA-PSS names no hash: counted as SHA-2, as PSS
 * certificates with SHA-1 are not seen in practice. */
static bool sig_is_sha2(const char *alg, int min_bits)
{
    static const struct {
        const char *needle;
        int bits;
    } hashes[] = {{"sha224", 224},  {"sha256", 256}, {"sha384", 384}, {"sha512", 512},
                  {"ed25519", 512}, {"ed448", 512},  {"pss", 256}};
    for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
        if (strcasestr(alg, hashes[i].needle) != NULL) {
            return hashes[i].bits >= min_bits;
        }
    }
    return false;
}

static bool judge_cert_ats(const struct client_profile *p, const struct leaf_facts *lf,
                           struct client_result *out)
{
    const struct client_ats *ats = &p->ats;
    if (lf->is_rsa && ats->min_rsa_bits && lf->bits < ats->min_rsa_bits) {
        verdict(out, CLIENT_FAILS, "ATS: certificate RSA %d bits below %u", lf->bits,
                ats->min_rsa_bits);
        return false;
    }
    if (lf->is_ec && ats->min_ecc_bits && lf->bits < ats->min_ecc_bits) {
        verdict(out, CLIENT_FAILS, "ATS: certificate EC %d bits below %u", lf->bits,
                ats->min_ecc_bits);
        return false;
    }
    if (ats->sha2_signature && lf->sig_alg[0] && !sig_is_sha2(lf->sig_alg, 256)) {
        verdict(out, CLIENT_FAILS,
                "ATS: certificate signed with %s, ATS requires SHA-256 or better", lf->sig_alg);
        return false;
    }
    return true;
}

static bool judge_cert(const struct client_profile *p, const struct leaf_facts *lf,
                       struct client_result *out)
{
    const struct client_accepts *a = &p->accepts;
    if (!lf->present) {
        return true;
    }
    if (p->ats.present && !judge_cert_ats(p, lf, out)) {
        return false;
    }
    if (lf->is_rsa && a->min_rsa_bits && lf->bits < a->min_rsa_bits) {
        verdict(out, CLIENT_FAILS, "certificate RSA %d bits below the client's minimum %u",
                lf->bits, a->min_rsa_bits);
        return false;
    }
    if (lf->is_rsa && a->max_rsa_bits && lf->bits > a->max_rsa_bits) {
        verdict(out, CLIENT_FAILS, "certificate RSA %d bits above the client's maximum %u",
                lf->bits, a->max_rsa_bits);
        return false;
    }
    if (lf->is_ec && a->min_ecdsa_bits && lf->bits < a->min_ecdsa_bits) {
        verdict(out, CLIENT_FAILS, "certificate ECDSA %d bits below the client's minimum %u",
                lf->bits, a->min_ecdsa_bits);
        return false;
    }
    if (a->requires_sha2 && lf->sig_alg[0] && !sig_is_sha2(lf->sig_alg, 224)) {
        verdict(out, CLIENT_FAILS, "certificate signed with %s; the client requires SHA-2",
                lf->sig_alg);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ the answer */

static bool judge_version(const struct client_profile *p, uint16_t v, struct client_result *out)
{
    if (!offers_version(p, v) && v > p->max_version) {
        verdict(out, CLIENT_FAILS, "server chose %s, which the client did not offer",
                client_version_words(v));
        return false;
    }
    if (!offers_version(p, v) || v < p->accepts.min_version) {
        verdict(out, CLIENT_FAILS, "server chose %s, below the client's minimum %s",
                client_version_words(v), client_version_words(p->accepts.min_version));
        return false;
    }
    if (p->ats.present && v < p->ats.min_version) {
        verdict(out, CLIENT_FAILS, "ATS: server negotiated %s, ATS requires %s or later",
                client_version_words(v), client_version_words(p->ats.min_version));
        return false;
    }
    return true;
}

static bool judge_suite(const struct client_profile *p, const struct server_hello *sh,
                        struct client_result *out)
{
    char buf[32];
    const struct suite_info *s = suite_find(sh->suite);
    if (!in_list(p->suites, p->n_suites, sh->suite) || (s && (s->flags & SUITE_SCSV))) {
        verdict(out, CLIENT_FAILS, "server chose a suite the client did not offer (%s)",
                suite_label(sh->suite, buf, sizeof(buf)));
        return false;
    }
    if (s != NULL && !suite_usable_in(s, sh->version)) {
        verdict(out, CLIENT_FAILS, "server chose %s, which %s does not allow", s->name,
                client_version_words(sh->version));
        return false;
    }
    if (memchr(p->compression, sh->compression, p->n_compression) == NULL) {
        verdict(out, CLIENT_FAILS, "server chose compression method %u, not offered",
                sh->compression);
        return false;
    }
    bool tls13 = sh->version >= VERSION_TLS13;
    if (p->ats.present && !tls13 && !in_list(p->ats.suites, p->ats.n_suites, sh->suite)) {
        verdict(out, CLIENT_FAILS,
                "ATS: server chose %s, not a forward-secret ECDHE suite ATS accepts",
                suite_label(sh->suite, buf, sizeof(buf)));
        return false;
    }
    return true;
}

/* TLS 1.0/1.1 sign the ServerKeyExchange with MD5+SHA-1 (RFC 4346 7.4.3). */
static bool judge_legacy_signature(const struct client_profile *p, const struct server_hello *sh,
                                   struct client_result *out)
{
    const struct suite_info *s = suite_find(sh->suite);
    bool signed_kx = s != NULL && (s->kex == KEX_DHE || s->kex == KEX_ECDHE) &&
                     s->auth != AUTH_ANON && s->auth != AUTH_NONE;
    if (!p->accepts.legacy_kx_signature && signed_kx && sh->version < VERSION_TLS12) {
        verdict(out, CLIENT_FAILS,
                "server signs its %s key exchange with MD5+SHA-1, which the client refuses",
                client_version_words(sh->version));
        return false;
    }
    return true;
}

static bool judge_kx12(const struct client_profile *p, const struct server_flight *f,
                       struct client_result *out)
{
    const struct client_accepts *a = &p->accepts;
    const struct server_kx *kx = &f->kx;
    char buf[32];
    if (!judge_legacy_signature(p, &f->sh, out)) {
        return false;
    }
    if (kx->is_dh) {
        out->dh_bits = kx->dh_p_bits;
        if (a->min_dh_bits && kx->dh_p_bits < a->min_dh_bits) {
            verdict(out, CLIENT_FAILS, "DH %u bits below the client's minimum %u", kx->dh_p_bits,
                    a->min_dh_bits);
            return false;
        }
        if (a->max_dh_bits && kx->dh_p_bits > a->max_dh_bits) {
            verdict(out, CLIENT_FAILS, "DH %u bits above the client's maximum %u", kx->dh_p_bits,
                    a->max_dh_bits);
            return false;
        }
    }
    if (kx->is_ecdh) {
        out->group = kx->named_curve;
        if (kx->named_curve == 0) {
            verdict(out, CLIENT_FAILS, "server uses an explicit curve (%u bits)",
                    kx->explicit_bits);
            return false;
        }
        /* RFC 8422 5.1: without the extension any curve may be used */
        if (p->sends_groups && !in_list(p->groups, p->n_groups, kx->named_curve)) {
            verdict(out, CLIENT_FAILS, "server chose curve %s, which the client did not offer",
                    group_label(kx->named_curve, buf, sizeof(buf)));
            return false;
        }
    }
    return true;
}

static bool judge_kx13(const struct client_profile *p, const struct server_hello *sh,
                       struct client_result *out)
{
    char buf[32];
    out->group = sh->key_share_group;
    if (!sent_key_share(p, sh->key_share_group)) {
        verdict(out, CLIENT_FAILS, "server chose group %s, for which the client sent no key share",
                group_label(sh->key_share_group, buf, sizeof(buf)));
        return false;
    }
    return true;
}

static void judge_server_hello(const struct client_profile *p, const struct server_flight *f,
                               const struct cert_result *cert, struct client_result *out)
{
    const struct server_hello *sh = &f->sh;
    out->version = sh->version;
    out->suite = sh->suite;
    if (!judge_version(p, sh->version, out) || !judge_suite(p, sh, out)) {
        return;
    }
    bool tls13 = sh->version >= VERSION_TLS13;
    if (tls13 ? !judge_kx13(p, sh, out) : !judge_kx12(p, f, out)) {
        return;
    }
    struct leaf_facts lf;
    leaf_facts_get(f, cert, &lf);
    if (!judge_cert(p, &lf, out)) {
        return;
    }
    verdict(out, CLIENT_CONNECTS, "%s", "");
}

/* RFC 8446 4.1.4: the client answers a HelloRetryRequest with a second hello
 * when the group is one it supports and did not already send a share for. */
static void judge_hrr(const struct client_profile *p, const struct server_flight *f,
                      const struct cert_result *cert, struct client_result *out)
{
    const struct server_hello *sh = &f->sh;
    char buf[32];
    out->version = sh->version;
    out->suite = sh->suite;
    out->group = sh->key_share_group;
    if (!judge_version(p, sh->version, out) || !judge_suite(p, sh, out)) {
        return;
    }
    const char *g = group_label(sh->key_share_group, buf, sizeof(buf));
    if (!in_list(p->groups, p->n_groups, sh->key_share_group)) {
        verdict(out, CLIENT_FAILS, "server asked for group %s, which the client does not support",
                g);
        return;
    }
    if (sent_key_share(p, sh->key_share_group)) {
        verdict(out, CLIENT_FAILS, "server asked again for group %s, already sent", g);
        return;
    }
    struct leaf_facts lf;
    leaf_facts_get(f, cert, &lf);
    if (judge_cert(p, &lf, out)) {
        verdict(out, CLIENT_CONNECTS, "after a HelloRetryRequest for %s", g);
    }
}

static void judge_alert(const struct client_profile *p, const struct server_flight *f,
                        struct client_result *out)
{
    const char *name = alert_name(f->alert_desc);
    switch (f->alert_desc) {
    case ALERT_HANDSHAKE_FAILURE:
    case ALERT_INSUFFICIENT_SECURITY:
        verdict(out, CLIENT_FAILS, "%s (server alert %s)",
                p->ats.present ? "ATS: the server accepts none of the forward-secret suites ATS allows"
                               : "no shared cipher suite",
                name);
        break;
    case ALERT_PROTOCOL_VERSION:
        verdict(out, CLIENT_FAILS,
                "server refused every version the client offers, up to %s "
                "(server alert %s)",
                client_version_words(p->max_version), name);
        break;
    case ALERT_UNRECOGNIZED_NAME:
        verdict(out, CLIENT_FAILS, "server does not serve the name sent (server alert %s)", name);
        break;
    default:
        verdict(out, CLIENT_FAILS, "server refused the hello (server alert %s)", name);
        break;
    }
}

void client_judge(const struct client_profile *p, const struct probe_result *res,
                  const struct cert_result *cert, struct client_result *out)
{
    memset(out, 0, sizeof(*out));
    out->id = p->id;
    if (res->outcome != PROBE_ANSWERED) {
        probe_describe(res, out->why, sizeof(out->why));
        out->verdict = CLIENT_INCONCLUSIVE;
        return;
    }
    const struct server_flight *f = &res->flight;
    switch (f->answer) {
    case ANSWER_ALERT:
        judge_alert(p, f, out);
        break;
    case ANSWER_SERVER_HELLO:
        judge_server_hello(p, f, cert, out);
        break;
    case ANSWER_HRR:
        judge_hrr(p, f, cert, out);
        break;
    case ANSWER_SSL2_SERVER_HELLO:
        verdict(out, CLIENT_FAILS, "server answered in SSLv2, which the client does not speak");
        break;
    default:
        probe_describe(res, out->why, sizeof(out->why));
        out->verdict = CLIENT_INCONCLUSIVE;
        break;
    }
}
