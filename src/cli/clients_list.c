#include "cli/clients_list.h"

#include <string.h>

#include "clients/client.h"
#include "registry/registry.h"
#include "report/names.h"

/* `tlsgate clients`: every profile with its provenance and groups, then every
 * group with its members, so a user can write --clients / --require-client. */

/* More groups than any profile set defines; extra ones are not listed. */
#define LIST_MAX_GROUPS 128
#define LIST_WIDTH      79

static int id_width(const struct client_db *db)
{
    int width = 2;
    for (size_t i = 0; i < client_db_count(db); i++) {
        int n = (int)strlen(client_id(client_db_get(db, i)));
        width = n > width ? n : width;
    }
    return width;
}

static void profiles_write(FILE *out, const struct client_db *db, int width)
{
    fprintf(out, "%-*s  %-36s  %-8s  %-7s  %s\n", width, "ID", "CLIENT", "SOURCE", "UP TO",
            "GROUPS");
    for (size_t i = 0; i < client_db_count(db); i++) {
        struct client_display d;
        client_display(client_db_get(db, i), &d);
        fprintf(out, "%-*s  %-36s  %-8s  %-7s  ", width, d.id, d.name, d.kind,
                report_version_name(d.max_version));
        for (size_t g = 0; g < d.n_groups; g++) {
            fprintf(out, "%s%s", g > 0 ? "," : "", d.groups[g]);
        }
        fputc('\n', out);
    }
}

/* "  name  (n)  id, id, id..." wrapped under the first id. */
static void group_write(FILE *out, const struct client_db *db, const char *group, int gwidth)
{
    size_t members = 0;
    for (size_t i = 0; i < client_db_count(db); i++) {
        members += client_in_group(client_db_get(db, i), group);
    }
    int indent = gwidth + 10;
    int col = fprintf(out, "  %-*s  %4zu  ", gwidth, group, members);
    bool first = true;
    for (size_t i = 0; i < client_db_count(db); i++) {
        const struct client_profile *p = client_db_get(db, i);
        if (!client_in_group(p, group)) {
            continue;
        }
        int len = (int)strlen(client_id(p));
        if (!first && col + 2 + len > LIST_WIDTH) {
            fprintf(out, ",\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            col += fprintf(out, ", ");
        }
        col += fprintf(out, "%s", client_id(p));
        first = false;
    }
    fputc('\n', out);
}

void cli_clients_list(FILE *out, const struct client_db *db)
{
    profiles_write(out, db, id_width(db));

    const char *groups[LIST_MAX_GROUPS];
    size_t n = client_db_groups(db, groups, LIST_MAX_GROUPS);
    int gwidth = 5;
    for (size_t i = 0; i < n; i++) {
        int len = (int)strlen(groups[i]);
        gwidth = len > gwidth ? len : gwidth;
    }
    fprintf(out, "\n%-*s  %s  %s\n", gwidth + 2, "GROUP", "SIZE", "MEMBERS");
    for (size_t i = 0; i < n; i++) {
        group_write(out, db, groups[i], gwidth);
    }
    fprintf(out,
            "\n%zu client profiles, %zu groups. Select them with --clients or "
            "--require-client:\nids, globs (android-*) or group names, "
            "comma-separated.\n",
            client_db_count(db), n);
}
