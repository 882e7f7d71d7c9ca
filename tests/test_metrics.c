/* tests/test_metrics.c - the Prometheus text of a snapshot, and /metrics
 * served over real HTTP on loopback from a real collector. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <zmq.h>

#include "frames.h"
#include "metrics.h"

#define MS 1000000ull

static char *render(const hm_snapshot_t *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(hm_metrics_render(s, out), 0);
    fclose(out);
    return text;
}

/* The value of the line that starts with series (exactly, up to the space). */
static double value_of(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    fail_msg("no series %s", series);
    return -1;
}

/* The histogram bucket le of endpoint "GET /known". */
static double bucket(const char *text, const char *le)
{
    char series[256];
    snprintf(series, sizeof series,
             "hotmon_request_duration_seconds_bucket{endpoint=\"GET /known\",le=\"%s\"}", le);
    return value_of(text, series);
}

static hm_snapshot_t *one_endpoint(const char *name)
{
    hm_snapshot_t *s = hm_snapshot_new(1);
    hm_snap_endpoint_t *e = &s->endpoints[0];
    snprintf(e->name, sizeof e->name, "%s", name);
    hm_hist_t h;
    hm_hist_init(&h);
    for (int i = 0; i < 1000; i++)
        hm_hist_record(&h, 10 * MS);
    for (int i = 0; i < 20; i++)
        hm_hist_record(&h, 200 * MS);
    hm_snap_stats_t *st = &e->win[HM_WIN_ALL];
    st->count = h.count;
    st->errors = 5;
    st->sum_ns = h.sum_ns;
    hm_hist_octaves(&h, st->octaves);
    e->inflight.now = 3;
    e->queue.now = -2;
    s->counters.samples = 1020;
    s->counters.auth_failures = 4;
    s->counters.rejected_by[HM_WIRE_ERR_MAGIC] = 2;
    return s;
}

static void test_metrics_counts_and_histogram_fold_onto_le_bounds(void **state)
{
    hm_snapshot_t *s = one_endpoint("GET /known");
    char *t = render(s);
    assert_true(value_of(t, "hotmon_requests_total{endpoint=\"GET /known\"}") == 1020);
    assert_true(value_of(t, "hotmon_errors_total{endpoint=\"GET /known\"}") == 5);
    const char *b = "hotmon_request_duration_seconds_bucket{endpoint=\"GET /known\",le=";
    /* 10 ms lies between 2^23 ns (8.39 ms) and 2^24 ns (16.8 ms); 200 ms
     * between 2^27 and 2^28 */
    assert_true(bucket(t, "0.008388608") == 0);
    assert_true(bucket(t, "0.016777216") == 1000);
    assert_true(bucket(t, "0.134217728") == 1000);
    assert_true(bucket(t, "0.268435456") == 1020);
    assert_true(bucket(t, "+Inf") == 1020);
    assert_true(bucket(t, "0.000008192") == 0);
    assert_true(bucket(t, "68.719476736") == 1020);
    /* the sum is exact: 1000 x 10 ms + 20 x 200 ms = 14 s */
    double sum = value_of(t, "hotmon_request_duration_seconds_sum{endpoint=\"GET /known\"}");
    assert_true(sum > 13.999999 && sum < 14.000001);
    assert_true(value_of(t, "hotmon_request_duration_seconds_count{endpoint=\"GET /known\"}") ==
                1020);
    assert_true(value_of(t, "hotmon_inflight{endpoint=\"GET /known\"}") == 3);
    assert_true(value_of(t, "hotmon_queue_depth{endpoint=\"GET /known\"}") == -2);
    assert_true(value_of(t, "hotmon_collector_samples_total") == 1020);
    assert_true(value_of(t, "hotmon_collector_auth_failures_total") == 4);
    assert_true(value_of(t, "hotmon_collector_rejected_frames_total{reason=\"bad magic\"}") == 2);
    assert_non_null(strstr(t, "# TYPE hotmon_request_duration_seconds histogram\n"));
    /* bounds in increasing order, 24 of them and +Inf */
    size_t buckets = 0;
    for (const char *p = t; (p = strstr(p, b)); p++)
        buckets++;
    assert_int_equal(buckets, HM_METRICS_LE_LAST - HM_METRICS_LE_FIRST + 2);
    free(t);
    hm_snapshot_release(&s);
}

static void test_metrics_hostile_names_become_valid_label_values(void **state)
{
    hm_snapshot_t *s = one_endpoint("a\"b\\c\nd\xff\xc0\xafz");
    char *t = render(s);
    /* quote, backslash and newline escaped; each bad byte one U+FFFD */
    assert_non_null(
        strstr(t, "hotmon_requests_total{endpoint=\"a\\\"b\\\\c\\nd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\"} 1020\n"));
    /* no raw newline inside any series line: every line is a comment or a sample */
    for (const char *p = t; *p; p = strchr(p, '\n') + 1)
        assert_true(p[0] == '#' || strncmp(p, "hotmon_", 7) == 0);
    free(t);
    hm_snapshot_release(&s);
}

/* GET path from 127.0.0.1:port; returns the whole response (caller frees). */
static char *http_get(unsigned port, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ssize_t r;
    while ((r = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)r;
        if (len + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    close(fd);
    return buf;
}

static void test_metrics_served_over_http_from_a_live_collector(void **state)
{
    void *ctx = zmq_ctx_new();
    hm_collector_t *c = NULL;
    hm_collector_options_t o = {.bind = "tcp://127.0.0.1:*", .snapshot_ms = 100};
    assert_int_equal(hm_collector_new(ctx, &o, &c, NULL), 0);
    hm_metrics_t *m = NULL;
    char why[256];
    assert_int_equal(hm_metrics_start(c, "127.0.0.1:0", &m, why, sizeof why), 0);
    const char *addr = hm_metrics_address(m);
    assert_true(strncmp(addr, "127.0.0.1:", 10) == 0);
    unsigned port = (unsigned)atoi(addr + 10);
    assert_true(port > 0);

    void *push = zmq_socket(ctx, ZMQ_PUSH);
    assert_int_equal(zmq_connect(push, hm_collector_address(c)), 0);
    static frame_t f;
    frame_begin(&f, 7, 0);
    frame_endpoint(&f, 1, "GET /x");
    for (int i = 0; i < 30; i++)
        frame_sample(&f, 1, i < 3 ? 500 : 200, 2 * MS);
    size_t len = frame_end(&f);
    assert_int_equal(zmq_send(push, f.buf, len, 0), (int)len);
    char *resp = NULL;
    for (int i = 0; i < 100; i++) {
        free(resp);
        hm_collector_refresh(c, 1000);
        resp = http_get(port, "/metrics");
        if (strstr(resp, "hotmon_requests_total{endpoint=\"GET /x\"} 30\n"))
            break;
    }
    assert_non_null(strstr(resp, "HTTP/1.0 200") ? resp : strstr(resp, "HTTP/1.1 200"));
    assert_non_null(strstr(resp, "text/plain; version=0.0.4"));
    assert_non_null(strstr(resp, "hotmon_requests_total{endpoint=\"GET /x\"} 30\n"));
    assert_non_null(strstr(resp, "hotmon_errors_total{endpoint=\"GET /x\"} 3\n"));
    free(resp);
    resp = http_get(port, "/other");
    assert_non_null(strstr(resp, " 404 "));
    free(resp);

    assert_int_not_equal(hm_metrics_start(c, "127.0.0.1", &m, why, sizeof why), 0);
    assert_string_equal(why, "not HOST:PORT (PORT 0 to 65535)");
    /* getaddrinfo would take 99999 as 34463 */
    assert_int_equal(hm_metrics_start(c, "127.0.0.1:99999", &m, why, sizeof why), EINVAL);
    hm_metrics_t *again = NULL;
    char taken[64];
    snprintf(taken, sizeof taken, "127.0.0.1:%u", port);
    assert_int_equal(hm_metrics_start(c, taken, &again, why, sizeof why), EADDRINUSE);
    assert_null(again);

    hm_metrics_stop(&m);
    assert_null(m);
    zmq_close(push);
    hm_collector_destroy(&c);
    zmq_ctx_term(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_counts_and_histogram_fold_onto_le_bounds),
        cmocka_unit_test(test_metrics_hostile_names_become_valid_label_values),
        cmocka_unit_test(test_metrics_served_over_http_from_a_live_collector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
