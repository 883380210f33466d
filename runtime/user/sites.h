/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * sites.h - site expanders: probes whose places are found on the host the
 * tool runs on, not where it was built.
 *
 * A uprobe's pattern is matched on this host's build of the binary
 * (uprobes.c), a kernel function wildcard's on this kernel's traceable
 * functions (kwild.c). Each match is a site. Both have the same life,
 * which the loader and attacher (attach.c) drive through this table
 * without knowing either: expand the patterns, say which variants can be
 * had, size the sites map, load, fill the map, attach each program to all
 * its sites (one multi-link, or one link each, the site's index as the
 * attach cookie), name the sites in the records BPF sends, clean up.
 */
#ifndef STP_SITES_H
#define STP_SITES_H

#include "stp_internal.h"

struct bpf_object;
struct bpf_program;

struct stp_site_expander {
	/* Whether k is one of its probes. */
	bool (*owns)(const struct stp_kprobe_desc *k);
	/* Before load: its probes' sites on this host; 0, or 1 when the tool cannot run. */
	int (*expand)(struct stp_rt *rt, struct stp_session *ss);
	/* Whether variant desc can be had here: it has sites, the kernel its link kind. */
	bool (*viable)(const struct stp_tool *t, int desc);
	/* Before load: room in its sites map for every site; how its programs attach. */
	void (*before_load)(struct stp_rt *rt, struct bpf_object *obj);
	/* After load: each site's names (and places) in its map, for BPF; 0 or 1. */
	int (*fill_maps)(struct stp_rt *rt, struct bpf_object *obj);
	/*
	 * prog on every site of desc, after entry (a return's entry program,
	 * or NULL) where it has one: 0, or a negative errno when no site attached.
	 */
	int (*attach)(struct stp_rt *rt, struct stp_session *ss, struct bpf_program *prog,
		      struct bpf_program *entry, int desc);
	/* Why desc, its last to fail, did not attach, in its own words; NULL: the errno says it. */
	const char *(*failure)(int desc);
	/* Its sites are kernel functions: a kernel without kprobes and trampolines has none. */
	bool kernel_functions;
	/* Reads one of its pieces (STP_P_*) of a record into dst; false if tag is not its own. */
	bool (*piece)(struct stp_rt *rt, int tag, const char **p, const char *end, char *dst);
	/* Detaches what attach() linked by itself, frees the rest. */
	void (*cleanup)(void);
};

/* Kernel function wildcards (kwild.c); uprobes are t->uprobes, linked only where used. */
extern const struct stp_site_expander stp_kwild_expander;

/* sites.c: the expander whose probe k is, or NULL. */
const struct stp_site_expander *stp_site_expander_of(const struct stp_tool *t,
						     const struct stp_kprobe_desc *k);
/* Each expander's step, in turn; the int ones stop at the first that fails. */
int stp_sites_expand(struct stp_rt *rt, struct stp_session *ss);
void stp_sites_before_load(struct stp_rt *rt, struct bpf_object *obj);
int stp_sites_fill_maps(struct stp_rt *rt, struct bpf_object *obj);
bool stp_sites_piece(struct stp_rt *rt, int tag, const char **p, const char *end, char *dst);
void stp_sites_cleanup(const struct stp_tool *t);

#endif /* STP_SITES_H */
