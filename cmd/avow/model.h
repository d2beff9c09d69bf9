/*
 * model.h - the audited records a report is built from: every accepted
 * actor, claim, response, amend and key record, with its time, signer and
 * short leaf hash (bodies as recorded; amended bodies come from the audit
 * state).
 */
#ifndef AVOW_CMD_MODEL_H
#define AVOW_CMD_MODEL_H

#include "cli.h"
#include "json.h"
#include "state.h"

typedef struct {
	uint64_t seq;
	int type;
	int64_t time;
	char signer[AVOW_KEY_ID_MAX + 1];
	char leaf[9];	 /* the first 4 bytes of the leaf hash, in hex */
	char leaf64[45]; /* the whole leaf hash, base64 */
	uint64_t target; /* response or amend target, else UINT64_MAX */
	cJSON *body;	 /* as recorded */
} mrec;

typedef struct {
	mrec *r;
	size_t n, cap;
	int oom;
} model;

typedef struct {
	avow_log *log;
	avow_audit *audit;
	model m;
} audited;

/* Audit the log read-only, filling the model when want_model; prints the
 * failure and returns non-zero when the log fails its audit. */
int audit_for_reading(audited *x, int want_model);
void audited_free(audited *x);
/* The avow_observer_fn that fills a model (ctx is the model). */
void model_observe(void *ctx, const avow_accepted *a);
mrec *model_find(model *m, uint64_t seq);
/* Free the records and empty the model. */
void model_reset(model *m);

#endif
