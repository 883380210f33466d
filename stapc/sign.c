// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sign.c - Ed25519 keys and signatures for tools, with libsodium, in
 * minisign's formats so that the standard `minisign -V` checks our tools:
 *
 *   stapc keygen -o KEYBASE [-f]        KEYBASE.key (secret), KEYBASE.pub
 *   stapc --sign KEY -o TOOL SCRIPT     TOOL signed inside, and TOOL.minisig
 *   stapc sign TOOL --key KEY           the same for a tool built already
 *   stapc verify TOOL --key PUB         checks the signature inside TOOL
 *
 * The signature inside a tool sits in a fixed slot of its own ELF section
 * (see the sign.c section of stapc.h for the layout): the signer finds it
 * through the section headers, zeroes it, hashes the whole file with
 * BLAKE2b-512 and signs the hash (minisign's "ED" prehashed mode), then
 * writes the signature into the slot. Nothing moves, so the file stays the
 * same valid static ELF and the signature covers every byte but its own.
 *
 * A secret key is written unencrypted (as `minisign -G -W` does) unless
 * STAPC_SIGN_PASSWORD is set; encrypted keys (minisign's scrypt) are read
 * with the password from STAPC_SIGN_PASSWORD, or asked on the terminal.
 */
#include "stapc.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>


struct sign_request sign_req;

struct pubkey {
	unsigned char id[8];
	unsigned char pk[32];
};

struct seckey {
	unsigned char id[8];
	unsigned char sk[64];
};

/* A secret key file: 158 bytes once base64 is undone. */
#define SK_LEN 158
#define SK_SALT 6
#define SK_OPS 38
#define SK_MEM 46
#define SK_KEYNUM 54 /* id (8), sk (64), checksum (32) */
#define SK_KEYNUM_LEN 104

static bool crypto_ready(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "stapc: libsodium could not start\n");
		return false;
	}
	return true;
}

/* The key id as minisign prints it: a little-endian 64-bit number, in hex. */
static const char *key_id_text(const unsigned char id[8])
{
	char buf[17];
	for (int i = 0; i < 8; i++)
		snprintf(buf + 2 * i, 3, "%02X", id[7 - i]);
	return arena_strdup(buf);
}

const char *sha256_hex(const void *data, size_t n)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(h) + 1];
	crypto_hash_sha256(h, data, n);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return arena_strdup(hex);
}

static const char *base64(const unsigned char *bin, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *out = arena_alloc(cap);
	return sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
}

/*
 * The payload of a key file: its first line that is not a comment, in
 * base64. A public key may also be given as that line itself (minisign -P).
 */
static bool key_payload(const char *arg, unsigned char *out, size_t want, const char *what)
{
	size_t len;
	const char *text = read_file(arg, &len);
	const char *line = NULL;
	if (text) {
		for (const char *p = text; *p;) {
			const char *eol = strchr(p, '\n');
			size_t n = eol ? (size_t)(eol - p) : strlen(p);
			if (n && strncmp(p, "untrusted comment:", 18) && p[0] != '\r') {
				line = arena_strndup(p, n);
				break;
			}
			p = eol ? eol + 1 : p + n;
		}
	} else if (strlen(arg) == 56 && !strchr(arg, '.')) {
		line = arg;
	} else {
		fprintf(stderr, "stapc: cannot read the %s %s: %s\n", what, arg, strerror(errno));
		return false;
	}
	size_t got = 0;
	if (!line || sodium_base642bin(out, want, line, strlen(line), " \t\r", &got, NULL,
				       sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != want || out[0] != 'E' || out[1] != 'd') {
		fprintf(stderr, "stapc: %s is not a minisign %s\n", arg, what);
		return false;
	}
	return true;
}

static bool read_pubkey(const char *path, struct pubkey *pk)
{
	unsigned char raw[42];
	if (!key_payload(path, raw, sizeof(raw), "public key"))
		return false;
	memcpy(pk->id, raw + 2, 8);
	memcpy(pk->pk, raw + 10, 32);
	return true;
}

static void seckey_checksum(const unsigned char *raw, unsigned char out[32])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, raw, 2);			 /* "Ed" */
	crypto_generichash_update(&st, raw + SK_KEYNUM, 8 + 64); /* id, sk */
	crypto_generichash_final(&st, out, 32);
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

/* A password from STAPC_SIGN_PASSWORD, or typed on the terminal. */
static const char *password(const char *path)
{
	const char *env = getenv("STAPC_SIGN_PASSWORD");
	if (env && *env)
		return env;
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return NULL;
	struct termios old, noecho;
	bool echo_off = tcgetattr(fileno(tty), &old) == 0;
	if (echo_off) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &noecho);
	}
	fprintf(tty, "Password for %s: ", path);
	fflush(tty);
	char buf[1024];
	const char *r = fgets(buf, sizeof(buf), tty) ? buf : NULL;
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (!r)
		return NULL;
	buf[strcspn(buf, "\r\n")] = 0;
	return arena_strdup(buf);
}

/* minisign's key encryption: the key bytes xor a scrypt stream. */
static bool scrypt_xor(unsigned char *raw, const char *pw)
{
	unsigned char stream[SK_KEYNUM_LEN];
	if (crypto_pwhash_scryptsalsa208sha256(stream, sizeof(stream), pw, strlen(pw),
					       raw + SK_SALT, le64(raw + SK_OPS),
					       (size_t)le64(raw + SK_MEM)) != 0)
		return false;
	for (size_t i = 0; i < sizeof(stream); i++)
		raw[SK_KEYNUM + i] ^= stream[i];
	sodium_memzero(stream, sizeof(stream));
	return true;
}

static bool read_seckey(const char *path, struct seckey *sk)
{
	unsigned char raw[SK_LEN];
	if (!key_payload(path, raw, sizeof(raw), "secret key"))
		return false;
	if (raw[4] != 'B' || raw[5] != '2') {
		fprintf(stderr, "stapc: %s: unknown checksum algorithm\n", path);
		return false;
	}
	bool encrypted = raw[2] == 'S' && raw[3] == 'c';
	if (!encrypted && (raw[2] || raw[3])) {
		fprintf(stderr, "stapc: %s: unknown key encryption\n", path);
		return false;
	}
	if (encrypted) {
		const char *pw = password(path);
		if (!pw) {
			fprintf(stderr, "stapc: %s is encrypted: set STAPC_SIGN_PASSWORD, or run "
					"from a terminal\n", path);
			return false;
		}
		if (!scrypt_xor(raw, pw)) {
			fprintf(stderr, "stapc: not enough memory to decrypt %s\n", path);
			return false;
		}
	}
	unsigned char chk[32], zero[32] = { 0 };
	seckey_checksum(raw, chk);
	const unsigned char *stored = raw + SK_KEYNUM + 72;
	/* minisign -W leaves the checksum of an unencrypted key zero. */
	if (memcmp(chk, stored, 32) && (encrypted || memcmp(stored, zero, 32))) {
		fprintf(stderr, "stapc: %s: %s\n", path,
			encrypted ? "wrong password" : "the key is damaged (bad checksum)");
		return false;
	}
	memcpy(sk->id, raw + SK_KEYNUM, 8);
	memcpy(sk->sk, raw + SK_KEYNUM + 8, 64);
	sodium_memzero(raw, sizeof(raw));
	return true;
}

/* ---------------------------------------------------------------- keygen */

static bool write_text(const char *path, const char *text, mode_t mode, bool force)
{
	/* -f replaces the file (a new one, with this mode), never writes through it. */
	if (force) {
		bool ok = write_file_mode(path, text, strlen(text), mode);
		if (!ok)
			fprintf(stderr, "stapc: cannot write %s: %s\n", path, strerror(errno));
		return ok;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	if (fd < 0) {
		fprintf(stderr, "stapc: cannot write %s: %s%s\n", path, strerror(errno),
			errno == EEXIST ? " (use -f to replace it)" : "");
		return false;
	}
	size_t n = strlen(text);
	bool ok = write(fd, text, n) == (ssize_t)n;
	ok = close(fd) == 0 && ok;
	if (!ok)
		fprintf(stderr, "stapc: cannot write %s\n", path);
	return ok;
}

static int keygen(const char *base, bool force)
{
	unsigned char raw[SK_LEN] = { 'E', 'd', 0, 0, 'B', '2' };
	unsigned char pub[42] = { 'E', 'd' };
	unsigned char *id = raw + SK_KEYNUM, *sk = raw + SK_KEYNUM + 8;
	randombytes_buf(id, 8);
	crypto_sign_keypair(pub + 10, sk);
	memcpy(pub + 2, id, 8);
	seckey_checksum(raw, raw + SK_KEYNUM + 72);
	const char *pw = getenv("STAPC_SIGN_PASSWORD");
	bool encrypt = pw && *pw;
	if (encrypt) {
		/* minisign's own parameters, so that minisign reads it too. */
		raw[2] = 'S';
		raw[3] = 'c';
		randombytes_buf(raw + SK_SALT, 32);
		put_le64(raw + SK_OPS, crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE);
		put_le64(raw + SK_MEM, crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE);
		if (!scrypt_xor(raw, pw)) {
			fprintf(stderr, "stapc: not enough memory to encrypt the key\n");
			return 1;
		}
	}
	const char *key_path = arena_printf("%s.key", base);
	const char *pub_path = arena_printf("%s.pub", base);
	const char *key_text = arena_printf("untrusted comment: minisign %ssecret key\n%s\n",
					    encrypt ? "encrypted " : "", base64(raw, sizeof(raw)));
	const char *pub_text = arena_printf("untrusted comment: minisign public key %s\n%s\n",
					    key_id_text(id), base64(pub, sizeof(pub)));
	sodium_memzero(raw, sizeof(raw));
	if (!write_text(key_path, key_text, 0600, force) ||
	    !write_text(pub_path, pub_text, 0644, force))
		return 1;
	printf("stapc: wrote %s (secret%s) and %s, key ID %s\n", key_path,
	       encrypt ? ", encrypted" : ", not encrypted: keep it safe", pub_path,
	       key_id_text(pub + 2));
	return 0;
}

/* ---------------------------------------------------------------- the slot */

/* BLAKE2b-512 of the file with the slot's payload zeroed. */
static void hash_unsigned(unsigned char *buf, size_t len, long slot, unsigned char h[64])
{
	unsigned char saved[SIGN_SLOT_SIZE - 8];
	memcpy(saved, buf + slot + 8, sizeof(saved));
	memset(buf + slot + 8, 0, sizeof(saved));
	crypto_generichash(h, 64, buf, len, NULL, 0);
	memcpy(buf + slot + 8, saved, sizeof(saved));
}

/* Checks the signature inside a tool; NULL if good, else why not. */
static const char *verify_buf(unsigned char *buf, size_t len, const struct pubkey *pk)
{
	const char *why;
	long slot = sign_slot_find(buf, len, &why);
	if (slot < 0)
		return why;
	const unsigned char *s = buf + slot;
	static const unsigned char zero[SIGN_SLOT_SIZE];
	if (!memcmp(s + 8, zero, SIGN_SLOT_SIZE - 8))
		return "it is not signed";
	if (s[8] != 'E' || s[9] != 'D')
		return "its signature slot names an unknown algorithm";
	if (memcmp(s + 82, zero, SIGN_SLOT_SIZE - 82))
		return "its signature slot is damaged (bytes after the signature)";
	if (memcmp(s + 10, pk->id, 8))
		return arena_printf("it was signed by key ID %s, not by this key (ID %s)",
				    key_id_text(s + 10), key_id_text(pk->id));
	unsigned char h[64];
	hash_unsigned(buf, len, slot, h);
	if (crypto_sign_verify_detached(s + 18, h, sizeof(h), pk->pk) != 0)
		return "the signature does not match its bytes: the file, or the signature, "
		       "was changed after signing";
	return NULL;
}

static bool sign_detached(const char *path, const unsigned char *buf, size_t len,
			  const struct seckey *sk)
{
	unsigned char sig[74] = { 'E', 'D' }, h[64], global[64];
	memcpy(sig + 2, sk->id, 8);
	crypto_generichash(h, sizeof(h), buf, len, NULL, 0);
	crypto_sign_detached(sig + 10, NULL, h, sizeof(h), sk->sk);
	/* No time in it unless asked: the same tool, the same signature. */
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	const char *comment = epoch && *epoch
				      ? arena_printf("timestamp:%s\tfile:%s\thashed", epoch, base)
				      : arena_printf("file:%s\thashed", base);
	size_t clen = strlen(comment);
	unsigned char *msg = arena_alloc(64 + clen);
	memcpy(msg, sig + 10, 64);
	memcpy(msg + 64, comment, clen);
	crypto_sign_detached(global, NULL, msg, 64 + clen, sk->sk);
	const char *text = arena_printf("untrusted comment: signature from stapc secret key %s\n"
					"%s\ntrusted comment: %s\n%s\n",
					key_id_text(sk->id), base64(sig, sizeof(sig)), comment,
					base64(global, sizeof(global)));
	const char *out = arena_printf("%s.minisig", path);
	if (!write_file_mode(out, text, strlen(text), 0644)) {
		fprintf(stderr, "stapc: cannot write %s: %s\n", out, strerror(errno));
		return false;
	}
	return true;
}

static bool sign_with(const char *path, const char *key_path)
{
	struct seckey sk;
	if (!crypto_ready() || !read_seckey(key_path, &sk))
		return false;
	size_t len;
	unsigned char *buf = (unsigned char *)read_file(path, &len);
	if (!buf) {
		fprintf(stderr, "stapc: cannot read %s: %s\n", path, strerror(errno));
		return false;
	}
	const char *why;
	long slot = sign_slot_find(buf, len, &why);
	if (slot < 0) {
		fprintf(stderr, "stapc: cannot sign %s: %s\n", path, why);
		return false;
	}
	unsigned char h[64];
	memset(buf + slot + 8, 0, SIGN_SLOT_SIZE - 8);
	hash_unsigned(buf, len, slot, h);
	buf[slot + 8] = 'E';
	buf[slot + 9] = 'D';
	memcpy(buf + slot + 10, sk.id, 8);
	crypto_sign_detached(buf + slot + 18, NULL, h, sizeof(h), sk.sk);
	struct stat st;
	mode_t mode = stat(path, &st) == 0 ? st.st_mode & 07777 : 0755;
	bool ok = write_file_mode(path, (const char *)buf, len, mode);
	if (!ok)
		fprintf(stderr, "stapc: cannot write %s: %s\n", path, strerror(errno));
	ok = ok && sign_detached(path, buf, len, &sk);
	sodium_memzero(&sk, sizeof(sk));
	return ok;
}

bool sign_tool(const char *path)
{
	return sign_with(path, sign_req.sign_key);
}

/* ---------------------------------------------------------------- trust */

bool sign_load_trust(void)
{
	if (!sign_req.trust_pub)
		return true;
	struct pubkey pk;
	if (!crypto_ready() || !read_pubkey(sign_req.trust_pub, &pk))
		return false;
	memcpy(sign_req.trust, "Ed", 2);
	memcpy(sign_req.trust + 2, pk.id, 8);
	memcpy(sign_req.trust + 10, pk.pk, 32);
	if (sign_req.sign_key) {
		struct seckey sk;
		if (!read_seckey(sign_req.sign_key, &sk))
			return false;
		bool same = !memcmp(sk.sk + 32, pk.pk, 32);
		sodium_memzero(&sk, sizeof(sk));
		if (!same) {
			fprintf(stderr, "stapc: --trust %s is not the public half of --sign %s: the "
					"tool would never run\n", sign_req.trust_pub, sign_req.sign_key);
			return false;
		}
	} else {
		fprintf(stderr, "stapc: warning: --trust without --sign: the tool will not run "
				"until it is signed (stapc sign TOOL --key KEY)\n");
	}
	return true;
}

const char *sign_trust_id(void)
{
	return sign_req.trust_pub ? key_id_text(sign_req.trust + 2) : NULL;
}

void sign_obj_c(struct strbuf *sb)
{
	sb_puts(sb, "/* The signature slot: stapc --sign fills it (stapc/sign.c). */\n");
	sb_printf(sb, "__attribute__((section(\"%s\"), used, aligned(8)))\n", SIGN_SECTION);
	sb_printf(sb, "const unsigned char stp_signature[%d] = \"%s\";\n", SIGN_SLOT_SIZE,
		  SIGN_MAGIC);
	sb_puts(sb, "/* The key the tool must be signed with to run (--trust), fail-closed\n"
		    "   (runtime/user/sign_slot.h): all zeros and their complement for none. */\n");
	unsigned char rec[TRUST_RECORD_SIZE];
	trust_record_make(rec, sign_req.trust_pub ? sign_req.trust : NULL);
	sb_printf(sb, "const unsigned char stp_trust_record[%d] = {", TRUST_RECORD_SIZE);
	for (size_t i = 0; i < sizeof(rec); i++)
		sb_printf(sb, "%s%u,", i % 16 ? "" : "\n", rec[i]);
	sb_puts(sb, "\n};\n");
}

/* ---------------------------------------------------------------- commands */

static int command_usage(void)
{
	fprintf(stderr, "Usage: stapc keygen -o KEYBASE [-f]\n"
			"       stapc sign TOOL --key KEY\n"
			"       stapc verify TOOL --key PUB\n");
	return 2;
}

/* TOOL --key FILE, in either order; -o BASE and -f for keygen. */
static bool command_args(int argc, char **argv, const char **file, const char **key, bool *force)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "--key") || !strcmp(a, "-k") || !strcmp(a, "-p") ||
		     !strcmp(a, "-o")) && i + 1 < argc)
			*key = argv[++i];
		else if (!strncmp(a, "--key=", 6))
			*key = a + 6;
		else if (!strcmp(a, "-f"))
			*force = true;
		else if (a[0] == '-' || *file)
			return false;
		else
			*file = a;
	}
	return true;
}

int sign_command(int argc, char **argv)
{
	if (argc < 2)
		return -1;
	const char *cmd = argv[1];
	if (strcmp(cmd, "keygen") && strcmp(cmd, "sign") && strcmp(cmd, "verify"))
		return -1;
	const char *file = NULL, *key = NULL;
	bool force = false;
	if (!command_args(argc, argv, &file, &key, &force))
		return command_usage();
	if (!crypto_ready())
		return 1;
	if (!strcmp(cmd, "keygen"))
		return key && !file ? keygen(key, force) : command_usage();
	if (!file || !key)
		return command_usage();
	if (!strcmp(cmd, "sign"))
		return sign_with(file, key) ? 0 : 1;
	struct pubkey pk;
	if (!read_pubkey(key, &pk))
		return 1;
	size_t len;
	unsigned char *buf = (unsigned char *)read_file(file, &len);
	if (!buf) {
		fprintf(stderr, "stapc: cannot read %s: %s\n", file, strerror(errno));
		return 1;
	}
	const char *why = verify_buf(buf, len, &pk);
	if (why) {
		fprintf(stderr, "stapc: %s: verification FAILED: %s\n", file, why);
		return 1;
	}
	printf("%s: signature OK (key ID %s)\n", file, key_id_text(pk.id));
	return 0;
}
