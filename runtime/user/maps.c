// SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
/*
 * maps.c - a script's arrays, one interface over two homes: a hash table
 * in the tool for arrays only the tool touches, a BPF map for arrays BPF
 * fills (statistics there are per CPU, merged here on every read) or, in
 * a module tool, the module's own map, reached through its /proc file's
 * ioctl (runtime/kmod/stp_kmod_abi.h) with the meaning of BPF's syscalls.
 * foreach works on a sorted copy, as the array may change while it runs.
 */
#include "stp_gen.h"
#include "stp_internal.h"
#include "../kmod/stp_kmod_abi.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

struct stp_map {
	const struct stp_layout *l;
	s64 max_entries;
	bool wrap;
	char full_msg[64]; /* stap's words when it is full */
	int fd; /* a BPF map, or the module's /proc file, or -1 */
	int kmap; /* the module's map number, or -1 for a BPF map */
	/* The tool's own: open addressing, records of key then value. */
	char *recs;
	u8 *state; /* 0 empty, 1 used, 2 deleted */
	u64 *seq;  /* insertion order, for % wrap-around */
	size_t cap, n, rec;
	u64 next_seq;
	/* A BPF map's: one value, and room for every CPU's. */
	char *val, *percpu;
	int ncpus;
	struct bpf_map_info kinfo; /* its kernel-side sizes and type */
};

static size_t round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

struct stp_map *stp_map__new(const struct stp_layout *l, s64 max_entries, bool wrap, bool sized)
{
	struct stp_map *m = calloc(1, sizeof(*m));
	m->l = l;
	m->max_entries = max_entries;
	m->wrap = wrap;
	/* A declared size (global a[3]) is named; the default limit is not. */
	if (sized)
		snprintf(m->full_msg, sizeof(m->full_msg), "Array overflow, check size limit (%lld)",
			 (long long)max_entries);
	else
		snprintf(m->full_msg, sizeof(m->full_msg), "Array overflow, check MAXMAPENTRIES");
	m->fd = -1;
	m->kmap = -1;
	m->rec = round8(l->key_size) + round8(l->value_size);
	m->val = calloc(1, round8(l->value_size));
	return m;
}

void stp_map__bind(struct stp_map *m, int fd)
{
	m->fd = fd;
	__u32 len = sizeof(m->kinfo);
	if (bpf_obj_get_info_by_fd(fd, &m->kinfo, &len)) {
		/* Not expected of a map just loaded; the walks below then do without batches. */
		m->kinfo.type = BPF_MAP_TYPE_HASH;
		m->kinfo.key_size = (__u32)m->l->key_size;
		m->kinfo.value_size = (__u32)m->l->value_size;
		m->kinfo.max_entries = (__u32)m->max_entries * 2;
	}
	if (m->l->value == STP_VAL_STATS) {
		m->ncpus = libbpf_num_possible_cpus();
		m->percpu = calloc((size_t)m->ncpus, round8(m->l->value_size));
	}
}

/*
 * The module's map number index, through the module's file: its sizes as
 * the module has them. 0, or 1 after saying why.
 */
int stp_map__bind_kmod(struct stp_map *m, struct stp_rt *rt, int index)
{
	struct stp_kmod_map_op op = { .map = (unsigned)index, .op = STP_KMOD_MAP_INFO };
	(void)rt;
	m->fd = stp_kmod_fd();
	m->kmap = index;
	if (m->fd < 0 || ioctl(m->fd, STP_KMOD_IOC_MAP, &op)) {
		stp_say("cannot reach its module's array %d: %s", index, strerror(errno));
		return 1;
	}
	m->kinfo.type = op.type;
	m->kinfo.key_size = op.key_size;
	m->kinfo.value_size = op.value_size;
	m->kinfo.max_entries = op.max_entries;
	if (m->l->value == STP_VAL_STATS) {
		m->ncpus = (int)op.ncpus;
		m->percpu = calloc((size_t)m->ncpus, round8(m->l->value_size));
	}
	return 0;
}

/* One operation on the module's map; 0 or -1 with errno, as bpf()'s. */
static int kmod_op(struct stp_map *m, unsigned op, const void *key, void *value)
{
	struct stp_kmod_map_op o = { .map = (unsigned)m->kmap, .op = op,
				     .key = (unsigned long long)(uintptr_t)key,
				     .value = (unsigned long long)(uintptr_t)value };
	return ioctl(m->fd, STP_KMOD_IOC_MAP, &o) ? -1 : 0;
}

/* bpf_map_*_elem of a BPF map, or the same of a module's. */
static int map_lookup(struct stp_map *m, const void *key, void *value)
{
	return m->kmap >= 0 ? kmod_op(m, STP_KMOD_MAP_LOOKUP, key, value)
			    : bpf_map_lookup_elem(m->fd, key, value);
}

static int map_update(struct stp_map *m, const void *key, const void *value)
{
	return m->kmap >= 0 ? kmod_op(m, STP_KMOD_MAP_UPDATE, key, (void *)value)
			    : bpf_map_update_elem(m->fd, key, value, BPF_ANY);
}

static int map_delete(struct stp_map *m, const void *key)
{
	return m->kmap >= 0 ? kmod_op(m, STP_KMOD_MAP_DELETE, key, NULL)
			    : bpf_map_delete_elem(m->fd, key);
}

/* ------------------------------------------------------------ the tool's own */

static u64 hash(const void *key, size_t n)
{
	const unsigned char *p = key;
	u64 h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static char *rec_key(struct stp_map *m, size_t i)
{
	return m->recs + i * m->rec;
}

static char *rec_val(struct stp_map *m, size_t i)
{
	return rec_key(m, i) + round8(m->l->key_size);
}

static ssize_t find(struct stp_map *m, const void *key)
{
	if (!m->cap)
		return -1;
	size_t i = hash(key, m->l->key_size) & (m->cap - 1);
	for (size_t probes = 0; probes < m->cap; probes++, i = (i + 1) & (m->cap - 1)) {
		if (m->state[i] == 0)
			return -1;
		if (m->state[i] == 1 && !memcmp(rec_key(m, i), key, m->l->key_size))
			return (ssize_t)i;
	}
	return -1;
}

static void grow(struct stp_map *m)
{
	struct stp_map old = *m;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->recs = calloc(m->cap, m->rec);
	m->state = calloc(m->cap, 1);
	m->seq = calloc(m->cap, sizeof(u64));
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.state[i] != 1)
			continue;
		size_t j = hash(old.recs + i * old.rec, m->l->key_size) & (m->cap - 1);
		while (m->state[j])
			j = (j + 1) & (m->cap - 1);
		memcpy(rec_key(m, j), old.recs + i * old.rec, m->rec);
		m->state[j] = 1;
		m->seq[j] = old.seq[i];
		m->n++;
	}
	free(old.recs);
	free(old.state);
	free(old.seq);
}

/* The oldest entry goes when a % array is full. */
static void evict_oldest(struct stp_map *m)
{
	size_t best = m->cap;
	for (size_t i = 0; i < m->cap; i++)
		if (m->state[i] == 1 && (best == m->cap || m->seq[i] < m->seq[best]))
			best = i;
	if (best < m->cap) {
		m->state[best] = 2;
		m->n--;
	}
}

static char *insert(struct stp_rt *rt, struct stp_map *m, const void *key)
{
	if ((s64)m->n >= m->max_entries) {
		if (!m->wrap) {
			stp_error(rt, m->full_msg);
			return NULL;
		}
		evict_oldest(m);
	}
	if (2 * (m->n + 1) > m->cap)
		grow(m);
	size_t i = hash(key, m->l->key_size) & (m->cap - 1);
	while (m->state[i] == 1)
		i = (i + 1) & (m->cap - 1);
	m->state[i] = 1;
	m->seq[i] = m->next_seq++;
	m->n++;
	memcpy(rec_key(m, i), key, m->l->key_size);
	memset(rec_val(m, i), 0, round8(m->l->value_size));
	return rec_val(m, i);
}

/* ------------------------------------------------------------ BPF's */

void stp_stats_merge_cpus(const struct stp_layout *l, void *out, const char *percpu, int ncpus);

static const void *k_get(struct stp_map *m, const void *key)
{
	if (m->percpu) {
		if (map_lookup(m, key, m->percpu))
			return NULL;
		stp_stats_merge_cpus(m->l, m->val, m->percpu, m->ncpus);
		return m->val;
	}
	return map_lookup(m, key, m->val) ? NULL : m->val;
}

/* A BPF map's elements, as one batch reads (or takes) them. */
struct k_batch {
	char *keys, *vals;
	u32 n, cap;
	size_t kstride, vstride;
};

static bool k_batch_grow(struct k_batch *b, u32 cap)
{
	char *keys = realloc(b->keys, (size_t)cap * b->kstride);
	if (keys)
		b->keys = keys;
	char *vals = keys ? realloc(b->vals, (size_t)cap * b->vstride) : NULL;
	if (vals)
		b->vals = vals;
	if (!keys || !vals)
		return false;
	b->cap = cap;
	return true;
}

/*
 * Reads every element of a BPF hash map, deleting them too with `take`, a
 * bucket at a time. Unlike a walk with get_next_key, which starts over
 * whenever the key it stands on is deleted, a batch visits each bucket
 * once: it ends however fast the probes insert and delete meanwhile (the
 * tool's own bpf() calls fire them). What the probes add behind it is
 * after the read, or the delete, as in stap. False if the kernel has no
 * batches.
 */
static bool k_batch_read(struct stp_map *m, bool take, struct k_batch *b)
{
	u64 at = 0, next = 0;
	bool first = true;
	while (b->n < m->kinfo.max_entries) {
		if (b->cap - b->n < 64 && !k_batch_grow(b, b->cap ? b->cap * 2 : 256))
			return true;
		u32 count = b->cap - b->n;
		char *k = b->keys + (size_t)b->n * b->kstride, *v = b->vals + (size_t)b->n * b->vstride;
		int err = take ? bpf_map_lookup_and_delete_batch(m->fd, first ? NULL : &at, &next, k,
								 v, &count, NULL)
			       : bpf_map_lookup_batch(m->fd, first ? NULL : &at, &next, k, v, &count,
						      NULL);
		if (err && errno == ENOSPC && count == 0) {
			/* One bucket holds more than there was room for. */
			if (!k_batch_grow(b, b->cap * 2))
				return true;
			continue;
		}
		if (err && errno != ENOENT)
			return first ? false : true;
		b->n += count;
		if (err)
			break; /* ENOENT: every bucket seen */
		at = next;
		first = false;
	}
	return true;
}

/*
 * Without batches (kernels before 5.6): a get_next_key walk, bounded by
 * the map's size, so that it ends even while the probes refill the map.
 */
static void k_walk_read(struct stp_map *m, bool take, struct k_batch *b)
{
	char *key = calloc(1, b->kstride), *at = NULL;
	for (u32 steps = 0; steps < m->kinfo.max_entries; steps++) {
		if (b->n == b->cap && !k_batch_grow(b, b->cap ? b->cap * 2 : 256))
			break;
		char *next = b->keys + (size_t)b->n * b->kstride;
		if (bpf_map_get_next_key(m->fd, take ? NULL : at, next))
			break;
		if (bpf_map_lookup_elem(m->fd, next, b->vals + (size_t)b->n * b->vstride) == 0)
			b->n++;
		if (take && bpf_map_delete_elem(m->fd, next))
			break;
		memcpy(key, next, b->kstride);
		at = key;
	}
	free(key);
}

/* A module's map, from the first place of its pool to the last: each element once. */
static void kmod_read(struct stp_map *m, bool take, struct k_batch *b)
{
	struct stp_kmod_map_op o = { .map = (unsigned)m->kmap,
				     .op = take ? STP_KMOD_MAP_TAKE : STP_KMOD_MAP_DUMP };
	while (o.cursor < m->kinfo.max_entries) {
		if (b->cap - b->n < 64 && !k_batch_grow(b, b->cap ? b->cap * 2 : 256))
			return;
		o.key = (unsigned long long)(uintptr_t)(b->keys + (size_t)b->n * b->kstride);
		o.value = (unsigned long long)(uintptr_t)(b->vals + (size_t)b->n * b->vstride);
		o.count = b->cap - b->n;
		if (ioctl(m->fd, STP_KMOD_IOC_MAP, &o))
			return;
		b->n += o.count;
	}
}

/* Every element of BPF map m (taken out of it with `take`), in b. */
static void k_elements(struct stp_map *m, bool take, struct k_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->kstride = m->kinfo.key_size;
	b->vstride = m->percpu ? round8(m->kinfo.value_size) * (size_t)m->ncpus : m->kinfo.value_size;
	if (m->kmap >= 0)
		kmod_read(m, take, b);
	else if (!k_batch_read(m, take, b))
		k_walk_read(m, take, b);
}

/* Element i of b: its key, and its value (statistics merged across CPUs). */
static const void *k_element(struct stp_map *m, struct k_batch *b, u32 i, const void **value)
{
	const char *v = b->vals + (size_t)i * b->vstride;
	if (m->percpu) {
		stp_stats_merge_cpus(m->l, m->val, v, m->ncpus);
		v = m->val;
	}
	*value = v;
	return b->keys + (size_t)i * b->kstride;
}

static void k_batch_free(struct k_batch *b)
{
	free(b->keys);
	free(b->vals);
}

/* A statistic without keys is one per-CPU slot: emptied, not deleted. */
static void k_zero_slot(struct stp_map *m)
{
	u32 zero = 0;
	char *v = calloc((size_t)m->ncpus, round8(m->kinfo.value_size));
	if (v)
		map_update(m, &zero, v);
	free(v);
}

/* ------------------------------------------------------------ the interface */

const void *stp_map__get(struct stp_map *m, const void *key)
{
	if (m->fd >= 0)
		return k_get(m, key);
	ssize_t i = find(m, key);
	if (i < 0)
		return NULL;
	if (m->l->value == STP_VAL_STATS) {
		/* One partial still goes through the merge stap's extractors see. */
		stp_stats_merge_cpus(m->l, m->val, rec_val(m, (size_t)i), 1);
		return m->val;
	}
	return rec_val(m, (size_t)i);
}

bool stp_map__set(struct stp_rt *rt, struct stp_map *m, const void *key, const void *value)
{
	if (m->fd >= 0) {
		if (map_update(m, key, value)) {
			stp_error(rt, errno == E2BIG ? m->full_msg : "cannot update an array shared with BPF");
			return false;
		}
		return true;
	}
	ssize_t i = find(m, key);
	char *v = i >= 0 ? rec_val(m, (size_t)i) : insert(rt, m, key);
	if (!v)
		return false;
	memcpy(v, value, m->l->value_size);
	return true;
}

void *stp_map__ref(struct stp_rt *rt, struct stp_map *m, const void *key)
{
	if (m->fd >= 0) {
		stp_error(rt, "statistics gathered in BPF cannot also be added to from the tool");
		return NULL;
	}
	ssize_t i = find(m, key);
	return i >= 0 ? rec_val(m, (size_t)i) : insert(rt, m, key);
}

void stp_map__del(struct stp_map *m, const void *key)
{
	if (m->fd >= 0) {
		map_delete(m, key);
		return;
	}
	ssize_t i = find(m, key);
	if (i >= 0) {
		m->state[i] = 2;
		m->n--;
	}
}

void stp_map__clear(struct stp_map *m)
{
	if (m->fd >= 0) {
		if (m->kinfo.type == BPF_MAP_TYPE_PERCPU_ARRAY) {
			k_zero_slot(m);
			return;
		}
		struct k_batch b;
		k_elements(m, true, &b);
		k_batch_free(&b);
		return;
	}
	if (m->state)
		memset(m->state, 0, m->cap);
	m->n = 0;
}

s64 stp_map__count(struct stp_map *m)
{
	if (m->fd < 0)
		return (s64)m->n;
	struct k_batch b;
	k_elements(m, false, &b);
	k_batch_free(&b);
	return (s64)b.n;
}

/* ------------------------------------------------------------ foreach */

static const struct stp_layout *sort_layout;
static int sort_column, sort_dir;
static enum stp_agg sort_agg;
static size_t sort_rec;

s64 stp_stats_agg(const void *value, enum stp_agg agg);

static int cmp_values(const char *a, const char *b)
{
	const struct stp_layout *l = sort_layout;
	if (sort_column == 0) {
		const char *va = a + round8(l->key_size), *vb = b + round8(l->key_size);
		if (l->value == STP_VAL_STRING)
			return strcmp(va, vb);
		s64 x, y;
		if (l->value == STP_VAL_STATS) {
			x = stp_stats_agg(va, sort_agg);
			y = stp_stats_agg(vb, sort_agg);
		} else {
			memcpy(&x, va, 8);
			memcpy(&y, vb, 8);
		}
		return x < y ? -1 : x > y;
	}
	int k = sort_column - 1;
	if (l->key[k].is_string)
		return strcmp(a + l->key[k].offset, b + l->key[k].offset);
	s64 x, y;
	memcpy(&x, a + l->key[k].offset, 8);
	memcpy(&y, b + l->key[k].offset, 8);
	return x < y ? -1 : x > y;
}

/* Equal elements keep their order: the record's index breaks ties. */
static int cmp_records(const void *pa, const void *pb)
{
	const char *a = pa, *b = pb;
	int c = cmp_values(a, b) * sort_dir;
	if (c)
		return c;
	u64 ia, ib;
	memcpy(&ia, a + sort_rec - 8, 8);
	memcpy(&ib, b + sort_rec - 8, 8);
	return ia < ib ? -1 : ia > ib;
}

static void reverse(char *data, size_t n, size_t rec)
{
	char *tmp = malloc(rec);
	for (size_t i = 0, j = n - 1; i < j; i++, j--) {
		memcpy(tmp, data + i * rec, rec);
		memcpy(data + i * rec, data + j * rec, rec);
		memcpy(data + j * rec, tmp, rec);
	}
	free(tmp);
}

static bool in_slice(const struct stp_layout *l, const char *key, const void *slice,
		     const bool *fixed)
{
	if (!slice)
		return true;
	for (int k = 0; k < l->nkeys; k++) {
		if (!fixed[k])
			continue;
		size_t n = l->key[k].is_string ? strlen((const char *)slice + l->key[k].offset) + 1 : 8;
		if (memcmp(key + l->key[k].offset, (const char *)slice + l->key[k].offset, n))
			return false;
	}
	return true;
}

static void add_record(struct stp_iter *it, const void *key, const void *val, size_t *cap)
{
	const struct stp_layout *l = it->layout;
	if ((size_t)it->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		it->data = realloc(it->data, *cap * it->rec);
	}
	char *r = it->data + (size_t)it->n * it->rec;
	memset(r, 0, it->rec);
	memcpy(r, key, l->key_size);
	memcpy(r + round8(l->key_size), val, l->value_size);
	u64 idx = (u64)it->n;
	memcpy(r + it->rec - 8, &idx, 8);
	it->n++;
}

void stp_iter__init(struct stp_iter *it, struct stp_map *m, int column, int dir, enum stp_agg agg,
		    s64 limit, const void *slice_key, const bool *slice_fixed)
{
	const struct stp_layout *l = m->l;
	memset(it, 0, sizeof(*it));
	it->layout = l;
	it->rec = round8(l->key_size) + round8(l->value_size) + 8;
	size_t cap = 0;
	if (m->fd >= 0) {
		struct k_batch b;
		k_elements(m, false, &b);
		for (u32 i = 0; i < b.n; i++) {
			const void *v, *key = k_element(m, &b, i, &v);
			if (in_slice(l, key, slice_key, slice_fixed))
				add_record(it, key, v, &cap);
		}
		k_batch_free(&b);
	} else {
		/* Insertion order, so an unsorted foreach is stable run to run. */
		size_t *order = malloc(sizeof(size_t) * (m->n ? m->n : 1));
		size_t n = 0;
		for (size_t i = 0; i < m->cap; i++)
			if (m->state[i] == 1)
				order[n++] = i;
		for (size_t a = 1; a < n; a++)
			for (size_t b = a; b > 0 && m->seq[order[b - 1]] > m->seq[order[b]]; b--) {
				size_t t = order[b];
				order[b] = order[b - 1];
				order[b - 1] = t;
			}
		for (size_t i = 0; i < n; i++)
			if (in_slice(l, rec_key(m, order[i]), slice_key, slice_fixed))
				add_record(it, rec_key(m, order[i]), rec_val(m, order[i]), &cap);
		free(order);
	}
	if (column >= 0 && it->n > 1) {
		sort_layout = l;
		sort_column = column;
		sort_dir = dir < 0 ? -1 : 1;
		sort_agg = agg;
		sort_rec = it->rec;
		/*
		 * stap's descending order keeps ties in insertion order, except
		 * with a limit, where it is the ascending order reversed.
		 */
		bool reversed = sort_dir < 0 && limit >= 0;
		if (reversed)
			sort_dir = 1;
		if (it->n > 1)
			qsort(it->data, (size_t)it->n, it->rec, cmp_records);
		if (reversed)
			reverse(it->data, (size_t)it->n, it->rec);
	}
	if (limit >= 0 && limit < it->n)
		it->n = (int)limit;
}

bool stp_iter__next(struct stp_iter *it, const void **key, const void **value)
{
	if (it->i >= it->n)
		return false;
	char *r = it->data + (size_t)it->i++ * it->rec;
	*key = r;
	*value = r + round8(it->layout->key_size);
	return true;
}

void stp_iter__free(struct stp_iter *it)
{
	free(it->data);
	it->data = NULL;
	it->n = it->i = 0;
}
