/*
 * ring.c - allocation of the SPSC ring; the push and pop are inline in ring.h.
 */
#include "ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int hm_ring_init(hm_ring_t *r, uint32_t capacity)
{
    uint64_t n = 16;
    while (n < capacity)
        n *= 2;
    hm_ring_slot_t *slots = malloc(n * sizeof *slots);
    if (!slots)
        return ENOMEM;
    /* Every page written now, so that the recording thread's first pass
     * through the ring takes no page faults: 128 of them for the default
     * ring, a few over 10 us each when measured. Through a volatile pointer:
     * GCC turns malloc + memset(0) into calloc, which leaves fresh pages
     * untouched. */
    size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = n * sizeof *slots;
    for (size_t off = 0; off < bytes; off += page)
        ((volatile char *)slots)[off] = 0;
    ((volatile char *)slots)[bytes - 1] = 0; /* the block need not start a page */
    memset(r, 0, sizeof *r);
    r->slots = slots;
    r->mask = n - 1;
    return 0;
}

void hm_ring_fini(hm_ring_t *r)
{
    free(r->slots);
    r->slots = NULL;
}
