/* Target lists (-i FILE): the bytes as the file, read line by line; every
 * target kept must pass the same syntax check as a command-line target, and
 * sharding must keep exactly its share. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config.h"
#include "cli/target.h"
#include "cli/targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0; /* fmemopen refuses an empty buffer */
    }
    FILE *in = fmemopen((void *)data, size, "r");
    if (in == NULL) {
        return 0;
    }
    struct config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.input = "-";
    struct target_list list;
    char err[512] = "";
    enum status st = cli_targets_collect(&cfg, in, &list, err, sizeof(err));
    fclose(in);
    if (st != ST_OK && err[0] == '\0') {
        abort(); /* a refusal always says why */
    }
    char why[256];
    for (size_t i = 0; st == ST_OK && i < list.n; i++) {
        if (list.items[i][0] == '\0' ||
            cli_target_check(list.items[i], why, sizeof(why)) != ST_OK) {
            abort();
        }
    }
    size_t before = list.n;
    cli_targets_shard(&list, 2, 3);
    if (st == ST_OK && list.n != before / 3 + (before % 3 >= 2 ? 1 : 0)) {
        abort();
    }
    cli_targets_free(&list);
    return 0;
}
