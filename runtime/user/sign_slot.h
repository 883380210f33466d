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

/*
 * The trust record (--trust): which key the tool must be signed with to
 * run. It is written fail-closed, so that no change of one byte, nor of a
 * few, can turn the check off: the magic, then the key (42 bytes: "Ed",
 * key id, public key, or all zeros for "no key"), then its complement.
 * Anything else is a damaged record, and the tool refuses to run. The
 * record lies in the signed bytes like the rest of the file.
 */
#define TRUST_MAGIC "STPTRUST"
#define TRUST_KEY_LEN 42
#define TRUST_RECORD_SIZE (8 + 2 * TRUST_KEY_LEN)

/* Fills rec from key (NULL: no key). */
void trust_record_make(unsigned char rec[TRUST_RECORD_SIZE], const unsigned char *key);
/* 1 and the key when the record names one, 0 when it names none, -1 when it is damaged. */
int trust_record_read(const unsigned char rec[TRUST_RECORD_SIZE], unsigned char key[TRUST_KEY_LEN]);

#endif
