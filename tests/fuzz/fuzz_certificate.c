/* One TLS 1.2 Certificate body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/server_msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cert_view certs[FLIGHT_MAX_CERTS];
    size_t stored = 0;
    size_t seen = 0;
    char why[160];
    why[0] = '\0';
    if (server_cert_parse(data, size, certs, FLIGHT_MAX_CERTS, &stored, &seen, why,
                          sizeof(why)) != ST_OK) {
        if (strlen(why) == 0) {
            abort();
        }
        return 0;
    }
    if (stored > FLIGHT_MAX_CERTS || stored > seen) {
        abort();
    }
    for (size_t i = 0; i < stored; i++) {
        if (certs[i].len == 0 || certs[i].der < data || certs[i].der + certs[i].len > data + size) {
            abort();
        }
    }
    return 0;
}
