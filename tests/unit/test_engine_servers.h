#pragma once

/* Helpers shared by the engine and checks unit tests: a certificate made at
 * test time, free loopback ports, and real `openssl s_server` processes on
 * 127.0.0.1. Header-only so that each test executable stays one file. */

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct test_dir {
    char path[128];
    char cert[192];
    char key[192];
};

static inline bool test_dir_make(struct test_dir *d, const char *newkey)
{
    snprintf(d->path, sizeof(d->path), "/tmp/tlsgate-test-XXXXXX");
    if (mkdtemp(d->path) == NULL) {
        return false;
    }
    snprintf(d->cert, sizeof(d->cert), "%s/cert.pem", d->path);
    snprintf(d->key, sizeof(d->key), "%s/key.pem", d->path);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey %s -nodes -keyout %s -out %s -subj /CN=localhost "
             "-days 30 >/dev/null 2>&1",
             newkey, d->key, d->cert);
    return system(cmd) == 0;
}

static inline void test_dir_remove(struct test_dir *d)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", d->path);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", d->path);
    }
}

/* A port nobody listens on right now (bind to 0, read it back, close). */
static inline unsigned short test_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return 0;
    }
    close(fd);
    return ntohs(a.sin_port);
}

static inline bool test_port_open(unsigned short port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* Starts `openssl s_server -accept 127.0.0.1:port -cert -key -www -quiet`
 * plus extra args (NULL-terminated), waits until it listens. Returns the pid,
 * or -1. */
static inline pid_t test_s_server_start(const struct test_dir *d, unsigned short port,
                                        const char *const *extra)
{
    char accept[32];
    snprintf(accept, sizeof(accept), "127.0.0.1:%u", port);
    const char *argv[40] = {"openssl", "s_server", "-accept", accept, "-cert",
                            d->cert,   "-key",     d->key,    "-www", "-quiet"};
    size_t n = 10;
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 39; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", 0);
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execvp("openssl", (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; pid > 0 && i < 100; i++) {
        if (test_port_open(port)) {
            return pid;
        }
        struct timespec ts = {0, 30 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return -1;
}

static inline void test_server_stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}
