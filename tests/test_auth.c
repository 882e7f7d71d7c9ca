/* tests/test_auth.c - CURVE: key files, allow lists, and a collector with a
 * ZAP handler over real sockets on loopback, fed by real libhotmon clients. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zmq.h>

#include "auth.h"
#include "collector.h"
#include "hotmon.h"
#include "remote.h"

static char dir[64];

static void path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
    char p[128];
    path(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/hotmon-auth.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void test_auth_libzmq_has_curve(void **state)
{
    assert_true(zmq_has("curve"));
}

static void test_auth_keygen_writes_a_private_pair_and_never_replaces(void **state)
{
    char key[128], pub[140], why[512];
    path(key, sizeof key, "collector.key");
    assert_int_equal(hm_auth_keygen(key, why, sizeof why), 0);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char public_z85[41], secret_z85[41];
    assert_int_equal(hm_auth_read_pair(key, public_z85, secret_z85, why, sizeof why), 0);
    snprintf(pub, sizeof pub, "%s.pub", key);
    FILE *f = fopen(pub, "r");
    char line[64] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_memory_equal(line, public_z85, 40);
    /* a second keygen onto the same file is refused and keeps the first */
    assert_int_equal(hm_auth_keygen(key, why, sizeof why), EEXIST);
    char again[41], sec2[41];
    assert_int_equal(hm_auth_read_pair(key, again, sec2, why, sizeof why), 0);
    assert_string_equal(again, public_z85);
    assert_string_equal(sec2, secret_z85);
}

static void test_auth_bad_files_are_refused_with_file_and_line(void **state)
{
    char key[128], allow[128], why[512];
    hm_auth_t *a = NULL;
    path(key, sizeof key, "k");
    assert_int_equal(hm_auth_keygen(key, why, sizeof why), 0);
    write_file("allow", "# keys\n\nnot-a-key\n");
    path(allow, sizeof allow, "allow");
    assert_int_equal(hm_auth_new(key, allow, &a, why, sizeof why), EINVAL);
    assert_non_null(strstr(why, "allow:3: expected a 40-character Z85 public key"));
    write_file("allow", "# nobody\n");
    assert_int_equal(hm_auth_new(key, allow, &a, why, sizeof why), EINVAL);
    assert_non_null(strstr(why, "no key"));
    write_file("pair", "public-key = short\n");
    path(key, sizeof key, "pair");
    assert_int_equal(hm_auth_new(key, allow, &a, why, sizeof why), EINVAL);
    assert_non_null(strstr(why, "pair:1:"));
    path(key, sizeof key, "missing");
    assert_int_equal(hm_auth_new(key, allow, &a, why, sizeof why), ENOENT);
    assert_null(a);
    /* a directory cannot be read: said as such, not taken for an empty file */
    assert_int_equal(hm_auth_new(dir, allow, &a, why, sizeof why), EISDIR);
    assert_non_null(strstr(why, "Is a directory"));
    path(key, sizeof key, "k");
    assert_int_equal(hm_auth_new(key, dir, &a, why, sizeof why), EISDIR);
    assert_non_null(strstr(why, "Is a directory"));
    assert_null(a);
    /* not text: a NUL byte is refused, and /dev/zero is not read for ever */
    char nul[128];
    path(nul, sizeof nul, "nul");
    FILE *f = fopen(nul, "w");
    fwrite("# keys\0\n", 1, 8, f);
    fclose(f);
    assert_int_equal(hm_auth_new(key, nul, &a, why, sizeof why), EINVAL);
    assert_non_null(strstr(why, "nul:1: a NUL byte"));
    assert_int_equal(hm_auth_new(key, "/dev/zero", &a, why, sizeof why), EINVAL);
    assert_string_equal(why, "/dev/zero:1: a NUL byte (not a text file?)");
    assert_int_equal(hm_auth_new("/dev/zero", allow, &a, why, sizeof why), EINVAL);
    assert_string_equal(why, "/dev/zero:1: a NUL byte (not a text file?)");
    assert_null(a);
    /* a line too long to be a key is refused whole, where it stands */
    char longline[1100];
    memset(longline, 'k', sizeof longline - 2);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = '\0';
    write_file("long", longline);
    path(nul, sizeof nul, "long");
    assert_int_equal(hm_auth_new(key, nul, &a, why, sizeof why), EINVAL);
    assert_non_null(strstr(why, "long:1: line longer than 1022 bytes"));
    assert_null(a);
}

typedef struct {
    char server_pub[41];
    char good_pub[41], good_sec[41];
    char bad_pub[41], bad_sec[41];
    void *ctx;
    hm_auth_t *auth;
    hm_collector_t *c;
} rig_t;

static void rig_start(rig_t *r)
{
    char key[128], allow[128], why[512], sec[41], text[200];
    path(key, sizeof key, "server.key");
    unlink(key);
    char pubfile[140];
    snprintf(pubfile, sizeof pubfile, "%s.pub", key);
    unlink(pubfile);
    assert_int_equal(hm_auth_keygen(key, why, sizeof why), 0);
    assert_int_equal(hm_auth_read_pair(key, r->server_pub, sec, why, sizeof why), 0);
    assert_int_equal(zmq_curve_keypair(r->good_pub, r->good_sec), 0);
    assert_int_equal(zmq_curve_keypair(r->bad_pub, r->bad_sec), 0);
    snprintf(text, sizeof text, "# the one client allowed\n%s\n", r->good_pub);
    write_file("allow", text);
    path(allow, sizeof allow, "allow");
    assert_int_equal(hm_auth_new(key, allow, &r->auth, why, sizeof why), 0);
    assert_int_equal(hm_auth_allowed(r->auth), 1);
    r->ctx = zmq_ctx_new();
    hm_collector_options_t o = {.bind = "tcp://127.0.0.1:*", .pub = "tcp://127.0.0.1:*",
                                .snapshot_ms = 100, .auth = r->auth};
    const char *reason = NULL;
    assert_int_equal(hm_collector_new(r->ctx, &o, &r->c, &reason), 0);
}

static void rig_stop(rig_t *r)
{
    hm_collector_destroy(&r->c);
    zmq_ctx_term(r->ctx);
    hm_auth_destroy(&r->auth);
}

/* Opens a client with these keys (server NULL: no CURVE); records one
 * sample every 50 ms until one goes out or connect_ms pass (a handshake on
 * a loaded machine takes what it takes), then n more, and waits (bounded)
 * until each was sent or dropped. */
static hm_client_stats_t publish(rig_t *r, const char *server, const char *pub, const char *sec,
                                 int n, int connect_ms)
{
    hm_options_t o = {.endpoint = hm_collector_address(r->c), .service = "t",
                      .curve_server_key = server, .curve_public_key = pub,
                      .curve_secret_key = sec};
    hm_client_t *cl = NULL;
    assert_int_equal(hm_open(&o, &cl), 0);
    hm_endpoint_t ep;
    assert_int_equal(hm_endpoint(cl, "GET /secret", &ep), 0);
    hm_client_stats_t st = {0};
    for (int waited = 0; waited < connect_ms && st.sent == 0; waited += 50) {
        hm_record(cl, ep, 1000000, 200);
        sleep_ms(50);
        hm_client_stats(cl, &st);
    }
    for (int i = 0; i < n; i++)
        hm_record(cl, ep, 1000000, 200);
    for (int i = 0; i < 200; i++) {
        hm_client_stats(cl, &st);
        if (st.sent + st.dropped == st.produced)
            break;
        sleep_ms(50);
    }
    hm_close(&cl);
    return st;
}

static hm_snap_counters_t counters(rig_t *r)
{
    assert_int_equal(hm_collector_refresh(r->c, 2000), 0);
    hm_snapshot_t *s = hm_collector_snapshot(r->c);
    hm_snap_counters_t c = s->counters;
    hm_snapshot_release(&s);
    return c;
}

static void test_auth_allowed_key_delivers_others_count_as_failures(void **state)
{
    rig_t r = {0};
    rig_start(&r);
    hm_client_stats_t st = publish(&r, r.server_pub, r.good_pub, r.good_sec, 10, 10000);
    assert_true(st.sent >= 10);
    uint64_t delivered = st.sent;
    hm_snap_counters_t c = {0};
    for (int i = 0; i < 50 && c.samples < delivered; i++)
        c = counters(&r);
    assert_int_equal(c.samples, delivered);
    assert_int_equal(c.auth_failures, 0);

    /* a key not on the list: nothing arrives, the refusal is counted */
    st = publish(&r, r.server_pub, r.bad_pub, r.bad_sec, 10, 500);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.dropped, st.produced);
    for (int i = 0; i < 50 && c.auth_failures == 0; i++)
        c = counters(&r);
    assert_true(c.auth_failures >= 1);
    assert_int_equal(c.samples, delivered);

    /* a plain client: refused by the mechanism itself */
    st = publish(&r, NULL, NULL, NULL, 10, 500);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.dropped, st.produced);
    c = counters(&r);
    assert_int_equal(c.samples, delivered);
    rig_stop(&r);
}

/* The PUB socket too: a viewer with an allowed key gets snapshots, one
 * without CURVE gets none. */
static void test_auth_pub_socket_serves_allowed_viewers_only(void **state)
{
    rig_t r = {0};
    rig_start(&r);
    void *vctx = zmq_ctx_new();
    char why[512];
    hm_remote_t *plain = NULL, *good = NULL;
    unsetenv("HOTMON_CURVE_SERVER_KEY");
    assert_int_equal(hm_remote_new(vctx, hm_collector_pub_address(r.c), &plain, why, sizeof why), 0);
    setenv("HOTMON_CURVE_SERVER_KEY", r.server_pub, 1);
    setenv("HOTMON_CURVE_PUBLIC_KEY", r.good_pub, 1);
    setenv("HOTMON_CURVE_SECRET_KEY", r.good_sec, 1);
    assert_int_equal(hm_remote_new(vctx, hm_collector_pub_address(r.c), &good, why, sizeof why), 0);
    setenv("HOTMON_CURVE_SECRET_KEY", "short", 1);
    hm_remote_t *broken = NULL;
    assert_int_equal(hm_remote_new(vctx, hm_collector_pub_address(r.c), &broken, why, sizeof why),
                     EINVAL);
    assert_non_null(strstr(why, "40-character"));
    unsetenv("HOTMON_CURVE_SERVER_KEY");
    hm_snapshot_t *s = NULL;
    for (int i = 0; i < 100 && !s; i++) {
        sleep_ms(50);
        s = hm_remote_snapshot(good);
    }
    assert_non_null(s);
    hm_snapshot_release(&s);
    /* by now the plain viewer has had several periods to get one */
    sleep_ms(300);
    assert_null(hm_remote_snapshot(plain));
    hm_remote_destroy(&plain);
    hm_remote_destroy(&good);
    zmq_ctx_term(vctx);
    rig_stop(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_libzmq_has_curve),
        cmocka_unit_test_setup_teardown(test_auth_keygen_writes_a_private_pair_and_never_replaces,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_bad_files_are_refused_with_file_and_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_auth_allowed_key_delivers_others_count_as_failures,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_pub_socket_serves_allowed_viewers_only, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
