/* The server flight reader: synthetic answers built with the writer (to
 * reach every branch) and answers captured from real servers on 127.0.0.1
 * (tests/vectors/, each with its provenance line). */
/* cmocka needs these first; clang-format would sort it above them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
/* clang-format on */

#include "registry/registry.h"
#include "wire/server_flight.h"
#include "wire/server_msgs.h"
#include "wire/tls_const.h"
#include "wire/writer.h"

static uint8_t hs_buf[FLIGHT_MAX_HS_MSG];

static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* ---- builders for synthetic answers -------------------------------------- */

static void rec_open(struct writer *w, uint8_t type)
{
    wr_u8(w, type);
    wr_u16(w, 0x0303);
    wr_vec16_open(w);
}

static void sh_body(struct writer *w, uint16_t version, const uint8_t *random, uint16_t suite,
                    bool tls13)
{
    wr_u8(w, HS_SERVER_HELLO);
    wr_vec24_open(w);
    wr_u16(w, tls13 ? 0x0303 : version);
    if (random != NULL) {
        wr_bytes(w, random, 32);
    } else {
        wr_zeros(w, 32);
    }
    wr_vec8_open(w);
    wr_vec_close(w);
    wr_u16(w, suite);
    wr_u8(w, 0);
    wr_vec16_open(w);
    wr_u16(w, EXT_RENEGOTIATION_INFO);
    wr_vec16_open(w);
    wr_u8(w, 0);
    wr_vec_close(w);
    if (tls13) {
        wr_u16(w, EXT_SUPPORTED_VERSIONS);
        wr_vec16_open(w);
        wr_u16(w, 0x0304);
        wr_vec_close(w);
        wr_u16(w, EXT_KEY_SHARE);
        wr_vec16_open(w);
        wr_u16(w, 29);
        if (random != hrr_random) {
            wr_vec16_open(w);
            wr_zeros(w, 32);
            wr_vec_close(w);
        }
        wr_vec_close(w);
    }
    wr_vec_close(w);
    wr_vec_close(w);
}

/* A TLS 1.2 ServerHello record for `suite`. */
static size_t make_sh12(uint8_t *out, size_t cap, uint16_t suite)
{
    struct writer w = wr_init(out, cap);
    rec_open(&w, CT_HANDSHAKE);
    sh_body(&w, 0x0303, NULL, suite, false);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    return w.len;
}

static size_t make_alert(uint8_t *out, uint8_t level, uint8_t desc)
{
    struct writer w = wr_init(out, 7);
    rec_open(&w, CT_ALERT);
    wr_u8(&w, level);
    wr_u8(&w, desc);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    return w.len;
}

static enum flight_state feed_all(struct server_flight *f, const uint8_t *p, size_t n,
                                  bool want_full, bool sslv2)
{
    server_flight_init(f, hs_buf, sizeof(hs_buf), want_full, sslv2);
    return server_flight_feed(f, p, n);
}

static enum flight_state feed_bytewise(struct server_flight *f, const uint8_t *p, size_t n,
                                       bool want_full, bool sslv2)
{
    static uint8_t other_buf[FLIGHT_MAX_HS_MSG];
    server_flight_init(f, other_buf, sizeof(other_buf), want_full, sslv2);
    enum flight_state st = FLIGHT_NEED_MORE;
    for (size_t i = 0; i < n; i++) {
        st = server_flight_feed(f, p + i, 1);
    }
    return st;
}

/* ---- synthetic answers -------------------------------------------------- */

static void test_flight_tls12_server_hello_done_without_full(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = make_sh12(buf, sizeof(buf), 0xc02f);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_SERVER_HELLO);
    assert_int_equal(f.sh.version, 0x0303);
    assert_int_equal(f.sh.suite, 0xc02f);
    assert_true(f.sh.has_renegotiation_info);
    assert_false(f.sh.has_supported_versions);
    assert_int_equal(f.sh.n_exts, 1);
}

static void test_flight_tls12_want_full_needs_more_after_hello(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = make_sh12(buf, sizeof(buf), 0xc02f);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, true, false), FLIGHT_NEED_MORE);
    assert_true(f.got_server_hello);
    assert_int_equal(server_flight_end(&f), FLIGHT_GARBLED);
    assert_string_equal(f.why, "connection closed after ServerHello, before ServerHelloDone");
}

static void test_flight_hrr_detected_by_random(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct writer w = wr_init(buf, sizeof(buf));
    rec_open(&w, CT_HANDSHAKE);
    sh_body(&w, 0x0303, hrr_random, 0x1302, true);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, w.len, true, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_HRR);
    assert_true(f.sh.is_hrr);
    assert_int_equal(f.sh.version, 0x0304);
    assert_int_equal(f.sh.legacy_version, 0x0303);
    assert_int_equal(f.sh.suite, 0x1302);
    assert_int_equal(f.sh.key_share_group, 29);
}

static void test_flight_tls13_server_hello_done_at_once(void **state)
{
    (void)state;
    uint8_t buf[512];
    uint8_t random[32];
    memset(random, 0x11, sizeof(random));
    struct writer w = wr_init(buf, sizeof(buf));
    rec_open(&w, CT_HANDSHAKE);
    sh_body(&w, 0x0303, random, 0x1301, true);
    wr_vec_close(&w);
    /* Encrypted records follow; they must not be looked at. */
    rec_open(&w, CT_APPLICATION_DATA);
    wr_zeros(&w, 40);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, w.len, true, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_SERVER_HELLO);
    assert_false(f.sh.is_hrr);
    assert_int_equal(f.sh.version, 0x0304);
    assert_int_equal(f.sh.key_share_group, 29);
}

static void test_flight_fatal_alert(void **state)
{
    (void)state;
    uint8_t buf[8];
    size_t n = make_alert(buf, ALERT_LEVEL_FATAL, ALERT_HANDSHAKE_FAILURE);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_ALERT);
    assert_int_equal(f.alert_level, 2);
    assert_int_equal(f.alert_desc, ALERT_HANDSHAKE_FAILURE);
    assert_string_equal(alert_name(f.alert_desc), "handshake_failure");
}

static void test_flight_warning_alert_then_server_hello(void **state)
{
    (void)state;
    uint8_t buf[300];
    size_t n = make_alert(buf, ALERT_LEVEL_WARNING, ALERT_UNRECOGNIZED_NAME);
    n += make_sh12(buf + n, sizeof(buf) - n, 0x009e);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_SERVER_HELLO);
    assert_int_equal(f.n_warn_alerts, 1);
    assert_int_equal(f.warn_alerts[0], ALERT_UNRECOGNIZED_NAME);
}

static void test_flight_warning_alert_alone_needs_more(void **state)
{
    (void)state;
    uint8_t buf[8];
    size_t n = make_alert(buf, ALERT_LEVEL_WARNING, ALERT_UNRECOGNIZED_NAME);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, false), FLIGHT_NEED_MORE);
    assert_int_equal(server_flight_end(&f), FLIGHT_NEED_MORE);
    assert_int_equal(f.n_warn_alerts, 1);
}

static void test_flight_warning_close_notify_ends(void **state)
{
    (void)state;
    uint8_t buf[8];
    size_t n = make_alert(buf, ALERT_LEVEL_WARNING, ALERT_CLOSE_NOTIFY);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_ALERT);
    assert_int_equal(f.alert_desc, ALERT_CLOSE_NOTIFY);
}

static void test_flight_alert_split_across_records(void **state)
{
    (void)state;
    const uint8_t buf[] = {CT_ALERT, 3, 3, 0, 1, 2, CT_ALERT, 3, 3, 0, 1, 70};
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, sizeof(buf), false, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_ALERT);
    assert_int_equal(f.alert_desc, ALERT_PROTOCOL_VERSION);
}

static void test_flight_http_answer_is_garbled(void **state)
{
    (void)state;
    const char *http = "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n";
    struct server_flight f;
    assert_int_equal(feed_all(&f, (const uint8_t *)http, strlen(http), false, false),
                     FLIGHT_GARBLED);
    assert_string_equal(f.why, "plain HTTP answer (\"HTTP/1.1 400 Bad Request\")");
    struct server_flight g;
    assert_int_equal(feed_bytewise(&g, (const uint8_t *)http, strlen(http), false, false),
                     FLIGHT_GARBLED);
    assert_string_equal(g.why, f.why);
}

static void test_flight_ssh_banner_is_garbled(void **state)
{
    (void)state;
    const char *ssh = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
    struct server_flight f;
    assert_int_equal(feed_all(&f, (const uint8_t *)ssh, strlen(ssh), false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "SSH banner (\"SSH-2.0-OpenSSH_9.2p1 Debian-2\")");
}

static void test_flight_short_text_described_at_end(void **state)
{
    (void)state;
    const char *get = "GET ";
    struct server_flight f;
    assert_int_equal(feed_all(&f, (const uint8_t *)get, 4, false, false), FLIGHT_NEED_MORE);
    assert_int_equal(server_flight_end(&f), FLIGHT_GARBLED);
    assert_string_equal(f.why, "plain-text answer (\"GET \")");
}

static void test_flight_binary_garbage_in_hex(void **state)
{
    (void)state;
    const uint8_t junk[] = {0x00, 0xff, 0x13, 0x37, 0x42, 0x99, 0x01, 0x02, 0x03, 0x04};
    struct server_flight f;
    assert_int_equal(feed_all(&f, junk, sizeof(junk), false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "not TLS: first bytes 00 ff 13 37 42 99 01 02");
}

static void test_flight_bad_record_version_is_garbled(void **state)
{
    (void)state;
    const uint8_t junk[] = {0x16, 0x48, 0x54, 0x00, 0x10};
    struct server_flight f;
    assert_int_equal(feed_all(&f, junk, sizeof(junk), false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "not TLS: first bytes 16 48 54 00 10");
}

static void test_flight_oversize_record_is_garbled(void **state)
{
    (void)state;
    const uint8_t hdr[] = {0x16, 0x03, 0x03, 0x9c, 0x40};
    struct server_flight f;
    assert_int_equal(feed_all(&f, hdr, sizeof(hdr), false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "record of 40000 bytes exceeds the 2^14+2048 limit");
}

static void test_flight_handshake_length_disagrees_with_record(void **state)
{
    (void)state;
    uint8_t buf[200];
    struct writer w = wr_init(buf, sizeof(buf));
    rec_open(&w, CT_HANDSHAKE);
    wr_u8(&w, HS_SERVER_HELLO);
    wr_u24(&w, 300);
    wr_zeros(&w, 120);
    wr_vec_close(&w);
    /* The rest of the message never comes: an alert record follows. */
    rec_open(&w, CT_ALERT);
    wr_u8(&w, 2);
    wr_u8(&w, 40);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, w.len, false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why,
                        "handshake message length 300 disagrees with the record (120 bytes)");
}

static void test_flight_handshake_length_disagrees_at_close(void **state)
{
    (void)state;
    uint8_t buf[200];
    struct writer w = wr_init(buf, sizeof(buf));
    rec_open(&w, CT_HANDSHAKE);
    wr_u8(&w, HS_SERVER_HELLO);
    wr_u24(&w, 300);
    wr_zeros(&w, 120);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, w.len, false, false), FLIGHT_NEED_MORE);
    assert_int_equal(server_flight_end(&f), FLIGHT_GARBLED);
    assert_string_equal(f.why,
                        "handshake message length 300 disagrees with the record (120 bytes)");
}

static void test_flight_truncated_server_hello(void **state)
{
    (void)state;
    uint8_t buf[100];
    struct writer w = wr_init(buf, sizeof(buf));
    rec_open(&w, CT_HANDSHAKE);
    wr_u8(&w, HS_SERVER_HELLO);
    wr_vec24_open(&w);
    wr_u16(&w, 0x0303);
    wr_zeros(&w, 20);
    wr_vec_close(&w);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, w.len, false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "ServerHello truncated (22 bytes)");
}

static void test_flight_hs_message_over_cap(void **state)
{
    (void)state;
    const uint8_t buf[] = {0x16, 0x03, 0x03, 0x00, 0x04, HS_SERVER_HELLO, 0x10, 0x00, 0x00};
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, sizeof(buf), false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why,
                        "ServerHello message of 1048576 bytes exceeds the 262140-byte limit");
}

static void test_flight_wrong_first_message(void **state)
{
    (void)state;
    const uint8_t buf[] = {0x16, 0x03, 0x03, 0x00, 0x04, HS_SERVER_HELLO_DONE, 0, 0, 0};
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, sizeof(buf), false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "expected ServerHello, got handshake message type 14 "
                               "(ServerHelloDone)");
}

static void test_flight_feed_after_done_is_ignored(void **state)
{
    (void)state;
    uint8_t buf[8];
    size_t n = make_alert(buf, ALERT_LEVEL_FATAL, ALERT_HANDSHAKE_FAILURE);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, false), FLIGHT_DONE);
    const char *junk = "HTTP/1.1 200 OK\r\n";
    assert_int_equal(server_flight_feed(&f, (const uint8_t *)junk, strlen(junk)), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_ALERT);
}

/* ---- captured answers --------------------------------------------------- */

#define VECTOR_MAX (256 * 1024)

struct vector {
    uint8_t bytes[VECTOR_MAX];
    size_t len;
};

static int hex_nibble(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Loads tests/vectors/NAME.hex: '#' lines are provenance, the rest hex. */
static struct vector *vector_load(const char *name)
{
    static struct vector v;
    char path[512];
    snprintf(path, sizeof(path), "%s/vectors/%s.hex", TESTS_DIR, name);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    v.len = 0;
    char line[4096];
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (line[0] == '#') {
            continue;
        }
        for (size_t i = 0; line[i] != '\0' && line[i + 1] != '\0'; i += 2) {
            int hi = hex_nibble(line[i]);
            int lo = hex_nibble(line[i + 1]);
            if (hi < 0 || lo < 0) {
                break;
            }
            assert_true(v.len < VECTOR_MAX);
            v.bytes[v.len++] = (uint8_t)(hi << 4 | lo);
        }
    }
    fclose(fp);
    assert_true(v.len > 0);
    return &v;
}

static void test_vector_openssl_tls12_ecdhe_rsa_full(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_tls12_ecdhe_rsa");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_SERVER_HELLO);
    assert_int_equal(f.sh.version, VERSION_TLS12);
    assert_int_equal(f.sh.suite, 0xc02f);
    assert_true(f.sh.has_renegotiation_info);
    assert_true(f.sh.has_extended_master_secret);
    assert_int_equal(f.n_certs, 1);
    assert_int_equal(f.n_certs_seen, 1);
    assert_int_equal(f.certs[0].der[0], 0x30); /* DER SEQUENCE */
    assert_true(f.kx.present);
    assert_true(f.kx.is_ecdh);
    assert_int_equal(f.kx.curve_type, 3);
    assert_int_equal(f.kx.named_curve, 29);
    assert_true(f.kx.signed_params);
    assert_int_equal(f.kx.sig_alg, 0x0804); /* rsa_pss_rsae_sha256 */
    assert_true(f.got_server_hello_done);
}

static void test_vector_openssl_tls12_done_at_server_hello(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_tls12_ecdhe_rsa");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, false, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_SERVER_HELLO);
    assert_int_equal(f.sh.suite, 0xc02f);
    assert_false(f.got_certificate);
    assert_false(f.kx.present);
}

static void test_vector_openssl_dhe_1024_bits(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_tls12_dhe_1024");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.sh.suite, 0x009e);
    assert_true(f.kx.is_dh);
    assert_int_equal(f.kx.dh_p_bits, 1024);
}

static void test_vector_openssl_dhe_auto_bits(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_tls12_dhe_auto");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.sh.suite, 0x009f);
    assert_true(f.kx.is_dh);
    /* OpenSSL's automatic DH group matches a 2048-bit RSA key. */
    assert_int_equal(f.kx.dh_p_bits, 2048);
}

static void test_vector_openssl_rsa_kex_has_no_key_exchange(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_tls12_rsa_kex");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.sh.suite, 0x002f);
    assert_false(f.kx.present);
    assert_int_equal(f.n_certs, 1);
    assert_true(f.got_server_hello_done);
}

static void test_vector_openssl_ecdsa(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_tls12_ecdsa");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.sh.suite, 0xc02c);
    assert_int_equal(f.kx.named_curve, 24);
    assert_int_equal(f.kx.sig_alg & 0xff, 0x03); /* an ECDSA scheme */
}

static void test_vector_openssl_tls11_unsigned_alg(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_tls11_ecdhe");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.sh.version, VERSION_TLS11);
    assert_int_equal(f.sh.suite, 0xc013);
    assert_true(f.kx.signed_params);
    assert_int_equal(f.kx.sig_alg, 0); /* no SignatureAndHashAlgorithm before 1.2 */
}

static void test_vector_openssl_hrr(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_tls13_hrr");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_HRR);
    assert_int_equal(f.sh.version, VERSION_TLS13);
    assert_int_equal(f.sh.suite, 0x1302);
    assert_int_equal(f.sh.key_share_group, 23);
}

static void test_vector_gnutls_hrr(void **state)
{
    (void)state;
    struct vector *v = vector_load("gnutls_tls13_hrr");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_HRR);
    assert_int_equal(f.sh.suite, 0x1301);
    assert_int_equal(f.sh.key_share_group, 23);
}

static void test_vector_openssl_tls13_server_hello(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_tls13_server_hello");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_SERVER_HELLO);
    assert_int_equal(f.sh.version, VERSION_TLS13);
    assert_int_equal(f.sh.suite, 0x1301);
    assert_int_equal(f.sh.key_share_group, 29);
    assert_false(f.got_certificate);
}

static void test_vector_openssl_alerts(void **state)
{
    (void)state;
    struct server_flight f;
    struct vector *v = vector_load("ossl_alert_handshake_failure");
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_ALERT);
    assert_int_equal(f.alert_desc, ALERT_HANDSHAKE_FAILURE);
    v = vector_load("ossl_alert_protocol_version");
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_ALERT);
    assert_int_equal(f.alert_desc, ALERT_PROTOCOL_VERSION);
}

static void test_vector_openssl_unrecognized_name_warning(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_unrecognized_name");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_SERVER_HELLO);
    assert_int_equal(f.n_warn_alerts, 1);
    assert_int_equal(f.warn_alerts[0], ALERT_UNRECOGNIZED_NAME);
    assert_true(f.got_server_hello_done);
}

static void test_vector_openssl_chain_of_100(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_chain100");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.n_certs_seen, 100);
    assert_int_equal(f.n_certs, FLIGHT_MAX_CERTS);
    assert_true(f.got_server_hello_done);
    /* With a small buffer the same chain is refused, not overrun. */
    static uint8_t small[8192];
    struct server_flight g;
    server_flight_init(&g, small, sizeof(small), true, false);
    assert_int_equal(server_flight_feed(&g, v->bytes, v->len), FLIGHT_GARBLED);
    assert_non_null(strstr(g.why, "Certificate message of"));
    assert_true(g.got_server_hello);
}

static void test_vector_openssl_answers_sslv2_with_tls_alert(void **state)
{
    (void)state;
    struct vector *v = vector_load("ossl_sslv2_answer");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, false, true), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_ALERT);
    assert_int_equal(f.alert_desc, ALERT_PROTOCOL_VERSION);
}

static void test_vector_gnutls_tls12(void **state)
{
    (void)state;
    struct server_flight f;
    struct vector *v = vector_load("gnutls_tls12_ecdhe");
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.sh.suite, 0xc030);
    assert_true(f.kx.is_ecdh);
    assert_int_equal(f.n_certs, 1);
    v = vector_load("gnutls_tls12_3des");
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_DONE);
    assert_int_equal(f.sh.suite, 0x000a);
    assert_false(f.kx.present);
    assert_true(f.got_server_hello_done);
}

static void test_vector_http_server_is_garbled(void **state)
{
    (void)state;
    struct vector *v = vector_load("http_server");
    struct server_flight f;
    assert_int_equal(feed_all(&f, v->bytes, v->len, true, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "HTML or XML answer (\"<!DOCTYPE HTML>\")");
}

/* ---- properties over every captured answer -------------------------------- */

static const char *const all_vectors[] = {
    "ossl_tls12_ecdhe_rsa",
    "ossl_tls12_dhe_1024",
    "ossl_tls12_dhe_auto",
    "ossl_tls12_rsa_kex",
    "ossl_tls12_ecdsa",
    "ossl_tls11_ecdhe",
    "ossl_tls13_hrr",
    "ossl_tls13_server_hello",
    "ossl_alert_handshake_failure",
    "ossl_alert_protocol_version",
    "ossl_unrecognized_name",
    "ossl_chain100",
    "ossl_sslv2_answer",
    "gnutls_tls12_ecdhe",
    "gnutls_tls12_3des",
    "gnutls_tls13_hrr",
    "http_server",
};
#define N_VECTORS (sizeof(all_vectors) / sizeof(all_vectors[0]))

static void flight_assert_same(const struct server_flight *a, const struct server_flight *b)
{
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->answer, b->answer);
    assert_string_equal(a->why, b->why);
    assert_int_equal(a->alert_desc, b->alert_desc);
    assert_memory_equal(&a->sh, &b->sh, sizeof(a->sh));
    assert_memory_equal(&a->kx, &b->kx, sizeof(a->kx));
    assert_int_equal(a->n_certs, b->n_certs);
    assert_int_equal(a->n_certs_seen, b->n_certs_seen);
    assert_int_equal(a->n_warn_alerts, b->n_warn_alerts);
    for (size_t i = 0; i < a->n_certs; i++) {
        assert_int_equal(a->certs[i].len, b->certs[i].len);
        assert_memory_equal(a->certs[i].der, b->certs[i].der, a->certs[i].len);
    }
}

static void test_vectors_bytewise_equals_whole(void **state)
{
    (void)state;
    static struct server_flight whole;
    static struct server_flight bytewise;
    for (size_t i = 0; i < N_VECTORS; i++) {
        for (int full = 0; full < 2; full++) {
            struct vector *v = vector_load(all_vectors[i]);
            (void)feed_all(&whole, v->bytes, v->len, full, false);
            (void)feed_bytewise(&bytewise, v->bytes, v->len, full, false);
            flight_assert_same(&whole, &bytewise);
        }
    }
}

/* Deterministic pseudo-random chunk sizes (xorshift), 1..97 bytes. */
static void test_vectors_random_chunks_equal_whole(void **state)
{
    (void)state;
    static struct server_flight whole;
    static struct server_flight chunked;
    static uint8_t chunk_buf[FLIGHT_MAX_HS_MSG];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < N_VECTORS; i++) {
        struct vector *v = vector_load(all_vectors[i]);
        (void)feed_all(&whole, v->bytes, v->len, true, false);
        server_flight_init(&chunked, chunk_buf, sizeof(chunk_buf), true, false);
        size_t off = 0;
        while (off < v->len) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            size_t n = 1 + x % 97;
            n = n < v->len - off ? n : v->len - off;
            (void)server_flight_feed(&chunked, v->bytes + off, n);
            off += n;
        }
        flight_assert_same(&whole, &chunked);
    }
}

/* Every prefix of an answer: never DONE with a different answer than the
 * whole, and once the peer closes, never left undecided when a record had
 * started. */
static void test_vectors_truncated_at_every_offset(void **state)
{
    (void)state;
    static struct server_flight whole;
    static struct server_flight part;
    for (size_t i = 0; i < N_VECTORS; i++) {
        struct vector *v = vector_load(all_vectors[i]);
        (void)feed_all(&whole, v->bytes, v->len, true, false);
        size_t stop = v->len < 4096 ? v->len : 4096;
        for (size_t n = 1; n < stop; n++) {
            enum flight_state st = feed_all(&part, v->bytes, n, true, false);
            if (st == FLIGHT_DONE) {
                assert_int_equal(whole.state, FLIGHT_DONE);
                assert_int_equal(part.answer, whole.answer);
                continue;
            }
            st = server_flight_end(&part);
            if (st == FLIGHT_NEED_MORE) {
                /* Only a complete warning alert leaves nothing to say. */
                assert_false(part.got_server_hello);
                assert_true(part.n_warn_alerts > 0);
            } else {
                assert_int_equal(st, FLIGHT_GARBLED);
                assert_true(strlen(part.why) > 0);
            }
        }
    }
}

/* The ServerHello's handshake length off by one either way is refused. */
static void test_vectors_server_hello_length_off_by_one(void **state)
{
    (void)state;
    const char *names[] = {"ossl_tls12_ecdhe_rsa", "ossl_tls13_hrr", "gnutls_tls12_3des",
                           "ossl_tls13_server_hello"};
    static struct server_flight f;
    for (size_t i = 0; i < 4; i++) {
        for (int delta = -1; delta <= 1; delta += 2) {
            struct vector *v = vector_load(names[i]);
            /* bytes 5..8: handshake type and 24-bit length of the first message */
            assert_int_equal(v->bytes[5], HS_SERVER_HELLO);
            v->bytes[8] = (uint8_t)(v->bytes[8] + delta);
            (void)feed_all(&f, v->bytes, v->len, true, false);
            assert_int_equal(server_flight_end(&f), FLIGHT_GARBLED);
            assert_false(f.got_server_hello);
        }
    }
}

/* A record length off by one misaligns the stream: never a finished flight. */
static void test_vectors_record_length_off_by_one(void **state)
{
    (void)state;
    const char *names[] = {"ossl_tls12_ecdhe_rsa", "gnutls_tls12_ecdhe", "ossl_tls12_rsa_kex"};
    static struct server_flight f;
    for (size_t i = 0; i < 3; i++) {
        for (int delta = -1; delta <= 1; delta += 2) {
            struct vector *v = vector_load(names[i]);
            v->bytes[4] = (uint8_t)(v->bytes[4] + delta);
            (void)feed_all(&f, v->bytes, v->len, true, false);
            assert_int_equal(server_flight_end(&f), FLIGHT_GARBLED);
            assert_false(f.got_server_hello_done);
        }
    }
}

static void test_alert_name_known_and_unknown(void **state)
{
    (void)state;
    assert_string_equal(alert_name(ALERT_UNRECOGNIZED_NAME), "unrecognized_name");
    assert_string_equal(alert_name(ALERT_PROTOCOL_VERSION), "protocol_version");
    assert_string_equal(alert_name(ALERT_INAPPROPRIATE_FALLBACK), "inappropriate_fallback");
    assert_string_equal(alert_name(0), "close_notify");
    assert_string_equal(alert_name(255), "unknown_alert");
    assert_string_equal(alert_name(3), "unknown_alert");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flight_tls12_server_hello_done_without_full),
        cmocka_unit_test(test_flight_tls12_want_full_needs_more_after_hello),
        cmocka_unit_test(test_flight_hrr_detected_by_random),
        cmocka_unit_test(test_flight_tls13_server_hello_done_at_once),
        cmocka_unit_test(test_flight_fatal_alert),
        cmocka_unit_test(test_flight_warning_alert_then_server_hello),
        cmocka_unit_test(test_flight_warning_alert_alone_needs_more),
        cmocka_unit_test(test_flight_warning_close_notify_ends),
        cmocka_unit_test(test_flight_alert_split_across_records),
        cmocka_unit_test(test_flight_http_answer_is_garbled),
        cmocka_unit_test(test_flight_ssh_banner_is_garbled),
        cmocka_unit_test(test_flight_short_text_described_at_end),
        cmocka_unit_test(test_flight_binary_garbage_in_hex),
        cmocka_unit_test(test_flight_bad_record_version_is_garbled),
        cmocka_unit_test(test_flight_oversize_record_is_garbled),
        cmocka_unit_test(test_flight_handshake_length_disagrees_with_record),
        cmocka_unit_test(test_flight_handshake_length_disagrees_at_close),
        cmocka_unit_test(test_flight_truncated_server_hello),
        cmocka_unit_test(test_flight_hs_message_over_cap),
        cmocka_unit_test(test_flight_wrong_first_message),
        cmocka_unit_test(test_flight_feed_after_done_is_ignored),
        cmocka_unit_test(test_vector_openssl_tls12_ecdhe_rsa_full),
        cmocka_unit_test(test_vector_openssl_tls12_done_at_server_hello),
        cmocka_unit_test(test_vector_openssl_dhe_1024_bits),
        cmocka_unit_test(test_vector_openssl_dhe_auto_bits),
        cmocka_unit_test(test_vector_openssl_rsa_kex_has_no_key_exchange),
        cmocka_unit_test(test_vector_openssl_ecdsa),
        cmocka_unit_test(test_vector_openssl_tls11_unsigned_alg),
        cmocka_unit_test(test_vector_openssl_hrr),
        cmocka_unit_test(test_vector_gnutls_hrr),
        cmocka_unit_test(test_vector_openssl_tls13_server_hello),
        cmocka_unit_test(test_vector_openssl_alerts),
        cmocka_unit_test(test_vector_openssl_unrecognized_name_warning),
        cmocka_unit_test(test_vector_openssl_chain_of_100),
        cmocka_unit_test(test_vector_openssl_answers_sslv2_with_tls_alert),
        cmocka_unit_test(test_vector_gnutls_tls12),
        cmocka_unit_test(test_vector_http_server_is_garbled),
        cmocka_unit_test(test_vectors_bytewise_equals_whole),
        cmocka_unit_test(test_vectors_random_chunks_equal_whole),
        cmocka_unit_test(test_vectors_truncated_at_every_offset),
        cmocka_unit_test(test_vectors_server_hello_length_off_by_one),
        cmocka_unit_test(test_vectors_record_length_off_by_one),
        cmocka_unit_test(test_alert_name_known_and_unknown),
    };
    return cmocka_run_group_tests_name("server_flight", tests, NULL, NULL);
}
