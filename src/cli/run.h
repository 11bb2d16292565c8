#pragma once

#include "cli/config.h"

/* Runs the command the config names and returns the process exit status
 * (GATE_* flags; 2 alone on a usage or configuration error). Writes the
 * report to stdout and diagnostics to stderr; never exits. */
int cli_run(const struct config *cfg);
