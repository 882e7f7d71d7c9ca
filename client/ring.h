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

/* One sample as the hot path leaves it for the publisher: 32 bytes, so a
 * plain sample fills half a cache line. Phases and a request id, when the
 * sample has them, follow in `extra` continuation slots, reserved and
 * committed with their sample so they are never seen apart. */
typedef struct {
    uint64_t duration_ns;   /* end - actual start */
    uint64_t delay_ns;      /* actual start - intended start (open loop) */
    uint16_t endpoint;
    uint16_t status;
    uint8_t nphases;
    uint8_t rid_len;
    uint8_t has_delay;
    uint8_t extra;          /* continuation slots that follow */
    uint32_t reserved;
} hm_ring_slot_t;

/* A continuation slot: three phases, or 32 bytes of request id. */
typedef union {
    struct {
        uint16_t phase[3];
        uint16_t pad;
        uint64_t ns[3];
    } phases;
    char rid[32];
    hm_ring_slot_t raw;
} hm_ring_extra_t;

_Static_assert(sizeof(hm_ring_slot_t) == 32, "a slot is 32 bytes");
_Static_assert(sizeof(hm_ring_extra_t) == 32, "a continuation slot is 32 bytes");

typedef struct {
    _Alignas(64) _Atomic uint64_t head; /* next slot the producer fills */
    uint64_t cached_tail;               /* the producer's view of tail */
    _Alignas(64) _Atomic uint64_t tail; /* next slot the consumer reads */
    uint64_t cached_head;               /* the consumer's view of head */
    _Alignas(64) uint64_t mask;
    hm_ring_slot_t *slots;
} hm_ring_t;

/* Allocates capacity slots (rounded up to a power of two). Returns 0 or ENOMEM. */
int hm_ring_init(hm_ring_t *r, uint32_t capacity);
void hm_ring_fini(hm_ring_t *r);

/* Producer: the first of n free slots, or NULL when fewer are free. The
 * i-th is hm_ring_next(r, first, i). Commit makes n filled slots visible. */
static inline hm_ring_slot_t *hm_ring_reserve_n(hm_ring_t *r, unsigned n)
{
    uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (h + n - r->cached_tail > r->mask + 1) {
        r->cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (h + n - r->cached_tail > r->mask + 1)
            return NULL;
    }
    return &r->slots[h & r->mask];
}

static inline hm_ring_slot_t *hm_ring_reserve(hm_ring_t *r)
{
    return hm_ring_reserve_n(r, 1);
}

/* The slot i places after first, wrapping around the end of the ring. */
static inline hm_ring_slot_t *hm_ring_next(hm_ring_t *r, const hm_ring_slot_t *first, unsigned i)
{
    return &r->slots[((uint64_t)(first - r->slots) + i) & r->mask];
}

static inline void hm_ring_commit_n(hm_ring_t *r, unsigned n)
{
    uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    atomic_store_explicit(&r->head, h + n, memory_order_release);
}

static inline void hm_ring_commit(hm_ring_t *r)
{
    hm_ring_commit_n(r, 1);
}

/* Consumer: the oldest filled slot, or NULL when empty; release frees n.
 * head is read again only when the slots known to be filled run out, so a
 * draining consumer does not pull the producer's cache line once per slot. */
static inline hm_ring_slot_t *hm_ring_peek(hm_ring_t *r)
{
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (t >= r->cached_head) { /* >=: a release without a peek may pass it */
        r->cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
        if (t == r->cached_head)
            return NULL;
    }
    return &r->slots[t & r->mask];
}

static inline void hm_ring_release_n(hm_ring_t *r, unsigned n)
{
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    atomic_store_explicit(&r->tail, t + n, memory_order_release);
}

static inline void hm_ring_release(hm_ring_t *r)
{
    hm_ring_release_n(r, 1);
}

/* Slots filled and not yet released (exact for either side, a snapshot for others). */
static inline uint64_t hm_ring_size(hm_ring_t *r)
{
    return atomic_load_explicit(&r->head, memory_order_acquire) -
           atomic_load_explicit(&r->tail, memory_order_acquire);
}

#endif
