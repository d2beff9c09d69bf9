/*
 * audit.h - the streaming audit over a source of records (a bundle file
 * or a log's records table), with checkpoint checks (SPEC section 7).
 */
#ifndef AVOW_AUDIT_H
#define AVOW_AUDIT_H

#include "state.h"

typedef struct avow_source avow_source;
struct avow_source {
	/* The next record. AVOW_OK: *rec and *len hold it. AVOW_ERR_NOT_FOUND:
	 * no more records. AVOW_ERR_INVALID: a framing fault at this
	 * position, described in err->msg; *rec and *len hold the bytes when
	 * there are any (else *len is 0). Anything else: the source cannot
	 * go on (I/O or storage fault, in err), and the audit fails here. */
	avow_status (*next)(avow_source *s, const uint8_t **rec, size_t *len,
			    avow_error *err);
	avow_fetch_fn fetch;
	void *ctx;
};

/* A bundle file as a source. */
avow_status avow_bundle_source_open(avow_source **out, const char *path,
				    avow_error *err);
void avow_bundle_source_close(avow_source *s);

/* Run the audit. obs (may be NULL) sees every accepted record. */
avow_status avow_audit_run(avow_source *src, const avow_audit_options *o,
			   avow_observer_fn obs, void *obs_ctx,
			   avow_audit **out, avow_error *err);

/* Where an audit resumes: the state an earlier audit saved (the audit
 * takes it over, even on failure), whose records src does not repeat,
 * and the audited tree hash of any earlier size (for checkpoints of the
 * records already audited). */
typedef struct {
	avow_state *st;
	avow_status (*root_at)(void *ctx, uint64_t size, uint8_t out[32],
			       avow_error *err);
	void *ctx;
} avow_resume;

/* avow_audit_run from a saved state (rs may be NULL: from the start). */
avow_status avow_audit_resume(avow_source *src, const avow_audit_options *o,
			      const avow_resume *rs, avow_observer_fn obs,
			      void *obs_ctx, avow_audit **out, avow_error *err);

/* The seq the audit started from: 0, or the size of the saved state. */
uint64_t avow_audit_started_at(const avow_audit *a);

/* The state the audit ended with (owned by the audit). */
avow_state *avow_audit_state(const avow_audit *a);

/* Record that the log's derived index disagrees with the records. */
void avow_audit_set_index_problem(avow_audit *a, const char *msg);

#endif
