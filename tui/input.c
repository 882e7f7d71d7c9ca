/*
 * input.c - keys into model changes (see input.h). Only curses' key codes
 * are used here, never its drawing.
 */
#include "input.h"

#include <assert.h>
#include <curses.h>
#include <string.h>

#include "table.h"

/* Keys curses leaves as plain bytes. */
enum { ESC = 27, CTRL_B = 2, CTRL_F = 6, CTRL_U = 21 };

/* The master copy of the keys. */
static const hm_binding_t bindings[] = {
    {HM_ACT_HELP, {'?', KEY_F(1)}, "?  F1", "this help (any key closes it)", "?:help"},
    {HM_ACT_FILTER,
     {'/'},
     "/",
     "live filter: text, ~regex, !negates; Enter keeps, Esc clears",
     "/:filter"},
    {HM_ACT_BACK, {ESC}, "Esc", "back from the detail view, or clear the filter", NULL},
    {HM_ACT_SORT_PREV,
     {'<', ','},
     "<  ,",
     "sort by the column to the left (or click a header)",
     "<>:sort"},
    {HM_ACT_SORT_NEXT, {'>', '.'}, ">  .", "sort by the column to the right", NULL},
    {HM_ACT_REVERSE, {'I'}, "I", "reverse the sort", "I:reverse"},
    {HM_ACT_WINDOW,
     {'1', '2', '3', '4'},
     "1 2 3 4",
     "window: 10 s, 1 min, 5 min, since start",
     "1-4:window"},
    {HM_ACT_PAUSE,
     {' '},
     "space",
     "pause the view (collection goes on); again to resume",
     "space:pause"},
    {HM_ACT_UP, {KEY_UP, 'k'}, "Up  k", "select the row above", NULL},
    {HM_ACT_DOWN, {KEY_DOWN, 'j'}, "Down  j", "select the row below", NULL},
    {HM_ACT_PAGE_UP, {KEY_PPAGE, CTRL_B}, "PgUp  ^B", "a page up", NULL},
    {HM_ACT_PAGE_DOWN, {KEY_NPAGE, CTRL_F}, "PgDn  ^F", "a page down", NULL},
    {HM_ACT_HOME, {KEY_HOME, 'g'}, "Home  g", "the first row", NULL},
    {HM_ACT_END, {KEY_END, 'G'}, "End  G", "the last row", NULL},
    {HM_ACT_DETAIL,
     {'\n', '\r', KEY_ENTER},
     "Enter",
     "detail: histogram, history, phases, statuses, slowest requests",
     "Enter:detail"},
    {HM_ACT_SNAPSHOT, {'s'}, "s", "snapshot: write the view as shown to a new file", "s:snapshot"},
    {HM_ACT_THEME, {'t'}, "t", "next colour theme", "t:theme"},
    {HM_ACT_RESET, {'r'}, "r", "reset the statistics (not the counters)", "r:reset"},
    {HM_ACT_QUIT, {'q', 'Q'}, "q", "quit", "q:quit"},
};

const hm_binding_t *hm_input_bindings(size_t *n)
{
    *n = sizeof bindings / sizeof bindings[0];
    return bindings;
}

/* The action of key, and the key's place among that action's codes. */
static hm_action_t lookup(int key, int *place)
{
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
        for (int c = 0; c < HM_INPUT_CODES && bindings[i].codes[c]; c++)
            if (bindings[i].codes[c] == key) {
                *place = c;
                return bindings[i].action;
            }
    return HM_ACT_NONE;
}

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

/* Sorts by c; sorting again by the same column reverses it (as a second
 * click on a header does in htop). */
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
    } else if (key == CTRL_U) {
        hm_model_set_filter(m, "");
    } else if (key >= 32 && key < 256 && key != 127 && len + 1 < sizeof m->filter_text) {
        /* bytes of a UTF-8 character arrive one by one, as getch gives them */
        m->filter_text[len] = (char)key;
        m->filter_text[len + 1] = '\0';
        hm_model_set_filter(m, m->filter_text);
    }
}

static void click(hm_model_t *m, int x, int y, int width)
{
    if (m->screen != HM_SCREEN_TABLE)
        return;
    if (y == HM_TABLE_HEADER_ROW) {
        int c = hm_table_column_at(width, m->view.baseline != NULL, x);
        if (c >= 0 && hm_column((hm_col_t)c)->sortable)
            sort_by(m, (hm_col_t)c);
    } else if (y >= HM_TABLE_FIRST_ROW && y - HM_TABLE_FIRST_ROW < m->page) {
        size_t row = m->top + (size_t)(y - HM_TABLE_FIRST_ROW);
        if (row < m->view.nrows)
            hm_model_move(m, (long)row - (long)m->sel);
    }
}

void hm_input_key(hm_model_t *m, int key, int x, int y, int width)
{
    assert(m);
    if (key == KEY_RESIZE) {
        m->dirty = true;
        return;
    }
    if (m->editing) {
        edit_filter(m, key);
        return;
    }
    if (m->screen == HM_SCREEN_HELP) {
        m->screen = HM_SCREEN_TABLE; /* any key closes the help, and only that */
        m->dirty = true;
        return;
    }
    if (key == KEY_MOUSE) {
        click(m, x, y, width);
        return;
    }
    long page = m->page > 1 ? m->page - 1 : 1;
    int place = 0;
    switch (lookup(key, &place)) {
    case HM_ACT_QUIT:
        m->quit = true;
        break;
    case HM_ACT_FILTER:
        m->editing = true;
        m->screen = HM_SCREEN_TABLE;
        m->dirty = true;
        break;
    case HM_ACT_BACK:
        if (m->screen != HM_SCREEN_TABLE)
            m->screen = HM_SCREEN_TABLE;
        else
            hm_model_set_filter(m, "");
        m->dirty = true;
        break;
    case HM_ACT_SORT_PREV:
        sort_by(m, step_column(m->sort, -1));
        break;
    case HM_ACT_SORT_NEXT:
        sort_by(m, step_column(m->sort, 1));
        break;
    case HM_ACT_REVERSE:
        m->descending = !m->descending;
        hm_model_rebuild(m);
        break;
    case HM_ACT_WINDOW:
        m->win = (hm_win_t)place;
        hm_model_rebuild(m);
        break;
    case HM_ACT_PAUSE:
        m->paused = !m->paused;
        m->dirty = true;
        break;
    case HM_ACT_RESET:
        m->want_reset = true;
        break;
    case HM_ACT_THEME:
        m->want_theme = true;
        break;
    case HM_ACT_SNAPSHOT:
        m->want_snapshot = true;
        break;
    case HM_ACT_HELP:
        m->screen = HM_SCREEN_HELP;
        m->dirty = true;
        break;
    case HM_ACT_DETAIL:
        m->screen = m->screen == HM_SCREEN_DETAIL ? HM_SCREEN_TABLE : HM_SCREEN_DETAIL;
        m->dirty = true;
        break;
    case HM_ACT_UP:
        hm_model_move(m, -1);
        break;
    case HM_ACT_DOWN:
        hm_model_move(m, 1);
        break;
    case HM_ACT_PAGE_UP:
        hm_model_move(m, -page);
        break;
    case HM_ACT_PAGE_DOWN:
        hm_model_move(m, page);
        break;
    case HM_ACT_HOME:
        hm_model_move(m, -(long)m->view.nrows);
        break;
    case HM_ACT_END:
        hm_model_move(m, (long)m->view.nrows);
        break;
    case HM_ACT_NONE:
    case HM_ACT__COUNT:
        break;
    }
}
