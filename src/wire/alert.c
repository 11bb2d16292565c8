#include "wire/reader.h"
#include "wire/server_flight.h"
#include "wire/server_msgs.h"

/* RFC 8446 6 and the IANA TLS Alerts registry, including descriptions that
 * only older versions define. */
static const char *const alert_names[256] = {
    [0] = "close_notify",
    [10] = "unexpected_message",
    [20] = "bad_record_mac",
    [21] = "decryption_failed",
    [22] = "record_overflow",
    [30] = "decompression_failure",
    [40] = "handshake_failure",
    [41] = "no_certificate",
    [42] = "bad_certificate",
    [43] = "unsupported_certificate",
    [44] = "certificate_revoked",
    [45] = "certificate_expired",
    [46] = "certificate_unknown",
    [47] = "illegal_parameter",
    [48] = "unknown_ca",
    [49] = "access_denied",
    [50] = "decode_error",
    [51] = "decrypt_error",
    [52] = "too_many_cids_requested",
    [60] = "export_restriction",
    [70] = "protocol_version",
    [71] = "insufficient_security",
    [80] = "internal_error",
    [86] = "inappropriate_fallback",
    [90] = "user_canceled",
    [100] = "no_renegotiation",
    [109] = "missing_extension",
    [110] = "unsupported_extension",
    [111] = "certificate_unobtainable",
    [112] = "unrecognized_name",
    [113] = "bad_certificate_status_response",
    [114] = "bad_certificate_hash_value",
    [115] = "unknown_psk_identity",
    [116] = "certificate_required",
    [120] = "no_application_protocol",
    [121] = "ech_required",
};

const char *alert_name(uint8_t desc)
{
    const char *name = alert_names[desc];
    return name != NULL ? name : "unknown_alert";
}

enum status alert_parse(const uint8_t *body, size_t len, uint8_t *level, uint8_t *desc, char *why,
                        size_t why_cap)
{
    struct reader r = rd_init(body, len);
    *level = rd_u8(&r);
    *desc = rd_u8(&r);
    if (!rd_done(&r)) {
        why_set(why, why_cap, "alert of %zu bytes (an alert is 2 bytes)", len);
        return ST_MALFORMED;
    }
    return ST_OK;
}
