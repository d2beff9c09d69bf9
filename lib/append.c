/*
 * append.c - build, validate, sign and store new records, all or none.
 *
 * The one path for bytes: an entry is made canonical once, signed, framed
 * as a record, fed to the same state machine the audit uses (so nothing
 * the audit would reject is ever written), and stored exactly as signed.
 *
 * Signing is sequential (each entry names the leaf hash of the record
 * before it), so a batch runs as three stages that overlap:
 *   make   parse a draft, resolve its target and write its signed message
 *          ("avow/v1/entry\n" and the canonical entry), leaving room for
 *          the hashes of records not signed yet: prev, and a target made
 *          earlier in this batch;
 *   sign   (a thread of its own) fill those in, sign, frame the record and
 *          finish its leaf hash (the store stage hashes the middle of it
 *          while it is being signed, when it can: see help);
 *   store  feed the record to the state machine, then insert it and
 *          the tree nodes it completes.
 * The calling thread makes and stores: whenever the next record to store
 * is not signed yet, it makes another draft (up to LEAD ahead) instead of
 * waiting. Signing is the slowest stage, so the signer gets a core to
 * itself on a two-core machine, and never waits for a draft once the
 * first is made.
 * Every stage stops at the first draft that fails anywhere. The error
 * reported is the one that making and checking the drafts one at a time,
 * then storing them, gives: the first draft that cannot be made or is
 * rejected, and a storage error only when every draft passed. Nothing is
 * committed unless all of them did.
 */
#include "json.h"
#include "state.h"
#include "store.h"
#include "syntax.h"
#include "tree.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEAD		1024 /* drafts made ahead of the store stage, at most */
#define AHEAD		32   /* drafts made ahead of the signer, at least */
#define KEEP		256 /* stored records kept in memory for the state's reads */
#define BURST		16 /* signed records the store stage waits for at once */
#define PREFIX_LEN	14 /* "avow/v1/entry\n" */
#define REC_AT		5  /* the record, {"entry":..., is made at buf.p + 5 */
#define HASH_B64	44 /* a 32-byte hash in base64 */
#define AUTO_CHECKPOINT 1000 /* SQLite's default, in WAL frames */
#define CKPT_THREAD_MIN 256  /* records in an append that checkpoints aside */

/* Who hashes the middle of a record: the signer, or the store stage while
 * the signer signs it (see help). */
enum { MID_OPEN, MID_HELPER, MID_DONE, MID_SIGNER };

/* One record on its way. */
typedef struct {
	avow_buf buf;	/* the signed message, then the record at REC_AT */
	size_t prev_at; /* where prev's base64 goes in buf, or 0 */
	size_t tgt_at;	/* where the target's hash goes, or 0 */
	size_t tgt;	/* the slot of that target */
	/* The leaf hash begun by make, so that the signer hashes less:
	 * 0x00, "{\"entry\":" and the entry up to its first hole, the
	 * `hashed` bytes of buf after PREFIX_LEN. */
	crypto_hash_sha256_state lh;
	size_t hashed;
	size_t msg_len; /* the signed message's length in buf */
	atomic_int mid; /* MID_*: who hashes the rest up to the signature */
	uint8_t leaf[32];
} slot;

/* The record in a signed slot. */
static const uint8_t *rec_of(const slot *sl)
{
	return sl->buf.p + REC_AT;
}

static size_t rec_len(const slot *sl)
{
	return sl->buf.len - REC_AT;
}

typedef struct {
	avow_log *log;
	uint64_t base;	       /* records in the log before this batch */
	slot *slots;	       /* records made so far */
	atomic_size_t nsigned; /* slots signed and framed */
	int oom;
	int lines_sorted; /* drafts' line numbers strictly increase */
} batch;

static avow_status bfetch(void *ctx, uint64_t seq, avow_buf *out,
			  avow_error *err)
{
	batch *b = ctx;

	if (seq >= b->base) {
		size_t i = (size_t)(seq - b->base);
		if (i >= atomic_load(&b->nsigned))
			return avow_seterr(err, AVOW_ERR_NOT_FOUND,
					   "no record %llu",
					   (unsigned long long)seq);
		if (b->slots[i].buf.p == NULL) /* stored, and let go */
			return avow_store_fetch(b->log, seq, out, err);
		avow_buf_reset(out);
		avow_buf_add(out, rec_of(&b->slots[i]), rec_len(&b->slots[i]));
		return out->oom ? avow_seterr(err, AVOW_ERR_NOMEM,
					      "out of memory")
				: AVOW_OK;
	}
	return avow_saved_fetch(b->log, seq, out, err);
}

/* A chunk of the saved state could not be read: the records in it read as
 * failed ones, so whatever was decided with them does not hold. */
static avow_status chunk_unreadable(const avow_log *log, avow_error *err)
{
	return avow_seterr(err, AVOW_ERR_IO,
			   "%s: a chunk of the saved state cannot be read; "
			   "nothing was appended (use --no-saved-state, or "
			   "remove that file)",
			   log->saved_path);
}

/* Feed st the log's records from avow_state_count(st) on, with flags:
 * the whole log with AVOW_FEED_TRUSTED before an append without a saved
 * state (the audit checks the signatures), or fully the records that
 * others appended since the saved state st (signatures too, since st is
 * saved again with them). */
static avow_status feed_log(avow_log *log, avow_state *st, unsigned flags,
			    avow_error *err)
{
	sqlite3_stmt *q = NULL;
	int src = sqlite3_prepare_v2(
		log->db,
		"SELECT seq, data FROM records WHERE seq >= ? ORDER BY seq", -1,
		&q, NULL);

	if (src == SQLITE_OK)
		sqlite3_bind_int64(q, 1, (sqlite3_int64)avow_state_count(st));
	while (src == SQLITE_OK && (src = sqlite3_step(q)) == SQLITE_ROW) {
		avow_failure f = {0, "seq", "out of order"};
		const void *p = sqlite3_column_blob(q, 1);
		if ((uint64_t)sqlite3_column_int64(q, 0) !=
			    avow_state_count(st) ||
		    avow_state_feed(st, p ? p : "",
				    (size_t)sqlite3_column_bytes(q, 1), flags,
				    &f) != AVOW_OK) {
			sqlite3_finalize(q);
			if (avow_state_lazy_failed(st))
				return chunk_unreadable(log, err);
			return avow_seterr(
				err, AVOW_ERR_AUDIT,
				"%s fails its audit at record %llu (%s: %s); "
				"nothing was appended (run avow-verify)",
				log->path,
				(unsigned long long)avow_state_count(st),
				f.check, f.detail);
		}
		src = SQLITE_OK;
	}
	sqlite3_finalize(q);
	if (src != SQLITE_DONE && src != SQLITE_OK)
		return avow_store_err(log, src, "reading records", err);
	return AVOW_OK;
}

/* Take the state this handle kept after its last append (trusted_size
 * records, tree hash trusted_root), if the log still extends it; else
 * *st is NULL. Records read from it again prove their inclusion. */
static avow_status take_cache(avow_log *log, avow_state **st, avow_error *err)
{
	uint64_t n = 0, size = log->trusted_size;
	uint8_t got[32];
	avow_status rc;

	*st = log->cache;
	log->cache = NULL;
	if (*st == NULL)
		return AVOW_OK;
	rc = avow_log_count(log, &n, err);
	if (rc == AVOW_OK && n >= size)
		rc = avow_tree_hash(avow_store_node_read, log, 0, size, got,
				    err);
	if (rc == AVOW_OK &&
	    (n < size || sodium_memcmp(got, log->trusted_root, 32) != 0))
		rc = avow_seterr(err, AVOW_ERR_AUDIT,
				 "%s no longer holds the %llu records this "
				 "process appended: it was changed since; "
				 "nothing was appended (run avow-verify)",
				 log->path, (unsigned long long)size);
	if (rc != AVOW_OK) {
		avow_state_free(*st);
		*st = NULL;
	}
	return rc;
}

static const char *label_of(const avow_draft *d, char buf[32], size_t i)
{
	if (d->label != NULL)
		return d->label;
	snprintf(buf, 32, "entry %zu", i + 1);
	return buf;
}

/* The pipeline: the batch, what the stages share, and their progress. */
typedef struct {
	batch *b;
	const avow_key *key;
	const avow_draft *drafts;
	size_t n;
	int allow_genesis;
	cJSON *num; /* make's scratch number and buffer */
	avow_buf scratch;
	uint8_t prev0[32]; /* the leaf before the batch */
	avow_buf mid;	   /* ,"signer":K,"time":T,"type": */
	avow_buf sigs;	   /* ,"sigs":[{"key":K,"sig":" */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_size_t made;   /* drafts made */
	atomic_size_t filled; /* drafts whose hashes the signer filled in */
	size_t helped;	      /* filled, when the store stage last helped */
	crypto_hash_sha256_state mid_lh; /* what help hashed */
	atomic_size_t limit;		 /* no stage goes past this draft */
	atomic_size_t want_made, want_signed; /* wake-up marks */
	atomic_int make_done, sign_done;
	avow_status make_rc, sign_rc;
	avow_error make_err, sign_err;
	avow_error *make_errp, *sign_errp; /* NULL when the caller's is */
} flow;

static void wake_all(flow *f)
{
	pthread_mutex_lock(&f->mu);
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/* Stop every stage before draft i. */
static void stop_at(flow *f, size_t i)
{
	size_t cur = atomic_load(&f->limit);

	while (i < cur && !atomic_compare_exchange_weak(&f->limit, &cur, i))
		;
	wake_all(f);
}

static int ready(flow *f, atomic_size_t *ctr, size_t thr, atomic_int *done,
		 size_t at)
{
	return atomic_load(ctr) >= thr || (done && atomic_load(done)) ||
	       atomic_load(&f->limit) <= at;
}

/* Wait until *ctr reaches thr, *done (may be NULL) is set, or the batch
 * stops at or before draft `at`. *want tells the producer of *ctr when to
 * wake this stage (each counter has one stage waiting on it). */
static void await(flow *f, atomic_size_t *ctr, atomic_size_t *want, size_t thr,
		  atomic_int *done, size_t at)
{
	if (ready(f, ctr, thr, done, at))
		return;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		atomic_store(want, thr);
		if (ready(f, ctr, thr, done, at))
			break;
		pthread_cond_wait(&f->cv, &f->mu);
	}
	atomic_store(want, SIZE_MAX);
	pthread_mutex_unlock(&f->mu);
}

static void publish(flow *f, atomic_size_t *ctr, atomic_size_t *want, size_t v)
{
	atomic_store(ctr, v);
	if (v >= atomic_load(want))
		wake_all(f);
}

/* The index of the first draft before i made from input line k, or i. */
static size_t line_draft(const batch *b, const avow_draft *drafts, size_t i,
			 int64_t k)
{
	size_t j;

	if (b->lines_sorted) {
		size_t lo = 0, hi = i;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (drafts[mid].line < k)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < i && drafts[lo].line == k ? lo : i;
	}
	for (j = 0; j < i; j++)
		if (drafts[j].line == k)
			break;
	return j;
}

/* The hash of a target made in this batch, until it is signed: two
 * spellings of the same length, which tell where it is in the entry. */
static const char hole_a[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
static const char hole_b[] = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";

/* Replace a draft's target by {"seq": n, "hash": leaf hash}. For a record
 * of this batch the hash is hole_a, *hash its node, and *tgt its slot. */
static avow_status resolve_target(flow *f, size_t i, cJSON *body, cJSON **hashp,
				  size_t *tgt, avow_buf *scratch,
				  avow_error *err)
{
	batch *b = f->b;
	cJSON *t = cJSON_GetObjectItemCaseSensitive(body, "target");
	const cJSON *seq, *line, *hash;
	uint64_t s;
	uint8_t leaf[32];
	char h[45];
	int members = 0;
	avow_status st;

	if (t == NULL || !cJSON_IsObject(t))
		return AVOW_OK; /* the validator reports it */
	for (const cJSON *c = t->child; c != NULL; c = c->next)
		members++;
	seq = cJSON_GetObjectItemCaseSensitive(t, "seq");
	line = cJSON_GetObjectItemCaseSensitive(t, "line");
	hash = cJSON_GetObjectItemCaseSensitive(t, "hash");
	if (line != NULL) {
		int64_t k = avow_json_int(line);
		size_t j;
		if (members != 1 || k <= 0)
			return avow_seterr(err, AVOW_ERR_SYNTAX,
					   "body.target: {\"line\": k} takes "
					   "a positive line number and nothing "
					   "else");
		j = line_draft(b, f->drafts, i, k);
		if (j == i)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "body.target.line: %lld is not an "
					   "earlier line of this input",
					   (long long)k);
		s = b->base + j;
	} else {
		int64_t k = avow_json_int(seq);
		if (seq == NULL || k < 0 || members > 2 ||
		    (members == 2 && hash == NULL))
			return avow_seterr(err, AVOW_ERR_SYNTAX,
					   "body.target: give {\"seq\": n}, "
					   "{\"seq\": n, \"hash\": h} or "
					   "{\"line\": k}");
		s = (uint64_t)k;
		if (hash != NULL)
			return AVOW_OK; /* checked as given */
		if (s >= b->base + i)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "body.target.seq: no record %llu "
					   "yet",
					   (unsigned long long)s);
	}
	if (s >= b->base) {
		*tgt = (size_t)(s - b->base);
		memcpy(h, hole_a, sizeof hole_a);
	} else {
		st = bfetch(b, s, scratch, err);
		if (st != AVOW_OK)
			return st;
		avow_leaf_hash(leaf, scratch->p, scratch->len);
		avow_b64_encode(h, leaf, 32);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(body, "target");
	t = cJSON_AddObjectToObject(body, "target");
	if (t == NULL || !cJSON_AddNumberToObject(t, "seq", (double)s) ||
	    (*hashp = cJSON_AddStringToObject(t, "hash", h)) == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	return AVOW_OK;
}

/* Make draft i's signed message in its slot: "avow/v1/entry\n" and the
 * canonical entry, {"body":...,"prev":...,"seq":...,"signer":...,
 * "time":...,"type":...,"v":1} (RFC 8785 orders the members so), with
 * room for the hashes that sign_one fills in. */
static avow_status make_one(flow *f, size_t i, cJSON *num, avow_buf *scratch,
			    avow_error *err)
{
	const avow_draft *d = &f->drafts[i];
	slot *sl = &f->b->slots[i];
	avow_buf *m = &sl->buf;
	cJSON *root, *body, *hash = NULL;
	const cJSON *type;
	uint64_t seq = f->b->base + i;
	size_t body_at, tgt = SIZE_MAX;
	avow_status rc;
	int members = 0, t;

	root = avow_json_parse(d->json, d->len, AVOW_JSON_AVOW_STRINGS, err);
	if (root == NULL)
		return err ? err->code : AVOW_ERR_SYNTAX;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "expected a JSON object {\"type\": ..., "
				   "\"body\": {...}}");
	}
	for (const cJSON *c = root->child; c != NULL; c = c->next) {
		members++;
		if (strcmp(c->string, "type") != 0 &&
		    strcmp(c->string, "body") != 0) {
			rc = avow_seterr(err, AVOW_ERR_SYNTAX,
					 "unknown member \"%.40s\" (a line "
					 "holds only \"type\" and \"body\")",
					 c->string);
			cJSON_Delete(root);
			return rc;
		}
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	body = cJSON_GetObjectItemCaseSensitive(root, "body");
	t = cJSON_IsString(type) ? avow_type_parse(type->valuestring)
				 : AVOW_T_NONE;
	if (t == AVOW_T_NONE || body == NULL || !cJSON_IsObject(body) ||
	    (t == AVOW_T_GENESIS && !f->allow_genesis)) {
		rc = avow_seterr(
			err, AVOW_ERR_SYNTAX,
			t == AVOW_T_GENESIS
				? "type: genesis is written only by `avow init`"
			: t == AVOW_T_NONE
				? "type: must be one of key, actor, claim, "
				  "response, amend"
				: "body: missing, or not an object");
		cJSON_Delete(root);
		return rc;
	}
	rc = resolve_target(f, i, body, &hash, &tgt, scratch, err);
	if (rc != AVOW_OK) {
		cJSON_Delete(root);
		return rc;
	}
	avow_buf_reset(m);
	avow_buf_adds(m, "avow/v1/entry\n{\"body\":");
	body_at = m->len;
	avow_json_canon(m, body);
	sl->tgt_at = 0;
	if (tgt != SIZE_MAX) {
		/* Where the hash is: the first byte that differs when it is
		 * spelled the other way. */
		size_t k = 0;
		memcpy(hash->valuestring, hole_b, sizeof hole_b);
		avow_buf_reset(scratch);
		avow_json_canon(scratch, body);
		while (!m->oom && k < scratch->len &&
		       m->p[body_at + k] == scratch->p[k])
			k++;
		sl->tgt_at = body_at + k;
		sl->tgt = tgt;
		if (scratch->oom || k + HASH_B64 > scratch->len)
			m->oom = 1;
	}
	avow_buf_adds(m, ",\"prev\":");
	sl->prev_at = 0;
	if (seq == 0) {
		avow_buf_adds(m, "null");
	} else {
		sl->prev_at = m->len + 1;
		avow_buf_addc(m, '"');
		avow_buf_adds(m, hole_a);
		avow_buf_addc(m, '"');
	}
	avow_buf_adds(m, ",\"seq\":");
	cJSON_SetNumberValue(num, (double)seq);
	avow_json_canon(m, num);
	avow_buf_add(m, f->mid.p, f->mid.len);
	avow_json_canon(m, type);
	avow_buf_adds(m, ",\"v\":1}");
	cJSON_Delete(root);
	if (!m->oom) {
		size_t hole = sl->tgt_at    ? sl->tgt_at
			      : sl->prev_at ? sl->prev_at
					    : m->len;
		sl->hashed = hole - PREFIX_LEN;
		crypto_hash_sha256_init(&sl->lh);
		crypto_hash_sha256_update(&sl->lh,
					  (const uint8_t *)"\0{\"entry\":", 10);
		crypto_hash_sha256_update(&sl->lh, m->p + PREFIX_LEN,
					  sl->hashed);
	}
	sl->msg_len = m->len;
	atomic_init(&sl->mid, MID_OPEN);
	/* room for the record, so that the signer does not allocate (nor
	 * move buf while the store stage may read it: see help) */
	avow_buf_reserve(m, f->sigs.len + AVOW_B64_LEN(AVOW_SIG_BYTES) + 8);
	if (m->oom)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	return AVOW_OK;
}

/* Hash the middle of slot sl's record into h, which holds the leaf hash
 * begun by make: the rest of the entry (its hashes filled in) and the
 * members up to the signature, ,"sigs":[{"key":K,"sig":" (f->sigs). */
static void hash_mid(const flow *f, const slot *sl, crypto_hash_sha256_state *h)
{
	crypto_hash_sha256_update(h, sl->buf.p + PREFIX_LEN + sl->hashed,
				  sl->msg_len - PREFIX_LEN - sl->hashed);
	crypto_hash_sha256_update(h, f->sigs.p, f->sigs.len);
}

/* The store stage, between its own steps: hash the middle of the record
 * that the signer is signing, unless the signer got to it first. That
 * takes about a microsecond a record off the signer, which waits on
 * nothing else (each entry names the leaf hash of the one before). The
 * result goes to f->mid_lh, which the signer reads after its signature:
 * only the record being signed is helped, so one is enough. */
static void help(flow *f)
{
	size_t i = atomic_load_explicit(&f->filled, memory_order_acquire);
	slot *sl;
	int open = MID_OPEN, busy = MID_HELPER;

	if (i <= f->helped)
		return;
	f->helped = i;
	sl = &f->b->slots[i - 1];
	/* The signer writes only outside the bytes hashed here (and
	 * buf.len), after it sees the claim below or takes it back. */
	if (!atomic_compare_exchange_strong(&sl->mid, &open, MID_HELPER))
		return;
	f->mid_lh = sl->lh;
	hash_mid(f, sl, &f->mid_lh);
	/* (fails if the signer gave up waiting and hashed it itself) */
	atomic_compare_exchange_strong_explicit(&sl->mid, &busy, MID_DONE,
						memory_order_release,
						memory_order_relaxed);
}

/* After signing slot sl: its leaf hash with the middle hashed, by the
 * store stage (help) or here. */
static crypto_hash_sha256_state *mid_hashed(flow *f, slot *sl)
{
	int st = MID_OPEN;

	if (atomic_compare_exchange_strong(&sl->mid, &st, MID_SIGNER)) {
		hash_mid(f, sl, &sl->lh);
		return &sl->lh;
	}
	/* The helper has it: wait a little (its hash takes about 1 µs),
	 * then take it back, in case its thread was put to sleep. */
	for (int k = 0; k < 2000 && st == MID_HELPER; k++)
		st = atomic_load_explicit(&sl->mid, memory_order_acquire);
	if (st == MID_HELPER &&
	    atomic_compare_exchange_strong(&sl->mid, &st, MID_SIGNER)) {
		hash_mid(f, sl, &sl->lh);
		return &sl->lh;
	}
	return &f->mid_lh; /* st is MID_DONE, read with acquire */
}

/* Fill in draft i's hashes, sign it and make its record in its slot. */
static avow_status sign_one(flow *f, size_t i, avow_error *err)
{
	slot *sl = &f->b->slots[i];
	avow_buf *m = &sl->buf;
	uint8_t s[AVOW_SIG_BYTES];
	char sb[AVOW_B64_LEN(AVOW_SIG_BYTES) + 1];
	crypto_hash_sha256_state *h;
	avow_status rc;

	/* (make reserved the room; see help) */
	if (m->cap - m->len < f->sigs.len + sizeof sb + 4)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	if (sl->prev_at != 0) {
		avow_b64_encode(sb, i ? f->b->slots[i - 1].leaf : f->prev0, 32);
		memcpy(m->p + sl->prev_at, sb, HASH_B64);
	}
	if (sl->tgt_at != 0) {
		avow_b64_encode(sb, f->b->slots[sl->tgt].leaf, 32);
		memcpy(m->p + sl->tgt_at, sb, HASH_B64);
	}
	/* From here until mid_hashed returns, the message is only read: the
	 * store stage may hash its middle while this thread signs it. */
	atomic_store_explicit(&f->filled, i + 1, memory_order_release);
	rc = avow_key_sign(f->key, m->p, m->len, s, err);
	if (rc != AVOW_OK)
		return rc;
	h = mid_hashed(f, sl);
	/* {"entry":E,"sigs":[{"key":K,"sig":"S"}]}, at REC_AT: the first
	 * bytes of "avow/v1/entry\n" become {"entry":, and E stays put. */
	avow_b64_encode(sb, s, sizeof s);
	memcpy(m->p + REC_AT, "{\"entry\":", PREFIX_LEN - REC_AT);
	avow_buf_add(m, f->sigs.p, f->sigs.len);
	avow_buf_adds(m, sb);
	avow_buf_adds(m, "\"}]}");
	if (m->oom)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	/* the leaf hash: the signature and what follows it */
	crypto_hash_sha256_update(h, m->p + m->len - (sizeof sb - 1) - 4,
				  sizeof sb - 1 + 4);
	crypto_hash_sha256_final(h, sl->leaf);
	return AVOW_OK;
}

/* A stage failed at draft i: name the draft in its error, keep rc in
 * *rcp, and stop every stage there. */
static void stage_failed(flow *f, size_t i, avow_status rc, avow_error *errp,
			 avow_status *rcp)
{
	char lb[32];

	avow_errprefix(errp, rc, "%s: ", label_of(&f->drafts[i], lb, i));
	*rcp = rc;
	stop_at(f, i);
}

/* Make the next draft; 0 once the batch has stopped, or this one failed
 * (and stopped it). */
static int make_next(flow *f)
{
	size_t i = atomic_load(&f->made);
	avow_status rc;

	if (atomic_load(&f->limit) <= i)
		return 0;
	rc = f->num == NULL ? avow_seterr(f->make_errp, AVOW_ERR_NOMEM,
					  "out of memory")
			    : make_one(f, i, f->num, &f->scratch, f->make_errp);
	if (rc != AVOW_OK) {
		stage_failed(f, i, rc, f->make_errp, &f->make_rc);
		return 0;
	}
	publish(f, &f->made, &f->want_made, i + 1);
	if (i + 1 == f->n) {
		atomic_store(&f->make_done, 1);
		wake_all(f);
	}
	return 1;
}

static void *sign_stage(void *arg)
{
	flow *f = arg;

	for (size_t i = 0; i < f->n; i++) {
		avow_status rc;

		await(f, &f->made, &f->want_made, i + 1, &f->make_done, i);
		if (atomic_load(&f->limit) <= i || atomic_load(&f->made) <= i)
			break;
		rc = sign_one(f, i, f->sign_errp);
		if (rc != AVOW_OK) {
			stage_failed(f, i, rc, f->sign_errp, &f->sign_rc);
			break;
		}
		publish(f, &f->b->nsigned, &f->want_signed, i + 1);
	}
	atomic_store(&f->sign_done, 1);
	wake_all(f);
	return NULL;
}

/* The checkpoint after an append (copying the records from the WAL into
 * the log file, and syncing it) on a thread and a connection of its own,
 * while the caller saves the state (which reads the log through its own
 * connection meanwhile). Records committed to the WAL are durable
 * already, so a checkpoint that fails is only done later (at the next
 * commit, or when the log is closed). */
static void *checkpoint(void *arg)
{
	const char *path = arg;
	sqlite3 *db = NULL;

	/* (a connection finds the WAL at its first read) */
	if (sqlite3_open_v2(path, &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
			    NULL) == SQLITE_OK &&
	    sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL,
			 NULL) == SQLITE_OK)
		(void)sqlite3_wal_checkpoint_v2(
			db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	sqlite3_close(db);
	return NULL;
}

static avow_status rollback(avow_log *log, avow_status rc)
{
	sqlite3_exec(log->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static avow_status append(avow_log *log, const avow_key *key,
			  const avow_draft *drafts, size_t n, int64_t now,
			  int allow_genesis, uint64_t *first_seq,
			  avow_error *err)
{
	batch b;
	flow pl;
	avow_state *st = NULL;
	sqlite3_stmt *ins = NULL;
	avow_status rc = AVOW_OK, irc = AVOW_OK;
	avow_error ierr;
	char ts[21];
	int src, thread = 0, ckpt = 0;
	pthread_t sign_t, ckpt_t;
	size_t i;
	avow_tree_writer tw = {log, AVOW_OK, err ? &ierr : NULL};
	sqlite3 *sdb = NULL; /* the saved state's file, when kept */
	avow_indexer *ix = NULL;
	int saved = 0; /* st came from it: save st after the append */

	if (log->flags & AVOW_OPEN_READONLY)
		return avow_seterr(err, AVOW_ERR_READONLY,
				   "%s: opened read-only", log->path);
	if (n == 0)
		return avow_seterr(err, AVOW_ERR_USAGE, "nothing to append");
	if (now < 0)
		now = (int64_t)time(NULL);
	if (avow_format_time(now, ts) != 0)
		return avow_seterr(err, AVOW_ERR_CLOCK,
				   "the time %lld is outside years 0001 to "
				   "9999",
				   (long long)now);
	memset(&b, 0, sizeof b);
	memset(&pl, 0, sizeof pl);
	b.log = log;
	b.base = UINT64_MAX; /* while replaying, every record is stored */
	b.slots = calloc(n, sizeof *b.slots);
	pl.mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	pl.cv = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	avow_buf_init(&pl.mid);
	avow_buf_init(&pl.sigs);
	avow_buf_init(&pl.scratch);
	if (b.slots == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");

	rc = avow_store_write_begin(log, "starting the append", err);
	if (rc != AVOW_OK)
		goto out;
	if (log->saved_path != NULL) {
		rc = avow_saved_begin(log, &sdb, &st, err);
		if (rc == AVOW_OK && st != NULL) {
			saved = 1;
			avow_state_set_fetch(st, bfetch, &b);
			rc = avow_indexer_open(&ix, sdb, log, AVOW_IX_APPEND,
					       NULL, NULL, err);
			if (rc == AVOW_OK) {
				avow_state_observe(st, avow_indexer_observe,
						   ix);
				rc = feed_log(log, st, 0, err);
			}
		}
		if (rc != AVOW_OK) {
			rollback(log, rc);
			goto out;
		}
	}
	if (st == NULL && log->saved_path == NULL) {
		/* What others appended since is replayed as below. */
		rc = take_cache(log, &st, err);
		if (rc == AVOW_OK && st != NULL) {
			avow_state_set_fetch(st, bfetch, &b);
			rc = feed_log(log, st, AVOW_FEED_TRUSTED, err);
		}
		if (rc != AVOW_OK) {
			rollback(log, rc);
			goto out;
		}
	}
	if (st == NULL) {
		/* Replay the log into the state the audit would hold. The audit
		 * checks the signatures; here the rest suffices. */
		st = avow_state_new(bfetch, &b);
		rc = st == NULL
			     ? avow_seterr(err, AVOW_ERR_NOMEM, "out of memory")
			     : feed_log(log, st, AVOW_FEED_TRUSTED, err);
		if (rc != AVOW_OK) {
			rollback(log, rc);
			goto out;
		}
	}
	b.base = avow_state_count(st);
	if (b.base == 0 && !allow_genesis) {
		rc = rollback(log, avow_seterr(err, AVOW_ERR_USAGE,
					       "%s has no genesis record; run "
					       "`avow init` first",
					       log->path));
		goto out;
	}
	if (b.base > 0 && allow_genesis) {
		rc = rollback(log, avow_seterr(err, AVOW_ERR_EXISTS,
					       "%s already has a genesis "
					       "record",
					       log->path));
		goto out;
	}
	if (avow_state_last_time(st) > now) {
		char last[21];
		avow_format_time(avow_state_last_time(st), last);
		rc = rollback(log, avow_seterr(err, AVOW_ERR_CLOCK,
					       "the time to record, %s, is "
					       "earlier than the last record's "
					       "time %s; fix the clock or "
					       "SOURCE_DATE_EPOCH",
					       ts, last));
		goto out;
	}
	/* What every entry and record of the batch shares. */
	{
		cJSON *kid = cJSON_CreateString(avow_key_id(key));
		cJSON *tim = cJSON_CreateString(ts);

		if (kid != NULL && tim != NULL) {
			avow_buf_adds(&pl.mid, ",\"signer\":");
			avow_json_canon(&pl.mid, kid);
			avow_buf_adds(&pl.mid, ",\"time\":");
			avow_json_canon(&pl.mid, tim);
			avow_buf_adds(&pl.mid, ",\"type\":");
			avow_buf_adds(&pl.sigs, ",\"sigs\":[{\"key\":");
			avow_json_canon(&pl.sigs, kid);
			avow_buf_adds(&pl.sigs, ",\"sig\":\"");
		}
		if (kid == NULL || tim == NULL || pl.mid.oom || pl.sigs.oom) {
			cJSON_Delete(kid);
			cJSON_Delete(tim);
			rc = rollback(log, avow_seterr(err, AVOW_ERR_NOMEM,
						       "out of memory"));
			goto out;
		}
		cJSON_Delete(kid);
		cJSON_Delete(tim);
	}
	b.lines_sorted = 1;
	for (i = 1; i < n; i++)
		if (drafts[i].line <= drafts[i - 1].line)
			b.lines_sorted = 0;
	pl.b = &b;
	pl.key = key;
	pl.drafts = drafts;
	pl.n = n;
	pl.allow_genesis = allow_genesis;
	if (b.base > 0)
		memcpy(pl.prev0, avow_state_last_leaf(st), 32);
	pl.make_errp = err ? &pl.make_err : NULL;
	pl.sign_errp = err ? &pl.sign_err : NULL;
	atomic_init(&pl.made, 0);
	atomic_init(&pl.filled, 0);
	atomic_init(&b.nsigned, 0);
	atomic_init(&pl.limit, n);
	atomic_init(&pl.want_made, SIZE_MAX);
	atomic_init(&pl.want_signed, SIZE_MAX);
	atomic_init(&pl.make_done, 0);
	atomic_init(&pl.sign_done, 0);

	src = sqlite3_prepare_v2(log->db,
				 "INSERT INTO records(seq, data) VALUES(?, ?)",
				 -1, &ins, NULL);
	if (src != SQLITE_OK)
		irc = avow_store_err(log, src, "appending", err ? &ierr : NULL);

	pl.num = cJSON_CreateNumber(0); /* make_next reports it missing */
	/* Feeding a record to the state completes the tree's nodes that
	 * table tree keeps: store them as they are hashed. */
	avow_state_tree_nodes(st, avow_store_node_put, &tw);
	/* Start the signer; with no thread for it, everything is made and
	 * signed here first. */
	if (n > 1 && pthread_create(&sign_t, NULL, sign_stage, &pl) == 0) {
		thread = 1;
	} else {
		while (make_next(&pl))
			;
		sign_stage(&pl);
	}

	for (i = 0; i < n; i++) {
		/* when waiting, wait for a few */
		size_t thr = n - i > BURST ? i + BURST : n;
		slot *sl = &b.slots[i];
		avow_feed_hint hint;
		avow_failure fail;
		char lb[32];

		/* Keep the signer AHEAD drafts ahead; until record i is
		 * signed, make more, up to LEAD ahead of it. */
		while (atomic_load(&pl.made) < n &&
		       atomic_load(&pl.made) < i + LEAD &&
		       (atomic_load(&b.nsigned) <= i ||
			atomic_load(&pl.made) <
				atomic_load(&b.nsigned) + AHEAD) &&
		       make_next(&pl))
			help(&pl);
		if (atomic_load(&b.nsigned) <= i)
			await(&pl, &b.nsigned, &pl.want_signed, thr,
			      &pl.sign_done, i);
		if (atomic_load(&pl.limit) <= i || atomic_load(&b.nsigned) <= i)
			break;
		help(&pl);
		memset(&hint, 0, sizeof hint);
		hint.have_leaf = 1;
		memcpy(hint.leaf, sl->leaf, 32);
		if (avow_state_feed_hint(st, rec_of(sl), rec_len(sl),
					 AVOW_FEED_TRUSTED, &hint,
					 &fail) != AVOW_OK) {
			rc = avow_seterr(err, AVOW_ERR_INVALID, "%s",
					 fail.detail);
			if (strcmp(fail.check, "key") == 0 ||
			    strcmp(fail.check, "role") == 0)
				avow_errprefix(err, rc,
					       "key %s: ", avow_key_id(key));
		} else if (b.oom) {
			rc = avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
		}
		if (rc != AVOW_OK) {
			if (!b.oom)
				avow_errprefix(err, rc, "%s: ",
					       label_of(&drafts[i], lb, i));
			stop_at(&pl, i);
			break;
		}
		/* Store it (after a storage error, the rest is only checked,
		 * as all of it would have been before anything was stored). */
		help(&pl);
		if (irc == AVOW_OK) {
			sqlite3_bind_int64(ins, 1,
					   (sqlite3_int64)b.base +
						   (sqlite3_int64)i);
			sqlite3_bind_blob(ins, 2, rec_of(sl), (int)rec_len(sl),
					  SQLITE_STATIC);
			src = sqlite3_step(ins);
			sqlite3_reset(ins);
			if (src != SQLITE_DONE)
				tw.st = irc =
					avow_store_err(log, src, "appending",
						       err ? &ierr : NULL);
			else
				irc = tw.st; /* (its nodes, stored above) */
		}
		/* a stored record is read back from the log when needed */
		if (irc == AVOW_OK && i >= KEEP)
			avow_buf_free(&b.slots[i - KEEP].buf);
	}
	if (rc == AVOW_OK && i < n)
		stop_at(&pl, i); /* (make or sign failed at i) */
	if (thread)
		pthread_join(sign_t, NULL);
	avow_state_tree_nodes(st, NULL, NULL);
	if (rc == AVOW_OK && pl.sign_rc != AVOW_OK) {
		rc = pl.sign_rc;
		if (err != NULL)
			*err = pl.sign_err;
	} else if (rc == AVOW_OK && pl.make_rc != AVOW_OK) {
		rc = pl.make_rc;
		if (err != NULL)
			*err = pl.make_err;
	} else if (rc == AVOW_OK && irc != AVOW_OK) {
		rc = irc;
		if (err != NULL)
			*err = ierr;
	} else if (rc == AVOW_OK && i < n) {
		rc = avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	if (saved && avow_state_lazy_failed(st))
		rc = chunk_unreadable(log, err);
	if (rc != AVOW_OK) {
		rollback(log, rc);
		goto out;
	}
	/* A large append's checkpoint (copying the WAL into the log file)
	 * runs on a thread beside the saving of the state below, rather than
	 * in the commit or at the close. For a small one the thread costs
	 * more than it saves: two syncs at once were slower than one after
	 * the other. */
	ckpt = n >= CKPT_THREAD_MIN && sqlite3_threadsafe() != 0;
	if (ckpt)
		sqlite3_wal_autocheckpoint(log->db, 0);
	src = sqlite3_exec(log->db, "COMMIT", NULL, NULL, NULL);
	if (ckpt &&
	    (src != SQLITE_OK ||
	     pthread_create(&ckpt_t, NULL, checkpoint, log->path) != 0)) {
		ckpt = 0;
		sqlite3_wal_autocheckpoint(log->db, AUTO_CHECKPOINT);
	}
	if (src != SQLITE_OK) {
		rc = rollback(log, avow_store_err(log, src, "appending", err));
		goto out;
	}
	if (first_seq != NULL)
		*first_seq = b.base;
	/* The records are in; a state that cannot be saved is only slower
	 * next time. */
	saved = saved && !avow_indexer_failed(ix);
	avow_indexer_close(ix); /* its statements go before the file */
	ix = NULL;
	saved = avow_saved_close(log, sdb, saved ? st : NULL, NULL) ==
			AVOW_OK &&
		saved;
	sdb = NULL;
	if (log->saved_path == NULL || (saved && !avow_state_partial(st))) {
		/* Keep the state for the next append through this handle (with
		 * a saved state: as saved, trusted_size records, and whole:
		 * the file it was read from lazily is closed). */
		avow_state_set_fetch(st, avow_saved_fetch, log);
		avow_state_observe(st, NULL, NULL);
		if (log->saved_path == NULL) {
			log->trusted_size = avow_state_count(st);
			avow_frontier_root(avow_state_frontier(st),
					   log->trusted_root);
		}
		log->cache = st;
		st = NULL;
	}
out:
	if (ckpt) {
		pthread_join(ckpt_t, NULL);
		sqlite3_wal_autocheckpoint(log->db, AUTO_CHECKPOINT);
	}
	avow_indexer_close(ix);
	avow_saved_close(log, sdb, NULL, NULL);
	sqlite3_finalize(ins);
	avow_state_free(st);
	for (i = 0; i < n; i++)
		avow_buf_free(&b.slots[i].buf);
	free(b.slots);
	avow_buf_free(&pl.mid);
	avow_buf_free(&pl.sigs);
	avow_buf_free(&pl.scratch);
	cJSON_Delete(pl.num);
	return rc;
}

avow_status avow_log_append(avow_log *log, const avow_key *key,
			    const avow_draft *drafts, size_t n, int64_t now,
			    uint64_t *first_seq, avow_error *err)
{
	return append(log, key, drafts, n, now, 0, first_seq, err);
}

avow_status avow_log_init(avow_log *log, const avow_key *key,
			  const char *origin, const char *holder,
			  const char *description, int64_t now, avow_error *err)
{
	cJSON *d = cJSON_CreateObject(), *b;
	avow_draft draft;
	avow_status rc;
	char *text;

	b = cJSON_AddObjectToObject(d, "body");
	if (d == NULL || b == NULL ||
	    !cJSON_AddStringToObject(d, "type", "genesis") ||
	    !cJSON_AddStringToObject(b, "origin", origin) ||
	    !cJSON_AddStringToObject(b, "key", avow_key_verifier(key)) ||
	    !cJSON_AddStringToObject(b, "holder", holder) ||
	    (description != NULL &&
	     !cJSON_AddStringToObject(b, "description", description))) {
		cJSON_Delete(d);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	text = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	if (text == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	draft.json = text;
	draft.len = strlen(text);
	draft.label = "genesis";
	draft.line = 0;
	rc = append(log, key, &draft, 1, now, 1, NULL, err);
	cJSON_free(text);
	return rc;
}
