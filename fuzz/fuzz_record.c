/*
 * fuzz_record.c - the record validator (lib/state.c). The input is one
 * record, fed as record 12 after the prefix log's genuine records 0..11
 * (fuzz.h), to a state that checks signatures; when it fails only at
 * its signature, it is fed again to one that trusts them
 * (AVOW_FEED_TRUSTED, as appends replay), so that mutated bodies are
 * also accepted and applied. Invariants:
 *  - a failure names seq 12, a non-empty check and a detail;
 *  - a record that fails its signature check passes trusted, unless the
 *    sigs member itself is malformed (the same failure either way);
 *  - after an accepted input, the state answers body, warning and key
 *    queries for every accepted record without failing, and the input
 *    counts as record 12 either way (its bytes feed the chain).
 */
#include "fuzz.h"
#include "state.h"

#include <string.h>

/* The input, which the state re-reads as record 12 once it is accepted
 * (bodies are fetched by seq, never kept). */
static const uint8_t *input;
static size_t input_len;

static avow_status fetch(void *ctx, uint64_t seq, avow_buf *out,
			 avow_error *err)
{
	const fuzz_prefix *px = fuzz_get_prefix();

	(void)ctx;
	avow_buf_reset(out);
	if (seq == FUZZ_PREFIX_N) {
		avow_buf_add(out, input, input_len);
		return out->oom ? AVOW_ERR_NOMEM : AVOW_OK;
	}
	if (seq > FUZZ_PREFIX_N) {
		if (err != NULL) {
			err->code = AVOW_ERR_NOT_FOUND;
			strcpy(err->msg, "no such record");
		}
		return AVOW_ERR_NOT_FOUND;
	}
	avow_buf_add(out, px->recs[seq], px->lens[seq]);
	return out->oom ? AVOW_ERR_NOMEM : AVOW_OK;
}

static avow_state *prefix_state(void)
{
	const fuzz_prefix *px = fuzz_get_prefix();
	avow_state *st = avow_state_new(fetch, NULL);
	avow_failure f;

	FUZZ_ASSERT(st != NULL);
	for (size_t i = 0; i < FUZZ_PREFIX_N; i++)
		FUZZ_ASSERT(avow_state_feed(st, (const uint8_t *)px->recs[i],
					    px->lens[i], AVOW_FEED_TRUSTED,
					    &f) == AVOW_OK);
	return st;
}

static void count_warning(void *ctx, uint64_t seq, const char *msg)
{
	FUZZ_ASSERT(seq <= FUZZ_PREFIX_N);
	FUZZ_ASSERT(msg != NULL && msg[0] != 0);
	(*(size_t *)ctx)++;
}

/* Query everything the state offers after the input. */
static void probe(avow_state *st)
{
	avow_error err;
	size_t nw = 0;

	FUZZ_ASSERT(avow_state_count(st) == FUZZ_PREFIX_N + 1);
	FUZZ_ASSERT(avow_state_warnings(st, count_warning, &nw, &err) ==
		    AVOW_OK);
	for (uint64_t s = 0; s <= FUZZ_PREFIX_N; s++) {
		int t = avow_state_type_of(st, s);
		if (t == AVOW_T_ACTOR || t == AVOW_T_CLAIM ||
		    t == AVOW_T_RESPONSE) {
			cJSON *b = avow_state_body(st, s, &err);
			FUZZ_ASSERT(b != NULL);
			cJSON_Delete(b);
		}
	}
	for (size_t i = 0; i < avow_state_key_count(st); i++) {
		avow_key_summary ks;
		int admin = 0;
		avow_state_key_at(st, i, &ks);
		FUZZ_ASSERT(ks.id != NULL && ks.verifier != NULL);
		(void)avow_state_key_authorised(st, ks.id, FUZZ_PREFIX_N + 1,
						&admin);
	}
	(void)avow_state_admin_count(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	avow_state *checked, *trusted;
	avow_failure f1, f2;
	avow_status r1, r2;

	fuzz_init();
	input = data;
	input_len = size;
	checked = prefix_state();
	memset(&f1, 0, sizeof f1);
	r1 = avow_state_feed(checked, data, size, 0, &f1);
	FUZZ_ASSERT(r1 == AVOW_OK || r1 == AVOW_ERR_INVALID ||
		    r1 == AVOW_ERR_NOMEM);
	FUZZ_ASSERT(avow_state_count(checked) == FUZZ_PREFIX_N + 1);
	if (r1 == AVOW_OK) {
		probe(checked);
		avow_state_free(checked);
		return 0;
	}
	FUZZ_ASSERT(f1.seq == FUZZ_PREFIX_N && f1.check != NULL &&
		    f1.check[0] != 0 && f1.detail[0] != 0);
	avow_state_free(checked);
	/* Signatures are checked last: a record that fails only there is
	 * accepted when trusted. Any other failure is the same either
	 * way, so the trusted state is worth its cost only here. */
	if (strcmp(f1.check, "signature") != 0)
		return 0;
	trusted = prefix_state();
	memset(&f2, 0, sizeof f2);
	r2 = avow_state_feed(trusted, data, size, AVOW_FEED_TRUSTED, &f2);
	if (r2 != AVOW_OK) {
		FUZZ_ASSERT(f2.seq == FUZZ_PREFIX_N && f2.check != NULL &&
			    strcmp(f2.check, "signature") == 0);
		FUZZ_ASSERT(strcmp(f1.detail, f2.detail) == 0);
	} else {
		probe(trusted);
	}
	avow_state_free(trusted);
	return 0;
}
