/* One ServerHello / HelloRetryRequest body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/server_msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct server_hello sh;
    char why[160];
    why[0] = '\0';
    if (server_hello_parse(data, size, &sh, why, sizeof(why)) == ST_OK) {
        if (sh.n_exts > FLIGHT_MAX_EXTS || sh.session_id_len > 32) {
            abort();
        }
    } else if (strlen(why) == 0) {
        abort();
    }
    return 0;
}
