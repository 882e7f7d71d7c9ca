/* tests/test_address.c - ports past 65535 refused before ZeroMQ or getaddrinfo wrap them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "address.h"

static void test_address_ports_are_0_to_65535_or_star(void **state)
{
    (void)state;
    const char *good[] = {"0", "1", "7450", "65535", "*", "00080"};
    const char *bad[] = {"", "65536", "99999", "100000", "-1", "+80", " 80", "80 ", "8o", "0x50",
                         "**", "123456", "4294967376"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(hm_address_port_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(hm_address_port_valid(bad[i]));
}

static void test_address_zmq_checks_tcp_ports_only(void **state)
{
    (void)state;
    assert_true(hm_address_zmq_valid("tcp://127.0.0.1:7450"));
    assert_true(hm_address_zmq_valid("tcp://127.0.0.1:*"));
    assert_true(hm_address_zmq_valid("tcp://[::1]:7450"));
    assert_true(hm_address_zmq_valid("tcp://127.0.0.1:5000;127.0.0.1:7450"));
    assert_true(hm_address_zmq_valid("ipc:///tmp/a:99999"));
    assert_true(hm_address_zmq_valid("inproc://x"));
    assert_false(hm_address_zmq_valid("tcp://127.0.0.1:99999"));
    assert_false(hm_address_zmq_valid("tcp://127.0.0.1:-1"));
    assert_false(hm_address_zmq_valid("tcp://127.0.0.1"));
    assert_false(hm_address_zmq_valid("tcp://127.0.0.1:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_ports_are_0_to_65535_or_star),
        cmocka_unit_test(test_address_zmq_checks_tcp_ports_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
