#include <stdlib.h>
#include <unistd.h>

#include "cli/config.h"
#include "cli/run.h"
#include "grade/grade.h"
#include "util/log.h"

/* argv -> config -> run -> exit status. The only place that exits. */
int main(int argc, char **argv)
{
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
