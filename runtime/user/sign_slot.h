/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * sign_slot.h - where a tool's signature lives: a slot of SIGN_SLOT_SIZE
 * bytes that is the whole ELF section SIGN_SECTION (layout: stapc/stapc.h,
 * sign.c section). stapc writes and checks it (stapc/sign.c); a tool checks
 * its own (verify.c). Both find it with sign_slot_find().
 */
#ifndef STP_SIGN_SLOT_H
#define STP_SIGN_SLOT_H

#include <stddef.h>

#define SIGN_SECTION ".stapc.sig"
#define SIGN_SLOT_SIZE 128
#define SIGN_MAGIC "STAPCSIG"

/* The slot's offset in the file image buf, through the section headers, or -1 with why. */
long sign_slot_find(const unsigned char *buf, size_t len, const char **why);

#endif
