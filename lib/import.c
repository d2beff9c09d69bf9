/*
 * import.c - keep a local mirror of someone else's log: audit their
 * bundle and append the records the mirror lacks, all or none.
 *
 * One pass: the bundle is audited inside a BEGIN IMMEDIATE transaction on
 * the mirror, and each record the audit accepts is either compared with
 * the mirror's (seq below the mirror's size) or stored, with the tree
 * nodes it completes. Unless the whole audit passes and the mirror is a prefix
 * of the bundle, the transaction is rolled back and the mirror is as it
 * was.
 */
#include "store.h"

#include <stdio.h>
#include <string.h>

typedef struct {
	avow_log *log;
	uint64_t have; /* records the mirror held before */
	avow_frontier f;
	avow_tree_writer tw;
	avow_buf mine;
	sqlite3_stmt *ins;
	avow_status st;
	avow_error *err;
	char problem[512];
} importer;

/* Tree nodes that the mirror already holds are complete at a size of at
 * most `have`; store only the others. */
static void put_new_node(void *ctx, unsigned level, uint64_t idx,
			 const uint8_t hash[32])
{
	importer *im = ctx;

	if (((idx + 1) << level) > im->have)
		avow_store_node_put(&im->tw, level, idx, hash);
}

static void take(void *ctx, const avow_accepted *a)
{
	importer *im = ctx;
	int rc;

	if (im->st != AVOW_OK || im->problem[0])
		return;
	if (a->seq < im->have) {
		avow_error e;
		if (avow_store_fetch(im->log, a->seq, &im->mine, &e) !=
		    AVOW_OK) {
			im->st = avow_seterr(im->err, e.code, "%s", e.msg);
			return;
		}
		if (im->mine.len != a->len ||
		    memcmp(im->mine.p, a->bytes, a->len) != 0)
			snprintf(im->problem, sizeof im->problem,
				 "record %llu of the bundle differs from the "
				 "mirror's: the bundle does not extend the "
				 "mirror (the log was forked or rewritten)",
				 (unsigned long long)a->seq);
		avow_frontier_add(&im->f, a->leaf);
		return;
	}
	sqlite3_reset(im->ins);
	sqlite3_bind_int64(im->ins, 1, (sqlite3_int64)a->seq);
	sqlite3_bind_blob(im->ins, 2, a->bytes, (int)a->len, SQLITE_STATIC);
	rc = sqlite3_step(im->ins);
	sqlite3_reset(im->ins);
	if (rc != SQLITE_DONE) {
		im->st = avow_store_err(im->log, rc, "importing", im->err);
		return;
	}
	avow_frontier_add_nodes(&im->f, a->leaf, put_new_node, im);
	im->st = im->tw.st;
}

avow_status avow_log_import(avow_log *log, const char *bundle,
			    const avow_audit_options *o, avow_audit **audit,
			    uint64_t *added, avow_error *err)
{
	importer im;
	avow_source *src = NULL;
	avow_status st;
	int rc;

	*audit = NULL;
	*added = 0;
	if (log->flags & AVOW_OPEN_READONLY)
		return avow_seterr(err, AVOW_ERR_READONLY,
				   "%s: opened read-only", log->path);
	memset(&im, 0, sizeof im);
	im.log = log;
	im.err = err;
	im.tw.log = log;
	im.tw.st = AVOW_OK;
	im.tw.err = err;
	avow_frontier_init(&im.f);
	avow_buf_init(&im.mine);
	st = avow_bundle_source_open(&src, bundle, err);
	if (st != AVOW_OK)
		return st;
	st = avow_store_write_begin(log, "starting the import", err);
	if (st != AVOW_OK)
		goto out;
	st = avow_log_count(log, &im.have, err);
	if (st == AVOW_OK &&
	    (rc = sqlite3_prepare_v2(log->db,
				     "INSERT INTO records(seq, data) "
				     "VALUES(?, ?)",
				     -1, &im.ins, NULL)) != SQLITE_OK)
		st = avow_store_err(log, rc, "importing", err);
	if (st == AVOW_OK)
		st = avow_audit_run(src, o, take, &im, audit, err);
	if (st == AVOW_OK)
		st = im.st;
	if (st == AVOW_OK && !avow_audit_passed(*audit)) {
		const avow_failure *f = avow_audit_failure(*audit, 0);
		if (f->seq == UINT64_MAX)
			st = avow_seterr(err, AVOW_ERR_AUDIT,
					 "%s fails its audit (%s: %s); nothing "
					 "was imported",
					 bundle, f->check, f->detail);
		else
			st = avow_seterr(err, AVOW_ERR_AUDIT,
					 "%s fails its audit at record %llu "
					 "(%s: %s); nothing was imported",
					 bundle, (unsigned long long)f->seq,
					 f->check, f->detail);
	}
	if (st == AVOW_OK && im.problem[0])
		st = avow_seterr(err, AVOW_ERR_INVALID,
				 "%s; nothing was "
				 "imported",
				 im.problem);
	if (st == AVOW_OK && avow_audit_size(*audit) < im.have)
		st = avow_seterr(err, AVOW_ERR_INVALID,
				 "the mirror holds %llu records, the bundle "
				 "only %llu: the bundle does not extend the "
				 "mirror (records were removed); nothing was "
				 "imported",
				 (unsigned long long)im.have,
				 (unsigned long long)avow_audit_size(*audit));
	if (st == AVOW_OK) {
		rc = sqlite3_exec(log->db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			st = avow_store_err(log, rc, "importing", err);
		else
			*added = avow_audit_size(*audit) - im.have;
	}
	if (st != AVOW_OK)
		sqlite3_exec(log->db, "ROLLBACK", NULL, NULL, NULL);
out:
	if (*audit != NULL) /* the bundle closes; the mirror lives on */
		avow_state_set_fetch(avow_audit_state(*audit),
				     st == AVOW_OK ? avow_store_fetch : NULL,
				     st == AVOW_OK ? log : NULL);
	sqlite3_finalize(im.ins);
	avow_buf_free(&im.mine);
	avow_bundle_source_close(src);
	return st;
}
