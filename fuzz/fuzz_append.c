/*
 * fuzz_append.c - the importer of drafts (lib/append.c): the input is
 * read as JSON Lines the way `avow append` reads a file (one draft a
 * line, blank lines skipped, a CR before the LF dropped, each draft's
 * label FILE:LINE and line number kept for {"line": k} targets), and
 * appended with avow_log_append, signed by the prefix log's admin key,
 * to a fresh copy of the prefix log (fuzz.h) in the scratch directory.
 * Each draft is handed over in its own exact-size buffer, without a NUL
 * after it. Invariants:
 *  - a failed append leaves the record count, and the tree hash, as they
 *    were, and says why;
 *  - a successful one adds exactly one record per draft from seq 12 on,
 *    and the log then passes its own audit, index included (avow must
 *    never write a record that its audit rejects).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DRAFTS 64
#define NOW	   (FUZZ_T0 + 3600)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[512];
	const fuzz_prefix *px;
	avow_draft drafts[MAX_DRAFTS];
	char labels[MAX_DRAFTS][32];
	char *copies[MAX_DRAFTS];
	size_t n = 0, off = 0;
	long line = 0;
	avow_log *log = NULL;
	avow_error err;
	avow_status st;
	uint64_t before = 0, after = 0, first = 0;
	uint8_t root[32];

	fuzz_init();
	px = fuzz_get_prefix();
	if (path[0] == 0)
		snprintf(path, sizeof path, "%s/append.db", fuzz_dir());
	while (off < size && n < MAX_DRAFTS) {
		const uint8_t *p = data + off;
		const uint8_t *nl = memchr(p, '\n', size - off);
		size_t ll = nl ? (size_t)(nl - p) : size - off;

		off += ll + (nl != NULL);
		line++;
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll == 0)
			continue;
		copies[n] = malloc(ll);
		FUZZ_ASSERT(copies[n] != NULL);
		memcpy(copies[n], p, ll);
		snprintf(labels[n], sizeof labels[n], "fuzz.jsonl:%ld", line);
		drafts[n].json = copies[n];
		drafts[n].len = ll;
		drafts[n].label = labels[n];
		drafts[n].line = line;
		n++;
	}
	if (n == 0)
		return 0;

	fuzz_prefix_db_to(path);
	FUZZ_ASSERT(avow_log_open(&log, path, 0, &err) == AVOW_OK);
	FUZZ_ASSERT(avow_log_count(log, &before, &err) == AVOW_OK);
	FUZZ_ASSERT(before == FUZZ_PREFIX_N);
	st = avow_log_append(log, fuzz_get_keys()->admin, drafts, n, NOW,
			     &first, &err);
	FUZZ_ASSERT(avow_log_count(log, &after, &err) == AVOW_OK);
	if (st != AVOW_OK) {
		FUZZ_ASSERT(after == before);
		FUZZ_ASSERT(err.code == st && err.msg[0] != 0);
		FUZZ_ASSERT(avow_log_root(log, before, root, &err) == AVOW_OK);
		FUZZ_ASSERT(memcmp(root, px->root, 32) == 0);
	} else {
		avow_audit *a = NULL;

		FUZZ_ASSERT(first == before && after == before + n);
		FUZZ_ASSERT(avow_audit_log(log, NULL, &a, &err) == AVOW_OK);
		if (!avow_audit_passed(a)) {
			const avow_failure *f = avow_audit_failure(a, 0);
			fprintf(stderr, "appended, then failed its audit: "
					"seq %llu %s: %s\n",
				(unsigned long long)f->seq, f->check,
				f->detail);
		}
		FUZZ_ASSERT(avow_audit_passed(a));
		FUZZ_ASSERT(avow_audit_index_problem(a) == NULL);
		FUZZ_ASSERT(avow_audit_size(a) == after);
		avow_audit_free(a);
	}
	avow_log_close(log);
	for (size_t i = 0; i < n; i++)
		free(copies[i]);
	return 0;
}
