/*
 * state.c - the audit state machine: every rule of SPEC sections 2 to 5
 * for one record, checked against the records before it.
 */
#include "state.h"

#include "keyutil.h"
#include "map.h"
#include "syntax.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RECORD (1u << 20)
#define MAX_TEXT   65536
#define MAX_STRING 4096
#define MAX_ITEMS  64
#define NONE	   UINT64_MAX

static const char *const type_names[AVOW_T_COUNT] = {
	NULL, "genesis", "key", "actor", "claim", "response", "amend",
};

const char *avow_type_name(int type)
{
	if (type <= 0 || type >= AVOW_T_COUNT)
		return "unknown";
	return type_names[type];
}

int avow_type_parse(const char *s)
{
	for (int t = 1; t < AVOW_T_COUNT; t++)
		if (strcmp(s, type_names[t]) == 0)
			return t;
	return AVOW_T_NONE;
}

struct key {
	char *id;
	char *vkey;
	char *holder;
	char *note;
	uint8_t pk[32];
	int admin;
	uint64_t added;
	uint64_t revoked;
	uint64_t records;
	int64_t first, last;
};

struct actor {
	char *id;
	uint64_t seq;	/* latest declaration */
	size_t part_of; /* index into actors, or SIZE_MAX */
};

struct rec {
	uint8_t type;	     /* AVOW_T_NONE when the record failed */
	uint32_t first_resp; /* seq+1 of the first response to it, or 0 */
	uint32_t next_sib;   /* seq+1 of the next response to its target */
};

enum {
	W_SAID_LATE = 1,
	W_PUBLISHED_LATE = 2,
	W_RETRIEVED_LATE = 4,
	W_BEFORE_TARGET = 8,
};

struct avow_state {
	avow_fetch_fn fetch;
	void *fetch_ctx;
	avow_observer_fn observe;
	void *observe_ctx;
	avow_node_fn nodes; /* avow_state_tree_nodes */
	void *nodes_ctx;

	uint64_t n; /* records fed */
	uint8_t last_leaf[32];
	int64_t last_time; /* of the last accepted record, -1 if none */
	char *origin;
	avow_frontier tree;

	struct rec *recs;
	size_t recs_cap;
	uint64_t type_count[AVOW_T_COUNT];
	/* Saving in chunks: records before clean_n are as saved, but for
	 * the chunks marked in dirty (one byte a chunk). */
	uint64_t clean_n;
	uint8_t *dirty;
	size_t dirty_cap;
	/* A state loaded lazily (avow_state_lazy): lazy[c] is 1 while chunk
	 * c of the lazy_n saved ones is still to be read through chunk_fn;
	 * lazy[lazy_n] is 1 once one could not be. A read of a record's part
	 * reads its chunk first (need()). */
	uint8_t *lazy;
	uint64_t lazy_n, lazy_recs; /* chunks and records when loaded */
	avow_chunk_fn chunk_fn;
	void *chunk_ctx;

	struct key *keys;
	size_t nkeys, keys_cap;
	avow_map key_by_id;
	avow_map key_by_pk;

	struct actor *actors;
	size_t nactors, actors_cap;
	avow_map actor_by_id;

	avow_map amended;  /* seq -> cJSON * body as amended */
	avow_map retracts; /* seq -> responses with stance retracts to it */
	avow_map warn;	   /* seq -> W_* bits */

	avow_buf msg;	/* the signed message of the record at hand */
	avow_buf canon; /* canonical form scratch */
	avow_buf fbuf;	/* fetch scratch */
};

/* A value of the map amended, which holds cJSON pointers. */
static cJSON *amended_body(uint64_t v)
{
	return (cJSON *)(uintptr_t)v; // NOLINT(performance-no-int-to-ptr)
}

/* --------------------------------------------------------------------- */
/* Validation context and failures                                       */

typedef struct {
	avow_state *st;
	uint64_t seq;
	int64_t time;
	avow_failure *f;
	int nomem;
	const avow_feed_hint *hint; /* work done ahead, or NULL */
} vctx;

AVOW_PRINTF(3, 4)
static int bad(vctx *v, const char *check, const char *fmt, ...)
{
	va_list ap;

	if (v->f == NULL)
		return 0;
	v->f->seq = v->seq;
	v->f->check = check;
	va_start(ap, fmt);
	vsnprintf(v->f->detail, sizeof v->f->detail, fmt, ap);
	va_end(ap);
	return 0;
}

static int oom(vctx *v)
{
	v->nomem = 1;
	return bad(v, "memory", "out of memory");
}

/* strcmp(a, b) == 0, sooner: the rules look member names up all the time
 * (a few hundred comparisons a record), and names mostly differ in their
 * first byte. */
static inline int same(const char *a, const char *b)
{
	return a[0] == b[0] && strcmp(a, b) == 0;
}

/* snprintf(p, n, "%s.%s", a, b) (n > 0), without the format engine: the
 * rules name a member path for a possible message a dozen times a
 * record. */
static void join(char *p, size_t n, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), o;

	o = la < n - 1 ? la : n - 1;
	memcpy(p, a, o);
	if (o < n - 1)
		p[o++] = '.';
	if (lb > n - 1 - o)
		lb = n - 1 - o;
	memcpy(p + o, b, lb);
	p[o + lb] = 0;
}

/* A short, printable excerpt of a string for messages. */
static const char *excerpt(const char *s, char buf[48])
{
	size_t i = 0, o = 0;

	for (; s[i] != 0 && o < 40; i++)
		buf[o++] = (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?';
	if (s[i] != 0) {
		buf[o++] = '.';
		buf[o++] = '.';
		buf[o++] = '.';
	}
	buf[o] = 0;
	return buf;
}

/* --------------------------------------------------------------------- */
/* Life cycle                                                            */

avow_state *avow_state_new(avow_fetch_fn fetch, void *ctx)
{
	avow_state *st = calloc(1, sizeof *st);

	if (st == NULL)
		return NULL;
	st->fetch = fetch;
	st->fetch_ctx = ctx;
	st->last_time = -1;
	avow_frontier_init(&st->tree);
	avow_map_init(&st->key_by_id);
	avow_map_init(&st->key_by_pk);
	avow_map_init(&st->actor_by_id);
	avow_map_init(&st->amended);
	avow_map_init(&st->retracts);
	avow_map_init(&st->warn);
	avow_buf_init(&st->msg);
	avow_buf_init(&st->canon);
	avow_buf_init(&st->fbuf);
	return st;
}

void avow_state_free(avow_state *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->nkeys; i++) {
		free(st->keys[i].id);
		free(st->keys[i].vkey);
		free(st->keys[i].holder);
		free(st->keys[i].note);
	}
	free(st->keys);
	for (size_t i = 0; i < st->nactors; i++)
		free(st->actors[i].id);
	free(st->actors);
	for (size_t i = 0; i < st->amended.cap; i++) {
		const void *k;
		size_t kl;
		uint64_t val;
		if (avow_map_at(&st->amended, i, &k, &kl, &val))
			cJSON_Delete(amended_body(val));
	}
	free(st->dirty);
	free(st->lazy);
	avow_map_free(&st->amended);
	avow_map_free(&st->key_by_id);
	avow_map_free(&st->key_by_pk);
	avow_map_free(&st->actor_by_id);
	avow_map_free(&st->retracts);
	avow_map_free(&st->warn);
	avow_buf_free(&st->msg);
	avow_buf_free(&st->canon);
	avow_buf_free(&st->fbuf);
	free(st->recs);
	free(st->origin);
	free(st);
}

void avow_state_observe(avow_state *st, avow_observer_fn fn, void *ctx)
{
	st->observe = fn;
	st->observe_ctx = ctx;
}

void avow_state_tree_nodes(avow_state *st, avow_node_fn fn, void *ctx)
{
	st->nodes = fn;
	st->nodes_ctx = ctx;
}

void avow_state_set_fetch(avow_state *st, avow_fetch_fn fetch, void *ctx)
{
	st->fetch = fetch;
	st->fetch_ctx = ctx;
}

uint64_t avow_state_count(const avow_state *st)
{
	return st->n;
}

const char *avow_state_origin(const avow_state *st)
{
	return st->origin;
}

const uint8_t *avow_state_last_leaf(const avow_state *st)
{
	return st->n ? st->last_leaf : NULL;
}

int64_t avow_state_last_time(const avow_state *st)
{
	return st->last_time;
}

const avow_frontier *avow_state_frontier(const avow_state *st)
{
	return &st->tree;
}

uint64_t avow_state_type_count(const avow_state *st, int type)
{
	return type > 0 && type < AVOW_T_COUNT ? st->type_count[type] : 0;
}

static int decode_chunk(const avow_state *st, uint64_t n, uint64_t c,
			const uint8_t *p, size_t len);

/* Read chunk c of a lazily loaded state. The state is const to its
 * readers; what changes here is behind its pointers (recs, lazy). */
static void lazy_load(const avow_state *st, uint64_t c)
{
	const uint8_t *p = NULL;
	size_t len = 0;

	st->lazy[c] = 0;
	if (st->chunk_fn == NULL ||
	    st->chunk_fn(st->chunk_ctx, c, &p, &len) != 0 ||
	    decode_chunk(st, st->lazy_recs, c, p, len) < 0)
		st->lazy[st->lazy_n] = 1;
}

/* Make record seq's part of st readable. */
static inline void need(const avow_state *st, uint64_t seq)
{
	uint64_t c = seq / AVOW_STATE_CHUNK;

	if (st->lazy != NULL && c < st->lazy_n && st->lazy[c])
		lazy_load(st, c);
}

int avow_state_type_of(const avow_state *st, uint64_t seq)
{
	if (seq >= st->n)
		return AVOW_T_NONE;
	need(st, seq);
	return st->recs[seq].type;
}

/* The responses to statement seq, as a list: the first, and the next
 * after response r - 1 (seq + 1 numbering; 0 ends it). */
static uint32_t first_resp_of(const avow_state *st, uint64_t seq)
{
	need(st, seq);
	return st->recs[seq].first_resp;
}

static uint32_t next_sib_of(const avow_state *st, uint64_t seq)
{
	need(st, seq);
	return st->recs[seq].next_sib;
}

/* Chunk c of the per-record array changed since it was saved. */
static int mark_dirty(avow_state *st, uint64_t c)
{
	if (c >= st->dirty_cap) {
		size_t cap = (size_t)c + 64;
		uint8_t *d = realloc(st->dirty, cap);
		if (d == NULL)
			return -1;
		memset(d + st->dirty_cap, 0, cap - st->dirty_cap);
		st->dirty = d;
		st->dirty_cap = cap;
	}
	st->dirty[c] = 1;
	return 0;
}

/* Grow the per-record array so that index n exists. */
static int recs_reserve(avow_state *st, uint64_t n)
{
	if (n >= UINT32_MAX - 1)
		return -1;
	if (n >= st->recs_cap) {
		size_t cap = st->recs_cap ? st->recs_cap * 2 : 1024;
		struct rec *r = realloc(st->recs, cap * sizeof *r);
		if (r == NULL)
			return -1;
		st->recs = r;
		st->recs_cap = cap;
	}
	memset(&st->recs[n], 0, sizeof st->recs[n]);
	return 0;
}

/* --------------------------------------------------------------------- */
/* Keys and actors                                                       */

static struct key *key_find(const avow_state *st, const char *id)
{
	uint64_t *i = avow_map_get(&st->key_by_id, id, strlen(id));
	return i ? &st->keys[*i] : NULL;
}

/* Authorised for entry seq: added before it (or the genesis key), and not
 * revoked before it. */
static int key_ok(const struct key *k, uint64_t seq)
{
	int added = k->added == 0 ? 1 : k->added < seq;
	return added && (k->revoked == NONE || k->revoked >= seq);
}

int avow_state_key_authorised(const avow_state *st, const char *id,
			      uint64_t seq, int *admin)
{
	const struct key *k = key_find(st, id);
	if (k == NULL || !key_ok(k, seq))
		return 0;
	if (admin != NULL)
		*admin = k->admin;
	return 1;
}

size_t avow_state_admin_count(const avow_state *st)
{
	size_t c = 0;
	for (size_t i = 0; i < st->nkeys; i++)
		if (st->keys[i].admin && key_ok(&st->keys[i], st->n))
			c++;
	return c;
}

size_t avow_state_key_count(const avow_state *st)
{
	return st->nkeys;
}

void avow_state_key_at(const avow_state *st, size_t i, avow_key_summary *out)
{
	const struct key *k = &st->keys[i];
	out->id = k->id;
	out->verifier = k->vkey;
	out->holder = k->holder;
	out->note = k->note;
	out->admin = k->admin;
	out->added = k->added;
	out->revoked = k->revoked;
	out->records = k->records;
	out->first = k->first;
	out->last = k->last;
}

static int key_add(avow_state *st, const avow_verifier *vk, const char *vkey,
		   const char *holder, const char *note, int admin,
		   uint64_t seq)
{
	struct key *k;

	if (st->nkeys == st->keys_cap) {
		size_t cap = st->keys_cap ? st->keys_cap * 2 : 8;
		struct key *nk = realloc(st->keys, cap * sizeof *nk);
		if (nk == NULL)
			return -1;
		st->keys = nk;
		st->keys_cap = cap;
	}
	k = &st->keys[st->nkeys];
	memset(k, 0, sizeof *k);
	k->id = avow_strdup(vk->id);
	k->vkey = avow_strdup(vkey);
	k->holder = avow_strdup(holder);
	k->note = avow_strdup(note);
	memcpy(k->pk, vk->pk, 32);
	k->admin = admin;
	k->added = seq;
	k->revoked = NONE;
	k->first = k->last = -1;
	if (k->id == NULL || k->vkey == NULL || k->holder == NULL ||
	    (note != NULL && k->note == NULL) ||
	    avow_map_put(&st->key_by_id, k->id, strlen(k->id), st->nkeys) < 0 ||
	    avow_map_put(&st->key_by_pk, k->pk, 32, st->nkeys) < 0) {
		free(k->id);
		free(k->vkey);
		free(k->holder);
		free(k->note);
		avow_map_del(&st->key_by_id, vk->id, strlen(vk->id));
		return -1;
	}
	st->nkeys++;
	return 0;
}

static struct actor *actor_find(const avow_state *st, const char *id,
				size_t *idx)
{
	uint64_t *i = avow_map_get(&st->actor_by_id, id, strlen(id));
	if (i == NULL)
		return NULL;
	if (idx != NULL)
		*idx = (size_t)*i;
	return &st->actors[*i];
}

int avow_state_actor(const avow_state *st, const char *id, uint64_t *seq)
{
	const struct actor *a = actor_find(st, id, NULL);
	if (a == NULL)
		return 0;
	if (seq != NULL)
		*seq = a->seq;
	return 1;
}

/* --------------------------------------------------------------------- */
/* Reading earlier records                                               */

static const char entry_prefix[] = "avow/v1/entry\n";

/* Whether rec[*at..) starts with the n bytes p. Advances *at past them,
 * or to the first byte that differs. */
static int take(const uint8_t *rec, size_t len, size_t *at, const void *p,
		size_t n)
{
	const uint8_t *q = p;
	size_t i = 0;

	while (i < n && *at < len && rec[*at] == q[i]) {
		i++;
		(*at)++;
	}
	return i == n;
}

/* The fast path of avow_record_parse, for a record already in canonical
 * form of the plain kind (avow_json_canonical_span): every check of the
 * full path passes then, and the signed message is the prefix and the
 * bytes of the entry as they are. NULL when it does not apply, or out of
 * memory: the full path then finds out what is wrong (or that nothing
 * is), and says it in its own words. */
static cJSON *parse_canonical(const uint8_t *rec, size_t len,
			      const cJSON **entry, avow_buf *msg)
{
	static const char head[] = "{\"entry\":", mid[] = ",\"sigs\":";
	size_t at = sizeof head - 1, elen, slen;
	const cJSON *e, *s;
	cJSON *root;

	/* Depth 1: these are values inside the record's object. */
	if (len <= at || memcmp(rec, head, at) != 0 || rec[at] != '{' ||
	    (elen = avow_json_canonical_span(rec + at, len - at, 1)) == 0)
		return NULL;
	at += elen;
	if (len - at < sizeof mid - 1 ||
	    memcmp(rec + at, mid, sizeof mid - 1) != 0)
		return NULL;
	at += sizeof mid - 1;
	slen = avow_json_canonical_span(rec + at, len - at, 1);
	if (slen == 0 || len - at - slen != 1 || rec[len - 1] != '}')
		return NULL;
	root = avow_json_parse_checked((const char *)rec, len);
	if (root == NULL)
		return NULL;
	e = cJSON_GetObjectItemCaseSensitive(root, "entry");
	s = cJSON_GetObjectItemCaseSensitive(root, "sigs");
	avow_buf_reset(msg);
	avow_buf_adds(msg, entry_prefix);
	avow_buf_add(msg, rec + sizeof head - 1, elen);
	if (!cJSON_IsObject(root) || !cJSON_IsObject(e) || s == NULL ||
	    cJSON_GetArraySize(root) != 2 || msg->oom) {
		cJSON_Delete(root);
		return NULL;
	}
	*entry = e;
	return root;
}

cJSON *avow_record_parse(const uint8_t *rec, size_t len, const cJSON **entry,
			 avow_buf *msg, avow_buf *scratch, avow_failure *f)
{
	vctx v = {NULL, f ? f->seq : 0, 0, f, 0, NULL};
	avow_error err;
	cJSON *root;
	const cJSON *e, *s;
	size_t at = 0;

	if (len > MAX_RECORD)
		return bad(&v, "json", "record is %zu bytes, more than 1 MiB",
			   len),
		       NULL;
	root = parse_canonical(rec, len, entry, msg);
	if (root != NULL)
		return root;
	if (!avow_utf8_valid(rec, len))
		return bad(&v, "json", "record is not valid UTF-8"), NULL;
	root = avow_json_parse((const char *)rec, len, AVOW_JSON_AVOW_STRINGS,
			       &err);
	if (root == NULL)
		return bad(&v, err.code == AVOW_ERR_NOMEM ? "memory" : "json",
			   "%s", err.msg),
		       NULL;
	e = cJSON_GetObjectItemCaseSensitive(root, "entry");
	s = cJSON_GetObjectItemCaseSensitive(root, "sigs");
	if (!cJSON_IsObject(root) || !cJSON_IsObject(e) || s == NULL ||
	    cJSON_GetArraySize(root) != 2) {
		cJSON_Delete(root);
		return bad(&v, "members",
			   "a record is an object of exactly \"entry\" (an "
			   "object) and \"sigs\""),
		       NULL;
	}
	/* The canonical record is {"entry":E,"sigs":S}, and the signed
	 * message is the prefix and E: serialise E once for both. */
	avow_buf_reset(msg);
	avow_buf_adds(msg, entry_prefix);
	avow_json_canon(msg, e);
	avow_buf_reset(scratch);
	avow_json_canon(scratch, s);
	if (msg->oom || scratch->oom) {
		cJSON_Delete(root);
		return bad(&v, "memory", "out of memory"), NULL;
	}
	if (!take(rec, len, &at, "{\"entry\":", 9) ||
	    !take(rec, len, &at, msg->p + sizeof entry_prefix - 1,
		  msg->len - (sizeof entry_prefix - 1)) ||
	    !take(rec, len, &at, ",\"sigs\":", 8) ||
	    !take(rec, len, &at, scratch->p, scratch->len) ||
	    !take(rec, len, &at, "}", 1) || at != len) {
		cJSON_Delete(root);
		return bad(&v, "canonical",
			   "record is not in canonical form (RFC 8785): "
			   "first difference at byte %zu",
			   at),
		       NULL;
	}
	*entry = e;
	return root;
}

/* Load accepted record seq (already audited) and return its tree. */
static cJSON *load(avow_state *st, uint64_t seq, const cJSON **entry,
		   avow_error *err)
{
	cJSON *root;

	if (st->fetch == NULL)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "no way to read record %llu",
				   (unsigned long long)seq),
		       NULL;
	if (st->fetch(st->fetch_ctx, seq, &st->fbuf, err) != AVOW_OK)
		return NULL;
	/* Audited records are canonical: mostly of the kind the fast path
	 * knows, whose tree is the one the full parse gives. */
	root = st->fbuf.len > 0 && avow_json_canonical_span(st->fbuf.p,
							    st->fbuf.len,
							    0) == st->fbuf.len
		       ? avow_json_parse_checked((const char *)st->fbuf.p,
						 st->fbuf.len)
		       : NULL;
	if (root == NULL)
		root = avow_json_parse((const char *)st->fbuf.p, st->fbuf.len,
				       AVOW_JSON_AVOW_STRINGS, err);
	if (root == NULL)
		return avow_errprefix(err, err->code,
				      "record %llu: ", (unsigned long long)seq),
		       NULL;
	*entry = cJSON_GetObjectItemCaseSensitive(root, "entry");
	if (!cJSON_IsObject(*entry)) {
		cJSON_Delete(root);
		avow_seterr(err, AVOW_ERR_CORRUPT,
			    "record %llu changed since it was audited",
			    (unsigned long long)seq);
		return NULL;
	}
	return root;
}

cJSON *avow_state_body(avow_state *st, uint64_t seq, avow_error *err)
{
	uint64_t *p = avow_map_geti(&st->amended, seq);
	const cJSON *entry;
	cJSON *root, *body;

	if (p != NULL) {
		body = cJSON_Duplicate(amended_body(*p), 1);
		if (body == NULL)
			avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
		return body;
	}
	root = load(st, seq, &entry, err);
	if (root == NULL)
		return NULL;
	body = cJSON_DetachItemFromObjectCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "entry"), "body");
	cJSON_Delete(root);
	if (body == NULL)
		avow_seterr(err, AVOW_ERR_CORRUPT, "record %llu has no body",
			    (unsigned long long)seq);
	return body;
}

/* The time of accepted record seq. */
static int64_t entry_time(avow_state *st, uint64_t seq, avow_error *err)
{
	const cJSON *entry;
	cJSON *root = load(st, seq, &entry, err);
	const cJSON *t;
	int64_t v = -1;

	if (root == NULL)
		return -1;
	t = cJSON_GetObjectItemCaseSensitive(entry, "time");
	if (!cJSON_IsString(t) ||
	    !avow_parse_time(t->valuestring, strlen(t->valuestring), &v))
		v = -1;
	cJSON_Delete(root);
	if (v == -1)
		avow_seterr(err, AVOW_ERR_CORRUPT, "record %llu has no time",
			    (unsigned long long)seq);
	return v;
}

/* --------------------------------------------------------------------- */
/* Member checks                                                         */

enum {
	S_FREE = 1, /* free text: tab and line feed allowed */
	S_LONG = 2, /* up to 65,536 bytes */
};

static int vstr(vctx *v, const cJSON *n, const char *path, unsigned kind)
{
	size_t len, max = (kind & S_LONG) ? MAX_TEXT : MAX_STRING;
	const char *s;

	if (!cJSON_IsString(n))
		return bad(v, "body", "%s: not a string", path);
	s = n->valuestring;
	len = strlen(s);
	if (len == 0)
		return bad(v, "body", "%s: empty string", path);
	if (len > max)
		return bad(v, "body", "%s: %zu bytes, more than %zu", path, len,
			   max);
	if (!(kind & S_FREE) && strpbrk(s, "\t\n") != NULL)
		return bad(v, "body", "%s: %s in a one-line string", path,
			   strchr(s, '\n') ? "line feed" : "tab");
	return 1;
}

static int vbool(vctx *v, const cJSON *n, const char *path)
{
	if (!cJSON_IsBool(n))
		return bad(v, "body", "%s: not true or false", path);
	return 1;
}

static int vident(vctx *v, const cJSON *n, const char *path)
{
	char ex[48];
	if (!vstr(v, n, path, 0))
		return 0;
	if (!avow_is_identifier(n->valuestring, strlen(n->valuestring)))
		return bad(v, "body",
			   "%s: \"%s\" is not an identifier "
			   "([a-z0-9][a-z0-9._-]{0,63})",
			   path, excerpt(n->valuestring, ex));
	return 1;
}

static int vactor(vctx *v, const cJSON *n, const char *path)
{
	if (!vident(v, n, path))
		return 0;
	if (actor_find(v->st, n->valuestring, NULL) == NULL)
		return bad(v, "body",
			   "%s: actor \"%s\" is not declared by an earlier "
			   "entry",
			   path, n->valuestring);
	return 1;
}

static int vpdate(vctx *v, const cJSON *n, const char *path, avow_span *out)
{
	char ex[48];
	if (!vstr(v, n, path, 0))
		return 0;
	if (!avow_parse_pdate(n->valuestring, strlen(n->valuestring), out))
		return bad(v, "body",
			   "%s: \"%s\" is not a date (YYYY, "
			   "YYYY-MM, YYYY-MM-DD or "
			   "YYYY-MM-DDTHH:MM:SSZ)",
			   path, excerpt(n->valuestring, ex));
	return 1;
}

static int vtime(vctx *v, const cJSON *n, const char *path, int64_t *out)
{
	char ex[48];
	if (!vstr(v, n, path, 0))
		return 0;
	if (!avow_parse_time(n->valuestring, strlen(n->valuestring), out))
		return bad(v, "body",
			   "%s: \"%s\" is not a time (YYYY-MM-DDTHH:MM:SSZ)",
			   path, excerpt(n->valuestring, ex));
	return 1;
}

typedef int (*item_fn)(vctx *v, const cJSON *n, const char *path);

static int vstr1(vctx *v, const cJSON *n, const char *path)
{
	return vstr(v, n, path, 0);
}

/* An optional array: 1..64 items, each valid, none twice. */
static int varray(vctx *v, const cJSON *n, const char *path, item_fn item)
{
	char p[96];
	int count = 0;

	if (!cJSON_IsArray(n))
		return bad(v, "body", "%s: not an array", path);
	for (const cJSON *c = n->child; c != NULL; c = c->next) {
		snprintf(p, sizeof p, "%s[%d]", path, count);
		if (++count > MAX_ITEMS)
			return bad(v, "body", "%s: more than %d items", path,
				   MAX_ITEMS);
		if (!item(v, c, p))
			return 0;
		for (const cJSON *d = n->child; d != c; d = d->next)
			if (strcmp(d->valuestring, c->valuestring) == 0)
				return bad(v, "body",
					   "%s: \"%s\" appears twice", path,
					   c->valuestring);
	}
	if (count == 0)
		return bad(v, "body", "%s: an empty array (leave it out)",
			   path);
	return 1;
}

static int in_array(const cJSON *arr, const char *s)
{
	if (arr == NULL)
		return 0;
	for (const cJSON *c = arr->child; c != NULL; c = c->next)
		if (cJSON_IsString(c) && strcmp(c->valuestring, s) == 0)
			return 1;
	return 0;
}

/* cJSON_GetObjectItemCaseSensitive, with same() for strcmp: the first
 * member of that name, or NULL (also past a member with no name). */
static const cJSON *get(const cJSON *o, const char *name)
{
	if (o == NULL || name == NULL)
		return NULL;
	for (const cJSON *c = o->child; c != NULL && c->string != NULL;
	     c = c->next)
		if (same(c->string, name))
			return c;
	return NULL;
}

/* Only the named members, the required ones present. `names` is a list
 * of "name" (optional) or "!name" (required). */
static int vmembers(vctx *v, const cJSON *obj, const char *path,
		    const char *const *names)
{
	for (const cJSON *c = obj->child; c != NULL; c = c->next) {
		int known = 0;
		for (const char *const *n = names; *n != NULL && !known; n++)
			known = same(c->string, **n == '!' ? *n + 1 : *n);
		if (!known) {
			char ex[48];
			return bad(v, "body", "%s: unknown member \"%s\"", path,
				   excerpt(c->string, ex));
		}
	}
	for (const char *const *n = names; *n != NULL; n++)
		if (**n == '!' && get(obj, *n + 1) == NULL)
			return bad(v, "body", "%s: missing member \"%s\"", path,
				   *n + 1);
	return 1;
}

static int vb64(vctx *v, const cJSON *n, const char *path, uint8_t *out,
		size_t want, const char *check)
{
	uint8_t tmp[64];
	if (!cJSON_IsString(n))
		return bad(v, check, "%s: not a string", path);
	if (!avow_b64_decode_exact(out ? out : tmp, want, n->valuestring,
				   strlen(n->valuestring)))
		return bad(v, check,
			   "%s: not the canonical base64 of %zu bytes", path,
			   want);
	return 1;
}

/* A target: {"seq": n, "hash": leaf hash of record n}, n < this seq, of
 * an accepted record. Sets *tseq. */
static int vtarget(vctx *v, const cJSON *n, const char *path, uint64_t *tseq)
{
	static const char *const names[] = {"!seq", "!hash", NULL};
	char p[64];
	uint8_t want[32], got[32];
	avow_error err;
	int64_t s;

	if (!cJSON_IsObject(n))
		return bad(v, "body", "%s: not an object", path);
	if (!vmembers(v, n, path, names))
		return 0;
	s = avow_json_int(get(n, "seq"));
	if (s < 0)
		return bad(v, "body", "%s.seq: not a non-negative integer",
			   path);
	if ((uint64_t)s >= v->seq)
		return bad(v, "body", "%s.seq: %lld is not an earlier record",
			   path, (long long)s);
	join(p, sizeof p, path, "hash");
	if (!vb64(v, get(n, "hash"), p, want, 32, "body"))
		return 0;
	if (avow_state_type_of(v->st, s) == AVOW_T_NONE)
		return bad(v, "body", "%s: record %lld failed its audit", path,
			   (long long)s);
	if (v->st->fetch == NULL || v->st->fetch(v->st->fetch_ctx, (uint64_t)s,
						 &v->st->fbuf, &err) != AVOW_OK)
		return bad(v, "body", "%s: record %lld cannot be read", path,
			   (long long)s);
	avow_leaf_hash(got, v->st->fbuf.p, v->st->fbuf.len);
	if (sodium_memcmp(want, got, 32) != 0)
		return bad(v, "body",
			   "%s.hash: not the leaf hash of record %lld", path,
			   (long long)s);
	*tseq = (uint64_t)s;
	return 1;
}

static int vsource(vctx *v, const cJSON *n, const char *path)
{
	static const char *const names[] = {
		"url",	     "title",  "publisher", "published",
		"retrieved", "sha256", NULL};
	char p[64];
	const cJSON *m;
	avow_span span;
	int64_t t;

	if (!cJSON_IsObject(n))
		return bad(v, "body", "%s: not an object", path);
	if (!vmembers(v, n, path, names))
		return 0;
	if (get(n, "url") == NULL && get(n, "title") == NULL)
		return bad(v, "body", "%s: needs a url or a title", path);
	if ((m = get(n, "url")) != NULL) {
		char ex[48];
		join(p, sizeof p, path, "url");
		if (!vstr(v, m, p, 0))
			return 0;
		if (!avow_is_url(m->valuestring, strlen(m->valuestring)))
			return bad(v, "body",
				   "%s: \"%s\" is not a URL (RFC 3986)", p,
				   excerpt(m->valuestring, ex));
	}
	join(p, sizeof p, path, "title");
	if ((m = get(n, "title")) != NULL && !vstr(v, m, p, 0))
		return 0;
	join(p, sizeof p, path, "publisher");
	if ((m = get(n, "publisher")) != NULL && !vstr(v, m, p, 0))
		return 0;
	join(p, sizeof p, path, "published");
	if ((m = get(n, "published")) != NULL && !vpdate(v, m, p, &span))
		return 0;
	join(p, sizeof p, path, "retrieved");
	if ((m = get(n, "retrieved")) != NULL && !vtime(v, m, p, &t))
		return 0;
	join(p, sizeof p, path, "sha256");
	if ((m = get(n, "sha256")) != NULL && !vb64(v, m, p, NULL, 32, "body"))
		return 0;
	return 1;
}

static const char *const stances[] = {
	"denies",    "disputes",	 "supports", "retracts",
	"clarifies", "declines-comment", NULL};
static const char *const kinds[] = {
	"government",	"agency", "official", "person",
	"organization", "media",  "group",    NULL};

static int one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (same(s, *list))
			return 1;
	return 0;
}

static const char *const claim_members[] = {
	"!by",	      "with",	  "!text",    "!quote",	 "lang",
	"translated", "original", "!said_at", "!source", "via",
	"about",      "topics",	  NULL};
static const char *const response_members[] = {
	"!by",	      "with",	  "!text",    "!quote",	 "lang",
	"translated", "original", "!said_at", "!source", "via",
	"about",      "topics",	  "!target",  "!stance", NULL};
static const char *const actor_members[] = {
	"!id", "!name", "!kind", "aliases", "part_of", "description", NULL};

/* Whether the by and with of a statement body include actor id `who`. */
static int by_or_with(const cJSON *body, const char *who)
{
	const cJSON *by = get(body, "by");
	if (cJSON_IsString(by) && strcmp(by->valuestring, who) == 0)
		return 1;
	return in_array(get(body, "with"), who);
}

/* The members of a claim, and of a response (which adds target and
 * stance). For a response, *tseq receives the target. */
static int vstatement(vctx *v, const cJSON *b, const char *path, int type,
		      uint64_t *tseq)
{
	char p[64];
	const cJSON *by, *m, *with, *translated;
	avow_span span;

#define P(name) (join(p, sizeof p, path, name), p)
	if (!vmembers(v, b, path,
		      type == AVOW_T_CLAIM ? claim_members : response_members))
		return 0;
	by = get(b, "by");
	if (!vactor(v, by, P("by")))
		return 0;
	with = get(b, "with");
	if (with != NULL) {
		if (!varray(v, with, P("with"), vactor))
			return 0;
		if (in_array(with, by->valuestring))
			return bad(v, "body", "%s.with: contains by (\"%s\")",
				   path, by->valuestring);
	}
	if (!vstr(v, get(b, "text"), P("text"), S_FREE | S_LONG))
		return 0;
	if (!vbool(v, get(b, "quote"), P("quote")))
		return 0;
	if ((m = get(b, "lang")) != NULL) {
		char ex[48];
		if (!vstr(v, m, P("lang"), 0))
			return 0;
		if (!avow_is_lang_tag(m->valuestring, strlen(m->valuestring)))
			return bad(v, "body",
				   "%s: \"%s\" is not a language tag", p,
				   excerpt(m->valuestring, ex));
	}
	translated = get(b, "translated");
	if (translated != NULL && !cJSON_IsTrue(translated))
		return bad(v, "body", "%s.translated: present only as true",
			   path);
	if ((m = get(b, "original")) != NULL) {
		if (translated == NULL)
			return bad(v, "body",
				   "%s.original: present only where "
				   "translated is true",
				   path);
		if (!vstr(v, m, P("original"), S_FREE | S_LONG))
			return 0;
	}
	if (!vpdate(v, get(b, "said_at"), P("said_at"), &span))
		return 0;
	if (!vsource(v, get(b, "source"), P("source")))
		return 0;
	if ((m = get(b, "via")) != NULL) {
		if (!varray(v, m, P("via"), vactor))
			return 0;
		for (const cJSON *c = m->child; c != NULL; c = c->next)
			if (by_or_with(b, c->valuestring))
				return bad(v, "body",
					   "%s.via: contains \"%s\", who is "
					   "by or with",
					   path, c->valuestring);
	}
	if ((m = get(b, "about")) != NULL && !varray(v, m, P("about"), vactor))
		return 0;
	if ((m = get(b, "topics")) != NULL &&
	    !varray(v, m, P("topics"), vident))
		return 0;
	if (type == AVOW_T_RESPONSE) {
		const cJSON *stance = get(b, "stance");
		int tt;

		if (!vstr(v, stance, P("stance"), 0))
			return 0;
		if (!one_of(stance->valuestring, stances)) {
			char ex[48];
			return bad(v, "body",
				   "%s.stance: \"%s\" is not a stance "
				   "(denies, disputes, supports, retracts, "
				   "clarifies, declines-comment)",
				   path, excerpt(stance->valuestring, ex));
		}
		if (!vtarget(v, get(b, "target"), P("target"), tseq))
			return 0;
		tt = avow_state_type_of(v->st, *tseq);
		if (tt != AVOW_T_CLAIM && tt != AVOW_T_RESPONSE)
			return bad(v, "body",
				   "%s.target: record %llu is a %s, not a "
				   "claim or response",
				   path, (unsigned long long)*tseq,
				   avow_type_name(tt));
		if (strcmp(stance->valuestring, "retracts") == 0) {
			avow_error err;
			cJSON *tb = avow_state_body(v->st, *tseq, &err);
			int ok;
			if (tb == NULL)
				return err.code == AVOW_ERR_NOMEM
					       ? oom(v)
					       : bad(v, "body", "%s", err.msg);
			ok = by_or_with(tb, by->valuestring);
			cJSON_Delete(tb);
			if (!ok)
				return bad(v, "body",
					   "%s.stance: retracts, but \"%s\" "
					   "is not the by or a with of record "
					   "%llu",
					   path, by->valuestring,
					   (unsigned long long)*tseq);
		}
	}
	return 1;
#undef P
}

/* Would actor `self` (index, or SIZE_MAX for a new one) with part_of
 * `parent` (index) make a cycle? */
static int part_of_cycle(const avow_state *st, size_t self, size_t parent)
{
	size_t steps = 0;
	for (size_t p = parent; p != SIZE_MAX; p = st->actors[p].part_of) {
		if (p == self || ++steps > st->nactors)
			return 1;
	}
	return 0;
}

static int vactor_body(vctx *v, const cJSON *b, const char *path)
{
	char p[64];
	const cJSON *m, *id;
	size_t self = SIZE_MAX, parent = SIZE_MAX;

#define P(name) (join(p, sizeof p, path, name), p)
	if (!vmembers(v, b, path, actor_members))
		return 0;
	id = get(b, "id");
	if (!vident(v, id, P("id")))
		return 0;
	if (!vstr(v, get(b, "name"), P("name"), 0))
		return 0;
	m = get(b, "kind");
	if (!vstr(v, m, P("kind"), 0))
		return 0;
	if (!one_of(m->valuestring, kinds)) {
		char ex[48];
		return bad(v, "body",
			   "%s: \"%s\" is not an actor kind (government, "
			   "agency, official, person, organization, media, "
			   "group)",
			   p, excerpt(m->valuestring, ex));
	}
	if ((m = get(b, "aliases")) != NULL &&
	    !varray(v, m, P("aliases"), vstr1))
		return 0;
	if ((m = get(b, "description")) != NULL &&
	    !vstr(v, m, P("description"), S_FREE))
		return 0;
	if ((m = get(b, "part_of")) != NULL) {
		if (!vactor(v, m, P("part_of")))
			return 0;
		actor_find(v->st, id->valuestring, &self);
		actor_find(v->st, m->valuestring, &parent);
		if (strcmp(m->valuestring, id->valuestring) == 0 ||
		    part_of_cycle(v->st, self, parent))
			return bad(v, "body",
				   "%s.part_of: \"%s\" leads back to \"%s\"",
				   path, m->valuestring, id->valuestring);
	}
	return 1;
#undef P
}

/* --------------------------------------------------------------------- */
/* Entry types                                                           */

static int vgenesis(vctx *v, const cJSON *b, const char *signer,
		    avow_verifier *vk)
{
	static const char *const names[] = {"!origin", "!key", "!holder",
					    "description", NULL};
	const cJSON *o, *k, *m;
	avow_error err;
	char ex[48];

	if (v->seq != 0)
		return bad(v, "body",
			   "a genesis entry is allowed only at seq "
			   "0");
	if (!vmembers(v, b, "body", names))
		return 0;
	o = get(b, "origin");
	if (!vstr(v, o, "body.origin", 0))
		return 0;
	if (!avow_is_printable(o->valuestring, strlen(o->valuestring), 255,
			       NULL))
		return bad(v, "body",
			   "body.origin: \"%s\" is not 1 to 255 printable "
			   "ASCII characters without spaces",
			   excerpt(o->valuestring, ex));
	if (strncmp(o->valuestring, "avow/", 5) == 0)
		return bad(v, "body",
			   "body.origin: must not start with "
			   "\"avow/\"");
	k = get(b, "key");
	if (!vstr(v, k, "body.key", 0))
		return 0;
	if (avow_verifier_parse(vk, k->valuestring, strlen(k->valuestring),
				&err) != AVOW_OK)
		return bad(v, "body", "body.key: %s", err.msg);
	if (!vstr(v, get(b, "holder"), "body.holder", 0))
		return 0;
	if ((m = get(b, "description")) != NULL &&
	    !vstr(v, m, "body.description", S_FREE))
		return 0;
	if (strcmp(signer, vk->id) != 0)
		return bad(v, "key", "signer %s is not the genesis key %s",
			   signer, vk->id);
	return 1;
}

static int vkey_entry(vctx *v, const cJSON *b, avow_verifier *vk)
{
	static const char *const add_names[] = {
		"!action",     "!key", "!role", "!holder",
		"!possession", "note", NULL};
	static const char *const rev_names[] = {"!action", "!key_id", "!reason",
						NULL};
	const cJSON *a = get(b, "action"), *k, *r, *m, *pos;
	avow_error err;

	if (!cJSON_IsString(a) || (strcmp(a->valuestring, "add") != 0 &&
				   strcmp(a->valuestring, "revoke") != 0))
		return bad(v, "body",
			   "body.action: must be \"add\" or \"revoke\"");
	if (strcmp(a->valuestring, "revoke") == 0) {
		const struct key *rk;
		if (!vmembers(v, b, "body", rev_names))
			return 0;
		k = get(b, "key_id");
		if (!vstr(v, k, "body.key_id", 0))
			return 0;
		if (!vstr(v, get(b, "reason"), "body.reason", S_FREE))
			return 0;
		rk = key_find(v->st, k->valuestring);
		if (rk == NULL || !key_ok(rk, v->seq)) {
			char ex[48];
			return bad(v, "body",
				   "body.key_id: %s is not a key authorised "
				   "for this entry",
				   excerpt(k->valuestring, ex));
		}
		if (rk->admin && avow_state_admin_count(v->st) <= 1)
			return bad(v, "body",
				   "body.key_id: revoking %s would leave no "
				   "authorised admin key",
				   rk->id);
		return 1;
	}
	if (!vmembers(v, b, "body", add_names))
		return 0;
	k = get(b, "key");
	if (!vstr(v, k, "body.key", 0))
		return 0;
	if (avow_verifier_parse(vk, k->valuestring, strlen(k->valuestring),
				&err) != AVOW_OK)
		return bad(v, "body", "body.key: %s", err.msg);
	if (key_find(v->st, vk->id) != NULL)
		return bad(v, "body", "body.key: key id %s was added before",
			   vk->id);
	if (avow_map_get(&v->st->key_by_pk, vk->pk, 32) != NULL)
		return bad(v, "body",
			   "body.key: this public key was added before");
	r = get(b, "role");
	if (!cJSON_IsString(r) || (strcmp(r->valuestring, "admin") != 0 &&
				   strcmp(r->valuestring, "recorder") != 0))
		return bad(v, "body",
			   "body.role: must be \"admin\" or \"recorder\"");
	if (!vstr(v, get(b, "holder"), "body.holder", 0))
		return 0;
	if ((m = get(b, "note")) != NULL && !vstr(v, m, "body.note", S_FREE))
		return 0;
	pos = get(b, "possession");
	if (!vb64(v, pos, "body.possession", NULL, 64, "body"))
		return 0;
	if (avow_possession_verify(v->st->origin, k->valuestring,
				   strlen(k->valuestring), pos->valuestring,
				   strlen(pos->valuestring), &err) != AVOW_OK)
		return bad(v, "body",
			   "body.possession: not a valid proof of "
			   "possession of %s for origin %s",
			   vk->id, v->st->origin);
	return 1;
}

/* Members an amend may name, by target type. */
static int amendable(int type, const char *name)
{
	if (type == AVOW_T_ACTOR)
		return strcmp(name, "id") != 0 &&
		       one_of(name, actor_members + 1);
	if (strcmp(name, "target") == 0)
		return 0;
	for (const char *const *n = response_members; *n != NULL; n++) {
		const char *m = **n == '!' ? *n + 1 : *n;
		if (strcmp(m, name) == 0)
			return type == AVOW_T_RESPONSE ||
			       (strcmp(m, "stance") != 0);
	}
	return 0;
}

static int same_json(const cJSON *a, const cJSON *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return cJSON_Compare(a, b, 1);
}

/* Validate an amend; on success *tseq is the target and *newbody its body
 * with the amend applied (caller owns it). */
static int vamend(vctx *v, const cJSON *b, uint64_t *tseq, cJSON **newbody)
{
	static const char *const names[] = {"!target", "!reason", "!set", NULL};
	const cJSON *set;
	cJSON *cur;
	avow_error err;
	int tt, ok;

	*newbody = NULL;
	if (!vmembers(v, b, "body", names))
		return 0;
	if (!vtarget(v, get(b, "target"), "body.target", tseq))
		return 0;
	if (!vstr(v, get(b, "reason"), "body.reason", S_FREE))
		return 0;
	tt = avow_state_type_of(v->st, *tseq);
	if (tt != AVOW_T_ACTOR && tt != AVOW_T_CLAIM && tt != AVOW_T_RESPONSE)
		return bad(v, "body",
			   "body.target: record %llu is a %s entry; only "
			   "actor, claim and response entries are amended",
			   (unsigned long long)*tseq, avow_type_name(tt));
	set = get(b, "set");
	if (!cJSON_IsObject(set) || set->child == NULL)
		return bad(v, "body", "body.set: must be a non-empty object");
	for (const cJSON *c = set->child; c != NULL; c = c->next)
		if (!amendable(tt, c->string)) {
			char ex[48];
			return bad(v, "body",
				   "body.set: \"%s\" cannot be amended in "
				   "%s entries",
				   excerpt(c->string, ex), avow_type_name(tt));
		}
	cur = avow_state_body(v->st, *tseq, &err);
	if (cur == NULL)
		return err.code == AVOW_ERR_NOMEM
			       ? oom(v)
			       : bad(v, "body", "%s", err.msg);
	if (tt == AVOW_T_ACTOR) {
		const cJSON *id = get(cur, "id");
		uint64_t latest;
		if (!cJSON_IsString(id) ||
		    !avow_state_actor(v->st, id->valuestring, &latest) ||
		    latest != *tseq) {
			cJSON_Delete(cur);
			return bad(v, "body",
				   "body.target: record %llu is not the latest "
				   "declaration of its actor",
				   (unsigned long long)*tseq);
		}
	} else if (avow_map_geti(&v->st->retracts, *tseq) != NULL) {
		static const char *const fixed[] = {"by", "with"};
		for (int i = 0; i < 2; i++) {
			const cJSON *nv = get(set, fixed[i]);
			const cJSON *ov = get(cur, fixed[i]);
			if (nv == NULL)
				continue;
			if (cJSON_IsNull(nv) ? ov != NULL
					     : !same_json(nv, ov)) {
				cJSON_Delete(cur);
				return bad(v, "body",
					   "body.set.%s: record %llu is "
					   "retracted by a response, so its "
					   "%s cannot change",
					   fixed[i], (unsigned long long)*tseq,
					   fixed[i]);
			}
		}
	}
	for (const cJSON *c = set->child; c != NULL; c = c->next) {
		cJSON_DeleteItemFromObjectCaseSensitive(cur, c->string);
		if (!cJSON_IsNull(c)) {
			cJSON *dup = cJSON_Duplicate(c, 1);
			if (dup == NULL ||
			    !cJSON_AddItemToObject(cur, c->string, dup)) {
				cJSON_Delete(dup);
				cJSON_Delete(cur);
				return oom(v);
			}
		}
	}
	if (tt == AVOW_T_ACTOR) {
		ok = vactor_body(v, cur, "amended body");
	} else {
		uint64_t t2;
		ok = vstatement(v, cur, "amended body", tt, &t2);
	}
	if (!ok) {
		cJSON_Delete(cur);
		return 0;
	}
	*newbody = cur;
	return 1;
}

/* --------------------------------------------------------------------- */
/* Plausibility warnings                                                 */

static unsigned self_warnings(const cJSON *b, int64_t time)
{
	unsigned w = 0;
	const cJSON *m, *src = get(b, "source");
	avow_span s;
	int64_t t;

	m = get(b, "said_at");
	if (cJSON_IsString(m) &&
	    avow_parse_pdate(m->valuestring, strlen(m->valuestring), &s) &&
	    s.lo > time)
		w |= W_SAID_LATE;
	m = get(src, "published");
	if (cJSON_IsString(m) &&
	    avow_parse_pdate(m->valuestring, strlen(m->valuestring), &s) &&
	    s.lo > time)
		w |= W_PUBLISHED_LATE;
	m = get(src, "retrieved");
	if (cJSON_IsString(m) &&
	    avow_parse_time(m->valuestring, strlen(m->valuestring), &t) &&
	    t > time)
		w |= W_RETRIEVED_LATE;
	return w;
}

static int span_of(const cJSON *b, avow_span *s)
{
	const cJSON *m = get(b, "said_at");
	return cJSON_IsString(m) &&
	       avow_parse_pdate(m->valuestring, strlen(m->valuestring), s);
}

/* Whether response body b is certainly said before its target's said_at. */
static int before_target(avow_state *st, const cJSON *b, avow_error *err,
			 int *failed)
{
	const cJSON *t = get(get(b, "target"), "seq");
	int64_t ts = avow_json_int(t);
	avow_span a, c;
	cJSON *tb;
	int r = 0;

	*failed = 0;
	if (ts < 0 || !span_of(b, &a))
		return 0;
	tb = avow_state_body(st, (uint64_t)ts, err);
	if (tb == NULL) {
		*failed = 1;
		return 0;
	}
	if (span_of(tb, &c))
		r = avow_span_before(&a, &c);
	cJSON_Delete(tb);
	return r;
}

static int set_warn(avow_state *st, uint64_t seq, unsigned w)
{
	if (w == 0) {
		avow_map_del(&st->warn, &seq, sizeof seq);
		return 0;
	}
	return avow_map_puti(&st->warn, seq, w);
}

/* Recompute the warnings of statement seq, whose body is b. */
static int rewarn(avow_state *st, uint64_t seq, const cJSON *b, int64_t time,
		  avow_error *err)
{
	unsigned w = self_warnings(b, time);
	int failed = 0;

	int type = avow_state_type_of(st, seq);

	if (type == AVOW_T_RESPONSE && before_target(st, b, err, &failed))
		w |= W_BEFORE_TARGET;
	else if (type == AVOW_T_RESPONSE && failed)
		return -1;
	return set_warn(st, seq, w);
}

/* After statement t was amended: its own warnings and its responses'. */
static int rewarn_amended(avow_state *st, uint64_t t, const cJSON *body,
			  avow_error *err)
{
	int64_t time = entry_time(st, t, err);

	if (time < 0 || rewarn(st, t, body, time, err) < 0)
		return -1;
	for (uint32_t r = first_resp_of(st, t); r != 0;
	     r = next_sib_of(st, r - 1)) {
		cJSON *rb;
		uint64_t *w = avow_map_geti(&st->warn, r - 1);
		unsigned bits =
			w ? (unsigned)*w & ~(unsigned)W_BEFORE_TARGET : 0;
		int failed;
		rb = avow_state_body(st, r - 1, err);
		if (rb == NULL)
			return -1;
		if (before_target(st, rb, err, &failed))
			bits |= W_BEFORE_TARGET;
		cJSON_Delete(rb);
		if (failed || set_warn(st, r - 1, bits) < 0)
			return -1;
	}
	return 0;
}

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

avow_status avow_state_warnings(avow_state *st, avow_warning_fn fn, void *ctx,
				avow_error *err)
{
	uint64_t *seqs;
	size_t n = 0;

	if (st->warn.count == 0)
		return AVOW_OK;
	seqs = malloc(st->warn.count * sizeof *seqs);
	if (seqs == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < st->warn.cap; i++) {
		const void *k;
		size_t kl;
		uint64_t val;
		if (avow_map_at(&st->warn, i, &k, &kl, &val))
			memcpy(&seqs[n++], k, sizeof *seqs);
	}
	qsort(seqs, n, sizeof *seqs, u64cmp);
	for (size_t i = 0; i < n; i++) {
		uint64_t seq = seqs[i];
		unsigned w = (unsigned)*avow_map_geti(&st->warn, seq);
		int64_t time = entry_time(st, seq, err);
		cJSON *b = avow_state_body(st, seq, err);
		const cJSON *src;
		char ts[21], msg[512];

		if (b == NULL || time < 0) {
			cJSON_Delete(b);
			free(seqs);
			return err->code;
		}
		src = get(b, "source");
		avow_format_time(time, ts);
		if (w & W_SAID_LATE) {
			snprintf(msg, sizeof msg,
				 "said_at %s is later than the time the "
				 "entry was recorded (%s)",
				 get(b, "said_at")->valuestring, ts);
			fn(ctx, seq, msg);
		}
		if (w & W_PUBLISHED_LATE) {
			snprintf(msg, sizeof msg,
				 "source.published %s is later than the time "
				 "the entry was recorded (%s)",
				 get(src, "published")->valuestring, ts);
			fn(ctx, seq, msg);
		}
		if (w & W_RETRIEVED_LATE) {
			snprintf(msg, sizeof msg,
				 "source.retrieved %s is later than the time "
				 "the entry was recorded (%s)",
				 get(src, "retrieved")->valuestring, ts);
			fn(ctx, seq, msg);
		}
		if (w & W_BEFORE_TARGET) {
			int64_t t = avow_json_int(get(get(b, "target"), "seq"));
			cJSON *tb = avow_state_body(st, (uint64_t)t, err);
			snprintf(msg, sizeof msg,
				 "said_at %s is certainly earlier than the "
				 "said_at %s of record %lld, which it answers",
				 get(b, "said_at")->valuestring,
				 tb ? get(tb, "said_at")->valuestring : "?",
				 (long long)t);
			cJSON_Delete(tb);
			fn(ctx, seq, msg);
		}
		cJSON_Delete(b);
	}
	free(seqs);
	return AVOW_OK;
}

/* --------------------------------------------------------------------- */
/* One record                                                            */

static int ventry_members(vctx *v, const cJSON *e)
{
	static const char *const names[] = {"!v",    "!seq",  "!prev",
					    "!time", "!type", "!signer",
					    "!body", NULL};
	for (const cJSON *c = e->child; c != NULL; c = c->next) {
		if (!one_of(c->string,
			    (const char *const[]){"v", "seq", "prev", "time",
						  "type", "signer", "body",
						  NULL})) {
			char ex[48];
			return bad(v, "members", "entry: unknown member \"%s\"",
				   excerpt(c->string, ex));
		}
	}
	for (const char *const *n = names; *n != NULL; n++)
		if (get(e, *n + 1) == NULL)
			return bad(v, "members", "entry: missing member \"%s\"",
				   *n + 1);
	return 1;
}

/* The signature part (SPEC section 7 step 5). */
static int vsigs(vctx *v, const cJSON *sigs, const char *signer, int type,
		 int self_revoke, const avow_verifier *genesis_vk,
		 unsigned flags)
{
	static const char *const names[] = {"!key", "!sig", NULL};
	const cJSON *s, *k;
	const struct key *key;
	uint8_t sig[64];
	const uint8_t *pk;
	int admin;

	if (!cJSON_IsArray(sigs) || cJSON_GetArraySize(sigs) != 1)
		return bad(v, "signature",
			   "sigs: must hold exactly one signature");
	s = sigs->child;
	if (!cJSON_IsObject(s))
		return bad(v, "signature", "sigs[0]: not an object");
	if (!vmembers(v, s, "sigs[0]", names)) {
		v->f->check = "signature";
		return 0;
	}
	k = get(s, "key");
	if (!cJSON_IsString(k) || strcmp(k->valuestring, signer) != 0)
		return bad(v, "signature",
			   "sigs[0].key: not the entry's signer %s", signer);
	if (!vb64(v, get(s, "sig"), "sigs[0].sig", sig, 64, "signature"))
		return 0;
	if (type == AVOW_T_GENESIS) {
		pk = genesis_vk->pk;
		admin = 1;
	} else {
		key = key_find(v->st, signer);
		if (key == NULL)
			return bad(v, "key",
				   "signer %s: no entry added this key",
				   signer);
		if (!key_ok(key, v->seq)) {
			if (key->revoked != NONE && key->revoked < v->seq)
				return bad(v, "key",
					   "signer %s: revoked at record %llu",
					   signer,
					   (unsigned long long)key->revoked);
			return bad(v, "key",
				   "signer %s: not authorised before record "
				   "%llu",
				   signer, (unsigned long long)key->added + 1);
		}
		pk = key->pk;
		admin = key->admin;
	}
	if ((type == AVOW_T_GENESIS || type == AVOW_T_KEY) && !admin &&
	    !self_revoke) {
		return bad(v, "role",
			   "signer %s is a recorder key; %s entries need an "
			   "admin key",
			   signer, avow_type_name(type));
	}
	/* A signature checked ahead (on another thread) against this very
	 * key counts; any other is checked here. */
	if (v->hint != NULL && v->hint->sig_checked &&
	    sodium_memcmp(v->hint->pk, pk, 32) == 0) {
		if (!(flags & AVOW_FEED_TRUSTED) && !v->hint->sig_ok)
			return bad(v, "signature",
				   "the signature by %s does not verify over "
				   "the entry",
				   signer);
		return 1;
	}
	if (!(flags & AVOW_FEED_TRUSTED) &&
	    !avow_sig_verify(sig, v->st->msg.p, v->st->msg.len, pk))
		return bad(v, "signature",
			   "the signature by %s does not verify over the "
			   "entry",
			   signer);
	return 1;
}

static void fill_fail(avow_failure *f, uint64_t seq, const char *check,
		      const char *detail)
{
	if (f == NULL)
		return;
	f->seq = seq;
	f->check = check;
	snprintf(f->detail, sizeof f->detail, "%s", detail);
}

void avow_state_skip(avow_state *st, const char *check, const char *detail,
		     avow_failure *f)
{
	fill_fail(f, st->n, check, detail);
	if (recs_reserve(st, st->n) == 0)
		st->recs[st->n].type = AVOW_T_NONE;
	st->n++;
}

/* Check everything about record n except its own bytes' framing. On
 * success fills what apply() needs. */
typedef struct {
	cJSON *root;
	const cJSON *entry, *body;
	int type;
	int64_t time;
	avow_verifier vk; /* genesis or key add */
	uint64_t tseq;	  /* response or amend target */
	cJSON *amended;	  /* amend: the target's new body */
	const char *signer;
	int self_revoke;
} checked;

static int check_record(vctx *v, const uint8_t *rec, size_t len, unsigned flags,
			checked *c)
{
	avow_state *st = v->st;
	const cJSON *e, *m, *sigs;
	int64_t n;
	uint8_t prev[32];
	char ex[48];

	c->root = avow_record_parse(rec, len, &c->entry, &st->msg, &st->canon,
				    v->f);
	if (c->root == NULL) {
		if (v->f != NULL)
			v->f->seq = v->seq;
		if (v->f != NULL && strcmp(v->f->check, "memory") == 0)
			v->nomem = 1;
		return 0;
	}
	e = c->entry;
	sigs = get(c->root, "sigs");
	if (!ventry_members(v, e))
		return 0;
	n = avow_json_int(get(e, "v"));
	if (n != 1)
		return bad(v, "members", "entry.v: must be 1");
	n = avow_json_int(get(e, "seq"));
	if (n < 0 || (uint64_t)n != v->seq)
		return bad(v, "seq",
			   "entry.seq: is not %llu, the record's "
			   "position",
			   (unsigned long long)v->seq);
	m = get(e, "prev");
	if (v->seq == 0) {
		if (!cJSON_IsNull(m))
			return bad(v, "prev",
				   "entry.prev: must be null at seq "
				   "0");
	} else {
		if (!vb64(v, m, "entry.prev", prev, 32, "prev"))
			return 0;
		if (sodium_memcmp(prev, st->last_leaf, 32) != 0)
			return bad(v, "prev",
				   "entry.prev: not the leaf hash of record "
				   "%llu",
				   (unsigned long long)v->seq - 1);
	}
	m = get(e, "time");
	if (!cJSON_IsString(m) ||
	    !avow_parse_time(m->valuestring, strlen(m->valuestring), &c->time))
		return bad(v, "time",
			   "entry.time: \"%s\" is not a time "
			   "(YYYY-MM-DDTHH:MM:SSZ)",
			   cJSON_IsString(m) ? excerpt(m->valuestring, ex)
					     : "(not a string)");
	v->time = c->time;
	if (st->last_time >= 0 && c->time < st->last_time) {
		char a[21];
		avow_format_time(st->last_time, a);
		return bad(v, "time",
			   "entry.time: %s is earlier than the previous "
			   "entry's %s",
			   m->valuestring, a);
	}
	m = get(e, "type");
	c->type = cJSON_IsString(m) ? avow_type_parse(m->valuestring)
				    : AVOW_T_NONE;
	if (c->type == AVOW_T_NONE)
		return bad(v, "members",
			   "entry.type: not one of genesis, key, "
			   "actor, claim, response, amend");
	if (v->seq == 0 && c->type != AVOW_T_GENESIS)
		return bad(v, "body", "record 0 must be a genesis entry");
	m = get(e, "signer");
	if (!cJSON_IsString(m))
		return bad(v, "members", "entry.signer: not a string");
	c->signer = m->valuestring;
	c->body = get(e, "body");
	if (!cJSON_IsObject(c->body))
		return bad(v, "members", "entry.body: not an object");

	switch (c->type) {
	case AVOW_T_GENESIS:
		if (!vgenesis(v, c->body, c->signer, &c->vk))
			return 0;
		break;
	case AVOW_T_KEY:
		if (st->origin == NULL)
			return bad(v, "body", "no genesis before this entry");
		if (!vkey_entry(v, c->body, &c->vk))
			return 0;
		m = get(c->body, "key_id");
		c->self_revoke =
			m != NULL && strcmp(m->valuestring, c->signer) == 0;
		break;
	case AVOW_T_ACTOR:
		if (!vactor_body(v, c->body, "body"))
			return 0;
		break;
	case AVOW_T_CLAIM:
	case AVOW_T_RESPONSE:
		if (!vstatement(v, c->body, "body", c->type, &c->tseq))
			return 0;
		break;
	case AVOW_T_AMEND:
		if (!vamend(v, c->body, &c->tseq, &c->amended))
			return 0;
		break;
	default: return bad(v, "members", "entry.type: unknown");
	}

	/* A key may revoke itself, whatever its role. */
	return vsigs(v, sigs, c->signer, c->type, c->self_revoke, &c->vk,
		     flags);
}

static int apply(avow_state *st, uint64_t seq, checked *c, avow_error *err)
{
	const cJSON *b = c->body;
	struct key *k;

	switch (c->type) {
	case AVOW_T_GENESIS:
		st->origin = avow_strdup(get(b, "origin")->valuestring);
		if (st->origin == NULL ||
		    key_add(st, &c->vk, get(b, "key")->valuestring,
			    get(b, "holder")->valuestring, NULL, 1, 0) < 0)
			return -1;
		break;
	case AVOW_T_KEY:
		if (strcmp(get(b, "action")->valuestring, "add") == 0) {
			const cJSON *note = get(b, "note");
			if (key_add(st, &c->vk, get(b, "key")->valuestring,
				    get(b, "holder")->valuestring,
				    note ? note->valuestring : NULL,
				    strcmp(get(b, "role")->valuestring,
					   "admin") == 0,
				    seq) < 0)
				return -1;
		} else {
			k = key_find(st, get(b, "key_id")->valuestring);
			k->revoked = seq;
		}
		break;
	case AVOW_T_ACTOR: {
		const char *id = get(b, "id")->valuestring;
		const cJSON *po = get(b, "part_of");
		size_t idx, parent = SIZE_MAX;
		if (po != NULL)
			actor_find(st, po->valuestring, &parent);
		if (actor_find(st, id, &idx) == NULL) {
			/* (actors is NULL only while the cap is 0: this is
			 * for clang-analyzer, which cannot tell.) */
			if (st->actors == NULL ||
			    st->nactors == st->actors_cap) {
				size_t cap = st->actors_cap ? st->actors_cap * 2
							    : 16;
				struct actor *na =
					realloc(st->actors, cap * sizeof *na);
				if (na == NULL)
					return -1;
				st->actors = na;
				st->actors_cap = cap;
			}
			idx = st->nactors;
			st->actors[idx].id = avow_strdup(id);
			if (st->actors[idx].id == NULL ||
			    avow_map_put(&st->actor_by_id, id, strlen(id),
					 idx) < 0) {
				free(st->actors[idx].id);
				return -1;
			}
			st->nactors++;
		}
		st->actors[idx].seq = seq;
		st->actors[idx].part_of = parent;
		break;
	}
	case AVOW_T_CLAIM:
		if (rewarn(st, seq, b, c->time, err) < 0)
			return -1;
		break;
	case AVOW_T_RESPONSE: {
		uint64_t t = c->tseq;
		need(st, t);
		st->recs[seq].next_sib = st->recs[t].first_resp;
		st->recs[t].first_resp = (uint32_t)(seq + 1);
		if (t < st->clean_n && mark_dirty(st, t / AVOW_STATE_CHUNK) < 0)
			return -1;
		if (strcmp(get(b, "stance")->valuestring, "retracts") == 0) {
			uint64_t *r = avow_map_geti(&st->retracts, t);
			if (avow_map_puti(&st->retracts, t, r ? *r + 1 : 1) < 0)
				return -1;
		}
		if (rewarn(st, seq, b, c->time, err) < 0)
			return -1;
		break;
	}
	case AVOW_T_AMEND: {
		uint64_t t = c->tseq;
		int tt = avow_state_type_of(st, t);
		uint64_t *old = avow_map_geti(&st->amended, t);
		cJSON *prev = old ? amended_body(*old) : NULL;
		int was = 0, now;

		if (tt == AVOW_T_RESPONSE) {
			cJSON *ob = prev ? prev : avow_state_body(st, t, err);
			if (ob == NULL)
				return -1;
			was = strcmp(get(ob, "stance")->valuestring,
				     "retracts") == 0;
			if (ob != prev)
				cJSON_Delete(ob);
		}
		if (avow_map_puti(&st->amended, t,
				  (uint64_t)(uintptr_t)c->amended) < 0)
			return -1;
		cJSON_Delete(prev);
		b = c->amended;
		c->amended = NULL; /* owned by the map now */
		if (tt == AVOW_T_ACTOR) {
			size_t idx = 0, parent = SIZE_MAX;
			const cJSON *po = get(b, "part_of");
			if (po != NULL)
				actor_find(st, po->valuestring, &parent);
			actor_find(st, get(b, "id")->valuestring, &idx);
			st->actors[idx].part_of = parent;
		} else {
			if (tt == AVOW_T_RESPONSE) {
				uint64_t ts = (uint64_t)avow_json_int(
					get(get(b, "target"), "seq"));
				uint64_t *r = avow_map_geti(&st->retracts, ts);
				now = strcmp(get(b, "stance")->valuestring,
					     "retracts") == 0;
				if (now && !was &&
				    avow_map_puti(&st->retracts, ts,
						  r ? *r + 1 : 1) < 0)
					return -1;
				if (was && !now && r != NULL) {
					if (*r <= 1)
						avow_map_del(&st->retracts, &ts,
							     sizeof ts);
					else
						(*r)--;
				}
			}
			if (rewarn_amended(st, t, b, err) < 0)
				return -1;
		}
		break;
	}
	default: break;
	}
	/* (signer is set for every record that passed: this is for
	 * clang-analyzer, which loses track of that through bad().) */
	k = c->signer != NULL ? key_find(st, c->signer) : NULL;
	if (k != NULL) {
		k->records++;
		if (k->first < 0)
			k->first = c->time;
		k->last = c->time;
	}
	st->type_count[c->type]++;
	st->last_time = c->time;
	st->recs[seq].type = (uint8_t)c->type;
	return 0;
}

avow_status avow_state_feed(avow_state *st, const uint8_t *rec, size_t len,
			    unsigned flags, avow_failure *f)
{
	return avow_state_feed_hint(st, rec, len, flags, NULL, f);
}

avow_status avow_state_feed_hint(avow_state *st, const uint8_t *rec, size_t len,
				 unsigned flags, const avow_feed_hint *hint,
				 avow_failure *f)
{
	avow_failure local;
	vctx v = {st, st->n, 0, f ? f : &local, 0, hint};
	checked c;
	uint8_t leaf[32];
	avow_status rc = AVOW_OK;
	avow_error err;

	memset(&c, 0, sizeof c);
	if (recs_reserve(st, st->n) < 0) {
		fill_fail(v.f, st->n, "memory", "out of memory");
		return AVOW_ERR_NOMEM;
	}
	if (!check_record(&v, rec, len, flags, &c)) {
		rc = v.nomem ? AVOW_ERR_NOMEM : AVOW_ERR_INVALID;
	} else if (apply(st, st->n, &c, &err) < 0) {
		fill_fail(v.f, st->n, "memory",
			  "out of memory or unreadable record while applying");
		rc = AVOW_ERR_NOMEM;
	}
	if (hint != NULL && hint->have_leaf)
		memcpy(leaf, hint->leaf, 32);
	else
		avow_leaf_hash(leaf, rec, len);
	if (rc == AVOW_OK && st->observe != NULL) {
		avow_accepted a = {st->n, c.type, c.entry, c.body, NULL,
				   leaf,  c.time, rec,	   len};
		if (c.type == AVOW_T_AMEND) {
			uint64_t *p = avow_map_geti(&st->amended, c.tseq);
			a.amended = p ? amended_body(*p) : NULL;
		}
		st->observe(st->observe_ctx, &a);
	}
	if (rc != AVOW_OK)
		st->recs[st->n].type = AVOW_T_NONE;
	cJSON_Delete(c.amended);
	cJSON_Delete(c.root);
	memcpy(st->last_leaf, leaf, 32);
	avow_frontier_add_nodes(&st->tree, leaf, st->nodes, st->nodes_ctx);
	st->n++;
	return rc;
}

/* --------------------------------------------------------------------- */
/* Saving and loading (the saved audited state of lib/saved.c)           */

/* Everything is little-endian and length-prefixed; the format is private
 * to this version of avow and is thrown away (and rebuilt by a full
 * audit) when its magic differs. */
#define STATE_MAGIC "avow-state/2\n"

static void put64(avow_buf *b, uint64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	avow_buf_add(b, x, 8);
}

static void put32(avow_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	avow_buf_add(b, x, 4);
}

static void put_bytes(avow_buf *b, const void *p, size_t n)
{
	put64(b, n);
	avow_buf_add(b, p, n);
}

/* A string that may be NULL (length UINT64_MAX). */
static void put_str(avow_buf *b, const char *s)
{
	if (s == NULL)
		put64(b, UINT64_MAX);
	else
		put_bytes(b, s, strlen(s));
}

static void put_map(avow_buf *b, const avow_map *m)
{
	put64(b, m->count);
	for (size_t i = 0; i < m->cap; i++) {
		const void *k;
		size_t kl;
		uint64_t v;
		if (avow_map_at(m, i, &k, &kl, &v)) {
			put_bytes(b, k, kl);
			put64(b, v);
		}
	}
}

void avow_state_save(const avow_state *st, avow_buf *out)
{
	avow_buf_add(out, STATE_MAGIC, sizeof STATE_MAGIC - 1);
	put64(out, st->n);
	avow_buf_add(out, st->last_leaf, 32);
	put64(out, (uint64_t)st->last_time);
	put_str(out, st->origin);
	put64(out, st->tree.n);
	put64(out, (uint64_t)st->tree.depth);
	avow_buf_add(out, st->tree.h, (size_t)st->tree.depth * 32);
	for (int t = 0; t < AVOW_T_COUNT; t++)
		put64(out, st->type_count[t]);
	put64(out, st->nkeys);
	for (size_t i = 0; i < st->nkeys; i++) {
		const struct key *k = &st->keys[i];
		put_str(out, k->id);
		put_str(out, k->vkey);
		put_str(out, k->holder);
		put_str(out, k->note);
		avow_buf_add(out, k->pk, 32);
		put64(out, (uint64_t)k->admin);
		put64(out, k->added);
		put64(out, k->revoked);
		put64(out, k->records);
		put64(out, (uint64_t)k->first);
		put64(out, (uint64_t)k->last);
	}
	put64(out, st->nactors);
	for (size_t i = 0; i < st->nactors; i++) {
		put_str(out, st->actors[i].id);
		put64(out, st->actors[i].seq);
		put64(out, st->actors[i].part_of);
	}
	put_map(out, &st->key_by_id);
	put_map(out, &st->key_by_pk);
	put_map(out, &st->actor_by_id);
	put_map(out, &st->retracts);
	put_map(out, &st->warn);
	put64(out, st->amended.count);
	for (size_t i = 0; i < st->amended.cap; i++) {
		const void *k;
		size_t kl;
		uint64_t v;
		avow_buf canon;
		if (!avow_map_at(&st->amended, i, &k, &kl, &v))
			continue;
		avow_buf_init(&canon);
		avow_json_canon(&canon, amended_body(v));
		put_bytes(out, k, kl);
		put_bytes(out, canon.p, canon.len);
		out->oom |= canon.oom;
		avow_buf_free(&canon);
	}
}

uint64_t avow_state_chunks(const avow_state *st)
{
	return (st->n + AVOW_STATE_CHUNK - 1) / AVOW_STATE_CHUNK;
}

int avow_state_chunk(const avow_state *st, uint64_t c, int all, avow_buf *out)
{
	uint64_t from = c * AVOW_STATE_CHUNK, to = from + AVOW_STATE_CHUNK;

	if (from >= st->n)
		return 0;
	if (!all && to <= st->clean_n &&
	    (c >= st->dirty_cap || st->dirty[c] == 0))
		return 0;
	if (to > st->n)
		to = st->n;
	need(st, from);
	for (uint64_t i = from; i < to; i++) {
		avow_buf_addc(out, st->recs[i].type);
		put32(out, st->recs[i].first_resp);
		put32(out, st->recs[i].next_sib);
	}
	return 1;
}

void avow_state_saved(avow_state *st)
{
	st->clean_n = st->n;
	if (st->dirty != NULL)
		memset(st->dirty, 0, st->dirty_cap);
}

/* A reader over saved bytes: any short read sets bad. */
typedef struct {
	const uint8_t *p, *end;
	int bad;
} rd;

static uint64_t get64(rd *r)
{
	uint64_t v = 0;
	if (r->bad || r->end - r->p < 8) {
		r->bad = 1;
		return 0;
	}
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	return v;
}

static uint32_t get32(rd *r)
{
	const uint8_t *p = r->bad || r->end - r->p < 4 ? NULL : r->p;
	if (p == NULL) {
		r->bad = 1;
		return 0;
	}
	r->p += 4;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static const uint8_t *get_raw(rd *r, size_t n)
{
	const uint8_t *p = r->p;
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return p;
}

/* Bytes with their length; *n receives it. */
static const uint8_t *get_bytes(rd *r, size_t *n)
{
	uint64_t len = get64(r);
	*n = (size_t)len;
	return get_raw(r, (size_t)len);
}

/* A malloc'ed string, or NULL (for a saved NULL, or with r->bad set). */
static char *get_str(rd *r)
{
	size_t n;
	const uint8_t *p;
	char *s;

	if (r->bad)
		return NULL;
	if (r->end - r->p >= 8 && get64(&(rd){r->p, r->end, 0}) == UINT64_MAX) {
		r->p += 8;
		return NULL;
	}
	p = get_bytes(r, &n);
	if (p == NULL || memchr(p, 0, n) != NULL ||
	    (s = malloc(n + 1)) == NULL) {
		r->bad = 1;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static void get_map(rd *r, avow_map *m)
{
	uint64_t count = get64(r);
	for (uint64_t i = 0; i < count && !r->bad; i++) {
		size_t kl;
		const uint8_t *k = get_bytes(r, &kl);
		uint64_t v = get64(r);
		if (k == NULL || avow_map_put(m, k, kl, v) < 0)
			r->bad = 1;
	}
}

/* Whether string s was present (not NULL) in the saved bytes. */
/* An array of n items of size bytes, each taking at least min bytes of
 * what is left to read (so that a count cut or forged in the bytes
 * cannot ask for more memory than they could fill); NULL, and r bad,
 * otherwise. */
static void *get_array(rd *r, uint64_t n, size_t min, size_t size)
{
	void *a = NULL;

	if (!r->bad && (n > (uint64_t)(r->end - r->p) / min ||
			(a = calloc(n ? n : 1, size)) == NULL))
		r->bad = 1;
	return a;
}

#define NEED(r, s)                                                             \
	do {                                                                   \
		if ((s) == NULL)                                               \
			(r)->bad = 1;                                          \
	} while (0)

avow_state *avow_state_load(const uint8_t *p, size_t len, uint64_t max_n,
			    avow_fetch_fn fetch, void *ctx)
{
	rd r = {p, p + len, 0};
	avow_state *st;
	const uint8_t *x;
	uint64_t n;

	x = get_raw(&r, sizeof STATE_MAGIC - 1);
	if (x == NULL || memcmp(x, STATE_MAGIC, sizeof STATE_MAGIC - 1) != 0)
		return NULL;
	if ((st = avow_state_new(fetch, ctx)) == NULL)
		return NULL;
	n = get64(&r);
	if ((x = get_raw(&r, 32)) != NULL)
		memcpy(st->last_leaf, x, 32);
	st->last_time = (int64_t)get64(&r);
	st->origin = get_str(&r);
	st->tree.n = get64(&r);
	st->tree.depth = (int)get64(&r);
	if (st->tree.depth < 0 || st->tree.depth > 64)
		r.bad = 1;
	else if ((x = get_raw(&r, (size_t)st->tree.depth * 32)) != NULL)
		memcpy(st->tree.h, x, (size_t)st->tree.depth * 32);
	if (!r.bad &&
	    (n >= UINT32_MAX - 1 || n > max_n ||
	     (st->recs = calloc(n ? n : 1, sizeof *st->recs)) == NULL))
		r.bad = 1;
	st->n = st->clean_n = r.bad ? 0 : n;
	st->recs_cap = r.bad ? 0 : (n ? n : 1);
	for (int t = 0; t < AVOW_T_COUNT; t++)
		st->type_count[t] = get64(&r);
	n = get64(&r);
	st->keys = get_array(&r, n, 64, sizeof *st->keys);
	for (uint64_t i = 0; i < n && !r.bad; i++) {
		struct key *k = &st->keys[i];
		st->nkeys = st->keys_cap = i + 1;
		k->id = get_str(&r);
		k->vkey = get_str(&r);
		k->holder = get_str(&r);
		k->note = get_str(&r);
		NEED(&r, k->id);
		NEED(&r, k->vkey);
		if ((x = get_raw(&r, 32)) != NULL)
			memcpy(k->pk, x, 32);
		k->admin = (int)get64(&r);
		k->added = get64(&r);
		k->revoked = get64(&r);
		k->records = get64(&r);
		k->first = (int64_t)get64(&r);
		k->last = (int64_t)get64(&r);
	}
	n = get64(&r);
	st->actors = get_array(&r, n, 24, sizeof *st->actors);
	for (uint64_t i = 0; i < n && !r.bad; i++) {
		st->nactors = st->actors_cap = i + 1;
		st->actors[i].id = get_str(&r);
		NEED(&r, st->actors[i].id);
		st->actors[i].seq = get64(&r);
		st->actors[i].part_of = (size_t)get64(&r);
	}
	get_map(&r, &st->key_by_id);
	get_map(&r, &st->key_by_pk);
	get_map(&r, &st->actor_by_id);
	get_map(&r, &st->retracts);
	get_map(&r, &st->warn);
	n = get64(&r);
	for (uint64_t i = 0; i < n && !r.bad; i++) {
		size_t kl, bl;
		const uint8_t *k = get_bytes(&r, &kl);
		const uint8_t *body = get_bytes(&r, &bl);
		cJSON *v;
		if (body == NULL || (v = avow_json_parse((const char *)body, bl,
							 AVOW_JSON_AVOW_STRINGS,
							 NULL)) == NULL) {
			r.bad = 1;
			break;
		}
		if (avow_map_put(&st->amended, k, kl, (uint64_t)(uintptr_t)v) <
		    0) {
			cJSON_Delete(v);
			r.bad = 1;
		}
	}
	if (r.bad || r.p != r.end) {
		avow_state_free(st);
		return NULL;
	}
	return st;
}

/* The bytes chunk c of a state of n records holds: 9 a record. */
static size_t chunk_bytes(uint64_t n, uint64_t c)
{
	uint64_t from = c * AVOW_STATE_CHUNK, to = from + AVOW_STATE_CHUNK;

	if (to > n)
		to = n;
	return from < to ? (size_t)(to - from) * 9 : 0;
}

/* Chunk c as saved with n records (records the state took in since are
 * not touched). */
static int decode_chunk(const avow_state *st, uint64_t n, uint64_t c,
			const uint8_t *p, size_t len)
{
	uint64_t from = c * AVOW_STATE_CHUNK, to = from + len / 9;
	rd r = {p, p + len, 0};

	if (n > st->n || len == 0 || len != chunk_bytes(n, c) || p == NULL)
		return -1;
	for (uint64_t i = from; i < to; i++) {
		const uint8_t *x = get_raw(&r, 1);
		st->recs[i].type = x ? *x : 0;
		st->recs[i].first_resp = get32(&r);
		st->recs[i].next_sib = get32(&r);
	}
	return 0;
}

int avow_state_lazy(avow_state *st, avow_chunk_fn fn, void *ctx)
{
	uint64_t n = avow_state_chunks(st);

	free(st->lazy);
	st->lazy = malloc((size_t)n + 1);
	if (st->lazy == NULL)
		return -1;
	memset(st->lazy, 1, (size_t)n);
	st->lazy[n] = 0;
	st->lazy_n = n;
	st->lazy_recs = st->n;
	st->chunk_fn = fn;
	st->chunk_ctx = ctx;
	return 0;
}

int avow_state_load_rest(avow_state *st)
{
	int bad;

	if (st->lazy == NULL)
		return 0;
	avow_prefault(st->recs, st->lazy_recs * sizeof *st->recs);
	for (uint64_t c = 0; c < st->lazy_n; c++)
		if (st->lazy[c])
			lazy_load(st, c);
	bad = st->lazy[st->lazy_n];
	free(st->lazy);
	st->lazy = NULL;
	st->chunk_fn = NULL;
	st->chunk_ctx = NULL;
	return bad ? -1 : 0;
}

int avow_state_lazy_failed(const avow_state *st)
{
	return st->lazy != NULL && st->lazy[st->lazy_n];
}

int avow_state_partial(const avow_state *st)
{
	if (st->lazy == NULL)
		return 0;
	for (uint64_t c = 0; c <= st->lazy_n; c++)
		if (st->lazy[c])
			return 1;
	return 0;
}
