/*
 * fuzz/fuzz_jsonline.c - libFuzzer target: any bytes as one line for
 * hotmon-pipe's JSON line reader, with the default keys and with mapped,
 * nested keys. The record's strings must stay NUL-terminated and in bounds.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pipe_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hm_jsonline_keys_t keys[2];
    static hm_jsonline_t rec;
    static int ready;
    if (!ready) {
        const char *why;
        hm_jsonline_keys_default(&keys[0]);
        hm_jsonline_keys_default(&keys[1]);
        hm_jsonline_keys_add(&keys[1], HM_JSONLINE_ENDPOINT, "req.route", &why);
        hm_jsonline_keys_add(&keys[1], HM_JSONLINE_DURATION, "res.took:us", &why);
        hm_jsonline_keys_add(&keys[1], HM_JSONLINE_BREAKDOWN, "a.b.c:s", &why);
        ready = 1;
    }
    for (int k = 0; k < 2; k++) {
        const char *why = NULL;
        int rc = hm_jsonline_parse(&keys[k], (const char *)data, size, &rec, &why);
        if (rc == 0) {
            if (strlen(rec.endpoint) > HM_NAME_MAX || strlen(rec.request_id) > HM_REQUEST_ID_MAX ||
                rec.nphases > HM_SPAN_PHASES_MAX || rec.endpoint[0] == '\0')
                __builtin_trap();
            for (unsigned i = 0; i < rec.nphases; i++)
                if (strlen(rec.phase[i].name) > HM_NAME_MAX)
                    __builtin_trap();
        } else if (rc != ENOENT && !why) {
            __builtin_trap(); /* every refusal says why */
        }
    }
    return 0;
}
