/*
 * tree.h - RFC 9162 Merkle tree hashing: leaf and node hashes, and the
 * running root of a growing log in O(log n) memory.
 */
#ifndef AVOW_TREE_H
#define AVOW_TREE_H

#include "internal.h"

#include <stddef.h>
#include <stdint.h>

/* SHA-256(0x00 || data) */
void avow_leaf_hash(uint8_t out[32], const uint8_t *data, size_t len);
/* SHA-256(0x01 || left || right) */
void avow_node_hash(uint8_t out[32], const uint8_t left[32],
		    const uint8_t right[32]);

/* The roots of the perfect subtrees that make up a tree of n leaves, one
 * per set bit of n, largest first. */
typedef struct {
	uint64_t n;
	int depth; /* number of subtree roots held */
	uint8_t h[64][32];
} avow_frontier;

void avow_frontier_init(avow_frontier *f);
void avow_frontier_add(avow_frontier *f, const uint8_t leaf[32]);
/* MTH of the n leaves added so far; for n == 0, SHA-256 of nothing. */
void avow_frontier_root(const avow_frontier *f, uint8_t out[32]);

/* Called for each perfect subtree that adding a leaf completes: the node
 * at `level` (0 for the leaf itself) and index idx covers leaves
 * [idx << level, (idx + 1) << level), and is complete once the tree holds
 * (idx + 1) << level leaves. Lowest level first. */
typedef void (*avow_node_fn)(void *ctx, unsigned level, uint64_t idx,
			     const uint8_t hash[32]);

/* avow_frontier_add, reporting every node completed. */
void avow_frontier_add_nodes(avow_frontier *f, const uint8_t leaf[32],
			     avow_node_fn fn, void *ctx);

/* Read the hash of the perfect subtree node (level, idx). */
typedef avow_status (*avow_node_reader)(void *ctx, unsigned level, uint64_t idx,
					uint8_t out[32], avow_error *err);

/* MTH of leaves [lo, hi) (lo < hi). A range that is a perfect, aligned
 * subtree is one read; any other is split as RFC 9162 splits it. Every
 * range the RFC 9162 recursion visits over [0, n) costs O(log n) reads. */
avow_status avow_tree_hash(avow_node_reader rd, void *ctx, uint64_t lo,
			   uint64_t hi, uint8_t out[32], avow_error *err);

/* Proofs over a tree whose perfect subtrees rd can read. */
avow_status avow_tree_inclusion(avow_node_reader rd, void *ctx, uint64_t index,
				uint64_t size, avow_inclusion *out,
				avow_error *err);
avow_status avow_tree_consistency(avow_node_reader rd, void *ctx, uint64_t m,
				  uint64_t n, avow_consistency *out,
				  avow_error *err);

/* A whole tree in memory: every node of every level (64 bytes a leaf). */
typedef struct {
	uint8_t (*lv[64])[32];
	uint64_t len[64], cap[64];
	avow_frontier f;
	int oom;
} avow_memtree;

void avow_memtree_init(avow_memtree *t);
void avow_memtree_free(avow_memtree *t);
/* Returns 0, or -1 when out of memory. */
int avow_memtree_add(avow_memtree *t, const uint8_t leaf[32]);
/* An avow_node_reader over a memtree (ctx is the avow_memtree). */
avow_status avow_memtree_read(void *ctx, unsigned level, uint64_t idx,
			      uint8_t out[32], avow_error *err);

#endif
