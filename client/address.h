/*
 * address.h - the port of an address as a user typed it, checked before
 * ZeroMQ or getaddrinfo see it.
 *
 * Both take a decimal port past 65535 modulo 65536: `--bind
 * tcp://127.0.0.1:99999` listened on 34463, and a client given the same
 * address connected there. The rest of an address is theirs to judge.
 * Shared by the client, the collector's sockets and its HTTP and UDP
 * listeners. Pure functions, thread-safe.
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

#endif
