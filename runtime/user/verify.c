// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * verify.c - a tool checks its own signature: `TOOL --verify PUB`, and,
 * when it was built with `stapc --trust PUB`, before it loads anything.
 *
 * The signature sits in the tool's own file, in a 128-byte slot that is
 * the whole ELF section ".stapc.sig" (stapc/sign.c writes it; the layout
 * is in the sign.c section of stapc/stapc.h):
 *
 *   0 "STAPCSIG" | 8 "ED" | 10 key id (8) | 18 Ed25519 signature (64) | 82 zeros
 *
 * The signed message is BLAKE2b-512 of the file with bytes 8..127 of the
 * slot zeroed. The file is read through /proc/self/exe: the very inode the
 * kernel runs, even if the path was replaced since.
 */
#include "sign_slot.h"
#include "stp_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>


/*
 * NAME.obj.c's trust record (sign_slot.h). Not weak: a tool without one
 * does not link, rather than run unchecked.
 */
extern const unsigned char stp_trust_record[TRUST_RECORD_SIZE];

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	unsigned char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		unsigned char *bigger = realloc(buf, cap * 2);
		if (!bigger)
			free(buf);
		buf = bigger;
		cap *= 2;
	}
	int err = ferror(f);
	fclose(f);
	if (err || !buf) {
		free(buf);
		errno = err ? EIO : ENOMEM;
		return NULL;
	}
	*len = n;
	return buf;
}

static void key_id_text(const unsigned char id[8], char out[17])
{
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02X", id[7 - i]);
}

/*
 * Checks the running tool against key (42 bytes: "Ed", id, public key):
 * NULL if it verifies, else why not (in why, or a constant).
 */
static const char *verify_self(const unsigned char *key, char *why, size_t n)
{
	if (sodium_init() < 0)
		return "libsodium could not start";
	size_t len;
	unsigned char *buf = read_all("/proc/self/exe", &len);
	if (!buf) {
		snprintf(why, n, "cannot read its own file /proc/self/exe (%s): is /proc mounted?",
			 strerror(errno));
		return why;
	}
	const char *r = NULL, *bad_slot;
	long slot = sign_slot_find(buf, len, &bad_slot);
	static const unsigned char zero[SIGN_SLOT_SIZE];
	unsigned char *s = slot >= 0 ? buf + slot : NULL;
	if (!s) {
		r = bad_slot;
	} else if (!memcmp(s + 8, zero, SIGN_SLOT_SIZE - 8)) {
		r = "it is not signed";
	} else if (s[8] != 'E' || s[9] != 'D') {
		r = "its signature slot names an unknown algorithm";
	} else if (memcmp(s + 82, zero, SIGN_SLOT_SIZE - 82)) {
		r = "its signature slot is damaged (bytes after the signature)";
	} else if (memcmp(s + 10, key + 2, 8)) {
		char signer[17], want[17];
		key_id_text(s + 10, signer);
		key_id_text(key + 2, want);
		snprintf(why, n, "it was signed by key ID %s, not by key ID %s", signer, want);
		r = why;
	} else {
		unsigned char sig[64], h[64];
		memcpy(sig, s + 18, sizeof(sig));
		memset(s + 8, 0, SIGN_SLOT_SIZE - 8);
		crypto_generichash(h, sizeof(h), buf, len, NULL, 0);
		if (crypto_sign_verify_detached(sig, h, sizeof(h), key + 10) != 0)
			r = "the signature does not match its bytes: the file, or the signature, "
			    "was changed after signing";
	}
	free(buf);
	return r;
}

/* A minisign public key: a file, or its base64 line itself (minisign -P). */
static bool read_pubkey(const char *arg, unsigned char key[42], char *why, size_t n)
{
	char text[4096] = "";
	const char *line = NULL;
	FILE *f = fopen(arg, "r");
	if (f) {
		while (fgets(text, sizeof(text), f))
			if (strncmp(text, "untrusted comment:", 18) && text[0] != '\n') {
				line = text;
				break;
			}
		fclose(f);
	} else if (strlen(arg) == 56 && !strchr(arg, '.')) {
		line = arg;
	} else {
		snprintf(why, n, "cannot read the public key %s: %s", arg, strerror(errno));
		return false;
	}
	size_t got = 0;
	if (!line || sodium_base642bin(key, 42, line, strlen(line), " \t\r\n", &got, NULL,
				       sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != 42 || key[0] != 'E' || key[1] != 'd') {
		snprintf(why, n, "%s is not a minisign public key", arg);
		return false;
	}
	return true;
}

int stp_verify_cmd(const struct stp_tool *t, const char *pub)
{
	unsigned char key[42];
	char why[256];
	if (sodium_init() < 0 || !read_pubkey(pub, key, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", t->name, why);
		return 1;
	}
	const char *r = verify_self(key, why, sizeof(why));
	char id[17];
	key_id_text(key + 2, id);
	if (r) {
		fprintf(stderr, "%s: verification FAILED: %s\n", t->name, r);
		return 1;
	}
	printf("%s: signature OK (key ID %s)\n", t->name, id);
	return 0;
}

int stp_trust_check(const struct stp_tool *t)
{
	(void)t;
	unsigned char key[TRUST_KEY_LEN];
	int has = trust_record_read(stp_trust_record, key);
	if (has == 0)
		return 0;
	if (has < 0) {
		stp_say("refusing to run: its trust record (which key must have signed it) is "
			"damaged: the file was changed after it was built");
		return 1;
	}
	char why[256];
	const char *r = verify_self(key, why, sizeof(why));
	if (!r)
		return 0;
	char id[17];
	key_id_text(key + 2, id);
	stp_say("refusing to run: built to trust only key ID %s, but %s", id, r);
	return 1;
}
