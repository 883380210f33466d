// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/* sign_slot.c - finds the signature slot of a tool's file image (sign_slot.h). */
#include "sign_slot.h"

#include <elf.h>
#include <string.h>

long sign_slot_find(const unsigned char *buf, size_t len, const char **why)
{
	Elf64_Ehdr eh;
	*why = "it is not a 64-bit ELF file";
	if (len < sizeof(eh))
		return -1;
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	*why = "its ELF section headers are damaged";
	if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > len ||
	    (len - eh.e_shoff) / sizeof(Elf64_Shdr) < eh.e_shnum || eh.e_shstrndx >= eh.e_shnum)
		return -1;
	Elf64_Shdr strs;
	memcpy(&strs, buf + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof(strs), sizeof(strs));
	if (strs.sh_offset > len || strs.sh_size > len - strs.sh_offset)
		return -1;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, buf + eh.e_shoff + (size_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_name >= strs.sh_size)
			continue;
		const char *name = (const char *)buf + strs.sh_offset + sh.sh_name;
		size_t room = strs.sh_size - sh.sh_name;
		if (strnlen(name, room) == room || strcmp(name, SIGN_SECTION))
			continue;
		*why = "its signature slot is damaged";
		if (sh.sh_type != SHT_PROGBITS || sh.sh_size != SIGN_SLOT_SIZE ||
		    sh.sh_offset > len - SIGN_SLOT_SIZE ||
		    memcmp(buf + sh.sh_offset, SIGN_MAGIC, 8))
			return -1;
		return (long)sh.sh_offset;
	}
	*why = "it has no signature slot (not a tool built by stapc, or stripped of it)";
	return -1;
}

void trust_record_make(unsigned char rec[TRUST_RECORD_SIZE], const unsigned char *key)
{
	memcpy(rec, TRUST_MAGIC, 8);
	for (int i = 0; i < TRUST_KEY_LEN; i++) {
		rec[8 + i] = key ? key[i] : 0;
		rec[8 + TRUST_KEY_LEN + i] = (unsigned char)~rec[8 + i];
	}
}

int trust_record_read(const unsigned char rec[TRUST_RECORD_SIZE], unsigned char key[TRUST_KEY_LEN])
{
	if (memcmp(rec, TRUST_MAGIC, 8))
		return -1;
	unsigned char any = 0;
	for (int i = 0; i < TRUST_KEY_LEN; i++) {
		if ((unsigned char)~rec[8 + i] != rec[8 + TRUST_KEY_LEN + i])
			return -1;
		key[i] = rec[8 + i];
		any |= key[i];
	}
	if (!any)
		return 0;
	return key[0] == 'E' && key[1] == 'd' ? 1 : -1;
}
