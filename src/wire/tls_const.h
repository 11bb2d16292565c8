#pragma once

/* Wire constants shared by the hello builders and the flight parsers, named
 * as in their RFCs. */

/* RFC 5246 6.2.1: ContentType */
#define CT_CHANGE_CIPHER_SPEC 20
#define CT_ALERT              21
#define CT_HANDSHAKE          22
#define CT_APPLICATION_DATA   23

#define RECORD_HEADER_LEN 5
/* RFC 5246 6.2.1: a plaintext fragment is at most 2^14 bytes. */
#define RECORD_MAX_PLAINTEXT 16384

/* RFC 5246 7.4 / RFC 8446 4: HandshakeType */
#define HS_HELLO_REQUEST       0
#define HS_CLIENT_HELLO        1
#define HS_SERVER_HELLO        2
#define HS_NEW_SESSION_TICKET  4
#define HS_CERTIFICATE         11
#define HS_SERVER_KEY_EXCHANGE 12
#define HS_CERTIFICATE_REQUEST 13
#define HS_SERVER_HELLO_DONE   14
#define HS_CERTIFICATE_STATUS  22
#define HS_HEADER_LEN          4

/* IANA TLS ExtensionType values */
#define EXT_SERVER_NAME            0
#define EXT_STATUS_REQUEST         5
#define EXT_SUPPORTED_GROUPS       10
#define EXT_EC_POINT_FORMATS       11
#define EXT_SIGNATURE_ALGORITHMS   13
#define EXT_PADDING                21
#define EXT_EXTENDED_MASTER_SECRET 23
#define EXT_SUPPORTED_VERSIONS     43
#define EXT_COOKIE                 44
#define EXT_KEY_SHARE              51
#define EXT_RENEGOTIATION_INFO     0xff01

/* RFC 6066 3: NameType host_name */
#define SNI_HOST_NAME 0
/* RFC 6066 3: a HostName is at most 2^16-1 bytes; DNS names stop at 255. */
#define SNI_MAX_NAME 255

/* RFC 8422 5.1.2: ECPointFormat */
#define EC_POINT_UNCOMPRESSED     0
#define EC_POINT_COMPRESSED_PRIME 1
#define EC_POINT_COMPRESSED_CHAR2 2

/* RFC 8422 5.4: ECCurveType */
#define EC_CURVE_EXPLICIT_PRIME 1
#define EC_CURVE_EXPLICIT_CHAR2 2
#define EC_CURVE_NAMED          3

/* RFC 4492 5.4: ECBasisType for characteristic-2 curves */
#define EC_BASIS_TRINOMIAL   1
#define EC_BASIS_PENTANOMIAL 2

/* RFC 7685 4 and the F5 bug it works around: a ClientHello whose handshake
 * message is 256..511 bytes long is padded to 512. */
#define PAD_LOW  256
#define PAD_HIGH 512

/* SSLv2 (draft-hickman-netscape-ssl-00) message types and limits */
#define SSL2_MT_ERROR        0
#define SSL2_MT_CLIENT_HELLO 1
#define SSL2_MT_SERVER_HELLO 4
#define SSL2_VERSION         0x0002
#define SSL2_CHALLENGE_LEN   16
/* The 2-byte record header holds a 15-bit length. */
#define SSL2_MAX_RECORD 0x7fff
#define SSL2_SPEC_LEN   3

/* TLS alert levels (RFC 5246 7.2) */
#define ALERT_LEVEL_WARNING 1
#define ALERT_LEVEL_FATAL   2
