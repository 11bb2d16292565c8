#include "cli/outfile.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary file a signal must remove. A process-wide setting: filled
 * before the event loop starts, and read only by the signal handler, which
 * may run on any thread at any time, hence a fixed buffer and a flag. */
static char outfile_pending[PATH_MAX];
static volatile sig_atomic_t outfile_armed;

static const int outfile_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_OUTFILE_SIGNALS (sizeof(outfile_signals) / sizeof(outfile_signals[0]))

/* Only async-signal-safe calls. Once the temporary file has been renamed
 * the unlink finds nothing, so a signal during the rename cannot remove the
 * new report. SA_RESETHAND restored the default action: raise() dies of it. */
static void outfile_on_signal(int sig)
{
    if (outfile_armed) {
        unlink(outfile_pending);
    }
    raise(sig);
}

static void outfile_signals_block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < N_OUTFILE_SIGNALS; i++) {
        sigaddset(&set, outfile_signals[i]);
    }
    sigprocmask(SIG_BLOCK, &set, old);
}

/* Catches each signal that would kill the process; one that is ignored
 * (nohup, a background job of a script) stays ignored. */
static void outfile_signals_catch(void)
{
    for (size_t i = 0; i < N_OUTFILE_SIGNALS; i++) {
        struct sigaction old;
        if (sigaction(outfile_signals[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL) {
            continue;
        }
        struct sigaction sa = {.sa_handler = outfile_on_signal, .sa_flags = SA_RESETHAND};
        sigemptyset(&sa.sa_mask);
        sigaction(outfile_signals[i], &sa, NULL);
    }
}

static void outfile_signals_release(void)
{
    outfile_armed = 0;
    for (size_t i = 0; i < N_OUTFILE_SIGNALS; i++) {
        struct sigaction old;
        if (sigaction(outfile_signals[i], NULL, &old) == 0 && old.sa_handler == outfile_on_signal) {
            signal(outfile_signals[i], SIG_DFL);
        }
    }
}

/* dest: the path, or the file a symbolic link names; in_place for a path
 * that exists and is not a regular file. */
static enum status outfile_dest_find(struct cli_outfile *o, const char *path)
{
    struct stat st;
    char real[PATH_MAX];
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && realpath(path, real) != NULL) {
        path = real;
    }
    o->in_place = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
    if ((size_t)snprintf(o->dest, sizeof(o->dest), "%s", path) >= sizeof(o->dest)) {
        errno = ENAMETOOLONG;
        return ST_IO;
    }
    return ST_OK;
}

/* Removes the temporary file (fd open, or -1) and stops catching signals;
 * errno is kept for the caller's message. */
static void outfile_temp_drop(int fd)
{
    int saved = errno;
    if (fd >= 0) {
        close(fd);
    }
    unlink(outfile_pending);
    outfile_signals_release();
    errno = saved;
}

/* Signals are blocked while the file is created and the handler armed, so
 * that none can leave it behind. The process has one thread until the event
 * loop starts, so sigprocmask is enough. */
static int outfile_temp_create(const char *dest)
{
    if ((size_t)snprintf(outfile_pending, sizeof(outfile_pending), "%s.XXXXXX", dest) >=
        sizeof(outfile_pending)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    sigset_t old;
    outfile_signals_block(&old);
    outfile_signals_catch();
    int fd = mkstemp(outfile_pending);
    outfile_armed = fd >= 0;
    int saved = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        outfile_signals_release();
        errno = saved;
        return -1;
    }

    /* mkstemp creates 0600; a report is as readable as any file the user
     * creates. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        outfile_temp_drop(fd);
        return -1;
    }
    return fd;
}

enum status cli_outfile_open(struct cli_outfile *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    if (outfile_dest_find(o, path) != ST_OK) {
        goto fail;
    }
    if (o->in_place) {
        o->f = fopen(o->dest, "w");
    } else {
        int fd = outfile_temp_create(o->dest);
        o->f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && o->f == NULL) {
            outfile_temp_drop(fd);
        }
    }
    if (o->f != NULL) {
        return ST_OK;
    }
fail:
    snprintf(err, errlen, "cannot write the JSON report to %s: %s.", path, strerror(errno));
    return ST_USAGE;
}

/* Flushes (to disk too when `sync`) and closes f; false, errno set, when any
 * of it failed. */
static bool outfile_finish(FILE *f, bool sync)
{
    bool ok = fflush(f) == 0 && (!sync || fsync(fileno(f)) == 0);
    int saved = errno;
    if (fclose(f) != 0) {
        return false;
    }
    errno = saved;
    return ok;
}

enum status cli_outfile_close(struct cli_outfile *o, bool complete, char *err, size_t errlen)
{
    if (o->f == NULL) {
        return ST_OK;
    }
    bool ok = outfile_finish(o->f, complete && !o->in_place);
    o->f = NULL;
    if (o->in_place) {
        if (complete && !ok) {
            snprintf(err, errlen, "could not finish writing %s: %s.", o->dest, strerror(errno));
            return ST_IO;
        }
        return ST_OK;
    }
    if (ok && complete && rename(outfile_pending, o->dest) == 0) {
        outfile_signals_release();
        return ST_OK;
    }
    outfile_temp_drop(-1);
    if (complete) {
        snprintf(err, errlen, "could not finish writing %s (%s); it is left as it was.", o->dest,
                 strerror(errno));
        return ST_IO;
    }
    return ST_OK;
}
