/*
 * proof.c - RFC 9162 inclusion and consistency proofs (sections 2.1.3 and
 * 2.1.4): made from any store of perfect-subtree hashes, verified, and
 * read and written as the JSON of SPEC section 6.
 *
 * Making a proof walks the RFC's recursion from the root down, collecting
 * one subtree hash per step; the hashes come out root first and are
 * reversed at the end, since a proof lists them leaf first.
 */
#include "json.h"
#include "syntax.h"
#include "tree.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The largest power of two below x (x >= 2). */
static uint64_t split(uint64_t x)
{
	return UINT64_C(1) << (63 - __builtin_clzll(x - 1));
}

static int is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

avow_status avow_tree_hash(avow_node_reader rd, void *ctx, uint64_t lo,
			   uint64_t hi, uint8_t out[32], avow_error *err)
{
	uint8_t l[32], r[32];
	uint64_t n = hi - lo, k;
	avow_status st;

	if (lo >= hi)
		return avow_seterr(
			err, AVOW_ERR_USAGE,
			"empty tree range [%" PRIu64 ", %" PRIu64 ")", lo, hi);
	if (is_pow2(n) && lo % n == 0)
		return rd(ctx, (unsigned)__builtin_ctzll(n), lo / n, out, err);
	k = split(n);
	st = avow_tree_hash(rd, ctx, lo, lo + k, l, err);
	if (st == AVOW_OK)
		st = avow_tree_hash(rd, ctx, lo + k, hi, r, err);
	if (st == AVOW_OK)
		avow_node_hash(out, l, r);
	return st;
}

static void reverse(uint8_t (*p)[32], size_t n)
{
	uint8_t t[32];

	for (size_t i = 0; i < n / 2; i++) {
		memcpy(t, p[i], 32);
		memcpy(p[i], p[n - 1 - i], 32);
		memcpy(p[n - 1 - i], t, 32);
	}
}

avow_status avow_tree_inclusion(avow_node_reader rd, void *ctx, uint64_t index,
				uint64_t size, avow_inclusion *out,
				avow_error *err)
{
	uint64_t lo = 0, hi = size;
	avow_status st;

	memset(out, 0, sizeof *out);
	if (index >= size)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "record %" PRIu64 " is not in a tree of "
				   "%" PRIu64 " records",
				   index, size);
	out->index = index;
	out->tree_size = size;
	st = rd(ctx, 0, index, out->leaf_hash, err);
	while (st == AVOW_OK && hi - lo > 1) {
		uint64_t k = split(hi - lo);
		uint8_t *sib = out->proof[out->len++];
		if (index < lo + k) {
			st = avow_tree_hash(rd, ctx, lo + k, hi, sib, err);
			hi = lo + k;
		} else {
			st = avow_tree_hash(rd, ctx, lo, lo + k, sib, err);
			lo += k;
		}
	}
	reverse(out->proof, out->len);
	return st;
}

avow_status avow_tree_consistency(avow_node_reader rd, void *ctx, uint64_t m,
				  uint64_t n, avow_consistency *out,
				  avow_error *err)
{
	uint64_t lo = 0, hi = n;
	avow_status st = AVOW_OK;
	int whole = 1; /* the RFC's b: still on the old tree's left edge */

	memset(out, 0, sizeof *out);
	if (m == 0 || m > n)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "no consistency proof from %" PRIu64
				   " to %" PRIu64
				   " records (need 0 < old <= new)",
				   m, n);
	out->old_size = m;
	out->new_size = n;
	while (st == AVOW_OK) {
		uint64_t k;
		if (m == hi) {
			if (!whole)
				st = avow_tree_hash(rd, ctx, lo, hi,
						    out->proof[out->len++],
						    err);
			break;
		}
		k = split(hi - lo);
		if (m <= lo + k) {
			st = avow_tree_hash(rd, ctx, lo + k, hi,
					    out->proof[out->len++], err);
			hi = lo + k;
		} else {
			st = avow_tree_hash(rd, ctx, lo, lo + k,
					    out->proof[out->len++], err);
			lo += k;
			whole = 0;
		}
	}
	reverse(out->proof, out->len);
	return st;
}

/* ------------------------------------------------------------------ */
/* Verification                                                        */

avow_status avow_inclusion_verify(const avow_inclusion *p,
				  const uint8_t root[32], avow_error *err)
{
	uint64_t fn = p->index, sn;
	uint8_t r[32];
	size_t i;

	if (p->index >= p->tree_size)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "inclusion proof: index %" PRIu64
				   " is not below tree size %" PRIu64,
				   p->index, p->tree_size);
	if (p->len > AVOW_PROOF_MAX)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "inclusion proof: too many hashes");
	sn = p->tree_size - 1;
	memcpy(r, p->leaf_hash, 32);
	for (i = 0; i < p->len; i++) {
		if (sn == 0)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "inclusion proof: %zu hashes, more "
					   "than a tree of %" PRIu64
					   " needs at index %" PRIu64,
					   p->len, p->tree_size, p->index);
		if ((fn & 1) || fn == sn) {
			avow_node_hash(r, p->proof[i], r);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			avow_node_hash(r, r, p->proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "inclusion proof: %zu hashes, fewer than a "
				   "tree of %" PRIu64
				   " needs at index %" PRIu64,
				   p->len, p->tree_size, p->index);
	if (memcmp(r, root, 32) != 0)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "inclusion proof: it leads to a tree hash "
				   "other than the checkpoint's");
	return AVOW_OK;
}

static avow_status consistency_walk(const avow_consistency *p,
				    const uint8_t old_root[32],
				    const uint8_t new_root[32], uint8_t fr[32],
				    avow_error *err);

avow_status avow_consistency_old_root(const avow_consistency *p,
				      const uint8_t new_root[32],
				      uint8_t old_root[32], avow_error *err)
{
	if (p->old_size == 0 || p->old_size >= p->new_size ||
	    is_pow2(p->old_size))
		return avow_seterr(
			err, AVOW_ERR_USAGE,
			"consistency proof: the old tree hash "
			"cannot be derived from a proof from %" PRIu64
			" to %" PRIu64 " records",
			p->old_size, p->new_size);
	return consistency_walk(p, NULL, new_root, old_root, err);
}

avow_status avow_consistency_verify(const avow_consistency *p,
				    const uint8_t old_root[32],
				    const uint8_t new_root[32], avow_error *err)
{
	uint8_t fr[32];

	return consistency_walk(p, old_root, new_root, fr, err);
}

/* The RFC 9162 section 2.1.4.2 walk; with old_root NULL (old size not a
 * power of two), fr gets the old tree hash the proof implies. */
static avow_status consistency_walk(const avow_consistency *p,
				    const uint8_t old_root[32],
				    const uint8_t new_root[32], uint8_t fr[32],
				    avow_error *err)
{
	uint64_t fn, sn;
	uint8_t sr[32];
	size_t i = 0;

	if (p->old_size == 0 || p->old_size > p->new_size)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "consistency proof: sizes %" PRIu64
				   " and %" PRIu64
				   " (need 0 < old_size <= new_size)",
				   p->old_size, p->new_size);
	if (p->len > AVOW_PROOF_MAX)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "consistency proof: too many hashes");
	if (p->old_size == p->new_size && old_root != NULL) {
		if (p->len != 0)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "consistency proof: equal sizes "
					   "need an empty proof, not %zu "
					   "hashes",
					   p->len);
		if (memcmp(old_root, new_root, 32) != 0)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "consistency proof: two trees of "
					   "%" PRIu64
					   " records with different hashes",
					   p->old_size);
		return AVOW_OK;
	}
	if (p->len == 0)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "consistency proof: empty, but the sizes "
				   "differ");
	fn = p->old_size - 1;
	sn = p->new_size - 1;
	/* An old tree that is a perfect subtree is its own first hash. */
	if (is_pow2(p->old_size)) {
		/* old_root is NULL only for avow_consistency_old_root(), which
		 * refuses an old size that is a power of two. */
		// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
		memcpy(fr, old_root, 32);
	} else {
		memcpy(fr, p->proof[0], 32);
		i = 1;
	}
	memcpy(sr, fr, 32);
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < p->len; i++) {
		if (sn == 0)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "consistency proof: more hashes "
					   "than sizes %" PRIu64 " and %" PRIu64
					   " need",
					   p->old_size, p->new_size);
		if ((fn & 1) || fn == sn) {
			avow_node_hash(fr, p->proof[i], fr);
			avow_node_hash(sr, p->proof[i], sr);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			avow_node_hash(sr, sr, p->proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "consistency proof: fewer hashes than "
				   "sizes %" PRIu64 " and %" PRIu64 " need",
				   p->old_size, p->new_size);
	if (memcmp(sr, new_root, 32) != 0)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "consistency proof: it does not reproduce "
				   "the new tree hash (of %" PRIu64 " records)",
				   p->new_size);
	if (old_root != NULL && memcmp(fr, old_root, 32) != 0)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "consistency proof: it reproduces the new "
				   "tree hash but not the old one: the tree "
				   "of %" PRIu64
				   " records is not a prefix of the tree of "
				   "%" PRIu64,
				   p->old_size, p->new_size);
	return AVOW_OK;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

/* Read member name of o as an integer in [lo, 2^53). */
static int get_size(const cJSON *o, const char *name, uint64_t lo,
		    uint64_t *out, avow_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	int64_t x = avow_json_int(v);

	if (v == NULL)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "member \"%s\" is missing", name),
		       -1;
	if (x < 0 || (uint64_t)x < lo)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "member \"%s\" is not an integer of at "
				   "least %" PRIu64,
				   name, lo),
		       -1;
	*out = (uint64_t)x;
	return 0;
}

static int get_hash(const cJSON *v, const char *what, uint8_t out[32],
		    avow_error *err)
{
	if (!cJSON_IsString(v) ||
	    !avow_b64_decode_exact(out, 32, v->valuestring,
				   strlen(v->valuestring)))
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "%s is not canonical base64 of 32 bytes",
				   what),
		       -1;
	return 0;
}

static int get_path(const cJSON *o, uint8_t (*path)[32], size_t *len,
		    avow_error *err)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "proof"), *h;
	size_t n = 0;

	if (!cJSON_IsArray(a))
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "member \"proof\" is missing or not an "
				   "array"),
		       -1;
	cJSON_ArrayForEach(h, a)
	{
		char what[40];
		if (n == AVOW_PROOF_MAX)
			return avow_seterr(err, AVOW_ERR_SYNTAX,
					   "member \"proof\" holds more than "
					   "%d hashes",
					   AVOW_PROOF_MAX),
			       -1;
		snprintf(what, sizeof what, "proof[%zu]", n);
		if (get_hash(h, what, path[n], err) < 0)
			return -1;
		n++;
	}
	*len = n;
	return 0;
}

/* Parse json as an object whose members are exactly names[0..n). */
static cJSON *parse_object(const char *json, size_t len,
			   const char *const *names, size_t n, avow_error *err)
{
	cJSON *o = avow_json_parse(json, len, 0, err), *m;

	if (o == NULL)
		return NULL;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		avow_seterr(err, AVOW_ERR_SYNTAX, "not a JSON object");
		return NULL;
	}
	cJSON_ArrayForEach(m, o)
	{
		size_t i;
		for (i = 0; i < n && strcmp(m->string, names[i]) != 0; i++)
			;
		if (i == n) {
			avow_seterr(err, AVOW_ERR_SYNTAX,
				    "unknown member \"%.64s\"", m->string);
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

avow_status avow_inclusion_parse(avow_inclusion *out, const char *json,
				 size_t len, avow_error *err)
{
	static const char *const names[] = {"index", "tree_size", "leaf_hash",
					    "proof"};
	cJSON *o;
	int bad;

	memset(out, 0, sizeof *out);
	o = parse_object(json, len, names, 4, err);
	if (o == NULL)
		return avow_errprefix(err, AVOW_ERR_SYNTAX,
				      "inclusion proof: ");
	bad = get_size(o, "index", 0, &out->index, err) < 0 ||
	      get_size(o, "tree_size", 1, &out->tree_size, err) < 0 ||
	      get_hash(cJSON_GetObjectItemCaseSensitive(o, "leaf_hash"),
		       "member \"leaf_hash\"", out->leaf_hash, err) < 0 ||
	      get_path(o, out->proof, &out->len, err) < 0;
	cJSON_Delete(o);
	if (!bad && out->index >= out->tree_size)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "inclusion proof: index %" PRIu64
				   " is not below tree_size %" PRIu64,
				   out->index, out->tree_size);
	return bad ? avow_errprefix(err, AVOW_ERR_SYNTAX, "inclusion proof: ")
		   : AVOW_OK;
}

avow_status avow_consistency_parse(avow_consistency *out, const char *json,
				   size_t len, avow_error *err)
{
	static const char *const names[] = {"old_size", "new_size", "proof"};
	cJSON *o;
	int bad;

	memset(out, 0, sizeof *out);
	o = parse_object(json, len, names, 3, err);
	if (o == NULL)
		return avow_errprefix(err, AVOW_ERR_SYNTAX,
				      "consistency proof: ");
	bad = get_size(o, "old_size", 1, &out->old_size, err) < 0 ||
	      get_size(o, "new_size", 1, &out->new_size, err) < 0 ||
	      get_path(o, out->proof, &out->len, err) < 0;
	cJSON_Delete(o);
	if (!bad && out->old_size > out->new_size)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "consistency proof: old_size %" PRIu64
				   " is larger than new_size %" PRIu64,
				   out->old_size, out->new_size);
	return bad ? avow_errprefix(err, AVOW_ERR_SYNTAX, "consistency proof: ")
		   : AVOW_OK;
}

static void add_path(avow_buf *b, const uint8_t (*path)[32], size_t n)
{
	char h[AVOW_B64_LEN(32) + 1];

	avow_buf_adds(b, "\"proof\":[");
	for (size_t i = 0; i < n; i++) {
		avow_b64_encode(h, path[i], 32);
		avow_buf_addf(b, "%s\"%s\"", i ? "," : "", h);
	}
	avow_buf_adds(b, "]");
}

/* Keys in RFC 8785 order: index, leaf_hash, proof, tree_size. */
char *avow_inclusion_json(const avow_inclusion *p)
{
	char h[AVOW_B64_LEN(32) + 1];
	avow_buf b;

	avow_buf_init(&b);
	avow_b64_encode(h, p->leaf_hash, 32);
	avow_buf_addf(&b, "{\"index\":%" PRIu64 ",\"leaf_hash\":\"%s\",",
		      p->index, h);
	add_path(&b, (const uint8_t(*)[32])p->proof, p->len);
	avow_buf_addf(&b, ",\"tree_size\":%" PRIu64 "}", p->tree_size);
	if (b.oom) {
		avow_buf_free(&b);
		return NULL;
	}
	return avow_buf_cstr(&b);
}

/* Keys in RFC 8785 order: new_size, old_size, proof. */
char *avow_consistency_json(const avow_consistency *p)
{
	avow_buf b;

	avow_buf_init(&b);
	avow_buf_addf(&b, "{\"new_size\":%" PRIu64 ",\"old_size\":%" PRIu64 ",",
		      p->new_size, p->old_size);
	add_path(&b, (const uint8_t(*)[32])p->proof, p->len);
	avow_buf_adds(&b, "}");
	if (b.oom) {
		avow_buf_free(&b);
		return NULL;
	}
	return avow_buf_cstr(&b);
}
