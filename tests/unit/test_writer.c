/* struct writer: fixed buffer, sticky overflow, back-filled length prefixes. */
/* cmocka needs these first; clang-format would sort it above them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
/* clang-format on */

#include "wire/writer.h"

static void test_wr_writes_big_endian(void **state)
{
    (void)state;
    uint8_t b[10];
    struct writer w = wr_init(b, sizeof(b));
    wr_u8(&w, 0x01);
    wr_u16(&w, 0x0203);
    wr_u24(&w, 0x040506);
    wr_u32(&w, 0x0708090a);
    assert_true(wr_done(&w));
    assert_int_equal(w.len, 10);
    const uint8_t want[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_memory_equal(b, want, sizeof(want));
}

static void test_wr_overflow_is_sticky(void **state)
{
    (void)state;
    uint8_t b[3] = {0};
    struct writer w = wr_init(b, sizeof(b));
    wr_u16(&w, 0xaaaa);
    wr_u16(&w, 0xbbbb);
    assert_false(wr_ok(&w));
    /* a later small write that would fit is still refused */
    wr_u8(&w, 0xcc);
    assert_false(wr_ok(&w));
    assert_int_equal(w.len, 2);
    assert_int_equal(b[2], 0);
}

static void test_wr_vec_nesting_backfills(void **state)
{
    (void)state;
    uint8_t b[32];
    struct writer w = wr_init(b, sizeof(b));
    wr_vec16_open(&w);
    wr_u8(&w, 0x11);
    wr_vec8_open(&w);
    wr_u16(&w, 0x2233);
    wr_vec_close(&w);
    wr_vec24_open(&w);
    wr_vec_close(&w);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    const uint8_t want[] = {0x00, 0x07, 0x11, 0x02, 0x22, 0x33, 0x00, 0x00, 0x00};
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(b, want, sizeof(want));
}

static void test_wr_unclosed_vec_is_not_done(void **state)
{
    (void)state;
    uint8_t b[8];
    struct writer w = wr_init(b, sizeof(b));
    wr_vec16_open(&w);
    assert_true(wr_ok(&w));
    assert_false(wr_done(&w));
}

static void test_wr_close_without_open_is_bad(void **state)
{
    (void)state;
    uint8_t b[8];
    struct writer w = wr_init(b, sizeof(b));
    wr_vec_close(&w);
    assert_false(wr_ok(&w));
}

static void test_wr_vec8_rejects_256_byte_body(void **state)
{
    (void)state;
    uint8_t b[300];
    struct writer w = wr_init(b, sizeof(b));
    wr_vec8_open(&w);
    wr_zeros(&w, 255);
    wr_vec_close(&w);
    assert_true(wr_done(&w));
    w = wr_init(b, sizeof(b));
    wr_vec8_open(&w);
    wr_zeros(&w, 256);
    wr_vec_close(&w);
    assert_false(wr_ok(&w));
}

static void test_wr_depth_limit(void **state)
{
    (void)state;
    uint8_t b[64];
    struct writer w = wr_init(b, sizeof(b));
    for (int i = 0; i < WR_MAX_DEPTH; i++) {
        wr_vec8_open(&w);
    }
    assert_true(wr_ok(&w));
    wr_vec8_open(&w);
    assert_false(wr_ok(&w));
}

static void test_wr_bytes_and_zeros(void **state)
{
    (void)state;
    uint8_t b[6];
    memset(b, 0xff, sizeof(b));
    struct writer w = wr_init(b, sizeof(b));
    wr_bytes(&w, (const uint8_t *)"abc", 3);
    wr_zeros(&w, 2);
    wr_bytes(&w, NULL, 0);
    assert_true(wr_done(&w));
    const uint8_t want[] = {'a', 'b', 'c', 0, 0, 0xff};
    assert_memory_equal(b, want, sizeof(want));
}

static void test_wr_null_buffer_refuses_writes(void **state)
{
    (void)state;
    struct writer w = wr_init(NULL, 100);
    wr_u8(&w, 1);
    assert_false(wr_ok(&w));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wr_writes_big_endian),
        cmocka_unit_test(test_wr_overflow_is_sticky),
        cmocka_unit_test(test_wr_vec_nesting_backfills),
        cmocka_unit_test(test_wr_unclosed_vec_is_not_done),
        cmocka_unit_test(test_wr_close_without_open_is_bad),
        cmocka_unit_test(test_wr_vec8_rejects_256_byte_body),
        cmocka_unit_test(test_wr_depth_limit),
        cmocka_unit_test(test_wr_bytes_and_zeros),
        cmocka_unit_test(test_wr_null_buffer_refuses_writes),
    };
    return cmocka_run_group_tests_name("writer", tests, NULL, NULL);
}
