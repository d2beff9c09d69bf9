/*
 * audit.c - drive the state machine over a source, collect the verdict,
 * and check checkpoints against the tree hashes of the records.
 */
#include "audit.h"

#include "note.h"
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	uint64_t seq;
	char *msg;
} warning;

struct avow_audit {
	avow_state *st;
	avow_failure *fails;
	size_t nfails, fcap;
	warning *warns;
	size_t nwarns, wcap;
	uint64_t size;
	uint8_t root[32];
	size_t cps_ok;
	avow_cp_result *cpres; /* per checkpoint given */
	avow_checkpoint *cpv;
	size_t ncps;
	int complete; /* every record was read */
	uint64_t started_at;
	char *index_problem;
};

static int add_failure(avow_audit *a, const avow_failure *f)
{
	if (a->nfails == a->fcap) {
		size_t cap = a->fcap ? a->fcap * 2 : 8;
		avow_failure *nf = realloc(a->fails, cap * sizeof *nf);
		if (nf == NULL)
			return -1;
		a->fails = nf;
		a->fcap = cap;
	}
	a->fails[a->nfails++] = *f;
	return 0;
}

static void on_warning(void *ctx, uint64_t seq, const char *msg)
{
	avow_audit *a = ctx;
	size_t n = strlen(msg) + 1;

	if (a->nwarns == a->wcap) {
		size_t cap = a->wcap ? a->wcap * 2 : 8;
		warning *nw = realloc(a->warns, cap * sizeof *nw);
		if (nw == NULL)
			return;
		a->warns = nw;
		a->wcap = cap;
	}
	a->warns[a->nwarns].seq = seq;
	a->warns[a->nwarns].msg = malloc(n);
	if (a->warns[a->nwarns].msg != NULL) {
		memcpy(a->warns[a->nwarns].msg, msg, n);
		a->nwarns++;
	}
}

typedef struct {
	const avow_checkpoint_in *in;
	avow_checkpoint cp;
	int parsed;
	char problem[512];
	int have_root;
	uint8_t root[32];
} cpcheck;

static void cp_prepare(cpcheck *c, const avow_checkpoint_in *in)
{
	avow_verifier vk;
	avow_error err;

	memset(c, 0, sizeof *c);
	c->in = in;
	if (avow_verifier_parse(&vk, in->vkey, strlen(in->vkey), &err) !=
	    AVOW_OK) {
		snprintf(c->problem, sizeof c->problem, "verifier key: %s",
			 err.msg);
		return;
	}
	if (avow_checkpoint_open(&c->cp, in->note, in->len, &vk, &err) !=
	    AVOW_OK) {
		snprintf(c->problem, sizeof c->problem, "%s", err.msg);
		return;
	}
	c->parsed = 1;
}

static void cp_judge(avow_audit *a, cpcheck *c, size_t i)
{
	avow_failure f;
	avow_verifier vk;
	avow_error err;
	const char *origin = avow_state_origin(a->st);
	int admin = 0;

	memset(&f, 0, sizeof f);
	f.seq = UINT64_MAX;
	f.check = "checkpoint";
	if (c->parsed)
		a->cpv[i] = c->cp;
	a->cpres[i] = AVOW_CP_UNREADABLE;
#define CPFAIL(...)                                                            \
	do {                                                                   \
		char d_[600];                                                  \
		snprintf(d_, sizeof d_, __VA_ARGS__);                          \
		snprintf(f.detail, sizeof f.detail, "%s: %s",                  \
			 c->in->label ? c->in->label : "checkpoint", d_);      \
		add_failure(a, &f);                                            \
		return;                                                        \
	} while (0)
	if (!c->parsed)
		CPFAIL("%s", c->problem);
	a->cpres[i] = AVOW_CP_FOREIGN;
	if (origin == NULL || strcmp(c->cp.origin, origin) != 0)
		CPFAIL("origin \"%s\" is not this log's (\"%s\")", c->cp.origin,
		       origin ? origin : "");
	a->cpres[i] = AVOW_CP_BEYOND;
	if (c->cp.size > a->size)
		CPFAIL("tree size %llu is larger than the log's %llu records: "
		       "records were removed",
		       (unsigned long long)c->cp.size,
		       (unsigned long long)a->size);
	a->cpres[i] = AVOW_CP_FOREIGN;
	if (avow_verifier_parse(&vk, c->in->vkey, strlen(c->in->vkey), &err) !=
	    AVOW_OK)
		CPFAIL("verifier key: %s", err.msg);
	if (!avow_state_key_authorised(a->st, vk.id, c->cp.size - 1, &admin))
		CPFAIL("signed by %s, which is not a key of this log "
		       "authorised at seq %llu",
		       vk.id, (unsigned long long)c->cp.size - 1);
	if (!admin)
		CPFAIL("signed by %s, a recorder key; checkpoints need an "
		       "admin key",
		       vk.id);
	a->cpres[i] = AVOW_CP_DIFFERS;
	if (!c->have_root || memcmp(c->root, c->cp.root, 32) != 0)
		CPFAIL("the tree hash of the first %llu records differs from "
		       "the checkpoint's: the log was rewritten since it was "
		       "signed",
		       (unsigned long long)c->cp.size);
#undef CPFAIL
	a->cpres[i] = AVOW_CP_OK;
	a->cps_ok++;
}

/* The observer in front of the caller's: it tells the pipeline's workers
 * the keys the audit accepts. */
typedef struct {
	avow_pipe *pipe;
	avow_observer_fn obs;
	void *obs_ctx;
} key_tap;

static void tap(void *ctx, const avow_accepted *a)
{
	key_tap *t = ctx;

	if (t->pipe != NULL &&
	    (a->type == AVOW_T_KEY || a->type == AVOW_T_GENESIS)) {
		const cJSON *k =
			cJSON_GetObjectItemCaseSensitive(a->body, "key");
		avow_verifier vk;
		avow_error err;
		if (cJSON_IsString(k) &&
		    avow_verifier_parse(&vk, k->valuestring,
					strlen(k->valuestring),
					&err) == AVOW_OK)
			avow_pipe_add_key(t->pipe, vk.id, vk.pk);
	}
	if (t->obs != NULL)
		t->obs(t->obs_ctx, a);
}

avow_status avow_audit_run(avow_source *src, const avow_audit_options *o,
			   avow_observer_fn obs, void *obs_ctx,
			   avow_audit **out, avow_error *err)
{
	return avow_audit_resume(src, o, NULL, obs, obs_ctx, out, err);
}

uint64_t avow_audit_started_at(const avow_audit *a)
{
	return a->started_at;
}

/* Tell the pipeline's workers the keys a resumed state already holds. */
static void pipe_keys(avow_pipe *p, const avow_state *st)
{
	for (size_t i = 0; p != NULL && i < avow_state_key_count(st); i++) {
		avow_key_summary k;
		avow_verifier vk;
		avow_error err;
		avow_state_key_at(st, i, &k);
		if (avow_verifier_parse(&vk, k.verifier, strlen(k.verifier),
					&err) == AVOW_OK)
			avow_pipe_add_key(p, vk.id, vk.pk);
	}
}

avow_status avow_audit_resume(avow_source *src, const avow_audit_options *o,
			      const avow_resume *rs, avow_observer_fn obs,
			      void *obs_ctx, avow_audit **out, avow_error *err)
{
	key_tap kt;
	static const avow_audit_options none;
	avow_audit *a;
	cpcheck *cps = NULL;
	size_t ncps;
	avow_status rc;

	if (o == NULL)
		o = &none;
	ncps = o->ncheckpoints;
	*out = NULL;
	a = calloc(1, sizeof *a);
	if (a == NULL ||
	    (ncps && ((cps = calloc(ncps, sizeof *cps)) == NULL ||
		      (a->cpres = calloc(ncps, sizeof *a->cpres)) == NULL ||
		      (a->cpv = calloc(ncps, sizeof *a->cpv)) == NULL))) {
		if (a != NULL) {
			free(a->cpres);
			free(a->cpv);
		}
		free(cps);
		free(a);
		if (rs != NULL)
			avow_state_free(rs->st);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	a->ncps = ncps;
	for (size_t i = 0; i < ncps; i++)
		a->cpres[i] = AVOW_CP_UNCHECKED;
	a->st = rs != NULL ? rs->st : avow_state_new(src->fetch, src->ctx);
	if (a->st == NULL) {
		free(cps);
		free(a->cpres);
		free(a->cpv);
		free(a);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	a->started_at = avow_state_count(a->st);
	kt.pipe = avow_pipe_start(src, o->jobs);
	if (rs != NULL)
		pipe_keys(kt.pipe, a->st);
	kt.obs = obs;
	kt.obs_ctx = obs_ctx;
	if (obs != NULL || kt.pipe != NULL)
		avow_state_observe(a->st, tap, &kt);
	for (size_t i = 0; i < ncps; i++) {
		cp_prepare(&cps[i], &o->checkpoints[i]);
		/* A checkpoint of records already audited: its tree hash
		 * comes from the saved state's. */
		if (rs != NULL && cps[i].parsed && cps[i].cp.size > 0 &&
		    cps[i].cp.size <= a->started_at) {
			avow_error rerr;
			cps[i].have_root =
				rs->root_at(rs->ctx, cps[i].cp.size,
					    cps[i].root, &rerr) == AVOW_OK;
		}
	}

	for (;;) {
		const uint8_t *rec;
		size_t len;
		avow_failure f;
		avow_error serr;
		uint64_t seq = avow_state_count(a->st);
		const avow_feed_hint *hint = NULL;

		memset(&f, 0, sizeof f);
		serr.msg[0] = 0;
		if (kt.pipe != NULL)
			rc = avow_pipe_next(kt.pipe, &rec, &len, &serr, &hint);
		else
			rc = src->next(src, &rec, &len, &serr);
		if (rc == AVOW_ERR_NOT_FOUND) {
			a->complete = 1;
			break;
		}
		if (rc != AVOW_OK && rc != AVOW_ERR_INVALID) {
			f.seq = seq;
			f.check = rc == AVOW_ERR_NOMEM ? "memory" : "storage";
			snprintf(f.detail, sizeof f.detail, "%s", serr.msg);
			add_failure(a, &f);
			break;
		}
		if (avow_state_feed_hint(a->st, rec ? rec : (const uint8_t *)"",
					 len, 0, hint, &f) == AVOW_OK &&
		    rc == AVOW_OK) {
			/* accepted */
		} else {
			if (rc == AVOW_ERR_INVALID) {
				f.seq = seq;
				f.check = "framing";
				snprintf(f.detail, sizeof f.detail, "%s",
					 serr.msg);
			}
			if (add_failure(a, &f) < 0 ||
			    strcmp(f.check, "memory") == 0 || !o->all)
				break;
		}
		for (size_t i = 0; i < ncps; i++)
			if (cps[i].parsed && cps[i].cp.size == seq + 1) {
				avow_frontier_root(avow_state_frontier(a->st),
						   cps[i].root);
				cps[i].have_root = 1;
			}
		if (o->progress != NULL && (seq & 4095) == 0)
			o->progress(o->progress_ctx, seq + 1);
	}
	avow_pipe_stop(kt.pipe);
	avow_state_observe(a->st, NULL, NULL); /* kt dies with this frame */
	a->size = avow_state_count(a->st);
	avow_frontier_root(avow_state_frontier(a->st), a->root);
	if (a->complete) {
		avow_error werr;
		if (avow_state_warnings(a->st, on_warning, a, &werr) !=
		    AVOW_OK) {
			avow_failure f = {a->size, "storage", ""};
			snprintf(f.detail, sizeof f.detail, "%s", werr.msg);
			add_failure(a, &f);
		}
		for (size_t i = 0; i < ncps; i++)
			cp_judge(a, &cps[i], i);
	}
	free(cps);
	*out = a;
	return AVOW_OK;
}

avow_status avow_audit_bundle(const char *path, const avow_audit_options *o,
			      avow_audit **out, avow_error *err)
{
	avow_source *src;
	avow_status rc;

	*out = NULL;
	rc = avow_bundle_source_open(&src, path, err);
	if (rc != AVOW_OK)
		return rc;
	rc = avow_audit_run(src, o, NULL, NULL, out, err);
	if (*out != NULL)
		avow_state_set_fetch(avow_audit_state(*out), NULL, NULL);
	avow_bundle_source_close(src);
	return rc;
}

avow_state *avow_audit_state(const avow_audit *a)
{
	return a->st;
}

int avow_audit_passed(const avow_audit *a)
{
	return a->nfails == 0 && a->complete;
}

size_t avow_audit_failure_count(const avow_audit *a)
{
	return a->nfails;
}

const avow_failure *avow_audit_failure(const avow_audit *a, size_t i)
{
	return i < a->nfails ? &a->fails[i] : NULL;
}

size_t avow_audit_warning_count(const avow_audit *a)
{
	return a->nwarns;
}

const char *avow_audit_warning(const avow_audit *a, size_t i, uint64_t *seq)
{
	if (i >= a->nwarns)
		return NULL;
	if (seq != NULL)
		*seq = a->warns[i].seq;
	return a->warns[i].msg;
}

uint64_t avow_audit_size(const avow_audit *a)
{
	return a->size;
}

const char *avow_audit_origin(const avow_audit *a)
{
	return avow_state_origin(a->st);
}

void avow_audit_root(const avow_audit *a, uint8_t root[32])
{
	memcpy(root, a->root, 32);
}

avow_cp_result avow_audit_checkpoint(const avow_audit *a, size_t i,
				     avow_checkpoint *cp)
{
	if (cp != NULL)
		memset(cp, 0, sizeof *cp);
	if (i >= a->ncps)
		return AVOW_CP_UNCHECKED;
	if (cp != NULL)
		*cp = a->cpv[i];
	return a->cpres[i];
}

size_t avow_audit_checkpoints_ok(const avow_audit *a)
{
	return a->cps_ok;
}

uint64_t avow_audit_type_count(const avow_audit *a, const char *type)
{
	return avow_state_type_count(a->st, avow_type_parse(type));
}

size_t avow_audit_key_count(const avow_audit *a)
{
	return avow_state_key_count(a->st);
}

void avow_audit_key(const avow_audit *a, size_t i, avow_key_summary *out)
{
	avow_state_key_at(a->st, i, out);
}

void avow_audit_set_index_problem(avow_audit *a, const char *msg)
{
	size_t n = strlen(msg) + 1;

	free(a->index_problem);
	a->index_problem = malloc(n);
	if (a->index_problem != NULL)
		memcpy(a->index_problem, msg, n);
}

const char *avow_audit_index_problem(const avow_audit *a)
{
	return a->index_problem;
}

void avow_audit_free(avow_audit *a)
{
	if (a == NULL)
		return;
	free(a->index_problem);
	free(a->cpres);
	free(a->cpv);
	avow_state_free(a->st);
	for (size_t i = 0; i < a->nwarns; i++)
		free(a->warns[i].msg);
	free(a->warns);
	free(a->fails);
	free(a);
}
