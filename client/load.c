/*
 * load.c - hotmon-load: a load generator that is also a synthetic service.
 * It plays requests on synthetic endpoints (load_sim.c) against the clock
 * (load_run.c), publishes each finished one through libhotmon as an
 * instrumented service would, and prints a summary or a concurrency sweep
 * (load_report.c). Wiring only: flags, the endpoint list, the client.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "hotmon.h"
#include "load_profile.h"
#include "load_report.h"
#include "load_run.h"

#define SWEEP_STEPS_MAX 64
#define PROFILE_BYTES_MAX (1 << 20)

/* Set by SIGINT and SIGTERM: the run stops early and prints its summary. */
static atomic_bool stopping;

typedef enum {
    O_COLLECTOR,
    O_SERVICE,
    O_ENDPOINTS,
    O_PROFILE,
    O_RATE,
    O_CONCURRENCY,
    O_DURATION,
    O_WORKERS,
    O_PHASES,
    O_SWEEP,
    O_STEP,
    O_FORMAT,
    O_SEED,
    O_WAIT,
    O_HELP,
    O_VERSION,
    O__COUNT
} opt_t;

/* The program's own options; the endpoint settings (load_profile.c's table)
 * follow them in getopt and --help. */
static const struct {
    const char *name, *arg, *help;
} options[O__COUNT] = {
    [O_COLLECTOR] = {"collector", "ADDR",
                     "collector address (default $HOTMON_ENDPOINT, else " HM_DEFAULT_ENDPOINT ")"},
    [O_SERVICE] = {"service", "NAME", "service name (default $HOTMON_SERVICE, else hotmon-load)"},
    [O_ENDPOINTS] = {"endpoints", "N", "N endpoints named ep-0000, ep-0001, ... (default 10)"},
    [O_PROFILE] = {"profile", "FILE", "endpoints and their settings from FILE instead"},
    [O_RATE] = {"rate", "R",
                "open loop: R requests/s in all (default 1000); latency counts from each "
                "request's intended start, so a stall is not hidden (no coordinated omission)"},
    [O_CONCURRENCY] = {"concurrency", "N",
                       "closed loop instead: N users, each sending its next request when "
                       "the last is answered"},
    [O_DURATION] = {"duration", "SECONDS", "how long to run (default 10; 0: until interrupted)"},
    [O_WORKERS] = {"workers", "N", "threads sharing the endpoints (default 2)"},
    [O_PHASES] = {"phases", NULL, "also record phases wait (queued) and exec (served)"},
    [O_SWEEP] = {"sweep", "LIST",
                 "closed-loop steps of these concurrencies (4,8,16,32): rate, p50, p95, p99 and "
                 "errors per step, and the knee"},
    [O_STEP] = {"step", "SECONDS", "length of each sweep step (default 5)"},
    [O_FORMAT] = {"format", "FMT", "summary as text (default), md or json"},
    [O_SEED] = {"seed", "N", "random seed, for repeatable runs (default 1)"},
    [O_WAIT] = {"wait", "SECONDS", "wait this long for the collector before starting (default 3)"},
    [O_HELP] = {"help", NULL, "this help"},
    [O_VERSION] = {"version", NULL, "the version"},
};

typedef struct {
    const char *collector, *service, *profile;
    unsigned long endpoints;
    double rate;
    unsigned long users;
    double duration_s, step_s, wait_s;
    unsigned long workers;
    bool phases;
    uint32_t sweep[SWEEP_STEPS_MAX];
    size_t nsweep;
    hm_load_format_t format;
    uint64_t seed;
    hm_load_endpoint_t defaults;
    const char *degrade; /* --degrade: for the first endpoint only */
} config_t;

static void help(FILE *f)
{
    fprintf(f, "Usage: hotmon-load [OPTION]...\n"
               "Plays a synthetic service's requests and publishes them to a hotmon collector,\n"
               "then prints p50/p95/p99, rate, errors, drops and memory per endpoint.\n\n");
    for (int i = 0; i < O__COUNT; i++) {
        char left[40];
        snprintf(left, sizeof left, "--%s%s%s", options[i].name, options[i].arg ? " " : "",
                 options[i].arg ? options[i].arg : "");
        fprintf(f, "  %-22s %s\n", left, options[i].help);
    }
    fprintf(f, "\nEndpoint settings (every endpoint; --degrade: the first only):\n");
    const char *arg, *h, *key;
    for (size_t i = 0; (key = hm_load_endpoint_setting(i, &arg, &h)); i++) {
        char left[40];
        snprintf(left, sizeof left, "--%s %s", key, arg);
        fprintf(f, "  %-22s %s\n", left, h);
    }
    fprintf(f, "\nExit status: 0, 1 when the run could not be made, 2 for a usage error.\n"
               "See man hotmon-load and docs/load.md.\n");
}

static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hotmon-load: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'hotmon-load --help'.\n", stderr);
    return 2;
}

static bool whole_of(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    double v;
    if (!hm_load_whole(s, (double)lo, (double)hi, &v))
        return false;
    *out = (unsigned long)v;
    return true;
}

static int sweep_of(const char *s, config_t *c)
{
    char buf[512];
    if (strlen(s) >= sizeof buf)
        return usage("--sweep: list too long");
    strcpy(buf, s);
    c->nsweep = 0;
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        unsigned long v;
        if (c->nsweep == SWEEP_STEPS_MAX)
            return usage("--sweep: at most %d steps", SWEEP_STEPS_MAX);
        if (!whole_of(p, 1, 100000, &v))
            return usage("--sweep: '%s' is not a concurrency 1 to 100000", p);
        c->sweep[c->nsweep++] = (uint32_t)v;
    }
    if (c->nsweep == 0)
        return usage("--sweep: a comma-separated list such as 4,8,16,32");
    return 0;
}

/* One program option. Returns 0, 1 when done (help, version), 2 on error. */
static int program_option(opt_t o, const char *arg, config_t *c, bool seen[O__COUNT])
{
    const char *name = options[o].name;
    double d;
    seen[o] = true;
    switch (o) {
    case O_COLLECTOR:
        if (!*arg) /* the library would take it for the default, unsaid */
            return usage("--collector: wants ADDR, not an empty value");
        c->collector = arg;
        return 0;
    case O_SERVICE:
        c->service = arg;
        return 0;
    case O_PROFILE:
        c->profile = arg;
        return 0;
    case O_ENDPOINTS:
        return whole_of(arg, 1, HM_CLIENT_ENDPOINTS_MAX, &c->endpoints)
                   ? 0
                   : usage("--endpoints: '%s' is not a number 1 to %d", arg,
                           HM_CLIENT_ENDPOINTS_MAX);
    case O_RATE:
        return hm_load_real(arg, 0.001, 1e7, &c->rate)
                   ? 0
                   : usage("--rate: '%s' is not a rate above 0, at most 10000000", arg);
    case O_CONCURRENCY:
        return whole_of(arg, 1, 100000, &c->users)
                   ? 0
                   : usage("--concurrency: '%s' is not a number 1 to 100000", arg);
    case O_WORKERS:
        return whole_of(arg, 1, 128, &c->workers)
                   ? 0
                   : usage("--workers: '%s' is not a number 1 to 128", arg);
    case O_DURATION:
    case O_STEP:
    case O_WAIT:
        if (!hm_load_real(arg, 0, 30 * 86400, &d) || (o == O_STEP && d == 0))
            return usage("--%s: '%s' is not a number of seconds%s", name, arg,
                         o == O_STEP ? " above 0" : "");
        *(o == O_DURATION ? &c->duration_s : o == O_STEP ? &c->step_s : &c->wait_s) = d;
        return 0;
    case O_PHASES:
        c->phases = true;
        return 0;
    case O_SWEEP:
        return sweep_of(arg, c);
    case O_FORMAT:
        if (!strcmp(arg, "text"))
            c->format = HM_LOAD_TEXT;
        else if (!strcmp(arg, "md"))
            c->format = HM_LOAD_MD;
        else if (!strcmp(arg, "json"))
            c->format = HM_LOAD_JSON;
        else
            return usage("--format: '%s' is not text, md or json", arg);
        return 0;
    case O_SEED: {
        unsigned long v;
        if (!whole_of(arg, 0, 4294967295ul, &v))
            return usage("--seed: '%s' is not a whole number", arg);
        c->seed = v;
        return 0;
    }
    case O_HELP:
        help(stdout);
        return 1;
    default:
        printf("hotmon-load %s\n", HM_VERSION_STRING);
        return 1;
    }
}

/* 0, or 1 with a message when what went to stdout could not be written (a
 * full disk, a closed pipe): a lost summary is a failure, not a success. */
static int stdout_status(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, "hotmon-load: cannot write to stdout: %s\n",
            errno ? strerror(errno) : "write error");
    return 1;
}

/* Returns 0, 1 when done (help, version), or 2 for a usage error. */
static int parse(int argc, char **argv, config_t *c)
{
    struct option longopts[O__COUNT + 16 + 1];
    size_t n = 0;
    for (int i = 0; i < O__COUNT; i++)
        longopts[n++] =
            (struct option){options[i].name, options[i].arg ? required_argument : 0, NULL, 256 + i};
    const char *arg, *h, *key;
    for (size_t i = 0; (key = hm_load_endpoint_setting(i, &arg, &h)) && n < O__COUNT + 16; i++)
        longopts[n++] = (struct option){key, required_argument, NULL, 1024 + (int)i};
    longopts[n] = (struct option){0};
    bool seen[O__COUNT] = {0};
    int opt, rc;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == '?' || opt == ':')
            return usage("unknown option or missing argument: '%s'", argv[optind - 1]);
        if (opt < 1024) {
            if ((rc = program_option((opt_t)(opt - 256), optarg, c, seen)) != 0)
                return rc;
            continue;
        }
        key = hm_load_endpoint_setting((size_t)(opt - 1024), &arg, &h);
        const char *why = NULL;
        hm_load_endpoint_t scratch = c->defaults;
        if (hm_load_endpoint_set(&scratch, key, optarg, &why) != 0)
            return usage("--%s: '%s': %s", key, optarg, why);
        if (!strcmp(key, "degrade"))
            c->degrade = optarg;
        else
            c->defaults = scratch;
    }
    if (optind < argc)
        return usage("unexpected argument '%s'", argv[optind]);
    if (seen[O_RATE] && seen[O_CONCURRENCY])
        return usage("--rate (open loop) and --concurrency (closed loop): choose one");
    if (c->nsweep && (seen[O_RATE] || seen[O_CONCURRENCY]))
        return usage("--sweep runs closed-loop steps of its own concurrencies: it goes without "
                     "--rate and --concurrency");
    if (seen[O_PROFILE] && seen[O_ENDPOINTS])
        return usage("--profile and --endpoints: choose one");
    if (seen[O_CONCURRENCY])
        c->rate = 0;
    return 0;
}

/* The endpoints: from the profile, or ep-0000, ep-0001, ... Returns 0, or
 * the exit status after saying why. */
static int endpoints_of(const config_t *c, hm_load_endpoint_t **eps, size_t *n)
{
    if (c->profile) {
        FILE *f = fopen(c->profile, "r");
        char *text = malloc(PROFILE_BYTES_MAX + 1);
        size_t len = f && text ? fread(text, 1, PROFILE_BYTES_MAX + 1, f) : 0;
        int err = errno;
        bool bad = !f || !text || ferror(f);
        if (f)
            fclose(f);
        if (bad || len > PROFILE_BYTES_MAX) {
            free(text);
            return usage("--profile: %s: %s", c->profile,
                         bad ? strerror(err) : "larger than 1 MiB");
        }
        /* The parser reads a C string: a NUL would silently end the file there,
         * and the endpoints after it with it. */
        const char *nul = memchr(text, '\0', len);
        if (nul) {
            size_t line = 1;
            for (const char *p = text; p < nul; p++)
                line += *p == '\n';
            free(text);
            return usage("--profile: %s:%zu: a NUL byte (not a text file?)", c->profile, line);
        }
        text[len] = '\0';
        char why[512];
        int rc = hm_load_profile_parse(text, c->profile, &c->defaults, eps, n, why, sizeof why);
        free(text);
        if (rc == EINVAL)
            return usage("%s", why);
        if (rc)
            return usage("--profile: %s", strerror(rc));
        if (*n > HM_CLIENT_ENDPOINTS_MAX) {
            free(*eps);
            return usage("--profile: more than %d endpoints", HM_CLIENT_ENDPOINTS_MAX);
        }
    } else {
        *n = c->endpoints;
        *eps = calloc(*n, sizeof **eps);
        if (!*eps)
            return usage("out of memory");
        for (size_t i = 0; i < *n; i++) {
            (*eps)[i] = c->defaults;
            snprintf((*eps)[i].name, sizeof(*eps)[i].name, "ep-%04zu", i);
        }
    }
    const char *why;
    if (c->degrade)
        hm_load_endpoint_set(&(*eps)[0], "degrade", c->degrade, &why);
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stopping, true);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to seconds for cond on the client's counters. */
static void wait_client(hm_client_t *hm, double seconds, bool connected, hm_client_stats_t *st)
{
    for (uint64_t end = hm_now_ns() + (uint64_t)(seconds * 1e9);;) {
        hm_client_stats(hm, st);
        if ((connected ? st->frames_sent > 0 : st->buffered == 0) || hm_now_ns() >= end)
            return;
        sleep_ms(10);
    }
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* Runs the sweep's steps; returns the exit status. */
static int sweep(const config_t *c, hm_load_plan_t *plan)
{
    hm_load_step_t steps[SWEEP_STEPS_MAX];
    size_t done = 0;
    plan->rate = 0;
    plan->duration_s = c->step_s;
    for (size_t i = 0; i < c->nsweep && !atomic_load(&stopping); i++) {
        hm_load_result_t r;
        plan->users = c->sweep[i];
        plan->seed = c->seed + i;
        int rc = hm_load_run(plan, &r);
        if (rc) {
            fprintf(stderr, "hotmon-load: step %zu: %s\n", i + 1, strerror(rc));
            return 1;
        }
        hm_load_step_of(&r, c->sweep[i], &steps[done++]);
        hm_load_result_fini(&r);
        if (c->format == HM_LOAD_TEXT)
            fprintf(stderr, "hotmon-load: step %zu of %zu (concurrency %" PRIu32 ") done\n", i + 1,
                    c->nsweep, c->sweep[i]);
    }
    int rc = hm_load_report_sweep(stdout, c->format, steps, done, c->step_s);
    if (rc)
        fprintf(stderr, "hotmon-load: cannot write the sweep: %s\n", strerror(rc));
    return rc ? 1 : 0;
}

static int run(const config_t *c, hm_load_endpoint_t *eps, size_t n)
{
    const char *service = c->service ? c->service : getenv("HOTMON_SERVICE");
    hm_options_t o = {.endpoint = c->collector, .service = service ? service : "hotmon-load"};
    const char *addr = c->collector ? c->collector : getenv("HOTMON_ENDPOINT");
    addr = addr ? addr : HM_DEFAULT_ENDPOINT;
    hm_client_t *hm = NULL;
    int rc = hm_open(&o, &hm);
    if (rc == EINVAL)
        return usage("--collector: '%s' is not a ZeroMQ address such as tcp://127.0.0.1:7450",
                     addr);
    if (rc) {
        fprintf(stderr, "hotmon-load: cannot publish to '%s': %s\n", addr, strerror(rc));
        return 1;
    }
    hm_endpoint_t *ids = calloc(n, sizeof *ids);
    hm_load_plan_t plan = {.client = hm,
                           .eps = eps,
                           .ids = ids,
                           .n = n,
                           .workers = (unsigned)c->workers,
                           .rate = c->rate,
                           .users = (uint32_t)c->users,
                           .phases = c->phases,
                           .duration_s = c->duration_s > 0 ? c->duration_s : 1e9,
                           .stop = &stopping,
                           .seed = c->seed};
    for (size_t i = 0; ids && rc == 0 && i < n; i++)
        rc = hm_endpoint(hm, eps[i].name, &ids[i]);
    if (rc == 0 && c->phases)
        rc = hm_phase(hm, "wait", &plan.wait) || hm_phase(hm, "exec", &plan.exec) ? ENOMEM : 0;
    if (!ids || rc) {
        fprintf(stderr, "hotmon-load: cannot declare the endpoints: %s\n",
                strerror(ids ? rc : ENOMEM));
        free(ids);
        hm_close(&hm);
        return 1;
    }
    hm_client_stats_t st;
    wait_client(hm, c->wait_s, true, &st);
    if (st.frames_sent == 0)
        fprintf(stderr,
                "hotmon-load: no collector at %s yet; samples are dropped and counted "
                "until there is one\n",
                addr);
    int status = 0;
    if (c->nsweep) {
        status = sweep(c, &plan);
    } else {
        hm_load_result_t r;
        if ((rc = hm_load_run(&plan, &r)) != 0) {
            fprintf(stderr, "hotmon-load: %s\n", strerror(rc));
            status = 1;
        } else {
            wait_client(hm, 2, false, &st);
            unsigned workers = c->workers < n ? (unsigned)c->workers : (unsigned)n;
            hm_load_info_t info = {.collector = addr,
                                   .workers = workers,
                                   .rate = c->rate,
                                   .users = (uint32_t)c->users,
                                   .client = st,
                                   .peak_rss_kib = peak_rss_kib()};
            if ((rc = hm_load_report_summary(stdout, c->format, eps, &r, &info)) != 0) {
                fprintf(stderr, "hotmon-load: cannot write the summary: %s\n", strerror(rc));
                status = 1;
            }
            hm_load_result_fini(&r);
        }
    }
    free(ids);
    hm_close(&hm);
    return status;
}

int main(int argc, char **argv)
{
    config_t cfg = {.endpoints = 10,
                    .rate = 1000,
                    .duration_s = 10,
                    .workers = 2,
                    .step_s = 5,
                    .wait_s = 3,
                    .seed = 1};
    hm_load_endpoint_defaults(&cfg.defaults);
    int rc = parse(argc, argv, &cfg);
    if (rc)
        return rc == 1 ? stdout_status() : rc;
    hm_load_endpoint_t *eps = NULL;
    size_t n = 0;
    if ((rc = endpoints_of(&cfg, &eps, &n)) != 0)
        return rc;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = run(&cfg, eps, n);
    free(eps);
    return rc ? rc : stdout_status();
}
