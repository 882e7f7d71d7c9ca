/*
 * address.h - addresses as a user typed them, checked before ZeroMQ or
 * getaddrinfo see them.
 *
 * Both take a decimal port past 65535 modulo 65536: `--bind
 * tcp://127.0.0.1:99999` listened on 34463, and a client given the same
 * address connected there. And ZeroMQ binds ipc://PATH by first unlinking
 * whatever is at PATH: a regular file (as root, `--bind ipc:///etc/passwd`
 * deleted it) or the live socket of another collector, whose address it
 * then took without a word. The rest of an address is theirs to judge.
 * Shared by the client, the collector's sockets and its HTTP and UDP
 * listeners. Thread-safe.
 */
#ifndef HM_ADDRESS_H
#define HM_ADDRESS_H

#include <stdbool.h>

/* True when port is a TCP or UDP port: 1 to 5 decimal digits of value 0 to
 * 65535, or "*" (ZeroMQ's any port). */
bool hm_address_port_valid(const char *port);

/* True unless addr is a ZeroMQ tcp:// address whose port (after its last
 * ':') is not valid by hm_address_port_valid; other transports (ipc://,
 * inproc://) are left to ZeroMQ. */
bool hm_address_zmq_valid(const char *addr);

/* Before binding addr: 0 when it is not ipc://, or ipc://PATH with nothing at
 * PATH or a socket nobody listens on (left by a process that died: ZeroMQ
 * replaces it); EADDRINUSE when a process listens on PATH; EEXIST when PATH
 * is something else (a file, a directory), which must not be unlinked. */
int hm_address_ipc_free(const char *addr);

#endif
