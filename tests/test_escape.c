/* tests/test_escape.c - hostile names never reach the terminal as controls. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"

/* Code points that must never come out as themselves: C0, DEL, C1, bidi
 * marks, embeddings, overrides and isolates, zero-width characters, line and
 * paragraph separators, the BOM. */
static bool forbidden(uint32_t c)
{
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF ||
           c == 0x061C || (c >= 0xE0000 && c <= 0xE007F);
}

/* A strict UTF-8 decoder of the test's own, independent of escape.c: returns
 * the length of the character at p, or 0 when it is not well-formed. */
static int utf8_char(const unsigned char *p, uint32_t *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    int len;
    uint32_t c;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2, c = p[0] & 0x1Fu;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3, c = p[0] & 0x0Fu;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4, c = p[0] & 0x07u;
    else
        return 0;
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3Fu);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* True when s is well-formed UTF-8 (pure ASCII when !utf8) and holds no
 * forbidden code point. */
static bool safe(const char *s, bool utf8)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        int len = utf8_char(p, &c);
        if (len == 0 || forbidden(c) || (!utf8 && c >= 0x80))
            return false;
        p += len;
    }
    return true;
}

/* Hostile names, and what each becomes with utf8 on. */
static const struct {
    const char *in, *out;
} hostile[] = {
    {"a\x1b[2Jb", "a\\x1b[2Jb"},                           /* clear screen */
    {"\x1b]52;c;aGk=\a", "\\x1b]52;c;aGk=\\x07"},          /* OSC 52 clipboard write */
    {"\x1b]0;title\x1b\\", "\\x1b]0;title\\x1b\\"},        /* OSC title with ST */
    {"csi\x9b" "31m", "csi\\x9b31m"},                      /* C1 CSI as a raw byte */
    {"csi\xc2\x9b" "31m", "csi\\u009b31m"},                /* C1 CSI as UTF-8 U+009B */
    {"x\r\b\x7f\n\t", "x\\x0d\\x08\\x7f\\x0a\\x09"},       /* CR, BS, DEL, LF, TAB */
    {"a\xe2\x80\xaa" "b", "a\\u202ab"},                    /* LRE */
    {"a\xe2\x80\xab" "b", "a\\u202bb"},                    /* RLE */
    {"a\xe2\x80\xac" "b", "a\\u202cb"},                    /* PDF */
    {"a\xe2\x80\xad" "b", "a\\u202db"},                    /* LRO */
    {"a\xe2\x80\xae" "b", "a\\u202eb"},                    /* RLO */
    {"a\xe2\x81\xa6" "b", "a\\u2066b"},                    /* LRI */
    {"a\xe2\x81\xa7" "b", "a\\u2067b"},                    /* RLI */
    {"a\xe2\x81\xa8" "b", "a\\u2068b"},                    /* FSI */
    {"a\xe2\x81\xa9" "b", "a\\u2069b"},                    /* PDI */
    {"zw\xe2\x80\x8b", "zw\\u200b"},                       /* zero-width space */
    {"zw\xe2\x80\x8c\xe2\x80\x8d", "zw\\u200c\\u200d"},    /* ZWNJ, ZWJ */
    {"m\xe2\x80\x8e\xe2\x80\x8f", "m\\u200e\\u200f"},      /* LRM, RLM */
    {"wj\xe2\x81\xa0", "wj\\u2060"},                       /* word joiner */
    {"\xef\xbb\xbfx", "\\ufeffx"},                         /* BOM */
    {"ls\xe2\x80\xa8", "ls\\u2028"},                       /* line separator */
    {"tag\xf3\xa0\x80\x81", "tag\\U000e0001"},             /* language tag */
    {"\xc0\xaf", "\\xc0\\xaf"},                            /* overlong '/' */
    {"\xe0\x80\xaf", "\\xe0\\x80\\xaf"},                   /* overlong, 3 bytes */
    {"\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"},          /* overlong, 4 bytes */
    {"\xc1\x9b", "\\xc1\\x9b"},                            /* overlong C1 CSI */
    {"\xed\xa0\x80", "\\xed\\xa0\\x80"},                   /* surrogate D800 */
    {"\xed\xbf\xbf", "\\xed\\xbf\\xbf"},                   /* surrogate DFFF */
    {"\xe2\x82", "\\xe2\\x82"},                            /* truncated at the end */
    {"\xe2\x82x", "\\xe2\\x82x"},                          /* truncated in the middle */
    {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},          /* above U+10FFFF */
    {"\xff\xfe", "\\xff\\xfe"},                            /* never in UTF-8 */
    {"\x80\xbf", "\\x80\\xbf"},                            /* lone continuations */
};

static void test_escape_shows_every_hostile_input_as_text(void **state)
{
    char out[512];
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        hm_escape(hostile[i].in, true, out, sizeof out);
        assert_string_equal(out, hostile[i].out);
        assert_true(safe(out, true));
        hm_escape(hostile[i].in, false, out, sizeof out);
        assert_true(safe(out, false));
    }
}

static void test_escape_keeps_good_text_and_ascii_mode_escapes_it(void **state)
{
    char out[256];
    assert_string_equal(hm_escape("GET /caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", true, out,
                                  sizeof out),
                        "GET /caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
    assert_string_equal(hm_escape("caf\xc3\xa9", false, out, sizeof out), "caf\\u00e9");
    assert_string_equal(hm_escape("\xf0\x9f\x98\x80", false, out, sizeof out), "\\U0001f600");
    assert_string_equal(hm_escape("", true, out, sizeof out), "");
}

static void test_escape_never_cuts_an_escape_or_a_character_in_half(void **state)
{
    char out[8];
    hm_escape("ab\x1b\x1b", true, out, sizeof out); /* "ab\x1b" is 6 bytes, a second won't fit */
    assert_string_equal(out, "ab\\x1b");
    hm_escape("\xe6\x97\xa5\xe6\x9c\xac", true, out, 6); /* room for one 3-byte character */
    assert_string_equal(out, "\xe6\x97\xa5");
    hm_escape("abc", true, out, 1);
    assert_string_equal(out, "");
}

/* 100k strings of random bytes mixed with hostile pieces and random code
 * points (C1, bidi, surrogates, beyond U+10FFFF) encoded as UTF-8. */
static void test_escape_leaves_nothing_hostile_in_random_strings(void **state)
{
    uint64_t s = 12345;
    char in[96], out[96 * 10 + 1];
    for (int i = 0; i < 100000; i++) {
        size_t n = 0, want = 1 + (size_t)(s % 60);
        while (n < want) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            switch (s % 4) {
            case 0: { /* a random byte */
                in[n++] = (char)(1 + (s >> 8) % 255);
                break;
            }
            case 1: { /* a piece of a hostile input */
                const char *h = hostile[(s >> 8) % (sizeof hostile / sizeof hostile[0])].in;
                size_t l = strlen(h);
                if (n + l < 32 + want) {
                    memcpy(in + n, h, l);
                    n += l;
                }
                break;
            }
            default: { /* a code point, encoded without checking it */
                uint32_t c = (uint32_t)((s >> 8) % 4 == 0 ? (s >> 16) % 0x110100
                                                          : 0x80 + (s >> 16) % 0x2100);
                unsigned char *p = (unsigned char *)in + n;
                if (c < 0x800)
                    p[0] = (unsigned char)(0xC0 | c >> 6), p[1] = (unsigned char)(0x80 | (c & 0x3F)),
                    n += 2;
                else if (c < 0x10000)
                    p[0] = (unsigned char)(0xE0 | c >> 12),
                    p[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F)),
                    p[2] = (unsigned char)(0x80 | (c & 0x3F)), n += 3;
                else
                    p[0] = (unsigned char)(0xF0 | (c >> 18 & 0x07)),
                    p[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F)),
                    p[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F)),
                    p[3] = (unsigned char)(0x80 | (c & 0x3F)), n += 4;
                break;
            }
            }
        }
        in[n] = '\0';
        bool utf8 = i % 2 == 0;
        hm_escape(in, utf8, out, sizeof out);
        assert_true(safe(out, utf8));
        /* and a fit of it stays safe and exactly as wide as asked */
        char fit[sizeof out];
        int w = 1 + (int)(s % 30);
        hm_escape_fit(out, w, utf8, fit, sizeof fit);
        assert_true(safe(fit, utf8));
        int full = hm_escape_width(out);
        assert_int_equal(hm_escape_width(fit), full < w ? full : w);
    }
}

static void test_escape_fit_keeps_widths_exact(void **state)
{
    char out[256];
    assert_int_equal(hm_escape_width("abc"), 3);
    assert_int_equal(hm_escape_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* two wide characters */
    assert_int_equal(hm_escape_width("e\xcc\x81"), 1);                 /* e + combining acute */
    hm_escape_fit("GET /api/v1/users/search", 11, true, out, sizeof out);
    assert_string_equal(out, "GET /\xe2\x80\xa6" "earch");
    assert_int_equal(hm_escape_width(out), 11);
    hm_escape_fit("GET /api/v1/users/search", 11, false, out, sizeof out);
    assert_string_equal(out, "GET /~earch");
    assert_string_equal(hm_escape_fit("short", 11, true, out, sizeof out), "short");
    assert_string_equal(hm_escape_fit("short", 0, true, out, sizeof out), "");
    /* wide characters that do not fit whole are padded, never split */
    static const char *const wide[] = {
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe5\x90\x8d\xe5\x89\x8d", /* 12 cells */
        "a\xe6\x97\xa5" "b\xe6\x9c\xac" "cd\xe8\xaa\x9e" "e",                      /* 11 cells */
        "\xf0\x9f\x98\x80x\xf0\x9f\x98\x80y\xf0\x9f\x98\x80",                       /* 8 cells */
    };
    for (size_t k = 0; k < sizeof wide / sizeof wide[0]; k++) {
        int full = hm_escape_width(wide[k]);
        for (int w = 1; w <= full + 2; w++) {
            hm_escape_fit(wide[k], w, true, out, sizeof out);
            assert_int_equal(hm_escape_width(out), w < full ? w : full);
            assert_true(safe(out, true));
            if (w < full) /* cut in the middle: an ellipsis, the head and tail kept whole */
                assert_non_null(strstr(out, "\xe2\x80\xa6"));
        }
    }
    hm_escape_cut("status line text", 6, out, sizeof out);
    assert_string_equal(out, "status");
    hm_escape_cut("\xe6\x97\xa5\xe6\x9c\xac", 3, out, sizeof out);
    assert_string_equal(out, "\xe6\x97\xa5");
}

static void test_escape_fit_into_a_small_buffer_stays_terminated(void **state)
{
    char out[6];
    memset(out, 'Z', sizeof out);
    hm_escape_fit("abcdefghijklmnopqrstuvwxyz", 20, true, out, sizeof out);
    assert_true(memchr(out, '\0', sizeof out) != NULL);
    assert_true(strlen(out) < sizeof out);
    assert_true(safe(out, true));
    memset(out, 'Z', sizeof out);
    hm_escape_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 10, true, out, sizeof out);
    assert_string_equal(out, "\xe6\x97\xa5"); /* whole characters only */
}

int main(void)
{
    /* Widths come from wcwidth: pin a UTF-8 locale so the machine's does not matter. */
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "C.utf8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_shows_every_hostile_input_as_text),
        cmocka_unit_test(test_escape_keeps_good_text_and_ascii_mode_escapes_it),
        cmocka_unit_test(test_escape_never_cuts_an_escape_or_a_character_in_half),
        cmocka_unit_test(test_escape_leaves_nothing_hostile_in_random_strings),
        cmocka_unit_test(test_escape_fit_keeps_widths_exact),
        cmocka_unit_test(test_escape_fit_into_a_small_buffer_stays_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
