/*
 * examples/service.c - a C service instrumented with libhotmon: the example
 * the README shows. tests/install.sh builds it against an installed copy
 * with pkg-config and watches it with hotmon --once.
 *
 *   cc service.c $(pkg-config --cflags --libs libhotmon) -o service
 *   HOTMON_SERVICE=example ./service 2000
 */
#include <hotmon.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void work(long us)
{
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    long requests = argc > 1 ? atol(argv[1]) : 1000;
    hm_client_t *hm = NULL;
    /* Address from $HOTMON_ENDPOINT (default tcp://127.0.0.1:7450); a missing
     * collector is not an error: samples are dropped and counted. */
    if (hm_open(NULL, &hm) != 0) {
        fprintf(stderr, "service: cannot start libhotmon\n");
        return 1;
    }
    hm_endpoint_t get_user;
    hm_phase_t lookup, render;
    hm_endpoint(hm, "GET /user", &get_user);
    hm_phase(hm, "lookup", &lookup);
    hm_phase(hm, "render", &render);
    work(300000); /* give the connection a moment before the first request */

    for (long i = 0; i < requests; i++) {
        hm_span_t s = hm_start(hm, get_user); /* no allocation, no system call */
        work(200);                             /* look the user up */
        hm_mark(hm, s, lookup);
        work(100);                             /* render the page */
        hm_mark(hm, s, render);
        hm_end(hm, s, i % 100 == 0 ? 500 : 200);
        hm_gauge_set(hm, get_user, HM_GAUGE_QUEUE, (int64_t)(i % 10));
    }
    hm_client_stats_t st;
    hm_client_stats(hm, &st);
    hm_close(&hm); /* flushes what is buffered, within 100 ms */
    /* produced = sent + dropped + buffered; close sent what was buffered */
    printf("requests %ld recorded %llu dropped %llu\n", requests, (unsigned long long)st.produced,
           (unsigned long long)st.dropped);
    return 0;
}
