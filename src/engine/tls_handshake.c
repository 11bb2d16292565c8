#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "util/log.h"

/* A libssl client whose transport is a pair of memory BIOs: bytes from the
 * uv stream go into rbio, whatever libssl wants to send is drained from wbio
 * into conn_write(). No socket is ever handed to OpenSSL. */
struct tls_hs {
    struct conn conn; /* first: conn callbacks get back to the handshake */
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *rbio;
    BIO *wbio;
    tls_handshake_fn done;
    void *arg;
    struct tls_handshake_result res;
    uint8_t *leaf_der;
    bool failed;
};

static struct tls_hs *tls_hs_of(struct conn *c)
{
    return (struct tls_hs *)c;
}

static void tls_hs_flush(struct tls_hs *h)
{
    uint8_t buf[4096];
    int n;
    while ((n = BIO_read(h->wbio, buf, sizeof(buf))) > 0) {
        conn_write(&h->conn, buf, (size_t)n);
    }
}

static void tls_hs_keep_chain(struct tls_hs *h)
{
    X509 *leaf = SSL_get0_peer_certificate(h->ssl);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(h->ssl);
    h->res.chain_len = chain != NULL ? sk_X509_num(chain) : (leaf != NULL ? 1 : 0);
    h->res.version = (uint16_t)SSL_version(h->ssl);
    if (leaf == NULL) {
        return;
    }
    int n = i2d_X509(leaf, &h->leaf_der);
    if (n > 0) {
        h->res.leaf = h->leaf_der;
        h->res.leaf_len = (size_t)n;
    }
}

static void tls_hs_step(struct tls_hs *h)
{
    ERR_clear_error();
    int rc = SSL_do_handshake(h->ssl);
    tls_hs_flush(h);
    if (rc == 1) {
        tls_hs_keep_chain(h);
        h->res.ok = true;
        conn_end(&h->conn, PROBE_ANSWERED, 0);
        return;
    }
    int err = SSL_get_error(h->ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        return;
    }
    unsigned long e = ERR_get_error();
    char detail[120] = "handshake failed";
    if (e != 0) {
        ERR_error_string_n(e, detail, sizeof(detail));
    }
    snprintf(h->res.why, sizeof(h->res.why), "libssl handshake failed: %s", detail);
    h->failed = true;
    conn_end(&h->conn, PROBE_ANSWERED, 0);
}

static void tls_hs_on_connected(struct conn *c)
{
    tls_hs_step(tls_hs_of(c));
}

static void tls_hs_on_data(struct conn *c, const uint8_t *buf, size_t len)
{
    struct tls_hs *h = tls_hs_of(c);
    if (BIO_write(h->rbio, buf, (int)len) != (int)len) {
        snprintf(h->res.why, sizeof(h->res.why), "libssl could not buffer the server's bytes");
        h->failed = true;
        conn_end(c, PROBE_NET_ERROR, 0);
        return;
    }
    tls_hs_step(h);
}

static void tls_hs_on_closed(struct conn *c)
{
    struct tls_hs *h = tls_hs_of(c);
    h->res.outcome = c->outcome;
    if (!h->res.ok && !h->failed) {
        struct probe_result pr;
        memset(&pr, 0, sizeof(pr));
        pr.outcome = c->outcome;
        pr.sys_errno = c->sys_errno;
        pr.bytes_received = c->bytes_received;
        pr.elapsed_ms = c->elapsed_ms;
        probe_describe(&pr, h->res.why, sizeof(h->res.why));
    }
    log_msg(c->t->label, LOG_INFO, "libssl handshake for the certificate: %s (%.0f ms)",
            h->res.ok ? "complete" : h->res.why, c->elapsed_ms);
    h->done(h->arg, &h->res);
    OPENSSL_free(h->leaf_der);
    SSL_free(h->ssl);
    SSL_CTX_free(h->ctx);
    free(h);
}

static const struct conn_ops tls_hs_ops = {
    .connected = tls_hs_on_connected,
    .data = tls_hs_on_data,
    .closed = tls_hs_on_closed,
};

#define TLS_HS_ALL_TLS13_SUITES                                                                    \
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"                  \
    "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"

static enum status tls_hs_setup(struct tls_hs *h, const char *sni, uint16_t min_version,
                                uint16_t max_version)
{
    h->ctx = SSL_CTX_new(TLS_client_method());
    if (h->ctx == NULL) {
        return ST_NO_MEMORY;
    }
    /* We only read the certificate: accept any key size or signature, and
     * offer every TLS 1.3 suite libssl has (its default leaves out CCM, so a
     * CCM-only server would hide its certificate). */
    SSL_CTX_set_security_level(h->ctx, 0);
    SSL_CTX_set_verify(h->ctx, SSL_VERIFY_NONE, NULL);
    if (SSL_CTX_set_ciphersuites(h->ctx, TLS_HS_ALL_TLS13_SUITES) != 1) {
        return ST_UNSUPPORTED;
    }
    if (SSL_CTX_set_min_proto_version(h->ctx, min_version) != 1 ||
        SSL_CTX_set_max_proto_version(h->ctx, max_version) != 1) {
        return ST_UNSUPPORTED;
    }
    h->ssl = SSL_new(h->ctx);
    h->rbio = BIO_new(BIO_s_mem());
    h->wbio = BIO_new(BIO_s_mem());
    if (h->ssl == NULL || h->rbio == NULL || h->wbio == NULL) {
        BIO_free(h->rbio);
        BIO_free(h->wbio);
        return ST_NO_MEMORY;
    }
    SSL_set_bio(h->ssl, h->rbio, h->wbio); /* the SSL owns both BIOs now */
    SSL_set_connect_state(h->ssl);
    if (sni != NULL && sni[0] != '\0' && SSL_set_tlsext_host_name(h->ssl, sni) != 1) {
        return ST_USAGE;
    }
    return ST_OK;
}

enum status engine_tls_handshake(struct engine_target *t, const char *sni, uint16_t min_version,
                                 uint16_t max_version, tls_handshake_fn done, void *arg)
{
    struct tls_hs *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return ST_NO_MEMORY;
    }
    enum status st = tls_hs_setup(h, sni, min_version, max_version);
    if (st != ST_OK) {
        SSL_free(h->ssl);
        SSL_CTX_free(h->ctx);
        free(h);
        return st;
    }
    h->done = done;
    h->arg = arg;
    conn_init(&h->conn, t, &tls_hs_ops);
    conn_submit(&h->conn);
    return ST_OK;
}
