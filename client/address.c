/*
 * address.c - ports of addresses as users typed them (see address.h).
 */
#include "address.h"

#include <string.h>

bool hm_address_port_valid(const char *port)
{
    if (!strcmp(port, "*"))
        return true;
    unsigned long v = 0;
    size_t n = 0;
    for (; port[n] >= '0' && port[n] <= '9' && n < 6; n++)
        v = v * 10 + (unsigned long)(port[n] - '0');
    return n > 0 && n < 6 && port[n] == '\0' && v <= 65535;
}

bool hm_address_zmq_valid(const char *addr)
{
    if (strncmp(addr, "tcp://", 6) != 0)
        return true;
    const char *colon = strrchr(addr + 6, ':');
    return colon && hm_address_port_valid(colon + 1);
}
