/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pylayout.c - pystack()'s table of CPython frame layouts
 * (runtime/user/pylayout.c) against the headers of the CPython it is
 * compiled with (-I/usr/include/python3.N, which has Include/internal):
 * the offsets BPF reads must be where that version keeps its fields.
 * Built by tests/runtime_pylayout.bats once per installed version.
 */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_runtime.h>

#include "stp_record.h"
#include "unit.h"

#include <stddef.h>

const struct stp_py_target *stp_py_layout(int major, int minor);

static void offsets(void)
{
	const struct stp_py_target *l = stp_py_layout(PY_MAJOR_VERSION, PY_MINOR_VERSION);
	EXPECT_INT(l != NULL, 1);
	if (!l)
		return;
	EXPECT_INT(l->runtime_tstate_current, offsetof(_PyRuntimeState, gilstate.tstate_current));
	EXPECT_INT(l->runtime_interp_head, offsetof(_PyRuntimeState, interpreters.head));
	EXPECT_INT(l->interp_threads_head, offsetof(PyInterpreterState, threads.head));
	EXPECT_INT(l->tstate_next, offsetof(PyThreadState, next));
	EXPECT_INT(l->tstate_thread_id, offsetof(PyThreadState, thread_id));
	EXPECT_INT(l->tstate_cframe, offsetof(PyThreadState, cframe));
	EXPECT_INT(l->cframe_current_frame, offsetof(_PyCFrame, current_frame));
	EXPECT_INT(l->frame_code, offsetof(_PyInterpreterFrame, f_code));
	EXPECT_INT(l->frame_previous, offsetof(_PyInterpreterFrame, previous));
	EXPECT_INT(l->code_name, offsetof(PyCodeObject, co_qualname));
	EXPECT_INT(l->str_state, offsetof(PyASCIIObject, state));
	EXPECT_INT(l->str_ascii_data, sizeof(PyASCIIObject));
	EXPECT_INT(l->str_utf8, offsetof(PyCompactUnicodeObject, utf8));
}

/* The state bits: compact and ASCII, all set in a compact ASCII string's; compact alone. */
static void string_state(void)
{
	const struct stp_py_target *l = stp_py_layout(PY_MAJOR_VERSION, PY_MINOR_VERSION);
	if (!l)
		return;
	PyASCIIObject s;
	unsigned char m = l->str_compact_ascii, b;
	EXPECT_INT(m != 0, 1);
	for (int compact = 0; compact < 2; compact++)
		for (int ascii = 0; ascii < 2; ascii++) {
			memset(&s, 0, sizeof(s));
			s.state.compact = compact;
			s.state.ascii = ascii;
			s.state.kind = PyUnicode_1BYTE_KIND;
			s.state.interned = SSTATE_INTERNED_IMMORTAL;
			memcpy(&b, (char *)&s + l->str_state, 1);
			EXPECT_INT((b & m) == m, compact && ascii);
			EXPECT_INT((b & l->str_compact) != 0, compact);
		}
}

/* Versions the table lacks are not guessed. */
static void unknown(void)
{
	EXPECT_INT(stp_py_layout(3, 99) == NULL, 1);
	EXPECT_INT(stp_py_layout(2, 7) == NULL, 1);
}

static const struct unit_area areas[] = {
	{ "offsets", offsets },
	{ "string_state", string_state },
	{ "unknown", unknown },
};

UNIT_MAIN(areas)
