/*
 * fuzz_proof.c - proof and evidence files (lib/proof.c, lib/evidence.c).
 * The first byte of the input chooses the parser (mod 3), the rest is the
 * file: 0 an inclusion proof, 1 a consistency proof, 2 misbehaviour
 * evidence (avow_evidence_check). Proofs are verified against the prefix
 * log's tree (fuzz.h), 12 leaves. Invariants:
 *  - a parsed proof serialises (avow_*_json) to JSON that parses to the
 *    same proof and serialises to the same bytes;
 *  - soundness: an inclusion proof that verifies against the tree hash of
 *    the first tree_size prefix records names that tree's real leaf at
 *    its index (the tree hash alone does not fix the size: callers check
 *    tree_size against the checkpoint's); a consistency proof that reproduces the prefix tree hash
 *    of new_size records implies the real tree hash of old_size records,
 *    and never verifies with a wrong old tree hash;
 *  - evidence that is accepted comes with a non-empty account.
 */
#include "fuzz.h"
#include "tree.h"

#include <string.h>

static uint8_t leaves[FUZZ_PREFIX_N][32];
static uint8_t roots[FUZZ_PREFIX_N + 1][32]; /* roots[n]: first n leaves */

static void setup(void)
{
	static int done;
	const fuzz_prefix *px;
	avow_frontier f;

	if (done)
		return;
	px = fuzz_get_prefix();
	avow_frontier_init(&f);
	avow_frontier_root(&f, roots[0]);
	for (size_t i = 0; i < FUZZ_PREFIX_N; i++) {
		avow_leaf_hash(leaves[i], (const uint8_t *)px->recs[i],
			       px->lens[i]);
		avow_frontier_add(&f, leaves[i]);
		avow_frontier_root(&f, roots[i + 1]);
	}
	FUZZ_ASSERT(memcmp(roots[FUZZ_PREFIX_N], px->root, 32) == 0);
	done = 1;
}

static void inclusion(const char *s, size_t n)
{
	avow_inclusion p, q;
	avow_error err;
	char *j1, *j2;

	if (avow_inclusion_parse(&p, s, n, &err) != AVOW_OK)
		return;
	FUZZ_ASSERT(p.index < p.tree_size && p.len <= AVOW_PROOF_MAX);
	j1 = avow_inclusion_json(&p);
	FUZZ_ASSERT(j1 != NULL);
	FUZZ_ASSERT(avow_inclusion_parse(&q, j1, strlen(j1), &err) == AVOW_OK);
	j2 = avow_inclusion_json(&q);
	FUZZ_ASSERT(j2 != NULL && strcmp(j1, j2) == 0);
	FUZZ_ASSERT(q.index == p.index && q.tree_size == p.tree_size &&
		    q.len == p.len &&
		    memcmp(q.leaf_hash, p.leaf_hash, 32) == 0 &&
		    memcmp(q.proof, p.proof, 32 * p.len) == 0);
	avow_free(j1);
	avow_free(j2);
	for (size_t size = 1; size <= FUZZ_PREFIX_N; size++) {
		avow_status st = avow_inclusion_verify(&p, roots[size], &err);
		/* The root does not commit to a size: the caller checks
		 * tree_size against the checkpoint's (a proof for 5 of 13
		 * has the shape of one for 5 of 12), so only a proof whose
		 * tree_size is the root's size must name the real leaf. */
		if (st == AVOW_OK && p.tree_size == size)
			FUZZ_ASSERT(memcmp(p.leaf_hash, leaves[p.index], 32) ==
				    0);
	}
}

static void consistency(const char *s, size_t n)
{
	static const uint8_t wrong[32];
	avow_consistency p, q;
	avow_error err;
	uint8_t implied[32];
	char *j1, *j2;

	if (avow_consistency_parse(&p, s, n, &err) != AVOW_OK)
		return;
	FUZZ_ASSERT(p.old_size >= 1 && p.old_size <= p.new_size);
	j1 = avow_consistency_json(&p);
	FUZZ_ASSERT(j1 != NULL);
	FUZZ_ASSERT(avow_consistency_parse(&q, j1, strlen(j1), &err) ==
		    AVOW_OK);
	j2 = avow_consistency_json(&q);
	FUZZ_ASSERT(j2 != NULL && strcmp(j1, j2) == 0);
	FUZZ_ASSERT(q.old_size == p.old_size && q.new_size == p.new_size &&
		    q.len == p.len &&
		    memcmp(q.proof, p.proof, 32 * p.len) == 0);
	avow_free(j1);
	avow_free(j2);
	if (p.new_size > FUZZ_PREFIX_N)
		return;
	FUZZ_ASSERT(avow_consistency_verify(&p, wrong, roots[p.new_size],
					    &err) != AVOW_OK);
	if (avow_consistency_verify(&p, roots[p.old_size], roots[p.new_size],
				    &err) == AVOW_OK)
		FUZZ_ASSERT(p.old_size <= p.new_size);
	if (avow_consistency_old_root(&p, roots[p.new_size], implied, &err) ==
	    AVOW_OK)
		FUZZ_ASSERT(memcmp(implied, roots[p.old_size], 32) == 0);
}

static void evidence(const char *s, size_t n)
{
	char what[512];
	avow_error err;

	memset(what, 'x', sizeof what);
	if (avow_evidence_check(s, n, what, sizeof what, &err) == AVOW_OK)
		FUZZ_ASSERT(what[0] != 0 && memchr(what, 0, sizeof what));
	else
		FUZZ_ASSERT(err.msg[0] != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;

	fuzz_init();
	setup();
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0: inclusion(s, size - 1); break;
	case 1: consistency(s, size - 1); break;
	default: evidence(s, size - 1); break;
	}
	return 0;
}
