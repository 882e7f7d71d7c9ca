/*
 * auth.h - CURVE authentication of the collector's sockets: its key pair,
 * the list of allowed client public keys, and the ZAP handler that checks
 * each connecting client against the list.
 *
 * Key files are text. A key pair file (written by hm_auth_keygen, mode
 * 0600) holds two lines, "public-key = Z85" and "secret-key = Z85"; FILE.pub
 * holds the public key alone. An allow list holds one Z85 public key (40
 * characters) a line; blank lines and lines starting with '#' are skipped.
 *
 * The ZAP handler (RFC 27) is a REP socket on inproc://zeromq.zap.01 of the
 * collector's ZeroMQ context; the collector's ingest thread polls it beside
 * its other sockets (collector.c), so its counters need no lock.
 */
#ifndef HM_AUTH_H
#define HM_AUTH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct hm_auth hm_auth_t;

/* Loads the key pair from secret_file and the allow list from allow_file.
 * Returns 0 and sets *out (the caller's, freed with hm_auth_destroy), or an
 * errno value with "FILE:LINE: what" in why: ENOTSUP when this libzmq has no
 * CURVE, EINVAL for a bad file, or the error reading it. */
int hm_auth_new(const char *secret_file, const char *allow_file, hm_auth_t **out, char *why,
                size_t why_len);
void hm_auth_destroy(hm_auth_t **self_p);

/* Allowed client keys loaded. */
size_t hm_auth_allowed(const hm_auth_t *a);

/* Makes sock a CURVE server with the collector's key pair (before bind).
 * Returns 0 or an errno value. */
int hm_auth_server(const hm_auth_t *a, void *sock);

/* Answers one ZAP request waiting on zap (a REP socket). Returns true when
 * a request was answered with a refusal (a key not on the list, or a
 * mechanism other than CURVE), false otherwise. */
bool hm_auth_handle(const hm_auth_t *a, void *zap);

/* Writes a new key pair to file (mode 0600, refused if it exists) and its
 * public key to file.pub. Returns 0 or an errno value with why. */
int hm_auth_keygen(const char *file, char *why, size_t why_len);

/* Reads a key pair file into public and secret (41 bytes each: Z85 and a
 * NUL). For clients and viewers that keep their keys in such a file too.
 * Returns 0 or an errno value with why. */
int hm_auth_read_pair(const char *file, char *public_z85, char *secret_z85, char *why,
                      size_t why_len);

#endif
