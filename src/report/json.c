#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "report/names.h"
#include "report/report.h"

/* The JSON report, exactly as docs/json-report.md and
 * docs/tlsgate-report.schema.json describe it. Absent values are null, never
 * missing keys, so consumers can index without checks. */

/* Text from results (certificate names, server-provided reasons) may hold
 * bytes that are not UTF-8, which jansson refuses: those become '?'. */
static json_t *jstr(const char *s)
{
    if (s == NULL || s[0] == '\0') {
        return json_null();
    }
    json_t *v = json_string(s);
    if (v != NULL) {
        return v;
    }
    char clean[RESULTS_TEXT];
    size_t n = strlen(s) < sizeof(clean) - 1 ? strlen(s) : sizeof(clean) - 1;
    for (size_t i = 0; i < n; i++) {
        clean[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
    }
    clean[n] = '\0';
    return json_string(clean);
}

/* A count or size where 0 (or less) means "not known / not applicable". */
static json_t *jpos(long v)
{
    return v > 0 ? json_integer(v) : json_null();
}

static void set(json_t *obj, const char *key, json_t *value)
{
    json_object_set_new(obj, key, value != NULL ? value : json_null());
}

static json_t *grade_value(char letter)
{
    if (letter == 0) {
        return json_null();
    }
    if (letter == '?') {
        return json_string("unknown");
    }
    char g[2] = {letter, '\0'};
    return json_string(g);
}

/* "0x001D", or null for no group: the code beside the name, for consumers
 * that match on code points. */
static json_t *group_code(uint16_t code)
{
    if (code == 0) {
        return json_null();
    }
    char buf[8];
    snprintf(buf, sizeof(buf), "0x%04X", code);
    return json_string(buf);
}

static json_t *suite_json(const struct suite_result *sr, const struct suite_grade *g)
{
    const struct suite_info *s = suite_find(sr->code);
    char buf[16], gbuf[16];
    json_t *o = json_object();
    set(o, "code", json_string(report_suite_code(sr->code, buf, sizeof(buf))));
    set(o, "name", s != NULL ? json_string(s->name) : json_null());
    set(o, "openssl_name", s != NULL ? jstr(s->openssl_name) : json_null());
    set(o, "kex", s != NULL ? json_string(report_suite_kex(s, sr->group)) : json_null());
    set(o, "group",
        sr->group != 0 ? json_string(report_group_name(sr->group, gbuf, sizeof(gbuf)))
                       : json_null());
    set(o, "group_code", group_code(sr->group));
    set(o, "dh_bits", jpos(sr->dh_bits));
    set(o, "explicit_curve_bits", jpos(sr->explicit_ec_bits));
    set(o, "rsa_export_bits", jpos(sr->rsa_export_bytes * 8L));
    set(o, "kex_strength", g != NULL && g->kex_bits >= 0 ? json_integer(g->kex_bits) : json_null());
    int bits = g != NULL ? g->cipher_bits : (s != NULL ? s->cipher_bits : -1);
    set(o, "cipher_bits", bits >= 0 ? json_integer(bits) : json_null());
    set(o, "grade", g != NULL ? grade_value(g->letter) : json_string("unknown"));
    json_t *reasons = json_array();
    for (size_t i = 0; g != NULL && i < g->n_reasons; i++) {
        json_array_append_new(reasons, json_string(g->reasons[i]));
    }
    set(o, "reasons", reasons);
    return o;
}

static json_t *order_value(unsigned order)
{
    if (order == ORDER_SERVER) {
        return json_true();
    }
    return order == ORDER_CLIENT ? json_false() : json_null();
}

static json_t *protocol_json(const struct report_target *t, int i)
{
    const struct proto_result *p = &t->r->protos[i];
    char vbuf[8];
    snprintf(vbuf, sizeof(vbuf), "0x%04X", p->version);
    bool supported = p->state == PROTO_SUPPORTED;
    json_t *o = json_object();
    set(o, "name", json_string(report_version_name(p->version)));
    set(o, "version", json_string(vbuf));
    set(o, "status", json_string(report_proto_state_name(p->state)));
    set(o, "reason", jstr(p->reason));
    set(o, "server_order", order_value(p->order));
    set(o, "server_order_complete",
        p->order == ORDER_SERVER ? json_boolean(!p->order_partial) : json_null());
    set(o, "complete", json_boolean(!supported || p->suites_complete));
    set(o, "incomplete_reason",
        supported && !p->suites_complete ? jstr(p->incomplete_reason) : json_null());
    json_t *suites = json_array();
    for (size_t k = 0; k < p->n_suites; k++) {
        const struct suite_grade *g = t->grades[i] != NULL ? &t->grades[i][k] : NULL;
        json_array_append_new(suites, suite_json(&p->suites[k], g));
    }
    set(o, "suites", suites);
    return o;
}

static json_t *groups_json(const struct scan_results *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_groups; i++) {
        const struct group_result *g = &r->groups[i];
        const struct group_info *info = group_find(g->code);
        char code[8];
        snprintf(code, sizeof(code), "0x%04X", g->code);
        json_t *o = json_object();
        set(o, "name", info != NULL ? json_string(info->name) : json_null());
        set(o, "code", json_string(code));
        set(o, "bits", info != NULL ? jpos(info->bits) : json_null());
        set(o, "tls13", json_boolean(g->tls13));
        set(o, "tls12", json_boolean(g->tls12));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *cert_json(const struct cert_result *c)
{
    if (!c->present) {
        return json_null();
    }
    json_t *o = json_object();
    set(o, "key_type", jstr(c->key_type));
    set(o, "key_bits", jpos(c->key_bits));
    set(o, "rsa_exponent", jpos(c->rsa_exponent));
    set(o, "curve", jstr(c->curve));
    set(o, "signature_algorithm", jstr(c->sig_alg));
    set(o, "subject", jstr(c->subject));
    set(o, "issuer", jstr(c->issuer));
    set(o, "not_before", jstr(c->not_before));
    set(o, "not_after", jstr(c->not_after));
    set(o, "expired", json_boolean(c->expired));
    set(o, "self_signed", json_boolean(c->self_signed));
    set(o, "chain_length", jpos(c->chain_len));
    set(o, "sha256", jstr(c->sha256));
    set(o, "seen_in",
        c->seen_in_version != 0 ? json_string(report_version_name(c->seen_in_version))
                                : json_null());
    return o;
}

static json_t *client_json(const struct report_target *t, size_t i)
{
    const struct client_result *c = &t->r->clients[i];
    bool connects = c->verdict == CLIENT_CONNECTS;
    const char *name = t->client_names != NULL ? t->client_names[i] : NULL;
    char sbuf[16], gbuf[16];
    json_t *o = json_object();
    set(o, "id", jstr(c->id));
    set(o, "name", jstr(name));
    set(o, "verdict", json_string(report_client_verdict_name(c->verdict)));
    set(o, "protocol", connects ? json_string(report_version_name(c->version)) : json_null());
    set(o, "suite",
        connects ? json_string(report_suite_name(c->suite, sbuf, sizeof(sbuf))) : json_null());
    set(o, "group",
        connects && c->group != 0 ? json_string(report_group_name(c->group, gbuf, sizeof(gbuf)))
                                  : json_null());
    set(o, "group_code", connects ? group_code(c->group) : json_null());
    set(o, "dh_bits", connects ? jpos(c->dh_bits) : json_null());
    set(o, "why", connects ? json_null() : jstr(c->why));
    return o;
}

static json_t *strings_json(const char *const *s, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, jstr(s[i]));
    }
    return a;
}

static json_t *gate_json(const struct report_target *t)
{
    static const struct {
        unsigned flag;
        const char *name;
    } flag_names[] = {
        {GATE_STRENGTH, "strength"},
        {GATE_REACH, "reach"},
        {GATE_INCOMPLETE, "incomplete"},
    };
    json_t *flags = json_array();
    for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
        if (t->flags & flag_names[i].flag) {
            json_array_append_new(flags, json_string(flag_names[i].name));
        }
    }
    json_t *o = json_object();
    set(o, "exit", json_integer(t->flags));
    set(o, "flags", flags);
    set(o, "findings", strings_json(t->findings, t->n_findings));
    set(o, "lost_clients", strings_json(t->lost, t->n_lost));
    return o;
}

static void target_head(json_t *o, const struct scan_results *r)
{
    set(o, "target", jstr(r->target));
    set(o, "host", jstr(r->host));
    set(o, "address", jstr(r->address));
    set(o, "port", json_integer(r->port));
    set(o, "sni", jstr(r->sni));
    set(o, "status", json_string(report_target_state_name(r->state)));
    set(o, "error", r->state != TARGET_SCANNED ? jstr(r->error) : json_null());
}

json_t *report_json_target(const struct report_target *t)
{
    const struct scan_results *r = t->r;
    json_t *o = json_object();
    target_head(o, r);

    json_t *protos = json_array();
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        json_array_append_new(protos, protocol_json(t, i));
    }
    set(o, "protocols", protos);
    set(o, "groups", groups_json(r));
    set(o, "groups_complete", json_boolean(r->groups_complete));
    set(o, "certificate", cert_json(&r->cert));
    json_t *others = json_array();
    for (size_t i = 0; i < r->n_other_certs; i++) {
        json_array_append_new(others, cert_json(&r->other_certs[i]));
    }
    set(o, "other_certificates", others);

    json_t *clients = json_array();
    for (size_t i = 0; i < r->n_clients; i++) {
        json_array_append_new(clients, client_json(t, i));
    }
    set(o, "clients", clients);
    set(o, "grade", grade_value(t->least));
    set(o, "gate", gate_json(t));
    json_t *notes = json_array();
    for (size_t i = 0; i < r->n_notes; i++) {
        json_array_append_new(notes, jstr(r->notes[i]));
    }
    set(o, "notes", notes);
    set(o, "connections", json_integer(r->connections));
    set(o, "elapsed_s", json_real(r->elapsed_s));
    return o;
}

static json_t *address_group_json(const struct report *rep, const struct report_address_group *g)
{
    json_t *addresses = json_array();
    for (size_t k = 0; k < g->n; k++) {
        json_array_append_new(addresses, jstr(rep->targets[g->first + k].r->address));
    }
    json_t *diffs = json_array();
    for (size_t k = 0; k < g->cmp->n_diffs; k++) {
        json_array_append_new(diffs, jstr(g->cmp->diffs[k]));
    }
    json_t *o = json_object();
    set(o, "target", jstr(rep->targets[g->first].r->target));
    set(o, "addresses", addresses);
    set(o, "consistent", json_boolean(g->cmp->consistent));
    set(o, "differences", diffs);
    return o;
}

static json_t *address_groups_json(const struct report *rep)
{
    json_t *a = json_array();
    for (size_t i = 0; i < rep->n_groups; i++) {
        json_array_append_new(a, address_group_json(rep, &rep->groups[i]));
    }
    return a;
}

json_t *report_json_build(const struct report *rep)
{
    json_t *doc = json_object();
    set(doc, "schema", json_string("tlsgate-report"));
    set(doc, "schema_version", json_integer(REPORT_SCHEMA_VERSION));
    json_t *tool = json_object();
    set(tool, "name", json_string("tlsgate"));
    set(tool, "version", jstr(rep->version));
    set(doc, "tool", tool);
    set(doc, "min_grade", grade_value(rep->min_grade));
    set(doc, "exit", json_integer(rep->exit_code));
    json_t *targets = json_array();
    for (size_t i = 0; i < rep->n_targets; i++) {
        json_array_append_new(targets, report_json_target(&rep->targets[i]));
    }
    set(doc, "targets", targets);
    set(doc, "address_groups", address_groups_json(rep));
    return doc;
}

#define JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(6))

/* Writes one target as the document's dump would place it: its lines
 * indented by the two levels (document, targets array) it sits under. */
static enum status json_target_stream(FILE *out, const struct report_target *t, bool first)
{
    json_t *o = report_json_target(t);
    char *text = o != NULL ? json_dumps(o, JSON_FLAGS) : NULL;
    json_decref(o);
    if (text == NULL) {
        return ST_NO_MEMORY;
    }
    fputs(first ? "\n    " : ",\n    ", out);
    for (const char *p = text; *p != '\0'; p++) {
        fputc(*p, out);
        if (*p == '\n') {
            fputs("    ", out);
        }
    }
    free(text);
    return ferror(out) ? ST_IO : ST_OK;
}

/* The document is the one report_json_build makes, written a target at a
 * time: a fleet's whole JSON tree would otherwise sit in memory at once
 * (about 0.2 MB per target with the client verdicts). */
enum status report_json_write(FILE *out, const struct report *rep)
{
    struct report empty = *rep;
    empty.n_targets = 0;
    json_t *doc = report_json_build(&empty);
    char *text = doc != NULL ? json_dumps(doc, JSON_FLAGS) : NULL;
    json_decref(doc);
    static const char slot[] = "\"targets\": []";
    char *at = text != NULL ? strstr(text, slot) : NULL;
    if (at == NULL) {
        free(text);
        return ST_NO_MEMORY;
    }
    fwrite(text, 1, (size_t)(at - text) + sizeof(slot) - 2, out); /* up to and with '[' */
    enum status st = ST_OK;
    for (size_t i = 0; i < rep->n_targets && st == ST_OK; i++) {
        st = json_target_stream(out, &rep->targets[i], i == 0);
    }
    if (rep->n_targets > 0) {
        fputs("\n  ", out);
    }
    fputs(at + sizeof(slot) - 2, out); /* "]" and the rest of the document */
    free(text);
    if (st != ST_OK || fputc('\n', out) == EOF || ferror(out)) {
        return st != ST_OK ? st : ST_IO;
    }
    return ST_OK;
}
