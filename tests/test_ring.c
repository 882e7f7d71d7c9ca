/* tests/test_ring.c - the SPSC ring: order, fullness, wraparound, two threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ring.h"

static void test_ring_keeps_order_and_refuses_when_full(void **state)
{
    hm_ring_t r;
    assert_int_equal(hm_ring_init(&r, 10), 0); /* rounds up to 16 */
    for (uint64_t i = 0; i < 16; i++) {
        hm_ring_slot_t *s = hm_ring_reserve(&r);
        assert_non_null(s);
        s->duration_ns = i;
        hm_ring_commit(&r);
    }
    assert_null(hm_ring_reserve(&r));
    assert_int_equal(hm_ring_size(&r), 16);
    for (uint64_t i = 0; i < 16; i++) {
        const hm_ring_slot_t *s = hm_ring_peek(&r);
        assert_non_null(s);
        assert_int_equal(s->duration_ns, i);
        hm_ring_release(&r);
    }
    assert_null(hm_ring_peek(&r));
    /* wraps around */
    for (uint64_t i = 0; i < 100; i++) {
        hm_ring_slot_t *s = hm_ring_reserve(&r);
        s->duration_ns = 1000 + i;
        hm_ring_commit(&r);
        assert_int_equal(hm_ring_peek(&r)->duration_ns, 1000 + i);
        hm_ring_release(&r);
    }
    hm_ring_fini(&r);
}

static void test_ring_reserves_runs_of_slots_across_the_end(void **state)
{
    hm_ring_t r;
    assert_int_equal(hm_ring_init(&r, 16), 0);
    /* move head and tail to 14, two slots before the end */
    for (int i = 0; i < 14; i++) {
        hm_ring_reserve(&r);
        hm_ring_commit(&r);
        hm_ring_release(&r);
    }
    hm_ring_slot_t *s = hm_ring_reserve_n(&r, 4);
    assert_non_null(s);
    for (unsigned i = 0; i < 4; i++)
        hm_ring_next(&r, s, i)->duration_ns = 100 + i;
    assert_ptr_equal(hm_ring_next(&r, s, 2), &r.slots[0]); /* wrapped */
    assert_null(hm_ring_peek(&r)); /* nothing is seen before the commit */
    hm_ring_commit_n(&r, 4);
    assert_int_equal(hm_ring_size(&r), 4);
    /* 12 free: a run of 13 is refused whole, 12 fits */
    assert_null(hm_ring_reserve_n(&r, 13));
    assert_non_null(hm_ring_reserve_n(&r, 12));
    const hm_ring_slot_t *p = hm_ring_peek(&r);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(hm_ring_next(&r, p, i)->duration_ns, 100 + i);
    hm_ring_release_n(&r, 4);
    assert_null(hm_ring_peek(&r));
    hm_ring_fini(&r);
}

static void test_ring_rounds_capacity_up_to_a_power_of_two(void **state)
{
    hm_ring_t r;
    assert_int_equal(hm_ring_init(&r, 1000), 0);
    assert_int_equal(r.mask + 1, 1024);
    hm_ring_fini(&r);
    assert_int_equal(hm_ring_init(&r, 0), 0); /* the smallest ring still holds 16 */
    assert_int_equal(r.mask + 1, 16);
    hm_ring_fini(&r);
}

#define ITEMS 1000000

static void *producer(void *arg)
{
    hm_ring_t *r = arg;
    for (uint64_t i = 0; i < ITEMS;) {
        hm_ring_slot_t *s = hm_ring_reserve(r);
        if (!s)
            continue; /* spin: the consumer is behind */
        s->duration_ns = i++;
        hm_ring_commit(r);
    }
    return NULL;
}

static void test_ring_moves_a_million_items_between_threads(void **state)
{
    hm_ring_t r;
    assert_int_equal(hm_ring_init(&r, 1024), 0);
    pthread_t t;
    pthread_create(&t, NULL, producer, &r);
    for (uint64_t want = 0; want < ITEMS;) {
        const hm_ring_slot_t *s = hm_ring_peek(&r);
        if (!s)
            continue;
        assert_int_equal(s->duration_ns, want);
        want++;
        hm_ring_release(&r);
    }
    pthread_join(t, NULL);
    assert_null(hm_ring_peek(&r));
    hm_ring_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_keeps_order_and_refuses_when_full),
        cmocka_unit_test(test_ring_reserves_runs_of_slots_across_the_end),
        cmocka_unit_test(test_ring_rounds_capacity_up_to_a_power_of_two),
        cmocka_unit_test(test_ring_moves_a_million_items_between_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
