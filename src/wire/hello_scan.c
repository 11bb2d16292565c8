#include <string.h>

#include "registry/registry.h"
#include "wire/hello_client.h"
#include "wire/suite_kex.h"
#include "wire/tls_const.h"
#include "wire/writer.h"

/* Room for the bodies of the scanner's extensions; the largest is a
 * caller-given group list. */
#define SCAN_EXT_SCRATCH 4096
#define SCAN_MAX_EXTS    10

/* RFC 7685 3: the padding extension's body is zero bytes. */
static const uint8_t pad_zeros[PAD_HIGH];

struct ext_list {
    struct writer scratch;
    struct hello_ext exts[SCAN_MAX_EXTS];
    size_t n;
    size_t open_at;
};

static void ext_begin(struct ext_list *l)
{
    l->open_at = l->scratch.len;
}

/* Records the bytes written since ext_begin() as the body of `type`. */
static void ext_end(struct ext_list *l, uint16_t type)
{
    if (l->n >= SCAN_MAX_EXTS || !wr_ok(&l->scratch)) {
        l->scratch.bad = true;
        return;
    }
    l->exts[l->n].type = type;
    l->exts[l->n].body = l->scratch.buf + l->open_at;
    l->exts[l->n].len = l->scratch.len - l->open_at;
    l->n++;
}

/* RFC 6066 3: SNI carries DNS names only, never IP literals. */
static bool sni_is_name(const char *sni)
{
    if (sni == NULL || sni[0] == '\0' || strchr(sni, ':') != NULL) {
        return false;
    }
    return strspn(sni, "0123456789.") != strlen(sni);
}

static void ext_server_name(struct ext_list *l, const char *sni)
{
    size_t n = strlen(sni);
    ext_begin(l);
    wr_vec16_open(&l->scratch);
    wr_u8(&l->scratch, SNI_HOST_NAME);
    wr_vec16_open(&l->scratch);
    wr_bytes(&l->scratch, (const uint8_t *)sni, n);
    wr_vec_close(&l->scratch);
    wr_vec_close(&l->scratch);
    ext_end(l, EXT_SERVER_NAME);
}

static void ext_u16_list(struct ext_list *l, uint16_t type, const uint16_t *v, size_t n)
{
    ext_begin(l);
    wr_vec16_open(&l->scratch);
    for (size_t i = 0; i < n; i++) {
        wr_u16(&l->scratch, v[i]);
    }
    wr_vec_close(&l->scratch);
    ext_end(l, type);
}

static void ext_point_formats(struct ext_list *l)
{
    ext_begin(l);
    wr_vec8_open(&l->scratch);
    wr_u8(&l->scratch, EC_POINT_UNCOMPRESSED);
    wr_u8(&l->scratch, EC_POINT_COMPRESSED_PRIME);
    wr_u8(&l->scratch, EC_POINT_COMPRESSED_CHAR2);
    wr_vec_close(&l->scratch);
    ext_end(l, EXT_EC_POINT_FORMATS);
}

static void ext_tls13(struct ext_list *l, unsigned flags)
{
    if (!(flags & SCAN_HELLO_NO_SUPPORTED_VERSIONS)) {
        ext_begin(l);
        wr_vec8_open(&l->scratch);
        wr_u16(&l->scratch, VERSION_TLS13);
        wr_vec_close(&l->scratch);
        ext_end(l, EXT_SUPPORTED_VERSIONS);
    }

    /* RFC 8446 4.2.8: an empty client_shares list asks for a HelloRetryRequest. */
    ext_begin(l);
    wr_vec16_open(&l->scratch);
    wr_vec_close(&l->scratch);
    ext_end(l, EXT_KEY_SHARE);
}

static void ext_empty(struct ext_list *l, uint16_t type)
{
    ext_begin(l);
    ext_end(l, type);
}

#define SCAN_MAX_DEFAULT_GROUPS 64

static bool scan_needs_groups(const struct scan_hello *h)
{
    if (h->version >= VERSION_TLS13) {
        return true;
    }
    for (size_t i = 0; i < h->n_suites; i++) {
        if (wire_suite_uses_groups(h->suites[i])) {
            return true;
        }
    }
    return false;
}

static void scan_exts_fill(struct ext_list *l, const struct scan_hello *h)
{
    if (!(h->flags & SCAN_HELLO_NO_SNI) && sni_is_name(h->sni)) {
        ext_server_name(l, h->sni);
    }
    if (scan_needs_groups(h)) {
        const uint16_t *groups = h->groups != NULL ? h->groups : scan_default_groups;
        size_t n = h->groups != NULL ? h->n_groups : scan_default_groups_len;
        uint16_t no_ffdhe[SCAN_MAX_DEFAULT_GROUPS];
        if (h->groups == NULL && h->version <= VERSION_TLS12) {
            /* RFC 7919 4: a TLS 1.2 server offered FFDHE groups it has none
             * of must not pick a DHE suite, while one offered none uses its
             * own parameters. The suite probes ask what the server accepts
             * from clients at large, and most (browsers, curl, OpenSSL) send
             * no FFDHE group: neither do these. */
            size_t k = 0;
            for (size_t i = 0; i < n && k < SCAN_MAX_DEFAULT_GROUPS; i++) {
                if (groups[i] < 0x0100 || groups[i] > 0x01ff) {
                    no_ffdhe[k++] = groups[i];
                }
            }
            groups = no_ffdhe;
            n = k;
        }
        ext_u16_list(l, EXT_SUPPORTED_GROUPS, groups, n);
        ext_point_formats(l);
    }
    /* RFC 5246 7.4.1.4.1: signature_algorithms exists from TLS 1.2 on. */
    if (h->version >= VERSION_TLS12) {
        ext_u16_list(l, EXT_SIGNATURE_ALGORITHMS, scan_default_sigalgs, scan_default_sigalgs_len);
    }
    if (h->version >= VERSION_TLS13) {
        ext_tls13(l, h->flags);
    }
    /* RFC 5746 3.4: an empty renegotiation_info marks a secure initial handshake. */
    ext_begin(l);
    wr_u8(&l->scratch, 0);
    ext_end(l, EXT_RENEGOTIATION_INFO);
    ext_empty(l, EXT_EXTENDED_MASTER_SECRET);
}

static enum status scan_hello_check(const struct scan_hello *h)
{
    if (h->version < VERSION_SSL3 || h->version > VERSION_TLS13 || h->random == NULL) {
        return ST_USAGE;
    }
    if (h->sni != NULL && strlen(h->sni) > SNI_MAX_NAME) {
        return ST_USAGE;
    }
    /* Without the flag a real key share would be needed, and the wire layer
     * computes no keys. */
    if (h->version == VERSION_TLS13 && !(h->flags & SCAN_HELLO_EMPTY_KEY_SHARE)) {
        return ST_UNSUPPORTED;
    }
    return ST_OK;
}

/* RFC 7685 4: pads the handshake message to PAD_HIGH bytes when it falls in
 * the range some load balancers drop. Accounts differ on whether the record
 * header counts, so a hello in the range by either measure is padded. */
static enum status scan_hello_pad(struct hello_spec *spec, struct ext_list *l, uint8_t *out,
                                  size_t cap, size_t *out_len)
{
    size_t hs_len = *out_len - RECORD_HEADER_LEN;
    if (*out_len < PAD_LOW || hs_len >= PAD_HIGH || l->n >= SCAN_MAX_EXTS) {
        return ST_OK;
    }
    size_t need = PAD_HIGH - hs_len;
    size_t body = need >= 4 ? need - 4 : 0;
    l->exts[l->n].type = EXT_PADDING;
    l->exts[l->n].body = pad_zeros;
    l->exts[l->n].len = body;
    l->n++;
    spec->n_exts = l->n;
    return hello_client_build(spec, out, cap, out_len);
}

enum status hello_scan_build(const struct scan_hello *h, uint8_t *out, size_t cap, size_t *out_len)
{
    TRY(scan_hello_check(h));

    uint8_t scratch[SCAN_EXT_SCRATCH];
    struct ext_list l = {.scratch = wr_init(scratch, sizeof(scratch))};
    bool no_exts = (h->flags & SCAN_HELLO_NO_EXTENSIONS) != 0;
    if (!no_exts) {
        scan_exts_fill(&l, h);
    }
    if (!wr_done(&l.scratch)) {
        return ST_TOO_BIG;
    }

    /* TLS 1.3 (RFC 8446 4.1.2, D.1): the record says TLS 1.0 and the hello
     * TLS 1.2 so that old middleboxes pass it. Older probes put the probed
     * version in both, so an intolerant server refuses at once. */
    bool tls13 = h->version == VERSION_TLS13;
    struct hello_spec spec = {
        .record_version = tls13 ? VERSION_TLS10 : h->version,
        .legacy_version = tls13 ? VERSION_TLS12 : h->version,
        .random = h->random,
        .suites = h->suites,
        .n_suites = h->n_suites,
        .exts = l.exts,
        .n_exts = l.n,
        .no_extensions_block = no_exts,
    };
    TRY(hello_client_build(&spec, out, cap, out_len));
    if (!no_exts && (h->flags & SCAN_HELLO_PAD)) {
        TRY(scan_hello_pad(&spec, &l, out, cap, out_len));
    }
    return ST_OK;
}
