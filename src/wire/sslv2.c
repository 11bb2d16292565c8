#include <string.h>

#include "wire/reader.h"
#include "wire/server_msgs.h"
#include "wire/tls_const.h"

/* SSLv2 SERVER-HELLO (draft-hickman-netscape-ssl-00, "Server Only Protocol
 * Messages"): fixed header fields, then the certificate, the cipher specs and
 * the connection id, whose lengths the header gives. */
static enum status ssl2_hello_read(struct reader *r, struct ssl2_server_msg *m, char *why,
                                   size_t why_cap)
{
    m->session_id_hit = rd_u8(r);
    m->cert_type = rd_u8(r);
    m->version = rd_u16(r);
    uint16_t cert_len = rd_u16(r);
    uint16_t specs_len = rd_u16(r);
    uint16_t conn_id_len = rd_u16(r);
    struct reader cert = rd_sub(r, cert_len);
    struct reader specs = rd_sub(r, specs_len);
    struct reader conn_id = rd_sub(r, conn_id_len);
    (void)conn_id;
    if (!rd_done(r)) {
        why_set(why, why_cap, "SSLv2 SERVER-HELLO lengths disagree with its record");
        return ST_MALFORMED;
    }
    if (specs_len % SSL2_SPEC_LEN != 0) {
        why_set(why, why_cap, "SSLv2 cipher specs of %u bytes are not 3-byte specs", specs_len);
        return ST_MALFORMED;
    }

    m->cert.der = cert_len > 0 ? rd_ptr(&cert) : NULL;
    m->cert.len = cert_len;
    while (rd_left(&specs) > 0) {
        uint32_t spec = rd_u24(&specs);
        if (m->n_specs < FLIGHT_MAX_SSL2_SPECS) {
            m->specs[m->n_specs++] = spec;
        }
        m->n_specs_seen++;
    }
    return ST_OK;
}

enum status ssl2_server_parse(const uint8_t *body, size_t len, struct ssl2_server_msg *m, char *why,
                              size_t why_cap)
{
    memset(m, 0, sizeof(*m));
    struct reader r = rd_init(body, len);
    uint8_t type = rd_u8(&r);
    if (!rd_ok(&r)) {
        why_set(why, why_cap, "empty SSLv2 record");
        return ST_MALFORMED;
    }
    if (type == SSL2_MT_ERROR) {
        m->is_error = true;
        m->error_code = rd_u16(&r);
        if (!rd_done(&r)) {
            why_set(why, why_cap, "SSLv2 ERROR message of %zu bytes (expected 3)", len);
            return ST_MALFORMED;
        }
        return ST_OK;
    }
    if (type != SSL2_MT_SERVER_HELLO) {
        why_set(why, why_cap, "SSLv2 message type %u where SERVER-HELLO was expected", type);
        return ST_MALFORMED;
    }
    return ssl2_hello_read(&r, m, why, why_cap);
}
