/* Alerts: one alert body, and the bytes as the body of alert records split
 * at the first byte's position (alerts may be fragmented across records). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/server_flight.h"
#include "wire/server_msgs.h"
#include "wire/tls_const.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed_record(struct server_flight *f, const uint8_t *body, size_t n)
{
    uint8_t hdr[RECORD_HEADER_LEN] = {CT_ALERT, 3, 3, (uint8_t)(n >> 8), (uint8_t)n};
    (void)server_flight_feed(f, hdr, sizeof(hdr));
    (void)server_flight_feed(f, body, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t level = 0;
    uint8_t desc = 0;
    char why[160];
    why[0] = '\0';
    if (alert_parse(data, size, &level, &desc, why, sizeof(why)) == ST_OK) {
        if (alert_name(desc) == NULL) {
            abort();
        }
    } else if (strlen(why) == 0) {
        abort();
    }

    if (size < 1 || size > 4096) {
        return 0;
    }
    size_t split = data[0] % size;
    uint8_t hs[64];
    struct server_flight f;
    server_flight_init(&f, hs, sizeof(hs), false, false);
    feed_record(&f, data + 1, split);
    feed_record(&f, data + 1 + split, size - 1 - split);
    if (server_flight_end(&f) == FLIGHT_DONE && f.answer != ANSWER_ALERT) {
        abort();
    }
    return 0;
}
