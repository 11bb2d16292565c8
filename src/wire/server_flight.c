#include "wire/server_flight.h"

#include <string.h>

#include "registry/registry.h"
#include "wire/reader.h"
#include "wire/server_msgs.h"
#include "wire/suite_kex.h"
#include "wire/tls_const.h"

#define SSL2_HEADER_LEN 2
/* A non-text answer is described by its first bytes, in hex. */
#define SNIFF_HEX_BYTES 8
/* Longest quote of a text answer's first line. */
#define SNIFF_QUOTE_LEN 60

void server_flight_init(struct server_flight *f, uint8_t *hs_buf, size_t hs_cap, bool want_full,
                        bool expect_sslv2)
{
    memset(f, 0, sizeof(*f));
    f->hs_buf = hs_buf;
    f->hs_cap = hs_buf != NULL ? hs_cap : 0;
    f->want_full = want_full;
    f->expect_sslv2 = expect_sslv2;
    f->state = FLIGHT_NEED_MORE;
}

static void flight_garble(struct server_flight *f, const char *why)
{
    f->state = FLIGHT_GARBLED;
    if (why != f->why) {
        why_set(f->why, sizeof(f->why), "%s", why);
    }
}

static void flight_done(struct server_flight *f, enum flight_answer answer)
{
    f->answer = answer;
    f->state = FLIGHT_DONE;
}

static const char *hs_type_name(uint8_t type)
{
    switch (type) {
    case HS_HELLO_REQUEST:
        return "HelloRequest";
    case HS_CLIENT_HELLO:
        return "ClientHello";
    case HS_SERVER_HELLO:
        return "ServerHello";
    case HS_NEW_SESSION_TICKET:
        return "NewSessionTicket";
    case HS_CERTIFICATE:
        return "Certificate";
    case HS_SERVER_KEY_EXCHANGE:
        return "ServerKeyExchange";
    case HS_CERTIFICATE_REQUEST:
        return "CertificateRequest";
    case HS_SERVER_HELLO_DONE:
        return "ServerHelloDone";
    case HS_CERTIFICATE_STATUS:
        return "CertificateStatus";
    default:
        return "unknown";
    }
}

/* ---- non-TLS answers ---------------------------------------------------- */

static bool sniff_is_text(const struct server_flight *f)
{
    for (size_t i = 0; i < f->sniff_have; i++) {
        uint8_t c = f->sniff[i];
        if ((c < 0x20 || c > 0x7e) && c != '\r' && c != '\n' && c != '\t') {
            return false;
        }
    }
    return f->sniff_have > 0;
}

static bool sniff_complete(const struct server_flight *f)
{
    if (f->sniff_have == FLIGHT_SNIFF_LEN) {
        return true;
    }
    if (!sniff_is_text(f)) {
        return f->sniff_have >= SNIFF_HEX_BYTES;
    }
    return f->sniff[f->sniff_have - 1] == '\n';
}

/* Known plain-text protocols, told by how their first line starts. */
static const struct {
    const char *prefix;
    const char *what;
} sniff_protocols[] = {
    {"HTTP/", "plain HTTP answer"}, {"SSH-", "SSH banner"},   {"220", "SMTP or FTP greeting"},
    {"* OK", "IMAP greeting"},      {"+OK", "POP3 greeting"}, {"<", "HTML or XML answer"},
};

static void sniff_describe_text(struct server_flight *f)
{
    char line[SNIFF_QUOTE_LEN + 1];
    size_t n = 0;
    for (size_t i = 0; i < f->sniff_have && n < SNIFF_QUOTE_LEN; i++) {
        uint8_t c = f->sniff[i];
        if (c == '\r' || c == '\n') {
            break;
        }
        line[n++] = (c == '\t') ? ' ' : (char)c;
    }
    line[n] = '\0';

    const char *what = "plain-text answer";
    for (size_t i = 0; i < sizeof(sniff_protocols) / sizeof(sniff_protocols[0]); i++) {
        size_t plen = strlen(sniff_protocols[i].prefix);
        if (f->sniff_have >= plen && memcmp(f->sniff, sniff_protocols[i].prefix, plen) == 0) {
            what = sniff_protocols[i].what;
            break;
        }
    }
    why_set(f->why, sizeof(f->why), "%s (\"%s\")", what, line);
    f->plain_text = true;
}

static void hex_bytes(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 4 < cap; i++) {
        why_set(out + used, cap - used, i == 0 ? "%02x" : " %02x", p[i]);
        used += i == 0 ? 2 : 3;
    }
}

static void sniff_verdict(struct server_flight *f)
{
    if (sniff_is_text(f)) {
        sniff_describe_text(f);
    } else {
        char hex[3 * SNIFF_HEX_BYTES + 1];
        size_t n = f->sniff_have < SNIFF_HEX_BYTES ? f->sniff_have : SNIFF_HEX_BYTES;
        hex_bytes(hex, sizeof(hex), f->sniff, n);
        if ((f->sniff[0] & 0x80) != 0) {
            why_set(f->why, sizeof(f->why), "SSLv2 record in answer to a TLS hello: first bytes %s",
                    hex);
        } else {
            why_set(f->why, sizeof(f->why), "not TLS: first bytes %s", hex);
        }
    }
    flight_garble(f, f->why);
}

static void sniff_take(struct server_flight *f, struct reader *in)
{
    while (rd_left(in) > 0 && f->sniff_have < FLIGHT_SNIFF_LEN) {
        uint8_t c = rd_u8(in);
        f->sniff[f->sniff_have++] = c;
        if (c == '\n') {
            break;
        }
    }
    if (sniff_complete(f)) {
        sniff_verdict(f);
    }
}

/* ---- handshake messages ------------------------------------------------- */

static void flight_server_hello(struct server_flight *f, uint8_t type, const uint8_t *body,
                                size_t len)
{
    /* RFC 5246 7.4.1.1: a HelloRequest may arrive at any time and is ignored. */
    if (type == HS_HELLO_REQUEST && len == 0) {
        return;
    }
    if (type != HS_SERVER_HELLO) {
        why_set(f->why, sizeof(f->why), "expected ServerHello, got handshake message type %u (%s)",
                type, hs_type_name(type));
        flight_garble(f, f->why);
        return;
    }
    if (server_hello_parse(body, len, &f->sh, f->why, sizeof(f->why)) != ST_OK) {
        flight_garble(f, f->why);
        return;
    }
    f->got_server_hello = true;
    f->answer = f->sh.is_hrr ? ANSWER_HRR : ANSWER_SERVER_HELLO;

    /* Once TLS 1.3 is chosen everything after the ServerHello is encrypted. */
    bool tls13 = f->sh.has_supported_versions && f->sh.version > VERSION_TLS12;
    if (f->sh.is_hrr || tls13 || !f->want_full) {
        flight_done(f, f->answer);
    }
}

static void flight_certificate(struct server_flight *f, const uint8_t *body, size_t len)
{
    if (f->got_certificate) {
        flight_garble(f, "second Certificate message");
        return;
    }
    if (server_cert_parse(body, len, f->certs, FLIGHT_MAX_CERTS, &f->n_certs, &f->n_certs_seen,
                          f->why, sizeof(f->why)) != ST_OK) {
        flight_garble(f, f->why);
        return;
    }
    f->got_certificate = true;
}

static void flight_key_exchange(struct server_flight *f, const uint8_t *body, size_t len)
{
    if (f->kx.present) {
        flight_garble(f, "second ServerKeyExchange message");
        return;
    }
    enum wire_kex kex = wire_suite_kex(f->sh.suite);
    if (server_kx_parse(body, len, kex, f->sh.version, &f->kx, f->why, sizeof(f->why)) != ST_OK) {
        flight_garble(f, f->why);
    }
}

static void flight_message(struct server_flight *f, uint8_t type, const uint8_t *body, size_t len)
{
    if (!f->got_server_hello) {
        flight_server_hello(f, type, body, len);
        return;
    }
    switch (type) {
    case HS_CERTIFICATE:
        flight_certificate(f, body, len);
        break;
    case HS_SERVER_KEY_EXCHANGE:
        flight_key_exchange(f, body, len);
        break;
    case HS_CERTIFICATE_REQUEST:
    case HS_CERTIFICATE_STATUS:
    case HS_HELLO_REQUEST:
        /* Not needed to judge the server: skipped whole. */
        break;
    case HS_SERVER_HELLO_DONE:
        if (len != 0) {
            why_set(f->why, sizeof(f->why), "ServerHelloDone with a %zu-byte body", len);
            flight_garble(f, f->why);
            return;
        }
        f->got_server_hello_done = true;
        flight_done(f, f->answer);
        break;
    default:
        why_set(f->why, sizeof(f->why),
                "unexpected handshake message type %u (%s) after ServerHello", type,
                hs_type_name(type));
        flight_garble(f, f->why);
        break;
    }
}

/* Parses every complete message held in hs_buf. Messages stay where they
 * are, so certificate views remain valid until the flight is discarded. */
static void flight_messages(struct server_flight *f)
{
    while (f->state == FLIGHT_NEED_MORE && f->hs_len > f->hs_consumed) {
        struct reader r = rd_init(f->hs_buf + f->hs_consumed, f->hs_len - f->hs_consumed);
        uint8_t type = rd_u8(&r);
        uint32_t len = rd_u24(&r);
        if (!rd_ok(&r)) {
            return;
        }
        size_t room = f->hs_cap - f->hs_consumed - HS_HEADER_LEN;
        if (len > FLIGHT_MAX_HS_MSG || len > room) {
            size_t limit = room < FLIGHT_MAX_HS_MSG ? room : FLIGHT_MAX_HS_MSG;
            why_set(f->why, sizeof(f->why), "%s message of %u bytes exceeds the %zu-byte limit",
                    hs_type_name(type), len, limit);
            flight_garble(f, f->why);
            return;
        }
        const uint8_t *body = rd_bytes(&r, len);
        if (body == NULL) {
            return;
        }
        f->hs_consumed += HS_HEADER_LEN + len;
        flight_message(f, type, body, len);
    }
}

/* The declared length of the handshake message still incomplete in hs_buf,
 * and how much of its body arrived. */
static bool flight_pending_message(const struct server_flight *f, uint32_t *declared, size_t *have)
{
    if (f->hs_len <= f->hs_consumed) {
        return false;
    }
    struct reader r = rd_init(f->hs_buf + f->hs_consumed, f->hs_len - f->hs_consumed);
    (void)rd_u8(&r);
    *declared = rd_u24(&r);
    *have = rd_left(&r);
    return true;
}

static void flight_pending_garble(struct server_flight *f)
{
    uint32_t declared = 0;
    size_t have = 0;
    if (!flight_pending_message(f, &declared, &have)) {
        return;
    }
    if (f->hs_len - f->hs_consumed < HS_HEADER_LEN) {
        flight_garble(f, "handshake message header split from its body");
        return;
    }
    why_set(f->why, sizeof(f->why),
            "handshake message length %u disagrees with the record (%zu bytes)", declared, have);
    flight_garble(f, f->why);
}

/* ---- records ------------------------------------------------------------ */

static void flight_alert(struct server_flight *f, uint8_t level, uint8_t desc)
{
    /* A warning other than close_notify (e.g. unrecognized_name before the
     * ServerHello) does not end the handshake: note it and read on. */
    if (level == ALERT_LEVEL_WARNING && desc != ALERT_CLOSE_NOTIFY) {
        if (f->n_warn_alerts < FLIGHT_MAX_WARNINGS) {
            f->warn_alerts[f->n_warn_alerts] = desc;
        }
        f->n_warn_alerts++;
        return;
    }
    f->alert_level = level;
    f->alert_desc = desc;
    flight_done(f, ANSWER_ALERT);
}

static void body_alert(struct server_flight *f, struct reader *in, size_t n)
{
    for (size_t i = 0; i < n && f->state == FLIGHT_NEED_MORE; i++) {
        uint8_t b = rd_u8(in);
        f->rec_need--;
        if (!f->alert_half) {
            f->alert_byte = b;
            f->alert_half = true;
            continue;
        }
        f->alert_half = false;
        uint8_t pair[2] = {f->alert_byte, b};
        uint8_t level = 0;
        uint8_t desc = 0;
        if (alert_parse(pair, sizeof(pair), &level, &desc, f->why, sizeof(f->why)) != ST_OK) {
            flight_garble(f, f->why);
            return;
        }
        flight_alert(f, level, desc);
    }
}

static bool body_store(struct server_flight *f, struct reader *in, size_t n)
{
    size_t room = f->hs_cap - f->hs_len;
    size_t take = n < room ? n : room;
    const uint8_t *p = rd_bytes(in, take);
    if (take > 0 && p != NULL) {
        memcpy(f->hs_buf + f->hs_len, p, take);
    }
    f->hs_len += take;
    f->rec_need -= take;
    return take == n;
}

static void body_handshake(struct server_flight *f, struct reader *in, size_t n)
{
    bool all = body_store(f, in, n);
    flight_messages(f);
    if (f->state == FLIGHT_NEED_MORE && !all) {
        why_set(f->why, sizeof(f->why), "handshake data exceeds the %zu-byte buffer", f->hs_cap);
        flight_garble(f, f->why);
    }
}

static void flight_ssl2_message(struct server_flight *f)
{
    struct ssl2_server_msg m;
    const uint8_t *body = f->hs_buf + f->hs_consumed;
    if (ssl2_server_parse(body, f->hs_len - f->hs_consumed, &m, f->why, sizeof(f->why)) != ST_OK) {
        flight_garble(f, f->why);
        return;
    }
    if (m.is_error) {
        f->ssl2_error = m.error_code;
        flight_done(f, ANSWER_SSL2_ERROR);
        return;
    }
    f->sh.version = m.version;
    f->sh.legacy_version = m.version;
    if (m.cert.len > 0) {
        f->certs[0] = m.cert;
        f->n_certs = 1;
        f->n_certs_seen = 1;
    }
    memcpy(f->ssl2_specs, m.specs, sizeof(m.specs));
    f->n_ssl2_specs = m.n_specs;
    f->n_ssl2_specs_seen = m.n_specs_seen;
    flight_done(f, ANSWER_SSL2_SERVER_HELLO);
}

static void body_take(struct server_flight *f, struct reader *in)
{
    size_t n = rd_left(in) < f->rec_need ? rd_left(in) : f->rec_need;
    if (f->sslv2_record) {
        (void)body_store(f, in, n);
        if (f->rec_need == 0) {
            flight_ssl2_message(f);
        }
    } else if (f->rec_type == CT_ALERT) {
        body_alert(f, in, n);
    } else {
        body_handshake(f, in, n);
    }
    if (f->rec_need == 0) {
        f->rec_hdr_have = 0;
    }
}

static void header_ssl2_check(struct server_flight *f)
{
    struct reader h = rd_init(f->rec_hdr, SSL2_HEADER_LEN);
    size_t len = rd_u16(&h) & SSL2_MAX_RECORD;
    if (len == 0) {
        flight_garble(f, "empty SSLv2 record");
        return;
    }
    if (len > f->hs_cap - f->hs_len) {
        why_set(f->why, sizeof(f->why), "SSLv2 record of %zu bytes exceeds the %zu-byte buffer",
                len, f->hs_cap - f->hs_len);
        flight_garble(f, f->why);
        return;
    }
    f->hs_consumed = f->hs_len;
    f->rec_need = len;
}

/* RFC 5246 6.2.1: a known content type, major version 3, bounded length;
 * and a handshake message split across records continues in the next one. */
static void header_tls_check(struct server_flight *f)
{
    struct reader h = rd_init(f->rec_hdr, RECORD_HEADER_LEN);
    uint8_t type = rd_u8(&h);
    uint16_t version = rd_u16(&h);
    uint16_t len = rd_u16(&h);
    bool first = !f->saw_record;
    if (first &&
        (type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA || version >> 8 != 3)) {
        char hex[3 * RECORD_HEADER_LEN + 1];
        hex_bytes(hex, sizeof(hex), f->rec_hdr, RECORD_HEADER_LEN);
        why_set(f->why, sizeof(f->why), "not TLS: first bytes %s", hex);
    } else if (type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA) {
        why_set(f->why, sizeof(f->why), "record of unknown content type %u", type);
    } else if (version >> 8 != 3) {
        why_set(f->why, sizeof(f->why), "record version 0x%04x is not TLS", version);
    } else if (len > FLIGHT_MAX_RECORD) {
        why_set(f->why, sizeof(f->why), "record of %u bytes exceeds the 2^14+2048 limit", len);
    } else if (f->hs_len > f->hs_consumed && type != CT_HANDSHAKE) {
        flight_pending_garble(f);
        return;
    } else if (f->alert_half && type != CT_ALERT) {
        why_set(f->why, sizeof(f->why), "alert cut short by a record of content type %u", type);
    } else if (type == CT_CHANGE_CIPHER_SPEC) {
        why_set(f->why, sizeof(f->why), "ChangeCipherSpec before the server's hello flight ended");
    } else if (type == CT_APPLICATION_DATA) {
        why_set(f->why, sizeof(f->why), "application data before the handshake finished");
    } else {
        f->saw_record = true;
        f->rec_type = type;
        f->rec_need = len;
        return;
    }
    flight_garble(f, f->why);
}

static size_t header_len(const struct server_flight *f)
{
    return f->sslv2_record ? SSL2_HEADER_LEN : RECORD_HEADER_LEN;
}

static void header_take(struct server_flight *f, struct reader *in)
{
    if (f->rec_hdr_have == 0) {
        /* The first byte tells an SSLv2 record (high bit set) from a TLS one. */
        struct reader peek = *in;
        uint8_t b0 = rd_u8(&peek);
        f->sslv2_record = f->expect_sslv2 && !f->saw_record && (b0 & 0x80) != 0;
        bool tls = b0 >= CT_CHANGE_CIPHER_SPEC && b0 <= CT_APPLICATION_DATA;
        if (!f->saw_record && !f->sslv2_record && !tls) {
            sniff_take(f, in);
            return;
        }
    }
    while (f->rec_hdr_have < header_len(f) && rd_left(in) > 0) {
        f->rec_hdr[f->rec_hdr_have++] = rd_u8(in);
    }
    if (f->rec_hdr_have < header_len(f)) {
        return;
    }
    if (f->sslv2_record) {
        f->saw_record = true;
        header_ssl2_check(f);
    } else {
        header_tls_check(f);
    }
    if (f->state == FLIGHT_NEED_MORE && f->rec_need == 0) {
        f->rec_hdr_have = 0; /* an empty record: nothing to read */
    }
}

static void flight_step(struct server_flight *f, struct reader *in)
{
    if (f->sniff_have > 0) {
        sniff_take(f, in);
    } else if (f->rec_hdr_have < header_len(f)) {
        header_take(f, in);
    } else {
        body_take(f, in);
    }
}

enum flight_state server_flight_feed(struct server_flight *f, const uint8_t *data, size_t len)
{
    if (f->state != FLIGHT_NEED_MORE) {
        return f->state;
    }
    struct reader in = rd_init(data, len);
    f->total_bytes += rd_left(&in);
    while (f->state == FLIGHT_NEED_MORE && rd_left(&in) > 0) {
        flight_step(f, &in);
    }
    if (f->state == FLIGHT_NEED_MORE && f->total_bytes > FLIGHT_MAX_TOTAL) {
        why_set(f->why, sizeof(f->why), "server sent %zu bytes without finishing its hello flight",
                f->total_bytes);
        flight_garble(f, f->why);
    }
    return f->state;
}

enum flight_state server_flight_end(struct server_flight *f)
{
    if (f->state != FLIGHT_NEED_MORE) {
        return f->state;
    }
    if (f->sniff_have > 0) {
        sniff_verdict(f);
    } else if (f->rec_hdr_have > 0 && f->rec_hdr_have < header_len(f)) {
        why_set(f->why, sizeof(f->why),
                "connection closed inside a record header (%zu of %zu bytes)", f->rec_hdr_have,
                header_len(f));
        flight_garble(f, f->why);
    } else if (f->rec_hdr_have > 0) {
        why_set(f->why, sizeof(f->why), "connection closed inside a record (%zu bytes missing)",
                f->rec_need);
        flight_garble(f, f->why);
    } else if (f->hs_len > f->hs_consumed) {
        flight_pending_garble(f);
    } else if (f->alert_half) {
        flight_garble(f, "connection closed in the middle of an alert");
    } else if (f->got_server_hello) {
        flight_garble(f, "connection closed after ServerHello, before ServerHelloDone");
    }
    return f->state;
}
