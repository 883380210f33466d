/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stp_kmod_abi.h - what a generated module and the tool agree on (plain C,
 * no includes): included by runtime/kmod/stp_kmod.h and runtime/user/kmod.c.
 *
 * The module makes one file, /proc/MODULE_NAME, the tool's only way in:
 *
 *   open     claims it (one opener at a time)
 *   mmap     offset 0: struct stp_kmod_shared, then at STP_KMOD_KG_OFFSET
 *            the script's scalar globals (struct stp_kglobals), which the
 *            tool reads and writes as it does BPF's .data
 *   write    "start": registers the probes (the tool has set -G values)
 *   read     records, each a u32 length then that many bytes: the same
 *            bytes a BPF ring buffer record holds (runtime/stp_record.h)
 *   poll     readable when records wait
 *   close    unregisters the probes: a tool killed with SIGKILL leaves a
 *            module that no longer fires, for the next start to remove
 */
#ifndef STP_KMOD_ABI_H
#define STP_KMOD_ABI_H

struct stp_kmod_shared {
	unsigned long long skipped; /* probes skipped: their CPU's context was busy */
	unsigned long long lost;    /* records lost: the ring was full */
	unsigned long long failed;  /* "start" failed: its probe, 1-based, in the module's order */
	unsigned long long area_size; /* bytes of this area, globals included: what to map */
	unsigned long long pad[4];
};

#define STP_KMOD_KG_OFFSET 64
/* What a module is named before the tool gives it a name of its own. */
#define STP_KMOD_NAME_TAG "_000000000000"
#define STP_KMOD_START "start"

#endif /* STP_KMOD_ABI_H */
