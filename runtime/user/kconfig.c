// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * kconfig.c - the running kernel's build configuration, for
 * %( CONFIG_X == "y" %? ... %) conditions a tool decides where it runs.
 *
 * The BPF side asks libbpf (extern ... __kconfig), which reads the same
 * files: /boot/config-RELEASE, else /proc/config.gz. The tool's own
 * handlers (begin, end, timers) ask here.
 */
#include "stp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>

static gzFile open_config(void)
{
	struct utsname u;
	char path[300];
	uname(&u);
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	gzFile f = gzopen(path, "rb"); /* reads a plain file as it is */
	return f ? f : gzopen("/proc/config.gz", "rb");
}

bool stp_kconfig_available(void)
{
	gzFile f = open_config();
	if (f)
		gzclose(f);
	return f != NULL;
}

/* CONFIG_X's value: "y", "m", a number or string, or "" when it is not set. */
static const char *kconfig_value(const char *name, char *buf, size_t len)
{
	buf[0] = 0;
	gzFile f = open_config();
	if (!f) {
		static bool said;
		if (!said)
			stp_say("cannot tell this kernel's %s: no /boot/config-RELEASE and no "
				"/proc/config.gz (taken as not set)", name);
		said = true;
		return buf;
	}
	char line[512];
	size_t n = strlen(name);
	while (gzgets(f, line, sizeof(line))) {
		if (strncmp(line, name, n) || line[n] != '=')
			continue;
		snprintf(buf, len, "%s", line + n + 1);
		buf[strcspn(buf, "\n")] = 0;
		break;
	}
	gzclose(f);
	return buf;
}

int64_t stp_kconfig_is(const char *name, const char *want)
{
	char buf[256];
	const char *have = kconfig_value(name, buf, sizeof(buf));
	if (!strcmp(want, "n"))
		return !*have || !strcmp(have, "n");
	return !strcmp(have, want);
}
