// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * pieces.c - strings BPF sent unassembled (stp_record.h): literals by
 * number, sprintf arguments unformatted, strings to quote. Each value is
 * assembled here, cut to MAXSTRINGLEN as stap would have cut it.
 */
#include "sites.h"
#include "stp_gen.h"

#include <stdio.h>

static u16 get_u16(const char **p, const char *end)
{
	u16 v = 0;
	if (*p + 2 <= end)
		memcpy(&v, *p, 2);
	*p += 2;
	return v;
}

static void append(char *dst, const char *s, size_t n)
{
	size_t have = strnlen(dst, stp_maxstr - 1);
	if (n > stp_maxstr - 1 - have)
		n = stp_maxstr - 1 - have;
	memcpy(dst + have, s, n);
	dst[have + n] = 0;
}

static void read_format(struct stp_rt *rt, const char **p, const char *end, char *dst)
{
	const struct stp_format *f = stp_format_at(get_u16(p, end));
	if (!f)
		return;
	struct stp_arg args[32];
	char strs[32][4096];
	int n = f->nargs < 32 ? f->nargs : 32;
	for (int i = 0; i < n; i++) {
		if (stp_format__arg_kind(f, i) == STP_ARG_STR) {
			strs[i][0] = 0;
			stp_read_string(rt, p, end, strs[i]);
			args[i] = stp_arg__str(strs[i]);
		} else {
			args[i] = stp_arg__int(stp_read_long(p, end));
		}
	}
	struct stp_buf b = STP_BUF_INIT;
	stp_format__render_string(&b, f, args, n, stp_maxstr);
	append(dst, stp_buf__str(&b), b.len);
	stp_buf__free(&b);
}

void stp_read_string(struct stp_rt *rt, const char **p, const char *end, char *dst)
{
	dst[0] = 0;
	char inner[65536];
	while (*p < end) {
		u8 tag = (u8) * (*p)++;
		switch (tag) {
		case STP_P_END:
			return;
		case STP_P_LIT: {
			const char *s = stp_literal(get_u16(p, end));
			append(dst, s, strlen(s));
			break;
		}
		case STP_P_STR: {
			u16 n = get_u16(p, end);
			if (*p + n > end)
				n = (u16)(end - *p);
			append(dst, *p, strnlen(*p, n));
			*p += n;
			break;
		}
		case STP_P_UQUOTE: {
			u16 n = get_u16(p, end);
			if (n == STP_UQUOTE_FAULT) {
				/* Unreadable: stap prints the address, unquoted. */
				char a[32];
				snprintf(a, sizeof(a), "0x%llx", (unsigned long long)stp_read_long(p, end));
				append(dst, a, strlen(a));
				break;
			}
			if (*p + n > end)
				n = (u16)(end - *p);
			char raw[65536];
			memcpy(raw, *p, n);
			raw[n] = 0;
			*p += n;
			stp_string_quoted(inner, raw);
			append(dst, inner, strlen(inner));
			break;
		}
		case STP_P_QUOTE:
		case STP_P_TEXT: {
			char raw[65536];
			stp_read_string(rt, p, end, raw);
			if (tag == STP_P_QUOTE)
				stp_string_quoted(inner, raw);
			else
				stp_text_str(inner, raw);
			append(dst, inner, strlen(inner));
			break;
		}
		case STP_P_FMT:
			read_format(rt, p, end, dst);
			break;
		case STP_P_NUM: {
			char num[32];
			snprintf(num, sizeof(num), "%lld", (long long)stp_read_long(p, end));
			append(dst, num, strlen(num));
			break;
		}
		case STP_P_KSTACK:
		case STP_P_KSYM:
			stp_read_ksymbol_piece(rt, tag, p, end, dst);
			break;
		case STP_P_USTACK:
		case STP_P_USYM:
			stp_read_usymbol_piece(rt, tag, p, end, dst);
			break;
		case STP_P_KSITE:
		case STP_P_USITE:
		case STP_P_UPARMS:
		case STP_P_URET:
			/* A site's names: its expander knows them (sites.h). */
			if (stp_sites_piece(rt, tag, p, end, dst))
				break;
			*p = end;
			return;
		default:
			/* Not ours: stop rather than read garbage. */
			*p = end;
			return;
		}
	}
}
