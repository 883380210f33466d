// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * kconfig.c - the running kernel's build configuration, for
 * %( CONFIG_X == "y" %? ... %) conditions a tool decides where it runs.
 *
 * The BPF side asks libbpf (extern ... __kconfig), which reads the same
 * files: /boot/config-RELEASE, else /proc/config.gz. The tool's own
 * handlers (begin, end, timers) ask here.
 */
#include "stp_gen.h"
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

/* The whole configuration, read once: NULL if there is none to read. */
static const char *config_text(void)
{
	static char *text;
	static bool tried;
	if (tried)
		return text;
	tried = true;
	gzFile f = open_config();
	if (!f)
		return NULL;
	size_t len = 0, cap = 1 << 16;
	text = malloc(cap);
	int n;
	while (text && (n = gzread(f, text + len, (unsigned)(cap - len - 1))) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			char *t = realloc(text, cap *= 2);
			if (!t) {
				free(text);
				text = NULL;
			}
			text = t;
		}
	}
	gzclose(f);
	if (text)
		text[len] = 0;
	return text;
}

/* CONFIG_X's value: "y", "m", a number or string, or "" when it is not set. */
static const char *kconfig_value(const char *name, char *buf, size_t len)
{
	buf[0] = 0;
	const char *text = config_text();
	if (!text) {
		static bool said;
		if (!said)
			stp_say("cannot tell this kernel's %s: no /boot/config-RELEASE and no "
				"/proc/config.gz (taken as not set)", name);
		said = true;
		return buf;
	}
	size_t n = strlen(name);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, n) || p[n] != '=')
			continue;
		size_t v = strcspn(p + n + 1, "\n");
		snprintf(buf, len, "%.*s", (int)v, p + n + 1);
		break;
	}
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
