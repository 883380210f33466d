// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_format.c - stap's printf, print, println, printd, printdln and the
 * sprint forms, as runtime/user/format.c renders them.
 *
 * Every expected string is written by hand. Where they come from:
 *   [man]     stap(1) of SystemTap 4.8, section PRINTING (its examples)
 *   [langref] the Language Reference, 9.2 printf and 9.3 printd
 *   [example] an output shipped in /usr/share/systemtap/examples/ (*.txt)
 *   [stap]    observed with SystemTap 4.8: stap -p3 shows the runtime calls
 *             a printf compiles to (flags, the clamping of widths and
 *             precisions, the sizing pass); those runtime functions, run in
 *             a harness outside this repository, gave the bytes.
 * Where stap differs from C's printf the comment says so.
 */
#include <errno.h>
#include <stdlib.h>

#include "format.h"
#include "unit.h"

#define I(n)   stp_arg__int(n)
#define S(s)   stp_arg__str(s)
#define MEM(s) stp_arg__mem(s, sizeof(s) - 1)
#define ARGS(...) ((const struct stp_arg[]){ __VA_ARGS__ })
#define NARGS(...) ((int)(sizeof(ARGS(__VA_ARGS__)) / sizeof(struct stp_arg)))

/* Render fmt with args; compare with want; cap 0 means printf, else sprintf. */
static void check(const char *file, int line, size_t cap, const char *want, size_t want_len,
		  const char *fmt, const struct stp_arg *args, int nargs)
{
	char err[128] = "";
	struct stp_format *f = stp_format__parse(fmt, err, sizeof(err));

	if (!f) {
		unit_checks++;
		unit_fail(file, line, fmt);
		printf("    parse error: %s\n", err);
		return;
	}
	struct stp_buf b = STP_BUF_INIT;
	int rc = cap ? stp_format__render_string(&b, f, args, nargs, cap) :
		       stp_format__render(&b, f, args, nargs);
	if (rc) {
		unit_checks++;
		unit_fail(file, line, fmt);
		printf("    render returned %d\n", rc);
	} else {
		unit_expect_mem(file, line, fmt, b.data, b.len, want, want_len);
	}
	stp_buf__free(&b);
	stp_format__free(f);
}

#define FMT(want, fmt, ...)                                                                        \
	check(__FILE__, __LINE__, 0, want, sizeof(want) - 1, fmt, ARGS(__VA_ARGS__),              \
	      NARGS(__VA_ARGS__))
#define FMT0(want, fmt) check(__FILE__, __LINE__, 0, want, sizeof(want) - 1, fmt, NULL, 0)
#define SFMT(cap, want, fmt, ...)                                                                  \
	check(__FILE__, __LINE__, cap, want, sizeof(want) - 1, fmt, ARGS(__VA_ARGS__),            \
	      NARGS(__VA_ARGS__))

/* render must fail with rc and leave what the buffer held. */
static void check_error(const char *file, int line, int want_rc, const char *fmt,
			const struct stp_arg *args, int nargs)
{
	struct stp_format *f = stp_format__parse(fmt, NULL, 0);
	struct stp_buf b = STP_BUF_INIT;

	stp_buf__puts(&b, "kept");
	int rc = f ? stp_format__render(&b, f, args, nargs) : 0;
	unit_expect_int(file, line, fmt, rc, want_rc);
	unit_expect_mem(file, line, "buffer after the error", b.data, b.len, "kept", 4);
	stp_buf__free(&b);
	stp_format__free(f);
}

#define FMT_ERROR(rc, fmt, ...)                                                                    \
	check_error(__FILE__, __LINE__, rc, fmt, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__))

static void check_parse_error(const char *file, int line, const char *fmt, const char *want)
{
	char err[128] = "";
	struct stp_format *f = stp_format__parse(fmt, err, sizeof(err));

	unit_checks++;
	if (f) {
		unit_fail(file, line, fmt);
		printf("    parsed, expected the error \"%s\"\n", want);
		stp_format__free(f);
		return;
	}
	unit_checks--;
	unit_expect_mem(file, line, fmt, err, strlen(err), want, strlen(want));
}

#define PARSE_ERROR(fmt, want) check_parse_error(__FILE__, __LINE__, fmt, want)

/* ------------------------------------------------------------------ parse */

static void test_parse(void)
{
	/* [stap] stap -p1 accepts exactly: one flag, width, precision, 'l'. */
	const char *bad = "invalid or missing conversion specifier";
	const char *trailing = "trailing incomplete print format conversion";
	PARSE_ERROR("%q", bad);
	PARSE_ERROR("%lld", bad);
	PARSE_ERROR("%hd", bad);
	PARSE_ERROR("%zd", bad);
	PARSE_ERROR("%Ld", bad);
	PARSE_ERROR("%e", bad);
	PARSE_ERROR("%f", bad);
	PARSE_ERROR("%-+5d", bad);
	PARSE_ERROR("%--d", bad);
	PARSE_ERROR("%0-5d", bad);
	PARSE_ERROR("%-#x", bad);
	PARSE_ERROR("%5%", bad);
	PARSE_ERROR("%l%", bad);
	PARSE_ERROR("abc%", trailing);
	PARSE_ERROR("%-", trailing);
	PARSE_ERROR("%5", trailing);
	PARSE_ERROR("%.5", trailing);
	PARSE_ERROR("%*", trailing);
	PARSE_ERROR("%5l", trailing);

	struct stp_format *f = stp_format__parse("a%*.*db%%c%s%.*M%5m", NULL, 0);
	EXPECT_INT(f != NULL, 1);
	if (!f)
		return;
	EXPECT_INT(f->nargs, 7);
	EXPECT_INT(stp_format__arg_kind(f, 0), STP_ARG_INT);
	EXPECT_INT(stp_format__arg_kind(f, 1), STP_ARG_INT);
	EXPECT_INT(stp_format__arg_kind(f, 2), STP_ARG_INT);
	EXPECT_INT(stp_format__arg_kind(f, 3), STP_ARG_STR);
	EXPECT_INT(stp_format__arg_kind(f, 4), STP_ARG_INT);
	EXPECT_INT(stp_format__arg_kind(f, 5), STP_ARG_STR);
	EXPECT_INT(stp_format__arg_kind(f, 6), STP_ARG_STR);
	/* "a", %*.*d, "b%c", %s, %.*M, %5m: "%%" folds into the text around it. */
	EXPECT_INT(f->nconv, 6);
	EXPECT_INT(f->conv[2].kind, STP_CONV_TEXT);
	EXPECT_BYTES(f->conv[2].text, f->conv[2].len, "b%c");
	EXPECT_INT(f->conv[1].width, STP_FMT_FROM_ARG);
	EXPECT_INT(f->conv[5].width, 5);
	EXPECT_INT(f->conv[5].precision, STP_FMT_UNSET);
	stp_format__free(f);

	/* "%.d" has no precision at all ([stap]: -p3 passes -1), "%.0d" has 0. */
	f = stp_format__parse("%.d%.0d%-05d", NULL, 0);
	EXPECT_INT(f->conv[0].precision, STP_FMT_UNSET);
	EXPECT_INT(f->conv[1].precision, 0);
	/* One flag, then digits: "%-05d" is '-' and the width 5. */
	EXPECT_INT(f->conv[2].flags, STP_FLAG_LEFT);
	EXPECT_INT(f->conv[2].width, 5);
	stp_format__free(f);

	FMT0("", "");
	FMT0("plain text\n", "plain text\n");
	FMT0("100%\n", "100%%\n");
	FMT0("%%", "%%%%");
}

/* --------------------------------------------------------------- integers */

static void test_integers(void)
{
	FMT("0", "%d", I(0));
	FMT("-5", "%d", I(-5));
	FMT("-42", "%i", I(-42));
	FMT("9223372036854775807", "%d", I(INT64_MAX));
	FMT("-9223372036854775808", "%d", I(INT64_MIN));
	FMT("-9223372036854775808", "%+d", I(INT64_MIN));
	/* Everything is 64-bit; 'l' changes nothing. */
	FMT("18446744073709551615", "%u", I(-1));
	FMT("9223372036854775808", "%u", I(INT64_MIN));
	FMT("ffffffffffffffff", "%x", I(-1));
	FMT("ffffffffffffffff", "%lx", I(-1));
	FMT("FFFFFFFFFFFFFF01", "%X", I(-255));
	FMT("1777777777777777777777", "%o", I(-1));
	FMT("10", "%o", I(8));
	FMT("0", "%o", I(0));
	FMT("-7", "%ld", I(-7));
	FMT("12345", "%lu", I(12345));
	/* [man] */
	FMT("a is alice; 1234abcd or 1234ABCD or 0x1234abcd; -1 or 18446744073709551615\n",
	    "%c is %s; %x or %X or %p; %d or %u\n", I(97), S("alice"), I(0x1234abcd),
	    I(0x1234abcd), I(0x1234abcd), I(-1), I(-1));
	FMT("01 0x2 0X3\n", "%#o %#x %#X\n", I(1), I(2), I(3));
	/* '#' prefixes zero too, unlike C. */
	FMT("0x0", "%#x", I(0));
	FMT("0X0", "%#X", I(0));
	FMT("00", "%#o", I(0));
	FMT("010", "%#o", I(8));
	FMT("0XFF", "%#X", I(255));
	FMT("42", "%#d", I(42));
	FMT("42", "%#u", I(42));
	/* Signs only on %d and %i. */
	FMT("+5", "%+d", I(5));
	FMT("-5", "%+d", I(-5));
	FMT("+0", "%+d", I(0));
	FMT(" 5", "% d", I(5));
	FMT("-5", "% d", I(-5));
	FMT(" 0", "% i", I(0));
	FMT("5", "%+u", I(5));
	FMT("5", "% u", I(5));
	FMT("5", "%+x", I(5));
	FMT("5", "% x", I(5));
	FMT("5", "%+o", I(5));
	FMT("18446744073709551611", "%+u", I(-5));
	/* [langref] the %b example's decimal part */
	FMT(" 97: aA!\n", "%3d: %1b%1b%1b\n", I(97), I(97), I(97 - 32), I(97 - 64));
	FMT("109: mM-\n", "%3d: %1b%1b%1b\n", I(109), I(109), I(109 - 32), I(109 - 64));
}

/* ----------------------------------------------------- widths, precisions */

static void test_widths(void)
{
	FMT("   42|", "%5d|", I(42));
	FMT("42   |", "%-5d|", I(42));
	FMT("-42  |", "%-5d|", I(-42));
	FMT("12345", "%1d", I(12345));
	FMT("12345", "%3d", I(12345));
	/* '0' pads after the sign. */
	FMT("-0042", "%05d", I(-42));
	FMT("00042", "%05d", I(42));
	FMT("000ff", "%05x", I(255));
	FMT("-000000001", "%010d", I(-1));
	FMT("0x00ff", "%06p", I(255));
	/* One flag only: here the 0 is the width's first digit, not a flag. */
	FMT("      0xff", "%#010x", I(255));
	FMT("  +42", "%+05d", I(42));
	FMT("42   |", "%-05d|", I(42));
	FMT("42", "%00d", I(42));
	FMT("      0xff", "%#10x", I(255));
	FMT("  010", "%#5o", I(8));
	/* Precision: at least that many digits. */
	FMT("007", "%.3d", I(7));
	FMT("-00042", "%.5d", I(-42));
	FMT("  -00042", "%8.5d", I(-42));
	FMT("-00042  |", "%-8.5d|", I(-42));
	FMT("+007", "%+.3d", I(7));
	FMT(" 007", "% .3d", I(7));
	FMT("  001", "%5.3x", I(1));
	FMT("ffffffffffffffff", "%.3x", I(-1));
	FMT("00000000000000000005", "%.20d", I(5));
	FMT("0x000ff", "%#.5x", I(255));
	/* The '0' prefix of %#o comes on top of the precision's zeros. */
	FMT("000010", "%#.5o", I(8));
	/* Unlike C: '0' still pads when a precision is given... */
	FMT("-0000042", "%08.5d", I(-42));
	/* ...and a zero precision still prints a zero. */
	FMT("0", "%.0d", I(0));
	FMT("0", "%.0x", I(0));
	FMT("    0|", "%5.0d|", I(0));
	FMT("0", "%.d", I(0));
	/* '*' takes the width, then the precision, from the arguments. */
	FMT("    42", "%*d", I(6), I(42));
	FMT("42    |", "%-*d|", I(6), I(42));
	FMT("007", "%.*d", I(3), I(7));
	FMT("   -0007", "%*.*d", I(8), I(4), I(-7));
	/* Unlike C: a negative '*' is 0, not a '-' flag or "no precision". */
	FMT("42", "%*d", I(-6), I(42));
	FMT("7", "%.*d", I(-3), I(7));
	FMT("ab|", "%*s|", I(-7), S("ab"));
	FMT("|", "%.*s|", I(-1), S("ab"));
	/* stap reads '*' as an int: 2^32 + 5 is 5. */
	FMT("    1|", "%*d|", I((INT64_C(1) << 32) + 5), I(1));
	/* Literal widths are 32-bit too: 4294967301 is 5, 3000000000 negative, so 0. */
	FMT("    1|", "%4294967301d|", I(1));
	FMT("1|", "%3000000000d|", I(1));
}

/* ------------------------------------------------------ strings and chars */

static void test_strings(void)
{
	FMT("hello|", "%s|", S("hello"));
	FMT("     hello|", "%10s|", S("hello"));
	FMT("hello     |", "%-10s|", S("hello"));
	FMT("hello|", "%3s|", S("hello"));
	FMT("he|", "%.2s|", S("hello"));
	FMT("|", "%.0s|", S("hello"));
	FMT("hello|", "%.10s|", S("hello"));
	FMT("     hel|", "%8.3s|", S("hello"));
	FMT("hel     |", "%-8.3s|", S("hello"));
	FMT("|", "%s|", S(""));
	FMT("     |", "%5s|", S(""));
	FMT("ab", "%+s", S("ab"));
	FMT("ab", "% s", S("ab"));
	FMT("ab", "%#s", S("ab"));
	FMT("     ab|", "%*s|", I(7), S("ab"));
	FMT("a|", "%.*s|", I(1), S("ab"));
	FMT("ab|", "%.s|", S("ab"));
	/* A string ends at a NUL, whatever its length says. */
	FMT("ab|", "%s|", stp_arg__mem("ab\0cd", 5));
	FMT("abc", "%s", stp_arg__mem("abcdef", 3));
	/* stap writes the string's NUL when the '0' flag is given. */
	FMT("hello\0|", "%05s|", S("hello"));
	FMT("hello\0|", "%0s|", S("hello"));
	FMT("  hello\0|", "%07s|", S("hello"));
	FMT("   he\0|", "%05.2s|", S("hello"));
	FMT("he\0|", "%0.2s|", S("hello"));
	FMT(" \0|", "%01s|", S(""));
}

static void test_chars(void)
{
	FMT("A", "%c", I(65));
	FMT("    A|", "%5c|", I(65));
	FMT("A    |", "%-5c|", I(65));
	/* '0' pads a %c with spaces. */
	FMT("    A|", "%05c|", I(65));
	FMT("A", "%+c", I(65));
	FMT("A", "% c", I(65));
	/* The low byte: 321 and -191 are 0x41. */
	FMT("A", "%c", I(321));
	FMT("A", "%c", I(-191));
	FMT("\0|", "%c|", I(0));
	FMT("    \0|", "%5c|", I(0));
	/* [man] %#c escapes. */
	FMT("\\000 \\t *\n", "%#c %#c %#c\n", I(0), I(9), I(42));
	FMT("\\a", "%#c", I(7));
	FMT("\\b", "%#c", I(8));
	FMT("\\n", "%#c", I(10));
	FMT("\\v", "%#c", I(11));
	FMT("\\f", "%#c", I(12));
	FMT("\\r", "%#c", I(13));
	FMT("\\033", "%#c", I(27));
	FMT("\\\\", "%#c", I('\\'));
	FMT("\\'", "%#c", I('\''));
	FMT("\"", "%#c", I('"'));
	FMT("?", "%#c", I('?'));
	FMT(" ", "%#c", I(' '));
	FMT("~", "%#c", I('~'));
	FMT("\\177", "%#c", I(127));
	FMT("\\200", "%#c", I(128));
	FMT("\\310", "%#c", I(200));
	FMT("\\377", "%#c", I(255));
	FMT("\\377", "%#c", I(-1));
	/* The width counts the escape's characters. */
	FMT("   \\n|", "%#5c|", I(10));
}

/* ----------------------------------------------------------------- %p */

static void test_pointer(void)
{
	/*
	 * stap 4.8 prints %p as %#x does: "0x" and the digits, no padding (the
	 * langref's 0x0000000000bc614e is from older releases; [man] and the
	 * [example] io/traceaio.txt show the short form).
	 */
	FMT("0x1234abcd", "%p", I(0x1234abcd));
	FMT("0x0", "%p", I(0));
	FMT("0xff", "%p", I(255));
	FMT("0xffffffffffffffff", "%p", I(-1));
	FMT("0x7ffb1d9d98c0", "%p", I(0x7ffb1d9d98c0));
	FMT("    iocb[   0]=0x7ffb1d9d98c0, fd=15, opcode=8, offset=0, nbytes=1, buf=0x7ffbc801b6a8\n",
	    "    iocb[%4d]=%p, fd=%d, opcode=%d, offset=%d, nbytes=%d, buf=%p\n", I(0),
	    I(0x7ffb1d9d98c0), I(15), I(8), I(0), I(1), I(0x7ffbc801b6a8));
	FMT("          0x1234abcd|", "%20p|", I(0x1234abcd));
	FMT("0x1234abcd          |", "%-20p|", I(0x1234abcd));
	FMT("0x00000000001234abcd|", "%020p|", I(0x1234abcd));
	FMT("0x000000001234abcd", "%.16p", I(0x1234abcd));
	FMT("0x1", "%+p", I(1));
	FMT("0x1", "% p", I(1));
	FMT("0x1", "%#p", I(1));
	FMT("0x1", "%lp", I(1));
}

/* ----------------------------------------------------------------- %b */

static void test_binary(void)
{
	/* [man] and [langref]: the raw bytes, width 1, 2, 4 or 8, default 8. */
	FMT("\x08\x07\x06\x05\x04\x03\x02\x01", "%b", I(0x0102030405060708));
	FMT("\x08", "%1b", I(0x0102030405060708));
	FMT("\x08\x07", "%2b", I(0x0102030405060708));
	FMT("\x08\x07\x06\x05", "%4b", I(0x0102030405060708));
	FMT("\x08\x07\x06\x05\x04\x03\x02\x01", "%8b", I(0x0102030405060708));
	FMT("\xcd\xab\x34\x12", "%4b", I(0x1234abcd));
	FMT("\xff\xff\xff\xff\xff\xff\xff\xff", "%b", I(-1));
	FMT("\xff", "%1b", I(-1));
	FMT("Hello World\n", "%1b%1b%1blo %1b%1brld\n", I(72), I(101), I(108), I(87), I(111));
	FMT("\xad\xdb\xde\xc0\0\0\0\0"
	    "xV4\x12\0\0\0\0",
	    "%b%b", I(0xc0dedbad), I(0x12345678));
	/* Any other width writes 8 bytes; a larger one pads with NULs. */
	FMT("\x08\x07\x06\x05\x04\x03\x02\x01|", "%3b|", I(0x0102030405060708));
	FMT("\x08\x07\x06\x05\x04\x03\x02\x01|", "%7b|", I(0x0102030405060708));
	FMT("\0\x08\x07\x06\x05\x04\x03\x02\x01|", "%9b|", I(0x0102030405060708));
	FMT("\x08\x07\x06\x05\x04\x03\x02\x01\0|", "%-9b|", I(0x0102030405060708));
	FMT("\x08\x07\x06\x05|", "%-4b|", I(0x0102030405060708));
	FMT("\x08\x07\x06\x05|", "%#4b|", I(0x0102030405060708));
	FMT("\x08\x07|", "%*b|", I(2), I(0x0102030405060708));
	/* A precision of 1, 2, 4 or 8 is the size, and the width pads it. */
	FMT("\x08\x07|", "%.2b|", I(0x0102030405060708));
	FMT("\x08\x07|", "%1.2b|", I(0x0102030405060708));
	FMT("\0\0\x08\x07|", "%4.2b|", I(0x0102030405060708));
	FMT("\x08\x07\0\0|", "%-4.2b|", I(0x0102030405060708));
	FMT("\0\0\x08|", "%3.1b|", I(0x0102030405060708));
	FMT("\x08\x07\x06\x05|", "%2.4b|", I(0x0102030405060708));
	/* Another precision falls back to the width, then to 8. */
	FMT("\x08\x07|", "%2.3b|", I(0x0102030405060708));
	FMT("\x08\x07\x06\x05\x04\x03\x02\x01|", "%.3b|", I(0x0102030405060708));
	FMT("\x08\x07\x06\x05\x04\x03\x02\x01|", "%.0b|", I(0x0102030405060708));
	FMT("\0\x08\x07\x06\x05\x04\x03\x02\x01|", "%9.3b|", I(0x0102030405060708));
	/*
	 * [stap] sizes "%1.3b|" as 1 + 1 bytes, then clamps the precision to
	 * the 2 bytes left, which makes it %.2b: the '|' no longer fits.
	 */
	FMT("\x07\0", "%1.3b|", I(7));
}

/* ------------------------------------------------------------- %m, %M */

static void test_memory(void)
{
	/* [man] the precision is the byte count, 1 by default; %M is hex. */
	FMT("A", "%m", MEM("ABCD"));
	FMT("AB", "%.2m", MEM("ABCD"));
	FMT("A", "%.0m", MEM("ABCD"));
	FMT("      ABCD", "%10.4m", MEM("ABCD"));
	FMT("  41424344", "%10.4M", MEM("ABCD"));
	FMT("   AB|", "%5.2m|", MEM("ABCD"));
	FMT("AB   |", "%-5.2m|", MEM("ABCD"));
	FMT("ABC|", "%1.3m|", MEM("ABCD"));
	FMT("    A|", "%5m|", MEM("ABCD"));
	FMT("A\0\xff" "D", "%.4m", MEM("A\0\xff" "D"));
	FMT("41", "%M", MEM("ABCD"));
	FMT("41ab0f", "%.3M", MEM("\x41\xab\x0f\x44"));
	FMT("41", "%.0M", MEM("ABCD"));
	FMT("    41ab|", "%8.2M|", MEM("\x41\xab\x0f\x44"));
	FMT("41ab    |", "%-8.2M|", MEM("\x41\xab\x0f\x44"));
	FMT("41ab|", "%3.2M|", MEM("\x41\xab\x0f\x44"));
	FMT("41ab|", "%+.2M|", MEM("\x41\xab\x0f\x44"));
	/* '#' means user memory in stap; here the bytes are already read. */
	FMT("41ab|", "%#.2M|", MEM("\x41\xab\x0f\x44"));
	FMT("A\xab|", "%#.2m|", MEM("\x41\xab\x0f\x44"));
	/* [man] "%.*M hex-dumps a given number of bytes from a given buffer" */
	FMT("41ab0f", "%.*M", I(3), MEM("\x41\xab\x0f\x44"));
	FMT("A", "%.*m", I(-3), MEM("\x41\xab\x0f\x44"));
	/* The '0' flag appends a NUL here too. */
	FMT("   AB\0|", "%05.2m|", MEM("ABCD"));
	FMT("    41ab\0|", "%08.2M|", MEM("\x41\xab\x0f\x44"));

	/* More than a page is refused before anything prints. */
	FMT_ERROR(-E2BIG, "x%.4097m", MEM("A"));
	FMT_ERROR(-E2BIG, "x%.*M", I(5000), MEM("A"));
	/* Fewer bytes than the dump needs: the memory could not be read. */
	FMT_ERROR(-EFAULT, "x%.4m", MEM("ABC"));
	FMT_ERROR(-EFAULT, "x%m", stp_arg__mem("", 0));
	/* Arguments that do not fit the format. */
	FMT_ERROR(-EINVAL, "%d", S("x"));
	FMT_ERROR(-EINVAL, "%s", I(1));
	FMT_ERROR(-EINVAL, "%d %d", I(1));
	FMT_ERROR(-EINVAL, "%*d", S("x"), I(1));
	FMT_ERROR(-EINVAL, "%s", stp_arg__mem(NULL, 0));
	/* No format at all (a bad table index upstream). */
	struct stp_buf b = STP_BUF_INIT;
	EXPECT_INT(stp_format__render(&b, NULL, NULL, 0), -EINVAL);
	EXPECT_INT(b.len, 0);
	stp_buf__free(&b);
}

/* --------------------------------------------------- print, println, ... */

static void check_print(const char *file, int line, size_t cap, const char *delim, bool newline,
			const char *want, size_t want_len, const struct stp_arg *args, int nargs)
{
	struct stp_buf b = STP_BUF_INIT;
	int rc = cap ? stp_format__sprint(&b, delim, newline, args, nargs, cap) :
		       stp_format__print(&b, delim, newline, args, nargs);

	unit_expect_int(file, line, "print returns 0", rc, 0);
	unit_expect_mem(file, line, want, b.data, b.len, want, want_len);
	stp_buf__free(&b);
}

#define PRINT(cap, delim, nl, want, ...)                                                           \
	check_print(__FILE__, __LINE__, cap, delim, nl, want, sizeof(want) - 1,                   \
		    ARGS(__VA_ARGS__), NARGS(__VA_ARGS__))

static void test_print(void)
{
	/* [man] print("hello"), println(b), printdln("|", ...) */
	PRINT(0, NULL, false, "hello", S("hello"));
	PRINT(0, NULL, true, "bob\n", S("bob"));
	PRINT(0, "|", true, "5|alice|1234\n", I(5), S("alice"), I(1234));
	PRINT(0, "|", true, "3|bob|4567\n", I(3), S("bob"), I(4567));
	/* [langref] printd("/", "one", "two", "three", 4, 5, 6) */
	PRINT(0, "/", false, "one/two/three/4/5/6", S("one"), S("two"), S("three"), I(4), I(5),
	      I(6));
	/* print and println concatenate: numbers in signed decimal. */
	PRINT(0, NULL, false, "1a-1", I(1), S("a"), I(-1));
	PRINT(0, NULL, true, "-9223372036854775808\n", I(INT64_MIN));
	PRINT(0, NULL, false, "18446744073709551615x", S("18446744073709551615"), S("x"));
	PRINT(0, ", ", false, "a, , b", S("a"), S(""), S("b"));
	PRINT(0, "", true, "12\n", I(1), I(2));
	/* A string's NUL ends it here too. */
	PRINT(0, NULL, false, "ab", stp_arg__mem("ab\0c", 4));

	struct stp_buf b = STP_BUF_INIT;
	EXPECT_INT(stp_format__print(&b, NULL, true, NULL, 0), 0);
	EXPECT_BYTES(b.data, b.len, "\n");
	stp_buf__free(&b);

	/* [man] println(a . " is " . sprint(16)) prints "alice is 16". */
	PRINT(512, NULL, false, "16", I(16));
	/* sprint*: at most MAXSTRINGLEN - 1 bytes, and up to a NUL. */
	PRINT(8, NULL, false, "abcdefg", S("abcdefghij"));
	PRINT(8, "-", true, "1-2-3-4", I(1), I(2), I(3), I(4), I(5));
	PRINT(8, NULL, true, "abc\n", S("abc"));
}

/* ------------------------------------------------------ sprintf, limits */

static void test_sprintf(void)
{
	SFMT(512, "   42|abc", "%5d|%s", I(42), S("abc"));
	SFMT(16, "abcdefghijklmno", "%s%s", S("abcdefgh"), S("ijklmnopq"));
	/* The width clamps to the 16-byte buffer; the last byte goes to the NUL. */
	SFMT(16, "               ", "%20d|", I(1));
	SFMT(16, "              1", "%15d|", I(1));
	SFMT(16, "", "%c%s", I(0), S("lost"));
	SFMT(16, "he", "%0.2s%s", S("hello"), S("lost"));
	/* 14 bytes in, %4b has 2 bytes of room: it becomes %2b. */
	SFMT(16, "             1\x02", "%14d%4b", I(1), I(2));
}

static void test_limits(void)
{
	/* [stap] one printf prints at most 8192 bytes (STP_BUFFER_SIZE). */
	struct stp_format *f = stp_format__parse("%8190d%s", NULL, 0);
	struct stp_buf b = STP_BUF_INIT;

	EXPECT_INT(stp_format__render(&b, f, ARGS(I(1), S("abc")), 2), 0);
	EXPECT_INT(b.len, 8192);
	EXPECT_INT(b.data[0], ' ');
	EXPECT_INT(b.data[8188], ' ');
	EXPECT_BYTES(b.data + 8189, b.len - 8189, "1ab");
	stp_format__free(f);

	/* A width past the limit shrinks to the room left. */
	stp_buf__reset(&b);
	f = stp_format__parse("%9000d", NULL, 0);
	EXPECT_INT(stp_format__render(&b, f, ARGS(I(5)), 1), 0);
	EXPECT_INT(b.len, 8192);
	EXPECT_BYTES(b.data + 8190, b.len - 8190, " 5");
	stp_format__free(f);

	/* %b writes all its bytes or none: 1 byte of room is too little. */
	stp_buf__reset(&b);
	f = stp_format__parse("%8191d%b", NULL, 0);
	EXPECT_INT(stp_format__render(&b, f, ARGS(I(1), I(2)), 2), 0);
	EXPECT_INT(b.len, 8191);
	stp_format__free(f);

	/* %M writes whole digit pairs: 3 bytes of room hold one pair. */
	stp_buf__reset(&b);
	f = stp_format__parse("%8189d%.2M", NULL, 0);
	EXPECT_INT(stp_format__render(&b, f, ARGS(I(1), MEM("AB")), 2), 0);
	EXPECT_BYTES(b.data + 8188, b.len - 8188, "141");
	stp_format__free(f);

	/*
	 * No width nor precision, rendered in one pass: cut at the limit the
	 * same, %b whole or not at all, what fits after it still written.
	 */
	stp_buf__reset(&b);
	static char big[8191];
	memset(big, 'y', sizeof(big) - 1);
	f = stp_format__parse("%s%b%s", NULL, 0);
	EXPECT_INT(stp_format__render(&b, f, ARGS(S(big), I(2), S("zzz")), 3), 0);
	EXPECT_INT(b.len, 8192);
	EXPECT_BYTES(b.data + 8188, b.len - 8188, "yyzz");
	stp_format__free(f);

	/* The limit is per call: what the buffer already holds does not count. */
	stp_buf__reset(&b);
	stp_buf__fill(&b, 'x', 10000);
	f = stp_format__parse("%s", NULL, 0);
	EXPECT_INT(stp_format__render(&b, f, ARGS(S("abc")), 1), 0);
	EXPECT_BYTES(b.data + 10000, b.len - 10000, "abc");
	stp_format__free(f);
	stp_buf__free(&b);
}

/* ---------------------------------------------------------------- buf */

static void test_buf(void)
{
	struct stp_buf b = STP_BUF_INIT;

	EXPECT_BYTES(stp_buf__str(&b), strlen(stp_buf__str(&b)), "");
	EXPECT_INT(stp_buf__puts(&b, "ab"), 0);
	EXPECT_INT(stp_buf__putc(&b, '\0'), 0);
	EXPECT_INT(stp_buf__fill(&b, '-', 3), 0);
	EXPECT_INT(stp_buf__printf(&b, "%d", 42), 0);
	EXPECT_BYTES(b.data, b.len, "ab\0---42");
	/* Always NUL-terminated after len. */
	EXPECT_INT(b.data[b.len], 0);
	stp_buf__truncate(&b, 2);
	EXPECT_BYTES(stp_buf__str(&b), strlen(stp_buf__str(&b)), "ab");
	/* Growth well past the first allocation, through printf too. */
	char big[300];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	EXPECT_INT(stp_buf__printf(&b, "<%s>", big), 0);
	EXPECT_INT(b.len, 2 + 1 + 299 + 1);
	EXPECT_INT(b.data[b.len - 1], '>');
	EXPECT_INT(b.data[b.len], 0);
	stp_buf__reset(&b);
	EXPECT_INT(b.len, 0);
	EXPECT_BYTES(stp_buf__str(&b), strlen(stp_buf__str(&b)), "");
	/* A failed allocation sticks, and reset clears it. */
	EXPECT_INT(stp_buf__reserve(&b, SIZE_MAX - 8), -ENOMEM);
	EXPECT_INT(stp_buf__puts(&b, "x"), -ENOMEM);
	EXPECT_INT(b.len, 0);
	stp_buf__reset(&b);
	EXPECT_INT(stp_buf__puts(&b, "x"), 0);
	EXPECT_BYTES(b.data, b.len, "x");
	stp_buf__free(&b);
	EXPECT_INT(b.data == NULL, 1);
}

static const struct unit_area areas[] = {
	{ "parse", test_parse },     { "integers", test_integers }, { "widths", test_widths },
	{ "strings", test_strings }, { "chars", test_chars },	    { "pointer", test_pointer },
	{ "binary", test_binary },   { "memory", test_memory },	    { "print", test_print },
	{ "sprintf", test_sprintf }, { "limits", test_limits },	    { "buf", test_buf },
};

UNIT_MAIN(areas)
