/* SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause */
/*
 * stp_kside_errors.h - a kernel probe's run-time errors, shared by both
 * kernel sides (bpf/stp_bpf.h and kmod/stp_kmod.h), included by each once
 * its records are defined: struct stp_rec, stp_rec_begin/end, stp_put_*,
 * stp_send_error.
 */
#ifndef STP_KSIDE_ERRORS_H
#define STP_KSIDE_ERRORS_H

/*
 * A run-time error whose text is made here (error(msg), a fault at an
 * address) waits in the frame until the handler ends: a try/catch may
 * still take it, from cmsg, and then the tool never hears of it.
 */
static __always_inline struct stp_rec stp_error_rec(struct stp_frame *fr)
{
	struct stp_rec r = { .p = fr->emsg, .size = STP_LAZY_MAX };
	return r;
}

/* A fault: its message (in cmsg already), then where, the tool's literal. */
static __always_inline void stp_error_at(struct stp_frame *fr, u32 site, u16 where)
{
	struct stp_rec r = stp_error_rec(fr);
	stp_put_str(&r, fr->cmsg);
	stp_put_u8(&r, STP_P_LIT);
	stp_put_u16(&r, where);
	fr->elen = r.off;
	fr->esite = site;
	fr->error = STP_ERR_PIECES;
}

#define STP_ERR_RECORD ((4 + STP_LAZY_MAX + 1 + 7) & ~7)

/*
 * The end of a handler that failed: the tool reports its error (and
 * counts it). A message of the tool's table travels as its number, one
 * made here as its pieces, under the site that raised it.
 */
static __always_inline void stp_report_error(struct stp_frame *fr)
{
	struct stp_rec r;
	if (fr->error != STP_ERR_PIECES) {
		if (fr->error)
			stp_send_error(fr->error - 1);
		return;
	}
	if (stp_rec_begin(&r, STP_ERR_RECORD, fr->esite))
		return;
	stp_put_pieces(&r, fr->emsg, (u32)fr->elen, STP_LAZY_MAX);
	stp_put_u8(&r, STP_P_END);
	stp_rec_end(&r, 1);
}

#endif /* STP_KSIDE_ERRORS_H */
