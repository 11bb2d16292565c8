#include "cli/run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "checks/scan.h"
#include "cli/assess.h"
#include "cli/clients_list.h"
#include "cli/gate.h"
#include "cli/outfile.h"
#include "cli/targets.h"
#include "clients/client.h"
#include "engine/engine.h"
#include "report/report.h"
#include "util/log.h"

#define EXIT_USAGE GATE_USAGE

/* Usage and configuration errors: one sentence on stderr, exit 2. */
static int usage_fail(const char *err)
{
    fprintf(stderr, "tlsgate: %s\n", err);
    return EXIT_USAGE;
}

/* The client profiles a scan simulates and the database they live in. */
struct client_setup {
    struct client_db *db;
    const struct client_profile **sim;
    size_t n_sim;
};

static void client_setup_free(struct client_setup *cs)
{
    free(cs->sim);
    client_db_free(cs->db);
    memset(cs, 0, sizeof(*cs));
}

/* Adds the required clients to the simulated ones: a client cannot be judged
 * without its handshake, whatever --clients narrowed. */
static enum status sim_union(struct client_setup *cs, const struct client_profile **req,
                             size_t n_req)
{
    const struct client_profile **all = realloc(cs->sim, (cs->n_sim + n_req + 1) * sizeof(*all));
    if (all == NULL) {
        return ST_NO_MEMORY;
    }
    cs->sim = all;
    for (size_t i = 0; i < n_req; i++) {
        bool have = false;
        for (size_t k = 0; k < cs->n_sim && !have; k++) {
            have = cs->sim[k] == req[i];
        }
        if (!have) {
            cs->sim[cs->n_sim++] = req[i];
        }
    }
    return ST_OK;
}

static enum status client_setup_load(const struct config *cfg, struct client_setup *cs, char *err,
                                     size_t errlen)
{
    memset(cs, 0, sizeof(*cs));
    bool simulate = strcmp(cfg->clients, "none") != 0;
    if (!simulate && cfg->require_clients == NULL) {
        return ST_OK;
    }
    cs->db = client_db_load(NULL, err, errlen);
    if (cs->db == NULL) {
        return ST_USAGE;
    }
    if (simulate) {
        TRY(client_db_select(cs->db, cfg->clients, &cs->sim, &cs->n_sim, err, errlen));
    }
    if (cfg->require_clients != NULL) {
        const struct client_profile **req = NULL;
        size_t n_req = 0;
        TRY(client_db_select(cs->db, cfg->require_clients, &req, &n_req, err, errlen));
        enum status st = sim_union(cs, req, n_req);
        free(req);
        TRY(st);
    }
    return ST_OK;
}

/* What the scan callbacks share while the loop runs: JSON Lines are written
 * as each target finishes, and the progress line is redrawn. */
struct run_state {
    const struct config *cfg;
    const struct client_setup *cs;
    struct grade_policy policy;
    FILE *jsonl; /* NULL when no JSON Lines are wanted */
    enum status jsonl_status;
    size_t done;
    size_t total;  /* scans expected: grows as --all-addresses finds more addresses */
    bool progress; /* a terminal on stderr, several targets, not --quiet */
    /* for the scans started once a name is resolved (--all-addresses) */
    struct engine *e;
    const struct scan_options *opts;
    enum status start_status; /* such a scan could not be started */
};

/* One scan: one address of a target spec. */
struct scan_slot {
    struct scan_results *r;
    struct run_state *rs;
};

/* One target spec: one scan, or with --all-addresses one per address of its
 * host name, in the resolver's order. */
struct target_slot {
    const char *spec;
    struct run_state *rs;
    struct scan_slot one;    /* a single scan needs no allocation */
    struct scan_slot *addrs; /* &one, or n_addrs malloc'd slots */
    size_t n_addrs;
};

static void jsonl_write(struct run_state *rs, const struct scan_results *r)
{
    struct assessment a;
    enum status st = cli_assess(&a, r, &rs->policy, rs->cs->db, rs->cfg->require_clients);
    if (st == ST_OK) {
        json_t *line = report_json_target(&a.rt);
        if (line == NULL || json_dumpf(line, rs->jsonl, JSON_COMPACT) != 0 ||
            fputc('\n', rs->jsonl) == EOF || fflush(rs->jsonl) != 0) {
            st = ST_IO;
        }
        json_decref(line);
    }
    cli_assessment_clear(&a);
    if (st != ST_OK && rs->jsonl_status == ST_OK) {
        rs->jsonl_status = st;
    }
}

static void scan_done(struct scan_results *results, void *arg)
{
    struct scan_slot *slot = arg;
    struct run_state *rs = slot->rs;
    slot->r = results;
    rs->done++;
    if (results->state != TARGET_SCANNED) {
        /* The one sentence on stderr for a target that could not be scanned
         * (over the progress line, which is redrawn below). */
        if (rs->progress) {
            fputs("\r\033[K", stderr);
        }
        log_msg(results->target, LOG_ERROR, "%s",
                results->error[0] != '\0' ? results->error : "could not be scanned");
    }
    if (rs->jsonl != NULL) {
        jsonl_write(rs, results);
    }
    if (rs->progress) {
        fprintf(stderr, "\rtlsgate: %zu of %zu targets scanned", rs->done, rs->total);
        if (rs->done == rs->total) {
            fputs("\r\033[K", stderr);
        }
    }
}

static void scan_options_fill(const struct config *cfg, const struct client_setup *cs,
                              struct scan_options *o)
{
    memset(o, 0, sizeof(*o));
    o->timeout_ms = cfg->timeout_ms;
    o->budget_ms = cfg->max_time_ms;
    o->parallel = cfg->parallel;
    o->rate = cfg->rate;
    o->family = cfg->family;
    o->sni = cfg->sni;
    o->default_port = cfg->port;
    o->clients = cs->sim;
    o->n_clients = cs->n_sim;
}

/* Room for one scan per address (`one` then goes unused). */
static enum status target_slot_grow(struct target_slot *ts, size_t n)
{
    struct scan_slot *addrs = calloc(n, sizeof(*addrs));
    if (addrs == NULL) {
        return ST_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        addrs[i].rs = ts->rs;
    }
    ts->addrs = addrs;
    ts->n_addrs = n;
    return ST_OK;
}

/* --all-addresses: the name is resolved; scan each address (or report the
 * name unresolved, as a plain scan would). Runs on the loop. */
static void target_on_addresses(void *arg, const struct sockaddr_storage *addrs, size_t n,
                                struct scan_results *failed)
{
    struct target_slot *ts = arg;
    struct run_state *rs = ts->rs;
    if (n == 0) {
        if (failed != NULL) {
            scan_done(failed, &ts->one);
        } else {
            rs->start_status = ST_NO_MEMORY;
        }
        return;
    }
    if (n > 1 && target_slot_grow(ts, n) != ST_OK) {
        log_msg(ts->spec, LOG_ERROR, "out of memory: only its first address is scanned");
        n = 1;
    }
    rs->total += n - 1;
    for (size_t i = 0; i < n; i++) {
        char err[256] = "";
        enum status st = scan_start_at(rs->e, rs->opts, ts->spec, &addrs[i], scan_done,
                                       &ts->addrs[i], err, sizeof(err));
        if (st != ST_OK) {
            log_msg(ts->spec, LOG_ERROR, "%s", err[0] != '\0' ? err : status_name(st));
            rs->start_status = st;
        }
    }
}

static enum status target_start(struct run_state *rs, struct target_slot *ts, char *err,
                                size_t errlen)
{
    if (rs->cfg->all_addresses) {
        return scan_addresses_resolve(rs->e, rs->opts, ts->spec, target_on_addresses, ts, err,
                                      errlen);
    }
    return scan_start(rs->e, rs->opts, ts->spec, scan_done, &ts->one, err, errlen);
}

/* Starts every target's scan and runs the loop until all are done. Returns
 * ST_USAGE when scan_start refused a target spec (the others still finish,
 * so the engine can be freed cleanly), and the failure of a scan that could
 * not be started once its name was resolved (--all-addresses). */
/* Each open connection is a descriptor: --jobs x --parallel of them at
 * once, plus a few for the run. Raises the soft limit as far as the hard one
 * allows, and scans fewer targets at once where even that is too low (an
 * EMFILE mid-scan would break probes, not just slow them). */
static unsigned jobs_within_fd_limit(const struct config *cfg)
{
    unsigned jobs = cfg->jobs > 0 ? cfg->jobs : 1;
    unsigned parallel = cfg->parallel > 0 ? cfg->parallel : 1;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return jobs;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit raised = {.rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            rl = raised;
        }
    }
    const rlim_t reserve = 32; /* stdio, the loop's own, output files */
    if (rl.rlim_cur == RLIM_INFINITY || (rlim_t)jobs * parallel + reserve <= rl.rlim_cur) {
        return jobs;
    }
    unsigned fit =
        rl.rlim_cur > reserve + parallel ? (unsigned)((rl.rlim_cur - reserve) / parallel) : 1;
    log_msg(NULL, LOG_WARN,
            "--jobs %u x --parallel %u connections exceed the limit of %llu open files: "
            "scanning %u target%s at once",
            jobs, parallel, (unsigned long long)rl.rlim_cur, fit, fit == 1 ? "" : "s");
    return fit;
}

static enum status scans_run(const struct config *cfg, const struct client_setup *cs,
                             const struct target_list *targets, struct target_slot *slots,
                             struct run_state *rs)
{
    struct engine_config ec = {.jobs = jobs_within_fd_limit(cfg)};
    struct engine *e = engine_new(&ec);
    if (e == NULL) {
        fprintf(stderr, "tlsgate: cannot start the event loop.\n");
        return ST_NO_MEMORY;
    }
    struct scan_options opts;
    scan_options_fill(cfg, cs, &opts);
    rs->e = e;
    rs->opts = &opts;
    enum status result = ST_OK;
    for (size_t i = 0; i < targets->n; i++) {
        char err[256] = "";
        slots[i] = (struct target_slot){.spec = targets->items[i], .rs = rs, .n_addrs = 1};
        slots[i].one.rs = rs;
        slots[i].addrs = &slots[i].one;
        enum status st = target_start(rs, &slots[i], err, sizeof(err));
        if (st != ST_OK) {
            fprintf(stderr, "tlsgate: %s\n", err[0] != '\0' ? err : status_name(st));
            result = ST_USAGE;
            break;
        }
    }
    enum status st = engine_run(e);
    engine_free(e);
    rs->e = NULL;
    rs->opts = NULL;
    if (st != ST_OK && result == ST_OK) {
        fprintf(stderr, "tlsgate: the event loop failed: %s.\n", status_name(st));
        result = st;
    }
    return result == ST_OK ? rs->start_status : result;
}

static bool color_wanted(const struct config *cfg, int fd)
{
    return !cfg->no_color && isatty(fd);
}

/* *json_written: the whole report reached json_file, which may replace the
 * previous one. */
static enum status reports_write(const struct config *cfg, const struct report *rep,
                                 FILE *json_file, bool *json_written)
{
    bool json_stdout = cfg->json != NULL && strcmp(cfg->json, "-") == 0;
    bool jsonl_stdout = cfg->jsonl != NULL && strcmp(cfg->jsonl, "-") == 0;
    if (json_stdout) {
        TRY(report_json_write(stdout, rep));
    } else if (!jsonl_stdout) {
        TRY(report_text_write(stdout, rep, color_wanted(cfg, STDOUT_FILENO)));
    }
    if (json_file != NULL) {
        TRY(report_json_write(json_file, rep));
        *json_written = true;
    }
    return fflush(stdout) == 0 ? ST_OK : ST_IO;
}

/* What the reports are built from: one entry per scan, flattened over the
 * target specs in their order, and one address group per name scanned at
 * several addresses (--all-addresses). */
struct report_parts {
    struct assessment *as;
    struct report_target *rts;
    const struct scan_results **flat;
    struct report_address_group *groups;
    struct address_comparison *cmps;
    size_t n;
    size_t n_groups;
};

static enum status report_parts_alloc(struct report_parts *p, const struct target_slot *slots,
                                      size_t n_slots)
{
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < n_slots; i++) {
        p->n += slots[i].n_addrs;
        p->n_groups += slots[i].n_addrs >= 2;
    }
    p->as = calloc(p->n + 1, sizeof(*p->as));
    p->rts = calloc(p->n + 1, sizeof(*p->rts));
    p->flat = calloc(p->n + 1, sizeof(*p->flat));
    p->groups = calloc(p->n_groups + 1, sizeof(*p->groups));
    p->cmps = calloc(p->n_groups + 1, sizeof(*p->cmps));
    bool ok =
        p->as != NULL && p->rts != NULL && p->flat != NULL && p->groups != NULL && p->cmps != NULL;
    return ok ? ST_OK : ST_NO_MEMORY;
}

static void report_parts_free(struct report_parts *p)
{
    for (size_t i = 0; p->as != NULL && i < p->n; i++) {
        cli_assessment_clear(&p->as[i]);
    }
    free(p->as);
    free(p->rts);
    free(p->flat);
    free(p->groups);
    free(p->cmps);
    memset(p, 0, sizeof(*p));
}

/* Grades and gates every scan into rep (its exit status is the OR of them
 * all), then compares the addresses of each name; a difference is reported,
 * not gated: each address already is a target of its own. */
static enum status report_parts_fill(const struct config *cfg, const struct client_setup *cs,
                                     const struct target_slot *slots, size_t n_slots,
                                     struct report_parts *p, struct report *rep)
{
    struct grade_policy policy = {.min_grade = cfg->min_grade, .require_forward_secrecy = true};
    size_t k = 0, g = 0;
    for (size_t i = 0; i < n_slots; i++) {
        const struct target_slot *ts = &slots[i];
        if (ts->n_addrs >= 2) {
            p->groups[g] =
                (struct report_address_group){.first = k, .n = ts->n_addrs, .cmp = &p->cmps[g]};
            g++;
        }
        for (size_t a = 0; a < ts->n_addrs; a++, k++) {
            p->flat[k] = ts->addrs[a].r;
            TRY(cli_assess(&p->as[k], p->flat[k], &policy, cs->db, cfg->require_clients));
            p->rts[k] = p->as[k].rt;
            rep->exit_code = gate_exit_combine(rep->exit_code, p->rts[k].flags);
        }
    }
    for (g = 0; g < p->n_groups; g++) {
        report_addresses_compare(&p->flat[p->groups[g].first], p->groups[g].n, &p->cmps[g]);
    }
    rep->targets = p->rts;
    rep->n_targets = p->n;
    rep->groups = p->groups;
    rep->n_groups = p->n_groups;
    return ST_OK;
}

/* Grades, gates and reports every target; returns the exit status. */
static int results_report(const struct config *cfg, const struct client_setup *cs,
                          const struct target_slot *slots, size_t n_slots, FILE *json_file,
                          bool *json_written)
{
    struct report_parts parts;
    struct report rep = {.min_grade = cfg->min_grade, .version = TLSGATE_VERSION};
    enum status st = report_parts_alloc(&parts, slots, n_slots);
    if (st == ST_OK) {
        st = report_parts_fill(cfg, cs, slots, n_slots, &parts, &rep);
    }
    if (st == ST_OK) {
        st = reports_write(cfg, &rep, json_file, json_written);
    }
    report_parts_free(&parts);
    if (st != ST_OK) {
        /* The verdict could not be delivered: that is not a pass. */
        fprintf(stderr, "tlsgate: could not write the report: %s.\n", status_name(st));
        return (int)(rep.exit_code | GATE_INCOMPLETE);
    }
    return (int)rep.exit_code;
}

static void target_slot_free(struct target_slot *ts)
{
    for (size_t a = 0; ts->addrs != NULL && a < ts->n_addrs; a++) {
        results_free(ts->addrs[a].r);
    }
    if (ts->addrs != &ts->one) {
        free(ts->addrs);
    }
    memset(ts, 0, sizeof(*ts));
}

/* Report files named on the command line, opened before anything is scanned
 * so that an unwritable path is a configuration error, not a lost scan. The
 * JSON report replaces its file only once complete (see cli/outfile.h); JSON
 * Lines are written as each target finishes, so that a cut run keeps what
 * was done. */
struct outputs {
    struct cli_outfile json; /* --json FILE; json.f NULL for none or stdout */
    bool json_written;       /* the whole JSON report is in json.f */
    FILE *jsonl;             /* --jsonl FILE or stdout; NULL for none */
};

static enum status output_open(const char *path, const char *option, FILE **out, char *err,
                               size_t errlen)
{
    *out = NULL;
    if (path == NULL) {
        return ST_OK;
    }
    if (strcmp(path, "-") == 0) {
        *out = stdout;
        return ST_OK;
    }
    *out = fopen(path, "w");
    if (*out == NULL) {
        snprintf(err, errlen, "cannot write the %s report to %s: %s.", option, path,
                 strerror(errno));
        return ST_USAGE;
    }
    return ST_OK;
}

static enum status outputs_open(const struct config *cfg, struct outputs *o, char *err,
                                size_t errlen)
{
    /* --json - is written in place of the table, see reports_write */
    if (cfg->json != NULL && strcmp(cfg->json, "-") != 0) {
        TRY(cli_outfile_open(&o->json, cfg->json, err, errlen));
    }
    return output_open(cfg->jsonl, "JSON Lines", &o->jsonl, err, errlen);
}

/* Closes the files; a failed close means a report was cut short. */
static unsigned outputs_close(const struct config *cfg, struct outputs *o)
{
    unsigned flags = 0;
    char err[512] = "";
    if (cli_outfile_close(&o->json, o->json_written, err, sizeof(err)) != ST_OK) {
        fprintf(stderr, "tlsgate: %s\n", err);
        flags |= GATE_INCOMPLETE;
    }
    if (o->jsonl != NULL && o->jsonl != stdout && fclose(o->jsonl) != 0) {
        fprintf(stderr, "tlsgate: could not finish writing %s.\n", cfg->jsonl);
        flags |= GATE_INCOMPLETE;
    }
    o->jsonl = NULL;
    return flags;
}

/* Targets, clients and report files: everything that can be a usage or
 * configuration error, checked before the first connection. */
static enum status scan_prepare(const struct config *cfg, struct target_list *targets,
                                struct client_setup *cs, struct outputs *o, char *err,
                                size_t errlen)
{
    TRY(cli_targets_collect(cfg, stdin, targets, err, errlen));
    if (cfg->shard_n != 0) {
        cli_targets_shard(targets, cfg->shard_k, cfg->shard_n);
        if (targets->n == 0) {
            log_msg(NULL, LOG_WARN, "shard %u/%u holds no target: nothing to scan", cfg->shard_k,
                    cfg->shard_n);
        }
    }
    TRY(client_setup_load(cfg, cs, err, errlen));
    return outputs_open(cfg, o, err, errlen);
}

static int scan_command(const struct config *cfg)
{
    char err[512] = "";
    struct target_list targets = {0};
    struct client_setup cs = {0};
    struct outputs o = {0};
    struct target_slot *slots = NULL;
    int rc = EXIT_USAGE;

    if (scan_prepare(cfg, &targets, &cs, &o, err, sizeof(err)) != ST_OK) {
        rc = usage_fail(err[0] != '\0' ? err : "out of memory.");
        goto out;
    }
    slots = calloc(targets.n + 1, sizeof(*slots)); /* + 1: an empty shard is fine */
    if (slots == NULL) {
        rc = usage_fail("out of memory.");
        goto out;
    }
    struct run_state rs = {
        .cfg = cfg,
        .cs = &cs,
        .policy = {.min_grade = cfg->min_grade, .require_forward_secrecy = true},
        .jsonl = o.jsonl,
        .total = targets.n,
        .progress = targets.n > 1 && !cfg->quiet && isatty(STDERR_FILENO),
    };
    enum status st = scans_run(cfg, &cs, &targets, slots, &rs);
    if (st == ST_USAGE) {
        goto out;
    }
    rc = st == ST_OK ? results_report(cfg, &cs, slots, targets.n, o.json.f, &o.json_written)
                     : GATE_INCOMPLETE;
    if (rs.jsonl_status != ST_OK) {
        fprintf(stderr, "tlsgate: could not write the JSON Lines report.\n");
        rc |= GATE_INCOMPLETE;
    }

out:
    for (size_t i = 0; slots != NULL && i < targets.n; i++) {
        target_slot_free(&slots[i]);
    }
    free(slots);
    unsigned close_flags = outputs_close(cfg, &o);
    if (rc != EXIT_USAGE) {
        rc |= (int)close_flags;
    }
    client_setup_free(&cs);
    cli_targets_free(&targets);
    return rc;
}

static int clients_command(void)
{
    char err[512] = "";
    struct client_db *db = client_db_load(NULL, err, sizeof(err));
    if (db == NULL) {
        return usage_fail(err);
    }
    cli_clients_list(stdout, db);
    client_db_free(db);
    return fflush(stdout) == 0 ? 0 : GATE_INCOMPLETE;
}

int cli_run(const struct config *cfg)
{
    switch (cfg->command) {
    case CLI_CMD_HELP:
        cli_help_write(stdout);
        return 0;
    case CLI_CMD_VERSION:
        printf("tlsgate %s\n", TLSGATE_VERSION);
        return 0;
    case CLI_CMD_CLIENTS:
        return clients_command();
    case CLI_CMD_SCAN:
        return scan_command(cfg);
    default:
        return usage_fail("no command given; try 'tlsgate --help'.");
    }
}
