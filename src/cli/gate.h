#pragma once

#include "results/scan_results.h"

/* The exit status, from each target's flags (GATE_* in grade/grade.h). */

/* This target's flags: what grade_scan() and the client check found, plus
 * GATE_INCOMPLETE for anything that did not finish (an unreachable target, an
 * inconclusive protocol, a broken enumeration, an inconclusive client), so a
 * scan that could not finish never passes. GATE_USAGE is never a target flag. */
unsigned gate_target_flags(const struct scan_results *r, unsigned verdict_flags,
                           unsigned reach_flags);

/* The process exit status so far, OR-ed with one more target's flags. */
unsigned gate_exit_combine(unsigned exit_so_far, unsigned target_flags);
