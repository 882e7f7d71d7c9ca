/*
 * main.c - hotmon-collector: the collector engine (collector.c) as a daemon,
 * with its snapshots and events on a PUB socket and, when asked, Prometheus
 * /metrics (metrics.c) and CURVE authentication (auth.c). Flags, logging and
 * signals; wiring only.
 *
 * Signals are blocked in every thread from the start and taken here with
 * sigtimedwait (which also paces a summary line a minute), so there is no handler and no state at file scope:
 * SIGTERM and SIGINT stop, SIGHUP reloads the SLO file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

#include "auth.h"
#include "collector.h"
#include "hotmon.h"
#include "metrics.h"
#include "slo_rules.h"
#include "statsd_udp.h"

#define PROG "hotmon-collector"
#define DEFAULT_BIND "tcp://127.0.0.1:7450"
#define DEFAULT_PUB "tcp://127.0.0.1:7451"
#define DEFAULT_METRICS "127.0.0.1:7452"

typedef enum { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG } level_t;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

typedef struct {
    const char *bind, *pub, *metrics;
    const char *slo, *events, *statsd;
    const char *curve_secret, *allow, *keygen;
    unsigned refresh_ms, max_endpoints, summary_s;
    bool foreground, help, version;
    level_t level;
} config_t;

/* The option table: the master copy for parsing and --help. */
enum { O_BIND = 1, O_PUB, O_METRICS, O_REFRESH, O_MAX_ENDPOINTS, O_SLO, O_EVENTS, O_SECRET,
       O_ALLOW, O_KEYGEN, O_FOREGROUND, O_LOG_LEVEL, O_SUMMARY, O_STATSD, O_HELP, O_VERSION };
static const struct {
    const char *name;
    int has_arg; /* getopt's no_argument, required_argument, optional_argument */
    int id;
    const char *arg, *help;
} options[] = {
    {"bind", required_argument, O_BIND, "ADDR", "ingest (PULL) address [" DEFAULT_BIND "]"},
    {"pub", required_argument, O_PUB, "ADDR",
     "PUB address for snapshots and events [" DEFAULT_PUB "]; 'none': no PUB socket"},
    {"metrics", optional_argument, O_METRICS, "[HOST:PORT]",
     "serve Prometheus /metrics over HTTP [" DEFAULT_METRICS "]"},
    {"refresh", required_argument, O_REFRESH, "MS", "snapshot (and PUB) period, 100..60000 [1000]"},
    {"max-endpoints", required_argument, O_MAX_ENDPOINTS, "N",
     "endpoints kept before names fold into (other), 1..65536 [10000]"},
    {"slo", required_argument, O_SLO, "FILE", "SLO rules (docs/slo.md); SIGHUP reloads them"},
    {"events", required_argument, O_EVENTS, "FILE", "append SLO events to FILE as JSON lines"},
    {"statsd", required_argument, O_STATSD, "HOST:PORT",
     "also take statsd lines over UDP (timers, counters, gauges; docs/pipe.md)"},
    {"curve-secret", required_argument, O_SECRET, "FILE",
     "CURVE: the collector's key pair (from --keygen); needs --allow"},
    {"allow", required_argument, O_ALLOW, "FILE", "CURVE: allowed client public keys, Z85, one a line"},
    {"keygen", required_argument, O_KEYGEN, "FILE",
     "write a new CURVE key pair to FILE (mode 0600) and FILE.pub, then exit"},
    {"foreground", no_argument, O_FOREGROUND, NULL, "stay in the foreground (default: detach)"},
    {"log-level", required_argument, O_LOG_LEVEL, "LEVEL", "error, warn, info or debug [info]"},
    {"summary", required_argument, O_SUMMARY, "SECONDS",
     "log a line of counters this often, 1..86400; 0: never [60]"},
    {"help", no_argument, O_HELP, NULL, "this help"},
    {"version", no_argument, O_VERSION, NULL, "the version"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

static void usage(FILE *out)
{
    fprintf(out, "Usage: " PROG " [OPTION]...\n"
                 "The hotmon collector as a daemon: services publish to --bind, viewers\n"
                 "(hotmon --connect) subscribe to --pub, Prometheus scrapes --metrics.\n\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", options[i].name,
                 options[i].arg && options[i].has_arg == required_argument ? " " : "",
                 options[i].arg ? options[i].arg : "");
        fprintf(out, "  %-28s %s\n", left, options[i].help);
    }
    fprintf(out, "\nLogs go to stderr. SIGTERM or SIGINT stop it, SIGHUP reloads --slo.\n"
                 "Exit status: 0 stopped cleanly, 1 failed while running, 2 usage or "
                 "start-up error.\n");
}

static void say(const config_t *cfg, level_t level, const char *fmt, ...)
{
    if (level > cfg->level)
        return;
    char line[4400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, PROG ": %s: %s\n", level_names[level], line);
}

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\nTry '" PROG " --help'.\n");
    return 2;
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

/* Returns 0, or the exit status of a usage error (already reported). */
static int parse_args(config_t *cfg, int argc, char **argv)
{
    struct option longopts[NOPTIONS + 1];
    for (size_t i = 0; i < NOPTIONS; i++)
        longopts[i] = (struct option){options[i].name, options[i].has_arg, NULL, options[i].id};
    longopts[NOPTIONS] = (struct option){0};
    opterr = 0;
    int id;
    while ((id = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        const char *arg = optarg;
        switch (id) {
        case O_BIND: cfg->bind = arg; break;
        case O_PUB: cfg->pub = strcmp(arg, "none") == 0 ? NULL : arg; break;
        case O_METRICS:
            /* "--metrics ADDR" as well as "--metrics=ADDR" */
            if (!arg && optind < argc && argv[optind][0] != '-')
                arg = argv[optind++];
            cfg->metrics = arg ? arg : DEFAULT_METRICS;
            break;
        case O_REFRESH:
            if (!parse_uint(arg, 100, 60000, &cfg->refresh_ms))
                return usage_error("--refresh: '%s' is not a number of ms from 100 to 60000%s", arg, "");
            break;
        case O_MAX_ENDPOINTS:
            if (!parse_uint(arg, 1, 65536, &cfg->max_endpoints))
                return usage_error("--max-endpoints: '%s' is not a number from 1 to 65536%s", arg, "");
            break;
        case O_SLO: cfg->slo = arg; break;
        case O_EVENTS: cfg->events = arg; break;
        case O_STATSD: cfg->statsd = arg; break;
        case O_SECRET: cfg->curve_secret = arg; break;
        case O_ALLOW: cfg->allow = arg; break;
        case O_KEYGEN: cfg->keygen = arg; break;
        case O_FOREGROUND: cfg->foreground = true; break;
        case O_LOG_LEVEL: {
            size_t l = 0;
            while (l < 4 && strcmp(arg, level_names[l]) != 0)
                l++;
            if (l == 4)
                return usage_error("--log-level: '%s' is not one of error, warn, info, debug%s", arg, "");
            cfg->level = (level_t)l;
            break;
        }
        case O_SUMMARY:
            if (!parse_uint(arg, 0, 86400, &cfg->summary_s))
                return usage_error("--summary: '%s' is not a number of seconds from 0 to 86400%s", arg, "");
            break;
        case O_HELP: cfg->help = true; break;
        case O_VERSION: cfg->version = true; break;
        case ':': return usage_error("option '%s' needs a value%s", argv[optind - 1], "");
        default: return usage_error("unknown option '%s'%s", argv[optind - 1], "");
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'%s", argv[optind], "");
    if (cfg->statsd && cfg->curve_secret)
        return usage_error("--statsd%s does not go with --curve-secret%s: statsd over UDP has no "
                           "authentication", "", "");
    if (!cfg->curve_secret != !cfg->allow)
        return usage_error("%s needs %s too (CURVE without an allow list would let anyone in)",
                           cfg->curve_secret ? "--curve-secret" : "--allow",
                           cfg->curve_secret ? "--allow" : "--curve-secret");
    return 0;
}

/* SIGHUP: read the SLO file again; a bad file keeps the rules in force. */
static void reload(const config_t *cfg, hm_collector_t *c)
{
    if (!cfg->slo) {
        say(cfg, LOG_INFO, "SIGHUP: no SLO file to reload (--slo)");
        return;
    }
    hm_slo_rules_t rules;
    char why[4200];
    const char *reason = NULL;
    if (hm_slo_rules_load(cfg->slo, &rules, why, sizeof why) != 0) {
        say(cfg, LOG_WARN, "SIGHUP: %s; the rules in force are kept", why);
        return;
    }
    if (hm_collector_set_rules(c, &rules, &reason) != 0) {
        say(cfg, LOG_WARN, "SIGHUP: %s: %s; the rules in force are kept", cfg->slo, reason);
        return;
    }
    say(cfg, LOG_INFO, "SIGHUP: %zu SLO rules from %s", rules.n, cfg->slo);
}

/* Every --summary seconds: what came in, at info; what was lost or refused, at warn. */
static void summary(const config_t *cfg, hm_collector_t *c, hm_snap_counters_t *prev,
                    hm_statsd_udp_t *statsd)
{
    if (statsd) {
        hm_pipe_counts_t n;
        unsigned long long datagrams;
        hm_statsd_udp_counts(statsd, &n, &datagrams);
        say(cfg, n.bad ? LOG_WARN : LOG_INFO,
            "statsd: %llu datagrams, %llu lines: %llu published, %llu skipped, %llu bad",
            datagrams, (unsigned long long)n.lines, (unsigned long long)n.published,
            (unsigned long long)n.skipped, (unsigned long long)n.bad);
    }
    hm_snapshot_t *s = hm_collector_snapshot(c);
    hm_snap_counters_t n = s->counters;
    hm_snapshot_release(&s);
    say(cfg, LOG_INFO, "last %u s: %llu samples, %llu senders, %llu endpoints", cfg->summary_s,
        (unsigned long long)(n.samples - prev->samples), (unsigned long long)n.senders_live,
        (unsigned long long)n.endpoints);
    uint64_t rejected = n.rejected - prev->rejected, lost = n.lost - prev->lost,
             drops = n.client_drops - prev->client_drops,
             auth = n.auth_failures - prev->auth_failures;
    if (rejected || lost || drops || auth)
        say(cfg, LOG_WARN,
            "last %u s: %llu frames rejected, %llu lost in transit, %llu samples dropped by "
            "clients, %llu connections refused by CURVE",
            cfg->summary_s, (unsigned long long)rejected, (unsigned long long)lost,
            (unsigned long long)drops, (unsigned long long)auth);
    if (n.events_unwritten > prev->events_unwritten)
        say(cfg, LOG_ERROR, "--events: %llu SLO events could not be written to %s",
            (unsigned long long)(n.events_unwritten - prev->events_unwritten), cfg->events);
    *prev = n;
}

/* Detaches: the parent waits until the child has bound its sockets (a byte
 * on the pipe) or died (its exit status), so start-up errors still reach
 * the caller. Returns in the child with *ready the write end. */
static void detach(int *ready)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror(PROG ": pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror(PROG ": fork");
        exit(1);
    }
    if (pid > 0) {
        close(fds[1]);
        char b;
        if (read(fds[0], &b, 1) == 1)
            _exit(0);
        int status = 1;
        waitpid(pid, &status, 0);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
    close(fds[0]);
    setsid();
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        close(null);
    }
    *ready = fds[1];
}

/* 0, or 1 with a message when what went to stdout could not be written (a
 * full disk, a closed pipe): a lost summary is a failure, not a success. */
static int stdout_status(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, PROG ": cannot write to stdout: %s\n",
            errno ? strerror(errno) : "write error");
    return 1;
}

static int run(const config_t *cfg, int ready)
{
    void *ctx = zmq_ctx_new();
    if (!ctx) {
        say(cfg, LOG_ERROR, "cannot start ZeroMQ: %s", zmq_strerror(errno));
        return 1;
    }
    int status = 2;
    char why[4200];
    hm_auth_t *auth = NULL;
    hm_collector_t *c = NULL;
    hm_metrics_t *m = NULL;
    hm_statsd_udp_t *statsd = NULL;
    FILE *events = NULL;
    /* The files below may block (a FIFO nobody writes to yet). Until the
     * collector runs there is nothing to stop cleanly, so SIGTERM and SIGINT
     * end the process as they would any program meanwhile. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
    if (cfg->curve_secret && hm_auth_new(cfg->curve_secret, cfg->allow, &auth, why, sizeof why)) {
        say(cfg, LOG_ERROR, "%s", why);
        goto out;
    }
    hm_slo_rules_t rules;
    if (cfg->slo && hm_slo_rules_load(cfg->slo, &rules, why, sizeof why) != 0) {
        say(cfg, LOG_ERROR, "--slo: %s", why);
        goto out;
    }
    if (cfg->events && !(events = fopen(cfg->events, "ae"))) {
        say(cfg, LOG_ERROR, "--events: cannot open %s: %s", cfg->events, strerror(errno));
        goto out;
    }
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* threads start below: they inherit it */
    hm_collector_options_t co = {.bind = cfg->bind, .pub = cfg->pub, .snapshot_ms = cfg->refresh_ms,
                                 .max_endpoints = cfg->max_endpoints, .auth = auth,
                                 .slo = cfg->slo ? &rules : NULL, .events = events};
    const char *reason = NULL;
    if (hm_collector_new(ctx, &co, &c, &reason) != 0) {
        say(cfg, LOG_ERROR, "cannot start with --bind %s --pub %s: %s", cfg->bind,
            cfg->pub ? cfg->pub : "none", reason);
        goto out;
    }
    say(cfg, LOG_INFO, "ingest %s", hm_collector_address(c));
    if (hm_collector_pub_address(c))
        say(cfg, LOG_INFO, "pub %s", hm_collector_pub_address(c));
    if (cfg->metrics) {
        if (hm_metrics_start(c, cfg->metrics, &m, why, sizeof why) != 0) {
            say(cfg, LOG_ERROR, "--metrics %s: %s", cfg->metrics, why);
            goto out;
        }
        say(cfg, LOG_INFO, "metrics %s", hm_metrics_address(m));
    }
    if (cfg->statsd) {
        if (hm_statsd_udp_start(cfg->statsd, hm_collector_address(c), &statsd, why, sizeof why)) {
            say(cfg, LOG_ERROR, "--statsd %s: %s", cfg->statsd, why);
            goto out;
        }
        say(cfg, LOG_INFO, "statsd udp %s", hm_statsd_udp_address(statsd));
    }
    if (auth)
        say(cfg, LOG_INFO, "CURVE on: %zu allowed client keys", hm_auth_allowed(auth));
    if (cfg->slo)
        say(cfg, LOG_INFO, "%zu SLO rules from %s, events on %s%s%s", rules.n, cfg->slo,
            hm_collector_pub_address(c) ? "the PUB socket" : "no PUB socket",
            cfg->events ? " and in " : "", cfg->events ? cfg->events : "");
    if (ready >= 0) {
        if (write(ready, "", 1) != 1) {
            /* the parent is gone: nobody to tell */
        }
        close(ready);
    }
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    hm_snap_counters_t prev = {0};
    const struct timespec every = {cfg->summary_s ? cfg->summary_s : 86400, 0};
    for (;;) {
        int sig = sigtimedwait(&sigs, NULL, &every);
        if (sig < 0 && errno == EAGAIN) {
            if (cfg->summary_s)
                summary(cfg, c, &prev, statsd);
        } else if (sig == SIGHUP) {
            reload(cfg, c);
        } else if (sig == SIGTERM || sig == SIGINT) {
            say(cfg, LOG_INFO, "%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            break;
        }
    }
    if (statsd) {
        summary(cfg, c, &prev, statsd); /* the last word on what came over UDP */
        hm_statsd_udp_stop(&statsd);     /* flushes what it parsed into the collector */
    }
    hm_collector_refresh(c, 1000); /* the counters as of now, not of the last refresh */
    hm_snapshot_t *s = hm_collector_snapshot(c);
    say(cfg, LOG_INFO, "stopped: %llu samples ingested, %llu frames rejected, %llu lost",
        (unsigned long long)s->counters.samples, (unsigned long long)s->counters.rejected,
        (unsigned long long)s->counters.lost);
    /* Lost events fail the run, as a lost summary does: a full disk is not success. */
    status = s->counters.events_unwritten ? 1 : 0;
    if (status)
        say(cfg, LOG_ERROR, "--events: %llu SLO events in all could not be written to %s",
            (unsigned long long)s->counters.events_unwritten, cfg->events);
    hm_snapshot_release(&s);
out:
    hm_statsd_udp_stop(&statsd);
    hm_metrics_stop(&m);
    hm_collector_destroy(&c);
    if (events)
        fclose(events); /* after the collector: its last events are in */
    hm_auth_destroy(&auth);
    zmq_ctx_term(ctx);
    return status;
}

int main(int argc, char **argv)
{
    /* Snapshots and snapshot messages are megabytes that live a second or
     * less. After the first such block is freed glibc raises its mmap
     * threshold to its size and serves the next ones from the heap, whose
     * resident size then follows the largest message seen: a soak's viewer
     * grew 1.4% over the first 5 minutes, as history filled the messages,
     * and sat at 48 MB against 19 MB with the threshold fixed. Fixed, blocks
     * over 256 KiB go back to the system when freed. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    /* A reader gone (`--keygen | head -0`) is a write error to report, not
     * a signal that ends the program before it can say so. */
    signal(SIGPIPE, SIG_IGN);
    config_t cfg = {.bind = DEFAULT_BIND, .pub = DEFAULT_PUB, .level = LOG_INFO, .summary_s = 60};
    int rc = parse_args(&cfg, argc, argv);
    if (rc)
        return rc;
    if (cfg.help) {
        usage(stdout);
        return stdout_status();
    }
    if (cfg.version) {
        printf(PROG " %s\n", HM_VERSION_STRING);
        return stdout_status();
    }
    if (cfg.keygen) {
        char why[4200];
        if (hm_auth_keygen(cfg.keygen, why, sizeof why) != 0) {
            fprintf(stderr, PROG ": --keygen: %s\n", why);
            return 1;
        }
        printf("%s: secret key pair (keep it private)\n%s.pub: public key (give it out)\n",
               cfg.keygen, cfg.keygen);
        return stdout_status();
    }
    /* Before any thread exists, so every thread inherits the mask and the
     * signals wait for sigtimedwait in run(). */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    int ready = -1;
    if (!cfg.foreground)
        detach(&ready);
    return run(&cfg, ready);
}
