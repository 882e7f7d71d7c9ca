/*
 * fuzz/fuzz_filter.c - libFuzzer target: any text typed after '/', compiled
 * (substring, ~regex, !inverted) and matched against a few names.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0; /* the prompt holds 256 bytes */
    char text[257];
    memcpy(text, data, size);
    text[size] = '\0';
    hm_filter_t *f = NULL;
    const char *why = NULL;
    if (hm_filter_new(text, &f, &why) == 0) {
        hm_filter_match(f, "GET /api/v1/users");
        hm_filter_match(f, "evil\x1b[2J");
        hm_filter_match(f, "");
        hm_filter_destroy(&f);
    }
    return 0;
}
