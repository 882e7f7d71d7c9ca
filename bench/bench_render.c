/*
 * bench/bench_render.c - what the screen costs.
 *
 * Render: one frame of the main view with 1,000 endpoints (sort, filter and
 * draw, curses writing to /dev/null), against the 5 ms goal. Idle: the CPU a
 * real `hotmon` takes at the default refresh while 100 endpoints trickle in,
 * run in a pseudo-terminal of its own, against the 2%-of-a-core goal.
 */
#include <fcntl.h>
#include <libgen.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <zmq.h>

#include "hotmon.h"
#include "model.h"
#include "table.h"
#include "term.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static hm_snapshot_t *busy_snapshot(size_t n, uint32_t salt)
{
    hm_snapshot_t *s = hm_snapshot_new(n);
    for (size_t i = 0; i < n; i++) {
        hm_snap_endpoint_t *e = &s->endpoints[i];
        snprintf(e->name, sizeof e->name, "GET /api/v1/resource-%04zu/items", i);
        for (int w = 0; w < HM_WIN__COUNT; w++) {
            hm_snap_stats_t *st = &e->win[w];
            st->count = 1000 + i;
            st->rate = 100.0 + (double)((i * 7 + salt) % 97);
            st->errors = i % 13;
            st->error_rate = (double)st->errors / (double)st->count;
            st->p50_ns = 1000000 + (i * 7919 + salt) % 5000000;
            st->p95_ns = st->p50_ns * 3;
            st->p99_ns = st->p50_ns * 5;
            st->max_ns = st->p50_ns * 9;
        }
        for (int k = 0; k < HM_WINDOW_HISTORY; k++)
            e->history[k] = (hm_second_t){100, 0, 1000, 3000, (uint32_t)(5000 + (k * 31 + i + salt) % 900)};
    }
    return s;
}

static void render(void)
{
    int saved = dup(STDOUT_FILENO);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    setenv("TERM", "xterm-256color", 1);
    setenv("LINES", "50", 1);
    setenv("COLUMNS", "160", 1);
    hm_theme_t theme;
    hm_theme_default(&theme);
    hm_term_t *t = NULL;
    hm_settings_t s;
    hm_settings_defaults(&s);
    hm_model_t m;
    const char *why;
    double best = 1e18;
    if (hm_term_open(&theme, &t) == 0 && hm_model_init(&m, &s, &why) == 0) {
        m.page = LINES - HM_TABLE_FIRST_ROW - hm_table_footer_rows(&m, LINES);
        for (int round = 0; round < 5; round++) {
            enum { FRAMES = 40 };
            hm_snapshot_t *snaps[FRAMES];
            for (int f = 0; f < FRAMES; f++)
                snaps[f] = busy_snapshot(1000, (uint32_t)(round * FRAMES + f));
            uint64_t t0 = now_ns();
            for (int f = 0; f < FRAMES; f++) {
                hm_model_update(&m, snaps[f]); /* filter and sort 1,000 rows */
                erase();
                hm_table_draw(&m, t, "tcp://127.0.0.1:7450");
                refresh();
            }
            double ms = (double)(now_ns() - t0) / 1e6 / FRAMES;
            best = ms < best ? ms : best;
            for (int f = 0; f < FRAMES; f++)
                hm_snapshot_release(&snaps[f]);
        }
        hm_model_fini(&m);
    }
    hm_term_close(&t);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(null);
    printf("| render the main view, 1000 endpoints, 160x50 | %.2f ms/frame | goal: 5 ms | %.2fx |\n",
           best, best / 5.0);
}

static unsigned long cpu_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* fields after the command name */
    unsigned long utime = 0, stime = 0;
    if (p)
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime);
    return utime + stime;
}

static void idle_cpu(const char *hotmon)
{
    char addr[64];
    snprintf(addr, sizeof addr, "tcp://127.0.0.1:%d", 20000 + getpid() % 20000);
    struct winsize ws = {.ws_row = 50, .ws_col = 160};
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        execl(hotmon, "hotmon", "--bind", addr, (char *)NULL);
        _exit(127);
    }
    fcntl(master, F_SETFL, O_NONBLOCK);
    hm_options_t o = {.endpoint = addr, .service = "bench"};
    hm_client_t *c = NULL;
    hm_open(&o, &c);
    hm_endpoint_t ep[100];
    for (int i = 0; i < 100; i++) {
        char name[32];
        snprintf(name, sizeof name, "GET /idle/%03d", i);
        hm_endpoint(c, name, &ep[i]);
    }
    char sink[65536];
    unsigned long t0 = 0;
    uint64_t start = now_ns(), measured_from = 0;
    for (int tick = 0; now_ns() - start < 12000000000ull; tick++) {
        for (int i = 0; i < 100; i++) /* 1,000 samples a second in all */
            hm_record(c, ep[i], 1000000 + (uint64_t)(i * 10000), 200);
        while (read(master, sink, sizeof sink) > 0) {
        }
        if (!measured_from && now_ns() - start > 2000000000ull) {
            t0 = cpu_ticks(pid);
            measured_from = now_ns();
        }
        struct timespec ts = {0, 100000000}; /* 10 rounds a second */
        nanosleep(&ts, NULL);
    }
    unsigned long t1 = cpu_ticks(pid);
    double secs = (double)(now_ns() - measured_from) / 1e9;
    double pct = (double)(t1 - t0) / (double)sysconf(_SC_CLK_TCK) / secs * 100.0;
    if (write(master, "q", 1) != 1)
        kill(pid, SIGTERM);
    for (int i = 0; i < 50 && waitpid(pid, NULL, WNOHANG) == 0; i++) {
        while (read(master, sink, sizeof sink) > 0) {
        }
        usleep(100000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    hm_close(&c);
    printf("| idle hotmon, 100 endpoints, 1000 samples/s, refresh 1 s | %.2f%% of a core | goal: 2%% | %.2fx |\n",
           pct, pct / 2.0);
}

int main(int argc, char **argv)
{
    printf("| figure | hotmon | floor or peer | ratio |\n|---|---|---|---|\n");
    fflush(stdout);
    render();
    fflush(stdout);
    char path[4096];
    snprintf(path, sizeof path, "%s", argv[0]);
    char hotmon[4200];
    snprintf(hotmon, sizeof hotmon, "%s/../hotmon", dirname(path));
    if (argc > 1 || access(hotmon, X_OK) == 0)
        idle_cpu(argc > 1 ? argv[1] : hotmon);
    return 0;
}
