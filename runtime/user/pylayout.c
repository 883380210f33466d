// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * pylayout.c - where CPython keeps a thread's frames, per minor version:
 * the offsets pystack()'s BPF walk reads (stp_bpf.h), for an interpreter
 * without debuginfo. Taken from each version's own headers (Include/ and
 * Include/internal/, x86-64 and other LP64 targets), and checked against
 * them where they are installed (tests/unit/test_pylayout.c). A version
 * is added by one row while it keeps 3.11's shape (PyThreadState -> cframe
 * -> current_frame -> previous); one without a cframe needs the walk to learn
 * to skip it.
 */
#include "stp_internal.h"
#include "stp_record.h"

#include <stddef.h>

struct py_layout {
	int major, minor;
	struct stp_py_target off;
};

static const struct py_layout layouts[] = {
	{ 3, 11,
	  { .runtime_tstate_current = 576, /* gilstate.tstate_current */
	    .runtime_interp_head = 40,
	    .interp_threads_head = 16,
	    .tstate_next = 8,
	    .tstate_thread_id = 152,
	    .tstate_cframe = 56,
	    .cframe_current_frame = 8,
	    .frame_code = 32,
	    .frame_previous = 48,
	    .code_name = 128, /* co_qualname */
	    .str_state = 32,
	    .str_ascii_data = 48,
	    .str_utf8 = 56,
	    /* state: interned:2, kind:3, compact:1, ascii:1, ready:1 */
	    .str_compact_ascii = 0x60,
	    .str_compact = 0x20 } },
};

const char stp_py_covered[] = "3.11";

const struct stp_py_target *stp_py_layout(int major, int minor)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].major == major && layouts[i].minor == minor)
			return &layouts[i].off;
	return NULL;
}
