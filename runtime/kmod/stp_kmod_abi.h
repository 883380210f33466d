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
 *   write    "on N": registers probe N, 0-based in the module's order, one
 *            per probe of the tool's (its subgroup), once -G values are set
 *   read     records, each a u32 length then that many bytes: the same
 *            bytes a BPF ring buffer record holds (runtime/stp_record.h)
 *   poll     readable when records wait
 *   ioctl    STP_KMOD_IOC_MAP: the script's arrays and statistics that
 *            kernel probes use, as the tool's maps.c uses BPF's maps
 *   close    unregisters the probes: a tool killed with SIGKILL leaves a
 *            module that no longer fires, for the next start to remove
 */
#ifndef STP_KMOD_ABI_H
#define STP_KMOD_ABI_H

struct stp_kmod_shared {
	unsigned long long skipped; /* probes skipped: their CPU's context was busy */
	unsigned long long lost;    /* records lost: the ring was full */
	unsigned long long failed;  /* unused: "on N"'s error names probe N */
	unsigned long long area_size; /* bytes of this area, globals included: what to map */
	unsigned long long pad[4];
};

#define STP_KMOD_KG_OFFSET 64
/* What a module is named before the tool gives it a name of its own. */
#define STP_KMOD_NAME_TAG "_000000000000"
#define STP_KMOD_PROBE_ON "on"

/*
 * One operation on the module's array number `map` (in the order of the
 * module's stp_maps: the script's globals, as NAME.c binds them). key and
 * value are the tool's buffers; a per-CPU map's value is ncpus values,
 * each rounded up to 8 bytes, as BPF's syscalls give them. DUMP and TAKE
 * copy up to count elements (keys one after another in key, values in
 * value) from place cursor of the module's pool on, and say how many they
 * copied in count and where to go on from in cursor: the array is read
 * once cursor reaches max_entries. TAKE deletes what it copies.
 */
enum stp_kmod_map_opcode {
	STP_KMOD_MAP_INFO,   /* fills key_size ... ncpus */
	STP_KMOD_MAP_LOOKUP, /* -ENOENT when key is not there */
	STP_KMOD_MAP_UPDATE, /* makes the element if needed; -E2BIG when full */
	STP_KMOD_MAP_DELETE,
	STP_KMOD_MAP_DUMP,
	STP_KMOD_MAP_TAKE,
};

struct stp_kmod_map_op {
	unsigned int map, op;
	unsigned long long key, value;
	unsigned int count, cursor;
	unsigned int key_size, value_size, max_entries, type, ncpus, pad;
};

/* The includer has _IOWR (<linux/ioctl.h>, <sys/ioctl.h>). */
#define STP_KMOD_IOC_MAP _IOWR('S', 1, struct stp_kmod_map_op)

#endif /* STP_KMOD_ABI_H */
