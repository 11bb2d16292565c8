/* Test helper, preloaded into servers that cannot be told which address to
 * listen on (gnutls-serv binds the wildcard address): every bind() to an
 * IPv4 or IPv6 address is rewritten to the loopback address, so the
 * integration tests never expose a server beyond 127.0.0.1 / ::1.
 * Build: cc -shared -fPIC -o loopback_bind.so loopback_bind.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    bind_fn real = (bind_fn)dlsym(RTLD_NEXT, "bind");
    struct sockaddr_storage copy;

    if (addr == NULL || len > sizeof(copy)) {
        return real(fd, addr, len);
    }
    memcpy(&copy, addr, len);
    if (copy.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        ((struct sockaddr_in *)&copy)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (copy.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        ((struct sockaddr_in6 *)&copy)->sin6_addr = in6addr_loopback;
    }
    return real(fd, (const struct sockaddr *)&copy, len);
}
