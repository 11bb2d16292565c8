#include "results/scan_results.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry/registry.h"

static const uint16_t proto_versions[RESULTS_NUM_PROTOS] = {
    VERSION_SSL2, VERSION_SSL3, VERSION_TLS10, VERSION_TLS11, VERSION_TLS12, VERSION_TLS13,
};

int results_proto_index(uint16_t version)
{
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        if (proto_versions[i] == version) {
            return i;
        }
    }
    return -1;
}

struct scan_results *results_new(void)
{
    struct scan_results *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    for (int i = 0; i < RESULTS_NUM_PROTOS; i++) {
        r->protos[i].version = proto_versions[i];
    }
    return r;
}

void results_free(struct scan_results *r)
{
    if (r == NULL) {
        return;
    }
    free(r->clients);
    free(r);
}

void results_note(struct scan_results *r, const char *fmt, ...)
{
    if (r->n_notes >= RESULTS_MAX_NOTES) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->notes[r->n_notes], sizeof(r->notes[0]), fmt, ap);
    va_end(ap);
    r->n_notes++;
}

struct group_result *results_group(struct scan_results *r, uint16_t code)
{
    for (size_t i = 0; i < r->n_groups; i++) {
        if (r->groups[i].code == code) {
            return &r->groups[i];
        }
    }
    if (r->n_groups >= RESULTS_MAX_GROUPS) {
        return NULL;
    }
    struct group_result *g = &r->groups[r->n_groups++];
    g->code = code;
    return g;
}

const struct cert_result *results_cert_for_key_type(const struct scan_results *r,
                                                    const char *key_type)
{
    if (r->cert.present && strcasecmp(r->cert.key_type, key_type) == 0) {
        return &r->cert;
    }
    for (size_t i = 0; i < r->n_other_certs; i++) {
        if (strcasecmp(r->other_certs[i].key_type, key_type) == 0) {
            return &r->other_certs[i];
        }
    }
    return NULL;
}

const struct cert_result *results_cert_for_suite(const struct scan_results *r, uint32_t code)
{
    const struct suite_info *s = suite_find(code);
    const char *want = s != NULL ? suite_cert_key_type(s) : NULL;
    const struct cert_result *c = want != NULL ? results_cert_for_key_type(r, want) : NULL;
    return c != NULL ? c : &r->cert;
}
