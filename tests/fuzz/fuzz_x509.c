/* One leaf certificate's DER, as a server sends it, through libcrypto into the
 * facts the report shows: every text field must come back terminated and
 * every number in range, whatever the bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/cert_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *field, size_t cap)
{
    if (memchr(field, '\0', cap) == NULL) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cert_result out;
    memset(&out, 0, sizeof(out));
    if (cert_parse_der(data, size, 1, 0x0303, &out) != ST_OK) {
        return 0;
    }
    check_text(out.key_type, sizeof(out.key_type));
    check_text(out.curve, sizeof(out.curve));
    check_text(out.sig_alg, sizeof(out.sig_alg));
    check_text(out.subject, sizeof(out.subject));
    check_text(out.issuer, sizeof(out.issuer));
    check_text(out.not_before, sizeof(out.not_before));
    check_text(out.not_after, sizeof(out.not_after));
    check_text(out.sha256, sizeof(out.sha256));
    if (!out.present || out.key_bits < 0 || strlen(out.sha256) != 64) {
        abort();
    }
    return 0;
}
