/*
 * tests/prog_trickle.c - a long-lived instrumented service for the shell
 * tests of hotmon-collector: records PER_SECOND samples of 5 ms a second on
 * ENDPOINT through libhotmon for SECONDS (or until SIGTERM), so that a
 * collector killed and restarted meanwhile sees it reconnect.
 *
 *   prog_trickle ADDRESS ENDPOINT PER_SECOND SECONDS
 *
 * Prints the client's counters at the end; exits 0, or 2 on bad arguments.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hotmon.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: prog_trickle ADDRESS ENDPOINT PER_SECOND SECONDS\n");
        return 2;
    }
    long per_second = strtol(argv[3], NULL, 10), seconds = strtol(argv[4], NULL, 10);
    if (per_second < 1 || per_second > 1000 || seconds < 1) {
        fprintf(stderr, "prog_trickle: PER_SECOND 1..1000, SECONDS >= 1\n");
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    hm_options_t o = {.endpoint = argv[1], .service = "trickle"};
    hm_client_t *c = NULL;
    hm_endpoint_t ep;
    if (hm_open(&o, &c) != 0 || hm_endpoint(c, argv[2], &ep) != 0) {
        fprintf(stderr, "prog_trickle: cannot open a client on %s\n", argv[1]);
        return 2;
    }
    struct timespec gap = {0, 1000000000L / per_second};
    for (long i = 0; i < per_second * seconds && !stop; i++) {
        hm_record(c, ep, 5000000, 200);
        nanosleep(&gap, NULL);
    }
    hm_client_stats_t st;
    hm_client_stats(c, &st);
    hm_close(&c);
    printf("produced %" PRIu64 " sent %" PRIu64 " dropped %" PRIu64 "\n", st.produced, st.sent,
           st.dropped);
    return 0;
}
