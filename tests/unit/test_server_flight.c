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
#include "wire/suite_kex.h"
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

/* ---- single-message parsers (server_msgs.h) ------------------------------ */

static char why[160];

static void test_kx_dhe_counts_bits_past_leading_zeros(void **state)
{
    (void)state;
    /* p = 00 01 ff: 9 significant bits; g = 02; Ys = 05; then a TLS 1.2 signature. */
    const uint8_t body[] = {0x00, 0x03, 0x00, 0x01, 0xff, 0x00, 0x01, 0x02, 0x00,
                            0x01, 0x05, 0x04, 0x01, 0x00, 0x02, 0xaa, 0xbb};
    struct server_kx kx;
    assert_int_equal(
        server_kx_parse(body, sizeof(body), WIRE_KEX_DHE, VERSION_TLS12, &kx, why, sizeof(why)),
        ST_OK);
    assert_true(kx.is_dh);
    assert_int_equal(kx.dh_p_bits, 9);
    assert_int_equal(kx.sig_alg, 0x0401);
    assert_true(kx.signed_params);
}

static void test_kx_dh_anon_has_no_signature(void **state)
{
    (void)state;
    const uint8_t body[] = {0x00, 0x01, 0x80, 0x00, 0x01, 0x02, 0x00, 0x01, 0x05};
    struct server_kx kx;
    assert_int_equal(
        server_kx_parse(body, sizeof(body), WIRE_KEX_DHE, VERSION_TLS12, &kx, why, sizeof(why)),
        ST_OK);
    assert_int_equal(kx.dh_p_bits, 8);
    assert_false(kx.signed_params);
}

static void test_kx_dhe_psk_reads_hint_first(void **state)
{
    (void)state;
    const uint8_t body[] = {0x00, 0x02, 'h',  'i',  0x00, 0x02, 0x7f,
                            0xff, 0x00, 0x01, 0x02, 0x00, 0x01, 0x05};
    struct server_kx kx;
    assert_int_equal(
        server_kx_parse(body, sizeof(body), WIRE_KEX_DHE_PSK, VERSION_TLS12, &kx, why, sizeof(why)),
        ST_OK);
    assert_int_equal(kx.dh_p_bits, 15);
}

static void test_kx_empty_dh_prime_is_malformed(void **state)
{
    (void)state;
    const uint8_t body[] = {0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x05};
    struct server_kx kx;
    assert_int_equal(
        server_kx_parse(body, sizeof(body), WIRE_KEX_DHE, VERSION_TLS12, &kx, why, sizeof(why)),
        ST_MALFORMED);
    assert_string_equal(why, "ServerKeyExchange parameters malformed (8 bytes)");
}

static size_t explicit_prime_ske(uint8_t *out, size_t cap, size_t order_bytes)
{
    struct writer w = wr_init(out, cap);
    wr_u8(&w, EC_CURVE_EXPLICIT_PRIME);
    const uint8_t one[] = {0x07};
    for (int i = 0; i < 4; i++) { /* prime_p, a, b, base */
        wr_vec8_open(&w);
        wr_bytes(&w, one, 1);
        wr_vec_close(&w);
    }
    wr_vec8_open(&w); /* order: 01 followed by zeros */
    wr_u8(&w, 0x01);
    wr_zeros(&w, order_bytes - 1);
    wr_vec_close(&w);
    wr_vec8_open(&w); /* cofactor */
    wr_u8(&w, 1);
    wr_vec_close(&w);
    wr_vec8_open(&w); /* point */
    wr_u8(&w, 4);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    return w.len;
}

static void test_kx_explicit_prime_curve_order_bits(void **state)
{
    (void)state;
    uint8_t body[128];
    size_t n = explicit_prime_ske(body, sizeof(body), 21);
    struct server_kx kx;
    assert_int_equal(server_kx_parse(body, n, WIRE_KEX_ECDHE, VERSION_TLS10, &kx, why, sizeof(why)),
                     ST_OK);
    assert_true(kx.is_ecdh);
    assert_int_equal(kx.curve_type, EC_CURVE_EXPLICIT_PRIME);
    assert_int_equal(kx.named_curve, 0);
    assert_int_equal(kx.explicit_bits, 161);
}

static void test_kx_explicit_char2_pentanomial(void **state)
{
    (void)state;
    uint8_t body[128];
    struct writer w = wr_init(body, sizeof(body));
    wr_u8(&w, EC_CURVE_EXPLICIT_CHAR2);
    wr_u16(&w, 163);
    wr_u8(&w, EC_BASIS_PENTANOMIAL);
    for (int i = 0; i < 3 + 3; i++) { /* k1 k2 k3, a, b, base */
        wr_vec8_open(&w);
        wr_u8(&w, 3);
        wr_vec_close(&w);
    }
    wr_vec8_open(&w); /* order: 0x04 then 20 zero bytes = 163 bits */
    wr_u8(&w, 0x04);
    wr_zeros(&w, 20);
    wr_vec_close(&w);
    wr_vec8_open(&w);
    wr_u8(&w, 2);
    wr_vec_close(&w);
    wr_vec8_open(&w);
    wr_u8(&w, 4);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    struct server_kx kx;
    assert_int_equal(
        server_kx_parse(body, w.len, WIRE_KEX_ECDHE, VERSION_TLS11, &kx, why, sizeof(why)), ST_OK);
    assert_int_equal(kx.curve_type, EC_CURVE_EXPLICIT_CHAR2);
    assert_int_equal(kx.explicit_bits, 163);
}

static void test_kx_unknown_curve_type_is_malformed(void **state)
{
    (void)state;
    const uint8_t body[] = {0x07, 0x00, 0x17, 0x01, 0x04};
    struct server_kx kx;
    assert_int_equal(
        server_kx_parse(body, sizeof(body), WIRE_KEX_ECDHE, VERSION_TLS12, &kx, why, sizeof(why)),
        ST_MALFORMED);
}

static void test_kx_rsa_export_modulus_bytes(void **state)
{
    (void)state;
    uint8_t body[200];
    struct writer w = wr_init(body, sizeof(body));
    wr_vec16_open(&w);
    wr_u8(&w, 0x00); /* a leading zero, as DER-minded servers write */
    wr_u8(&w, 0xc3);
    wr_zeros(&w, 63);
    wr_vec_close(&w);
    wr_vec16_open(&w);
    wr_u8(&w, 0x01);
    wr_u8(&w, 0x00);
    wr_u8(&w, 0x01);
    wr_vec_close(&w);
    wr_vec16_open(&w); /* TLS 1.0 signature: no algorithm */
    wr_zeros(&w, 64);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    struct server_kx kx;
    assert_int_equal(
        server_kx_parse(body, w.len, WIRE_KEX_RSA_EXPORT, VERSION_TLS10, &kx, why, sizeof(why)),
        ST_OK);
    assert_true(kx.is_rsa_export);
    assert_int_equal(kx.rsa_modulus_bytes, 64);
    assert_int_equal(kx.sig_alg, 0);
}

static void test_kx_for_rsa_suite_is_refused(void **state)
{
    (void)state;
    const uint8_t body[] = {0x00};
    struct server_kx kx;
    assert_int_equal(
        server_kx_parse(body, sizeof(body), WIRE_KEX_OTHER, VERSION_TLS12, &kx, why, sizeof(why)),
        ST_MALFORMED);
    assert_string_equal(why, "ServerKeyExchange for a suite whose key exchange sends none");
}

static void test_kx_trailing_byte_is_malformed(void **state)
{
    (void)state;
    /* named curve x25519, point, TLS 1.2 signature, then one stray byte */
    const uint8_t body[] = {0x03, 0x00, 0x1d, 0x01, 0x09, 0x08, 0x04, 0x00, 0x01, 0xaa, 0x00};
    struct server_kx kx;
    assert_int_equal(
        server_kx_parse(body, sizeof(body), WIRE_KEX_ECDHE, VERSION_TLS12, &kx, why, sizeof(why)),
        ST_MALFORMED);
    assert_int_equal(server_kx_parse(body, sizeof(body) - 1, WIRE_KEX_ECDHE, VERSION_TLS12, &kx,
                                     why, sizeof(why)),
                     ST_OK);
    assert_int_equal(kx.named_curve, 29);
}

static void test_suite_kex_classification(void **state)
{
    (void)state;
    assert_int_equal(wire_suite_kex(0xc02f), WIRE_KEX_ECDHE);
    assert_int_equal(wire_suite_kex(0x009e), WIRE_KEX_DHE);
    assert_int_equal(wire_suite_kex(0x0018), WIRE_KEX_DHE);   /* DH_anon_WITH_RC4_128_MD5 */
    assert_int_equal(wire_suite_kex(0xc018), WIRE_KEX_ECDHE); /* ECDH_anon_WITH_AES_128 */
    assert_int_equal(wire_suite_kex(0x0003), WIRE_KEX_RSA_EXPORT);
    assert_int_equal(wire_suite_kex(0x0062), WIRE_KEX_RSA_EXPORT);
    assert_int_equal(wire_suite_kex(0x00aa), WIRE_KEX_DHE_PSK);
    assert_int_equal(wire_suite_kex(0xc035), WIRE_KEX_ECDHE_PSK);
    assert_int_equal(wire_suite_kex(0x008c), WIRE_KEX_PSK);
    assert_int_equal(wire_suite_kex(0xc01d), WIRE_KEX_SRP);
    assert_int_equal(wire_suite_kex(0x1301), WIRE_KEX_TLS13);
    assert_int_equal(wire_suite_kex(0x002f), WIRE_KEX_OTHER);
    assert_int_equal(wire_suite_kex(0x00ff), WIRE_KEX_OTHER); /* SCSV */
    assert_int_equal(wire_suite_kex(0xc005), WIRE_KEX_ECDH);
    assert_true(wire_suite_uses_groups(0xc02b));
    assert_false(wire_suite_uses_groups(0x000a));
}

static size_t sh_with_exts(uint8_t *out, size_t cap, const uint8_t *exts, size_t n)
{
    struct writer w = wr_init(out, cap);
    wr_u16(&w, 0x0303);
    wr_zeros(&w, 32);
    wr_u8(&w, 0);
    wr_u16(&w, 0xc02f);
    wr_u8(&w, 0);
    if (exts != NULL) {
        wr_vec16_open(&w);
        wr_bytes(&w, exts, n);
        wr_vec_close(&w);
    }
    assert_true(wr_done(&w));
    return w.len;
}

static void test_sh_duplicate_extension_is_malformed(void **state)
{
    (void)state;
    const uint8_t exts[] = {0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00};
    uint8_t body[128];
    size_t n = sh_with_exts(body, sizeof(body), exts, sizeof(exts));
    struct server_hello sh;
    assert_int_equal(server_hello_parse(body, n, &sh, why, sizeof(why)), ST_MALFORMED);
    assert_string_equal(why, "ServerHello repeats extension 23");
}

static void test_sh_without_extensions_is_sslv3_style(void **state)
{
    (void)state;
    uint8_t body[128];
    size_t n = sh_with_exts(body, sizeof(body), NULL, 0);
    struct server_hello sh;
    assert_int_equal(server_hello_parse(body, n, &sh, why, sizeof(why)), ST_OK);
    assert_int_equal(sh.n_exts, 0);
    assert_int_equal(sh.suite, 0xc02f);
}

static void test_sh_extension_body_must_be_consumed(void **state)
{
    (void)state;
    /* extended_master_secret with a 1-byte body */
    const uint8_t exts[] = {0x00, 0x17, 0x00, 0x01, 0x00};
    uint8_t body[128];
    size_t n = sh_with_exts(body, sizeof(body), exts, sizeof(exts));
    struct server_hello sh;
    assert_int_equal(server_hello_parse(body, n, &sh, why, sizeof(why)), ST_MALFORMED);
    assert_string_equal(why, "ServerHello extension 23 malformed (1 bytes)");
}

static void test_sh_session_id_over_32_is_malformed(void **state)
{
    (void)state;
    uint8_t body[128];
    struct writer w = wr_init(body, sizeof(body));
    wr_u16(&w, 0x0303);
    wr_zeros(&w, 32);
    wr_u8(&w, 33);
    wr_zeros(&w, 33);
    wr_u16(&w, 0x002f);
    wr_u8(&w, 0);
    struct server_hello sh;
    assert_int_equal(server_hello_parse(body, w.len, &sh, why, sizeof(why)), ST_MALFORMED);
    assert_string_equal(why, "ServerHello session id of 33 bytes exceeds 32");
}

static void test_sh_downgrade_sentinel(void **state)
{
    (void)state;
    uint8_t body[128];
    size_t n = sh_with_exts(body, sizeof(body), NULL, 0);
    memcpy(body + 2 + 24, "DOWNGRD\x01", 8);
    struct server_hello sh;
    assert_int_equal(server_hello_parse(body, n, &sh, why, sizeof(why)), ST_OK);
    assert_int_equal(sh.downgrade, DOWNGRADE_TLS12);
    memcpy(body + 2 + 24, "DOWNGRD\x00", 8);
    assert_int_equal(server_hello_parse(body, n, &sh, why, sizeof(why)), ST_OK);
    assert_int_equal(sh.downgrade, DOWNGRADE_TLS11);
}

static void test_sh_hrr_without_supported_versions_is_malformed(void **state)
{
    (void)state;
    uint8_t body[128];
    size_t n = sh_with_exts(body, sizeof(body), NULL, 0);
    memcpy(body + 2, hrr_random, 32);
    struct server_hello sh;
    assert_int_equal(server_hello_parse(body, n, &sh, why, sizeof(why)), ST_MALFORMED);
    assert_string_equal(why, "HelloRetryRequest without supported_versions");
}

static void test_cert_empty_entry_is_malformed(void **state)
{
    (void)state;
    const uint8_t body[] = {0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    struct cert_view certs[2];
    size_t stored = 0;
    size_t seen = 0;
    assert_int_equal(
        server_cert_parse(body, sizeof(body), certs, 2, &stored, &seen, why, sizeof(why)),
        ST_MALFORMED);
    assert_string_equal(why, "certificate 1 of the chain is empty");
}

static void test_cert_list_length_must_match(void **state)
{
    (void)state;
    const uint8_t body[] = {0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0x30, 0x00};
    struct cert_view certs[2];
    size_t stored = 0;
    size_t seen = 0;
    assert_int_equal(
        server_cert_parse(body, sizeof(body), certs, 2, &stored, &seen, why, sizeof(why)),
        ST_MALFORMED);
    assert_int_equal(server_cert_parse(body, 7, certs, 2, &stored, &seen, why, sizeof(why)),
                     ST_MALFORMED);
    const uint8_t ok[] = {0x00, 0x00, 0x04, 0x00, 0x00, 0x01, 0x30};
    assert_int_equal(server_cert_parse(ok, sizeof(ok), certs, 2, &stored, &seen, why, sizeof(why)),
                     ST_OK);
    assert_int_equal(stored, 1);
    assert_ptr_equal(certs[0].der, ok + 6);
}

static void test_cert_empty_chain_is_allowed(void **state)
{
    (void)state;
    const uint8_t body[] = {0x00, 0x00, 0x00};
    struct cert_view certs[2];
    size_t stored = 9;
    size_t seen = 9;
    assert_int_equal(
        server_cert_parse(body, sizeof(body), certs, 2, &stored, &seen, why, sizeof(why)), ST_OK);
    assert_int_equal(seen, 0);
}

/* An SSLv2 SERVER-HELLO as a pre-2000 server would send it. */
static size_t ssl2_server_hello(uint8_t *out, size_t cap, size_t n_specs)
{
    struct writer w = wr_init(out, cap);
    size_t cert_len = 40;
    size_t body = 11 + cert_len + 3 * n_specs + 16;
    wr_u16(&w, (uint16_t)(0x8000 | body));
    wr_u8(&w, SSL2_MT_SERVER_HELLO);
    wr_u8(&w, 0); /* session id hit */
    wr_u8(&w, 1); /* SSL_CT_X509_CERTIFICATE */
    wr_u16(&w, 0x0002);
    wr_u16(&w, (uint16_t)cert_len);
    wr_u16(&w, (uint16_t)(3 * n_specs));
    wr_u16(&w, 16);
    wr_u8(&w, 0x30);
    wr_zeros(&w, cert_len - 1);
    for (size_t i = 0; i < n_specs; i++) {
        wr_u24(&w, (uint32_t)(0x010080 + (i << 16)));
    }
    wr_zeros(&w, 16);
    assert_true(wr_done(&w));
    return w.len;
}

static void test_flight_sslv2_server_hello(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = ssl2_server_hello(buf, sizeof(buf), 3);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, true), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_SSL2_SERVER_HELLO);
    assert_int_equal(f.sh.version, 0x0002);
    assert_int_equal(f.n_ssl2_specs, 3);
    assert_int_equal(f.ssl2_specs[0], 0x010080);
    assert_int_equal(f.ssl2_specs[2], 0x030080);
    assert_int_equal(f.n_certs, 1);
    assert_int_equal(f.certs[0].len, 40);
    struct server_flight g;
    assert_int_equal(feed_bytewise(&g, buf, n, false, true), FLIGHT_DONE);
    assert_int_equal(g.n_ssl2_specs, 3);
}

static void test_flight_sslv2_many_specs_are_counted(void **state)
{
    (void)state;
    uint8_t buf[2048];
    size_t n = ssl2_server_hello(buf, sizeof(buf), 100);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, true), FLIGHT_DONE);
    assert_int_equal(f.n_ssl2_specs, FLIGHT_MAX_SSL2_SPECS);
    assert_int_equal(f.n_ssl2_specs_seen, 100);
}

static void test_flight_sslv2_error(void **state)
{
    (void)state;
    const uint8_t buf[] = {0x80, 0x03, SSL2_MT_ERROR, 0x00, 0x01};
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, sizeof(buf), false, true), FLIGHT_DONE);
    assert_int_equal(f.answer, ANSWER_SSL2_ERROR);
    assert_int_equal(f.ssl2_error, 1);
}

static void test_flight_sslv2_specs_not_multiple_of_three(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = ssl2_server_hello(buf, sizeof(buf), 2);
    buf[2 + 8] = 0;
    buf[2 + 9] = 5; /* cipher_specs_length 5, lengths no longer add up either */
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, true), FLIGHT_GARBLED);
    assert_string_equal(f.why, "SSLv2 SERVER-HELLO lengths disagree with its record");
}

static void test_flight_sslv2_record_to_tls_hello(void **state)
{
    (void)state;
    uint8_t buf[1024];
    size_t n = ssl2_server_hello(buf, sizeof(buf), 1);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, false), FLIGHT_GARBLED);
    assert_non_null(strstr(f.why, "SSLv2 record in answer to a TLS hello"));
}

static void test_flight_change_cipher_spec_first_is_garbled(void **state)
{
    (void)state;
    const uint8_t buf[] = {CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, sizeof(buf), false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "ChangeCipherSpec before the server's hello flight ended");
}

static void test_flight_application_data_first_is_garbled(void **state)
{
    (void)state;
    const uint8_t buf[] = {CT_APPLICATION_DATA, 3, 3, 0, 1, 1};
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, sizeof(buf), false, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "application data before the handshake finished");
}

static void test_flight_empty_records_are_skipped(void **state)
{
    (void)state;
    uint8_t buf[300];
    const uint8_t empty[] = {CT_HANDSHAKE, 3, 3, 0, 0};
    memcpy(buf, empty, 5);
    memcpy(buf + 5, empty, 5);
    size_t n = 10 + make_sh12(buf + 10, sizeof(buf) - 10, 0x002f);
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n, false, false), FLIGHT_DONE);
    assert_int_equal(f.sh.suite, 0x002f);
}

static void test_flight_endless_empty_records_are_refused(void **state)
{
    (void)state;
    static uint8_t buf[FLIGHT_MAX_TOTAL + 10];
    for (size_t i = 0; i + 5 <= sizeof(buf); i += 5) {
        const uint8_t empty[] = {CT_HANDSHAKE, 3, 3, 0, 0};
        memcpy(buf + i, empty, 5);
    }
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, sizeof(buf), false, false), FLIGHT_GARBLED);
    assert_non_null(strstr(f.why, "without finishing its hello flight"));
}

static void test_flight_unexpected_message_after_server_hello(void **state)
{
    (void)state;
    uint8_t buf[300];
    size_t n = make_sh12(buf, sizeof(buf), 0x002f);
    const uint8_t ticket[] = {CT_HANDSHAKE, 3, 3, 0, 4, HS_NEW_SESSION_TICKET, 0, 0, 0};
    memcpy(buf + n, ticket, sizeof(ticket));
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n + sizeof(ticket), true, false), FLIGHT_GARBLED);
    assert_string_equal(f.why,
                        "unexpected handshake message type 4 (NewSessionTicket) after ServerHello");
}

static void test_flight_server_hello_done_with_body(void **state)
{
    (void)state;
    uint8_t buf[300];
    size_t n = make_sh12(buf, sizeof(buf), 0x002f);
    const uint8_t shd[] = {CT_HANDSHAKE, 3, 3, 0, 5, HS_SERVER_HELLO_DONE, 0, 0, 1, 0};
    memcpy(buf + n, shd, sizeof(shd));
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, n + sizeof(shd), true, false), FLIGHT_GARBLED);
    assert_string_equal(f.why, "ServerHelloDone with a 1-byte body");
}

static void test_flight_messages_share_one_record(void **state)
{
    (void)state;
    /* ServerHello and ServerHelloDone in one record, as some servers pack. */
    uint8_t buf[300];
    struct writer w = wr_init(buf, sizeof(buf));
    rec_open(&w, CT_HANDSHAKE);
    sh_body(&w, 0x0303, NULL, 0x002f, false);
    wr_u8(&w, HS_SERVER_HELLO_DONE);
    wr_u24(&w, 0);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, w.len, true, false), FLIGHT_DONE);
    assert_true(f.got_server_hello_done);
}

static void test_flight_message_spans_many_records(void **state)
{
    (void)state;
    /* A ServerHello cut into 1-byte records (legal in TLS 1.2). */
    uint8_t sh[200];
    size_t n = make_sh12(sh, sizeof(sh), 0xc02f);
    uint8_t buf[2000];
    struct writer w = wr_init(buf, sizeof(buf));
    for (size_t i = 5; i < n; i++) {
        rec_open(&w, CT_HANDSHAKE);
        wr_u8(&w, sh[i]);
        wr_vec_close(&w);
    }
    assert_true(wr_done(&w));
    struct server_flight f;
    assert_int_equal(feed_all(&f, buf, w.len, false, false), FLIGHT_DONE);
    assert_int_equal(f.sh.suite, 0xc02f);
}

static void test_flight_null_buffer_refuses_handshake(void **state)
{
    (void)state;
    uint8_t buf[200];
    size_t n = make_sh12(buf, sizeof(buf), 0xc02f);
    struct server_flight f;
    server_flight_init(&f, NULL, 1000, false, false);
    assert_int_equal(server_flight_feed(&f, buf, n), FLIGHT_GARBLED);
    uint8_t alert[8];
    size_t an = make_alert(alert, 2, 40);
    server_flight_init(&f, NULL, 0, false, false);
    assert_int_equal(server_flight_feed(&f, alert, an), FLIGHT_DONE);
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
        cmocka_unit_test(test_kx_dhe_counts_bits_past_leading_zeros),
        cmocka_unit_test(test_kx_dh_anon_has_no_signature),
        cmocka_unit_test(test_kx_dhe_psk_reads_hint_first),
        cmocka_unit_test(test_kx_empty_dh_prime_is_malformed),
        cmocka_unit_test(test_kx_explicit_prime_curve_order_bits),
        cmocka_unit_test(test_kx_explicit_char2_pentanomial),
        cmocka_unit_test(test_kx_unknown_curve_type_is_malformed),
        cmocka_unit_test(test_kx_rsa_export_modulus_bytes),
        cmocka_unit_test(test_kx_for_rsa_suite_is_refused),
        cmocka_unit_test(test_kx_trailing_byte_is_malformed),
        cmocka_unit_test(test_suite_kex_classification),
        cmocka_unit_test(test_sh_duplicate_extension_is_malformed),
        cmocka_unit_test(test_sh_without_extensions_is_sslv3_style),
        cmocka_unit_test(test_sh_extension_body_must_be_consumed),
        cmocka_unit_test(test_sh_session_id_over_32_is_malformed),
        cmocka_unit_test(test_sh_downgrade_sentinel),
        cmocka_unit_test(test_sh_hrr_without_supported_versions_is_malformed),
        cmocka_unit_test(test_cert_empty_entry_is_malformed),
        cmocka_unit_test(test_cert_list_length_must_match),
        cmocka_unit_test(test_cert_empty_chain_is_allowed),
        cmocka_unit_test(test_flight_sslv2_server_hello),
        cmocka_unit_test(test_flight_sslv2_many_specs_are_counted),
        cmocka_unit_test(test_flight_sslv2_error),
        cmocka_unit_test(test_flight_sslv2_specs_not_multiple_of_three),
        cmocka_unit_test(test_flight_sslv2_record_to_tls_hello),
        cmocka_unit_test(test_flight_change_cipher_spec_first_is_garbled),
        cmocka_unit_test(test_flight_application_data_first_is_garbled),
        cmocka_unit_test(test_flight_empty_records_are_skipped),
        cmocka_unit_test(test_flight_endless_empty_records_are_refused),
        cmocka_unit_test(test_flight_unexpected_message_after_server_hello),
        cmocka_unit_test(test_flight_server_hello_done_with_body),
        cmocka_unit_test(test_flight_messages_share_one_record),
        cmocka_unit_test(test_flight_message_spans_many_records),
        cmocka_unit_test(test_flight_null_buffer_refuses_handshake),
        cmocka_unit_test(test_alert_name_known_and_unknown),
    };
    return cmocka_run_group_tests_name("server_flight", tests, NULL, NULL);
}
