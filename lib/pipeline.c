/*
 * pipeline.c - verify signatures and hash records on worker threads ahead
 * of the audit's state machine.
 *
 * The audit reads records in order on its own thread, in batches, and
 * hands each batch to a worker. For every record the worker computes the
 * leaf hash and, without parsing the record, finds the signed entry and
 * the signature (split_record), looks up the public key its signer id
 * names in a table of keys, and verifies the signature. The audit then
 * feeds the batch to the state machine in order, with these results as
 * hints (state.h): the state still parses and checks everything, and uses
 * a signature result only when it was made with the key the state finds
 * authorised, over a record in canonical form, so the verdict cannot
 * differ from a single-threaded audit.
 *
 * The table of keys is filled ahead of the audit: a worker adds the key of
 * every genesis and key-add entry it meets, whether or not the audit will
 * accept it (a wrong guess costs only a verification on the audit's
 * thread), and the audit adds (and corrects) the keys it accepts. A worker
 * that does not find a signer's key waits, once a batch, until the batches
 * before its own are done, whose key entries it may need. A record whose
 * key is still unknown then is verified by the state itself.
 */
#include "pipeline.h"

#include "keyutil.h"
#include "map.h"
#include "syntax.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH  128 /* records a batch */
#define NBATCH 8   /* batches in flight */
#define NGUESS 256 /* keys learnt from entries the audit has not accepted */

typedef struct {
	size_t off, len;
	avow_status rc; /* what the source said: OK, INVALID, or the end */
	char *msg;	/* its message, for anything but OK */
	avow_feed_hint hint;
} item;

typedef struct {
	item it[BATCH];
	size_t n;
	avow_buf bytes;
	int state; /* 0 free, 1 queued, 2 working, 3 done */
	uint64_t order;
} batch;

struct avow_pipe {
	avow_source *src;
	pthread_t *threads;
	unsigned nthreads;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	batch b[NBATCH];
	uint64_t filled, consumed; /* batches, in order */
	batch *cur;		   /* the batch being consumed, or NULL */
	size_t pos;		   /* its next item */
	int eof, stop;
	/* key id -> index into pks (the public keys), under mu */
	avow_map key_by_id;
	uint8_t (*pks)[32];
	size_t nkeys, capkeys, nguess;
};

static int key_lookup(avow_pipe *p, const char *id, uint8_t pk[32])
{
	const uint64_t *i;
	int found = 0;

	pthread_mutex_lock(&p->mu);
	i = avow_map_get(&p->key_by_id, id, strlen(id));
	if (i != NULL) {
		memcpy(pk, p->pks[*i], 32);
		found = 1;
	}
	pthread_mutex_unlock(&p->mu);
	return found;
}

/* Add or (when sure: the audit accepted it) correct the key of an id. */
static void key_put(avow_pipe *p, const char *id, const uint8_t pk[32],
		    int sure)
{
	uint64_t *i;
	size_t len = strlen(id);

	pthread_mutex_lock(&p->mu);
	i = avow_map_get(&p->key_by_id, id, len);
	if (i != NULL) {
		if (sure)
			memcpy(p->pks[*i], pk, 32);
		pthread_mutex_unlock(&p->mu);
		return;
	}
	/* Without the key, records are verified by the state itself:
	 * slower, not wrong. So a guess that cannot be kept is dropped. */
	if (!sure && p->nguess >= NGUESS) {
		pthread_mutex_unlock(&p->mu);
		return;
	}
	if (p->nkeys == p->capkeys) {
		size_t cap = p->capkeys ? p->capkeys * 2 : 16;
		uint8_t(*k)[32] = realloc(p->pks, cap * sizeof *k);
		if (k == NULL) {
			pthread_mutex_unlock(&p->mu);
			return;
		}
		p->pks = k;
		p->capkeys = cap;
	}
	if (avow_map_put(&p->key_by_id, id, len, p->nkeys) == 0) {
		memcpy(p->pks[p->nkeys], pk, 32);
		p->nkeys++;
		if (!sure)
			p->nguess++;
	}
	pthread_mutex_unlock(&p->mu);
}

void avow_pipe_add_key(avow_pipe *p, const char *id, const uint8_t pk[32])
{
	key_put(p, id, pk, 1);
}

/* Whether a batch before b is still queued or being worked on (under
 * mu). */
static int earlier_pending(const avow_pipe *p, const batch *b)
{
	for (size_t i = 0; i < NBATCH; i++)
		if ((p->b[i].state == 1 || p->b[i].state == 2) &&
		    p->b[i].order < b->order)
			return 1;
	return 0;
}

/* At rec + *i: the text lit, then a string's characters up to a quote
 * or backslash, whose place goes to *out and *n; *i moves past them. */
static int take_string(const uint8_t *rec, size_t len, size_t *i,
		       const char *lit, const char **out, size_t *n)
{
	size_t l = strlen(lit), k;

	if (len - *i < l || memcmp(rec + *i, lit, l) != 0)
		return 0;
	*i += l;
	for (k = *i; k < len && rec[k] != '"' && rec[k] != '\\'; k++)
		;
	*out = (const char *)rec + *i;
	*n = k - *i;
	*i = k;
	return 1;
}

/* Split a record of the form {"entry":E,"sigs":[{"key":"K","sig":"S"}]}
 * without parsing it: the length of E, and where K and S are (strings
 * without escapes). 0 when the record is not of this form.
 *
 * For a record in canonical form, which is the only kind whose signature
 * the state looks at, this finds exactly the E of the signed message and
 * the key and signature that the state reads from its tree. For any other
 * record it may find nonsense, which the state never uses. */
static int split_record(const uint8_t *rec, size_t len, size_t *elen,
			const char **key, size_t *klen, const char **sig,
			size_t *slen)
{
	static const char head[] = "{\"entry\":";
	static const char mid[] = ",\"sigs\":[{\"key\":\"";
	static const char sep[] = "\",\"sig\":\"";
	static const char end[] = "\"}]}";
	size_t i = sizeof head - 1, depth = 0;

	if (len <= i || memcmp(rec, head, i) != 0 || rec[i] != '{')
		return 0;
	for (; i < len; i++) {
		uint8_t c = rec[i];
		if (c == '"') {
			for (i++; i < len && rec[i] != '"'; i++)
				if (rec[i] == '\\')
					i++;
			if (i >= len)
				return 0;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			break;
		}
	}
	if (i >= len)
		return 0;
	*elen = i + 1 - (sizeof head - 1);
	i++;
	if (!take_string(rec, len, &i, mid, key, klen) ||
	    !take_string(rec, len, &i, sep, sig, slen))
		return 0;
	return len - i == sizeof end - 1 &&
	       memcmp(rec + i, end, sizeof end - 1) == 0;
}

/* Whether the n bytes at p contain the string s. */
static int contains(const uint8_t *p, size_t n, const char *s)
{
	size_t m = strlen(s);

	for (size_t i = 0; i + m <= n; i++)
		if (p[i] == (uint8_t)s[0] && memcmp(p + i, s, m) == 0)
			return 1;
	return 0;
}

/* Learn the key that a genesis or key-add entry adds (a guess: the audit
 * has not accepted it). This one parses: such entries are few. Sets *vk
 * and returns 1 for a genesis entry. */
static int learn_key(avow_pipe *p, const uint8_t *rec, size_t len,
		     avow_buf *msg, avow_buf *scratch, avow_verifier *vk)
{
	const cJSON *entry, *type, *body, *k, *a;
	avow_failure f;
	avow_error err;
	int genesis = 0;
	cJSON *root;

	memset(&f, 0, sizeof f);
	root = avow_record_parse(rec, len, &entry, msg, scratch, &f);
	if (root == NULL)
		return 0;
	type = cJSON_GetObjectItemCaseSensitive(entry, "type");
	body = cJSON_GetObjectItemCaseSensitive(entry, "body");
	k = cJSON_GetObjectItemCaseSensitive(body, "key");
	a = cJSON_GetObjectItemCaseSensitive(body, "action");
	if (cJSON_IsString(type) && cJSON_IsString(k) &&
	    (strcmp(type->valuestring, "genesis") == 0 ||
	     (strcmp(type->valuestring, "key") == 0 && cJSON_IsString(a) &&
	      strcmp(a->valuestring, "add") == 0)) &&
	    avow_verifier_parse(vk, k->valuestring, strlen(k->valuestring),
				&err) == AVOW_OK) {
		key_put(p, vk->id, vk->pk, 0);
		genesis = strcmp(type->valuestring, "genesis") == 0;
	}
	cJSON_Delete(root);
	return genesis;
}

/* The work on one record, on a worker thread. *waited says whether this
 * batch has waited for the ones before it. */
static void work_item(avow_pipe *p, batch *b, const uint8_t *rec, item *it,
		      avow_buf *msg, avow_buf *scratch, int *waited)
{
	static const char prefix[] = "avow/v1/entry\n";
	char id[AVOW_KEY_ID_MAX + 1];
	const char *key, *sig;
	size_t elen, klen, slen, tail;
	avow_verifier vk;
	uint8_t s[64];
	int have, genesis = 0;

	avow_leaf_hash(it->hint.leaf, rec, it->len);
	it->hint.have_leaf = 1;
	if (it->rc != AVOW_OK ||
	    !split_record(rec, it->len, &elen, &key, &klen, &sig, &slen) ||
	    klen > AVOW_KEY_ID_MAX || !avow_b64_decode_exact(s, 64, sig, slen))
		return;
	memcpy(id, key, klen);
	id[klen] = 0;
	/* In canonical form the entry's type is its last member but v:
	 * look only there (a miss costs only speed). The quotes keep this
	 * to a member named type (a string cannot hold an unescaped
	 * quote). */
	tail = elen < 48 ? elen : 48;
	if (contains(rec + 9 + elen - tail, tail, "\"type\":\"genesis\"") ||
	    contains(rec + 9 + elen - tail, tail, "\"type\":\"key\""))
		genesis = learn_key(p, rec, it->len, msg, scratch, &vk);
	have = key_lookup(p, id, it->hint.pk);
	if (!have && genesis && strcmp(vk.id, id) == 0) {
		/* The genesis names its own key. */
		memcpy(it->hint.pk, vk.pk, 32);
		have = 1;
	}
	if (!have && !*waited) {
		/* Its key entry may be in a batch before this one. */
		*waited = 1;
		pthread_mutex_lock(&p->mu);
		while (!p->stop && earlier_pending(p, b))
			pthread_cond_wait(&p->done, &p->mu);
		pthread_mutex_unlock(&p->mu);
		have = key_lookup(p, id, it->hint.pk);
	}
	if (!have)
		return;
	avow_buf_reset(msg);
	avow_buf_add(msg, prefix, sizeof prefix - 1);
	avow_buf_add(msg, rec + 9, elen);
	if (msg->oom)
		return;
	it->hint.sig_checked = 1;
	it->hint.sig_ok = avow_sig_verify(s, msg->p, msg->len, it->hint.pk);
}

static void *worker(void *arg)
{
	avow_pipe *p = arg;
	avow_buf msg, scratch;

	avow_buf_init(&msg);
	avow_buf_init(&scratch);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		batch *b = NULL;
		uint64_t best = UINT64_MAX;
		int waited = 0;
		/* The oldest queued batch, so the audit waits least. */
		for (size_t i = 0; i < NBATCH; i++)
			if (p->b[i].state == 1 && p->b[i].order < best) {
				best = p->b[i].order;
				b = &p->b[i];
			}
		if (b == NULL) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		b->state = 2;
		pthread_mutex_unlock(&p->mu);
		/* bytes.p is NULL when no item has bytes (an empty bundle):
		 * NULL + 0 is undefined behaviour. */
		for (size_t i = 0; i < b->n; i++)
			work_item(p, b,
				  b->bytes.p ? b->bytes.p + b->it[i].off
					     : (const uint8_t *)"",
				  &b->it[i], &msg, &scratch, &waited);
		pthread_mutex_lock(&p->mu);
		b->state = 3;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	avow_buf_free(&msg);
	avow_buf_free(&scratch);
	return NULL;
}

/* Read the next batch from the source (on the audit's thread). */
static void fill(avow_pipe *p, batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->it[i].msg);
	b->n = 0;
	avow_buf_reset(&b->bytes);
	while (b->n < BATCH && !p->eof) {
		item *it = &b->it[b->n++];
		const uint8_t *rec = NULL;
		size_t len = 0;
		avow_error err;

		memset(it, 0, sizeof *it);
		err.msg[0] = 0;
		it->rc = p->src->next(p->src, &rec, &len, &err);
		if (it->rc != AVOW_OK) {
			it->msg = avow_strdup(err.msg);
			if (it->rc != AVOW_ERR_INVALID)
				p->eof = 1; /* the end, or a fault */
		}
		it->off = b->bytes.len;
		it->len = len;
		avow_buf_add(&b->bytes, rec ? rec : (const uint8_t *)"", len);
		if (b->bytes.oom) {
			it->rc = AVOW_ERR_NOMEM;
			p->eof = 1;
		}
	}
	b->order = p->filled++;
}

avow_pipe *avow_pipe_start(avow_source *src, unsigned jobs)
{
	avow_pipe *p;

	if (jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (unsigned)n : 1;
	}
	if (jobs > 64)
		jobs = 64;
	if (jobs < 2)
		return NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->src = src;
	p->threads = calloc(jobs, sizeof *p->threads);
	if (p->threads == NULL || pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p->threads);
		free(p);
		return NULL;
	}
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	avow_map_init(&p->key_by_id);
	for (size_t i = 0; i < NBATCH; i++)
		avow_buf_init(&p->b[i].bytes);
	for (unsigned i = 0; i < jobs; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break;
		p->nthreads++;
	}
	if (p->nthreads == 0) {
		avow_pipe_stop(p);
		return NULL;
	}
	return p;
}

avow_status avow_pipe_next(avow_pipe *p, const uint8_t **rec, size_t *len,
			   avow_error *err, const avow_feed_hint **hint)
{
	batch *b = p->cur;
	item *it;

	/* Within a batch that is done, no lock: only this thread reads it
	 * now. The threads meet once a batch. */
	if (b == NULL || p->pos == b->n) {
		pthread_mutex_lock(&p->mu);
		/* The batch consumed last is free again: the caller is done
		 * with the record returned before. */
		if (b != NULL) {
			b->state = 0;
			p->consumed++;
			p->pos = 0;
			p->cur = NULL;
		}
		/* Keep every free batch queued with work. */
		for (size_t i = 0; i < NBATCH && !p->eof; i++)
			if (p->b[i].state == 0) {
				pthread_mutex_unlock(&p->mu);
				fill(p, &p->b[i]);
				pthread_mutex_lock(&p->mu);
				p->b[i].state = 1;
				pthread_cond_signal(&p->work);
			}
		/* The batch in order, once done. */
		for (;;) {
			b = NULL;
			for (size_t i = 0; i < NBATCH; i++)
				if (p->b[i].state != 0 &&
				    p->b[i].order == p->consumed)
					b = &p->b[i];
			if (b == NULL) {
				pthread_mutex_unlock(&p->mu);
				return avow_seterr(err, AVOW_ERR_NOT_FOUND,
						   "no more records");
			}
			if (b->state == 3)
				break;
			pthread_cond_wait(&p->done, &p->mu);
		}
		pthread_mutex_unlock(&p->mu);
		p->cur = b;
	}
	it = &b->it[p->pos++];
	*rec = b->bytes.p ? b->bytes.p + it->off : (const uint8_t *)"";
	*len = it->len;
	*hint = &it->hint;
	if (it->rc != AVOW_OK)
		avow_seterr(err, it->rc, "%s", it->msg ? it->msg : "");
	return it->rc;
}

void avow_pipe_stop(avow_pipe *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	/* Work still queued is dropped. */
	for (size_t i = 0; i < NBATCH; i++)
		if (p->b[i].state == 1)
			p->b[i].state = 0;
	pthread_cond_broadcast(&p->work);
	pthread_cond_broadcast(&p->done); /* workers waiting for batches */
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	for (size_t i = 0; i < NBATCH; i++) {
		for (size_t j = 0; j < p->b[i].n; j++)
			free(p->b[i].it[j].msg);
		avow_buf_free(&p->b[i].bytes);
	}
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	avow_map_free(&p->key_by_id);
	free(p->pks);
	free(p->threads);
	free(p);
}
