/*
 * pipeline.c - verify signatures and hash records on worker threads ahead
 * of the audit's state machine.
 *
 * The audit reads records in order on its own thread, in batches, and
 * hands each batch to a worker. The worker parses every record, looks up
 * the public key its signer id names in a table the audit fills as it
 * accepts genesis and key entries, verifies the signature, and computes
 * the leaf hash. The audit then feeds the batch to the state machine in
 * order, with these results as hints (state.h): the state still makes
 * every decision, and uses a signature result only when it was made with
 * the key the state finds authorised, so the verdict cannot differ from a
 * single-threaded audit. A record whose key was not in the table yet (its
 * key entry was still in flight) is verified by the state itself.
 */
#include "pipeline.h"

#include "keyutil.h"
#include "syntax.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH  256 /* records a batch */
#define NBATCH 16  /* batches in flight */

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
	size_t pos;		   /* next item of the batch being consumed */
	int eof, stop;
	/* key id -> public key, filled by the audit's thread */
	struct pkey {
		char id[AVOW_KEY_ID_MAX + 1];
		uint8_t pk[32];
	} * keys;
	size_t nkeys, capkeys;
};

static int key_lookup(avow_pipe *p, const char *id, uint8_t pk[32])
{
	int found = 0;

	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->nkeys && !found; i++)
		if (strcmp(p->keys[i].id, id) == 0) {
			memcpy(pk, p->keys[i].pk, 32);
			found = 1;
		}
	pthread_mutex_unlock(&p->mu);
	return found;
}

void avow_pipe_add_key(avow_pipe *p, const char *id, const uint8_t pk[32])
{
	pthread_mutex_lock(&p->mu);
	if (p->nkeys == p->capkeys) {
		size_t cap = p->capkeys ? p->capkeys * 2 : 16;
		struct pkey *k = realloc(p->keys, cap * sizeof *k);
		if (k == NULL) {
			/* Without the key, records are verified by the
			 * state itself: slower, not wrong. */
			pthread_mutex_unlock(&p->mu);
			return;
		}
		p->keys = k;
		p->capkeys = cap;
	}
	snprintf(p->keys[p->nkeys].id, sizeof p->keys[p->nkeys].id, "%s", id);
	memcpy(p->keys[p->nkeys].pk, pk, 32);
	p->nkeys++;
	pthread_mutex_unlock(&p->mu);
}

/* The work on one record, on a worker thread. */
static void work_item(avow_pipe *p, const uint8_t *rec, item *it, avow_buf *msg,
		      avow_buf *scratch)
{
	const cJSON *entry, *signer, *sigs, *sig, *type;
	avow_failure f;
	uint8_t s[64];
	cJSON *root;

	avow_leaf_hash(it->hint.leaf, rec, it->len);
	it->hint.have_leaf = 1;
	if (it->rc != AVOW_OK)
		return;
	memset(&f, 0, sizeof f);
	root = avow_record_parse(rec, it->len, &entry, msg, scratch, &f);
	if (root == NULL)
		return;
	signer = cJSON_GetObjectItemCaseSensitive(entry, "signer");
	type = cJSON_GetObjectItemCaseSensitive(entry, "type");
	sigs = cJSON_GetObjectItemCaseSensitive(root, "sigs");
	sig = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(sigs, 0),
					       "sig");
	if (cJSON_IsString(signer) && cJSON_IsString(sig) &&
	    avow_b64_decode_exact(s, 64, sig->valuestring,
				  strlen(sig->valuestring))) {
		int have = key_lookup(p, signer->valuestring, it->hint.pk);
		if (!have && cJSON_IsString(type) &&
		    strcmp(type->valuestring, "genesis") == 0) {
			/* The genesis names its own key. */
			const cJSON *k = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(entry, "body"),
				"key");
			avow_verifier vk;
			avow_error err;
			if (cJSON_IsString(k) &&
			    avow_verifier_parse(&vk, k->valuestring,
						strlen(k->valuestring),
						&err) == AVOW_OK &&
			    strcmp(vk.id, signer->valuestring) == 0) {
				memcpy(it->hint.pk, vk.pk, 32);
				have = 1;
			}
		}
		if (have) {
			it->hint.sig_checked = 1;
			it->hint.sig_ok = avow_sig_verify(s, msg->p, msg->len,
							  it->hint.pk);
		}
	}
	cJSON_Delete(root);
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
			work_item(p,
				  b->bytes.p ? b->bytes.p + b->it[i].off
					     : (const uint8_t *)"",
				  &b->it[i], &msg, &scratch);
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
	batch *b;
	item *it;

	/* The batch consumed last is free again: the caller is done with
	 * the record returned before. */
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < NBATCH; i++)
		if (p->b[i].state == 4) {
			p->b[i].state = 0;
			p->consumed++;
			p->pos = 0;
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
			if (p->b[i].state != 0 && p->b[i].order == p->consumed)
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
	it = &b->it[p->pos];
	*rec = b->bytes.p ? b->bytes.p + it->off : (const uint8_t *)"";
	*len = it->len;
	*hint = &it->hint;
	if (it->rc != AVOW_OK)
		avow_seterr(err, it->rc, "%s", it->msg ? it->msg : "");
	if (++p->pos == b->n) {
		/* Freed on the next call: *rec stays valid until then. */
		pthread_mutex_lock(&p->mu);
		b->state = 4;
		pthread_mutex_unlock(&p->mu);
	}
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
	free(p->keys);
	free(p->threads);
	free(p);
}
