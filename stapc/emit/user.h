/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user.h - what emit/user.c and emit/user_expr.c share beyond stapc.h. */
#ifndef STAPC_EMIT_USER_H
#define STAPC_EMIT_USER_H

#include "../stapc.h"

/* The statements one pass through s runs, as stap's MAXACTION counts them. */
int ugen_actions(const struct stmt *s);
/* Where an error happened, as a C string: " near NEAR at FILE:LINE:COL". */
const char *ugen_where(const char *near, const struct loc *loc);

#endif /* STAPC_EMIT_USER_H */
