/* tests/test_escape.c - hostile names never reach the terminal as controls. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"

/* True when s holds no C0/C1 control, DEL, bidi or zero-width character. */
static bool safe(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return false;
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            return false; /* C1 as UTF-8 */
        if (p[0] == 0xE2 && p[1] == 0x80 && ((p[2] >= 0x8B && p[2] <= 0x8F) || (p[2] >= 0xAA && p[2] <= 0xAE)))
            return false; /* zero-width, bidi embeddings and overrides */
        if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
            return false; /* bidi isolates */
        if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
            return false; /* BOM / zero-width no-break space */
        if (*p >= 0x80) {
            /* every remaining byte must be part of well-formed UTF-8 */
            int len = (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
            if (!len)
                return false;
            for (int i = 1; i < len; i++)
                if ((p[i] & 0xC0) != 0x80)
                    return false;
            p += len - 1;
        }
    }
    return true;
}

static void test_escape_shows_controls_as_text(void **state)
{
    char out[256];
    assert_string_equal(hm_escape("a\x1b" "[2Jb", true, out, sizeof out), "a\\x1b[2Jb");
    assert_string_equal(hm_escape("\x1b]52;c;aGk=\a", true, out, sizeof out), "\\x1b]52;c;aGk=\\x07");
    assert_string_equal(hm_escape("x\r\b\x7f", true, out, sizeof out), "x\\x0d\\x08\\x7f");
    assert_string_equal(hm_escape("csi\x9b" "31m", true, out, sizeof out), "csi\\x9b31m"); /* raw C1 byte */
    assert_string_equal(hm_escape("csi\xc2\x9b", true, out, sizeof out), "csi\\u009b");   /* C1 as UTF-8 */
    assert_string_equal(hm_escape("a\xe2\x80\xae" "b", true, out, sizeof out), "a\\u202eb");  /* RLO */
    assert_string_equal(hm_escape("a\xe2\x81\xa6" "b", true, out, sizeof out), "a\\u2066b");
    assert_string_equal(hm_escape("zw\xe2\x80\x8b", true, out, sizeof out), "zw\\u200b");
    assert_string_equal(hm_escape("\xef\xbb\xbfx", true, out, sizeof out), "\\ufeffx");
}

static void test_escape_rejects_malformed_utf8(void **state)
{
    char out[256];
    assert_string_equal(hm_escape("\xc0\xaf", true, out, sizeof out), "\\xc0\\xaf");     /* overlong */
    assert_string_equal(hm_escape("\xed\xa0\x80", true, out, sizeof out), "\\xed\\xa0\\x80"); /* surrogate */
    assert_string_equal(hm_escape("\xe2\x82", true, out, sizeof out), "\\xe2\\x82");     /* truncated */
    assert_string_equal(hm_escape("\xf4\x90\x80\x80", true, out, sizeof out), "\\xf4\\x90\\x80\\x80");
}

static void test_escape_keeps_good_text_and_ascii_mode_escapes_it(void **state)
{
    char out[256];
    assert_string_equal(hm_escape("GET /caf\xc3\xa9 \xe6\x97\xa5", true, out, sizeof out),
                        "GET /caf\xc3\xa9 \xe6\x97\xa5");
    assert_string_equal(hm_escape("caf\xc3\xa9", false, out, sizeof out), "caf\\u00e9");
    assert_string_equal(hm_escape("\xf0\x9f\x98\x80", false, out, sizeof out), "\\U0001f600");
}

static void test_escape_never_cuts_an_escape_in_half(void **state)
{
    char out[8];
    hm_escape("ab\x1b\x1b", true, out, sizeof out); /* "ab\x1b" is 6 bytes, a second won't fit */
    assert_string_equal(out, "ab\\x1b");
}

static void test_escape_leaves_no_control_in_random_bytes(void **state)
{
    uint64_t s = 12345;
    char in[64], out[64 * 10 + 1];
    for (int i = 0; i < 100000; i++) {
        size_t n = 1 + (size_t)(s % 63);
        for (size_t k = 0; k < n; k++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            in[k] = (char)(1 + s % 255);
        }
        in[n] = '\0';
        hm_escape(in, i % 2 == 0, out, sizeof out);
        assert_true(safe(out));
    }
}

static void test_escape_fit_keeps_widths_exact(void **state)
{
    char out[256];
    assert_int_equal(hm_escape_width("abc"), 3);
    assert_int_equal(hm_escape_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* two wide characters */
    hm_escape_fit("GET /api/v1/users/search", 11, true, out, sizeof out);
    assert_string_equal(out, "GET /\xe2\x80\xa6" "earch");
    assert_int_equal(hm_escape_width(out), 11);
    hm_escape_fit("GET /api/v1/users/search", 11, false, out, sizeof out);
    assert_string_equal(out, "GET /~earch");
    /* wide characters that do not fit whole are padded, never split */
    for (int w = 1; w < 12; w++) {
        hm_escape_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe5\x90\x8d\xe5\x89\x8d",
                      w, true, out, sizeof out);
        assert_int_equal(hm_escape_width(out), w < 12 ? w : 12);
    }
    hm_escape_cut("status line text", 6, out, sizeof out);
    assert_string_equal(out, "status");
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_shows_controls_as_text),
        cmocka_unit_test(test_escape_rejects_malformed_utf8),
        cmocka_unit_test(test_escape_keeps_good_text_and_ascii_mode_escapes_it),
        cmocka_unit_test(test_escape_never_cuts_an_escape_in_half),
        cmocka_unit_test(test_escape_leaves_no_control_in_random_bytes),
        cmocka_unit_test(test_escape_fit_keeps_widths_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
