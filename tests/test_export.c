/* tests/test_export.c - every format, read back: CSV with an RFC 4180 reader,
 * JSON with jansson, text and Markdown row by row. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "escape.h"
#include "export.h"
#include "format.h"
#include "snap_fixture.h"

static const char *const names[] = {"GET /a", "POST /b,\"quoted\"", "evil\x1b[2J|<b>*x*",
                                    "\xe6\x97\xa5\xe6\x9c\xac /wide", "(other)"};
static const double p99[] = {10, 250, 1, 40.1234567, 500};
#define N 5

/* The fixture, with odd numbers, counters, phases, statuses and slow samples. */
static hm_snapshot_t *snapshot(void)
{
    hm_snapshot_t *s = fixture(names, p99, N);
    s->uptime_ns = 12500 * FIX_MS;
    uint64_t *c = &s->counters.frames;
    for (size_t i = 0; i < sizeof s->counters / sizeof *c; i++)
        c[i] = 1000 + i; /* every counter a different number */
    hm_snap_endpoint_t *e = &s->endpoints[1];
    e->win[HM_WIN_1M].rate = 33.333333333;
    e->win[HM_WIN_1M].min_ns = 123456;
    e->win[HM_WIN_1M].mean_ns = 7654321;
    e->win[HM_WIN_1M].p95_ns = 12345000; /* 12.3449999... as a double: must print as 12.345 */
    e->nphases = 2;
    snprintf(e->phases[0].name, sizeof e->phases[0].name, "wait\x1b");
    snprintf(e->phases[1].name, sizeof e->phases[1].name, "exec");
    static const uint64_t ph[2][5] = {{10, 30, 1, 2, 3}, {10, 90, 5, 9, 12}}; /* count, sum, p50, p95, p99 ms */
    for (int i = 0; i < 2; i++) {
        e->phases[i].win[HM_WIN_1M].count = ph[i][0];
        e->phases[i].win[HM_WIN_1M].sum_ns = ph[i][1] * FIX_MS;
        e->phases[i].win[HM_WIN_1M].p50_ns = ph[i][2] * FIX_MS;
        e->phases[i].win[HM_WIN_1M].p95_ns = ph[i][3] * FIX_MS;
        e->phases[i].win[HM_WIN_1M].p99_ns = ph[i][4] * FIX_MS;
    }
    e->nstatuses = 2;
    e->statuses[0] = (hm_snap_status_t){200, 190};
    e->statuses[1] = (hm_snap_status_t){503, 10};
    e->nslow = 1;
    e->slow[0] = (hm_snap_slow_t){250 * FIX_MS, 1500 * FIX_MS, 503, "req\xe2\x80\xae-42"};
    return s;
}

/* Renders the whole snapshot sorted by p99 descending (so: (other) last,
 * then POST, wide, GET, evil). */
static char *render(hm_format_t f, bool utf8, const char *filter)
{
    hm_snapshot_t *s = snapshot();
    hm_view_t v;
    assert_int_equal(hm_view_build(&v, s, NULL, HM_WIN_1M, HM_COL_P99, true), 0);
    hm_snapshot_release(&s);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    hm_export_meta_t meta = {"tcp://127.0.0.1:7450", filter, utf8};
    assert_int_equal(hm_export(out, f, &v, &meta), 0);
    fclose(out);
    hm_view_fini(&v);
    return buf;
}

static const char *const order[N] = {"POST /b,\"quoted\"", "\xe6\x97\xa5\xe6\x9c\xac /wide",
                                     "GET /a", "evil\\x1b[2J|<b>*x*", "(other)"};
static const size_t order_index[N] = {1, 3, 0, 2, 4};

/* No control byte but the line ends of the format. */
static void assert_no_controls(const char *text, bool crlf)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            assert_true(*p == '\n' || (crlf && *p == '\r' && p[1] == '\n'));
}

/* --- CSV: a small RFC 4180 reader ----------------------------------------- */

#define MAXF 32
typedef struct {
    size_t n;
    char *f[MAXF];
} csv_row_t;

/* Reads one record at *p (advancing it); false at the end. Fields are
 * malloc'd. Fails the test on anything RFC 4180 does not allow. */
static bool csv_read(const char **p, csv_row_t *row)
{
    if (!**p)
        return false;
    row->n = 0;
    for (;;) {
        char *field = malloc(strlen(*p) + 1);
        size_t o = 0;
        if (**p == '"') {
            (*p)++;
            for (;;) {
                assert_true(**p != '\0'); /* an unterminated quote */
                if (**p == '"' && (*p)[1] == '"') {
                    field[o++] = '"';
                    *p += 2;
                } else if (**p == '"') {
                    (*p)++;
                    break;
                } else {
                    field[o++] = *(*p)++;
                }
            }
        } else {
            while (**p && **p != ',' && **p != '\r') {
                assert_true(**p != '"' && **p != '\n'); /* bare quote or LF */
                field[o++] = *(*p)++;
            }
        }
        field[o] = '\0';
        assert_true(row->n < MAXF);
        row->f[row->n++] = field;
        if (**p == ',') {
            (*p)++;
            continue;
        }
        assert_true((*p)[0] == '\r' && (*p)[1] == '\n'); /* every record ends in CRLF */
        *p += 2;
        return true;
    }
}

static void csv_free(csv_row_t *row)
{
    for (size_t i = 0; i < row->n; i++)
        free(row->f[i]);
    row->n = 0;
}

static void test_export_csv_reads_back_field_for_field(void **state)
{
    char *text = render(HM_FMT_CSV, false, "");
    assert_no_controls(text, true);
    hm_snapshot_t *s = snapshot();
    const char *p = text;
    csv_row_t head, row;
    assert_true(csv_read(&p, &head));
    static const char *const cols[] = {"name",    "count",  "rate",   "errors", "error_rate",
                                       "min_ms",  "mean_ms", "p50_ms", "p90_ms", "p95_ms",
                                       "p99_ms",  "p999_ms", "max_ms", "inflight", "queue"};
    assert_int_equal(head.n, 15);
    for (size_t i = 0; i < 15; i++)
        assert_string_equal(head.f[i], cols[i]);
    for (size_t r = 0; r < N; r++) {
        assert_true(csv_read(&p, &row));
        assert_int_equal(row.n, 15);
        const hm_snap_endpoint_t *e = &s->endpoints[order_index[r]];
        const hm_snap_stats_t *st = &e->win[HM_WIN_1M];
        char want[64];
        assert_string_equal(row.f[0], order[r]);
        assert_int_equal(strtoull(row.f[1], NULL, 10), st->count);
        assert_string_equal(row.f[2], hm_format_fixed(st->rate, 3, want, sizeof want));
        assert_int_equal(strtoull(row.f[3], NULL, 10), st->errors);
        assert_true(strtod(row.f[4], NULL) - st->error_rate < 1e-6);
        const uint64_t ms[] = {st->min_ns, st->mean_ns, st->p50_ns, st->p90_ns,
                               st->p95_ns, st->p99_ns,  st->p999_ns, st->max_ns};
        for (size_t i = 0; i < 8; i++) {
            snprintf(want, sizeof want, "%.3f", (double)((ms[i] + 500) / 1000) / 1000.0);
            assert_string_equal(row.f[5 + i], want); /* ms, 3 decimals */
        }
        assert_int_equal(strtoll(row.f[13], NULL, 10), e->inflight.now);
        assert_int_equal(strtoll(row.f[14], NULL, 10), e->queue.now);
        csv_free(&row);
    }
    assert_false(csv_read(&p, &row));
    csv_free(&head);
    hm_snapshot_release(&s);
    free(text);
}

/* --- JSON ------------------------------------------------------------------ */

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("'%s' is not a number", key);
    return json_number_value(v);
}

static void test_export_json_parses_with_the_snapshot_numbers(void **state)
{
    char *text = render(HM_FMT_JSON, true, "!~^health");
    assert_no_controls(text, false);
    json_error_t err;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!doc)
        fail_msg("%s at line %d", err.text, err.line);
    hm_snapshot_t *s = snapshot();
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(doc, "window")), "1m");
    assert_string_equal(json_string_value(json_object_get(doc, "sort")), "p99");
    assert_true(json_is_true(json_object_get(doc, "descending")));
    assert_string_equal(json_string_value(json_object_get(doc, "filter")), "!~^health");
    assert_string_equal(json_string_value(json_object_get(doc, "source")), "tcp://127.0.0.1:7450");
    assert_true(num(doc, "uptime_s") == 12.5);
    regex_t iso;
    assert_int_equal(regcomp(&iso, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                             REG_EXTENDED | REG_NOSUB), 0);
    assert_int_equal(regexec(&iso, json_string_value(json_object_get(doc, "generated_at")), 0, NULL, 0), 0);
    regfree(&iso);
    assert_string_equal(json_string_value(json_object_get(doc, "generated_at")), "2023-11-14T22:13:20Z");
    /* every counter, with its own value */
    json_t *c = json_object_get(doc, "counters");
    static const char *const counters[] = {
        "frames",          "samples",         "rejected",     "lost",           "client_drops",
        "senders_live",    "senders_expired", "senders_refused", "endpoints",   "names_folded",
        "names_cut",       "values_clamped",  "unknown_ids",  "unknown_records", "auth_failures"};
    const hm_snap_counters_t *k = &s->counters;
    const uint64_t values[] = {k->frames,          k->samples,         k->rejected,
                               k->lost,            k->client_drops,    k->senders_live,
                               k->senders_expired, k->senders_refused, k->endpoints,
                               k->names_folded,    k->names_cut,       k->values_clamped,
                               k->unknown_ids,     k->unknown_records, k->auth_failures};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if ((uint64_t)json_integer_value(json_object_get(c, counters[i])) != values[i])
            fail_msg("counter %s", counters[i]);
    assert_true(json_object_size(json_object_get(c, "rejected_by")) > 0);
    /* endpoints in view order, every number as in the snapshot */
    json_t *eps = json_object_get(doc, "endpoints");
    assert_int_equal(json_array_size(eps), N);
    for (size_t r = 0; r < N; r++) {
        json_t *j = json_array_get(eps, r);
        const hm_snap_endpoint_t *e = &s->endpoints[order_index[r]];
        const hm_snap_stats_t *st = &e->win[HM_WIN_1M];
        char esc[2048];
        assert_string_equal(json_string_value(json_object_get(j, "name")),
                            hm_escape(e->name, true, esc, sizeof esc));
        assert_true(json_is_true(json_object_get(j, "other")) == e->other);
        assert_true(num(j, "count") == (double)st->count);
        assert_true(num(j, "errors") == (double)st->errors);
        assert_true(fabs(num(j, "rate") - st->rate) <= 1e-14 * st->rate);
        assert_true(fabs(num(j, "error_rate") - st->error_rate) <= 1e-14 * st->error_rate);
        assert_true(num(j, "min_ms") == hm_format_ms(st->min_ns));
        assert_true(num(j, "mean_ms") == hm_format_ms(st->mean_ns));
        assert_true(num(j, "p50_ms") == hm_format_ms(st->p50_ns));
        assert_true(num(j, "p90_ms") == hm_format_ms(st->p90_ns));
        assert_true(num(j, "p95_ms") == hm_format_ms(st->p95_ns));
        assert_true(num(j, "p99_ms") == hm_format_ms(st->p99_ns));
        assert_true(num(j, "p999_ms") == hm_format_ms(st->p999_ns));
        assert_true(num(j, "max_ms") == hm_format_ms(st->max_ns));
        assert_true(num(j, "inflight") == (double)e->inflight.now);
        assert_true(num(j, "queue") == (double)e->queue.now);
        assert_int_equal(json_array_size(json_object_get(j, "phases")), e->nphases);
        assert_int_equal(json_array_size(json_object_get(j, "statuses")), e->nstatuses);
        assert_int_equal(json_array_size(json_object_get(j, "slowest")), e->nslow);
    }
    /* POST's phases, statuses and slowest sample */
    json_t *post = json_array_get(eps, 0);
    assert_true(num(post, "p99_ms") == 250.0);
    assert_true(num(post, "error_rate") == 0.005);
    assert_true(num(post, "min_ms") == 0.123);
    json_t *ph = json_object_get(post, "phases");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ph, 0), "name")), "wait\\x1b");
    assert_true(num(json_array_get(ph, 0), "mean_ms") == 3.0);
    assert_true(num(json_array_get(ph, 0), "share") == 0.25);
    assert_true(num(json_array_get(ph, 1), "share") == 0.75);
    assert_true(num(json_array_get(ph, 1), "p99_ms") == 12.0);
    assert_true(num(json_array_get(json_object_get(post, "statuses"), 1), "status") == 503);
    json_t *slow = json_array_get(json_object_get(post, "slowest"), 0);
    assert_true(num(slow, "duration_ms") == 250.0);
    assert_true(num(slow, "age_s") == 1.5);
    assert_string_equal(json_string_value(json_object_get(slow, "request_id")), "req\\u202e-42");
    /* the numbers come out short: 0.123, never 0.12300000000000001 */
    assert_null(strstr(text, "0000000"));
    assert_null(strstr(text, "9999999"));
    assert_non_null(strstr(text, "\"p95_ms\": 12.345,"));
    json_decref(doc);
    hm_snapshot_release(&s);
    free(text);
}

/* --- text and Markdown ------------------------------------------------------ */

/* Line number `skip` (from 0) of text, as a malloc'd copy. */
static char *line_after(const char *text, size_t skip)
{
    const char *p = text;
    for (size_t i = 0; i < skip; i++)
        p = strchr(p, '\n') + 1;
    size_t len = strcspn(p, "\n");
    return strndup(p, len);
}

static void test_export_text_is_aligned_and_in_view_order(void **state)
{
    char *text = render(HM_FMT_TEXT, true, NULL);
    assert_no_controls(text, false);
    char *title = line_after(text, 0);
    assert_non_null(strstr(title, "source tcp://127.0.0.1:7450"));
    assert_non_null(strstr(title, "window 1m"));
    assert_non_null(strstr(title, "sort p99 desc"));
    assert_non_null(strstr(title, "filter -"));
    assert_non_null(strstr(title, "2023-11-14T22:13:20Z"));
    char *head = line_after(text, 1);
    assert_true(strncmp(head, "ENDPOINT", 8) == 0);
    int width = hm_escape_width(head);
    for (size_t r = 0; r < N; r++) {
        char *row = line_after(text, 2 + r);
        assert_true(strncmp(row, order[r], strlen(order[r])) == 0);
        assert_int_equal(hm_escape_width(row), width); /* wide names keep the columns aligned */
        free(row);
    }
    free(head);
    free(title);
    free(text);
}

static void test_export_markdown_escapes_markup_and_keeps_order(void **state)
{
    char *text = render(HM_FMT_MD, false, "a|b");
    assert_no_controls(text, false);
    char *title = line_after(text, 0);
    assert_true(strncmp(title, "### hotmon ", 11) == 0);
    assert_non_null(strstr(title, "filter a\\|b"));
    char *head = line_after(text, 2);
    assert_true(strncmp(head, "| ENDPOINT |", 12) == 0);
    for (size_t r = 0; r < N; r++) {
        char *row = line_after(text, 4 + r);
        /* as many unescaped pipes as the header: no name made a cell */
        size_t pipes = 0, want = 0;
        for (const char *p = row; *p; p++)
            pipes += *p == '|' && (p == row || p[-1] != '\\');
        for (const char *p = head; *p; p++)
            want += *p == '|';
        assert_int_equal(pipes, want);
        assert_null(strstr(row, "<b>"));
        free(row);
    }
    char *evil = line_after(text, 4 + 3);
    assert_true(strncmp(evil, "| evil\\\\x1b\\[2J\\|\\<b\\>\\*x\\* |", 29) == 0);
    char *wide = line_after(text, 4 + 1); /* ASCII mode: escaped */
    assert_true(strncmp(wide, "| \\\\u65e5\\\\u672c /wide |", 23) == 0);
    free(wide);
    free(evil);
    free(head);
    free(title);
    free(text);
}

static void test_export_reports_a_failed_write(void **state)
{
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        skip();
    hm_snapshot_t *s = snapshot();
    hm_view_t v;
    assert_int_equal(hm_view_build(&v, s, NULL, HM_WIN_1M, HM_COL_P99, true), 0);
    hm_export_meta_t meta = {"x", NULL, false};
    for (int f = 0; f < HM_FMT__COUNT; f++)
        assert_int_equal(hm_export(full, (hm_format_t)f, &v, &meta), ENOSPC);
    fclose(full);
    hm_view_fini(&v);
    hm_snapshot_release(&s);
}

static void test_export_format_names(void **state)
{
    hm_format_t f;
    for (int i = 0; i < HM_FMT__COUNT; i++) {
        assert_true(hm_format_parse(hm_format_name((hm_format_t)i), &f));
        assert_int_equal(f, i);
    }
    assert_true(hm_format_parse("markdown", &f) && f == HM_FMT_MD);
    assert_true(hm_format_parse("JSON", &f) && f == HM_FMT_JSON);
    assert_false(hm_format_parse("xml", &f));
    assert_string_equal(hm_format_ext(HM_FMT_TEXT), "txt");
    assert_string_equal(hm_format_ext(HM_FMT_MD), "md");
    assert_string_equal(hm_format_ext(HM_FMT_CSV), "csv");
    assert_string_equal(hm_format_ext(HM_FMT_JSON), "json");
}

int main(void)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "C.utf8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_csv_reads_back_field_for_field),
        cmocka_unit_test(test_export_json_parses_with_the_snapshot_numbers),
        cmocka_unit_test(test_export_text_is_aligned_and_in_view_order),
        cmocka_unit_test(test_export_markdown_escapes_markup_and_keeps_order),
        cmocka_unit_test(test_export_reports_a_failed_write),
        cmocka_unit_test(test_export_format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
