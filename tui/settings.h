/*
 * settings.h - hotmon's settings: command-line flags and the config file.
 *
 * One table (settings.c) is the master copy of every option: its flags, its
 * config-file key (the long name), its argument, range, default, check and
 * help. It drives the defaults, getopt_long, --help and the config file;
 * docs/hotmon.1 follows it (tests/once.sh checks every option is there).
 * Parsing is pure: nothing is printed, errors come back as an errno value and
 * a message naming the option and what it accepts. Not thread-safe (getopt).
 */
#ifndef HM_SETTINGS_H
#define HM_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "export.h"
#include "view.h"

#define HM_SETTINGS_OWNED_MAX 32

typedef struct {
    const char *bind;            /* the embedded collector's address */
    const char *connect;         /* a remote collector's PUB address, or NULL */
    bool demo;
    bool once;
    double after_s;              /* --once: seconds to collect */
    hm_format_t format;          /* --once output */
    const char *filter;
    hm_col_t sort;
    bool reverse;                /* flips the sort's natural direction */
    hm_win_t window;
    const char *theme;
    unsigned refresh_ms;
    const char *snapshot_dir;
    hm_format_t snapshot_format;
    const char *snapshot;        /* --once: write here instead of stdout */
    const char *baseline;
    const char *slo;             /* SLO rules file */
    const char *events;          /* SLO events appended here */
    const char *report;          /* the soak report, written at the end */
    bool help, version;
    size_t nowned;
    char *owned[HM_SETTINGS_OWNED_MAX]; /* strings from the config file */
} hm_settings_t;

/* Fills s with the defaults from the table. */
void hm_settings_defaults(hm_settings_t *s);

/* Frees the strings s owns. */
void hm_settings_fini(hm_settings_t *s);

/* Applies the command line over what s holds. Returns 0, or EINVAL with a
 * message in why ("--window: '2m' is not one of 10s, 1m, 5m or all"; "unknown
 * option '--x'"; "--snapshot: goes with --once ..."). argv strings are
 * borrowed for the life of s; getopt may reorder argv. */
int hm_settings_parse_args(hm_settings_t *s, int argc, char **argv, char *why, size_t why_len);

/* Applies a config file of "key = value" lines over what s holds (keys are
 * long option names but once, snapshot, help and version; flags take
 * true/false, yes/no, on/off or 1/0; '#' starts a comment). Returns 0, ENOENT
 * when there is no such file (why untouched), EINVAL with "PATH:LINE: message"
 * in why, or another errno with "PATH: message". Stops at the first bad line;
 * the lines before it stay applied. */
int hm_settings_load_file(hm_settings_t *s, const char *path, char *why, size_t why_len);

/* A file in the config folder, such as "config" or "slo.rules":
 * $XDG_CONFIG_HOME/hotmon/FILE, else $HOME/.config/hotmon/FILE. Writes into
 * buf; returns buf, or NULL when neither variable is set. */
const char *hm_settings_config_path(const char *file, char *buf, size_t n);

/* Whether the sort is descending: numbers biggest first, names A to Z,
 * each flipped by --reverse. */
bool hm_settings_descending(const hm_settings_t *s);

/* --help, from the table. */
void hm_settings_usage(FILE *out);

#endif
