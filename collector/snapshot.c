/*
 * snapshot.c - allocation, reference counting and look-up of snapshots
 * (see snapshot.h). Building one from live statistics is registry.c's.
 */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

/* The reference count is the contract's plain int, so it is used through
 * the compiler's atomic built-ins (defined on plain objects) rather than cast
 * to an _Atomic type, which need not share int's layout. */

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
    s->refs = 1; /* not yet shared */
    return s;
}

hm_snapshot_t *hm_snapshot_ref(hm_snapshot_t *s)
{
    /* Relaxed: the caller already holds a reference, so s is alive. */
    __atomic_fetch_add(&s->refs, 1, __ATOMIC_RELAXED);
    return s;
}

void hm_snapshot_release(hm_snapshot_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    hm_snapshot_t *s = *s_p;
    *s_p = NULL;
    /* Release our writes, and acquire everyone's before the last one frees. */
    if (__atomic_fetch_sub(&s->refs, 1, __ATOMIC_ACQ_REL) == 1) {
        free(s->endpoints);
        free(s->rules);
        free(s->events);
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
