/*
 * fuzz/fuzz_theme.c - libFuzzer target: any text as a theme file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    hm_theme_t t;
    char why[256];
    hm_theme_parse(text, "fuzz.theme", &t, why, sizeof why);
    free(text);
    return 0;
}
