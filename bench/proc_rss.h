/*
 * bench/proc_rss.h - a process's resident size, read from /proc/PID/status,
 * for the memory benches (bench_ingest on itself, bench_memory on the
 * collector process it forks). Header-only: each bench is one file.
 */
#ifndef HM_BENCH_PROC_RSS_H
#define HM_BENCH_PROC_RSS_H

#include <stdio.h>
#include <sys/types.h>

/* VmRSS of pid in KiB; 0 when it cannot be read. */
static inline long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

#endif
