#include "cli/run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/scan.h"
#include "cli/assess.h"
#include "cli/clients_list.h"
#include "cli/gate.h"
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
    size_t total;
    bool progress; /* a terminal on stderr, several targets, not --quiet */
};

struct scan_slot {
    struct scan_results *r;
    struct run_state *rs;
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

/* Starts every target's scan and runs the loop until all are done. Returns
 * ST_USAGE when scan_start refused a target spec (the others still finish,
 * so the engine can be freed cleanly). */
static enum status scans_run(const struct config *cfg, const struct client_setup *cs,
                             const struct target_list *targets, struct scan_slot *slots,
                             struct run_state *rs)
{
    struct engine_config ec = {.jobs = cfg->jobs};
    struct engine *e = engine_new(&ec);
    if (e == NULL) {
        fprintf(stderr, "tlsgate: cannot start the event loop.\n");
        return ST_NO_MEMORY;
    }
    struct scan_options opts;
    scan_options_fill(cfg, cs, &opts);
    enum status result = ST_OK;
    for (size_t i = 0; i < targets->n; i++) {
        char err[256] = "";
        slots[i].rs = rs;
        enum status st =
            scan_start(e, &opts, targets->items[i], scan_done, &slots[i], err, sizeof(err));
        if (st != ST_OK) {
            fprintf(stderr, "tlsgate: %s\n", err[0] != '\0' ? err : status_name(st));
            result = ST_USAGE;
            break;
        }
    }
    enum status st = engine_run(e);
    engine_free(e);
    if (st != ST_OK && result == ST_OK) {
        fprintf(stderr, "tlsgate: the event loop failed: %s.\n", status_name(st));
        result = st;
    }
    return result;
}

static bool color_wanted(const struct config *cfg, int fd)
{
    return !cfg->no_color && isatty(fd);
}

static enum status reports_write(const struct config *cfg, const struct report *rep,
                                 FILE *json_file)
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
    }
    return fflush(stdout) == 0 ? ST_OK : ST_IO;
}

/* Grades, gates and reports every target; returns the exit status. */
static int results_report(const struct config *cfg, const struct client_setup *cs,
                          struct scan_slot *slots, size_t n, FILE *json_file)
{
    struct assessment *as = calloc(n + 1, sizeof(*as));
    struct report_target *rts = calloc(n + 1, sizeof(*rts));
    struct grade_policy policy = {.min_grade = cfg->min_grade, .require_forward_secrecy = true};
    struct report rep = {
        .targets = rts, .n_targets = n, .min_grade = cfg->min_grade, .version = TLSGATE_VERSION};
    enum status st = as != NULL && rts != NULL ? ST_OK : ST_NO_MEMORY;
    for (size_t i = 0; i < n && st == ST_OK; i++) {
        st = cli_assess(&as[i], slots[i].r, &policy, cs->db, cfg->require_clients);
        rts[i] = as[i].rt;
        rep.exit_code = gate_exit_combine(rep.exit_code, rts[i].flags);
    }
    if (st == ST_OK) {
        st = reports_write(cfg, &rep, json_file);
    }
    for (size_t i = 0; as != NULL && i < n; i++) {
        cli_assessment_clear(&as[i]);
    }
    free(as);
    free(rts);
    if (st != ST_OK) {
        /* The verdict could not be delivered: that is not a pass. */
        fprintf(stderr, "tlsgate: could not write the report: %s.\n", status_name(st));
        return (int)(rep.exit_code | GATE_INCOMPLETE);
    }
    return (int)rep.exit_code;
}

/* Report files named on the command line, opened before anything is scanned
 * so that an unwritable path is a configuration error, not a lost scan. */
struct outputs {
    FILE *json;  /* --json FILE; NULL for none or stdout */
    FILE *jsonl; /* --jsonl FILE or stdout; NULL for none */
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
    TRY(output_open(cfg->json, "JSON", &o->json, err, errlen));
    if (o->json == stdout) {
        o->json = NULL; /* written in place of the table, see reports_write */
    }
    return output_open(cfg->jsonl, "JSON Lines", &o->jsonl, err, errlen);
}

/* Closes the files; a failed close means a report was cut short. */
static unsigned outputs_close(const struct config *cfg, struct outputs *o)
{
    unsigned flags = 0;
    if (o->json != NULL && fclose(o->json) != 0) {
        fprintf(stderr, "tlsgate: could not finish writing %s.\n", cfg->json);
        flags |= GATE_INCOMPLETE;
    }
    if (o->jsonl != NULL && o->jsonl != stdout && fclose(o->jsonl) != 0) {
        fprintf(stderr, "tlsgate: could not finish writing %s.\n", cfg->jsonl);
        flags |= GATE_INCOMPLETE;
    }
    o->json = o->jsonl = NULL;
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
    struct scan_slot *slots = NULL;
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
    rc = st == ST_OK ? results_report(cfg, &cs, slots, targets.n, o.json) : GATE_INCOMPLETE;
    if (rs.jsonl_status != ST_OK) {
        fprintf(stderr, "tlsgate: could not write the JSON Lines report.\n");
        rc |= GATE_INCOMPLETE;
    }

out:
    for (size_t i = 0; slots != NULL && i < targets.n; i++) {
        results_free(slots[i].r);
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
