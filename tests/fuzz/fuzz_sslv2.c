/* One SSLv2 server message body, then the same bytes as a whole answer to an
 * SSLv2 hello. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/server_flight.h"
#include "wire/server_msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ssl2_server_msg m;
    char why[160];
    why[0] = '\0';
    if (ssl2_server_parse(data, size, &m, why, sizeof(why)) == ST_OK) {
        if (m.n_specs > FLIGHT_MAX_SSL2_SPECS || m.n_specs > m.n_specs_seen) {
            abort();
        }
    } else if (strlen(why) == 0) {
        abort();
    }

    uint8_t *hs = malloc(4096);
    if (hs == NULL) {
        return 0;
    }
    struct server_flight f;
    server_flight_init(&f, hs, 4096, true, true);
    (void)server_flight_feed(&f, data, size);
    (void)server_flight_end(&f);
    free(hs);
    return 0;
}
