/*
 * auth.c - CURVE key files, the allow list and the ZAP handler (see auth.h).
 */
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "textfile.h"

#define Z85_LEN 40
#define KEY_LEN 32

struct hm_auth {
    char public_z85[Z85_LEN + 1], secret_z85[Z85_LEN + 1];
    size_t nallowed;
    uint8_t (*allowed)[KEY_LEN]; /* owned */
};

/* A Z85 key of exactly 40 characters into 32 bytes. */
static bool decode_key(const char *z85, size_t len, uint8_t key[KEY_LEN])
{
    char buf[Z85_LEN + 1];
    if (len != Z85_LEN)
        return false;
    memcpy(buf, z85, Z85_LEN);
    buf[Z85_LEN] = '\0';
    return zmq_z85_decode(key, buf) != NULL;
}

/* The line without surrounding blanks: *start and its length. */
static size_t trim(char *line, char **start)
{
    char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    s[n] = '\0';
    *start = s;
    return n;
}

typedef struct {
    char *public_z85, *secret_z85;
} pair_t;

static int pair_line(void *ctx, char *line, char *why, size_t why_len)
{
    pair_t *p = ctx;
    char *s;
    if (trim(line, &s) == 0 || s[0] == '#')
        return 0;
    char *eq = strchr(s, '=');
    char *val = eq ? eq + 1 : NULL;
    size_t klen = eq ? (size_t)(eq - s) : 0;
    while (klen && s[klen - 1] == ' ')
        klen--;
    while (val && *val == ' ')
        val++;
    uint8_t key[KEY_LEN];
    char *dst = !eq ? NULL
                : klen == 10 && strncmp(s, "public-key", 10) == 0 ? p->public_z85
                : klen == 10 && strncmp(s, "secret-key", 10) == 0 ? p->secret_z85
                                                                    : NULL;
    if (!dst || !decode_key(val, strlen(val), key)) {
        snprintf(why, why_len,
                 "expected 'public-key = KEY' or 'secret-key = KEY' with a 40-character Z85 key");
        return EINVAL;
    }
    memcpy(dst, val, Z85_LEN + 1);
    return 0;
}

int hm_auth_read_pair(const char *file, char *public_z85, char *secret_z85, char *why,
                      size_t why_len)
{
    public_z85[0] = secret_z85[0] = '\0';
    pair_t p = {public_z85, secret_z85};
    int rc = hm_text_read(file, pair_line, &p, why, why_len);
    if (!rc && (!public_z85[0] || !secret_z85[0])) {
        snprintf(why, why_len, "%s: needs both public-key and secret-key (hotmon-collector "
                               "--keygen writes such a file)", file);
        rc = EINVAL;
    }
    return rc;
}

typedef struct {
    hm_auth_t *a;
    size_t cap; /* keys a->allowed has room for */
} allow_t;

static int allow_line(void *ctx, char *line, char *why, size_t why_len)
{
    allow_t *l = ctx;
    hm_auth_t *a = l->a;
    char *s;
    size_t n = trim(line, &s);
    if (n == 0 || s[0] == '#')
        return 0;
    uint8_t key[KEY_LEN];
    if (!decode_key(s, n, key)) {
        snprintf(why, why_len, "expected a 40-character Z85 public key");
        return EINVAL;
    }
    if (a->nallowed == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        void *p = realloc(a->allowed, cap * sizeof *a->allowed);
        if (!p) {
            snprintf(why, why_len, "out of memory");
            return ENOMEM;
        }
        a->allowed = p;
        l->cap = cap;
    }
    memcpy(a->allowed[a->nallowed++], key, KEY_LEN);
    return 0;
}

static int read_allow(hm_auth_t *a, const char *file, char *why, size_t why_len)
{
    allow_t l = {a, 0};
    int rc = hm_text_read(file, allow_line, &l, why, why_len);
    if (!rc && a->nallowed == 0) {
        snprintf(why, why_len, "%s: no key: an empty allow list would refuse every client", file);
        rc = EINVAL;
    }
    return rc;
}

int hm_auth_new(const char *secret_file, const char *allow_file, hm_auth_t **out, char *why,
                size_t why_len)
{
    if (!zmq_has("curve")) {
        snprintf(why, why_len, "this libzmq was built without CURVE");
        return ENOTSUP;
    }
    hm_auth_t *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(why, why_len, "out of memory");
        return ENOMEM;
    }
    int rc = hm_auth_read_pair(secret_file, a->public_z85, a->secret_z85, why, why_len);
    if (!rc)
        rc = read_allow(a, allow_file, why, why_len);
    if (rc) {
        hm_auth_destroy(&a);
        return rc;
    }
    *out = a;
    return 0;
}

void hm_auth_destroy(hm_auth_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hm_auth_t *a = *self_p;
    explicit_bzero(a->secret_z85, sizeof a->secret_z85);
    free(a->allowed);
    free(a);
    *self_p = NULL;
}

size_t hm_auth_allowed(const hm_auth_t *a)
{
    return a->nallowed;
}

int hm_auth_server(const hm_auth_t *a, void *sock)
{
    int one = 1;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, a->secret_z85, Z85_LEN) != 0 ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "hotmon", 6) != 0)
        return errno;
    return 0;
}

/* ZAP request frames (RFC 27): version, request id, domain, address,
 * identity, mechanism, then the mechanism's credentials (CURVE: the
 * client's 32-byte public key). */
#define ZAP_FRAMES 7

bool hm_auth_handle(const hm_auth_t *a, void *zap)
{
    zmq_msg_t part[ZAP_FRAMES];
    int n = 0;
    /* Read the whole request whatever its shape, so REP stays in step;
     * frames beyond the seventh are read and dropped. */
    for (bool more = true; more;) {
        zmq_msg_t scratch, *m = n < ZAP_FRAMES ? &part[n] : &scratch;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, zap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            if (n == 0)
                return false; /* nothing was waiting */
            break;
        }
        more = zmq_msg_more(m);
        if (n < ZAP_FRAMES)
            n++;
        else
            zmq_msg_close(m);
    }
    bool ok = false;
    if (n == ZAP_FRAMES && zmq_msg_size(&part[5]) == 5 &&
        memcmp(zmq_msg_data(&part[5]), "CURVE", 5) == 0 && zmq_msg_size(&part[6]) == KEY_LEN)
        for (size_t i = 0; i < a->nallowed && !ok; i++)
            ok = memcmp(zmq_msg_data(&part[6]), a->allowed[i], KEY_LEN) == 0;
    const char *code = ok ? "200" : "400";
    const char *text = ok ? "OK" : "key not allowed";
    zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
    if (n > 1)
        zmq_send(zap, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), ZMQ_SNDMORE);
    else
        zmq_send(zap, "", 0, ZMQ_SNDMORE);
    zmq_send(zap, code, 3, ZMQ_SNDMORE);
    zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(zap, "", 0, ZMQ_SNDMORE); /* user id */
    zmq_send(zap, "", 0, 0);           /* metadata */
    for (int i = 0; i < n; i++)
        zmq_msg_close(&part[i]);
    return !ok;
}

int hm_auth_keygen(const char *file, char *why, size_t why_len)
{
    char pub[Z85_LEN + 1], sec[Z85_LEN + 1];
    if (zmq_curve_keypair(pub, sec) != 0) {
        int rc = errno;
        snprintf(why, why_len, "cannot make a key pair: %s", zmq_strerror(rc));
        return rc;
    }
    char pubfile[4200];
    snprintf(pubfile, sizeof pubfile, "%s.pub", file);
    const char *files[2] = {file, pubfile};
    mode_t modes[2] = {0600, 0644};
    char text[2][200];
    snprintf(text[0], sizeof text[0],
             "# hotmon CURVE key pair: keep this file private\npublic-key = %s\nsecret-key = %s\n",
             pub, sec);
    snprintf(text[1], sizeof text[1], "%s\n", pub);
    explicit_bzero(sec, sizeof sec);
    for (int i = 0; i < 2; i++) {
        int fd = open(files[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, modes[i]);
        size_t len = strlen(text[i]);
        int rc = fd < 0 ? errno : 0;
        if (!rc && (write(fd, text[i], len) != (ssize_t)len || fsync(fd) != 0))
            rc = errno ? errno : EIO;
        if (fd >= 0 && close(fd) != 0 && !rc)
            rc = errno;
        if (rc) {
            snprintf(why, why_len, "%s: %s", files[i], strerror(rc));
            explicit_bzero(text[0], sizeof text[0]);
            if (fd >= 0) /* ours: made just now */
                unlink(files[i]);
            if (i == 1)
                unlink(files[0]);
            return rc;
        }
    }
    explicit_bzero(text[0], sizeof text[0]);
    return 0;
}
