/*
 * pipe.c - hotmon-pipe: reads timing lines (JSON objects or statsd) on stdin
 * and publishes them through libhotmon, so that a service in any language
 * can be watched with `service 2> >(hotmon-pipe)`. Wiring only: reading
 * lines is here, what a line means is pipe_bridge.c's (docs/pipe.md).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotmon.h"
#include "pipe_bridge.h"

#define LINE_MAX_BYTES 65536

/* The options: the master copy for getopt_long and --help. */
static const struct {
    const char *name;
    int has_arg;
    const char *arg, *help;
    int field; /* the JSON field a -field option maps, else -1 */
} options[] = {
    {"collector", required_argument, "ADDR",
     "collector address (default $HOTMON_ENDPOINT, else " HM_DEFAULT_ENDPOINT ")", -1},
    {"service", required_argument, "NAME",
     "service name (default $HOTMON_SERVICE, else hotmon-pipe)", -1},
    {"format", required_argument, "FMT",
     "auto (default: '{' starts JSON, else statsd), json or statsd", -1},
    {"endpoint-field", required_argument, "KEY", "JSON key of the endpoint, tried first",
     HM_JSONLINE_ENDPOINT},
    {"duration-field", required_argument, "KEY[:UNIT]",
     "JSON key of the duration, UNIT ns, us, ms (default) or s", HM_JSONLINE_DURATION},
    {"status-field", required_argument, "KEY", "JSON key of the status", HM_JSONLINE_STATUS},
    {"id-field", required_argument, "KEY", "JSON key of the request id", HM_JSONLINE_REQUEST_ID},
    {"breakdown-field", required_argument, "KEY[:UNIT]", "JSON key of the phase durations",
     HM_JSONLINE_BREAKDOWN},
    {"tee", no_argument, NULL, "copy every input line to stdout", -1},
    {"wait", required_argument, "SECONDS",
     "wait this long for the collector before reading (default 3)", -1},
    {"flush-timeout", required_argument, "SECONDS",
     "at end of input, wait this long for samples to go out (default 5)", -1},
    {"report-every", required_argument, "SECONDS",
     "report bad lines on stderr at most this often (default 5; 0: each one)", -1},
    {"quiet", no_argument, NULL, "no summary at the end", -1},
    {"help", no_argument, NULL, "this help", -1},
    {"version", no_argument, NULL, "the version", -1},
};
#define NOPTIONS (sizeof options / sizeof options[0])

typedef struct {
    const char *collector, *service;
    hm_pipe_format_t format;
    hm_jsonline_keys_t keys;
    bool tee, quiet;
    double wait_s, flush_s, report_s;
} config_t;

static void help(FILE *f)
{
    fprintf(f, "Usage: hotmon-pipe [OPTION]...\n"
               "Reads JSON timing objects or statsd lines on stdin and publishes them to a\n"
               "hotmon collector:  service 2> >(hotmon-pipe)\n\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", options[i].name, options[i].arg ? " " : "",
                 options[i].arg ? options[i].arg : "");
        fprintf(f, "  %-28s %s\n", left, options[i].help);
    }
    fprintf(f, "\nBad lines are counted and reported, never fatal. Exit status: 0; 1 when stdin\n"
               "cannot be read or --tee cannot write; 2 for a usage error. See man hotmon-pipe\n"
               "and docs/pipe.md.\n");
}

static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hotmon-pipe: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'hotmon-pipe --help'.\n", stderr);
    return 2;
}

static bool seconds_of(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= 0) || v > 86400)
        return false;
    *out = v;
    return true;
}

/* 0, or 1 with a message when what went to stdout could not be written (a
 * full disk, a closed pipe): a lost summary is a failure, not a success. */
static int stdout_status(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, "hotmon-pipe: cannot write to stdout: %s\n",
            errno ? strerror(errno) : "write error");
    return 1;
}

/* Returns 0, 1 for --help/--version (done), or 2 for a usage error. */
static int parse(int argc, char **argv, config_t *c)
{
    struct option longopts[NOPTIONS + 1];
    for (size_t i = 0; i < NOPTIONS; i++)
        longopts[i] = (struct option){options[i].name, options[i].has_arg, NULL, (int)i + 256};
    longopts[NOPTIONS] = (struct option){0};
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == '?' || opt == ':')
            return usage("unknown option or missing argument: '%s'", argv[optind - 1]);
        const char *name = options[opt - 256].name;
        const char *why = NULL;
        if (!strcmp(name, "collector")) {
            if (!*optarg) /* the library would take it for the default, unsaid */
                return usage("--collector: wants ADDR, not an empty value");
            c->collector = optarg;
        } else if (!strcmp(name, "service")) {
            c->service = optarg;
        } else if (!strcmp(name, "format")) {
            if (!strcmp(optarg, "auto"))
                c->format = HM_PIPE_AUTO;
            else if (!strcmp(optarg, "json"))
                c->format = HM_PIPE_JSON;
            else if (!strcmp(optarg, "statsd"))
                c->format = HM_PIPE_STATSD;
            else
                return usage("--format: '%s' is not auto, json or statsd", optarg);
        } else if (options[opt - 256].field >= 0) {
            hm_jsonline_field_t f = (hm_jsonline_field_t)options[opt - 256].field;
            if (hm_jsonline_keys_add(&c->keys, f, optarg, &why) != 0)
                return usage("--%s: '%s': %s", name, optarg, why);
        } else if (!strcmp(name, "tee")) {
            c->tee = true;
        } else if (!strcmp(name, "quiet")) {
            c->quiet = true;
        } else if (!strcmp(name, "help")) {
            help(stdout);
            return 1;
        } else if (!strcmp(name, "version")) {
            printf("hotmon-pipe %s\n", HM_VERSION_STRING);
            return 1;
        } else {
            double *dst = !strcmp(name, "wait")            ? &c->wait_s
                          : !strcmp(name, "flush-timeout") ? &c->flush_s
                                                           : &c->report_s;
            if (!seconds_of(optarg, dst))
                return usage("--%s: '%s' is not a number of seconds (0 to 86400)", name, optarg);
        }
    }
    if (optind < argc)
        return usage("unexpected argument '%s'", argv[optind]);
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to seconds for the first frame to go out: a sample recorded
 * before the connection is up would only be dropped. */
static bool wait_connected(hm_client_t *hm, double seconds)
{
    hm_client_stats_t st;
    for (uint64_t end = hm_now_ns() + (uint64_t)(seconds * 1e9);;) {
        hm_client_stats(hm, &st);
        if (st.frames_sent > 0)
            return true;
        if (hm_now_ns() >= end)
            return false;
        sleep_ms(10);
    }
}

/* Waits while the client holds more than half a ring, so reading a file
 * faster than the publisher sends does not overflow the ring. */
static void keep_pace(hm_client_t *hm)
{
    hm_client_stats_t st;
    for (int i = 0; i < 5000; i++) {
        hm_client_stats(hm, &st);
        if (st.buffered < 8192)
            return;
        sleep_ms(1);
    }
}

/* Waits up to seconds for everything buffered to be sent or dropped. */
static void drain(hm_client_t *hm, double seconds, hm_client_stats_t *st)
{
    for (uint64_t end = hm_now_ns() + (uint64_t)(seconds * 1e9);;) {
        hm_client_stats(hm, st);
        if (st->buffered == 0 || hm_now_ns() >= end)
            return;
        sleep_ms(5);
    }
}

/* Set by SIGINT or SIGTERM: stop reading, send what was read, summarise. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Reads one line (its newline included) into buf, up to cap bytes; the rest
 * of a longer line is read and dropped, copied to tee when given. Returns
 * the length kept (0 at end of input), *whole false when it was cut. NUL
 * bytes are kept: the readers take lengths, not C strings. */
static size_t read_line(FILE *in, char *buf, size_t cap, bool *whole, FILE *tee)
{
    size_t n = 0;
    int ch = EOF;
    *whole = true;
    while (!interrupted && (ch = getc_unlocked(in)) != EOF) {
        if (n < cap)
            buf[n++] = (char)ch;
        else
            *whole = false;
        if (tee)
            putc_unlocked(ch, tee);
        if (ch == '\n')
            break;
    }
    return n;
}

typedef struct {
    uint64_t line_no, last_bad, bad_reported, next_ns;
    char why[200];
} report_t;

static void report_bad(report_t *r, const hm_pipe_counts_t *n, double every_s, bool force)
{
    uint64_t now = hm_now_ns();
    if (n->bad == r->bad_reported || (!force && now < r->next_ns))
        return;
    fprintf(stderr,
            "hotmon-pipe: %" PRIu64 " bad line%s since the last report, %" PRIu64
            " in all; last, line %" PRIu64 ": %s\n",
            n->bad - r->bad_reported, n->bad - r->bad_reported == 1 ? "" : "s", n->bad, r->last_bad,
            r->why);
    r->bad_reported = n->bad;
    r->next_ns = now + (uint64_t)(every_s * 1e9);
}

int main(int argc, char **argv)
{
    config_t cfg = {.format = HM_PIPE_AUTO, .wait_s = 3, .flush_s = 5, .report_s = 5};
    hm_jsonline_keys_default(&cfg.keys);
    int rc = parse(argc, argv, &cfg);
    if (rc)
        return rc == 1 ? stdout_status() : rc;
    signal(SIGPIPE, SIG_IGN);
    /* No SA_RESTART: a signal ends a blocked read, so the loop sees it. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    const char *service = cfg.service ? cfg.service : getenv("HOTMON_SERVICE");
    hm_options_t o = {.endpoint = cfg.collector,
                      .service = service ? service : "hotmon-pipe",
                      .close_timeout_ms = 2000};
    hm_client_t *hm = NULL;
    hm_pipe_bridge_t *bridge = NULL;
    if ((rc = hm_open(&o, &hm)) != 0) {
        const char *addr = cfg.collector ? cfg.collector : getenv("HOTMON_ENDPOINT");
        addr = addr ? addr : HM_DEFAULT_ENDPOINT;
        if (rc == EINVAL)
            return usage("--collector: '%s' is not a ZeroMQ address such as tcp://127.0.0.1:7450",
                         addr);
        fprintf(stderr, "hotmon-pipe: cannot publish to '%s': %s\n", addr, strerror(rc));
        return 1;
    }
    if (hm_pipe_bridge_new(hm, &cfg.keys, cfg.format, &bridge) != 0) {
        fprintf(stderr, "hotmon-pipe: out of memory\n");
        hm_close(&hm);
        return 1;
    }
    if (!wait_connected(hm, cfg.wait_s))
        fprintf(stderr, "hotmon-pipe: no collector reachable yet; samples are dropped and "
                        "counted until one is\n");

    char *line = malloc(LINE_MAX_BYTES);
    report_t rep = {0};
    hm_pipe_counts_t n = {0};
    uint64_t too_long = 0;
    size_t len;
    bool whole;
    while (line &&
           (len = read_line(stdin, line, LINE_MAX_BYTES, &whole, cfg.tee ? stdout : NULL)) > 0 &&
           (!interrupted || line[len - 1] == '\n')) {
        rep.line_no++;
        const char *why = NULL;
        hm_pipe_result_t r;
        if (!whole) {
            too_long++; /* too long to be a timing record */
            r = HM_PIPE_BAD;
            why = "line longer than 65536 bytes";
        } else {
            r = hm_pipe_bridge_line(bridge, line, len, &why);
        }
        if (r == HM_PIPE_BAD) {
            rep.last_bad = rep.line_no;
            snprintf(rep.why, sizeof rep.why, "%s", why ? why : "?");
        }
        hm_pipe_bridge_counts(bridge, &n);
        n.bad += too_long;
        n.lines += too_long;
        if ((rep.line_no & 255) == 0)
            keep_pace(hm);
        report_bad(&rep, &n, cfg.report_s, false);
    }
    /* A read error (stdin a directory, an I/O error) is not an end of input.
     * errno is still read()'s: nothing has run since getc failed. */
    int read_err = line && ferror(stdin) && !interrupted ? errno : 0;
    int status = cfg.tee ? stdout_status() : 0; /* the copy out before the drain */
    report_bad(&rep, &n, cfg.report_s, true);
    hm_client_stats_t st = {0};
    drain(hm, cfg.flush_s, &st);
    hm_close(&hm);
    if (!cfg.quiet)
        fprintf(stderr,
                "hotmon-pipe: %" PRIu64 " lines: %" PRIu64 " published, %" PRIu64
                " skipped, %" PRIu64 " bad; %" PRIu64 " samples, %" PRIu64 " counter and %" PRIu64
                " gauge updates; samples sent %" PRIu64 ", dropped %" PRIu64 ", unsent %" PRIu64
                "\n",
                n.lines, n.published, n.skipped, n.bad, n.samples, n.counters, n.gauges, st.sent,
                st.dropped, st.buffered);
    hm_pipe_bridge_destroy(&bridge);
    if (!line) {
        fprintf(stderr, "hotmon-pipe: out of memory\n");
        return 1;
    }
    free(line);
    if (read_err)
        fprintf(stderr, "hotmon-pipe: cannot read stdin: %s\n", strerror(read_err));
    return read_err ? 1 : status;
}
