/*
 * test_proof.c - RFC 9162 proofs (lib/proof.c), the in-memory tree
 * (lib/tree.c) and misbehaviour evidence (lib/evidence.c).
 *
 * Known answers: the eight-leaf test tree of RFC 6962's reference
 * implementation (certificate-transparency, merkle_tree_test), whose roots
 * and proofs were also recomputed with an independent Python script
 * written from RFC 9162 section 2.1 (hashlib) before being pasted here.
 */
#include "check.h"

#include "syntax.h"
#include "tree.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>

static const char *const leaves_hex[8] = {
	"",
	"00",
	"10",
	"2021",
	"3031",
	"40414243",
	"5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

static const char *const roots_hex[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void unhex(uint8_t *out, const char *hex)
{
	size_t n = strlen(hex) / 2;
	sodium_hex2bin(out, n, hex, strlen(hex), NULL, NULL, NULL);
}

static int same_hex(const uint8_t h[32], const char *hex)
{
	uint8_t w[32];
	unhex(w, hex);
	return memcmp(h, w, 32) == 0;
}

/* The test tree's first n leaves. */
static void rfc_tree(avow_memtree *t, int n)
{
	avow_memtree_init(t);
	for (int i = 0; i < n; i++) {
		uint8_t d[16], leaf[32];
		size_t len = strlen(leaves_hex[i]) / 2;
		unhex(d, leaves_hex[i]);
		avow_leaf_hash(leaf, d, len);
		CHECK(avow_memtree_add(t, leaf) == 0);
	}
}

static void test_known_answers(void)
{
	avow_memtree t;
	avow_inclusion ip;
	avow_consistency cp;
	uint8_t r[32];
	avow_error err;

	rfc_tree(&t, 8);
	for (int n = 1; n <= 8; n++) {
		CHECK(avow_tree_hash(avow_memtree_read, &t, 0, (uint64_t)n, r,
				     &err) == AVOW_OK);
		CHECK(same_hex(r, roots_hex[n - 1]));
	}
	CHECK(avow_tree_inclusion(avow_memtree_read, &t, 0, 8, &ip, &err) ==
	      AVOW_OK);
	CHECK(ip.len == 3);
	CHECK(same_hex(ip.proof[0], "96a296d224f285c67bee93c30f8a309157f0daa35"
				    "dc5b87e410b78630a09cfc7"));
	CHECK(same_hex(ip.proof[1], "5f083f0a1a33ca076a95279832580db3e0ef4584b"
				    "dff1f54c8a360f50de3031e"));
	CHECK(same_hex(ip.proof[2], "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f"
				    "16232dd6aab035ca39bf6e4"));
	CHECK(avow_tree_inclusion(avow_memtree_read, &t, 5, 8, &ip, &err) ==
	      AVOW_OK);
	CHECK(ip.len == 3);
	CHECK(same_hex(ip.proof[0], "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf"
				    "9ec5b5c283e1f4d88599e6b"));
	CHECK(same_hex(ip.proof[1], "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9"
				    "e3b5596ece6b9d5975a0ae0"));
	CHECK(same_hex(ip.proof[2], roots_hex[3]));
	CHECK(avow_tree_inclusion(avow_memtree_read, &t, 2, 3, &ip, &err) ==
	      AVOW_OK);
	CHECK(ip.len == 1 && same_hex(ip.proof[0], roots_hex[1]));

	CHECK(avow_tree_consistency(avow_memtree_read, &t, 6, 8, &cp, &err) ==
	      AVOW_OK);
	CHECK(cp.len == 3);
	CHECK(same_hex(cp.proof[0], "0ebc5d3437fbe2db158b9f126a1d118e308181031"
				    "d0a949f8dededebc558ef6a"));
	CHECK(same_hex(cp.proof[1], "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9"
				    "e3b5596ece6b9d5975a0ae0"));
	CHECK(same_hex(cp.proof[2], roots_hex[3]));
	CHECK(avow_tree_consistency(avow_memtree_read, &t, 2, 5, &cp, &err) ==
	      AVOW_OK);
	CHECK(cp.len == 2);
	CHECK(same_hex(cp.proof[0], "5f083f0a1a33ca076a95279832580db3e0ef4584b"
				    "dff1f54c8a360f50de3031e"));
	CHECK(same_hex(cp.proof[1], "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf"
				    "9ec5b5c283e1f4d88599e6b"));
	CHECK(avow_tree_consistency(avow_memtree_read, &t, 4, 8, &cp, &err) ==
	      AVOW_OK);
	CHECK(cp.len == 1 && same_hex(cp.proof[0], "6b47aaf29ee3c2af9af889bc1f"
						   "b9254dabd31177f16232dd6aa"
						   "b035ca39bf6e4"));
	CHECK(avow_tree_consistency(avow_memtree_read, &t, 8, 8, &cp, &err) ==
	      AVOW_OK);
	CHECK(cp.len == 0);
	avow_memtree_free(&t);
}

/* The naive RFC 9162 MTH over leaf hashes. */
static void naive_mth(uint8_t out[32], uint8_t (*l)[32], uint64_t n)
{
	uint64_t k = 1;
	uint8_t a[32], b[32];

	if (n == 1) {
		memcpy(out, l[0], 32);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	naive_mth(a, l, k);
	naive_mth(b, l + k, n - k);
	avow_node_hash(out, a, b);
}

#define N 70

/* Every proof of every size up to N verifies; every damaged one fails. */
static void test_all_sizes(void)
{
	static uint8_t leaves[N][32], roots[N + 1][32];
	avow_memtree t;
	avow_error err;
	int bad_accepted = 0, good_rejected = 0, wrong_root = 0;

	avow_memtree_init(&t);
	for (uint64_t i = 0; i < N; i++) {
		uint8_t d[8];
		memcpy(d, &i, 8);
		avow_leaf_hash(leaves[i], d, 8);
		CHECK(avow_memtree_add(&t, leaves[i]) == 0);
		naive_mth(roots[i + 1], leaves, i + 1);
	}
	for (uint64_t n = 1; n <= N; n++) {
		uint8_t r[32];
		CHECK(avow_tree_hash(avow_memtree_read, &t, 0, n, r, &err) ==
		      AVOW_OK);
		wrong_root += memcmp(r, roots[n], 32) != 0;
		for (uint64_t i = 0; i < n; i++) {
			avow_inclusion p, q;
			CHECK(avow_tree_inclusion(avow_memtree_read, &t, i, n,
						  &p, &err) == AVOW_OK);
			good_rejected += avow_inclusion_verify(&p, roots[n],
							       &err) != AVOW_OK;
			for (size_t j = 0; j < p.len; j++) {
				q = p;
				q.proof[j][j % 32] ^= 1;
				bad_accepted +=
					avow_inclusion_verify(&q, roots[n],
							      &err) == AVOW_OK;
			}
			/* Not fully consumed: one hash too many. */
			q = p;
			memcpy(q.proof[q.len++], roots[1], 32);
			bad_accepted += avow_inclusion_verify(&q, roots[n],
							      &err) == AVOW_OK;
			if (p.len > 0) {
				q = p;
				q.len--;
				bad_accepted +=
					avow_inclusion_verify(&q, roots[n],
							      &err) == AVOW_OK;
			}
			/* The wrong leaf. */
			q = p;
			memcpy(q.leaf_hash, leaves[(i + 1) % N], 32);
			bad_accepted += avow_inclusion_verify(&q, roots[n],
							      &err) == AVOW_OK;
			/* The wrong tree size. */
			q = p;
			q.tree_size = n + 1;
			bad_accepted += n + 1 <= N &&
					avow_inclusion_verify(&q, roots[n + 1],
							      &err) == AVOW_OK;
		}
		for (uint64_t m = 1; m <= n; m++) {
			avow_consistency p, q;
			uint8_t implied[32];
			CHECK(avow_tree_consistency(avow_memtree_read, &t, m, n,
						    &p, &err) == AVOW_OK);
			good_rejected +=
				avow_consistency_verify(&p, roots[m], roots[n],
							&err) != AVOW_OK;
			if (m < n && (m & (m - 1)) != 0) {
				CHECK(avow_consistency_old_root(
					      &p, roots[n], implied, &err) ==
				      AVOW_OK);
				wrong_root +=
					memcmp(implied, roots[m], 32) != 0;
			}
			for (size_t j = 0; j < p.len; j++) {
				q = p;
				q.proof[j][0] ^= 0x80;
				bad_accepted += avow_consistency_verify(
							&q, roots[m], roots[n],
							&err) == AVOW_OK;
			}
			q = p;
			memcpy(q.proof[q.len++], roots[1], 32);
			bad_accepted +=
				avow_consistency_verify(&q, roots[m], roots[n],
							&err) == AVOW_OK;
			if (m < n) {
				q = p;
				q.len--;
				bad_accepted += avow_consistency_verify(
							&q, roots[m], roots[n],
							&err) == AVOW_OK;
				/* An old root of another size. */
				bad_accepted +=
					avow_consistency_verify(
						&p, roots[m == 1 ? 2 : m - 1],
						roots[n], &err) == AVOW_OK;
			}
		}
	}
	CHECK(wrong_root == 0);
	CHECK(good_rejected == 0);
	CHECK(bad_accepted == 0);
	avow_memtree_free(&t);
}

static void test_limits(void)
{
	avow_memtree t;
	avow_inclusion ip;
	avow_consistency cp;
	avow_error err;
	uint8_t r[32];

	rfc_tree(&t, 8);
	CHECK(avow_tree_inclusion(avow_memtree_read, &t, 8, 8, &ip, &err) ==
	      AVOW_ERR_USAGE);
	CHECK(avow_tree_consistency(avow_memtree_read, &t, 0, 8, &cp, &err) ==
	      AVOW_ERR_USAGE);
	CHECK(avow_tree_consistency(avow_memtree_read, &t, 5, 4, &cp, &err) ==
	      AVOW_ERR_USAGE);
	/* Beyond what the tree holds: the reader says so. */
	CHECK(avow_tree_hash(avow_memtree_read, &t, 0, 9, r, &err) ==
	      AVOW_ERR_NOT_FOUND);
	/* Equal sizes: empty proof and equal roots only. */
	memset(&cp, 0, sizeof cp);
	cp.old_size = cp.new_size = 8;
	unhex(r, roots_hex[7]);
	CHECK(avow_consistency_verify(&cp, r, r, &err) == AVOW_OK);
	cp.len = 1;
	CHECK(avow_consistency_verify(&cp, r, r, &err) == AVOW_ERR_INVALID);
	CHECK(strstr(err.msg, "empty proof") != NULL);
	/* Different sizes need a proof. */
	memset(&cp, 0, sizeof cp);
	cp.old_size = 3;
	cp.new_size = 8;
	CHECK(avow_consistency_verify(&cp, r, r, &err) == AVOW_ERR_INVALID);
	/* The old root cannot be derived for a power-of-two old size. */
	CHECK(avow_tree_consistency(avow_memtree_read, &t, 4, 8, &cp, &err) ==
	      AVOW_OK);
	CHECK(avow_consistency_old_root(&cp, r, r, &err) == AVOW_ERR_USAGE);
	avow_memtree_free(&t);
}

static void test_json(void)
{
	avow_memtree t;
	avow_inclusion ip, ip2;
	avow_consistency cp, cp2;
	avow_error err;
	char *s;

	rfc_tree(&t, 8);
	CHECK(avow_tree_inclusion(avow_memtree_read, &t, 5, 8, &ip, &err) ==
	      AVOW_OK);
	s = avow_inclusion_json(&ip);
	CHECK(s != NULL &&
	      strncmp(s, "{\"index\":5,\"leaf_hash\":\"", 24) == 0);
	CHECK(s != NULL && strstr(s, "],\"tree_size\":8}") != NULL);
	CHECK(avow_inclusion_parse(&ip2, s, strlen(s), &err) == AVOW_OK);
	CHECK(memcmp(&ip, &ip2, sizeof ip) == 0);
	avow_free(s);
	CHECK(avow_tree_consistency(avow_memtree_read, &t, 3, 7, &cp, &err) ==
	      AVOW_OK);
	s = avow_consistency_json(&cp);
	CHECK(s != NULL &&
	      strncmp(s, "{\"new_size\":7,\"old_size\":3,\"proof\":[", 36) ==
		      0);
	CHECK(avow_consistency_parse(&cp2, s, strlen(s), &err) == AVOW_OK);
	CHECK(memcmp(&cp, &cp2, sizeof cp) == 0);
	avow_free(s);
	avow_memtree_free(&t);

	/* Strictness. */
	static const struct {
		const char *json, *why;
	} bad_inc[] = {
		{"{\"index\":0,\"tree_size\":1,\"leaf_hash\":\"AAAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"proof\":[],\"x\":1}",
		 "unknown member \"x\""},
		{"{\"index\":1,\"tree_size\":1,\"leaf_hash\":\"AAAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"proof\":[]}",
		 "not below tree_size"},
		{"{\"index\":0,\"tree_size\":0,\"leaf_hash\":\"AAAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"proof\":[]}",
		 "\"tree_size\" is not an integer of at least 1"},
		{"{\"index\":0,\"tree_size\":1,\"leaf_hash\":\"AAAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAB=\",\"proof\":[]}",
		 "\"leaf_hash\" is not canonical base64"},
		{"{\"index\":0,\"tree_size\":2,\"leaf_hash\":\"AAAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"proof\":[\"AA==\"]}",
		 "proof[0] is not canonical base64 of 32 bytes"},
		{"{\"index\":-1,\"tree_size\":1,\"leaf_hash\":\"AAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"proof\":[]}",
		 "column 10"},
		{"{\"index\":0.0,\"tree_size\":1,\"leaf_hash\":\"AAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"proof\":[]}",
		 ""},
		{"{\"index\":0,\"tree_size\":1,\"proof\":[]}", "\"leaf_hash\""},
		{"[1]", "not a JSON object"},
	};
	for (size_t i = 0; i < sizeof bad_inc / sizeof bad_inc[0]; i++) {
		CHECK(avow_inclusion_parse(&ip, bad_inc[i].json,
					   strlen(bad_inc[i].json),
					   &err) != AVOW_OK);
		CHECK(strstr(err.msg, bad_inc[i].why) != NULL);
		CHECK(strncmp(err.msg, "inclusion proof: ", 17) == 0);
	}
	CHECK(avow_consistency_parse(&cp,
				     "{\"old_size\":3,\"new_size\":2,"
				     "\"proof\":[]}",
				     38, &err) != AVOW_OK);
	CHECK(strstr(err.msg, "larger than new_size") != NULL);
	CHECK(avow_consistency_parse(&cp,
				     "{\"old_size\":0,\"new_size\":2,"
				     "\"proof\":[]}",
				     38, &err) != AVOW_OK);
	CHECK(strstr(err.msg, "\"old_size\" is not an integer of at least 1") !=
	      NULL);
	{
		/* More hashes than AVOW_PROOF_MAX. */
		char big[8192] = "{\"old_size\":1,\"new_size\":2,\"proof\":[";
		for (int i = 0; i <= AVOW_PROOF_MAX; i++)
			strcat(big, i ? ",\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
					"AAAAAAAA=\""
				      : "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
					"AAAAAAAA=\"");
		strcat(big, "]}");
		CHECK(avow_consistency_parse(&cp, big, strlen(big), &err) !=
		      AVOW_OK);
		CHECK(strstr(err.msg, "more than 128") != NULL);
	}
}

static void test_evidence(void)
{
	avow_key *k1 = NULL, *k2 = NULL;
	uint8_t seed1[32] = {1}, seed2[32] = {2};
	uint8_t r[8][32], forged[32];
	avow_memtree t;
	avow_consistency cp;
	avow_error err;
	char *n4 = NULL, *n8 = NULL, *n4b = NULL, *n6 = NULL, *ev = NULL;
	char what[1024];

	CHECK(avow_key_from_seed(&k1, "admin1", seed1, &err) == AVOW_OK);
	CHECK(avow_key_from_seed(&k2, "admin2", seed2, &err) == AVOW_OK);
	rfc_tree(&t, 8);
	for (int n = 1; n <= 8; n++)
		unhex(r[n - 1], roots_hex[n - 1]);
	memcpy(forged, r[5], 32);
	forged[0] ^= 1;
	CHECK(avow_checkpoint_sign(k1, "example.org/log", 4, r[3], &n4, &err) ==
	      AVOW_OK);
	CHECK(avow_checkpoint_sign(k2, "example.org/log", 8, r[7], &n8, &err) ==
	      AVOW_OK);
	CHECK(avow_checkpoint_sign(k2, "example.org/log", 6, forged, &n6,
				   &err) == AVOW_OK);
	CHECK(avow_checkpoint_sign(k1, "example.org/log", 4, r[2], &n4b,
				   &err) == AVOW_OK);

	/* Equal sizes, different roots. */
	CHECK(avow_evidence_make(n4, avow_key_verifier(k1), n4b,
				 avow_key_verifier(k1), NULL, NULL, &ev,
				 &err) == AVOW_OK);
	CHECK(ev != NULL && avow_evidence_check(ev, strlen(ev), what,
						sizeof what, &err) == AVOW_OK);
	CHECK(strstr(what, "both signed a tree of 4 records") != NULL);
	/* "checkpoints" must be an array, not an object of two members. */
	if (ev != NULL) {
		const char *a = strstr(ev, "[{"), *b = strstr(ev, "},{"),
			   *c = strstr(ev, "}]");
		size_t len = strlen(ev) + 16;
		char *o = malloc(len);
		CHECK(a != NULL && b != NULL && c != NULL && o != NULL);
		if (a != NULL && b != NULL && c != NULL && o != NULL) {
			snprintf(o, len, "%.*s{\"a\":{%.*s},\"b\":{%.*s}}%s",
				 (int)(a - ev), ev, (int)(b - a - 2), a + 2,
				 (int)(c - b - 3), b + 3, c + 2);
			CHECK(avow_evidence_check(o, strlen(o), what,
						  sizeof what,
						  &err) == AVOW_ERR_SYNTAX);
		}
		free(o);
	}
	avow_free(ev);
	ev = NULL;
	/* Equal notes prove nothing. */
	CHECK(avow_evidence_make(n4, avow_key_verifier(k1), n4,
				 avow_key_verifier(k1), NULL, NULL, &ev,
				 &err) == AVOW_ERR_INVALID);
	CHECK(ev == NULL);

	/* A forged checkpoint of 6 against the true one of 8. */
	CHECK(avow_tree_consistency(avow_memtree_read, &t, 6, 8, &cp, &err) ==
	      AVOW_OK);
	CHECK(avow_evidence_make(n6, avow_key_verifier(k2), n8,
				 avow_key_verifier(k2), &cp, r[5], &ev,
				 &err) == AVOW_OK);
	CHECK(ev != NULL && avow_evidence_check(ev, strlen(ev), what,
						sizeof what, &err) == AVOW_OK);
	CHECK(strstr(what, "is not a prefix of the tree of 8") != NULL);
	avow_free(ev);
	ev = NULL;
	/* A true pair is no evidence. */
	CHECK(avow_tree_consistency(avow_memtree_read, &t, 4, 8, &cp, &err) ==
	      AVOW_OK);
	CHECK(avow_evidence_make(n4, avow_key_verifier(k1), n8,
				 avow_key_verifier(k2), &cp, r[3], &ev,
				 &err) == AVOW_ERR_INVALID);
	CHECK(strstr(err.msg, "consistent") != NULL);
	/* A wrong verifier key is caught. */
	CHECK(avow_evidence_make(n6, avow_key_verifier(k1), n8,
				 avow_key_verifier(k2), &cp, r[5], &ev,
				 &err) != AVOW_OK);
	/* Tampered files. */
	CHECK(avow_evidence_check("{}", 2, what, sizeof what, &err) ==
	      AVOW_ERR_SYNTAX);
	CHECK(avow_evidence_check("{\"evidence\":\"x\"}", 16, what, sizeof what,
				  &err) == AVOW_ERR_SYNTAX);

	avow_free(n4);
	avow_free(n8);
	avow_free(n6);
	avow_free(n4b);
	avow_key_free(k1);
	avow_key_free(k2);
	avow_memtree_free(&t);
}

int main(void)
{
	if (avow_init() != AVOW_OK)
		return 1;
	test_known_answers();
	test_all_sizes();
	test_limits();
	test_json();
	test_evidence();
	return check_done("proof");
}
