/*
 * test_state.c - the audit state machine (lib/state.c). A real log is
 * written through the public API (fixed keys, fixed times), exported, and
 * its records fed to avow_state_feed: all are accepted, and the state
 * holds what they imply. Then one record at a time is replaced by a
 * mutated copy, fed after the genuine records before it, and the failure
 * must name that record's seq and the check under test. Where a mutation
 * would also break the signature, the copy is re-signed with the record's
 * own key, so that the failing check is the one the mutation targets.
 * Check names are those of avow.h's avow_failure and tests/tamper.
 */
#include "avow.h"
#include "check.h"
#include "json.h"
#include "state.h"
#include "syntax.h"
#include "tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0     1695081600 /* 2023-09-19T00:00:00Z */
#define ORIGIN "state.example.org/test"
#define MAXREC 16

static avow_key *admin, *rec_key, *stranger;
static char *recs[MAXREC];
static size_t lens[MAXREC];
static size_t nrecs;
static uint8_t audit_root[32];
static char dir[64];

/* The records, as a fetch callback wants them. */
static avow_status fetch(void *ctx, uint64_t seq, avow_buf *out,
			 avow_error *err)
{
	(void)ctx;
	avow_buf_reset(out);
	if (seq >= nrecs) {
		if (err != NULL) {
			err->code = AVOW_ERR_NOT_FOUND;
			snprintf(err->msg, sizeof err->msg, "no record %llu",
				 (unsigned long long)seq);
		}
		return AVOW_ERR_NOT_FOUND;
	}
	avow_buf_add(out, recs[seq], lens[seq]);
	return AVOW_OK;
}

static avow_key *seed_key(const char *name, uint8_t fill)
{
	uint8_t seed[AVOW_SEED_BYTES];
	avow_key *k = NULL;

	memset(seed, fill, sizeof seed);
	if (avow_key_from_seed(&k, name, seed, NULL) != AVOW_OK)
		abort();
	return k;
}

static int append1(avow_log *log, const avow_key *k, const char *json,
		   int64_t now)
{
	avow_draft d = {json, strlen(json), NULL, 0};
	avow_error err;

	if (avow_log_append(log, k, &d, 1, now, NULL, &err) != AVOW_OK) {
		fprintf(stderr, "append: %s\n", err.msg);
		return 0;
	}
	return 1;
}

#define SRC                                                                    \
	"\"source\":{\"title\":\"A "                                           \
	"report\",\"url\":\"https://example.org/r\"}"

/* Write the log, export it, and split the bundle into records:
 *   0 genesis (admin)          T0
 *   1 key add of rec (admin)   T0+60
 *   2 actor a1 (rec)           T0+120
 *   3 actor a2 (rec)           T0+180
 *   4 claim by a1 (rec)        T0+240
 *   5 response by a2 to 4      T0+300
 *   6 amend of 4 (rec)         T0+360
 *   7 claim by a2 (rec)        T0+420
 */
static int build_log(void)
{
	char path[128], proof[89], add[1024], *bundle = NULL, *p, *end;
	size_t blen = 0;
	avow_log *log = NULL;
	avow_audit *a = NULL;
	avow_error err;
	FILE *f;
	int ok = 1;

	strcpy(dir, "/tmp/test_state.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 0;
	snprintf(path, sizeof path, "%s/state.db", dir);
	if (avow_log_create(&log, path, &err) != AVOW_OK)
		return 0;
	ok &= avow_log_init(log, admin, ORIGIN, "Admin", NULL, T0, &err) ==
	      AVOW_OK;
	ok &= avow_key_possession(rec_key, ORIGIN, proof, &err) == AVOW_OK;
	snprintf(
		add, sizeof add,
		"{\"type\":\"key\",\"body\":{\"action\":\"add\",\"key\":\"%s\","
		"\"role\":\"recorder\",\"holder\":\"Rec\",\"possession\":\"%"
		"s\"}}",
		avow_key_verifier(rec_key), proof);
	ok &= append1(log, admin, add, T0 + 60);
	ok &= append1(log, rec_key,
		      "{\"type\":\"actor\",\"body\":{\"id\":\"a1\",\"name\":"
		      "\"Actor One\",\"kind\":\"government\"}}",
		      T0 + 120);
	ok &= append1(log, rec_key,
		      "{\"type\":\"actor\",\"body\":{\"id\":\"a2\",\"name\":"
		      "\"Actor Two\",\"kind\":\"agency\",\"part_of\":\"a1\"}}",
		      T0 + 180);
	ok &= append1(log, rec_key,
		      "{\"type\":\"claim\",\"body\":{\"by\":\"a1\",\"text\":"
		      "\"The sky is green.\",\"quote\":true,\"said_at\":"
		      "\"2023-09\"," SRC "}}",
		      T0 + 240);
	ok &= append1(
		log, rec_key,
		"{\"type\":\"response\",\"body\":{\"by\":\"a2\",\"stance\":"
		"\"disputes\",\"target\":{\"seq\":4},\"text\":\"It is "
		"blue.\",\"quote\":false,\"said_at\":\"2023-09-18\"," SRC "}}",
		T0 + 300);
	ok &= append1(log, rec_key,
		      "{\"type\":\"amend\",\"body\":{\"target\":{\"seq\":4},"
		      "\"reason\":\"typo\",\"set\":{\"topics\":[\"sky\"]}}}",
		      T0 + 360);
	ok &= append1(log, rec_key,
		      "{\"type\":\"claim\",\"body\":{\"by\":\"a2\",\"text\":"
		      "\"Second.\",\"quote\":false,\"said_at\":\"2023\"," SRC
		      "}}",
		      T0 + 420);
	f = open_memstream(&bundle, &blen);
	if (f == NULL)
		abort();
	ok &= avow_log_export(log, f, &err) == AVOW_OK;
	fclose(f);
	ok &= avow_audit_log(log, NULL, &a, &err) == AVOW_OK && a != NULL &&
	      avow_audit_passed(a);
	if (a != NULL)
		avow_audit_root(a, audit_root);
	avow_audit_free(a);
	avow_log_close(log);

	p = bundle;
	end = bundle + blen;
	while (ok && p < end && nrecs < MAXREC) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		lens[nrecs] = (size_t)(nl - p);
		recs[nrecs] = malloc(lens[nrecs] + 1);
		if (recs[nrecs] == NULL)
			abort();
		memcpy(recs[nrecs], p, lens[nrecs]);
		recs[nrecs][lens[nrecs]] = 0;
		nrecs++;
		p = nl + 1;
	}
	free(bundle);
	{
		static const char *const sfx[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < 3; i++) {
			char q[160];
			snprintf(q, sizeof q, "%s%s", path, sfx[i]);
			unlink(q);
		}
	}
	rmdir(dir);
	return ok && nrecs == 8;
}

/* A state fed with records 0..k-1 (all must pass). */
static avow_state *state_upto(size_t k)
{
	avow_state *st = avow_state_new(fetch, NULL);
	avow_failure f;

	if (st == NULL)
		abort();
	for (size_t i = 0; i < k; i++)
		if (avow_state_feed(st, (const uint8_t *)recs[i], lens[i], 0,
				    &f) != AVOW_OK) {
			fprintf(stderr,
				"state: genuine record %zu failed: %s: %s\n", i,
				f.check, f.detail);
			abort();
		}
	return st;
}

/* Feed bytes as record k after the genuine records 0..k-1: the status,
 * and the failure in *f. */
static avow_status feed_at(size_t k, const char *bytes, size_t len,
			   unsigned flags, avow_failure *f)
{
	avow_state *st = state_upto(k);
	avow_status rc;

	memset(f, 0, sizeof *f);
	f->check = "";
	rc = avow_state_feed(st, (const uint8_t *)bytes, len, flags, f);
	avow_state_free(st);
	return rc;
}

/* Whether bytes fed at k fail there with check; says why when not. */
static int fails_at(size_t k, const char *bytes, const char *check)
{
	avow_failure f;
	avow_status rc = feed_at(k, bytes, strlen(bytes), 0, &f);

	if (rc == AVOW_ERR_INVALID && f.seq == k && f.check != NULL &&
	    strcmp(f.check, check) == 0)
		return 1;
	fprintf(stderr,
		"  record %zu: want %s, got status %d, seq %llu, "
		"check %s (%s)\n",
		k, check, (int)rc, (unsigned long long)f.seq,
		f.check ? f.check : "(null)", f.detail);
	return 0;
}

/* ---- building records ---- */

typedef void (*edit_fn)(cJSON *entry, const void *arg);

/* Record k's entry, edited, made canonical and signed by `signs`, with
 * `signer` as its signer and sigs[0].key. signer NULL keeps the record's
 * own signer, and signs NULL means the signer's key. Returns the record's
 * bytes (malloc'ed). */
static char *resign2(size_t k, const avow_key *signer, const avow_key *signs,
		     edit_fn edit, const void *arg)
{
	cJSON *root = avow_json_parse(recs[k], lens[k], 0, NULL);
	cJSON *entry;
	avow_buf msg, out;
	uint8_t sig[64];
	char b64[AVOW_B64_LEN(64) + 1];

	if (root == NULL)
		abort();
	entry = cJSON_GetObjectItemCaseSensitive(root, "entry");
	if (signer == NULL)
		signer =
			strcmp(cJSON_GetObjectItemCaseSensitive(entry, "signer")
				       ->valuestring,
			       avow_key_id(admin)) == 0
				? admin
				: rec_key;
	if (signs == NULL)
		signs = signer;
	cJSON_ReplaceItemInObjectCaseSensitive(
		entry, "signer", cJSON_CreateString(avow_key_id(signer)));
	if (edit != NULL)
		edit(entry, arg);
	avow_buf_init(&msg);
	avow_buf_init(&out);
	avow_buf_adds(&msg, "avow/v1/entry\n");
	avow_json_canon(&msg, entry);
	if (avow_key_sign(signs, msg.p, msg.len, sig, NULL) != AVOW_OK)
		abort();
	avow_b64_encode(b64, sig, 64);
	avow_buf_adds(&out, "{\"entry\":");
	avow_buf_add(&out, msg.p + 14, msg.len - 14);
	avow_buf_addf(&out, ",\"sigs\":[{\"key\":\"%s\",\"sig\":\"%s\"}]}",
		      avow_key_id(signer), b64);
	cJSON_Delete(root);
	avow_buf_free(&msg);
	if (out.oom)
		abort();
	return avow_buf_cstr(&out);
}

static char *resign(size_t k, const avow_key *key, edit_fn edit,
		    const void *arg)
{
	return resign2(k, key, key, edit, arg);
}

static void set_str(cJSON *o, const char *name, const char *val)
{
	cJSON_ReplaceItemInObjectCaseSensitive(o, name,
					       cJSON_CreateString(val));
}

static void edit_prev(cJSON *e, const void *arg)
{
	set_str(e, "prev", arg);
}

static void edit_seq(cJSON *e, const void *arg)
{
	cJSON_ReplaceItemInObjectCaseSensitive(
		e, "seq", cJSON_CreateNumber((double)*(const int *)arg));
}

static void edit_prev_null(cJSON *e, const void *arg)
{
	(void)arg;
	cJSON_ReplaceItemInObjectCaseSensitive(e, "prev", cJSON_CreateNull());
}

static void edit_first(cJSON *e, const void *arg)
{
	(void)arg;
	cJSON_ReplaceItemInObjectCaseSensitive(e, "seq", cJSON_CreateNumber(0));
	cJSON_ReplaceItemInObjectCaseSensitive(e, "prev", cJSON_CreateNull());
}

static void edit_time(cJSON *e, const void *arg)
{
	set_str(e, "time", arg);
}

static void edit_add_member(cJSON *e, const void *arg)
{
	(void)arg;
	cJSON_AddStringToObject(e, "extra", "x");
}

static void edit_body(cJSON *e, const void *arg)
{
	cJSON_ReplaceItemInObjectCaseSensitive(e, "body",
					       cJSON_Parse((const char *)arg));
}

static void edit_by(cJSON *e, const void *arg)
{
	set_str(cJSON_GetObjectItemCaseSensitive(e, "body"), "by", arg);
}

static void edit_type(cJSON *e, const void *arg)
{
	set_str(e, "type", arg);
}

static void edit_v(cJSON *e, const void *arg)
{
	(void)arg;
	cJSON_ReplaceItemInObjectCaseSensitive(e, "v", cJSON_CreateNumber(2));
}

/* ---- tests ---- */

static int observed;
static uint64_t observed_seq_sum;

static void observe(void *ctx, const avow_accepted *a)
{
	int *bad = ctx;
	uint8_t leaf[32];

	avow_leaf_hash(leaf, a->bytes, a->len);
	if (memcmp(leaf, a->leaf, 32) != 0 || a->seq != (uint64_t)observed ||
	    a->type == AVOW_T_NONE || a->entry == NULL || a->body == NULL ||
	    (a->type == AVOW_T_AMEND) != (a->amended != NULL))
		(*bad)++;
	observed++;
	observed_seq_sum += a->seq;
}

static void test_accepts(void)
{
	static const int types[8] = {
		AVOW_T_GENESIS, AVOW_T_KEY,	 AVOW_T_ACTOR, AVOW_T_ACTOR,
		AVOW_T_CLAIM,	AVOW_T_RESPONSE, AVOW_T_AMEND, AVOW_T_CLAIM};
	avow_state *st = avow_state_new(fetch, NULL);
	avow_failure f;
	avow_key_summary ks;
	uint8_t root[32], leaf[32];
	uint64_t seq = 99;
	int admin_flag = -1, bad = 0, ok = 1;
	avow_error err;
	cJSON *body;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(avow_state_count(st) == 0);
	CHECK(avow_state_origin(st) == NULL);
	CHECK(avow_state_last_leaf(st) == NULL);
	CHECK(avow_state_last_time(st) == -1);
	avow_state_observe(st, observe, &bad);
	for (size_t i = 0; i < nrecs; i++) {
		avow_status rc = avow_state_feed(st, (const uint8_t *)recs[i],
						 lens[i], 0, &f);
		if (rc != AVOW_OK)
			fprintf(stderr, "  record %zu: %s: %s\n", i, f.check,
				f.detail);
		ok &= rc == AVOW_OK;
		ok &= avow_state_count(st) == i + 1;
		ok &= avow_state_type_of(st, i) == types[i];
		ok &= avow_state_last_time(st) == T0 + 60 * (int64_t)i;
	}
	CHECK(ok);
	CHECK(observed == 8 && observed_seq_sum == 28 && bad == 0);
	CHECK_STR(avow_state_origin(st), ORIGIN);
	avow_leaf_hash(leaf, (const uint8_t *)recs[7], lens[7]);
	CHECK(avow_state_last_leaf(st) != NULL &&
	      memcmp(avow_state_last_leaf(st), leaf, 32) == 0);
	avow_frontier_root(avow_state_frontier(st), root);
	CHECK(memcmp(root, audit_root, 32) == 0);
	CHECK(avow_state_frontier(st)->n == 8);
	CHECK(avow_state_type_of(st, 8) == AVOW_T_NONE);
	CHECK(avow_state_type_count(st, AVOW_T_GENESIS) == 1);
	CHECK(avow_state_type_count(st, AVOW_T_KEY) == 1);
	CHECK(avow_state_type_count(st, AVOW_T_ACTOR) == 2);
	CHECK(avow_state_type_count(st, AVOW_T_CLAIM) == 2);
	CHECK(avow_state_type_count(st, AVOW_T_RESPONSE) == 1);
	CHECK(avow_state_type_count(st, AVOW_T_AMEND) == 1);

	/* keys */
	CHECK(avow_state_key_count(st) == 2);
	CHECK(avow_state_admin_count(st) == 1);
	CHECK(avow_state_key_authorised(st, avow_key_id(admin), 0,
					&admin_flag) &&
	      admin_flag == 1);
	CHECK(!avow_state_key_authorised(st, avow_key_id(rec_key), 1,
					 &admin_flag));
	CHECK(avow_state_key_authorised(st, avow_key_id(rec_key), 2,
					&admin_flag) &&
	      admin_flag == 0);
	CHECK(!avow_state_key_authorised(st, avow_key_id(stranger), 5,
					 &admin_flag));
	avow_state_key_at(st, 1, &ks);
	CHECK_STR(ks.id, avow_key_id(rec_key));
	CHECK(ks.added == 1 && ks.revoked == UINT64_MAX && !ks.admin);
	CHECK(ks.records == 6 && ks.first == T0 + 120 && ks.last == T0 + 420);
	avow_state_key_at(st, 0, &ks);
	CHECK(ks.records == 2 && ks.admin);

	/* actors */
	CHECK(avow_state_actor(st, "a1", &seq) && seq == 2);
	CHECK(avow_state_actor(st, "a2", &seq) && seq == 3);
	CHECK(!avow_state_actor(st, "a3", &seq));

	/* the claim's body as amended; the response's as recorded */
	body = avow_state_body(st, 4, &err);
	CHECK(body != NULL);
	if (body != NULL) {
		const cJSON *t =
			cJSON_GetObjectItemCaseSensitive(body, "topics");
		CHECK(cJSON_IsArray(t) && cJSON_GetArraySize(t) == 1 &&
		      strcmp(t->child->valuestring, "sky") == 0);
		cJSON_Delete(body);
	}
	body = avow_state_body(st, 5, &err);
	CHECK(body != NULL &&
	      cJSON_GetObjectItemCaseSensitive(body, "topics") == NULL);
	cJSON_Delete(body);
	avow_state_free(st);

	/* the same bytes, re-made by this test, are the stored bytes */
	ok = 1;
	for (size_t i = 0; i < nrecs; i++) {
		char *r = resign(i, NULL, NULL, NULL);
		ok &= strlen(r) == lens[i] && memcmp(r, recs[i], lens[i]) == 0;
		free(r);
	}
	CHECK(ok);
	avow_state_free(NULL);
}

/* Replace the first occurrence of from in record k by to. */
static char *edited(size_t k, const char *from, const char *to)
{
	const char *p = strstr(recs[k], from);
	char *out;
	size_t a, n;

	if (p == NULL)
		abort();
	a = (size_t)(p - recs[k]);
	n = lens[k] - strlen(from) + strlen(to);
	out = malloc(n + 1);
	if (out == NULL)
		abort();
	memcpy(out, recs[k], a);
	memcpy(out + a, to, strlen(to));
	memcpy(out + a + strlen(to), p + strlen(from),
	       lens[k] - a - strlen(from) + 1);
	return out;
}

/* Record k with one base64 character of its signature changed. */
static char *sig_changed(size_t k, size_t at)
{
	char *out = malloc(lens[k] + 1);
	char *s;

	if (out == NULL)
		abort();
	memcpy(out, recs[k], lens[k] + 1);
	s = strstr(out, "\"sig\":\"");
	if (s == NULL)
		abort();
	s += 7 + at;
	*s = *s == 'A' ? 'B' : 'A';
	return out;
}

static void test_signature(void)
{
	avow_failure f;
	char *r;

	/* a byte of the signature: in R, in S */
	for (size_t k = 0; k < nrecs; k++) {
		r = sig_changed(k, 5);
		CHECK(fails_at(k, r, "signature"));
		/* trusted feeding skips exactly this check */
		CHECK(feed_at(k, r, strlen(r), AVOW_FEED_TRUSTED, &f) ==
		      AVOW_OK);
		free(r);
	}
	r = sig_changed(4, 60);
	CHECK(fails_at(4, r, "signature"));
	free(r);
	/* a byte of the body, not re-signed */
	r = edited(4, "The sky is green.", "The sky is greem.");
	CHECK(fails_at(4, r, "signature"));
	CHECK(feed_at(4, r, strlen(r), AVOW_FEED_TRUSTED, &f) == AVOW_OK);
	free(r);
	r = edited(2, "Actor One", "Actor 0ne");
	CHECK(fails_at(2, r, "signature"));
	free(r);
	/* the time, not re-signed */
	r = edited(3, "00:03:00Z", "00:03:01Z");
	CHECK(fails_at(3, r, "signature"));
	free(r);
	/* rec stays the signer, but admin signs: a valid signature by a
	 * key of the log, not by the signer */
	r = resign2(4, rec_key, admin, NULL, NULL);
	CHECK(fails_at(4, r, "signature"));
	free(r);
	/* and a record signed by a key outside the log */
	r = resign2(4, rec_key, stranger, NULL, NULL);
	CHECK(fails_at(4, r, "signature"));
	free(r);
	/* sigs[0].key is not the signer */
	r = edited(4, "\"sigs\":[{\"key\":\"rec+",
		   "\"sigs\":[{\"key\":\"rec2+");
	CHECK(fails_at(4, r, "signature"));
	free(r);
	/* two signatures */
	{
		const char *s = strstr(recs[4], "\"sigs\":[") + 8;
		const char *e = strstr(s, "}]}");
		char buf[4096];
		snprintf(buf, sizeof buf, "%.*s%.*s,%.*s]}", (int)(s - recs[4]),
			 recs[4], (int)(e - s + 1), s, (int)(e - s + 1), s);
		CHECK(fails_at(4, buf, "signature"));
	}
	/* signature not canonical base64 (a padding character removed) */
	r = edited(4, "==\"}]}", "=\"}]}");
	CHECK(fails_at(4, r, "signature"));
	free(r);
}

static void test_chain(void)
{
	char prev[45], t[21], *r;
	uint8_t leaf[32];
	avow_state *st;
	avow_failure f;
	int n;

	/* prev: the leaf hash of record k-2, re-signed */
	avow_leaf_hash(leaf, (const uint8_t *)recs[3], lens[3]);
	avow_b64_encode(prev, leaf, 32);
	r = resign(5, NULL, edit_prev, prev);
	CHECK(fails_at(5, r, "prev"));
	free(r);
	/* prev: not canonical base64; null after 0; not null at 0 */
	r = resign(5, NULL, edit_prev, "AAAA");
	CHECK(fails_at(5, r, "prev"));
	free(r);
	r = resign(5, NULL, edit_prev_null, NULL);
	CHECK(fails_at(5, r, "prev"));
	free(r);
	avow_leaf_hash(leaf, (const uint8_t *)recs[0], lens[0]);
	avow_b64_encode(prev, leaf, 32);
	r = resign(0, NULL, edit_prev, prev);
	CHECK(fails_at(0, r, "prev"));
	free(r);

	/* seq skipped, and seq repeated */
	n = 6;
	r = resign(5, NULL, edit_seq, &n);
	CHECK(fails_at(5, r, "seq"));
	free(r);
	n = 4;
	r = resign(5, NULL, edit_seq, &n);
	CHECK(fails_at(5, r, "seq"));
	free(r);
	n = 1;
	r = resign(0, NULL, edit_seq, &n);
	CHECK(fails_at(0, r, "seq"));
	free(r);
	/* a genuine record at the wrong position */
	CHECK(fails_at(4, recs[5], "seq"));

	/* time going backwards by one second */
	CHECK(avow_format_time(T0 + 240 - 1, t) == 0);
	r = resign(5, NULL, edit_time, t);
	CHECK(fails_at(5, r, "time"));
	free(r);
	/* the same time as the previous entry is allowed */
	CHECK(avow_format_time(T0 + 240, t) == 0);
	r = resign(5, NULL, edit_time, t);
	CHECK(feed_at(5, r, strlen(r), 0, &f) == AVOW_OK);
	free(r);
	/* malformed times */
	r = resign(5, NULL, edit_time, "2023-09-19T00:05:60Z");
	CHECK(fails_at(5, r, "time"));
	free(r);
	r = resign(5, NULL, edit_time, "2023-09-19 00:05:00Z");
	CHECK(fails_at(5, r, "time"));
	free(r);
	r = resign(5, NULL, edit_time, "2023-09-19T00:05:00+00:00");
	CHECK(fails_at(5, r, "time"));
	free(r);

	/* after a failed record its bytes still feed the chain: the genuine
	 * next record's prev no longer matches */
	st = state_upto(4);
	r = sig_changed(4, 5);
	CHECK(avow_state_feed(st, (const uint8_t *)r, strlen(r), 0, &f) ==
	      AVOW_ERR_INVALID);
	CHECK(f.seq == 4 && strcmp(f.check, "signature") == 0);
	CHECK(avow_state_count(st) == 5);
	CHECK(avow_state_type_of(st, 4) == AVOW_T_NONE);
	CHECK(avow_state_type_count(st, AVOW_T_CLAIM) == 0);
	avow_leaf_hash(leaf, (const uint8_t *)r, strlen(r));
	CHECK(memcmp(avow_state_last_leaf(st), leaf, 32) == 0);
	CHECK(avow_state_last_time(st) == T0 + 180); /* of record 3 */
	CHECK(avow_state_feed(st, (const uint8_t *)recs[5], lens[5], 0, &f) ==
	      AVOW_ERR_INVALID);
	CHECK(f.seq == 5 && strcmp(f.check, "prev") == 0);
	free(r);
	avow_state_free(st);

	/* a framing fault (skip) counts as a record: the next one's prev is
	 * checked against the last bytes there were */
	st = state_upto(4);
	avow_state_skip(st, "framing", "an empty line", &f);
	CHECK(f.seq == 4 && strcmp(f.check, "framing") == 0 &&
	      strcmp(f.detail, "an empty line") == 0);
	CHECK(avow_state_count(st) == 5);
	CHECK(avow_state_type_of(st, 4) == AVOW_T_NONE);
	CHECK(avow_state_feed(st, (const uint8_t *)recs[5], lens[5], 0, &f) ==
	      AVOW_ERR_INVALID);
	CHECK(f.seq == 5 && strcmp(f.check, "prev") == 0);
	avow_state_free(st);
}

static void test_encoding(void)
{
	char *r, buf[4096];

	/* white space that is not canonical */
	r = edited(4, ",\"sigs\":", ", \"sigs\":");
	CHECK(fails_at(4, r, "canonical"));
	free(r);
	r = edited(4, "{\"entry\":", "{ \"entry\":");
	CHECK(fails_at(4, r, "canonical"));
	free(r);
	snprintf(buf, sizeof buf, "%s\n", recs[4]);
	CHECK(fails_at(4, buf, "canonical"));
	/* members out of order: {"sigs":S,"entry":E} */
	{
		const char *s = strstr(recs[4], ",\"sigs\":");
		const char *e = recs[4] + 9; /* after {"entry": */
		const char *sg = s + 8;	     /* after ,"sigs": */
		snprintf(buf, sizeof buf, "{\"sigs\":%.*s,\"entry\":%.*s}",
			 (int)(recs[4] + lens[4] - 1 - sg), sg, (int)(s - e),
			 e);
		CHECK(strlen(buf) == lens[4]);
		CHECK(fails_at(4, buf, "canonical"));
	}
	/* an escaped '/', an escaped letter */
	r = edited(4, "https://example.org/r", "https:\\/\\/example.org\\/r");
	CHECK(fails_at(4, r, "canonical"));
	free(r);
	r = edited(4, "The sky", "\\u0054he sky");
	CHECK(fails_at(4, r, "canonical"));
	free(r);
	/* not JSON, not UTF-8, empty, a BOM */
	r = edited(4, "}]}", "}]");
	CHECK(fails_at(4, r, "json"));
	free(r);
	r = edited(4, "The sky", "The \xFF sky");
	CHECK(fails_at(4, r, "json"));
	free(r);
	CHECK(fails_at(4, "", "json"));
	snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s", recs[4]);
	CHECK(fails_at(4, buf, "json"));
	/* a record that is not {"entry", "sigs"} */
	CHECK(fails_at(4, "[]", "members"));
	CHECK(fails_at(4, "{\"entry\":{}}", "members"));
}

static void test_members_body_key(void)
{
	char *r;

	/* an unknown member in the entry, re-signed */
	r = resign(4, NULL, edit_add_member, NULL);
	CHECK(fails_at(4, r, "members"));
	free(r);
	/* v is not 1 */
	r = resign(4, NULL, edit_v, NULL);
	CHECK(fails_at(4, r, "members"));
	free(r);
	/* an unknown type */
	r = resign(4, NULL, edit_type, "statement");
	CHECK(fails_at(4, r, "members"));
	free(r);
	/* an undeclared actor, re-signed */
	r = resign(4, NULL, edit_by, "a9");
	CHECK(fails_at(4, r, "body"));
	free(r);
	/* a second genesis */
	r = resign(4, NULL, edit_type, "genesis");
	CHECK(fails_at(4, r, "body"));
	free(r);
	/* a record 0 that is not genesis: as it is (seq 2), with seq 0
	 * (prev is not null), with seq 0 and prev null */
	CHECK(fails_at(0, recs[2], "seq"));
	{
		int zero = 0;
		r = resign(2, NULL, edit_seq, &zero);
		CHECK(fails_at(0, r, "prev"));
		free(r);
	}
	r = resign(2, NULL, edit_first, NULL);
	CHECK(fails_at(0, r, "body"));
	free(r);

	/* signer: a key no entry added */
	r = resign(4, stranger, NULL, NULL);
	CHECK(fails_at(4, r, "key"));
	free(r);
	/* signer: rec signs before it is authorised (at seq 1 it is being
	 * added) */
	r = resign(1, rec_key, NULL, NULL);
	CHECK(fails_at(1, r, "key"));
	free(r);

	/* a claim's body under type key */
	r = resign(4, NULL, edit_type, "key");
	CHECK(fails_at(4, r, "body"));
	free(r);
}

/* A key add by the recorder: type and body both replaced. */
static void edit_key_add(cJSON *e, const void *arg)
{
	set_str(e, "type", "key");
	edit_body(e, arg);
}

static void test_role(void)
{
	char proof[89], body[1024], *r;

	CHECK(avow_key_possession(stranger, ORIGIN, proof, NULL) == AVOW_OK);
	snprintf(body, sizeof body,
		 "{\"action\":\"add\",\"key\":\"%s\",\"role\":\"recorder\","
		 "\"holder\":\"S\",\"possession\":\"%s\"}",
		 avow_key_verifier(stranger), proof);
	/* signed by the admin it is a valid record ... */
	r = resign(4, admin, edit_key_add, body);
	{
		avow_failure f;
		CHECK(feed_at(4, r, strlen(r), 0, &f) == AVOW_OK);
	}
	free(r);
	/* ... signed by the recorder it fails the role check */
	r = resign(4, rec_key, edit_key_add, body);
	CHECK(fails_at(4, r, "role"));
	free(r);
	/* a possession proof for another origin is a body failure */
	CHECK(avow_key_possession(stranger, "other.example.org/x", proof,
				  NULL) == AVOW_OK);
	snprintf(body, sizeof body,
		 "{\"action\":\"add\",\"key\":\"%s\",\"role\":\"recorder\","
		 "\"holder\":\"S\",\"possession\":\"%s\"}",
		 avow_key_verifier(stranger), proof);
	r = resign(4, admin, edit_key_add, body);
	CHECK(fails_at(4, r, "body"));
	free(r);
}

/* ---- a saved state whose chunks are read when needed ---- */

typedef struct {
	avow_buf chunk; /* chunk 0 as saved */
	int calls;	/* reads asked for */
	int fail;	/* answer them with an error */
} chunks;

static int read_chunk0(void *ctx, uint64_t c, const uint8_t **p, size_t *len)
{
	chunks *k = ctx;

	k->calls++;
	if (k->fail || c != 0)
		return -1;
	*p = k->chunk.p;
	*len = k->chunk.len;
	return 0;
}

/* The state of records 0..k-1, saved and loaded back lazily through ck. */
static avow_state *lazy_upto(size_t k, chunks *ck)
{
	avow_state *st = state_upto(k), *back;
	avow_buf rest;

	avow_buf_init(&rest);
	avow_buf_init(&ck->chunk);
	avow_state_save(st, &rest);
	CHECK(avow_state_chunks(st) == 1);
	CHECK(avow_state_chunk(st, 0, 1, &ck->chunk) == 1);
	back = avow_state_load(rest.p, rest.len, k, fetch, NULL);
	CHECK(back != NULL);
	if (back == NULL)
		abort();
	CHECK(avow_state_lazy(back, read_chunk0, ck) == 0);
	avow_state_free(st);
	avow_buf_free(&rest);
	return back;
}

static void test_lazy_chunks(void)
{
	chunks ck = {{0}, 0, 0};
	avow_state *st = lazy_upto(5, &ck);
	avow_failure f;

	/* Nothing is read until a record in the chunk is needed, and then
	 * once. */
	CHECK(ck.calls == 0);
	CHECK(avow_state_partial(st));
	CHECK(avow_state_count(st) == 5);
	CHECK(avow_state_type_of(st, 4) == AVOW_T_CLAIM);
	CHECK(avow_state_type_of(st, 2) == AVOW_T_ACTOR);
	CHECK(ck.calls == 1);
	CHECK(!avow_state_lazy_failed(st));
	CHECK(avow_state_load_rest(st) == 0);
	CHECK(!avow_state_partial(st));
	avow_state_free(st);
	avow_buf_free(&ck.chunk);

	/* Record 5 answers record 4: feeding it reads the chunk. */
	ck.calls = 0;
	st = lazy_upto(5, &ck);
	CHECK(avow_state_feed(st, (const uint8_t *)recs[5], lens[5], 0, &f) ==
	      AVOW_OK);
	CHECK(ck.calls == 1);
	CHECK(!avow_state_lazy_failed(st));
	avow_state_free(st);
	avow_buf_free(&ck.chunk);

	/* A chunk that cannot be read: its records read as failed ones, the
	 * response to one of them fails, and the state says why it must not
	 * be trusted or saved. */
	ck.calls = 0;
	ck.fail = 1;
	st = lazy_upto(5, &ck);
	CHECK(avow_state_feed(st, (const uint8_t *)recs[5], lens[5], 0, &f) !=
	      AVOW_OK);
	CHECK(ck.calls == 1);
	CHECK(avow_state_lazy_failed(st));
	CHECK(avow_state_partial(st));
	CHECK(avow_state_type_of(st, 4) == AVOW_T_NONE);
	CHECK(avow_state_load_rest(st) < 0);
	avow_state_free(st);
	avow_buf_free(&ck.chunk);
}

int main(void)
{
	if (avow_init() != AVOW_OK)
		return 1;
	admin = seed_key("admin", 0x01);
	rec_key = seed_key("rec", 0x02);
	stranger = seed_key("stranger", 0x03);
	CHECK(build_log());
	if (nrecs == 8) {
		test_accepts();
		test_signature();
		test_chain();
		test_encoding();
		test_members_body_key();
		test_role();
		test_lazy_chunks();
	}
	for (size_t i = 0; i < nrecs; i++)
		free(recs[i]);
	avow_key_free(admin);
	avow_key_free(rec_key);
	avow_key_free(stranger);
	return check_done("state");
}
