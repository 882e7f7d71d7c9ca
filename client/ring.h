/*
 * ring.h - a bounded single-producer, single-consumer ring of sample slots.
 *
 * Each thread that records samples owns one ring as its producer; the
 * publisher thread is the consumer of all of them. Pushing is two plain
 * stores and one release store: no locked instruction, no system call, no
 * allocation. A full ring refuses the sample and the producer counts it.
 */
#ifndef HM_RING_H
#define HM_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotmon.h"

/* One sample as the hot path leaves it for the publisher. */
typedef struct {
    uint64_t duration_ns;   /* end - actual start */
    uint64_t delay_ns;      /* actual start - intended start (open loop) */
    uint16_t endpoint;
    uint16_t status;
    uint8_t nphases;
    uint8_t rid_len;
    bool has_delay;
    uint16_t phase[HM_SPAN_PHASES_MAX];
    uint64_t phase_ns[HM_SPAN_PHASES_MAX];
    char rid[HM_REQUEST_ID_MAX];
} hm_ring_slot_t;

typedef struct {
    _Alignas(64) _Atomic uint64_t head; /* next slot the producer fills */
    uint64_t cached_tail;               /* the producer's view of tail */
    _Alignas(64) _Atomic uint64_t tail; /* next slot the consumer reads */
    _Alignas(64) uint64_t mask;
    hm_ring_slot_t *slots;
} hm_ring_t;

/* Allocates capacity slots (rounded up to a power of two). Returns 0 or ENOMEM. */
int hm_ring_init(hm_ring_t *r, uint32_t capacity);
void hm_ring_fini(hm_ring_t *r);

/* Producer: a slot to fill, or NULL when the ring is full. Commit makes the
 * filled slot visible to the consumer. */
static inline hm_ring_slot_t *hm_ring_reserve(hm_ring_t *r)
{
    uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (h - r->cached_tail > r->mask) {
        r->cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (h - r->cached_tail > r->mask)
            return NULL;
    }
    return &r->slots[h & r->mask];
}

static inline void hm_ring_commit(hm_ring_t *r)
{
    uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    atomic_store_explicit(&r->head, h + 1, memory_order_release);
}

/* Consumer: the oldest filled slot, or NULL when empty; release frees it. */
static inline const hm_ring_slot_t *hm_ring_peek(hm_ring_t *r)
{
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (t == atomic_load_explicit(&r->head, memory_order_acquire))
        return NULL;
    return &r->slots[t & r->mask];
}

static inline void hm_ring_release(hm_ring_t *r)
{
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
}

/* Slots filled and not yet released (exact for either side, a snapshot for others). */
static inline uint64_t hm_ring_size(hm_ring_t *r)
{
    return atomic_load_explicit(&r->head, memory_order_acquire) -
           atomic_load_explicit(&r->tail, memory_order_acquire);
}

#endif
