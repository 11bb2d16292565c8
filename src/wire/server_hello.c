#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "registry/registry.h"
#include "wire/reader.h"
#include "wire/server_msgs.h"
#include "wire/tls_const.h"

#define SH_RANDOM_LEN     32
#define SH_MAX_SESSION_ID 32
#define SH_SENTINEL_LEN   8

/* RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello whose random is
 * SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_random[SH_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446 4.1.3: the downgrade sentinels, "DOWNGRD" then 01 or 00. */
static const uint8_t downgrade_tls12[SH_SENTINEL_LEN] = {0x44, 0x4f, 0x57, 0x4e,
                                                         0x47, 0x52, 0x44, 0x01};
static const uint8_t downgrade_tls11[SH_SENTINEL_LEN] = {0x44, 0x4f, 0x57, 0x4e,
                                                         0x47, 0x52, 0x44, 0x00};

void why_set(char *why, size_t why_cap, const char *fmt, ...)
{
    if (why == NULL || why_cap == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(why, why_cap, fmt, ap);
    va_end(ap);
}

static const char *sh_name(const struct server_hello *sh)
{
    return sh->is_hrr ? "HelloRetryRequest" : "ServerHello";
}

/* RFC 8446 4.2.1 (selected_version), 4.2.8 (key_share), 4.2.2 (cookie),
 * RFC 5746 3.2 (renegotiation_info), RFC 7627 5.1 (extended_master_secret). */
static bool sh_ext_body_ok(struct server_hello *sh, uint16_t type, struct reader *body)
{
    switch (type) {
    case EXT_SUPPORTED_VERSIONS:
        sh->has_supported_versions = true;
        sh->version = rd_u16(body);
        break;
    case EXT_KEY_SHARE: {
        sh->key_share_group = rd_u16(body);
        if (!sh->is_hrr) {
            struct reader key = rd_vec16(body);
            return rd_done(body) && rd_len(&key) > 0;
        }
        break;
    }
    case EXT_COOKIE: {
        sh->has_cookie = true;
        struct reader cookie = rd_vec16(body);
        return rd_done(body) && rd_len(&cookie) > 0;
    }
    case EXT_RENEGOTIATION_INFO: {
        sh->has_renegotiation_info = true;
        struct reader reneg = rd_vec8(body);
        (void)reneg;
        break;
    }
    case EXT_EXTENDED_MASTER_SECRET:
        sh->has_extended_master_secret = true;
        break;
    default:
        /* Unknown or uninteresting to a scanner: skipped whole. */
        rd_skip(body, rd_left(body));
        break;
    }
    return rd_done(body);
}

static enum status sh_exts_parse(struct reader *exts, struct server_hello *sh, char *why,
                                 size_t why_cap)
{
    while (rd_ok(exts) && rd_left(exts) > 0) {
        uint16_t type = rd_u16(exts);
        struct reader body = rd_vec16(exts);
        if (!rd_ok(exts)) {
            why_set(why, why_cap, "%s extension block truncated", sh_name(sh));
            return ST_MALFORMED;
        }

        /* RFC 8446 4.2: no extension type may appear twice in one block. */
        for (size_t i = 0; i < sh->n_exts; i++) {
            if (sh->ext_types[i] == type) {
                why_set(why, why_cap, "%s repeats extension %u", sh_name(sh), type);
                return ST_MALFORMED;
            }
        }
        if (sh->n_exts >= FLIGHT_MAX_EXTS) {
            why_set(why, why_cap, "%s carries more than %d extensions", sh_name(sh),
                    FLIGHT_MAX_EXTS);
            return ST_MALFORMED;
        }
        sh->ext_types[sh->n_exts++] = type;

        if (!sh_ext_body_ok(sh, type, &body)) {
            why_set(why, why_cap, "%s extension %u malformed (%zu bytes)", sh_name(sh), type,
                    rd_len(&body));
            return ST_MALFORMED;
        }
    }
    return ST_OK;
}

static void sh_random_classify(struct server_hello *sh)
{
    sh->is_hrr = memcmp(sh->random, hrr_random, SH_RANDOM_LEN) == 0;
    const uint8_t *tail = sh->random + SH_RANDOM_LEN - SH_SENTINEL_LEN;
    if (memcmp(tail, downgrade_tls12, SH_SENTINEL_LEN) == 0) {
        sh->downgrade = DOWNGRADE_TLS12;
    } else if (memcmp(tail, downgrade_tls11, SH_SENTINEL_LEN) == 0) {
        sh->downgrade = DOWNGRADE_TLS11;
    }
}

enum status server_hello_parse(const uint8_t *body, size_t len, struct server_hello *sh, char *why,
                               size_t why_cap)
{
    memset(sh, 0, sizeof(*sh));
    struct reader r = rd_init(body, len);

    sh->legacy_version = rd_u16(&r);
    const uint8_t *random = rd_bytes(&r, SH_RANDOM_LEN);
    struct reader sid = rd_vec8(&r);
    sh->suite = rd_u16(&r);
    sh->compression = rd_u8(&r);
    if (!rd_ok(&r)) {
        why_set(why, why_cap, "ServerHello truncated (%zu bytes)", len);
        return ST_MALFORMED;
    }
    memcpy(sh->random, random, SH_RANDOM_LEN);
    sh_random_classify(sh);
    sh->version = sh->legacy_version;

    /* RFC 8446 4.1.3: legacy_session_id_echo holds at most 32 bytes. */
    if (rd_len(&sid) > SH_MAX_SESSION_ID) {
        why_set(why, why_cap, "%s session id of %zu bytes exceeds 32", sh_name(sh), rd_len(&sid));
        return ST_MALFORMED;
    }
    sh->session_id_len = (uint8_t)rd_len(&sid);

    /* RFC 5246 7.4.1.3: SSLv3-era servers may end the hello after compression. */
    if (rd_left(&r) > 0) {
        struct reader exts = rd_vec16(&r);
        if (!rd_done(&r)) {
            why_set(why, why_cap, "%s extensions length disagrees with the message (%zu bytes)",
                    sh_name(sh), len);
            return ST_MALFORMED;
        }
        TRY(sh_exts_parse(&exts, sh, why, why_cap));
    }

    /* RFC 8446 4.1.4: a HelloRetryRequest always names the version. */
    if (sh->is_hrr && !sh->has_supported_versions) {
        why_set(why, why_cap, "HelloRetryRequest without supported_versions");
        return ST_MALFORMED;
    }
    return ST_OK;
}
