#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/config.h"
#include "cli/run.h"
#include "grade/grade.h"
#include "util/log.h"

/* A closed stdin, stdout or stderr would hand fds 0-2 to the first sockets:
 * libuv refuses to close those (an assertion, so an abort), and a report
 * written to "stdout" would go to a server. Each closed one gets /dev/null,
 * which open() gives the lowest free fd, i.e. that one. False when /dev/null
 * cannot be opened. */
static bool main_stdio_ensure(void)
{
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF && open("/dev/null", O_RDWR) != fd) {
            return false;
        }
    }
    return true;
}

/* argv -> config -> run -> exit status. The only place that exits. */
int main(int argc, char **argv)
{
    if (!main_stdio_ensure()) {
        exit(GATE_USAGE);
    }

    struct config cfg;
    char err[512];
    if (cli_config_parse(argc, argv, getenv("NO_COLOR"), &cfg, err, sizeof(err)) != ST_OK) {
        fprintf(stderr, "tlsgate: %s\n", err);
        exit(GATE_USAGE);
    }

    enum log_level level = cfg.quiet ? LOG_ERROR : LOG_WARN + (cfg.verbose > 3 ? 3 : cfg.verbose);
    log_setup(level, !cfg.no_color && isatty(STDERR_FILENO));

    exit(cli_run(&cfg));
}
