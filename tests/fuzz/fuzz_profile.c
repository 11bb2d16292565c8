/* Fuzz target: the client profile parser (data/clients/<id>.json). Any
 * input must be refused with an error or give a profile whose hello builds;
 * nothing may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "clients/profile.h"
#include "wire/hello_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    struct client_profile *p =
        client_profile_parse((const char *)data, size, "fuzz", err, sizeof(err));
    if (p == NULL) {
        return 0;
    }
    static const uint8_t random[32] = {0};
    uint8_t out[HELLO_MAX_LEN];
    size_t len = 0;
    /* keys masked: key generation is not what is being fuzzed */
    if (client_hello_build_ex(p, "fuzz.tlsgate.test", random, true, out, sizeof(out), &len) !=
        ST_OK) {
        __builtin_trap(); /* the parser accepted a profile it cannot build */
    }
    client_profile_free(p);
    return 0;
}
