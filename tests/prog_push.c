/*
 * tests/prog_push.c - sends raw messages on a ZeroMQ PUSH socket, for shell
 * tests that need a peer sending bytes no client would (a garbage frame).
 *
 *   prog_push ADDRESS MESSAGE...
 *
 * Each MESSAGE is sent as one single-part message, as given. Waits up to
 * 5 s for them to go out; exits 0 when they did, 1 when not, 2 on bad
 * arguments.
 */
#include <stdio.h>
#include <string.h>

#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: prog_push ADDRESS MESSAGE...\n");
        return 2;
    }
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    int linger = 5000, timeout = 5000;
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(push, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    int status = 0;
    if (zmq_connect(push, argv[1]) != 0) {
        fprintf(stderr, "prog_push: %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
        status = 2;
    }
    for (int i = 2; i < argc && status == 0; i++)
        if (zmq_send(push, argv[i], strlen(argv[i]), 0) < 0)
            status = 1;
    zmq_close(push); /* lingers until sent, at most 5 s */
    zmq_ctx_term(ctx);
    return status;
}
