/*
 * tree.c - RFC 9162 section 2.1.1 hashes.
 */
#include "tree.h"

#include <sodium.h>
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

void avow_frontier_add(avow_frontier *f, const uint8_t leaf[32])
{
	uint64_t n = f->n;

	memcpy(f->h[f->depth++], leaf, 32);
	/* Each trailing one bit of the old size is a subtree to merge. */
	while (n & 1) {
		avow_node_hash(f->h[f->depth - 2], f->h[f->depth - 2],
			       f->h[f->depth - 1]);
		f->depth--;
		n >>= 1;
	}
	f->n++;
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
