/*
 * address.c - ports of addresses as users typed them (see address.h).
 */
#include "address.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

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

int hm_address_ipc_free(const char *addr)
{
    if (strncmp(addr, "ipc://", 6) != 0 || !strcmp(addr + 6, "*"))
        return 0;
    const char *path = addr + 6;
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0; /* nothing there (or nothing we may see): ZeroMQ says */
    if (!S_ISSOCK(st.st_mode))
        return EEXIST;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return 0; /* ZeroMQ refuses it: too long */
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 ? EADDRINUSE : 0;
    close(fd);
    return rc;
}
