/* One ServerKeyExchange body: the first byte picks the key exchange (low
 * nibble) and whether the version is TLS 1.2 (bit 4). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "wire/server_msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    enum wire_kex kex = (enum wire_kex)((data[0] & 0x0f) % (WIRE_KEX_TLS13 + 1));
    uint16_t version = (data[0] & 0x10) != 0 ? VERSION_TLS12 : VERSION_TLS10;
    struct server_kx kx;
    char why[160];
    why[0] = '\0';
    if (server_kx_parse(data + 1, size - 1, kex, version, &kx, why, sizeof(why)) != ST_OK &&
        strlen(why) == 0) {
        abort();
    }
    return 0;
}
