/*
 * snapshot.c - allocation, reference counting and look-up of snapshots
 * (see snapshot.h). Building one from live statistics is registry.c's.
 */
#include "snapshot.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The reference count is the struct's int field, used through atomics. */
static _Atomic int *refs_of(hm_snapshot_t *s)
{
    return (_Atomic int *)&s->refs;
}

hm_snapshot_t *hm_snapshot_new(size_t n)
{
    hm_snapshot_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (n && !(s->endpoints = calloc(n, sizeof *s->endpoints))) {
        free(s);
        return NULL;
    }
    s->nendpoints = n;
    atomic_init(refs_of(s), 1);
    return s;
}

hm_snapshot_t *hm_snapshot_ref(hm_snapshot_t *s)
{
    atomic_fetch_add_explicit(refs_of(s), 1, memory_order_relaxed);
    return s;
}

void hm_snapshot_release(hm_snapshot_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    hm_snapshot_t *s = *s_p;
    *s_p = NULL;
    if (atomic_fetch_sub_explicit(refs_of(s), 1, memory_order_acq_rel) == 1) {
        free(s->endpoints);
        free(s);
    }
}

const hm_snap_endpoint_t *hm_snapshot_find(const hm_snapshot_t *s, const char *name)
{
    for (size_t i = 0; i < s->nendpoints; i++)
        if (strcmp(s->endpoints[i].name, name) == 0)
            return &s->endpoints[i];
    return NULL;
}
