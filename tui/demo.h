/*
 * demo.h - synthetic services for `hotmon --demo`, so a newcomer sees every
 * column move at once. They publish through the real client library over a
 * real socket, exactly as an instrumented service would.
 */
#ifndef HM_DEMO_H
#define HM_DEMO_H

typedef struct hm_demo hm_demo_t;

/* Starts the demo services publishing to address (borrowed). Returns 0 and
 * sets *out, or an errno value. The caller owns the demo. */
int hm_demo_start(const char *address, hm_demo_t **out);

/* Stops the services (within about 100 ms) and frees the demo. Accepts NULL. */
void hm_demo_stop(hm_demo_t **self_p);

#endif
