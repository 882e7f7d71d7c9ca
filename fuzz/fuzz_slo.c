/*
 * fuzz/fuzz_slo.c - libFuzzer target: any bytes as an SLO rule file; what
 * parses is checked against a snapshot and its events are written as JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "slo.h"
#include "slo_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hm_slo_rules_t rules;
    char why[256];
    if (hm_slo_rules_parse((const char *)data, size, "fuzz.slo", &rules, why, sizeof why) != 0) {
        if (!memchr(why, '\0', sizeof why))
            __builtin_trap(); /* the message must always be terminated */
        return 0;
    }
    const char *reason;
    hm_slo_t *slo = hm_slo_new(&rules, &reason);
    if (!slo)
        return 0;
    hm_snapshot_t *s = hm_snapshot_new(2);
    if (s) {
        snprintf(s->endpoints[0].name, sizeof s->endpoints[0].name, "GET /x");
        snprintf(s->endpoints[1].name, sizeof s->endpoints[1].name, "api.y");
        for (int w = 0; w < HM_WIN__COUNT; w++) {
            s->endpoints[0].win[w].count = 10;
            s->endpoints[0].win[w].p95_ns = 5000000;
        }
        s->nbounds = hm_slo_bounds(slo, s->bounds_ns);
        if (hm_slo_apply(slo, s, true) > 0) {
            size_t n;
            const hm_slo_event_t *ev = hm_slo_new_events(slo, &n);
            char line[4096];
            for (size_t i = 0; i < n; i++)
                hm_slo_event_json(&hm_slo_rules(slo)->rule[ev[i].rule], &ev[i], line, sizeof line);
        }
        hm_snapshot_release(&s);
    }
    hm_slo_destroy(&slo);
    return 0;
}
