/* tests/test_slo.c - SLO rule files, and the checker on synthetic snapshots
 * with an injected clock: events, repeat limits, recoveries, budgets, drift. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "collector.h"
#include "histogram.h"
#include "registry.h"
#include "slo.h"
#include "slo_rules.h"

#define S 1000000000ull
#define MS 1000000ull

static hm_slo_rules_t parse_ok(const char *text)
{
    hm_slo_rules_t r;
    char why[256] = "";
    int rc = hm_slo_rules_parse(text, strlen(text), "t.slo", &r, why, sizeof why);
    if (rc)
        fail_msg("%s", why);
    return r;
}

static void expect_error(const char *text, const char *where, const char *what)
{
    hm_slo_rules_t r;
    char why[256] = "";
    assert_int_equal(hm_slo_rules_parse(text, strlen(text), "t.slo", &r, why, sizeof why), EINVAL);
    if (strncmp(why, where, strlen(where)) != 0 || !strstr(why, what))
        fail_msg("'%s': got '%s', want '%s...%s'", text, why, where, what);
}

static void test_slo_rules_parse_every_form(void **state)
{
    hm_slo_rules_t r = parse_ok("# soak rules\n"
                                "\n"
                                "*            p95  <  60ms 1m\n"
                                "checkout     p99 <= 250ms 5m 99.9%   # with an objective\n"
                                "api.*  error_rate <= 1.5% 10s\n"
                                "api.*  rate > 50/s 1m\n"
                                "db     queue < 100 1m\n"
                                "db     p99.9 < 2s 5m\n"
                                "check 2s\nrepeat 30s\ndrift 5ms\n");
    assert_int_equal(r.n, 6);
    assert_string_equal(r.rule[0].pattern, "*");
    assert_int_equal(r.rule[0].stat, HM_SLO_P95);
    assert_int_equal(r.rule[0].op, HM_SLO_LT);
    assert_true(r.rule[0].bound == 60e6);
    assert_int_equal(r.rule[0].window, HM_WIN_1M);
    assert_int_equal(r.rule[0].line, 3);
    assert_string_equal(r.rule[0].text, "* p95 < 60ms 1m");
    assert_true(fabs(r.rule[1].objective - 0.999) < 1e-12);
    assert_string_equal(r.rule[1].text, "checkout p99 <= 250ms 5m 99.9%");
    assert_true(fabs(r.rule[2].bound - 0.015) < 1e-12);
    assert_int_equal(r.rule[2].window, HM_WIN_10S);
    assert_int_equal(r.rule[3].op, HM_SLO_GT);
    assert_true(r.rule[3].bound == 50);
    assert_int_equal(r.rule[4].stat, HM_SLO_QUEUE);
    assert_int_equal(r.rule[5].stat, HM_SLO_P999);
    assert_true(r.rule[5].bound == 2e9);
    assert_int_equal(r.check_ns, 2 * S);
    assert_int_equal(r.repeat_ns, 30 * S);
    assert_int_equal(r.drift_ns, 5 * MS);
    assert_true(r.drift_share == 0);
}

static void test_slo_rules_patterns_may_hold_blanks(void **state)
{
    hm_slo_rules_t r = parse_ok("GET /users/* p95 < 60ms 1m\n"
                                "POST /a b  p99 <= 250ms 5m 99%\n"
                                "\"check\"  p50 < 1ms 10s\n"
                                "\"GET  /x\" p50 < 1ms 10s\n");
    assert_int_equal(r.n, 4);
    assert_string_equal(r.rule[0].pattern, "GET /users/*");
    assert_string_equal(r.rule[0].text, "\"GET /users/*\" p95 < 60ms 1m");
    assert_string_equal(r.rule[1].pattern, "POST /a b");
    assert_true(r.rule[1].objective > 0.98);
    assert_string_equal(r.rule[2].pattern, "check"); /* quoted: a rule, not the setting */
    assert_string_equal(r.rule[3].pattern, "GET  /x");
    /* the canonical text parses back to the same rule */
    hm_slo_rules_t back = parse_ok(r.rule[3].text);
    assert_string_equal(back.rule[0].pattern, "GET  /x");
    expect_error("\"GET /x p95 < 1ms 1m\n", "t.slo:1:1:", "closing '\"'");
    expect_error("\"\" p95 < 1ms 1m\n", "t.slo:1:1:", "pattern is empty");
}

static void test_slo_rules_defaults(void **state)
{
    hm_slo_rules_t r = parse_ok("");
    assert_int_equal(r.n, 0);
    assert_int_equal(r.check_ns, 5 * S);
    assert_int_equal(r.repeat_ns, 10 * S);
    assert_true(r.drift_share == 0.10);
}

static void test_slo_rules_refuse_bad_lines_with_line_and_column(void **state)
{
    expect_error("* p95 < 60 1m\n", "t.slo:1:11:", "unit (us, ms or s)");
    expect_error("\n* p96 < 60ms 1m\n", "t.slo:2:3:", "unknown statistic 'p96'");
    expect_error("* p95 =< 60ms 1m\n", "t.slo:1:7:", "comparison");
    expect_error("* p95 < 60ms 2m\n", "t.slo:1:14:", "window (10s 1m 5m)");
    expect_error("* p95 < 60ms\n", "t.slo:1:13:", "expected a window");
    expect_error("* p95\n", "t.slo:1:6:", "comparison");
    expect_error("* error_rate < 1 1m\n", "t.slo:1:17:", "'%'");
    expect_error("* error_rate < 101% 1m\n", "t.slo:1:16:", "at most 100%");
    expect_error("* queue < 5ms 1m\n", "t.slo:1:12:", "plain number");
    expect_error("* rate > 5/m 1m\n", "t.slo:1:11:", "'/s'");
    expect_error("* p99 < 250ms 5m 100%\n", "t.slo:1:18:", "below 100%");
    expect_error("* p99 < 250ms 5m 99% extra\n", "t.slo:1:22:", "end of the line");
    expect_error("* error_rate < 1% 5m 99%\n", "t.slo:1:22:", "latency rule");
    expect_error("* p99 > 250ms 5m 99%\n", "t.slo:1:18:", "latency rule");
    expect_error("* p99 < 0.5us 5m\n", "t.slo:1:9:", "1us .. 3600s");
    expect_error("* p99 < .5ms 5m\n", "t.slo:1:9:", "expected a number");
    expect_error("check 10ms\n", "t.slo:1:7:", "100ms to 3600s");
    expect_error("drift\n", "t.slo:1:6:", "expected a value");
    expect_error("drift 5x\n", "t.slo:1:7:", "share such as 10%");
    /* found by fuzz_slo: a drift time beyond u64 nanoseconds */
    expect_error("drift 102222222250s\n", "t.slo:1:7:", "1us to 3600s");
    expect_error("* p95 < 99999999999999999999ms 1m\n", "t.slo:1:9:", "number");
    char nul[] = "* p95 < 1ms 1m\n* p9\0";
    hm_slo_rules_t r;
    char why[128];
    assert_int_equal(hm_slo_rules_parse(nul, sizeof nul - 1, "t.slo", &r, why, sizeof why),
                     EINVAL);
    assert_string_equal(why, "t.slo:2:5: unexpected NUL byte");
}

static void test_slo_rules_load_names_the_file(void **state)
{
    hm_slo_rules_t r;
    char why[256];
    assert_int_equal(hm_slo_rules_load("/nonexistent/x.slo", &r, why, sizeof why), ENOENT);
    assert_string_equal(why, "/nonexistent/x.slo: No such file or directory");
    assert_int_equal(hm_slo_rules_load("examples/slo.rules", &r, why, sizeof why), 0);
    assert_true(r.n >= 1);
}

/* Values are written as rules are; a hostile gauge (9e18 in flight) is
 * written whole, and a rate beyond 64 bits capped, not overflowed. */
static void test_slo_format_value_in_the_rules_units(void **state)
{
    hm_slo_rules_t r = parse_ok("* p95 < 60ms 1m\n* error_rate < 1.5% 1m\n* rate > 50/s 1m\n"
                                "* inflight < 10 1m\n* p99 < 2s 1m\n* mean < 250us 1m\n");
    char buf[64];
    static const struct {
        size_t rule;
        double v;
        const char *want;
    } cases[] = {{0, 61.25e6, "61.25ms"}, {1, 0.005, "0.5%"}, {2, 40, "40/s"},
                 {3, 12, "12"},           {4, 2e9, "2s"},     {5, 250e3, "250us"},
                 {3, 9e18, "9000000000000000000"}, {2, 1e20, "1e19/s"},
                 {2, 0.125, "0.13/s"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_slo_format_value(&r.rule[cases[i].rule], cases[i].v, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
}

static void test_slo_rules_cap_the_count(void **state)
{
    char text[65 * 20] = "";
    for (int i = 0; i < 65; i++)
        strcat(text, "* p95 < 60ms 1m\n");
    expect_error(text, "t.slo:65:1:", "more than 64 rules");
}

/* A snapshot at t seconds of run with one endpoint per name, p95 and p99
 * of ms milliseconds in every window, count samples of which errors fail. */
static hm_snapshot_t *snap_at(uint64_t t, const char *const *names, size_t n, double ms,
                              uint64_t count)
{
    hm_snapshot_t *s = hm_snapshot_new(n);
    s->taken_ns = 1000 * S + t * S;
    s->since_reset_ns = t * S;
    s->taken_unix_ms = 1700000000000 + (int64_t)t * 1000;
    for (size_t i = 0; i < n; i++) {
        hm_snap_endpoint_t *e = &s->endpoints[i];
        snprintf(e->name, sizeof e->name, "%s", names[i]);
        for (int w = 0; w < HM_WIN__COUNT; w++) {
            hm_snap_stats_t *st = &e->win[w];
            st->count = count;
            st->span_ns = 10 * S;
            st->rate = (double)count / 10;
            st->p50_ns = st->p90_ns = st->p95_ns = st->p99_ns = st->p999_ns = (uint64_t)(ms * 1e6);
            st->mean_ns = st->max_ns = st->p95_ns;
        }
    }
    return s;
}

static hm_slo_t *checker(const char *text)
{
    hm_slo_rules_t r = parse_ok(text);
    const char *why = NULL;
    hm_slo_t *s = hm_slo_new(&r, &why);
    assert_non_null(s);
    return s;
}

/* Applies a snapshot at t; returns the number of events it gave. */
static int step(hm_slo_t *slo, uint64_t t, double ms, hm_snapshot_t **keep)
{
    static const char *const names[] = {"api.get", "db.query"};
    hm_snapshot_t *s = snap_at(t, names, 2, ms, 100);
    int n = hm_slo_apply(slo, s, false);
    assert_true(n >= 0);
    if (keep)
        *keep = s;
    else
        hm_snapshot_release(&s);
    return n;
}

static void test_slo_breach_burst_gives_one_event_per_repeat(void **state)
{
    hm_slo_t *slo = checker("api.* p95 < 60ms 1m\n");
    int events = 0;
    /* A snapshot every second for 30 s, every one in breach: checks every 5 s
     * find it, events at most one per 10 s: at 0, 10 and 20. */
    for (uint64_t t = 0; t < 30; t++)
        events += step(slo, t, 80, NULL);
    assert_int_equal(events, 3);
    hm_snapshot_t *s;
    step(slo, 30, 80, &s);
    assert_int_equal(s->nrules, 1);
    assert_int_equal(s->rules[0].breaches, 4);
    assert_int_equal(s->rules[0].breaching, 1);
    assert_int_equal(s->nevents, 4);
    assert_int_equal(s->events[0].at_unix_ms, 1700000030000); /* newest first */
    const hm_snap_endpoint_t *api = hm_snapshot_find(s, "api.get");
    const hm_snap_endpoint_t *db = hm_snapshot_find(s, "db.query");
    assert_int_equal(api->slo_state, HM_SLO_STATE_BREACH);
    assert_int_equal(api->nslo, 1);
    assert_true(api->slo[0].actual == 80e6);
    assert_int_equal(api->slo[0].breaches, 4);
    assert_int_equal(db->slo_state, HM_SLO_STATE_NONE); /* no rule matches it */
    assert_int_equal(db->nslo, 0);
    assert_false(hm_slo_verdict(s));
    hm_snapshot_release(&s);
    hm_slo_destroy(&slo);
}

static void test_slo_recovery_event_when_the_rule_holds_again(void **state)
{
    hm_slo_t *slo = checker("api.* p95 < 60ms 1m\n");
    assert_int_equal(step(slo, 0, 80, NULL), 1);
    assert_int_equal(step(slo, 3, 40, NULL), 0); /* not due: checks every 5 s */
    assert_int_equal(step(slo, 5, 40, NULL), 1);
    size_t n;
    const hm_slo_event_t *ev = hm_slo_new_events(slo, &n);
    assert_int_equal(n, 1);
    assert_true(ev[0].recovery);
    assert_string_equal(ev[0].endpoint, "api.get");
    assert_int_equal(step(slo, 10, 40, NULL), 0); /* holding: no more events */
    /* A new breach right after a recovery waits for the repeat time. */
    assert_int_equal(step(slo, 15, 80, NULL), 1);
    assert_int_equal(step(slo, 20, 40, NULL), 1);
    assert_int_equal(step(slo, 25, 80, NULL), 1); /* 10 s after the last breach event */
    hm_snapshot_t *s;
    step(slo, 30, 40, &s);
    assert_int_equal(s->rules[0].breaches, 3);
    assert_int_equal(s->rules[0].recoveries, 3);
    assert_int_equal(hm_snapshot_find(s, "api.get")->slo_state, HM_SLO_STATE_OK);
    assert_false(hm_slo_verdict(s)); /* it was breached during the run */
    hm_snapshot_release(&s);
    hm_slo_destroy(&slo);
}

static void test_slo_verdict_passes_when_every_rule_held(void **state)
{
    hm_slo_t *slo = checker("* p95 < 60ms 1m\n* rate > 5/s 10s\n");
    for (uint64_t t = 0; t < 20; t++)
        assert_int_equal(step(slo, t, 40, NULL), 0);
    hm_snapshot_t *s;
    step(slo, 20, 40, &s);
    assert_true(hm_slo_verdict(s));
    assert_int_equal(hm_snapshot_find(s, "db.query")->slo_state, HM_SLO_STATE_OK);
    assert_int_equal(hm_snapshot_find(s, "db.query")->nslo, 2);
    hm_snapshot_release(&s);
    hm_slo_destroy(&slo);
}

static void test_slo_forced_check_and_no_data(void **state)
{
    hm_slo_t *slo = checker("* p95 < 60ms 1m\n* inflight < 10 1m\n");
    static const char *const names[] = {"idle"};
    hm_snapshot_t *s = snap_at(0, names, 1, 80, 0); /* no samples: the latency rule waits */
    assert_int_equal(hm_slo_apply(slo, s, false), 0);
    assert_int_equal(s->endpoints[0].slo[0].state, HM_SLO_STATE_NONE);
    assert_int_equal(s->endpoints[0].slo[1].state, HM_SLO_STATE_OK); /* gauges always count */
    hm_snapshot_release(&s);
    s = snap_at(1, names, 1, 80, 10);
    s->endpoints[0].inflight.now = 12;
    assert_int_equal(hm_slo_apply(slo, s, true), 2); /* forced although 5 s have not passed */
    assert_int_equal(s->endpoints[0].slo_state, HM_SLO_STATE_BREACH);
    hm_snapshot_release(&s);
    hm_slo_destroy(&slo);
}

static void test_slo_event_json_has_the_documented_fields(void **state)
{
    hm_slo_t *slo = checker("api.* p95 < 60ms 1m\n");
    assert_int_equal(step(slo, 0, 80, NULL), 1);
    size_t n;
    const hm_slo_event_t *ev = hm_slo_new_events(slo, &n);
    char line[1024];
    size_t len = hm_slo_event_json(&hm_slo_rules(slo)->rule[0], ev, line, sizeof line);
    assert_true(len > 0);
    json_error_t err;
    json_t *o = json_loads(line, 0, &err);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "at")), "2023-11-14T22:13:20.000Z");
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "breach");
    assert_string_equal(json_string_value(json_object_get(o, "endpoint")), "api.get");
    assert_string_equal(json_string_value(json_object_get(o, "metric")), "p95");
    assert_true(json_real_value(json_object_get(o, "percentile")) == 95);
    assert_true(json_real_value(json_object_get(o, "threshold")) == 60);
    assert_true(json_real_value(json_object_get(o, "actual")) == 80);
    assert_string_equal(json_string_value(json_object_get(o, "window")), "1m");
    assert_string_equal(json_string_value(json_object_get(o, "rule")), "api.* p95 < 60ms 1m");
    assert_true(json_is_null(json_object_get(o, "objective")));
    json_decref(o);
    assert_int_equal(hm_slo_event_json(&hm_slo_rules(slo)->rule[0], ev, line, 20), 0);
    hm_slo_destroy(&slo);
}

/* Objective rules count good over total from real histograms: recorded
 * through the registry, counted against exact numbers. */
static void test_slo_objective_counts_good_against_exact_counts(void **state)
{
    hm_slo_t *slo = checker("svc p99 < 250ms 1m 99%\n");
    uint64_t bounds[HM_SNAP_BOUNDS];
    assert_int_equal(hm_slo_bounds(slo, bounds), 1);
    assert_int_equal(bounds[0], 250 * MS);
    /* 1000 samples from 1 ms to 1000 ms: exactly 250 at or below 250 ms
     * (within the histogram's 1% at the bound: 248..252). */
    hm_hist_t h;
    hm_hist_init(&h);
    for (int i = 1; i <= 1000; i++)
        hm_hist_record(&h, (uint64_t)i * MS);
    uint64_t good = hm_hist_count_at_or_below(&h, 250 * MS);
    assert_true(good >= 248 && good <= 252);

    static const char *const names[] = {"svc"};
    hm_snapshot_t *s = snap_at(0, names, 1, 1, 1000);
    s->nbounds = 1;
    s->bounds_ns[0] = bounds[0];
    for (int w = 0; w < HM_WIN__COUNT; w++)
        s->endpoints[0].win[w].good[0] = good;
    assert_int_equal(hm_slo_apply(slo, s, false), 1);
    const hm_snap_slo_t *r = &s->endpoints[0].slo[0];
    assert_int_equal(r->state, HM_SLO_STATE_BREACH);
    assert_true(fabs(r->actual - (double)good / 1000) < 1e-12);
    /* bad share 0.75 against a budget of 0.01: burn 75, budget 1 - 75 */
    assert_true(fabs(r->burn_short - (1000.0 - (double)good) / 1000 / 0.01) < 1e-9);
    assert_true(fabs(r->budget_left - (1 - r->burn_long)) < 1e-9);
    hm_snapshot_release(&s);

    s = snap_at(5, names, 1, 1, 1000);
    for (int w = 0; w < HM_WIN__COUNT; w++)
        s->endpoints[0].win[w].good[0] = 995; /* 99.5% good: holds; budget half spent */
    assert_int_equal(hm_slo_apply(slo, s, false), 1); /* the recovery */
    r = &s->endpoints[0].slo[0];
    assert_int_equal(r->state, HM_SLO_STATE_OK);
    assert_true(fabs(r->budget_left - 0.5) < 1e-9);
    assert_true(fabs(r->burn_short - 0.5) < 1e-9);
    hm_snapshot_release(&s);
    hm_slo_destroy(&slo);
}

static void test_slo_objective_bounds_are_capped(void **state)
{
    char text[1024] = "";
    for (int i = 1; i <= 9; i++) {
        char line[64];
        snprintf(line, sizeof line, "* p99 < %dms 1m 99%%\n", i);
        strcat(text, line);
    }
    hm_slo_rules_t r = parse_ok(text);
    const char *why = NULL;
    assert_null(hm_slo_new(&r, &why));
    assert_non_null(strstr(why, "8 distinct"));
}

/* The registry's snapshots carry good counts against the bounds asked for. */
static void test_slo_registry_counts_good_per_window(void **state)
{
    hm_registry_t *r = hm_registry_new(&(hm_registry_limits_t){0}, 1000 * S);
    hm_sender_t *snd = hm_registry_sender(r, 7, 1000 * S);
    hm_wire_record_t decl = {.type = HM_REC_ENDPOINT,
                             .u.decl = {.id = 1, .name = {(const uint8_t *)"svc", 3}}};
    hm_registry_apply(r, snd, &decl, 1000 * S);
    for (int i = 1; i <= 400; i++) {
        hm_wire_record_t smp = {.type = HM_REC_SAMPLE,
                                .u.sample = {.endpoint = 1, .duration_ns = (uint64_t)i * MS}};
        hm_registry_apply(r, snd, &smp, 1000 * S + (uint64_t)i * MS);
    }
    uint64_t bounds[2] = {100 * MS, 300 * MS};
    hm_snapshot_t *s = hm_registry_snapshot(r, 1001 * S, bounds, 2);
    assert_int_equal(s->nbounds, 2);
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "svc");
    for (int w = 0; w < HM_WIN__COUNT; w++) {
        assert_int_equal(e->win[w].count, 400);
        assert_true(e->win[w].good[0] >= 99 && e->win[w].good[0] <= 101);
        assert_true(e->win[w].good[1] >= 297 && e->win[w].good[1] <= 303);
    }
    hm_snapshot_release(&s);
    hm_registry_destroy(&r);
}

static void test_slo_drift_from_per_minute_p95(void **state)
{
    hm_slo_t *slo = checker("drift 10%\n");
    hm_snapshot_t *s = NULL;
    /* Stable at 50 ms for 5 minutes: not drifting. */
    for (uint64_t t = 0; t <= 300; t += 5) {
        hm_snapshot_release(&s);
        step(slo, t, 50, &s);
    }
    const hm_snap_endpoint_t *e = hm_snapshot_find(s, "api.get");
    assert_int_equal(e->drift.minutes, 5);
    assert_true(fabs(e->drift.ns_per_10m) < 1);
    assert_false(e->drift.drifting);
    assert_true(hm_slo_verdict(s));
    /* Then rising 2 ms a minute: 20 ms per 10 minutes, above 10% of ~60 ms. */
    double ms = 50;
    for (uint64_t t = 305; t <= 900; t += 5) {
        if (t % 60 == 0)
            ms += 2;
        hm_snapshot_release(&s);
        step(slo, t, ms, &s);
    }
    e = hm_snapshot_find(s, "api.get");
    assert_int_equal(e->drift.minutes, 15);
    assert_true(e->drift.ns_per_10m > 10 * MS);
    assert_true(e->drift.drifting);
    assert_int_equal(e->drift.first_ns, 50 * MS);
    assert_int_equal(e->drift.last_ns, (uint64_t)(ms * 1e6));
    assert_int_equal(s->drifting, 2);
    assert_false(hm_slo_verdict(s)); /* a soak passes only when p95 is stable */
    hm_snapshot_release(&s);
    hm_slo_reset(slo);
    step(slo, 30, 50, &s);
    assert_int_equal(hm_snapshot_find(s, "api.get")->drift.minutes, 0);
    hm_snapshot_release(&s);
    hm_slo_destroy(&slo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slo_rules_parse_every_form),
        cmocka_unit_test(test_slo_rules_patterns_may_hold_blanks),
        cmocka_unit_test(test_slo_rules_defaults),
        cmocka_unit_test(test_slo_rules_refuse_bad_lines_with_line_and_column),
        cmocka_unit_test(test_slo_rules_load_names_the_file),
        cmocka_unit_test(test_slo_format_value_in_the_rules_units),
        cmocka_unit_test(test_slo_rules_cap_the_count),
        cmocka_unit_test(test_slo_breach_burst_gives_one_event_per_repeat),
        cmocka_unit_test(test_slo_recovery_event_when_the_rule_holds_again),
        cmocka_unit_test(test_slo_verdict_passes_when_every_rule_held),
        cmocka_unit_test(test_slo_forced_check_and_no_data),
        cmocka_unit_test(test_slo_event_json_has_the_documented_fields),
        cmocka_unit_test(test_slo_objective_counts_good_against_exact_counts),
        cmocka_unit_test(test_slo_objective_bounds_are_capped),
        cmocka_unit_test(test_slo_registry_counts_good_per_window),
        cmocka_unit_test(test_slo_drift_from_per_minute_p95),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
