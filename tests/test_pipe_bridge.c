/* tests/test_pipe_bridge.c - lines through the bridge, a real client and a
 * real collector on loopback: what arrives is what the lines said. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <zmq.h>

#include "collector.h"
#include "hotmon.h"
#include "pipe_bridge.h"

#define MS 1000000ull

typedef struct {
    void *zctx;
    hm_collector_t *col;
    hm_client_t *client;
    hm_pipe_bridge_t *bridge;
} fixture_t;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int setup_format(void **state, hm_pipe_format_t format)
{
    static fixture_t f;
    memset(&f, 0, sizeof f);
    f.zctx = zmq_ctx_new();
    hm_collector_options_t co = {.bind = "tcp://127.0.0.1:*", .snapshot_ms = 100};
    if (hm_collector_new(f.zctx, &co, &f.col, NULL) != 0)
        return -1;
    hm_options_t o = {.endpoint = hm_collector_address(f.col), .service = "bridge-test"};
    hm_jsonline_keys_t keys;
    hm_jsonline_keys_default(&keys);
    if (hm_open(&o, &f.client) != 0 || hm_pipe_bridge_new(f.client, &keys, format, &f.bridge))
        return -1;
    hm_client_stats_t st = {0};
    for (int i = 0; i < 1000 && st.frames_sent == 0; i++) {
        sleep_ms(10);
        hm_client_stats(f.client, &st);
    }
    *state = &f;
    return 0;
}

static int setup(void **state)
{
    return setup_format(state, HM_PIPE_AUTO);
}

static int setup_statsd(void **state)
{
    return setup_format(state, HM_PIPE_STATSD);
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    hm_pipe_bridge_destroy(&f->bridge);
    hm_close(&f->client);
    hm_collector_destroy(&f->col);
    zmq_ctx_term(f->zctx);
    return 0;
}

static hm_pipe_result_t line(fixture_t *f, const char *text)
{
    const char *why = NULL;
    hm_pipe_result_t r = hm_pipe_bridge_line(f->bridge, text, strlen(text), &why);
    if (r == HM_PIPE_BAD)
        assert_non_null(why);
    return r;
}

/* The newest snapshot once cond holds for it, or after 10 s. */
static hm_snapshot_t *wait_samples(fixture_t *f, uint64_t samples)
{
    for (int i = 0;; i++) {
        hm_collector_refresh(f->col, 1000);
        hm_snapshot_t *s = hm_collector_snapshot(f->col);
        if (s->counters.samples >= samples || i == 200)
            return s;
        hm_snapshot_release(&s);
        sleep_ms(50);
    }
}

static const hm_snap_metric_t *metric(const hm_snap_endpoint_t *e, const char *name)
{
    for (size_t i = 0; e && i < e->nmetrics; i++)
        if (strcmp(e->metrics[i].name, name) == 0)
            return &e->metrics[i];
    return NULL;
}

static void test_bridge_json_lines_arrive_with_phases_statuses_and_ids(void **state)
{
    fixture_t *f = *state;
    char text[256];
    for (int i = 1; i <= 100; i++) {
        snprintf(text, sizeof text,
                 "{\"endpoint\":\"GET /a\",\"durationMs\":%d,\"status\":%d,\"requestId\":\"r%d\","
                 "\"breakdown\":{\"db\":%d,\"render\":1}}\n",
                 i, i % 10 == 0 ? 500 : 200, i, i / 2);
        assert_int_equal(line(f, text), HM_PIPE_PUBLISHED);
    }
    hm_snapshot_t *s = wait_samples(f, 100);
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "GET /a");
    assert_non_null(e);
    const hm_snap_stats_t *all = &e->win[HM_WIN_ALL];
    assert_int_equal(all->count, 100);
    assert_int_equal(all->errors, 10);
    assert_true(all->p50_ns >= 49 * MS && all->p50_ns <= 51 * MS);
    assert_true(all->max_ns >= 99 * MS && all->max_ns <= 101 * MS);
    assert_int_equal(e->nphases, 2);
    assert_true(e->nslow > 0);
    assert_string_equal(e->slow[0].request_id, "r100");
    hm_snapshot_release(&s);
}

static void test_bridge_statsd_timers_counters_and_gauges(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(line(f, "api.latency:12.5|ms|@0.25\n"), HM_PIPE_PUBLISHED);
    assert_int_equal(line(f, "api.latency:7|h"), HM_PIPE_PUBLISHED);
    assert_int_equal(line(f, "svc.hits:3|c"), HM_PIPE_PUBLISHED);
    assert_int_equal(line(f, "svc.hits:2|c|@0.5"), HM_PIPE_PUBLISHED);
    assert_int_equal(line(f, "svc.queue:7|g"), HM_PIPE_PUBLISHED);
    assert_int_equal(line(f, "svc.queue:+3|g|#az:1"), HM_PIPE_PUBLISHED);
    assert_int_equal(line(f, "plain:1|c"), HM_PIPE_PUBLISHED);
    assert_int_equal(line(f, "users:bob|s"), HM_PIPE_SKIPPED);
    assert_int_equal(line(f, "svc.hits:-1|c"), HM_PIPE_BAD);
    assert_int_equal(line(f, "svc.hits:1|x"), HM_PIPE_BAD);
    hm_pipe_counts_t n;
    hm_pipe_bridge_counts(f->bridge, &n);
    assert_int_equal(n.samples, 5);
    assert_int_equal(n.counters, 3);
    assert_int_equal(n.gauges, 2);

    hm_snapshot_t *s = NULL;
    for (int i = 0; i < 200; i++) { /* gauges and counters travel after the samples */
        hm_snapshot_release(&s);
        s = wait_samples(f, 5);
        const hm_snap_endpoint_t *svc = hm_snapshot_find(s, "svc");
        const hm_snap_metric_t *hits = metric(svc, "hits");
        if (svc && svc->queue.now == 10 && hits && hits->value.now == 7)
            break;
        sleep_ms(50);
    }
    const hm_snap_endpoint_t *lat = hm_snapshot_find(s, "api.latency");
    assert_non_null(lat);
    assert_int_equal(lat->win[HM_WIN_ALL].count, 5);
    const hm_snap_endpoint_t *svc = hm_snapshot_find(s, "svc");
    assert_non_null(svc);
    assert_int_equal(svc->queue.now, 10);
    assert_non_null(metric(svc, "hits"));
    assert_int_equal(metric(svc, "hits")->value.now, 7);
    assert_true(metric(svc, "hits")->counter);
    assert_non_null(hm_snapshot_find(s, "plain"));
    assert_non_null(metric(hm_snapshot_find(s, "plain"), "count"));
    hm_snapshot_release(&s);
}

static void test_bridge_sorts_every_line_into_one_count(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(line(f, "Server listening on port 3000"), HM_PIPE_SKIPPED);
    assert_int_equal(line(f, "   \r\n"), HM_PIPE_SKIPPED);
    assert_int_equal(line(f, "{\"msg\":\"hello\"}"), HM_PIPE_SKIPPED);
    assert_int_equal(line(f, "{\"endpoint\":\"x\",\"durationMs\":1"), HM_PIPE_BAD);
    assert_int_equal(line(f, "time: 12|ms broken"), HM_PIPE_BAD);
    assert_int_equal(line(f, "  {\"name\":\"x\",\"totalMs\":2}"), HM_PIPE_PUBLISHED);
    hm_pipe_counts_t n;
    hm_pipe_bridge_counts(f->bridge, &n);
    assert_int_equal(n.lines, 6);
    assert_int_equal(n.skipped, 3);
    assert_int_equal(n.bad, 2);
    assert_int_equal(n.published, 1);
    assert_int_equal(n.lines, n.published + n.skipped + n.bad);
}

static void test_bridge_statsd_format_reads_every_line_as_statsd(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(line(f, "{\"endpoint\":\"x\",\"durationMs\":1}"), HM_PIPE_BAD);
    assert_int_equal(line(f, "just words"), HM_PIPE_BAD);
    assert_int_equal(line(f, "a:1|ms"), HM_PIPE_PUBLISHED);
}

static void test_bridge_counts_names_beyond_the_client_cap(void **state)
{
    fixture_t *f = *state;
    char text[64];
    int bad = 0;
    for (int i = 0; i < HM_CLIENT_ENDPOINTS_MAX + 10; i++) {
        snprintf(text, sizeof text, "ep%05d:1|ms", i);
        bad += line(f, text) == HM_PIPE_BAD;
    }
    hm_pipe_counts_t n;
    hm_pipe_bridge_counts(f->bridge, &n);
    assert_int_equal(bad, 10);
    assert_int_equal(n.over_cap, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bridge_json_lines_arrive_with_phases_statuses_and_ids,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bridge_statsd_timers_counters_and_gauges, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bridge_sorts_every_line_into_one_count, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bridge_statsd_format_reads_every_line_as_statsd,
                                        setup_statsd, teardown),
        cmocka_unit_test_setup_teardown(test_bridge_counts_names_beyond_the_client_cap, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
