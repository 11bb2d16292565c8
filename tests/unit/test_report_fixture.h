#pragma once

/* A constructed scan of one target, shared by the report tests: every
 * section filled, with values that exercise each column. */

#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "report/report.h"

struct fixture {
    struct scan_results *r;
    struct suite_grade g12[3];
    struct suite_grade g13[1];
    struct suite_grade g10[1];
    const char *findings[3];
    const char *lost[1];
    const char *names[3];
    struct report_target rt;
    struct report rep;
};

static void fixture_suite(struct proto_result *p, uint32_t code, uint16_t group, uint16_t dh)
{
    struct suite_result *s = &p->suites[p->n_suites++];
    s->code = code;
    s->group = group;
    s->dh_bits = dh;
}

static void fixture_grade(struct suite_grade *g, char letter, int kex, int cipher,
                          const char *reason)
{
    memset(g, 0, sizeof(*g));
    g->letter = letter;
    g->kex_bits = kex;
    g->cipher_bits = cipher;
    if (reason != NULL) {
        g->reasons[g->n_reasons++] = reason;
    }
}

static void fixture_protocols(struct fixture *fx)
{
    struct scan_results *r = fx->r;
    struct proto_result *p;

    p = &r->protos[results_proto_index(0x0002)];
    p->state = PROTO_NOT_SUPPORTED;
    snprintf(p->reason, sizeof(p->reason), "connection closed without an answer");
    p = &r->protos[results_proto_index(0x0300)];
    p->state = PROTO_INCONCLUSIVE;
    snprintf(p->reason, sizeof(p->reason), "timed out after 5.0 s");
    p = &r->protos[results_proto_index(0x0302)];
    p->state = PROTO_NOT_SUPPORTED;
    snprintf(p->reason, sizeof(p->reason), "alert protocol_version");

    p = &r->protos[results_proto_index(0x0301)];
    p->state = PROTO_SUPPORTED;
    p->suites_complete = true;
    p->order = ORDER_UNKNOWN;
    fixture_suite(p, 0xC013, 0x0017, 0);
    fixture_grade(&fx->g10[0], 'A', 3072, 128, NULL);

    p = &r->protos[results_proto_index(0x0303)];
    p->state = PROTO_SUPPORTED;
    p->suites_complete = true;
    p->order = ORDER_SERVER;
    fixture_suite(p, 0xC02F, 0x001D, 0);
    fixture_suite(p, 0x0033, 0, 1024);
    fixture_suite(p, 0x000A, 0, 0);
    fixture_grade(&fx->g12[0], 'A', 3072, 128, NULL);
    fixture_grade(&fx->g12[1], 'C', 1024, 128, "DH group of 1024 bits");
    fixture_grade(&fx->g12[2], 'C', 2048, 112, "64-bit block cipher (SWEET32)");

    p = &r->protos[results_proto_index(0x0304)];
    p->state = PROTO_SUPPORTED;
    p->suites_complete = false;
    snprintf(p->incomplete_reason, sizeof(p->incomplete_reason), "connection reset by peer");
    p->order = ORDER_CLIENT;
    fixture_suite(p, 0x1301, 0x001D, 0);
    fixture_grade(&fx->g13[0], 'A', 3072, 128, NULL);
}

static void fixture_cert(struct scan_results *r)
{
    struct cert_result *c = &r->cert;
    c->present = true;
    c->seen_in_version = 0x0303;
    snprintf(c->key_type, sizeof(c->key_type), "RSA");
    c->key_bits = 2048;
    c->rsa_exponent = 65537;
    snprintf(c->sig_alg, sizeof(c->sig_alg), "sha256WithRSAEncryption");
    snprintf(c->subject, sizeof(c->subject), "CN=localhost");
    snprintf(c->issuer, sizeof(c->issuer), "CN=localhost");
    snprintf(c->not_before, sizeof(c->not_before), "2026-01-01T00:00:00Z");
    snprintf(c->not_after, sizeof(c->not_after), "2027-01-01T00:00:00Z");
    c->self_signed = true;
    c->chain_len = 1;
    memset(c->sha256, 'a', 64);
}

static void fixture_clients(struct fixture *fx)
{
    struct scan_results *r = fx->r;
    r->clients = calloc(3, sizeof(*r->clients));
    r->n_clients = 3;
    r->clients[0] = (struct client_result){.id = "ios-17",
                                           .verdict = CLIENT_CONNECTS,
                                           .version = 0x0304,
                                           .suite = 0x1301,
                                           .group = 0x001D};
    r->clients[1] = (struct client_result){.id = "ios-15", .verdict = CLIENT_FAILS};
    snprintf(r->clients[1].why, sizeof(r->clients[1].why),
             "ATS: the server accepts none of the forward-secret suites ATS allows");
    r->clients[2] = (struct client_result){.id = "java-8",
                                           .verdict = CLIENT_CONNECTS,
                                           .version = 0x0303,
                                           .suite = 0x0033,
                                           .dh_bits = 1024};
    fx->names[0] = "Safari 17 (iOS 17)";
    fx->names[1] = "Safari 15 (iOS 15)";
    fx->names[2] = NULL; /* a profile missing from the database */
}

/* Fills fx; free with fixture_free. */
static void fixture_build(struct fixture *fx)
{
    memset(fx, 0, sizeof(*fx));
    struct scan_results *r = results_new();
    fx->r = r;
    snprintf(r->target, sizeof(r->target), "127.0.0.1:8443");
    snprintf(r->host, sizeof(r->host), "127.0.0.1");
    snprintf(r->address, sizeof(r->address), "127.0.0.1");
    r->port = 8443;
    r->state = TARGET_SCANNED;
    fixture_protocols(fx);
    results_group(r, 0x001D)->tls13 = true;
    results_group(r, 0x001D)->tls12 = true;
    results_group(r, 0x0017)->tls12 = true;
    r->groups_complete = true;
    fixture_cert(r);
    fixture_clients(fx);
    results_note(r, "retried with a padded ClientHello (RFC 7685)");
    r->connections = 35;
    r->elapsed_s = 0.41;

    fx->findings[0] = "2 suites below A";
    fx->findings[1] =
        "ios-15: ATS: the server accepts none of the forward-secret suites ATS allows";
    fx->findings[2] = "TLSv1.3: connection reset by peer";
    fx->lost[0] = "ios-15";
    fx->rt = (struct report_target){
        .r = r,
        .least = 'C',
        .flags = 13,
        .findings = fx->findings,
        .n_findings = 3,
        .lost = fx->lost,
        .n_lost = 1,
        .client_names = fx->names,
    };
    fx->rt.grades[results_proto_index(0x0301)] = fx->g10;
    fx->rt.grades[results_proto_index(0x0303)] = fx->g12;
    fx->rt.grades[results_proto_index(0x0304)] = fx->g13;
    fx->rep = (struct report){
        .targets = &fx->rt, .n_targets = 1, .exit_code = 13, .min_grade = 'A', .version = "0.1.0"};
}

static void fixture_free(struct fixture *fx)
{
    results_free(fx->r);
}

/* --all-addresses: the fixture's scan again at a second address of the same
 * name, without TLS 1.0 (one difference) and without client simulations.
 * Free with results_free. Inline: not every report test uses it. */
static inline struct scan_results *fixture_other_address(const struct fixture *fx,
                                                         const char *address)
{
    struct scan_results *r = results_new();
    memcpy(r, fx->r, sizeof(*r));
    r->clients = NULL;
    r->n_clients = 0;
    snprintf(r->address, sizeof(r->address), "%s", address);
    struct proto_result *tls10 = &r->protos[results_proto_index(0x0301)];
    tls10->state = PROTO_NOT_SUPPORTED;
    tls10->n_suites = 0;
    return r;
}

/* The fixture's target and fixture_other_address(fx, "::1") as one name's
 * two addresses, compared, in a report of their own. Not to be copied (rep
 * points into it); free with address_pair_free. */
struct address_pair {
    struct scan_results *v6;
    struct report_target both[2];
    const struct scan_results *rs[2];
    struct address_comparison *cmp;
    struct report_address_group group;
    struct report rep;
};

static inline void address_pair_build(struct address_pair *ap, const struct fixture *fx)
{
    ap->v6 = fixture_other_address(fx, "::1");
    ap->both[0] = fx->rt;
    ap->both[1] = (struct report_target){.r = ap->v6};
    ap->rs[0] = fx->r;
    ap->rs[1] = ap->v6;
    ap->cmp = malloc(sizeof(*ap->cmp));
    report_addresses_compare(ap->rs, 2, ap->cmp);
    ap->group = (struct report_address_group){.first = 0, .n = 2, .cmp = ap->cmp};
    ap->rep = fx->rep;
    ap->rep.targets = ap->both;
    ap->rep.n_targets = 2;
    ap->rep.groups = &ap->group;
    ap->rep.n_groups = 1;
}

static inline void address_pair_free(struct address_pair *ap)
{
    free(ap->cmp);
    results_free(ap->v6);
}
