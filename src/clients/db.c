#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/profile.h"

/* The profile database: every data/clients/<id>.json, loaded once before the
 * first scan and read-only afterwards. */

/* More profiles than this means the directory is not ours. */
#define CLIENT_DB_MAX     1024
#define CLIENT_LIST_TOKEN 128

struct client_db {
    struct client_profile **profiles; /* in version order of file name, i.e. of id */
    size_t n;
};

static int name_is_profile(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    char *buf = malloc(CLIENT_MAX_FILE + 1);
    *len = buf ? fread(buf, 1, CLIENT_MAX_FILE + 1, f) : 0;
    fclose(f);
    if (buf != NULL && *len > CLIENT_MAX_FILE) {
        snprintf(err, errlen, "%s: larger than %d bytes", path, CLIENT_MAX_FILE);
        free(buf);
        return NULL;
    }
    if (buf == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
    }
    return buf;
}

static struct client_profile *load_one(const char *dir, const char *fname, char *err, size_t errlen)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, fname) >= sizeof(path)) {
        snprintf(err, errlen, "%s: path too long", dir);
        return NULL;
    }
    size_t len = 0;
    char *json = read_file(path, &len, err, errlen);
    if (json == NULL) {
        return NULL;
    }
    struct client_profile *p = client_profile_parse(json, len, path, err, errlen);
    free(json);
    /* the file name is the id, so ids are unique by construction */
    if (p != NULL &&
        (strncmp(fname, p->id, strlen(fname) - 5) != 0 || strlen(p->id) != strlen(fname) - 5)) {
        snprintf(err, errlen, "%s: profile %s: id: must match the file name", path, p->id);
        client_profile_free(p);
        return NULL;
    }
    return p;
}

static const char *default_dir(char *buf, size_t len)
{
    const char *env = getenv("TLSGATE_DATA");
    snprintf(buf, len, "%s/clients", env && env[0] ? env : TLSGATE_DATA_DIR);
    return buf;
}

struct client_db *client_db_load(const char *dir, char *err, size_t errlen)
{
    char dbuf[4096];
    dir = dir ? dir : default_dir(dbuf, sizeof(dbuf));
    struct dirent **names = NULL;
    /* version order: android-2.3 before android-10, ios-9 before ios-10 */
    int n = scandir(dir, &names, name_is_profile, versionsort);
    if (n < 0 || n > CLIENT_DB_MAX) {
        snprintf(err, errlen, "%s: %s", dir,
                 n < 0 ? "cannot read the client profile directory" : "too many profiles");
        for (int i = 0; i < n; i++) {
            free(names[i]);
        }
        free(names);
        return NULL;
    }
    struct client_db *db = calloc(1, sizeof(*db));
    if (db != NULL) {
        db->profiles = calloc((size_t)n + 1, sizeof(db->profiles[0]));
    }
    bool ok = db != NULL && db->profiles != NULL;
    if (!ok) {
        snprintf(err, errlen, "%s: out of memory", dir);
    }
    for (int i = 0; i < n; i++) {
        if (ok) {
            db->profiles[db->n] = load_one(dir, names[i]->d_name, err, errlen);
            ok = db->profiles[db->n] != NULL;
            db->n += ok ? 1 : 0;
        }
        free(names[i]);
    }
    free(names);
    if (!ok) {
        client_db_free(db);
        return NULL;
    }
    return db;
}

void client_db_free(struct client_db *db)
{
    if (db == NULL) {
        return;
    }
    for (size_t i = 0; i < db->n; i++) {
        client_profile_free(db->profiles[i]);
    }
    free(db->profiles);
    free(db);
}

size_t client_db_count(const struct client_db *db)
{
    return db->n;
}

const struct client_profile *client_db_get(const struct client_db *db, size_t i)
{
    return i < db->n ? db->profiles[i] : NULL;
}

const struct client_profile *client_db_find(const struct client_db *db, const char *id)
{
    for (size_t i = 0; i < db->n; i++) {
        if (strcmp(db->profiles[i]->id, id) == 0) {
            return db->profiles[i];
        }
    }
    return NULL;
}

const char *client_id(const struct client_profile *p)
{
    return p->id;
}

const char *client_name(const struct client_profile *p)
{
    return p->name;
}

bool client_in_group(const struct client_profile *p, const char *group)
{
    for (size_t i = 0; i < p->n_tags; i++) {
        if (strcmp(p->tags[i], group) == 0) {
            return true;
        }
    }
    return false;
}

void client_display(const struct client_profile *p, struct client_display *out)
{
    *out = (struct client_display){
        .id = p->id,
        .name = p->name,
        .family = p->family,
        .kind = p->kind,
        .source = p->source,
        .where = p->where,
        .groups = (const char *const *)p->tags,
        .n_groups = p->n_tags,
        .max_version = p->max_version,
        .min_version = p->accepts.min_version,
        .ats = p->ats.present,
    };
}

size_t client_db_groups(const struct client_db *db, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < db->n; i++) {
        for (size_t t = 0; t < db->profiles[i]->n_tags; t++) {
            const char *g = db->profiles[i]->tags[t];
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++) {
                seen = strcmp(out[k], g) == 0;
            }
            if (!seen && n < cap) {
                out[n++] = g;
            }
        }
    }
    for (size_t i = 1; i < n; i++) { /* insertion sort: a handful of names */
        for (size_t k = i; k > 0 && strcmp(out[k - 1], out[k]) > 0; k--) {
            const char *tmp = out[k];
            out[k] = out[k - 1];
            out[k - 1] = tmp;
        }
    }
    return n;
}

/* Marks the profiles one list token names; false when it names none. */
static bool select_token(const struct client_db *db, const char *tok, bool *chosen)
{
    bool glob = strpbrk(tok, "*?[") != NULL;
    bool any = false;
    for (size_t i = 0; i < db->n; i++) {
        const struct client_profile *p = db->profiles[i];
        bool hit = strcmp(tok, "all") == 0 || strcmp(p->id, tok) == 0 || client_in_group(p, tok) ||
                   (glob && fnmatch(tok, p->id, 0) == 0);
        chosen[i] = chosen[i] || hit;
        any = any || hit;
    }
    return any;
}

/* Splits the next comma-separated token, trimmed of spaces, into tok. */
static const char *next_token(const char *s, char *tok, size_t cap, bool *too_long)
{
    while (*s == ' ' || *s == ',') {
        s++;
    }
    size_t n = strcspn(s, ",");
    const char *next = s + n;
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    *too_long = n >= cap;
    n = *too_long ? cap - 1 : n;
    memcpy(tok, s, n);
    tok[n] = '\0';
    return next;
}

static enum status collect_chosen(const struct client_db *db, const bool *chosen,
                                  const struct client_profile ***out, size_t *n_out)
{
    size_t n = 0;
    for (size_t i = 0; i < db->n; i++) {
        n += chosen[i] ? 1 : 0;
    }
    *out = calloc(n + 1, sizeof(**out));
    if (*out == NULL) {
        return ST_NO_MEMORY;
    }
    for (size_t i = 0; i < db->n; i++) {
        if (chosen[i]) {
            (*out)[(*n_out)++] = db->profiles[i];
        }
    }
    return ST_OK;
}

enum status client_db_select(const struct client_db *db, const char *list,
                             const struct client_profile ***out, size_t *n_out, char *err,
                             size_t errlen)
{
    *out = NULL;
    *n_out = 0;
    bool *chosen = calloc(db->n + 1, sizeof(bool));
    if (chosen == NULL) {
        return ST_NO_MEMORY;
    }
    char tok[CLIENT_LIST_TOKEN];
    bool too_long = false;
    bool none = false;
    for (const char *s = list ? list : ""; *s != '\0';) {
        s = next_token(s, tok, sizeof(tok), &too_long);
        if (tok[0] == '\0') {
            continue;
        }
        none = none || strcmp(tok, "none") == 0;
        if (too_long || (strcmp(tok, "none") != 0 && !select_token(db, tok, chosen))) {
            snprintf(err, errlen, "no client profile or group matches \"%s\"", tok);
            free(chosen);
            return ST_NOT_FOUND;
        }
    }
    enum status st = ST_OK;
    if (!none) {
        st = collect_chosen(db, chosen, out, n_out);
    }
    free(chosen);
    return st;
}
