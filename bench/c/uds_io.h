/*
 * What the Unix-socket bench peers that block on their sockets share (uds_push.c, uds_stream.c):
 * moving an exact number of bytes, and a socket address from a path.
 */
#ifndef UDS_IO_H
#define UDS_IO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

/* Reads or writes exactly len bytes; -1 if the peer left or the call failed. */
static int io_all(int fd, uint8_t *buf, size_t len, int writing)
{
    while (len > 0) {
        ssize_t n = writing ? write(fd, buf, len) : read(fd, buf, len);
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t) n;
    }
    return 0;
}

static struct sockaddr_un address(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    return addr;
}

#endif
