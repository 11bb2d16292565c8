/* Profile loader errors name the file, the profile and the field; list
 * selection resolves ids, globs, groups, "all" and "none". */
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

#define DATA_DIR TESTS_DIR "/../data/clients"

/* A small valid profile; tests break one field at a time. */
static const char good[] =
    "{\"format\": 1, \"id\": \"t-1\", \"name\": \"T\", \"family\": \"t\", \"groups\": [\"t\"],"
    " \"provenance\": {\"kind\": \"derived\", \"source\": \"s\", \"where\": \"w\","
    " \"license\": \"l\"},"
    " \"hello\": {\"record_version\": \"0x0301\", \"client_version\": \"0x0303\","
    " \"session_id_len\": 32, \"suites\": [\"0xc02f x\", \"0x009c y\"], \"compression\": [0],"
    " \"extensions\": [{\"type\": \"0x0000 server_name\", \"sni\": true},"
    " {\"type\": \"0x000a supported_groups\", \"groups\": [\"0x001d x25519\"]},"
    " {\"type\": \"0x002b supported_versions\", \"versions\": [\"0x0304\", \"0x0303\"]},"
    " {\"type\": \"0x0033 key_share\", \"key_shares\": [{\"group\": \"0x001d\","
    " \"key\": \"generate\"}]},"
    " {\"type\": \"0xff01 renegotiation_info\", \"data\": \"00\"}]},"
    " \"accepts\": {\"min_version\": \"0x0303\", \"min_dh_bits\": 2048, \"max_dh_bits\": 0,"
    " \"min_rsa_bits\": 0, \"max_rsa_bits\": 0, \"min_ecdsa_bits\": 0,"
    " \"requires_sha2\": false, \"legacy_kx_signature\": true}}";

/* Parses good with `from` replaced by `to`; returns the error text ("" if ok). */
static const char *parse_with(const char *from, const char *to)
{
    static char err[512];
    char json[4096];
    const char *at = strstr(good, from);
    assert_non_null(at);
    size_t pre = (size_t)(at - good);
    snprintf(json, sizeof(json), "%.*s%s%s", (int)pre, good, to, at + strlen(from));
    err[0] = '\0';
    struct client_profile *p = client_profile_parse(json, strlen(json), "t.json", err, sizeof(err));
    client_profile_free(p);
    return p ? "" : err;
}

static void test_clients_parse_accepts_good_profile(void **state)
{
    (void)state;
    char err[256] = "";
    struct client_profile *p = client_profile_parse(good, strlen(good), "t.json", err, sizeof(err));
    assert_non_null(p);
    assert_int_equal(p->n_suites, 2);
    assert_int_equal(p->max_version, 0x0304);
    assert_int_equal(p->n_groups, 1);
    assert_int_equal(p->accepts.min_dh_bits, 2048);
    client_profile_free(p);
}

static void test_clients_parse_names_file_id_and_field(void **state)
{
    (void)state;
    const char *e = parse_with("\"min_dh_bits\": 2048", "\"min_dh_bits\": -5");
    assert_non_null(strstr(e, "t.json: profile t-1: min_dh_bits:"));
}

static void test_clients_parse_rejects_bad_code(void **state)
{
    (void)state;
    assert_non_null(strstr(parse_with("\"0xc02f x\"", "\"c02f\""), "hello.suites"));
    assert_non_null(strstr(parse_with("\"0xc02f x\"", "\"0x1c02f\""), "bad code"));
    assert_non_null(strstr(parse_with("\"0xc02f x\"", "\"0x\""), "bad code"));
}

static void test_clients_parse_rejects_unknown_key(void **state)
{
    (void)state;
    assert_non_null(strstr(parse_with("\"requires_sha2\"", "\"require_sha2\""), "unknown key"));
}

static void test_clients_parse_rejects_content_for_wrong_type(void **state)
{
    (void)state;
    const char *e = parse_with("0x000a supported_groups", "0x000d signature_algorithms");
    assert_non_null(strstr(e, "\"groups\" given for extension type 0x000d"));
}

static void test_clients_parse_rejects_duplicate_extension(void **state)
{
    (void)state;
    const char *e = parse_with("0xff01 renegotiation_info", "0x0000 x");
    assert_non_null(strstr(e, "appears twice"));
}

static void test_clients_parse_rejects_bad_hex(void **state)
{
    (void)state;
    assert_non_null(strstr(parse_with("\"data\": \"00\"", "\"data\": \"0g\""), "not hex"));
    assert_non_null(strstr(parse_with("\"data\": \"00\"", "\"data\": \"000\""), "odd length"));
}

static void test_clients_parse_rejects_ungeneratable_key(void **state)
{
    (void)state;
    const char *e = parse_with("\"group\": \"0x001d\"", "\"group\": \"0x0100\"");
    assert_non_null(strstr(e, "cannot generate"));
}

static void test_clients_parse_rejects_min_above_max(void **state)
{
    (void)state;
    const char *e = parse_with("\"min_version\": \"0x0303\"", "\"min_version\": \"0x0305\"");
    assert_non_null(strstr(e, "accepts.min_version"));
}

static void test_clients_parse_rejects_bad_json(void **state)
{
    (void)state;
    assert_non_null(strstr(parse_with("\"format\": 1,", "\"format\": 1"), "t.json: line 1"));
    assert_non_null(strstr(parse_with("\"format\": 1", "\"format\": 2"), "format"));
}

static void test_clients_parse_rejects_truncation_everywhere(void **state)
{
    (void)state;
    char err[512];
    for (size_t n = 0; n < strlen(good); n++) {
        struct client_profile *p = client_profile_parse(good, n, "t.json", err, sizeof(err));
        assert_null(p);
    }
}

static void test_clients_load_fails_on_missing_dir(void **state)
{
    (void)state;
    char err[512] = "";
    assert_null(client_db_load("/nonexistent/tlsgate", err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/tlsgate"));
}

static size_t select_count(const struct client_db *db, const char *list, enum status *st)
{
    const struct client_profile **sel = NULL;
    size_t n = 0;
    char err[256];
    *st = client_db_select(db, list, &sel, &n, err, sizeof(err));
    free(sel);
    return n;
}

static void test_clients_select_lists(void **state)
{
    (void)state;
    char err[512] = "";
    struct client_db *db = client_db_load(DATA_DIR, err, sizeof(err));
    assert_non_null(db);
    enum status st;
    assert_int_equal(select_count(db, "all", &st), client_db_count(db));
    assert_int_equal(select_count(db, "none", &st), 0);
    assert_int_equal(st, ST_OK);
    assert_int_equal(select_count(db, "java-17", &st), 1);
    assert_int_equal(select_count(db, "java-17, java-17,java-17", &st), 1);
    size_t android = select_count(db, "android", &st);
    assert_true(android >= 12);
    assert_int_equal(select_count(db, "android-*", &st), android);
    assert_true(select_count(db, "ats", &st) >= 10);
    assert_int_equal(select_count(db, "browsers", &st), 5);
    select_count(db, "java-17,nope", &st);
    assert_int_equal(st, ST_NOT_FOUND);
    select_count(db, "zz-*", &st);
    assert_int_equal(st, ST_NOT_FOUND);

    const struct client_profile **sel = NULL;
    size_t n = 0;
    assert_int_equal(client_db_select(db, "ios-1?", &sel, &n, err, sizeof(err)), ST_OK);
    for (size_t i = 0; i < n; i++) {
        assert_true(strncmp(client_id(sel[i]), "ios-1", 5) == 0);
    }
    free(sel);
    client_db_free(db);
}

static void test_clients_display_fields(void **state)
{
    (void)state;
    char err[512] = "";
    struct client_db *db = client_db_load(DATA_DIR, err, sizeof(err));
    assert_non_null(db);
    struct client_display d;
    client_display(client_db_find(db, "ios-17"), &d);
    assert_string_equal(d.id, "ios-17");
    assert_string_equal(d.kind, "derived");
    assert_true(d.ats);
    assert_int_equal(d.max_version, 0x0304);
    assert_int_equal(d.min_version, 0x0303);
    client_display(client_db_find(db, "curl-local"), &d);
    assert_string_equal(d.kind, "captured");
    const char *groups[64];
    size_t n = client_db_groups(db, groups, 64);
    assert_true(n >= 10);
    for (size_t i = 1; i < n; i++) {
        assert_true(strcmp(groups[i - 1], groups[i]) < 0);
    }
    client_db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clients_parse_accepts_good_profile),
        cmocka_unit_test(test_clients_parse_names_file_id_and_field),
        cmocka_unit_test(test_clients_parse_rejects_bad_code),
        cmocka_unit_test(test_clients_parse_rejects_unknown_key),
        cmocka_unit_test(test_clients_parse_rejects_content_for_wrong_type),
        cmocka_unit_test(test_clients_parse_rejects_duplicate_extension),
        cmocka_unit_test(test_clients_parse_rejects_bad_hex),
        cmocka_unit_test(test_clients_parse_rejects_ungeneratable_key),
        cmocka_unit_test(test_clients_parse_rejects_min_above_max),
        cmocka_unit_test(test_clients_parse_rejects_bad_json),
        cmocka_unit_test(test_clients_parse_rejects_truncation_everywhere),
        cmocka_unit_test(test_clients_load_fails_on_missing_dir),
        cmocka_unit_test(test_clients_select_lists),
        cmocka_unit_test(test_clients_display_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
