// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * identity.c - who is speaking: -v's level, and the name the tool's
 * messages begin with, set by the options and read by every file that
 * says something (a file of their own, so that none of those files has to
 * reach into another's to say who it is).
 */
#include "stp_internal.h"

int stp_verbosity;
const char *stp_tool_name = "tool";
