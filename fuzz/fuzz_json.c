/*
 * fuzz_json.c - lib/json.c: avow_json_parse, both flag sets, and the
 * RFC 8785 round trip. Invariants (abort when broken):
 *  - what parses with AVOW_JSON_AVOW_STRINGS also parses without it;
 *  - the canonical form of a parsed value parses again (with the same
 *    flags) and canonicalises to the same bytes;
 *  - the canonical form is valid UTF-8, and when the input already was
 *    canonical (byte-identical), nothing changes;
 *  - avow_json_keycmp is antisymmetric on an object's member names
 *    (the first 64 of the top object), and never 0 between two of them.
 */
#include "fuzz.h"
#include "json.h"

#include <string.h>

static void round_trip(const uint8_t *data, size_t size, unsigned flags)
{
	avow_error err;
	avow_buf c1, c2;
	cJSON *v, *w;

	v = avow_json_parse((const char *)data, size, flags, &err);
	if (v == NULL) {
		FUZZ_ASSERT(err.code == AVOW_ERR_SYNTAX ||
			    err.code == AVOW_ERR_NOMEM);
		return;
	}
	avow_buf_init(&c1);
	avow_buf_init(&c2);
	avow_json_canon(&c1, v);
	FUZZ_ASSERT(!c1.oom);
	FUZZ_ASSERT(avow_utf8_valid(c1.p, c1.len));
	w = avow_json_parse((const char *)c1.p, c1.len, flags, &err);
	FUZZ_ASSERT(w != NULL);
	avow_json_canon(&c2, w);
	FUZZ_ASSERT(!c2.oom);
	FUZZ_ASSERT(c1.len == c2.len && memcmp(c1.p, c2.p, c1.len) == 0);
	/* Member names of the top object: keycmp is a strict order. */
	if (cJSON_IsObject(v)) {
		const cJSON *a, *b;
		int i = 0, j;
		for (a = v->child; a != NULL && i < 64; a = a->next, i++)
			for (b = a->next, j = 0; b != NULL && j < 64;
			     b = b->next, j++) {
				int x = avow_json_keycmp(a->string, b->string);
				int y = avow_json_keycmp(b->string, a->string);
				FUZZ_ASSERT(x != 0); /* no duplicates */
				FUZZ_ASSERT((x < 0) == (y > 0));
			}
	}
	cJSON_Delete(w);
	cJSON_Delete(v);
	avow_buf_free(&c1);
	avow_buf_free(&c2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *strict, *loose;

	fuzz_init();
	strict = avow_json_parse((const char *)data, size,
				 AVOW_JSON_AVOW_STRINGS, NULL);
	loose = avow_json_parse((const char *)data, size, 0, NULL);
	FUZZ_ASSERT(strict == NULL || loose != NULL);
	cJSON_Delete(strict);
	cJSON_Delete(loose);
	round_trip(data, size, 0);
	round_trip(data, size, AVOW_JSON_AVOW_STRINGS);
	return 0;
}
