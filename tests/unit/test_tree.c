/*
 * test_tree.c - RFC 9162 section 2.1.1 hashes (lib/tree.c): leaf and node
 * hashes against known answers, and the frontier's running root against a
 * naive recursive MTH for every size from 0 to 300 and a few larger ones.
 *
 * Known answers were made when this test was written, with
 *   printf '\000hello' | openssl dgst -sha256        (a leaf hash)
 *   printf '' | openssl dgst -sha256                  (the empty tree)
 * and Python's hashlib for the rest:
 *   leaf = lambda d: sha256(b'\x00' + d).digest()
 *   node = lambda l, r: sha256(b'\x01' + l + r).digest()
 * The eight roots of test_vectors are the Certificate Transparency test
 * vectors (RFC 6962 leaves "", 00, 10, 2021, 3031, 40414243, 50..57,
 * 60..6f), recomputed with the lines above. The conformance log's roots
 * are the tree hashes its checkpoints carry.
 */
#include "check.h"
#include "syntax.h"
#include "tree.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(uint8_t out[32], const char *s)
{
	if (strlen(s) != 64 ||
	    sodium_hex2bin(out, 32, s, 64, NULL, NULL, NULL) != 0)
		abort();
}

static int is_hex(const uint8_t h[32], const char *want)
{
	uint8_t w[32];

	hex(w, want);
	return memcmp(h, w, 32) == 0;
}

static void test_leaf_node(void)
{
	uint8_t h[32], a[32], b[32], zero[32], ones[32], c[32];

	avow_leaf_hash(h, (const uint8_t *)"", 0);
	CHECK(is_hex(h, "6e340b9cffb37a989ca544e6bb780a2c"
			"78901d3fb33738768511a30617afa01d"));
	avow_leaf_hash(h, (const uint8_t *)"hello", 5);
	CHECK(is_hex(h, "8a2a5c9b768827de5a9552c38a044c66"
			"959c68f6d2f21b5260af54d2f87db827"));
	avow_leaf_hash(h, (const uint8_t *)"abc", 3);
	CHECK(is_hex(h, "609f6e36d2405585188d5cfd761f407c"
			"7cc46a7d3f314c88270469dde315fcd1"));
	/* not plain SHA-256 of the data */
	crypto_hash_sha256(c, (const uint8_t *)"abc", 3);
	CHECK(memcmp(h, c, 32) != 0);
	/* the length counts: "abc" is not "ab" */
	avow_leaf_hash(c, (const uint8_t *)"abc", 2);
	CHECK(memcmp(h, c, 32) != 0);

	avow_leaf_hash(a, (const uint8_t *)"a", 1);
	CHECK(is_hex(a, "022a6979e6dab7aa5ae4c3e5e45f7e97"
			"7112a7e63593820dbec1ec738a24f93c"));
	avow_leaf_hash(b, (const uint8_t *)"b", 1);
	CHECK(is_hex(b, "57eb35615d47f34ec714cacdf5fd7460"
			"8a5e8e102724e80b24b287c0c27b6a31"));
	avow_node_hash(h, a, b);
	CHECK(is_hex(h, "b137985ff484fb600db93107c77b0365"
			"c80d78f5b429ded0fd97361d077999eb"));
	avow_node_hash(h, b, a); /* order matters */
	CHECK(is_hex(h, "8af01af409f78be71c0de3efd008ef3f"
			"00d5415f36c3d7ab59abcc491dc1cf39"));
	memset(zero, 0, 32);
	memset(ones, 0xff, 32);
	avow_node_hash(h, zero, ones);
	CHECK(is_hex(h, "bc6b943b820c449acf880d293c216a24"
			"a8066b153f87f2361fae2beda3a72641"));

	/* out may be the same buffer as left or right (the frontier does
	 * this) */
	memcpy(c, a, 32);
	avow_node_hash(c, c, b);
	CHECK(is_hex(c, "b137985ff484fb600db93107c77b0365"
			"c80d78f5b429ded0fd97361d077999eb"));
	memcpy(c, b, 32);
	avow_node_hash(c, a, c);
	CHECK(is_hex(c, "b137985ff484fb600db93107c77b0365"
			"c80d78f5b429ded0fd97361d077999eb"));
	memcpy(c, a, 32);
	avow_node_hash(c, c, c);
	avow_node_hash(h, a, a);
	CHECK(memcmp(c, h, 32) == 0);
}

/* RFC 9162 section 2.1.1 MTH, written from the RFC: for n > 1, k is the
 * largest power of two smaller than n. */
static void mth(uint8_t out[32], const uint8_t (*leaves)[32], size_t n)
{
	uint8_t l[32], r[32];
	size_t k = 1;

	if (n == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	mth(l, leaves, k);
	mth(r, leaves + k, n - k);
	avow_node_hash(out, l, r);
}

static int popcount(uint64_t n)
{
	int c = 0;

	for (; n; n &= n - 1)
		c++;
	return c;
}

static void test_vectors(void)
{
	static const char *const roots[8] = {
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa0"
		"1d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c1"
		"25",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e"
		"77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614"
		"b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264"
		"d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087"
		"ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c"
		"8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff46043"
		"28",
	};
	static const uint8_t d0[] = {0}, d1[] = {0x10}, d2[] = {0x20, 0x21},
			     d3[] = {0x30, 0x31},
			     d4[] = {0x40, 0x41, 0x42, 0x43},
			     d5[] = {0x50, 0x51, 0x52, 0x53,
				     0x54, 0x55, 0x56, 0x57},
			     d6[] = {0x60, 0x61, 0x62, 0x63, 0x64, 0x65,
				     0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,
				     0x6c, 0x6d, 0x6e, 0x6f};
	const struct {
		const uint8_t *p;
		size_t n;
	} data[8] = {{(const uint8_t *)"", 0},
		     {d0, 1},
		     {d1, 1},
		     {d2, 2},
		     {d3, 2},
		     {d4, 4},
		     {d5, 8},
		     {d6, 16}};
	avow_frontier f;
	uint8_t leaf[32], root[32];

	avow_frontier_init(&f);
	avow_frontier_root(&f, root);
	CHECK(is_hex(root, "e3b0c44298fc1c149afbf4c8996fb924"
			   "27ae41e4649b934ca495991b7852b855"));
	for (size_t i = 0; i < 8; i++) {
		avow_leaf_hash(leaf, data[i].p, data[i].n);
		avow_frontier_add(&f, leaf);
		avow_frontier_root(&f, root);
		CHECK(is_hex(root, roots[i]));
	}
	CHECK(f.n == 8 && f.depth == 1);
}

static void test_against_naive(void)
{
	enum { MAX = 300, BIG = 4100 };
	static uint8_t leaves[BIG][32];
	avow_frontier f;
	uint8_t want[32], got[32], again[32];
	uint32_t i;
	int ok_root = 1, ok_shape = 1, ok_const = 1;

	for (i = 0; i < BIG; i++) {
		uint8_t d[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16),
				(uint8_t)(i >> 8), (uint8_t)i};
		avow_leaf_hash(leaves[i], d, sizeof d);
	}
	avow_frontier_init(&f);
	for (i = 0; i <= MAX; i++) {
		if (i > 0)
			avow_frontier_add(&f, leaves[i - 1]);
		mth(want, (const uint8_t(*)[32])leaves, i);
		avow_frontier_root(&f, got);
		if (memcmp(want, got, 32) != 0) {
			ok_root = 0;
			fprintf(stderr, "tree: root differs at n = %u\n", i);
		}
		ok_shape &= f.n == i && f.depth == popcount(i);
		avow_frontier_root(&f, again); /* root() changes nothing */
		ok_const &= memcmp(got, again, 32) == 0 && f.n == i;
	}
	CHECK(ok_root);
	CHECK(ok_shape);
	CHECK(ok_const);

	/* larger sizes around powers of two */
	for (; i <= BIG; i++) {
		avow_frontier_add(&f, leaves[i - 1]);
		if (i == 1023 || i == 1024 || i == 1025 || i == 4095 ||
		    i == 4096 || i == 4097 || i == BIG) {
			mth(want, (const uint8_t(*)[32])leaves, i);
			avow_frontier_root(&f, got);
			CHECK(memcmp(want, got, 32) == 0);
			CHECK(f.depth == popcount(i));
		}
	}

	/* the root hides no leaf: changing any one changes it (n = 300) */
	{
		int ok = 1;
		uint8_t base[32];

		mth(base, (const uint8_t(*)[32])leaves, MAX);
		for (i = 0; i < MAX; i += 7) {
			avow_frontier g;
			avow_frontier_init(&g);
			for (uint32_t j = 0; j < MAX; j++)
				avow_frontier_add(&g, j == i ? leaves[BIG - 1]
							     : leaves[j]);
			avow_frontier_root(&g, got);
			ok &= memcmp(got, base, 32) != 0;
		}
		CHECK(ok);
	}

	/* init resets a used frontier */
	avow_frontier_init(&f);
	avow_frontier_root(&f, got);
	CHECK(is_hex(got, "e3b0c44298fc1c149afbf4c8996fb924"
			  "27ae41e4649b934ca495991b7852b855"));
	CHECK(f.n == 0 && f.depth == 0);
}

/* Roots of a real log: tests/conformance/001-news-story (written by an
 * independent implementation); its checkpoints carry these tree hashes. */
static void test_conformance_log(void)
{
	static const struct {
		uint64_t size;
		const char *root;
	} want[] = {
		{1, "NLOsL3P22zDqxv5akQ0c62dIKuLnQZj1yP4VSQ2PShI="},
		{14, "nKaKfv7+a2JUrI5zV5CUFDVbXnh4+wVF1MY8iD0kI6A="},
		{36, "WjFvYyLJUPreoekyvILInOi8I4DeuZibthRYSIwwiB8="},
	};
	FILE *fp = fopen("conformance/001-news-story/log.bundle", "rb");
	static char line[1 << 20];
	avow_frontier f;
	uint8_t leaf[32], root[32], w[32];
	size_t k = 0, checked = 0;

	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	avow_frontier_init(&f);
	while (fgets(line, sizeof line, fp) != NULL) {
		size_t n = strlen(line);
		if (n == 0 || line[n - 1] != '\n')
			break;
		avow_leaf_hash(leaf, (const uint8_t *)line, n - 1);
		avow_frontier_add(&f, leaf);
		if (k < sizeof want / sizeof want[0] && f.n == want[k].size) {
			avow_frontier_root(&f, root);
			CHECK(avow_b64_decode_exact(w, 32, want[k].root,
						    strlen(want[k].root)));
			CHECK(memcmp(root, w, 32) == 0);
			k++;
			checked++;
		}
	}
	fclose(fp);
	CHECK(f.n == 36);
	CHECK(checked == 3);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_leaf_node();
	test_vectors();
	test_against_naive();
	test_conformance_log();
	return check_done("tree");
}
