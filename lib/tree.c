/*
 * tree.c - RFC 9162 section 2.1.1 hashes.
 */
#include "tree.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void avow_leaf_hash(uint8_t out[32], const uint8_t *data, size_t len)
{
	crypto_hash_sha256_state st;
	const uint8_t zero = 0;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

void avow_node_hash(uint8_t out[32], const uint8_t left[32],
		    const uint8_t right[32])
{
	uint8_t buf[65];

	buf[0] = 1;
	memcpy(buf + 1, left, 32);
	memcpy(buf + 33, right, 32);
	crypto_hash_sha256(out, buf, sizeof buf);
}

void avow_frontier_init(avow_frontier *f)
{
	f->n = 0;
	f->depth = 0;
}

void avow_frontier_add_nodes(avow_frontier *f, const uint8_t leaf[32],
			     avow_node_fn fn, void *ctx)
{
	uint64_t n = f->n;
	unsigned level = 0;

	memcpy(f->h[f->depth++], leaf, 32);
	if (fn != NULL)
		fn(ctx, 0, f->n, leaf);
	/* Each trailing one bit of the old size is a subtree to merge. */
	while (n & 1) {
		avow_node_hash(f->h[f->depth - 2], f->h[f->depth - 2],
			       f->h[f->depth - 1]);
		f->depth--;
		n >>= 1;
		level++;
		if (fn != NULL)
			fn(ctx, level, f->n >> level, f->h[f->depth - 1]);
	}
	f->n++;
}

void avow_frontier_add(avow_frontier *f, const uint8_t leaf[32])
{
	avow_frontier_add_nodes(f, leaf, NULL, NULL);
}

void avow_frontier_root(const avow_frontier *f, uint8_t out[32])
{
	uint8_t r[32];

	if (f->depth == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	memcpy(r, f->h[f->depth - 1], 32);
	for (int i = f->depth - 2; i >= 0; i--)
		avow_node_hash(r, f->h[i], r);
	memcpy(out, r, 32);
}

/* ------------------------------------------------------------------ */
/* The whole tree in memory                                            */

void avow_memtree_init(avow_memtree *t)
{
	memset(t, 0, sizeof *t);
	avow_frontier_init(&t->f);
}

void avow_memtree_free(avow_memtree *t)
{
	for (int i = 0; i < 64; i++)
		free(t->lv[i]);
	avow_memtree_init(t);
}

static void memtree_put(void *ctx, unsigned level, uint64_t idx,
			const uint8_t hash[32])
{
	avow_memtree *t = ctx;

	if (t->oom || level >= 64)
		return;
	if (idx >= t->cap[level]) {
		uint64_t cap = t->cap[level] ? t->cap[level] * 2 : 64;
		void *p = realloc(t->lv[level], (size_t)cap * 32);
		if (p == NULL) {
			t->oom = 1;
			return;
		}
		t->lv[level] = p;
		t->cap[level] = cap;
	}
	memcpy(t->lv[level][idx], hash, 32);
	t->len[level] = idx + 1;
}

int avow_memtree_add(avow_memtree *t, const uint8_t leaf[32])
{
	if (t->oom)
		return -1;
	avow_frontier_add_nodes(&t->f, leaf, memtree_put, t);
	return t->oom ? -1 : 0;
}

avow_status avow_memtree_read(void *ctx, unsigned level, uint64_t idx,
			      uint8_t out[32], avow_error *err)
{
	const avow_memtree *t = ctx;

	if (level >= 64 || idx >= t->len[level])
		return avow_seterr(err, AVOW_ERR_NOT_FOUND,
				   "no tree node at level %u index %llu", level,
				   (unsigned long long)idx);
	memcpy(out, t->lv[level][idx], 32);
	return AVOW_OK;
}
