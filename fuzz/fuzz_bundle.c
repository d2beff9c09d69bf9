/*
 * fuzz_bundle.c - a whole audit (lib/audit.c, lib/bundle.c, lib/state.c,
 * lib/note.c): the input is written to a file and audited as a bundle
 * with avow_audit_bundle, once stopping at the first failure and once
 * with `all`, each time given the prefix log's checkpoint (fuzz.h) and
 * the admin's verifier key. Invariants:
 *  - the audit always gives a verdict (AVOW_OK);
 *  - both modes agree on pass or fail and on the first failing seq;
 *  - failures are in seq order;
 *  - when every record passed, the origin is known, and consistency
 *    proofs made from the file (avow_bundle_consistency) verify against
 *    the audit's tree hash.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

static avow_audit *audit(const char *path, int all)
{
	const fuzz_prefix *px = fuzz_get_prefix();
	avow_checkpoint_in cp = {px->checkpoint, strlen(px->checkpoint),
				 avow_key_verifier(fuzz_get_keys()->admin),
				 "prefix checkpoint"};
	avow_audit_options o;
	avow_audit *a = NULL;
	avow_error err;

	memset(&o, 0, sizeof o);
	o.all = all;
	o.checkpoints = &cp;
	o.ncheckpoints = 1;
	FUZZ_ASSERT(avow_audit_bundle(path, &o, &a, &err) == AVOW_OK);
	FUZZ_ASSERT(a != NULL);
	return a;
}

static int records_ok(const avow_audit *a)
{
	size_t n = avow_audit_failure_count(a);

	return n == 0 || avow_audit_failure(a, 0)->seq == UINT64_MAX;
}

static void check_order(const avow_audit *a)
{
	size_t n = avow_audit_failure_count(a);

	for (size_t i = 0; i < n; i++) {
		const avow_failure *f = avow_audit_failure(a, i);
		FUZZ_ASSERT(f != NULL && f->check != NULL && f->check[0] != 0);
		if (i > 0)
			FUZZ_ASSERT(avow_audit_failure(a, i - 1)->seq <=
				    f->seq);
		if (f->seq != UINT64_MAX)
			FUZZ_ASSERT(f->seq < avow_audit_size(a) ||
				    avow_audit_size(a) == 0);
	}
	for (size_t i = 0; i < avow_audit_key_count(a); i++) {
		avow_key_summary ks;
		avow_audit_key(a, i, &ks);
		FUZZ_ASSERT(ks.id != NULL);
	}
}

static void check_proofs(const char *path, const avow_audit *a)
{
	uint64_t n = avow_audit_size(a);
	uint64_t ms[3] = {1, n / 2 ? n / 2 : 1, n};
	uint8_t root[32], old_root[32];
	avow_consistency p;
	avow_error err;

	avow_audit_root(a, root);
	for (size_t i = 0; i < 3; i++) {
		FUZZ_ASSERT(avow_bundle_consistency(path, ms[i], n, &p,
						    old_root,
						    &err) == AVOW_OK);
		FUZZ_ASSERT(avow_consistency_verify(&p, old_root, root,
						    &err) == AVOW_OK);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[512];
	avow_audit *first, *all;

	fuzz_init();
	(void)fuzz_get_prefix();
	if (path[0] == 0)
		snprintf(path, sizeof path, "%s/input.bundle", fuzz_dir());
	fuzz_write_file(path, data, size);
	first = audit(path, 0);
	all = audit(path, 1);
	check_order(first);
	check_order(all);
	FUZZ_ASSERT(avow_audit_passed(first) == avow_audit_passed(all));
	FUZZ_ASSERT(records_ok(first) == records_ok(all));
	if (!records_ok(first))
		FUZZ_ASSERT(avow_audit_failure(first, 0)->seq ==
			    avow_audit_failure(all, 0)->seq);
	if (records_ok(all)) {
		FUZZ_ASSERT(avow_audit_size(all) >= 1);
		FUZZ_ASSERT(avow_audit_origin(all) != NULL);
		check_proofs(path, all);
	}
	avow_audit_free(first);
	avow_audit_free(all);
	return 0;
}
