/* The gate for one target: the server's least grade, and the strength and
 * completeness flags with one sentence per reason. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "grade/grade.h"

static const struct grade_policy default_policy = {.min_grade = 'A',
                                                   .require_forward_secrecy = true};

/* Findings beyond the cap are counted, and the last slot then says how many
 * were left out, so a very weak server still gets a bounded verdict. */
struct findings {
    struct scan_verdict *out;
    size_t dropped;
};

__attribute__((format(printf, 2, 3))) static void finding_add(struct findings *f, const char *fmt,
                                                              ...)
{
    struct scan_verdict *out = f->out;

    if (out->n_findings >= GRADE_MAX_FINDINGS) {
        f->dropped++;
        return;
    }
    char *buf = out->findings_buf[out->n_findings];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, RESULTS_TEXT, fmt, ap);
    va_end(ap);
    out->findings[out->n_findings++] = buf;
}

static void findings_close(struct findings *f)
{
    struct scan_verdict *out = f->out;

    if (f->dropped == 0) {
        return;
    }
    /* The slot we overwrite held one more finding: count it too. */
    size_t last = GRADE_MAX_FINDINGS - 1;
    snprintf(out->findings_buf[last], RESULTS_TEXT, "and %zu more findings", f->dropped + 1);
    out->findings[last] = out->findings_buf[last];
}

static const char *target_state_words(uint8_t state)
{
    switch (state) {
    case TARGET_UNRESOLVED:
        return "the name does not resolve";
    case TARGET_UNREACHABLE:
        return "unreachable";
    case TARGET_NOT_TLS:
        return "does not speak TLS";
    default:
        return "not scanned";
    }
}

static const char *or_none(const char *text)
{
    return text[0] != '\0' ? text : "no reason recorded";
}

static void check_complete(const struct scan_results *r, struct findings *f)
{
    if (r->state != TARGET_SCANNED) {
        f->out->flags |= GATE_INCOMPLETE;
        finding_add(f, "%s %s: %s", r->target, target_state_words(r->state), or_none(r->error));
    }
    for (size_t i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *p = &r->protos[i];

        if (p->state == PROTO_INCONCLUSIVE) {
            f->out->flags |= GATE_INCOMPLETE;
            finding_add(f, "%s inconclusive: %s", version_name(p->version), or_none(p->reason));
        } else if (p->state == PROTO_SUPPORTED && !p->suites_complete) {
            f->out->flags |= GATE_INCOMPLETE;
            finding_add(f, "%s suite list incomplete: %s", version_name(p->version),
                        or_none(p->incomplete_reason));
        }
    }
    if (!r->cert.present && r->cert_error[0] != '\0') {
        /* The grades and the clients' certificate rules had nothing to judge. */
        f->out->flags |= GATE_INCOMPLETE;
        finding_add(f, "%s", r->cert_error);
    }
    for (size_t i = 0; r->clients != NULL && i < r->n_clients; i++) {
        const struct client_result *c = &r->clients[i];

        if (c->verdict == CLIENT_INCONCLUSIVE) {
            f->out->flags |= GATE_INCOMPLETE;
            finding_add(f, "client %s inconclusive: %s", c->id ? c->id : "(unnamed)",
                        or_none(c->why));
        }
    }
}

static void report_weak_suite(struct findings *f, uint16_t version, uint32_t code,
                              const struct suite_grade *g, char min_grade)
{
    const struct suite_info *s = suite_find(code);
    char name[16];
    char letter[8];

    snprintf(name, sizeof(name), "0x%04X", (unsigned)code);
    snprintf(letter, sizeof(letter), g->letter == '?' ? "unknown" : "%c", g->letter);
    finding_add(f, "%s %s graded %s, below the required %c: %s", version_name(version),
                s ? s->name : name, letter, min_grade,
                g->n_reasons ? g->reasons[0] : "no reason recorded");
}

/* Whether any accepted suite on any protocol has forward secrecy. */
static bool any_forward_secret(const struct scan_results *r, bool *any_suite)
{
    for (size_t i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *p = &r->protos[i];
        size_t n = p->n_suites < RESULTS_MAX_SUITES ? p->n_suites : RESULTS_MAX_SUITES;

        for (size_t j = 0; j < n; j++) {
            *any_suite = true;
            if (grade_suite_forward_secret(suite_find(p->suites[j].code))) {
                return true;
            }
        }
    }
    return false;
}

/* A TLS server that conclusively refused every version: nothing connects,
 * with forward secrecy or without, and that must not pass the gate. */
static bool refused_everything(const struct scan_results *r)
{
    if (r->state != TARGET_SCANNED) {
        return false;
    }
    for (size_t i = 0; i < RESULTS_NUM_PROTOS; i++) {
        if (r->protos[i].state != PROTO_NOT_SUPPORTED) {
            return false;
        }
    }
    return true;
}

/* Grades every accepted suite into the least grade and one finding per
 * suite below the policy. */
static void check_strength(const struct scan_results *r, const struct grade_policy *policy,
                           struct findings *f)
{
    int min_rank = grade_letter_rank(policy->min_grade);

    for (size_t i = 0; i < RESULTS_NUM_PROTOS; i++) {
        const struct proto_result *p = &r->protos[i];
        size_t n = p->n_suites < RESULTS_MAX_SUITES ? p->n_suites : RESULTS_MAX_SUITES;

        for (size_t j = 0; j < n; j++) {
            const struct suite_result *sr = &p->suites[j];
            struct suite_grade g;

            grade_suite(suite_find(sr->code), sr, p->version, results_cert_for_suite(r, sr->code),
                        &g);
            f->out->least = grade_letter_worse(f->out->least, g.letter);
            if (grade_letter_rank(g.letter) > min_rank) {
                f->out->flags |= GATE_STRENGTH;
                report_weak_suite(f, p->version, sr->code, &g, policy->min_grade);
            }
        }
    }
}

void grade_scan(const struct scan_results *r, const struct grade_policy *policy,
                struct scan_verdict *out)
{
    struct findings f = {.out = out};
    bool any_suite = false;

    memset(out, 0, sizeof(*out));
    if (policy == NULL) {
        policy = &default_policy;
    }

    /* Whole-target findings first, so the cap never drops them. */
    bool any_fs = any_forward_secret(r, &any_suite);
    if (policy->require_forward_secrecy && any_suite && !any_fs) {
        out->flags |= GATE_STRENGTH;
        finding_add(&f, "no forward-secret key exchange on any protocol");
    } else if (policy->require_forward_secrecy && refused_everything(r)) {
        out->flags |= GATE_STRENGTH;
        finding_add(&f, "the server refused every protocol version: no forward-secret key "
                        "exchange on any protocol");
    }
    check_complete(r, &f);
    check_strength(r, policy, &f);
    findings_close(&f);
}
