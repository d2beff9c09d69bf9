/*
 * tree.h - RFC 9162 Merkle tree hashing: leaf and node hashes, and the
 * running root of a growing log in O(log n) memory.
 */
#ifndef AVOW_TREE_H
#define AVOW_TREE_H

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
	int depth;          /* number of subtree roots held */
	uint8_t h[64][32];
} avow_frontier;

void avow_frontier_init(avow_frontier *f);
void avow_frontier_add(avow_frontier *f, const uint8_t leaf[32]);
/* MTH of the n leaves added so far; for n == 0, SHA-256 of nothing. */
void avow_frontier_root(const avow_frontier *f, uint8_t out[32]);

#endif
