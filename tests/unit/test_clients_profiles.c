/* Client profiles: every profile in data/clients loads, its hello rebuilds
 * byte for byte where a capture exists, its hello carries the facts the
 * profile states, names agree with the registry, and golden hellos in
 * tests/snapshots/profiles/ do not drift. */
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

#include "clients/client.h"
#include "clients/profile.h"
#include "registry/registry.h"
#include "wire/hello_client.h"
#include "wire/reader.h"

#define DATA_DIR     TESTS_DIR "/../data/clients"
#define SNAPSHOT_DIR TESTS_DIR "/snapshots/profiles"
#define SNAPSHOT_SNI "snapshot.tlsgate.test"
#define MAX_EXTS     64

/* Where the per-connection bytes of a hello sit, and the fields a test checks. */
struct hello_view {
    size_t random_off;
    size_t sid_off;
    size_t sid_len;
    uint16_t suites[CLIENT_MAX_SUITES];
    size_t n_suites;
    uint16_t ext_types[MAX_EXTS];
    size_t n_exts;
    size_t key_off[CLIENT_MAX_KEY_SHARES]; /* key bytes inside key_share */
    size_t key_len[CLIENT_MAX_KEY_SHARES];
    size_t n_keys;
    char sni[256];
};

static struct client_db *db;

static int db_setup(void **state)
{
    (void)state;
    char err[512] = "";
    db = client_db_load(DATA_DIR, err, sizeof(err));
    if (db == NULL) {
        fprintf(stderr, "load failed: %s\n", err);
        return -1;
    }
    return 0;
}

static int db_teardown(void **state)
{
    (void)state;
    client_db_free(db);
    return 0;
}

static void view_key_share(struct reader ext, size_t base, struct hello_view *v)
{
    struct reader list = rd_vec16(&ext);
    while (rd_ok(&list) && rd_left(&list) > 0 && v->n_keys < CLIENT_MAX_KEY_SHARES) {
        rd_u16(&list);
        size_t klen = rd_u16(&list);
        v->key_off[v->n_keys] = base + (size_t)(rd_ptr(&list) - ext.buf);
        v->key_len[v->n_keys++] = klen;
        rd_skip(&list, klen);
    }
    assert_true(rd_done(&list));
}

static void view_sni(struct reader ext, struct hello_view *v)
{
    struct reader list = rd_vec16(&ext);
    assert_int_equal(rd_u8(&list), 0);
    struct reader name = rd_vec16(&list);
    size_t n = rd_len(&name);
    assert_true(rd_ok(&list) && n < sizeof(v->sni));
    memcpy(v->sni, rd_bytes(&name, n), n);
    v->sni[n] = '\0';
}

/* Parses a single-record ClientHello; all lengths must agree exactly. */
static void hello_view_parse(const uint8_t *buf, size_t len, struct hello_view *v)
{
    memset(v, 0, sizeof(*v));
    struct reader r = rd_init(buf, len);
    assert_int_equal(rd_u8(&r), 0x16);
    rd_u16(&r);
    struct reader rec = rd_vec16(&r);
    assert_true(rd_done(&r));
    assert_int_equal(rd_u8(&rec), 1);
    struct reader hs = rd_vec24(&rec);
    assert_true(rd_done(&rec));
    rd_u16(&hs);
    v->random_off = 11;
    rd_skip(&hs, 32);
    struct reader sid = rd_vec8(&hs);
    v->sid_off = 44;
    v->sid_len = rd_len(&sid);
    struct reader suites = rd_vec16(&hs);
    while (rd_ok(&suites) && rd_left(&suites) >= 2 && v->n_suites < CLIENT_MAX_SUITES) {
        v->suites[v->n_suites++] = rd_u16(&suites);
    }
    rd_vec8(&hs);
    if (rd_left(&hs) > 0) {
        struct reader exts = rd_vec16(&hs);
        while (rd_ok(&exts) && rd_left(&exts) > 0 && v->n_exts < MAX_EXTS) {
            uint16_t type = rd_u16(&exts);
            struct reader body = rd_vec16(&exts);
            v->ext_types[v->n_exts++] = type;
            size_t base = (size_t)(body.buf - buf);
            if (type == EXT_KEY_SHARE) {
                view_key_share(body, base, v);
            } else if (type == EXT_SERVER_NAME) {
                view_sni(body, v);
            }
        }
        assert_true(rd_done(&exts));
    }
    assert_true(rd_done(&hs));
}

/* Zeroes the bytes a client makes fresh per connection. */
static void mask_fresh(uint8_t *buf, const struct hello_view *v)
{
    memset(buf + v->random_off, 0, 32);
    memset(buf + v->sid_off, 0, v->sid_len);
    for (size_t i = 0; i < v->n_keys; i++) {
        memset(buf + v->key_off[i], 0, v->key_len[i]);
    }
}

/* Prints both hellos 16 bytes a line; lines that differ are marked '!' and
 * the differing bytes underlined with '^^'. */
static void hexdump_diff(const char *id, const char *label, const uint8_t *want, size_t wlen,
                         const uint8_t *got, size_t glen)
{
    size_t n = wlen > glen ? wlen : glen;
    fprintf(stderr, "%s: built hello differs (%s %zu bytes, built %zu)\n", id, label, wlen, glen);
    for (size_t off = 0; off < n; off += 16) {
        char mark[64];
        size_t m = 0;
        bool diff = false;
        for (size_t i = off; i < off + 16 && i < n; i++) {
            bool d = i >= wlen || i >= glen || want[i] != got[i];
            diff = diff || d;
            memcpy(mark + m, d ? " ^^" : "   ", 3);
            m += 3;
        }
        mark[m] = '\0';
        for (int side = 0; side < 2; side++) {
            const uint8_t *b = side ? got : want;
            size_t blen = side ? glen : wlen;
            fprintf(stderr, "%c %-8s %04zx:", diff ? '!' : ' ', side ? "built" : label, off);
            for (size_t i = off; i < off + 16 && i < blen; i++) {
                fprintf(stderr, " %02x", b[i]);
            }
            fprintf(stderr, "\n");
        }
        if (diff) {
            fprintf(stderr, "%16s%s\n", "", mark);
        }
    }
}

static void test_clients_db_loads_enough_profiles(void **state)
{
    (void)state;
    assert_true(client_db_count(db) >= 60);
    static const char *const required[] = {
        "ios-9",
        "ios-17",
        "ios-26",
        "macos-12.3",
        "safari-9-ios",
        "safari-26.4-ios",
        "android-2.3",
        "android-4.4",
        "android-14",
        "chrome-137",
        "firefox-137",
        "edge-133",
        "ie-11-win7",
        "ie-11-win8.1",
        "ie-8-xp",
        "java-7",
        "java-8",
        "java-11",
        "java-17",
        "java-21",
        "openssl-1.0.2",
        "openssl-1.1.1",
        "openssl-3.0",
        "curl-local",
        "python-3.11-local",
        "go-1.24",
        "dotnet-ws2012",
        "dotnet-ws2012r2",
        "dotnet-ws2016",
        "dotnet-ws2019",
        "dotnet-ws2022",
        "openssl-3.0-local",
        "gnutls-3.7-local",
        "java-17-local",
        "node-20-local",
    };
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (client_db_find(db, required[i]) == NULL) {
            fail_msg("profile %s missing", required[i]);
        }
    }
}

static void test_clients_captured_hellos_rebuild_exactly(void **state)
{
    (void)state;
    size_t checked = 0;
    for (size_t i = 0; i < client_db_count(db); i++) {
        const struct client_profile *p = client_db_get(db, i);
        if (p->capture == NULL) {
            continue;
        }
        uint8_t want[HELLO_MAX_LEN];
        uint8_t got[HELLO_MAX_LEN];
        size_t glen = 0;
        assert_true(p->capture_len <= sizeof(want));
        memcpy(want, p->capture, p->capture_len);
        struct hello_view wv;
        struct hello_view gv;
        hello_view_parse(want, p->capture_len, &wv);
        assert_int_equal(
            client_hello_build(p, p->capture_sni, want + wv.random_off, got, sizeof(got), &glen),
            ST_OK);
        hello_view_parse(got, glen, &gv);
        mask_fresh(want, &wv);
        mask_fresh(got, &gv);
        if (glen != p->capture_len || memcmp(want, got, glen) != 0) {
            hexdump_diff(p->id, "captured", want, p->capture_len, got, glen);
            fail_msg("%s: rebuilt hello differs from its capture", p->id);
        }
        checked++;
    }
    assert_true(checked >= 40);
}

/* The built hello carries exactly the suites, versions and groups the
 * profile states, and the names written beside codes match the registry. */
static void check_profile_facts(const struct client_profile *p)
{
    uint8_t buf[HELLO_MAX_LEN];
    size_t len = 0;
    uint8_t random[32] = {7};
    assert_int_equal(client_hello_build(p, "facts.tlsgate.test", random, buf, sizeof(buf), &len),
                     ST_OK);
    struct hello_view v;
    hello_view_parse(buf, len, &v);
    assert_int_equal(v.n_suites, p->n_suites);
    assert_memory_equal(v.suites, p->suites, p->n_suites * sizeof(uint16_t));
    assert_int_equal(v.sid_len, p->session_id_len);
    bool sends_sni = false;
    for (size_t i = 0; i < p->n_exts; i++) {
        sends_sni = sends_sni || p->exts[i].kind == CLIENT_EXT_SNI;
    }
    if (sends_sni) {
        assert_string_equal(v.sni, "facts.tlsgate.test");
    }
    assert_true(p->accepts.min_version <= p->max_version);
    assert_true(p->max_version >= 0x0300 && p->max_version <= 0x0304);
}

static void test_clients_hellos_match_stated_facts(void **state)
{
    (void)state;
    for (size_t i = 0; i < client_db_count(db); i++) {
        check_profile_facts(client_db_get(db, i));
    }
}

/* ATS apps offer nothing ATS forbids: TLS 1.2 or later, and only suites in
 * their generation's ATS list (plus signalling values). */
static void test_clients_ats_profiles_follow_ats(void **state)
{
    (void)state;
    size_t n_ats = 0;
    for (size_t i = 0; i < client_db_count(db); i++) {
        const struct client_profile *p = client_db_get(db, i);
        if (!client_in_group(p, "ats")) {
            continue;
        }
        n_ats++;
        assert_true(p->ats.present);
        assert_int_equal(p->accepts.min_version, 0x0303);
        assert_int_equal(p->ats.min_rsa_bits, 2048);
        assert_int_equal(p->ats.min_ecc_bits, 256);
        for (size_t s = 0; s < p->n_suites; s++) {
            uint16_t code = p->suites[s];
            bool listed = false;
            for (size_t k = 0; k < p->ats.n_suites; k++) {
                listed = listed || p->ats.suites[k] == code;
            }
            const struct suite_info *si = suite_find(code);
            bool signal = client_is_grease(code) || (si && (si->flags & SUITE_SCSV));
            if (!listed && !signal) {
                fail_msg("%s offers 0x%04x outside its ATS list", p->id, code);
            }
            assert_true(signal || (si && (si->kex == KEX_ECDHE || si->kex == KEX_TLS13)));
        }
    }
    assert_true(n_ats >= 10);
}

/* Suites real clients offered that were never IANA-assigned, so the
 * registry does not list them: Chrome's and Android's pre-RFC 7905 ChaCha20
 * (0xcc13-0xcc15), the EXPORT1024 drafts (0x0062-0x0064, IE on XP) and
 * LibreSSL's GOST (0xff85). */
static bool unregistered_known(uint16_t code)
{
    return (code >= 0xcc13 && code <= 0xcc15) || (code >= 0x0062 && code <= 0x0064) ||
           code == 0xff85;
}

static void check_label_names(const struct client_profile *p)
{
    for (size_t s = 0; s < p->n_suites; s++) {
        const struct suite_info *si = suite_find(p->suites[s]);
        if (!client_is_grease(p->suites[s]) && si == NULL && !unregistered_known(p->suites[s])) {
            fail_msg("%s: suite 0x%04x not in the registry", p->id, p->suites[s]);
        }
    }
    for (size_t g = 0; g < p->n_groups; g++) {
        if (group_find(p->groups[g]) == NULL) {
            fail_msg("%s: group 0x%04x not in the registry", p->id, p->groups[g]);
        }
    }
}

static void test_clients_codes_are_in_registry(void **state)
{
    (void)state;
    for (size_t i = 0; i < client_db_count(db); i++) {
        check_label_names(client_db_get(db, i));
    }
}

static void test_clients_go_124_follows_documented_defaults(void **state)
{
    (void)state;
    const struct client_profile *p = client_db_find(db, "go-1.24");
    assert_non_null(p);
    for (size_t s = 0; s < p->n_suites; s++) {
        const struct suite_info *si = suite_find(p->suites[s]);
        assert_non_null(si);
        assert_true(si->kex != KEX_RSA);        /* Go 1.22 */
        assert_true(si->cipher != CIPHER_3DES); /* Go 1.23 */
    }
    assert_int_equal(p->groups[0], 0x11ec); /* Go 1.24: X25519MLKEM768 first */
    assert_int_equal(p->accepts.min_version, 0x0303);
}

static void write_snapshot(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < len; i++) {
        fprintf(f, "%02x%s", buf[i], (i % 32 == 31 || i + 1 == len) ? "\n" : "");
    }
    fclose(f);
}

static size_t read_snapshot(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    size_t n = 0;
    unsigned int byte;
    while (n < cap && fscanf(f, "%2x", &byte) == 1) {
        buf[n++] = (uint8_t)byte;
    }
    fclose(f);
    return n;
}

/* Golden hellos: fixed random, fixed SNI, generated keys as zeros. Set
 * TLSGATE_UPDATE_SNAPSHOTS=1 to rewrite them after an intended change. */
static void test_clients_golden_hellos(void **state)
{
    (void)state;
    bool update = getenv("TLSGATE_UPDATE_SNAPSHOTS") != NULL;
    for (size_t i = 0; i < client_db_count(db); i++) {
        const struct client_profile *p = client_db_get(db, i);
        uint8_t got[HELLO_MAX_LEN];
        uint8_t want[HELLO_MAX_LEN];
        size_t glen = 0;
        uint8_t random[32] = {0};
        assert_int_equal(
            client_hello_build_ex(p, SNAPSHOT_SNI, random, true, got, sizeof(got), &glen), ST_OK);
        char path[512];
        snprintf(path, sizeof(path), "%s/%s.hex", SNAPSHOT_DIR, p->id);
        if (update) {
            write_snapshot(path, got, glen);
            continue;
        }
        size_t wlen = read_snapshot(path, want, sizeof(want));
        if (wlen != glen || memcmp(want, got, glen) != 0) {
            hexdump_diff(p->id, "golden", want, wlen, got, glen);
            fail_msg("%s: hello differs from %s", p->id, path);
        }
    }
}

/* One line per profile: what it is and the key of its hello, so that a
 * change to any profile shows as a readable diff of index.txt. */
static size_t render_index(char *buf, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < client_db_count(db) && n < cap; i++) {
        struct client_display d;
        const struct client_profile *p = client_db_get(db, i);
        client_display(p, &d);
        int w = snprintf(buf + n, cap - n,
                         "%-20s %-8s max 0x%04x min 0x%04x suites %3zu%s key %016llx\n", d.id,
                         d.kind, d.max_version, d.min_version, p->n_suites, d.ats ? " ats" : "    ",
                         (unsigned long long)client_hello_key(p));
        n += w > 0 ? (size_t)w : 0;
    }
    return n < cap ? n : cap;
}

static void test_clients_index_snapshot(void **state)
{
    (void)state;
    static char got[64 * 1024];
    static char want[64 * 1024];
    size_t glen = render_index(got, sizeof(got));
    assert_true(glen < sizeof(got));
    const char *path = SNAPSHOT_DIR "/index.txt";
    if (getenv("TLSGATE_UPDATE_SNAPSHOTS") != NULL) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fwrite(got, 1, glen, f);
        fclose(f);
        return;
    }
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t wlen = fread(want, 1, sizeof(want), f);
    fclose(f);
    if (wlen != glen || memcmp(want, got, glen) != 0) {
        fprintf(stderr, "profile index differs from %s; now:\n%s", path, got);
        fail_msg("profile index changed");
    }
}

static void test_clients_hello_key_groups_identical_hellos(void **state)
{
    (void)state;
    const struct client_profile *a = client_db_find(db, "android-13");
    const struct client_profile *b = client_db_find(db, "android-14");
    const struct client_profile *c = client_db_find(db, "android-10");
    assert_true(a && b && c);
    assert_true(client_hello_key(a) == client_hello_key(b));
    assert_true(client_hello_key(a) != client_hello_key(c));
    assert_true(client_hello_key(client_db_find(db, "ios-17")) ==
                client_hello_key(client_db_find(db, "ios-18")));
}

static void test_clients_derived_key_shares_are_fresh(void **state)
{
    (void)state;
    const struct client_profile *p = client_db_find(db, "ios-17");
    uint8_t a[HELLO_MAX_LEN];
    uint8_t b[HELLO_MAX_LEN];
    size_t alen = 0;
    size_t blen = 0;
    uint8_t random[32] = {1};
    assert_int_equal(client_hello_build(p, "a.test", random, a, sizeof(a), &alen), ST_OK);
    assert_int_equal(client_hello_build(p, "a.test", random, b, sizeof(b), &blen), ST_OK);
    assert_int_equal(alen, blen);
    struct hello_view v;
    hello_view_parse(a, alen, &v);
    size_t k = 0;
    while (k < v.n_keys && v.key_len[k] != 32) { /* skip the 1-byte GREASE share */
        k++;
    }
    assert_true(k < v.n_keys);
    /* same random, different key pair each time */
    assert_memory_not_equal(a + v.key_off[k], b + v.key_off[k], v.key_len[k]);
}

static void test_clients_no_sni_omits_server_name(void **state)
{
    (void)state;
    const struct client_profile *p = client_db_find(db, "chrome-137");
    uint8_t buf[HELLO_MAX_LEN];
    size_t len = 0;
    uint8_t random[32] = {0};
    assert_int_equal(client_hello_build(p, NULL, random, buf, sizeof(buf), &len), ST_OK);
    struct hello_view v;
    hello_view_parse(buf, len, &v);
    for (size_t i = 0; i < v.n_exts; i++) {
        assert_int_not_equal(v.ext_types[i], EXT_SERVER_NAME);
    }
}

/* A padded client (OpenSSL) pads a 256..511-byte hello to 512 whatever the
 * SNI's length, and sends no padding once the hello is past 512. */
static void test_clients_padding_follows_hello_length(void **state)
{
    (void)state;
    const struct client_profile *p = client_db_find(db, "python-3.11-local");
    uint8_t buf[HELLO_MAX_LEN];
    size_t len = 0;
    uint8_t random[32] = {0};
    assert_int_equal(client_hello_build(p, "a.b", random, buf, sizeof(buf), &len), ST_OK);
    assert_int_equal(len, 5 + 512);
    char longname[240];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(client_hello_build(p, longname, random, buf, sizeof(buf), &len), ST_OK);
    struct hello_view v;
    hello_view_parse(buf, len, &v);
    for (size_t i = 0; i < v.n_exts; i++) {
        assert_int_not_equal(v.ext_types[i], EXT_PADDING);
    }
}

static void test_clients_hello_build_rejects_small_buffer(void **state)
{
    (void)state;
    const struct client_profile *p = client_db_find(db, "chrome-137");
    uint8_t buf[100];
    size_t len = 0;
    uint8_t random[32] = {0};
    assert_int_not_equal(client_hello_build(p, "x.test", random, buf, sizeof(buf), &len), ST_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clients_db_loads_enough_profiles),
        cmocka_unit_test(test_clients_captured_hellos_rebuild_exactly),
        cmocka_unit_test(test_clients_hellos_match_stated_facts),
        cmocka_unit_test(test_clients_ats_profiles_follow_ats),
        cmocka_unit_test(test_clients_codes_are_in_registry),
        cmocka_unit_test(test_clients_go_124_follows_documented_defaults),
        cmocka_unit_test(test_clients_golden_hellos),
        cmocka_unit_test(test_clients_index_snapshot),
        cmocka_unit_test(test_clients_hello_key_groups_identical_hellos),
        cmocka_unit_test(test_clients_derived_key_shares_are_fresh),
        cmocka_unit_test(test_clients_no_sni_omits_server_name),
        cmocka_unit_test(test_clients_padding_follows_hello_length),
        cmocka_unit_test(test_clients_hello_build_rejects_small_buffer),
    };
    return cmocka_run_group_tests(tests, db_setup, db_teardown);
}
