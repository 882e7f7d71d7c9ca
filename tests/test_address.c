/* tests/test_address.c - ports past 65535 refused before ZeroMQ or getaddrinfo wrap them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

/* A UNIX socket bound at path, listening when listening. */
static int unix_socket(const char *path, bool listening)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(path) < sizeof sa.sun_path);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    if (listening)
        assert_int_equal(listen(fd, 1), 0);
    return fd;
}

static void test_address_ipc_never_replaces_a_file_or_a_live_socket(void **state)
{
    (void)state;
    char dir[] = "/tmp/hm-address-XXXXXX", path[128], addr[160];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(hm_address_ipc_free("tcp://127.0.0.1:7450"), 0);
    assert_int_equal(hm_address_ipc_free("ipc://*"), 0);
    snprintf(path, sizeof path, "%s/s", dir);
    snprintf(addr, sizeof addr, "ipc://%s", path);
    assert_int_equal(hm_address_ipc_free(addr), 0); /* nothing there */
    FILE *f = fopen(path, "w");
    fputs("precious\n", f);
    fclose(f);
    assert_int_equal(hm_address_ipc_free(addr), EEXIST);
    unlink(path);
    snprintf(addr, sizeof addr, "ipc://%s", dir);
    assert_int_equal(hm_address_ipc_free(addr), EEXIST); /* a directory */
    snprintf(addr, sizeof addr, "ipc://%s", path);
    int fd = unix_socket(path, true);
    assert_int_equal(hm_address_ipc_free(addr), EADDRINUSE);
    close(fd);
    assert_int_equal(hm_address_ipc_free(addr), 0); /* left by a process gone */
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_ports_are_0_to_65535_or_star),
        cmocka_unit_test(test_address_zmq_checks_tcp_ports_only),
        cmocka_unit_test(test_address_ipc_never_replaces_a_file_or_a_live_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
