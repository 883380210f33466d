// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * target.c - the description of the machine a script is compiled for:
 * kernel release, architecture, runtime, privilege and kernel config.
 * Preprocessor conditions (%( kernel_v >= "5.8" %? ... %)) read it.
 *
 * Defaults come from the build host; -r KVER (or -r DIR, a kernel build
 * tree) and -a ARCH override them, as with stap.
 */
#include "stapc.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <zlib.h>

struct kconfig_entry {
	const char *name; /* interned, "CONFIG_FOO" */
	const char *value;
	struct kconfig_entry *next;
};

static const char *version_part(const char *release)
{
	const char *dash = strchr(release, '-');
	return dash ? intern_n(release, (size_t)(dash - release)) : intern(release);
}

static const char *normalize_arch(const char *machine)
{
	/* stap's names: i386 for every x86-32, arm64 for aarch64. */
	if (machine[0] == 'i' && strlen(machine) == 4 && strcmp(machine + 2, "86") == 0)
		return intern("i386");
	if (strcmp(machine, "aarch64") == 0)
		return intern("arm64");
	if (strncmp(machine, "armv", 4) == 0)
		return intern("arm");
	return intern(machine);
}

void target_init_host(struct target *t)
{
	struct utsname u;
	memset(t, 0, sizeof(*t));
	if (uname(&u) == 0) {
		t->kernel_vr = intern(u.release);
		t->arch = normalize_arch(u.machine);
	} else {
		t->kernel_vr = intern("0");
		t->arch = intern("x86_64");
	}
	t->kernel_v = version_part(t->kernel_vr);
	t->runtime = intern("kernel");
	t->systemtap_v = STAPC_STAP_COMPAT;
	t->privilege = intern("stapdev");
}

/*
 * -r takes a release name or a kernel build directory; a directory gives
 * its .config and include/config/kernel.release (stap's meaning).
 */
void target_set_release(struct target *t, const char *arg)
{
	struct stat st;
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *path = arena_printf("%s/include/config/kernel.release", arg);
		size_t len;
		char *rel = read_file(path, &len);
		if (rel) {
			while (len && (rel[len - 1] == '\n' || rel[len - 1] == ' '))
				rel[--len] = 0;
			t->kernel_vr = intern(rel);
		}
		t->config_path = arena_printf("%s/.config", arg);
	} else {
		t->kernel_vr = intern(arg);
		t->config_path = NULL;
	}
	t->kernel_v = version_part(t->kernel_vr);
	t->config_loaded = false;
	t->config = NULL;
}

static void parse_config_line(struct target *t, char *line)
{
	if (strncmp(line, "CONFIG_", 7) != 0)
		return;
	char *eq = strchr(line, '=');
	if (!eq)
		return;
	char *val = eq + 1;
	size_t n = strlen(val);
	while (n && (val[n - 1] == '\n' || val[n - 1] == '\r'))
		val[--n] = 0;
	/* String values are stored without their quotes, as stap compares them. */
	if (n >= 2 && val[0] == '"' && val[n - 1] == '"') {
		val[n - 1] = 0;
		val++;
	}
	struct kconfig_entry *e = arena_alloc(sizeof(*e));
	e->name = intern_n(line, (size_t)(eq - line));
	e->value = intern(val);
	e->next = t->config;
	t->config = e;
}

static bool load_config_file(struct target *t, const char *path)
{
	gzFile gz = gzopen(path, "rb"); /* reads plain files too */
	if (!gz)
		return false;
	char line[4096];
	while (gzgets(gz, line, sizeof(line)))
		parse_config_line(t, line);
	gzclose(gz);
	return true;
}

static void load_config(struct target *t)
{
	t->config_loaded = true;
	if (t->config_path) {
		load_config_file(t, t->config_path);
		return;
	}
	const char *candidates[] = {
		arena_printf("/boot/config-%s", t->kernel_vr),
		arena_printf("/lib/modules/%s/build/.config", t->kernel_vr),
		NULL,
	};
	for (int i = 0; candidates[i]; i++)
		if (load_config_file(t, candidates[i]))
			return;
	/* The running kernel's own config, when it is the target. */
	struct utsname u;
	if (uname(&u) == 0 && strcmp(u.release, t->kernel_vr) == 0)
		load_config_file(t, "/proc/config.gz");
}

const char *target_config(struct target *t, const char *name)
{
	if (!t->config_loaded)
		load_config(t);
	const char *key = intern(name);
	for (struct kconfig_entry *e = t->config; e; e = e->next)
		if (e->name == key)
			return e->value;
	return NULL;
}
