/*
 * main.c - the hotmon program: settings, then an embedded collector, the demo
 * if asked, and either --once or the interactive screen. Wiring only.
 */
#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "baseline.h"
#include "collector.h"
#include "demo.h"
#include "hotmon.h"
#include "once.h"
#include "report.h"
#include "remote.h"
#include "settings.h"
#include "slo.h"
#include "ui.h"

/* The one piece of mutable state at file scope: set by SIGINT and SIGTERM. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* 0, or 1 with a message when what went to stdout could not be written (a
 * full disk, a closed pipe): a lost summary is a failure, not a success. */
static int stdout_status(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, "hotmon: cannot write to stdout: %s\n",
            errno ? strerror(errno) : "write error");
    return 1;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "hotmon: %s\nTry 'hotmon --help'.\n", msg);
    return 2;
}

/* The end of a run, from its last snapshot: with --once and judge (rules
 * were checked), the verdict; with --report, the report. Returns the exit
 * status, status unless one of them fails. */
static int conclude(const hm_settings_t *s, const hm_snapshot_t *last, bool judge,
                    const hm_report_meta_t *meta, int status)
{
    if (s->once && judge && status == 0 && !hm_slo_verdict(last))
        status = 1;
    char why[4200];
    if (s->report && hm_report_save(s->report, last, meta, why, sizeof why) != 0) {
        fprintf(stderr, "hotmon: cannot write the report: %s\n", why);
        status = status ? status : 1;
    }
    if (s->events && last->counters.events_unwritten) {
        fprintf(stderr, "hotmon: --events: %llu SLO events could not be written to %s\n",
                (unsigned long long)last->counters.events_unwritten, s->events);
        status = status ? status : 1;
    }
    return status;
}

/* --connect: the same --once and screen, over a remote collector's PUB. */
static int run_remote(void *ctx, const hm_settings_t *s, const hm_baseline_t *baseline,
                      const char *run_id)
{
    char why[512];
    hm_remote_t *r = NULL;
    if (hm_remote_new(ctx, s->connect, &r, why, sizeof why) != 0) {
        fprintf(stderr, "hotmon: --connect %s: %s\n", s->connect, why);
        return 2;
    }
    hm_ui_source_t src = hm_remote_source(r);
    int status;
    if (s->once) {
        status = hm_once_run_from(s, &src, baseline, &stop_requested);
    } else {
        hm_ui_config_t ui = {NULL, s, &stop_requested, baseline};
        status = hm_ui_run_from(&ui, &src, why, sizeof why) == 0 ? 0 : 1;
        if (status)
            fprintf(stderr, "hotmon: %s\n", why);
    }
    /* The collector checks its own rules: the verdict and the report come
     * from its latest snapshot. */
    hm_snapshot_t *last = src.take(src.arg);
    if (last) {
        hm_report_meta_t meta = {run_id, s->connect, NULL};
        status = conclude(s, last, last->nrules > 0, &meta, status);
        hm_snapshot_release(&last);
    }
    hm_remote_destroy(&r);
    return status;
}

/* Everything after the defaults: s (its strings included) is main's to free,
 * so that no return here leaks them. Returns the exit status. */
static int run_local_or_remote(hm_settings_t *s, int argc, char **argv)
{
    char why[4200], path[4096];
    if (hm_settings_config_path("config", path, sizeof path)) {
        int rc = hm_settings_load_file(s, path, why, sizeof why);
        if (rc && rc != ENOENT)
            return usage_error(why);
    }
    if (hm_settings_parse_args(s, argc, argv, why, sizeof why) != 0)
        return usage_error(why);
    if (s->help) {
        hm_settings_usage(stdout);
        return stdout_status();
    }
    if (s->version) {
        printf("hotmon %s\n", HM_VERSION_STRING);
        return stdout_status();
    }
    if (s->connect && (s->slo || s->events))
        return usage_error("--slo and --events belong to the collector with --connect: "
                           "hotmon-collector --slo FILE --events FILE");
    if (s->connect && s->demo)
        return usage_error("--demo runs its services into an embedded collector; it does not go "
                           "with --connect");
    if (!s->once && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
        return usage_error("the dashboard needs a terminal; use --once for a headless view");
    hm_baseline_t *baseline = NULL;
    if (s->baseline && hm_baseline_load(s->baseline, &baseline, why, sizeof why) != 0) {
        char msg[4300];
        snprintf(msg, sizeof msg, "--baseline: %s", why);
        return usage_error(msg);
    }

    /* SLO rules: --slo, else the default file when there is one. */
    hm_slo_rules_t rules;
    const char *slo_path = s->slo;
    if (!slo_path && !s->connect && hm_settings_config_path("slo.rules", path, sizeof path) &&
        access(path, F_OK) == 0)
        slo_path = path;
    if (slo_path && hm_slo_rules_load(slo_path, &rules, why, sizeof why) != 0) {
        char msg[4300];
        snprintf(msg, sizeof msg, "--slo: %s", why);
        hm_baseline_destroy(&baseline);
        return usage_error(msg);
    }
    char run_id[64];
    time_t started = time(NULL);
    struct tm tm;
    localtime_r(&started, &tm);
    size_t k = strftime(run_id, sizeof run_id, "hm-%Y%m%d-%H%M%S", &tm);
    snprintf(run_id + k, sizeof run_id - k, "-%ld", (long)getpid());

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A reader gone (--once | head) is a write error to say, not a death
     * that loses the report and the verdict still to come. */
    signal(SIGPIPE, SIG_IGN);

    void *ctx = zmq_ctx_new();
    if (s->connect) {
        int status = run_remote(ctx, s, baseline, run_id);
        hm_baseline_destroy(&baseline);
        zmq_ctx_term(ctx);
        return status;
    }
    FILE *events = NULL;
    if (s->events && !(events = fopen(s->events, "ae"))) {
        fprintf(stderr, "hotmon: --events: cannot open %s: %s\n", s->events, strerror(errno));
        hm_baseline_destroy(&baseline);
        zmq_ctx_term(ctx);
        return 2;
    }
    hm_collector_t *c = NULL;
    hm_collector_options_t co = {.bind = s->bind, .snapshot_ms = s->refresh_ms,
                                 .slo = slo_path ? &rules : NULL, .events = events};
    const char *reason = NULL;
    int rc = hm_collector_new(ctx, &co, &c, &reason);
    if (rc) {
        if (rc == EADDRINUSE)
            fprintf(stderr,
                    "hotmon: %s is already in use (another hotmon or hotmon-collector?); use "
                    "--bind ADDR to listen elsewhere, or --connect ADDR to watch a running "
                    "collector\n",
                    s->bind);
        else
            fprintf(stderr, "hotmon: cannot listen on %s: %s\n", s->bind, reason);
        if (events)
            fclose(events);
        hm_baseline_destroy(&baseline);
        zmq_ctx_term(ctx);
        return 2;
    }
    hm_demo_t *demo = NULL;
    if (s->demo && (rc = hm_demo_start(hm_collector_address(c), &demo)) != 0)
        fprintf(stderr, "hotmon: cannot start the demo: %s\n", strerror(rc));

    int status;
    if (s->once) {
        status = hm_once_run(s, c, baseline, &stop_requested);
    } else {
        hm_ui_config_t ui = {c, s, &stop_requested, baseline};
        status = hm_ui_run(&ui, why, sizeof why) == 0 ? 0 : 1;
        if (status)
            fprintf(stderr, "hotmon: %s\n", why);
    }
    /* The verdict and the report: from a snapshot taken now, with a last check. */
    if (slo_path || s->report) {
        hm_collector_refresh(c, 2000);
        hm_snapshot_t *last = hm_collector_snapshot(c);
        hm_report_meta_t meta = {run_id, hm_collector_address(c), slo_path};
        status = conclude(s, last, slo_path != NULL, &meta, status);
        hm_snapshot_release(&last);
    }
    hm_demo_stop(&demo);
    hm_baseline_destroy(&baseline);
    hm_collector_destroy(&c);
    if (events)
        fclose(events); /* after the collector: its last events are in */
    zmq_ctx_term(ctx);
    return status;
}

int main(int argc, char **argv)
{
    /* Big short-lived blocks back to the system: see hotmon-collector's main. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    setlocale(LC_ALL, "");
    hm_settings_t s;
    hm_settings_defaults(&s);
    int status = run_local_or_remote(&s, argc, argv);
    hm_settings_fini(&s);
    return status;
}
