/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * usym.h - what a user-space binary offers to probe, read from its ELF
 * file: functions (from .symtab, or .dynsym when the file is stripped),
 * PLT stubs, and USDT marks (.note.stapsdt).
 *
 * The tool expands wildcards with it at start-up, on the target; stapc uses
 * the same code to check a script's probe points on the build host.
 */
#ifndef STP_USYM_H
#define STP_USYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct usym {
	char *name;
	char *provider;	 /* marks: the USDT provider */
	uint64_t addr;	 /* the address in the file's own layout */
	uint64_t offset; /* the file offset a uprobe takes */
	uint64_t size;	 /* functions: st_size, 0 if unknown */
};

/* A loadable segment: how file offsets map to the file's own addresses. */
struct usym_seg {
	uint64_t vaddr, offset, filesz;
};

struct usym_list {
	struct usym *v;
	int n, cap;
	bool from_dynsym;  /* functions: the file had no .symtab */
	bool has_debuginfo; /* it has a .debug_info section */
	uint64_t entry;	    /* the ELF entry point (_start) */
	struct usym_seg *segs; /* PT_LOAD segments */
	int nsegs;
};

enum usym_kind { USYM_FUNCTIONS, USYM_PLT, USYM_MARKS };

/*
 * Reads the symbols of one kind from the ELF file at path, sorted by
 * address; the names of one function (aliases) follow each other, the
 * best first. Returns 0, or -1 with a sentence in err.
 */
int usym_read(const char *path, enum usym_kind kind, struct usym_list *out, char *err,
	      size_t errlen);
void usym_free(struct usym_list *l);

/* The file offset of an address of the file's own layout, through its segments. */
int usym_offset(const char *path, uint64_t addr, uint64_t *offset);

/*
 * The function of a sorted list holding the address (of the file's own
 * layout), or NULL: the last one starting at or below it, if its size (or,
 * without one, the next function's start) covers the address.
 */
const struct usym *usym_lookup(const struct usym_list *l, uint64_t addr);

/* The file's own address of a file offset, through its segments; 0 if none. */
uint64_t usym_offset_to_addr(const struct usym_list *l, uint64_t offset);

/* How many distinct addresses the list has: functions, not their names. */
int usym_count_addresses(const struct usym_list *l);

/* Whether name matches pattern: shell wildcards, as stap matches them. */
bool usym_match(const char *pattern, const char *name);

/* stap's names for marks: "function-entry" also means "function__entry". */
bool usym_mark_match(const char *pattern, const char *name);

/*
 * The executable a probe's path names, as stap finds it: a path with a
 * slash as it is, else looked up on $PATH; then with symlinks resolved.
 * Returns a malloc'd path, or NULL if there is no such file.
 */
char *usym_find_binary(const char *path);

#endif /* STP_USYM_H */
