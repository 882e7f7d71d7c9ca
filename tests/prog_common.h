/*
 * tests/prog_common.h - small helpers shared by the test programs
 * (tests/prog_*.c): wall-clock milliseconds, the process's resident size,
 * sleeping. Header-only: each program is one file.
 */
#ifndef HM_PROG_COMMON_H
#define HM_PROG_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* CLOCK_REALTIME in ms, comparable with `date +%s%3N` in the shell tests. */
static inline int64_t unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* This process's resident size in kB, from /proc/self/statm; 0 when unknown. */
static inline long rss_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static inline void sleep_ns(long ns)
{
    struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
    nanosleep(&ts, NULL);
}

#endif
