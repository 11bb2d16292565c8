/* The JSON report on a constructed scan, checked against the published
 * schema (docs/tlsgate-report.schema.json) and against the values put in. */
/* cmocka needs these first */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
/* clang-format on */
#include <regex.h>
#include <stdio.h>

#include "test_report_fixture.h"

#define SCHEMA_PATH TESTS_DIR "/../docs/tlsgate-report.schema.json"

/* A small JSON Schema checker: the keywords our schema uses (type, const,
 * enum, required, properties, items, oneOf, $ref into $defs, minimum,
 * maximum, pattern). On a mismatch it names the JSON path in `why`. */
struct checker {
    json_t *root;
    char why[512];
};

static bool check(struct checker *c, json_t *schema, json_t *v, const char *path);

static bool type_is(const char *type, json_t *v)
{
    static const struct {
        const char *name;
        int mask;
    } types[] = {
        {"object", 1 << JSON_OBJECT},
        {"array", 1 << JSON_ARRAY},
        {"string", 1 << JSON_STRING},
        {"integer", 1 << JSON_INTEGER},
        {"number", (1 << JSON_INTEGER) | (1 << JSON_REAL)},
        {"boolean", (1 << JSON_TRUE) | (1 << JSON_FALSE)},
        {"null", 1 << JSON_NULL},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(types[i].name, type) == 0) {
            return (types[i].mask & (1 << json_typeof(v))) != 0;
        }
    }
    return false;
}

static bool check_type(struct checker *c, json_t *t, json_t *v, const char *path)
{
    if (json_is_string(t) && type_is(json_string_value(t), v)) {
        return true;
    }
    size_t i;
    json_t *one;
    json_array_foreach(t, i, one)
    {
        if (type_is(json_string_value(one), v)) {
            return true;
        }
    }
    snprintf(c->why, sizeof(c->why), "%s: wrong type", path);
    return false;
}

static bool check_enum(struct checker *c, json_t *e, json_t *v, const char *path)
{
    size_t i;
    json_t *one;
    json_array_foreach(e, i, one)
    {
        if (json_equal(one, v)) {
            return true;
        }
    }
    snprintf(c->why, sizeof(c->why), "%s: value not in enum", path);
    return false;
}

static bool check_object(struct checker *c, json_t *schema, json_t *v, const char *path)
{
    size_t i;
    json_t *key;
    json_array_foreach(json_object_get(schema, "required"), i, key)
    {
        if (json_object_get(v, json_string_value(key)) == NULL) {
            snprintf(c->why, sizeof(c->why), "%s: missing key '%s'", path, json_string_value(key));
            return false;
        }
    }
    const char *name;
    json_t *sub;
    json_object_foreach(json_object_get(schema, "properties"), name, sub)
    {
        json_t *field = json_object_get(v, name);
        char p[256];
        snprintf(p, sizeof(p), "%s.%s", path, name);
        if (field != NULL && !check(c, sub, field, p)) {
            return false;
        }
    }
    return true;
}

static bool check_items(struct checker *c, json_t *items, json_t *v, const char *path)
{
    size_t i;
    json_t *one;
    json_array_foreach(v, i, one)
    {
        char p[256];
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        if (!check(c, items, one, p)) {
            return false;
        }
    }
    return true;
}

static bool check_one_of(struct checker *c, json_t *alts, json_t *v, const char *path)
{
    size_t i, matched = 0;
    json_t *one;
    json_array_foreach(alts, i, one)
    {
        matched += check(c, one, v, path);
    }
    if (matched != 1) {
        snprintf(c->why, sizeof(c->why), "%s: matches %zu of oneOf", path, matched);
        return false;
    }
    return true;
}

static bool check_bounds(struct checker *c, json_t *schema, json_t *v, const char *path)
{
    json_t *min = json_object_get(schema, "minimum");
    json_t *max = json_object_get(schema, "maximum");
    if (!json_is_number(v)) {
        return true;
    }
    double x = json_number_value(v);
    if ((min != NULL && x < json_number_value(min)) ||
        (max != NULL && x > json_number_value(max))) {
        snprintf(c->why, sizeof(c->why), "%s: %g out of range", path, x);
        return false;
    }
    return true;
}

static bool check_pattern(struct checker *c, json_t *pattern, json_t *v, const char *path)
{
    if (!json_is_string(v)) {
        return true;
    }
    regex_t re;
    assert_int_equal(regcomp(&re, json_string_value(pattern), REG_EXTENDED | REG_NOSUB), 0);
    bool ok = regexec(&re, json_string_value(v), 0, NULL, 0) == 0;
    regfree(&re);
    if (!ok) {
        snprintf(c->why, sizeof(c->why), "%s: '%s' does not match", path, json_string_value(v));
    }
    return ok;
}

static bool check(struct checker *c, json_t *schema, json_t *v, const char *path)
{
    json_t *k;
    if ((k = json_object_get(schema, "$ref")) != NULL) {
        const char *ref = json_string_value(k);
        assert_true(strncmp(ref, "#/$defs/", 8) == 0);
        json_t *target = json_object_get(json_object_get(c->root, "$defs"), ref + 8);
        assert_non_null(target);
        return check(c, target, v, path);
    }
    if ((k = json_object_get(schema, "type")) != NULL && !check_type(c, k, v, path)) {
        return false;
    }
    if ((k = json_object_get(schema, "const")) != NULL && !json_equal(k, v)) {
        snprintf(c->why, sizeof(c->why), "%s: not the constant", path);
        return false;
    }
    if ((k = json_object_get(schema, "enum")) != NULL && !check_enum(c, k, v, path)) {
        return false;
    }
    if ((k = json_object_get(schema, "oneOf")) != NULL && !check_one_of(c, k, v, path)) {
        return false;
    }
    if ((k = json_object_get(schema, "pattern")) != NULL && !check_pattern(c, k, v, path)) {
        return false;
    }
    if (json_is_object(v) && !check_object(c, schema, v, path)) {
        return false;
    }
    if (json_is_array(v) && (k = json_object_get(schema, "items")) != NULL &&
        !check_items(c, k, v, path)) {
        return false;
    }
    return check_bounds(c, schema, v, path);
}

static json_t *schema_load(void)
{
    json_error_t e;
    json_t *schema = json_load_file(SCHEMA_PATH, 0, &e);
    if (schema == NULL) {
        fail_msg("cannot load %s: %s (line %d)", SCHEMA_PATH, e.text, e.line);
    }
    return schema;
}

static void assert_valid(json_t *schema, json_t *doc)
{
    struct checker c = {.root = schema};
    if (!check(&c, schema, doc, "$")) {
        fail_msg("report does not match the schema: %s", c.why);
    }
}

/* The JSON as written to a stream parses back to the same document. */
static json_t *written_and_parsed(const struct report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(report_json_write(f, rep), ST_OK);
    fclose(f);
    json_error_t e;
    json_t *doc = json_loads(buf, 0, &e);
    if (doc == NULL) {
        fail_msg("report_json_write wrote invalid JSON: %s", e.text);
    }
    assert_int_equal(buf[len - 1], '\n');
    free(buf);
    return doc;
}

/* Written a target at a time, the document is byte for byte the dump of the
 * whole tree: none, one or several targets. */
static void expect_streamed_equals_built(const struct report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(report_json_write(f, rep), ST_OK);
    fclose(f);
    json_t *doc = report_json_build(rep);
    char *want = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    json_decref(doc);
    assert_int_equal(len, strlen(want) + 1);
    assert_memory_equal(buf, want, strlen(want));
    free(want);
    free(buf);
}

/* An order the probes could not settle says so, apart from the suites. */
static void test_report_json_partial_server_order(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    fx.r->protos[4].order_partial = true;
    json_t *doc = written_and_parsed(&fx.rep);
    json_t *t = json_array_get(json_object_get(doc, "targets"), 0);
    json_t *tls12 = json_array_get(json_object_get(t, "protocols"), 4);
    assert_true(json_is_true(json_object_get(tls12, "server_order")));
    assert_true(json_is_false(json_object_get(tls12, "server_order_complete")));
    json_decref(doc);
    fixture_free(&fx);
}

static void test_report_json_streamed_as_built(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    expect_streamed_equals_built(&fx.rep);

    struct report_target three[3] = {fx.rt, fx.rt, fx.rt};
    struct report rep = fx.rep;
    rep.targets = three;
    rep.n_targets = 3;
    expect_streamed_equals_built(&rep);

    rep.n_targets = 0;
    expect_streamed_equals_built(&rep);
    fixture_free(&fx);
}

static void test_report_json_matches_schema(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    json_t *schema = schema_load();
    json_t *doc = written_and_parsed(&fx.rep);
    assert_valid(schema, doc);
    json_decref(doc);
    json_decref(schema);
    fixture_free(&fx);
}

static void test_report_json_carries_the_values(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    json_t *doc = written_and_parsed(&fx.rep);
    json_t *t = json_array_get(json_object_get(doc, "targets"), 0);

    assert_int_equal(json_integer_value(json_object_get(doc, "exit")), 13);
    assert_int_equal(json_integer_value(json_object_get(doc, "schema_version")), 1);
    assert_string_equal(json_string_value(json_object_get(t, "grade")), "C");
    assert_true(json_is_null(json_object_get(t, "sni")));

    json_t *tls12 = json_array_get(json_object_get(t, "protocols"), 4);
    assert_string_equal(json_string_value(json_object_get(tls12, "name")), "TLSv1.2");
    assert_string_equal(json_string_value(json_object_get(tls12, "version")), "0x0303");
    assert_true(json_is_true(json_object_get(tls12, "server_order")));
    assert_true(json_is_true(json_object_get(tls12, "server_order_complete")));
    json_t *dhe = json_array_get(json_object_get(tls12, "suites"), 1);
    assert_string_equal(json_string_value(json_object_get(dhe, "code")), "0x0033");
    assert_string_equal(json_string_value(json_object_get(dhe, "name")),
                        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
    assert_string_equal(json_string_value(json_object_get(dhe, "kex")), "DHE");
    assert_int_equal(json_integer_value(json_object_get(dhe, "dh_bits")), 1024);
    assert_string_equal(json_string_value(json_object_get(dhe, "grade")), "C");
    assert_string_equal(json_string_value(json_array_get(json_object_get(dhe, "reasons"), 0)),
                        "DH group of 1024 bits");
    json_t *ecdhe = json_array_get(json_object_get(tls12, "suites"), 0);
    assert_string_equal(json_string_value(json_object_get(ecdhe, "group")), "x25519");
    assert_string_equal(json_string_value(json_object_get(ecdhe, "group_code")), "0x001D");
    assert_true(json_is_null(json_object_get(dhe, "group_code")));

    json_t *tls13 = json_array_get(json_object_get(t, "protocols"), 5);
    assert_true(json_is_false(json_object_get(tls13, "server_order")));
    assert_true(json_is_null(json_object_get(tls13, "server_order_complete")));
    assert_true(json_is_false(json_object_get(tls13, "complete")));
    json_t *ssl3 = json_array_get(json_object_get(t, "protocols"), 1);
    assert_string_equal(json_string_value(json_object_get(ssl3, "status")), "inconclusive");
    assert_string_equal(json_string_value(json_object_get(ssl3, "reason")),
                        "timed out after 5.0 s");

    json_t *gate = json_object_get(t, "gate");
    assert_int_equal(json_integer_value(json_object_get(gate, "exit")), 13);
    json_t *flags = json_object_get(gate, "flags");
    assert_int_equal(json_array_size(flags), 3);
    assert_string_equal(json_string_value(json_array_get(flags, 0)), "strength");
    assert_string_equal(json_string_value(json_array_get(flags, 1)), "reach");
    assert_string_equal(json_string_value(json_array_get(flags, 2)), "incomplete");
    assert_string_equal(json_string_value(json_array_get(json_object_get(gate, "lost_clients"), 0)),
                        "ios-15");

    json_t *clients = json_object_get(t, "clients");
    json_t *ios = json_array_get(clients, 0);
    assert_string_equal(json_string_value(json_object_get(ios, "name")), "Safari 17 (iOS 17)");
    assert_string_equal(json_string_value(json_object_get(ios, "protocol")), "TLSv1.3");
    assert_string_equal(json_string_value(json_object_get(ios, "suite")), "TLS_AES_128_GCM_SHA256");
    json_t *lost = json_array_get(clients, 1);
    assert_string_equal(json_string_value(json_object_get(lost, "verdict")), "fails");
    assert_true(json_is_null(json_object_get(lost, "protocol")));
    assert_non_null(strstr(json_string_value(json_object_get(lost, "why")), "ATS"));
    assert_true(json_is_null(json_object_get(json_array_get(clients, 2), "name")));

    json_t *cert = json_object_get(t, "certificate");
    assert_int_equal(json_integer_value(json_object_get(cert, "key_bits")), 2048);
    assert_string_equal(json_string_value(json_object_get(cert, "seen_in")), "TLSv1.2");
    assert_int_equal(json_integer_value(json_object_get(t, "connections")), 35);
    json_decref(doc);
    fixture_free(&fx);
}

/* An unreachable target next to a scanned one: nulls where nothing is known,
 * and still valid against the schema. */
static void test_report_json_unreachable_target(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    struct scan_results *down = results_new();
    snprintf(down->target, sizeof(down->target), "127.0.0.1:1");
    snprintf(down->error, sizeof(down->error), "connection refused");
    down->port = 1;
    down->state = TARGET_UNREACHABLE;
    struct report_target both[2] = {fx.rt, {.r = down, .flags = 8}};
    struct report rep = fx.rep;
    rep.targets = both;
    rep.n_targets = 2;

    json_t *schema = schema_load();
    json_t *doc = written_and_parsed(&rep);
    assert_valid(schema, doc);
    json_t *t = json_array_get(json_object_get(doc, "targets"), 1);
    assert_string_equal(json_string_value(json_object_get(t, "status")), "unreachable");
    assert_string_equal(json_string_value(json_object_get(t, "error")), "connection refused");
    assert_true(json_is_null(json_object_get(t, "certificate")));
    assert_true(json_is_null(json_object_get(t, "grade")));
    assert_true(json_is_null(json_object_get(t, "address")));
    json_decref(doc);
    json_decref(schema);
    results_free(down);
    fixture_free(&fx);
}

/* --all-addresses: one name at two addresses, and what differs, in a
 * top-level "address_groups" that the schema describes. */
static void test_report_json_address_groups(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    json_t *doc = report_json_build(&fx.rep);
    assert_int_equal(json_array_size(json_object_get(doc, "address_groups")), 0);
    json_decref(doc);

    struct address_pair ap;
    address_pair_build(&ap, &fx);

    json_t *schema = schema_load();
    doc = written_and_parsed(&ap.rep);
    assert_valid(schema, doc);
    json_t *g = json_array_get(json_object_get(doc, "address_groups"), 0);
    assert_string_equal(json_string_value(json_object_get(g, "target")), "127.0.0.1:8443");
    json_t *addresses = json_object_get(g, "addresses");
    assert_int_equal(json_array_size(addresses), 2);
    assert_string_equal(json_string_value(json_array_get(addresses, 1)), "::1");
    assert_true(json_is_false(json_object_get(g, "consistent")));
    json_t *diffs = json_object_get(g, "differences");
    assert_int_equal(json_array_size(diffs), 1);
    assert_string_equal(json_string_value(json_array_get(diffs, 0)),
                        "TLSv1.0 supported on 127.0.0.1 only");

    struct checker c = {.root = schema};
    json_object_del(g, "consistent");
    assert_false(check(&c, schema, doc, "$"));
    json_decref(doc);
    json_decref(schema);
    address_pair_free(&ap);
    fixture_free(&fx);
}

/* The checker itself must be able to fail, or the schema test proves nothing. */
static void test_report_json_checker_rejects_broken_documents(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_build(&fx);
    json_t *schema = schema_load();
    json_t *doc = report_json_build(&fx.rep);
    json_t *t = json_array_get(json_object_get(doc, "targets"), 0);
    struct checker c = {.root = schema};

    json_object_del(json_object_get(t, "gate"), "lost_clients");
    assert_false(check(&c, schema, doc, "$"));
    assert_non_null(strstr(c.why, "lost_clients"));
    json_decref(doc);

    doc = report_json_build(&fx.rep);
    t = json_array_get(json_object_get(doc, "targets"), 0);
    json_object_set_new(t, "status", json_string("maybe"));
    assert_false(check(&c, schema, doc, "$"));
    json_decref(doc);

    doc = report_json_build(&fx.rep);
    json_t *suite = json_array_get(
        json_object_get(
            json_array_get(
                json_object_get(json_array_get(json_object_get(doc, "targets"), 0), "protocols"),
                4),
            "suites"),
        0);
    json_object_set_new(suite, "code", json_string("0xc02f"));
    assert_false(check(&c, schema, doc, "$"));
    json_decref(doc);
    json_decref(schema);
    fixture_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_json_partial_server_order),
        cmocka_unit_test(test_report_json_matches_schema),
        cmocka_unit_test(test_report_json_streamed_as_built),
        cmocka_unit_test(test_report_json_carries_the_values),
        cmocka_unit_test(test_report_json_unreachable_target),
        cmocka_unit_test(test_report_json_address_groups),
        cmocka_unit_test(test_report_json_checker_rejects_broken_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
