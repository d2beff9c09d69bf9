/*
 * saved_model.c - build a report's model from the report index that the
 * saved audited state keeps (lib/saved.c), instead of from a whole audit.
 *
 * The index names, for every audited record, its type, target, leaf hash,
 * actors, said_at span and words. A report picks the records it needs
 * from it (a thread, a page of an actor's statements, the statements a
 * search finds, with their threads, and the records that name keys and
 * actors), reads just those from the log, and checks each against the
 * leaf hash the audit recorded, so the log's own indexes are never
 * trusted and nothing is audited twice.
 */
#include "saved_model.h"

#include "store.h"
#include "syntax.h"

#include <stdlib.h>
#include <string.h>

sqlite3 *saved_index_open(const audited *x)
{
	sqlite3 *db = NULL;

	if (x->log == NULL || x->log->saved_path == NULL ||
	    x->log->trusted_size == 0)
		return NULL;
	if (sqlite3_open_v2(x->log->saved_path, &db, SQLITE_OPEN_READONLY,
			    NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 60000);
	/* One snapshot for every query of this report. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void saved_index_close(sqlite3 *db)
{
	if (db != NULL)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
}

int seqs_add(seqs *s, uint64_t v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint64_t *nv = realloc(s->v, cap * sizeof *nv);
		if (nv == NULL)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

void seqs_free(seqs *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

void seqs_sort(seqs *s)
{
	size_t o = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof *s->v, u64cmp);
	for (size_t i = 0; i < s->n; i++)
		if (o == 0 || s->v[i] != s->v[o - 1])
			s->v[o++] = s->v[i];
	s->n = o;
}

/* Add the seqs that query q returns (column 0); -1 on failure. */
static int add_rows(sqlite3_stmt *q, seqs *out)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (seqs_add(out, (uint64_t)sqlite3_column_int64(q, 0)) < 0)
			return -1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int saved_frame(sqlite3 *db, uint64_t size, seqs *out)
{
	sqlite3_stmt *q = NULL;
	int rc = -1;

	/* Genesis, keys, actors, and the amends of those. */
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT seq FROM rx WHERE type IN (1, 2, 3) AND seq < ?1"
		    " UNION ALL SELECT a.seq FROM rx a JOIN rx t ON"
		    " t.seq = a.target WHERE a.type = 6 AND a.target IS NOT"
		    " NULL AND t.type IN (1, 2, 3) AND a.seq < ?1",
		    -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, (sqlite3_int64)size);
		rc = add_rows(q, out);
	}
	sqlite3_finalize(q);
	return rc;
}

int saved_threads(sqlite3 *db, const seqs *of, uint64_t size, seqs *out)
{
	sqlite3_stmt *up = NULL, *down = NULL;
	seqs roots = {0};
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT type, target FROM rx WHERE seq = ?",
			       -1, &up, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		    db,
		    "WITH RECURSIVE t(s) AS (VALUES(?1) UNION SELECT rx.seq"
		    " FROM rx JOIN t ON rx.target = t.s WHERE rx.seq < ?2)"
		    " SELECT s FROM t",
		    -1, &down, NULL) != SQLITE_OK)
		goto out;
	/* Up from each record to the claim that starts its thread. */
	for (size_t i = 0; i < of->n; i++) {
		uint64_t root = of->v[i];
		if (seqs_add(out, root) < 0)
			goto out;
		for (int guard = 0; guard < 1 << 20; guard++) {
			sqlite3_reset(up);
			sqlite3_bind_int64(up, 1, (sqlite3_int64)root);
			if (sqlite3_step(up) != SQLITE_ROW ||
			    sqlite3_column_int(up, 0) != 5 /* response */ ||
			    sqlite3_column_type(up, 1) == SQLITE_NULL)
				break;
			root = (uint64_t)sqlite3_column_int64(up, 1);
			if (seqs_add(out, root) < 0)
				goto out;
		}
		if (seqs_add(&roots, root) < 0)
			goto out;
	}
	/* Down from each claim, once. */
	seqs_sort(&roots);
	for (size_t i = 0; i < roots.n; i++) {
		sqlite3_reset(down);
		sqlite3_bind_int64(down, 1, (sqlite3_int64)roots.v[i]);
		sqlite3_bind_int64(down, 2, (sqlite3_int64)size);
		if (add_rows(down, out) < 0)
			goto out;
	}
	rc = 0;
out:
	seqs_free(&roots);
	sqlite3_finalize(up);
	sqlite3_finalize(down);
	return rc;
}

/* The total from count, then the page from rows, which asks for one row
 * more than the page (it tells whether more follow). */
static int take_page(sqlite3_stmt *count, sqlite3_stmt *rows, size_t before,
		     actor_page *p)
{
	int rc;

	if (sqlite3_step(count) != SQLITE_ROW)
		return -1;
	p->total = (uint64_t)sqlite3_column_int64(count, 0);
	rc = add_rows(rows, &p->page);
	if (rc == 0 && p->page.n - before > p->limit) {
		p->page.n--;
		p->more = 1;
	}
	return rc;
}

int saved_actor_page(sqlite3 *db, uint64_t size, actor_page *p)
{
	sqlite3_stmt *q = NULL, *c = NULL;
	sqlite3_int64 lo = 0, prec = 0;
	size_t before = p->page.n;
	int rc = -1, src, whole = 0, keyset = p->after != UINT64_MAX;

	p->total = 0;
	p->more = p->missing = 0;
	/* Of the whole log, as saved: the running count. */
	if (p->last + 1 == size &&
	    sqlite3_prepare_v2(db, "SELECT size FROM saved", -1, &c, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(c) == SQLITE_ROW &&
	    (uint64_t)sqlite3_column_int64(c, 0) == size)
		whole = 1;
	sqlite3_finalize(c);
	c = NULL;
	/* After a statement: its place in the order, by one seek in
	 * rx_actor_seq, and the page by one seek from there in the primary
	 * key. lo and prec are never NULL (lib/saved.c binds 0 for a
	 * statement without said_at), so the row value compares. */
	if (keyset) {
		if (sqlite3_prepare_v2(db,
				       "SELECT lo, prec FROM rx_actor WHERE"
				       " seq = ?1 AND actor = ?2 AND seq <= ?3",
				       -1, &c, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_int64(c, 1, (sqlite3_int64)p->after);
		sqlite3_bind_text(c, 2, p->actor, -1, SQLITE_STATIC);
		sqlite3_bind_int64(c, 3, (sqlite3_int64)p->last);
		src = sqlite3_step(c);
		if (src == SQLITE_DONE) {
			p->missing = 1;
			rc = 0;
			goto out;
		}
		if (src != SQLITE_ROW)
			goto out;
		lo = sqlite3_column_int64(c, 0);
		prec = sqlite3_column_int64(c, 1);
		sqlite3_finalize(c);
		c = NULL;
	}
	/* At an offset, SQLite steps over the rows before it: O(offset).
	 * Of the whole log, every row is in the view, so the steps need not
	 * read each row's seq (?2 is then a constant, tested once): a third
	 * of the time at an offset of 250,000. */
	if (sqlite3_prepare_v2(
		    db,
		    keyset  ? "SELECT seq FROM rx_actor WHERE actor = ?1 AND"
			      " seq <= ?2 AND (lo, prec, seq) > (?4, ?5, ?6)"
			      " ORDER BY lo, prec, seq LIMIT ?3"
		    : whole ? "SELECT seq FROM rx_actor WHERE actor = ?1 AND"
			      " ?2 IS NOT NULL ORDER BY lo, prec, seq"
			      " LIMIT ?3 OFFSET ?4"
			    : "SELECT seq FROM rx_actor WHERE actor = ?1 AND"
			      " seq <= ?2 ORDER BY lo, prec, seq LIMIT ?3"
			      " OFFSET ?4",
		    -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		    db,
		    whole ? "SELECT coalesce((SELECT n FROM rx_actor_n WHERE"
			    " actor = ?1), 0 * ?2)"
			  : "SELECT count(*) FROM rx_actor WHERE actor = ?1"
			    " AND seq <= ?2",
		    -1, &c, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(q, 1, p->actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)p->last);
	/* One row more than the page tells whether more follow. */
	sqlite3_bind_int64(
		q, 3, p->limit >= INT64_MAX ? -1 : (sqlite3_int64)p->limit + 1);
	if (keyset) {
		sqlite3_bind_int64(q, 4, lo);
		sqlite3_bind_int64(q, 5, prec);
		sqlite3_bind_int64(q, 6, (sqlite3_int64)p->after);
	} else {
		sqlite3_bind_int64(q, 4,
				   p->offset > INT64_MAX
					   ? INT64_MAX
					   : (sqlite3_int64)p->offset);
	}
	sqlite3_bind_text(c, 1, p->actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c, 2, (sqlite3_int64)p->last);
	rc = take_page(c, q, before, p);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(c);
	return rc;
}

int saved_found_page(sqlite3 *db, const char *sql, const char *const *binds,
		     size_t nbinds, actor_page *p)
{
	sqlite3_stmt *q = NULL, *c = NULL;
	size_t before = p->page.n;
	avow_buf a, b;
	int rc = -1;

	p->total = 0;
	p->more = p->missing = 0;
	avow_buf_init(&a);
	avow_buf_init(&b);
	/* The words' numbered parameters come first; last and the page are
	 * numbers, spelled out. */
	avow_buf_addf(&a,
		      "SELECT count(*) FROM rx WHERE seq <= %llu AND seq IN"
		      " (%s)",
		      (unsigned long long)p->last, sql);
	avow_buf_addf(&b,
		      "SELECT seq FROM rx WHERE seq <= %llu AND seq IN (%s)"
		      " ORDER BY lo, prec, seq LIMIT %lld OFFSET %lld",
		      (unsigned long long)p->last, sql,
		      p->limit >= INT64_MAX ? -1LL : (long long)p->limit + 1,
		      p->offset > INT64_MAX ? (long long)INT64_MAX
					    : (long long)p->offset);
	if (a.oom || b.oom ||
	    sqlite3_prepare_v2(db, avow_buf_cstr(&a), -1, &c, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(db, avow_buf_cstr(&b), -1, &q, NULL) !=
		    SQLITE_OK)
		goto out;
	for (size_t i = 0; i < nbinds; i++) {
		sqlite3_bind_text(c, (int)i + 1, binds[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(q, (int)i + 1, binds[i], -1, SQLITE_STATIC);
	}
	rc = take_page(c, q, before, p);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(c);
	avow_buf_free(&a);
	avow_buf_free(&b);
	return rc;
}

int saved_amended_after(sqlite3 *db, uint64_t last, uint64_t size)
{
	sqlite3_stmt *q = NULL;
	int rc = -1;

	/* Through rx_type: the amends after last, by seq, and no others. */
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT EXISTS(SELECT 1 FROM rx a JOIN rx t ON t.seq ="
		    " a.target WHERE a.type = 6 AND a.seq > ?1 AND a.seq < ?2"
		    " AND t.type IN (4, 5) AND t.seq <= ?1)",
		    -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, (sqlite3_int64)last);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)size);
		if (sqlite3_step(q) == SQLITE_ROW)
			rc = sqlite3_column_int(q, 0) != 0;
	}
	sqlite3_finalize(q);
	return rc;
}

int saved_words(sqlite3 *db, const char *sql, const char *const *binds,
		size_t nbinds, uint64_t size, seqs *out)
{
	sqlite3_stmt *q = NULL;
	size_t before = out->n;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
		for (size_t i = 0; i < nbinds; i++)
			sqlite3_bind_text(q, (int)i + 1, binds[i], -1,
					  SQLITE_STATIC);
		rc = add_rows(q, out);
	}
	sqlite3_finalize(q);
	/* Only what the audit saw. */
	if (rc == 0) {
		size_t o = before;
		for (size_t i = before; i < out->n; i++)
			if (out->v[i] < size)
				out->v[o++] = out->v[i];
		out->n = o;
	}
	return rc;
}

/* Add record seq, read from the log and checked against leaf, to the
 * model. -1 when it cannot be read or is not the record audited. */
static int add_record(audited *x, uint64_t seq, int type, const void *leaf,
		      avow_buf *bytes, avow_buf *msg, avow_buf *scratch)
{
	avow_error err;
	avow_failure f;
	uint8_t got[32];
	const cJSON *entry;
	cJSON *root;
	avow_accepted a;
	int64_t t = 0;
	const cJSON *tm;

	if (avow_store_fetch(x->log, seq, bytes, &err) != AVOW_OK) {
		errorf("%s", err.msg);
		return -1;
	}
	avow_leaf_hash(got, bytes->p, bytes->len);
	if (leaf == NULL || memcmp(got, leaf, 32) != 0) {
		errorf("%s: record %llu is not the record audited before "
		       "(state saved in %s): the log was changed since; run "
		       "avow-verify",
		       x->log->path, (unsigned long long)seq,
		       x->log->saved_path);
		return -1;
	}
	root = avow_record_parse(bytes->p, bytes->len, &entry, msg, scratch,
				 &f);
	if (root == NULL) {
		errorf("%s: record %llu: %s", x->log->path,
		       (unsigned long long)seq, f.detail);
		return -1;
	}
	tm = cJSON_GetObjectItemCaseSensitive(entry, "time");
	if (cJSON_IsString(tm))
		avow_parse_time(tm->valuestring, strlen(tm->valuestring), &t);
	memset(&a, 0, sizeof a);
	a.seq = seq;
	a.type = type;
	a.entry = entry;
	a.body = cJSON_GetObjectItemCaseSensitive(entry, "body");
	a.leaf = got;
	a.time = t;
	a.bytes = bytes->p;
	a.len = bytes->len;
	model_observe(&x->m, &a);
	cJSON_Delete(root);
	return x->m.oom ? -1 : 0;
}

int model_from_saved(audited *x, sqlite3 *db, const seqs *want)
{
	sqlite3_stmt *q = NULL;
	avow_buf bytes, msg, scratch;
	uint64_t size = avow_audit_size(x->audit);
	int rc = 0, src;

	avow_buf_init(&bytes);
	avow_buf_init(&msg);
	avow_buf_init(&scratch);
	if (sqlite3_prepare_v2(db,
			       want != NULL
				       ? "SELECT seq, type, leaf FROM rx WHERE"
					 " seq = ?"
				       : "SELECT seq, type, leaf FROM rx WHERE"
					 " seq < ? ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK) {
		errorf("%s: the report index: %s", x->log->saved_path,
		       sqlite3_errmsg(db));
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && (want == NULL || i < want->n); i++) {
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1,
				   (sqlite3_int64)(want ? want->v[i] : size));
		do {
			src = sqlite3_step(q);
			if (src != SQLITE_ROW)
				break;
			if ((uint64_t)sqlite3_column_int64(q, 0) >= size)
				continue;
			rc = add_record(x, (uint64_t)sqlite3_column_int64(q, 0),
					sqlite3_column_int(q, 1),
					sqlite3_column_bytes(q, 2) == 32
						? sqlite3_column_blob(q, 2)
						: NULL,
					&bytes, &msg, &scratch);
		} while (rc == 0 && want == NULL);
		if (rc == 0 && src != SQLITE_DONE && src != SQLITE_ROW) {
			errorf("%s: the report index: %s", x->log->saved_path,
			       sqlite3_errmsg(db));
			rc = -1;
		}
		if (want == NULL)
			break;
	}
	sqlite3_finalize(q);
	avow_buf_free(&bytes);
	avow_buf_free(&msg);
	avow_buf_free(&scratch);
	if (rc == 0 && x->m.oom) {
		errorf("out of memory");
		rc = -1;
	}
	return rc;
}
