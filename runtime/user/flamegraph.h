/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * flamegraph.h - --flamegraph FILE.svg: the folded stacks a script prints,
 * drawn as an SVG flame graph when the tool exits (flamegraph.c).
 */
#ifndef STP_FLAMEGRAPH_H
#define STP_FLAMEGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Keep the folded lines of the output from now on, for an SVG at path; -1 (errno) if it cannot be made. */
int stp_flame_open(const char *path);
/* Output as it is written: its folded lines are kept (nothing without open). */
void stp_flame_feed(const char *s, size_t n);
/* One line, without its '\n': whether it is a folded stack (then kept). */
bool stp_flame_add_line(const char *s, size_t len);
/* The flame graph of the lines kept, as SVG into f; 0, or -1 if f failed. */
int stp_flame_write_svg(FILE *f);
/* At exit: the SVG written to the file open made; 0, or -1 if it could not be. */
int stp_flame_finish(void);

#endif /* STP_FLAMEGRAPH_H */
