/*
 * escape.c - names off the wire made safe to draw and write (see escape.h).
 *
 * UTF-8 is decoded here, not by the C library, so the result does not depend
 * on the locale: every byte that is not part of a well-formed, harmless
 * character comes out as a visible escape.
 */
#include "escape.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* Decodes one well-formed UTF-8 character at s (n bytes left): returns its
 * length and sets *cp, or 0 when the bytes are not well-formed UTF-8
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static int decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    int len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if ((b & 0xE0) == 0xC0) {
        len = 2, c = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3, c = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
        len = 4, c = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)len > n)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Characters that are well-formed but must not reach a terminal as they are:
 * C1 controls, bidi marks, embeddings, overrides and isolates, zero-width and
 * invisible characters (fillers and tags that render as nothing, so two
 * names could look alike), line and paragraph separators. Inclusive ranges. */
static const struct {
    uint32_t lo, hi;
} hidden_ranges[] = {
    {0x0080, 0x009F},   /* C1 controls, CSI 0x9B among them */
    {0x00AD, 0x00AD},   /* soft hyphen */
    {0x034F, 0x034F},   /* combining grapheme joiner */
    {0x061C, 0x061C},   /* Arabic letter mark */
    {0x115F, 0x1160},   /* Hangul fillers */
    {0x17B4, 0x17B5},   /* Khmer inherent vowels */
    {0x180B, 0x180F},   /* Mongolian variation selectors, vowel separator */
    {0x200B, 0x200F},   /* zero-width space, joiners, LRM, RLM */
    {0x2028, 0x202E},   /* line and paragraph separators, embeddings, overrides */
    {0x2060, 0x206F},   /* word joiner, invisible operators, isolates, deprecated formats */
    {0x3164, 0x3164},   /* Hangul filler */
    {0xFEFF, 0xFEFF},   /* zero-width no-break space (BOM) */
    {0xFFA0, 0xFFA0},   /* halfwidth Hangul filler */
    {0xFFF9, 0xFFFB},   /* interlinear annotation */
    {0x1D173, 0x1D17A}, /* musical formatting */
    {0xE0000, 0xE007F}, /* tags */
};

static bool hidden(uint32_t c)
{
    for (size_t i = 0; i < sizeof hidden_ranges / sizeof hidden_ranges[0]; i++)
        if (c >= hidden_ranges[i].lo && c <= hidden_ranges[i].hi)
            return true;
    return false;
}

char *hm_escape(const char *src, bool utf8, char *dst, size_t n)
{
    if (n == 0)
        return dst;
    const unsigned char *s = (const unsigned char *)src;
    size_t left = strlen(src), o = 0;
    while (left > 0) {
        char piece[16];
        size_t plen;
        uint32_t cp;
        int len = decode(s, left, &cp);
        if (len == 0) {
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", s[0]);
            len = 1;
        } else if (cp < 0x20 || cp == 0x7F) {
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", cp);
        } else if (cp >= 0x80 && (!utf8 || hidden(cp))) {
            plen = (size_t)snprintf(piece, sizeof piece, cp > 0xFFFF ? "\\U%08x" : "\\u%04x", cp);
        } else {
            memcpy(piece, s, (size_t)len);
            plen = (size_t)len;
        }
        if (o + plen >= n)
            break; /* never a half escape or half a character */
        memcpy(dst + o, piece, plen);
        o += plen;
        s += len;
        left -= (size_t)len;
    }
    dst[o] = '\0';
    return dst;
}

/* Cells a code point takes: the C library's answer where the locale gives
 * one, else East Asian wide ranges as 2 and combining marks as 0. */
static int cp_width(uint32_t c)
{
    int w = c < 0x80 ? 1 : wcwidth((wchar_t)c);
    if (w >= 0)
        return w;
    if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
        (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
        (c >= 0xFE20 && c <= 0xFE2F))
        return 0;
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
        (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
        (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

int hm_escape_width(const char *escaped)
{
    const unsigned char *s = (const unsigned char *)escaped;
    size_t left = strlen(escaped);
    int w = 0;
    while (left > 0) {
        uint32_t cp;
        int len = decode(s, left, &cp);
        if (len == 0) {
            len = 1;
            cp = '?';
        }
        w += cp_width(cp);
        s += len;
        left -= (size_t)len;
    }
    return w;
}

/* Copies whole characters from s while they fit in `cells`; returns bytes
 * copied into dst (at most room-1) and the cells used through *used. */
static size_t take(const unsigned char *s, size_t len, int cells, char *dst, size_t room, int *used)
{
    size_t o = 0;
    *used = 0;
    while (o < len) {
        uint32_t cp;
        int l = decode(s + o, len - o, &cp);
        if (l == 0)
            l = 1, cp = '?';
        int w = cp_width(cp);
        if (*used + w > cells || o + (size_t)l >= room)
            break;
        memcpy(dst + o, s + o, (size_t)l);
        o += (size_t)l;
        *used += w;
    }
    return o;
}

char *hm_escape_fit(const char *escaped, int width, bool utf8, char *dst, size_t n)
{
    if (n == 0)
        return dst;
    dst[0] = '\0';
    if (width <= 0)
        return dst;
    size_t len = strlen(escaped);
    if (hm_escape_width(escaped) <= width) {
        int used;
        dst[take((const unsigned char *)escaped, len, width, dst, n, &used)] = '\0';
        return dst;
    }
    const char *ell = utf8 ? "\xe2\x80\xa6" : "~";
    int left_cells = (width - 1 + 1) / 2, right_cells = width - 1 - left_cells;
    int used;
    size_t o = take((const unsigned char *)escaped, len, left_cells, dst, n, &used);
    /* The tail: the longest suffix of whole characters within right_cells. */
    size_t start = len;
    int tail = 0;
    while (start > 0) {
        size_t p = start - 1;
        while (p > 0 && ((unsigned char)escaped[p] & 0xC0) == 0x80)
            p--;
        uint32_t cp;
        int l = decode((const unsigned char *)escaped + p, len - p, &cp);
        int w = l ? cp_width(cp) : 1;
        if (tail + w > right_cells)
            break;
        tail += w;
        start = p;
    }
    /* Pad with spaces when a wide character did not fit, so the width is exact. */
    int pad = width - 1 - used - tail;
    size_t need = strlen(ell) + (size_t)pad + (len - start);
    if (o + need >= n) {
        dst[o] = '\0'; /* no room for the cut: the head alone, still whole characters */
        return dst;
    }
    for (int i = 0; i < pad; i++)
        dst[o++] = ' ';
    memcpy(dst + o, ell, strlen(ell));
    o += strlen(ell);
    memcpy(dst + o, escaped + start, len - start);
    o += len - start;
    dst[o] = '\0';
    return dst;
}

char *hm_escape_cut(const char *escaped, int width, char *dst, size_t n)
{
    if (n == 0)
        return dst;
    int used;
    dst[take((const unsigned char *)escaped, strlen(escaped), width > 0 ? width : 0, dst, n,
             &used)] = '\0';
    return dst;
}
