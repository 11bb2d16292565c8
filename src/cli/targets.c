#include "cli/targets.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/target.h"

static enum status target_add(struct target_list *list, const char *spec, size_t len)
{
    if (list->n >= TARGETS_MAX) {
        return ST_TOO_BIG;
    }
    if (list->n == list->cap) {
        size_t cap = list->cap == 0 ? 16 : list->cap * 2;
        char **items = realloc(list->items, cap * sizeof(*items));
        if (items == NULL) {
            return ST_NO_MEMORY;
        }
        list->items = items;
        list->cap = cap;
    }
    char *copy = strndup(spec, len);
    if (copy == NULL) {
        return ST_NO_MEMORY;
    }
    list->items[list->n++] = copy;
    return ST_OK;
}

/* Trims blanks around a line and drops '#' comments; returns its length. */
static size_t line_trim(char *line, char **start)
{
    char *hash = strchr(line, '#');
    if (hash != NULL) {
        *hash = '\0';
    }
    char *s = line + strspn(line, " \t\r\n");
    size_t n = strlen(s);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL) {
        n--;
    }
    s[n] = '\0';
    *start = s;
    return n;
}

/* Reads the targets of f; each must be one that -4/-6 (family) can scan. */
static enum status file_read(FILE *f, const char *name, int family, struct target_list *out,
                             char *err, size_t errlen)
{
    char line[CLI_TARGET_MAX + 64];
    unsigned long lineno = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            snprintf(err, errlen, "%s line %lu is too long to be a target.", name, lineno);
            return ST_USAGE;
        }
        char *spec = NULL;
        size_t n = line_trim(line, &spec);
        if (n == 0) {
            continue;
        }
        char why[256];
        if (cli_target_check(spec, why, sizeof(why)) != ST_OK ||
            cli_target_family_check(spec, family, why, sizeof(why)) != ST_OK) {
            snprintf(err, errlen, "%s line %lu: %s", name, lineno, why);
            return ST_USAGE;
        }
        enum status st = target_add(out, spec, n);
        if (st != ST_OK) {
            snprintf(err, errlen, "%s: more targets than tlsgate can hold (%d).", name,
                     TARGETS_MAX);
            return st == ST_TOO_BIG ? ST_USAGE : st;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "cannot read %s: %s.", name, strerror(errno));
        return ST_USAGE;
    }
    return ST_OK;
}

static enum status input_read(const char *path, int family, FILE *in, struct target_list *out,
                              char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        return file_read(in, "stdin", family, out, err, errlen);
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open target file %s: %s.", path, strerror(errno));
        return ST_USAGE;
    }
    enum status st = file_read(f, path, family, out, err, errlen);
    fclose(f);
    return st;
}

enum status cli_targets_collect(const struct config *cfg, FILE *in, struct target_list *out,
                                char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < cfg->n_targets; i++) {
        TRY(target_add(out, cfg->targets[i], strlen(cfg->targets[i])));
    }
    if (cfg->input != NULL) {
        TRY(input_read(cfg->input, cfg->family, in, out, err, errlen));
    }
    if (out->n == 0) {
        snprintf(err, errlen, "no targets to scan: %s holds none.",
                 cfg->input != NULL ? cfg->input : "the command line");
        return ST_USAGE;
    }
    return ST_OK;
}

void cli_targets_free(struct target_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i]);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

void cli_targets_shard(struct target_list *list, unsigned k, unsigned n)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->n; i++) {
        if (i % n == k - 1) {
            list->items[kept++] = list->items[i];
        } else {
            free(list->items[i]);
        }
    }
    list->n = kept;
}
