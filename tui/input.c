/*
 * input.c - keys into model changes (see input.h). Only curses' key codes
 * are used here, never its drawing.
 */
#include "input.h"

#include <curses.h>
#include <string.h>

#include "table.h"

#define ESC 27

/* The next sortable column after (dir 1) or before (dir -1) the current. */
static hm_col_t step_column(hm_col_t c, int dir)
{
    for (int i = 0; i < HM_COL__COUNT; i++) {
        c = (hm_col_t)(((int)c + dir + HM_COL__COUNT) % HM_COL__COUNT);
        if (hm_column(c)->sortable)
            return c;
    }
    return c;
}

static void sort_by(hm_model_t *m, hm_col_t c)
{
    if (c == m->sort) {
        m->descending = !m->descending;
    } else {
        m->sort = c;
        m->descending = c != HM_COL_NAME; /* biggest first, names A to Z */
    }
    hm_model_rebuild(m);
}

static void edit_filter(hm_model_t *m, int key)
{
    size_t len = strlen(m->filter_text);
    if (key == ESC) {
        m->editing = false;
        hm_model_set_filter(m, "");
    } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        m->editing = false;
        m->dirty = true;
    } else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        if (len == 0)
            return;
        /* remove a whole UTF-8 character */
        do
            len--;
        while (len > 0 && ((unsigned char)m->filter_text[len] & 0xC0) == 0x80);
        m->filter_text[len] = '\0';
        hm_model_set_filter(m, m->filter_text);
    } else if (key >= 32 && key < 256 && key != 127 && len + 1 < sizeof m->filter_text) {
        m->filter_text[len] = (char)key;
        m->filter_text[len + 1] = '\0';
        hm_model_set_filter(m, m->filter_text);
    }
}

void hm_input_key(hm_model_t *m, int key, int x, int y, int width)
{
    if (key == KEY_RESIZE) {
        m->dirty = true;
        return;
    }
    if (m->editing) {
        edit_filter(m, key);
        return;
    }
    if (m->screen == HM_SCREEN_HELP) {
        m->screen = HM_SCREEN_TABLE; /* any key closes the help */
        m->dirty = true;
        if (key != 'q')
            return;
    }
    long page = m->page > 1 ? m->page - 1 : 1;
    switch (key) {
    case 'q':
    case 'Q':
        m->quit = true;
        break;
    case '/':
        m->editing = true;
        m->screen = HM_SCREEN_TABLE;
        m->dirty = true;
        break;
    case ESC:
        if (m->screen != HM_SCREEN_TABLE)
            m->screen = HM_SCREEN_TABLE;
        else
            hm_model_set_filter(m, "");
        m->dirty = true;
        break;
    case '<':
    case ',':
        sort_by(m, step_column(m->sort, -1));
        break;
    case '>':
    case '.':
        sort_by(m, step_column(m->sort, 1));
        break;
    case 'I':
        m->descending = !m->descending;
        hm_model_rebuild(m);
        break;
    case '1':
    case '2':
    case '3':
    case '4':
        m->win = (hm_win_t)(key - '1');
        hm_model_rebuild(m);
        break;
    case ' ':
        m->paused = !m->paused;
        m->dirty = true;
        break;
    case 'r':
        m->want_reset = true;
        break;
    case 't':
        m->want_theme = true;
        break;
    case 's':
        m->want_snapshot = true;
        break;
    case '?':
    case 'h':
    case KEY_F(1):
        m->screen = HM_SCREEN_HELP;
        m->dirty = true;
        break;
    case '\n':
    case '\r':
    case KEY_ENTER:
        m->screen = m->screen == HM_SCREEN_DETAIL ? HM_SCREEN_TABLE : HM_SCREEN_DETAIL;
        m->dirty = true;
        break;
    case KEY_UP:
    case 'k':
        hm_model_move(m, -1);
        break;
    case KEY_DOWN:
    case 'j':
        hm_model_move(m, 1);
        break;
    case KEY_PPAGE:
        hm_model_move(m, -page);
        break;
    case KEY_NPAGE:
        hm_model_move(m, page);
        break;
    case KEY_HOME:
    case 'g':
        hm_model_move(m, -(long)m->view.nrows);
        break;
    case KEY_END:
    case 'G':
        hm_model_move(m, (long)m->view.nrows);
        break;
    case KEY_MOUSE:
        if (m->screen == HM_SCREEN_TABLE && y == HM_TABLE_HEADER_ROW) {
            int c = hm_table_column_at(width, m->view.baseline != NULL, x);
            if (c >= 0 && hm_column((hm_col_t)c)->sortable)
                sort_by(m, (hm_col_t)c);
        } else if (m->screen == HM_SCREEN_TABLE && y >= HM_TABLE_FIRST_ROW) {
            hm_model_move(m, (long)m->top + (y - HM_TABLE_FIRST_ROW) - (long)m->sel);
        }
        break;
    default:
        break;
    }
}
