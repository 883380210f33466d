// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach_kinds.c - what the compiler needs to know of each way a BPF
 * program attaches, read off the list the runtime uses too
 * (runtime/stp_attach_kinds.h): a new kind is one line there.
 */
#include "stapc.h"

#define SPELL(e) #e

static const struct attach_kind {
	const char *name, *section, *feature;
	int since;
} kinds[] = {
#define KIND(name, section, said, feature, since) \
	[STP_ATTACH_##name] = { SPELL(STP_ATTACH_##name), section, feature, since },
	STP_ATTACH_KINDS(KIND)
#undef KIND
};

_Static_assert(ARRAY_SIZE(kinds) == STP_ATTACH_NKINDS, "one row per attach kind");

static const struct attach_kind *kind_of(enum stp_attach a)
{
	return &kinds[a];
}

const char *attach_kind_name(enum stp_attach a)
{
	return kind_of(a)->name;
}

/* Its program's ELF section: the kind's own, then "/target" if it names one. */
const char *attach_kind_section(enum stp_attach a, const char *target)
{
	const char *section = kind_of(a)->section;
	return target ? arena_printf("%s/%s", section, target) : section;
}

/* The kernel feature it needs, for the manifest; NULL if it lists none. */
const char *attach_kind_feature(enum stp_attach a, int *since)
{
	*since = kind_of(a)->since;
	return kind_of(a)->feature;
}
