#include "wire/suite_kex.h"

enum wire_kex wire_suite_kex(uint16_t suite)
{
    /* The table is sorted by code: binary search. */
    size_t lo = 0;
    size_t hi = wire_suite_kex_table_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint16_t code = wire_suite_kex_table[mid].code;
        if (code == suite) {
            return (enum wire_kex)wire_suite_kex_table[mid].kex;
        }
        if (code < suite) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return WIRE_KEX_OTHER;
}

bool wire_suite_uses_groups(uint16_t suite)
{
    switch (wire_suite_kex(suite)) {
    case WIRE_KEX_DHE:
    case WIRE_KEX_DHE_PSK:
    case WIRE_KEX_ECDHE:
    case WIRE_KEX_ECDHE_PSK:
    case WIRE_KEX_ECDH:
    case WIRE_KEX_TLS13:
        return true;
    default:
        return false;
    }
}
