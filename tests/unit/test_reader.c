/* struct reader: every read is bounded, overruns are sticky, child readers
 * cover exactly their vector. */
/* cmocka needs these first; clang-format would sort it above them. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "wire/reader.h"

static void test_rd_reads_big_endian(void **state)
{
    (void)state;
    const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    struct reader r = rd_init(b, sizeof(b));
    assert_int_equal(rd_u8(&r), 0x01);
    assert_int_equal(rd_u16(&r), 0x0203);
    assert_int_equal(rd_u24(&r), 0x040506);
    assert_int_equal(rd_u32(&r), 0x0708090a);
    assert_true(rd_done(&r));
    assert_int_equal(rd_left(&r), 0);
}

static void test_rd_u16_rejects_overrun(void **state)
{
    (void)state;
    const uint8_t b[] = {0xff};
    struct reader r = rd_init(b, sizeof(b));
    assert_int_equal(rd_u16(&r), 0);
    assert_false(rd_ok(&r));
    assert_int_equal(rd_left(&r), 0);
    assert_null(rd_ptr(&r));
}

static void test_rd_bad_is_sticky(void **state)
{
    (void)state;
    const uint8_t b[] = {0x01, 0x02, 0x03};
    struct reader r = rd_init(b, sizeof(b));
    (void)rd_u32(&r);
    assert_false(rd_ok(&r));
    /* Enough bytes remain for a u8, but the reader stays bad and yields 0. */
    assert_int_equal(rd_u8(&r), 0);
    assert_false(rd_ok(&r));
    assert_false(rd_done(&r));
}

static void test_rd_u24_and_u32_reject_overrun(void **state)
{
    (void)state;
    const uint8_t b[] = {1, 2};
    struct reader r = rd_init(b, sizeof(b));
    assert_int_equal(rd_u24(&r), 0);
    assert_false(rd_ok(&r));
    r = rd_init(b, sizeof(b));
    assert_int_equal(rd_u32(&r), 0);
    assert_false(rd_ok(&r));
}

static void test_rd_bytes_returns_view_or_null(void **state)
{
    (void)state;
    const uint8_t b[] = {9, 8, 7};
    struct reader r = rd_init(b, sizeof(b));
    const uint8_t *p = rd_bytes(&r, 2);
    assert_ptr_equal(p, b);
    assert_null(rd_bytes(&r, 2));
    assert_false(rd_ok(&r));
}

static void test_rd_bytes_huge_length_does_not_wrap(void **state)
{
    (void)state;
    const uint8_t b[] = {1, 2, 3, 4};
    struct reader r = rd_init(b, sizeof(b));
    (void)rd_u8(&r);
    assert_null(rd_bytes(&r, SIZE_MAX));
    assert_false(rd_ok(&r));
}

static void test_rd_vec8_covers_exactly(void **state)
{
    (void)state;
    const uint8_t b[] = {0x02, 0xaa, 0xbb, 0xcc};
    struct reader r = rd_init(b, sizeof(b));
    struct reader v = rd_vec8(&r);
    assert_true(rd_ok(&v));
    assert_int_equal(rd_len(&v), 2);
    assert_int_equal(rd_u16(&v), 0xaabb);
    assert_true(rd_done(&v));
    /* the child may not read into the parent's next byte */
    assert_int_equal(rd_u8(&v), 0);
    assert_false(rd_ok(&v));
    assert_true(rd_ok(&r));
    assert_int_equal(rd_u8(&r), 0xcc);
    assert_true(rd_done(&r));
}

static void test_rd_vec16_rejects_overrun(void **state)
{
    (void)state;
    const uint8_t b[] = {0x00, 0x05, 0x01, 0x02};
    struct reader r = rd_init(b, sizeof(b));
    struct reader v = rd_vec16(&r);
    assert_false(rd_ok(&v));
    assert_false(rd_ok(&r));
    assert_int_equal(rd_len(&v), 0);
}

static void test_rd_vec24_reads_long_prefix(void **state)
{
    (void)state;
    const uint8_t b[] = {0x00, 0x00, 0x03, 'a', 'b', 'c'};
    struct reader r = rd_init(b, sizeof(b));
    struct reader v = rd_vec24(&r);
    assert_int_equal(rd_len(&v), 3);
    assert_true(rd_done(&r));
    assert_int_equal(rd_u24(&v), ('a' << 16) | ('b' << 8) | 'c');
}

static void test_rd_vec24_rejects_truncated_prefix(void **state)
{
    (void)state;
    const uint8_t b[] = {0x00, 0x00};
    struct reader r = rd_init(b, sizeof(b));
    struct reader v = rd_vec24(&r);
    assert_false(rd_ok(&v));
    assert_false(rd_ok(&r));
}

static void test_rd_empty_vector_is_ok_and_done(void **state)
{
    (void)state;
    const uint8_t b[] = {0x00, 0x00};
    struct reader r = rd_init(b, sizeof(b));
    struct reader v = rd_vec16(&r);
    assert_true(rd_done(&v));
    assert_int_equal(rd_len(&v), 0);
    assert_true(rd_done(&r));
}

static void test_rd_sub_of_bad_parent_is_bad(void **state)
{
    (void)state;
    const uint8_t b[] = {1, 2, 3};
    struct reader r = rd_init(b, sizeof(b));
    rd_fail(&r);
    struct reader s = rd_sub(&r, 1);
    assert_false(rd_ok(&s));
}

static void test_rd_null_buffer_is_empty(void **state)
{
    (void)state;
    struct reader r = rd_init(NULL, 10);
    assert_int_equal(rd_len(&r), 0);
    assert_true(rd_done(&r));
    assert_int_equal(rd_u8(&r), 0);
    assert_false(rd_ok(&r));
}

static void test_rd_skip_past_end_sets_bad(void **state)
{
    (void)state;
    const uint8_t b[] = {1, 2};
    struct reader r = rd_init(b, sizeof(b));
    rd_skip(&r, 2);
    assert_true(rd_done(&r));
    rd_skip(&r, 1);
    assert_false(rd_ok(&r));
}

static void test_rd_fail_marks_bad(void **state)
{
    (void)state;
    const uint8_t b[] = {1};
    struct reader r = rd_init(b, sizeof(b));
    rd_fail(&r);
    assert_false(rd_ok(&r));
    assert_int_equal(rd_left(&r), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rd_reads_big_endian),
        cmocka_unit_test(test_rd_u16_rejects_overrun),
        cmocka_unit_test(test_rd_bad_is_sticky),
        cmocka_unit_test(test_rd_u24_and_u32_reject_overrun),
        cmocka_unit_test(test_rd_bytes_returns_view_or_null),
        cmocka_unit_test(test_rd_bytes_huge_length_does_not_wrap),
        cmocka_unit_test(test_rd_vec8_covers_exactly),
        cmocka_unit_test(test_rd_vec16_rejects_overrun),
        cmocka_unit_test(test_rd_vec24_reads_long_prefix),
        cmocka_unit_test(test_rd_vec24_rejects_truncated_prefix),
        cmocka_unit_test(test_rd_empty_vector_is_ok_and_done),
        cmocka_unit_test(test_rd_sub_of_bad_parent_is_bad),
        cmocka_unit_test(test_rd_null_buffer_is_empty),
        cmocka_unit_test(test_rd_skip_past_end_sets_bad),
        cmocka_unit_test(test_rd_fail_marks_bad),
    };
    return cmocka_run_group_tests_name("reader", tests, NULL, NULL);
}
