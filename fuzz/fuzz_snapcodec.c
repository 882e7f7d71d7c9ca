/*
 * fuzz/fuzz_snapcodec.c - libFuzzer target: any bytes as a snapshot message
 * (what `hotmon --connect` reads off a PUB socket). Nothing may crash or read
 * astray; what decodes must encode back to a message that decodes the same,
 * and merge with itself as a partial history.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapcodec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hm_snapshot_t *s = NULL, *again = NULL;
    hm_snapcodec_info_t info, info2;
    const char *why = NULL;
    if (hm_snapcodec_decode(data, size, &s, &info, &why) != 0)
        return 0;
    uint8_t *buf;
    size_t len;
    if (hm_snapcodec_encode(s, info.history, &buf, &len) == 0) {
        if (hm_snapcodec_decode(buf, len, &again, &info2, &why) != 0 ||
            again->nendpoints != s->nendpoints ||
            memcmp(&again->counters, &s->counters, sizeof s->counters) != 0)
            abort();
        free(buf);
    }
    hm_snapcodec_merge_history(again, &info, s, info.history_end ? info.history_end - 1 : 0);
    hm_snapshot_release(&again);
    hm_snapshot_release(&s);
    return 0;
}
