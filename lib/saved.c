/*
 * saved.c - the saved audited state: what an audit of a log found (its
 * size, tree hash and state machine), kept in a file of the user's own
 * outside the log, so that the next audit checks only what was added.
 *
 * The file is an SQLite database, created 0600, with one row:
 *   saved(id = 1, format, log, genesis, size, root, state)
 * genesis is the leaf hash of record 0 (which log this is), size and root
 * the audited tree, state the state machine (avow_state_save) but for
 * its per-record part, which is in saved_chunk(chunk, data), one row per
 * AVOW_STATE_CHUNK records, so that an append rewrites only the chunks
 * it changed. Callers may keep tables of their own beside it (the report
 * index).
 *
 * Each audit through it checks, in O(log n) reads of the log's table
 * tree, that the log still extends the saved root; audits the records
 * from the saved size on, from the saved state; and saves the new state
 * in the same transaction as the caller's tables. Every earlier record
 * that is read again afterwards (an amend's target, a report's
 * statement) is checked with an inclusion proof against the audited root,
 * so nothing is taken from the log on trust. A file for another log (its
 * genesis differs) or of another version is replaced by a full audit.
 */
#include "store.h"

#include "json.h"
#include "syntax.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SAVED_FORMAT "avow-saved/4"

static const char saved_schema[] =
	"CREATE TABLE IF NOT EXISTS saved(id INTEGER PRIMARY KEY"
	" CHECK (id = 1), format TEXT NOT NULL, log TEXT NOT NULL,"
	" genesis BLOB NOT NULL, size INTEGER NOT NULL, root BLOB NOT NULL,"
	" state BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS saved_chunk(chunk INTEGER PRIMARY KEY,"
	" data BLOB NOT NULL);";

avow_status avow_log_use_saved_state(avow_log *log, const char *path,
				     avow_error *err)
{
	char *p = NULL;

	if (path != NULL && (p = avow_strdup(path)) == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	free(log->saved_path);
	log->saved_path = p;
	log->trusted_size = 0;
	/* The state kept after an append went with trusted_size. */
	avow_state_free(log->cache);
	log->cache = NULL;
	return AVOW_OK;
}

void avow_log_saved_hook(avow_log *log, avow_saved_hook fn, void *ctx)
{
	log->hook = fn;
	log->hook_ctx = ctx;
}

static avow_status sdb_err(avow_log *log, sqlite3 *db, const char *what,
			   avow_error *err)
{
	return avow_seterr(err, AVOW_ERR_IO, "%s: %s: %s", log->saved_path,
			   what, db ? sqlite3_errmsg(db) : "cannot open");
}

/* Open the saved-state file (created 0600) and take its write lock. */
static avow_status saved_open(avow_log *log, sqlite3 **out, avow_error *err)
{
	sqlite3 *db = NULL;
	struct stat sb;
	mode_t old = umask(077);
	int rc = sqlite3_open_v2(log->saved_path, &db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
				 NULL);

	umask(old);
	*out = NULL;
	if (rc != SQLITE_OK) {
		avow_status st =
			sdb_err(log, db, "opening the saved state", err);
		sqlite3_close(db);
		return st;
	}
	if (stat(log->saved_path, &sb) == 0 && (sb.st_mode & 077) != 0) {
		sqlite3_close(db);
		return avow_seterr(err, AVOW_ERR_PERMISSIONS,
				   "%s: the saved state is open to group or "
				   "others (mode %03o); chmod 600 it",
				   log->saved_path,
				   (unsigned)(sb.st_mode & 0777));
	}
	sqlite3_busy_timeout(db, 60000);
	if (sqlite3_exec(db, saved_schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK) {
		avow_status st =
			sdb_err(log, db, "opening the saved state", err);
		sqlite3_close(db);
		return st;
	}
	*out = db;
	return AVOW_OK;
}

/* The tree hash of the log's first `size` records, checked against the
 * audited root (size <= trusted_size). */
static avow_status root_at(void *ctx, uint64_t size, uint8_t out[32],
			   avow_error *err)
{
	avow_log *log = ctx;
	avow_consistency p;
	avow_status st;

	st = avow_tree_hash(avow_store_node_read, log, 0, size, out, err);
	if (st != AVOW_OK)
		return st;
	if (size == log->trusted_size) {
		if (sodium_memcmp(out, log->trusted_root, 32) == 0)
			return AVOW_OK;
	} else if (size < log->trusted_size &&
		   avow_tree_consistency(avow_store_node_read, log, size,
					 log->trusted_size, &p,
					 err) == AVOW_OK &&
		   avow_consistency_verify(&p, out, log->trusted_root, err) ==
			   AVOW_OK) {
		return AVOW_OK;
	}
	return avow_seterr(err, AVOW_ERR_AUDIT,
			   "%s: the tree hash of its first %llu records "
			   "differs from the one audited (state saved in "
			   "%s): records were changed, removed or reordered "
			   "since; run avow-verify to find which",
			   log->path, (unsigned long long)size,
			   log->saved_path);
}

avow_status avow_saved_root(avow_log *log, uint64_t size, uint8_t out[32],
			    avow_error *err)
{
	if (size == 0 || size > log->trusted_size)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "tree size %llu is not between 1 and the "
				   "%llu records audited",
				   (unsigned long long)size,
				   (unsigned long long)log->trusted_size);
	return root_at(log, size, out, err);
}

avow_status avow_saved_fetch(void *ctx, uint64_t seq, avow_buf *out,
			     avow_error *err)
{
	avow_log *log = ctx;
	avow_inclusion p;
	avow_status st = avow_store_fetch(log, seq, out, err);

	if (st != AVOW_OK || seq >= log->trusted_size)
		return st;
	st = avow_tree_inclusion(avow_store_node_read, log, seq,
				 log->trusted_size, &p, err);
	if (st != AVOW_OK)
		return st;
	avow_leaf_hash(p.leaf_hash, out->p, out->len);
	if (avow_inclusion_verify(&p, log->trusted_root, NULL) != AVOW_OK)
		return avow_seterr(err, AVOW_ERR_AUDIT,
				   "%s: record %llu is not the record audited "
				   "before (%s%s): the log was changed since; "
				   "run avow-verify",
				   log->path, (unsigned long long)seq,
				   log->saved_path ? "state saved in "
						   : "by this process",
				   log->saved_path ? log->saved_path : "");
	return AVOW_OK;
}

/* The leaf hash of the log's record 0, or -1. */
static int genesis_leaf(avow_log *log, uint8_t out[32])
{
	avow_buf b;
	avow_error err;
	int ok;

	avow_buf_init(&b);
	ok = avow_store_fetch(log, 0, &b, &err) == AVOW_OK;
	if (ok)
		avow_leaf_hash(out, b.p, b.len);
	avow_buf_free(&b);
	return ok ? 0 : -1;
}

/* Chunk c of the state being loaded, from the saved file (an
 * avow_chunk_fn; ctx is the log, whose chunk_q is open on that file). */
static int read_chunk(void *ctx, uint64_t c, const uint8_t **p, size_t *len)
{
	avow_log *log = ctx;
	sqlite3_stmt *q = log->chunk_q;

	if (q == NULL)
		return -1;
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)c);
	if (sqlite3_step(q) != SQLITE_ROW)
		return -1;
	*p = sqlite3_column_blob(q, 0);
	*len = (size_t)sqlite3_column_bytes(q, 0);
	return 0;
}

/* Close the saved file: after this no chunk can be read from it. */
static void close_saved(avow_log *log, sqlite3 *db)
{
	sqlite3_finalize(log->chunk_q);
	log->chunk_q = NULL;
	sqlite3_close(db);
}

/* How many records the chunks in db hold (9 bytes each), when they are
 * whole: chunks 0, 1, ... with no gap, each of AVOW_STATE_CHUNK records
 * but the last; else 0. Only their sizes are read: the chunks themselves
 * are read as records in them are needed (at a million records reading
 * them all is 12 MiB of fresh memory, most of an append's load). A state
 * whose rest claims another count is not used, nor allocated for. */
static uint64_t chunk_records(sqlite3 *db)
{
	sqlite3_stmt *q = NULL;
	uint64_t n = 0, c = 0;
	const sqlite3_int64 full = (sqlite3_int64)AVOW_STATE_CHUNK * 9;
	sqlite3_int64 last = full;

	if (sqlite3_prepare_v2(db,
			       "SELECT chunk, length(data) FROM saved_chunk"
			       " ORDER BY chunk",
			       -1, &q, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		sqlite3_int64 len = sqlite3_column_int64(q, 1);
		if (last != full || sqlite3_column_int64(q, 0) != (int64_t)c ||
		    len <= 0 || len > full || len % 9 != 0) {
			n = 0;
			break;
		}
		n += (uint64_t)len / 9;
		last = len;
		c++;
	}
	sqlite3_finalize(q);
	return n;
}

/* Load the saved state for this log, in the log's read transaction, and
 * check that the log still extends it. *st is NULL (and AVOW_OK
 * returned) when there is no usable state: the caller audits from 0. */
static avow_status load(avow_log *log, sqlite3 *db, avow_state **st,
			avow_error *err)
{
	sqlite3_stmt *q = NULL;
	uint8_t g[32], root[32], kept_root[32];
	uint64_t size = 0, n, kept_size = log->trusted_size, held = 0;
	avow_status rc = AVOW_OK;
	/* The state this handle saved last, if the file still holds it: no
	 * need to read it back. */
	avow_state *kept = log->cache;
	int fresh = 0;

	memcpy(kept_root, log->trusted_root, 32);
	log->cache = NULL;
	*st = NULL;
	log->trusted_size = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT genesis, size, root, state FROM saved"
			       " WHERE id = 1 AND format = '" SAVED_FORMAT "'",
			       -1, &q, NULL) != SQLITE_OK)
		return sdb_err(log, db, "reading the saved state", err);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 32 &&
	    sqlite3_column_bytes(q, 2) == 32 && genesis_leaf(log, g) == 0 &&
	    memcmp(g, sqlite3_column_blob(q, 0), 32) == 0) {
		size = (uint64_t)sqlite3_column_int64(q, 1);
		memcpy(root, sqlite3_column_blob(q, 2), 32);
		if (kept != NULL && kept_size == size &&
		    avow_state_count(kept) == size &&
		    sodium_memcmp(kept_root, root, 32) == 0) {
			*st = kept;
			kept = NULL;
		} else {
			held = chunk_records(db);
			*st = avow_state_load(
				sqlite3_column_blob(q, 3),
				(size_t)sqlite3_column_bytes(q, 3), held,
				avow_saved_fetch, log);
			fresh = 1;
		}
	}
	sqlite3_finalize(q);
	avow_state_free(kept);
	q = NULL;
	if (*st != NULL && fresh && log->chunk_q == NULL &&
	    sqlite3_prepare_v2(db,
			       "SELECT data FROM saved_chunk WHERE chunk = ?",
			       -1, &log->chunk_q, NULL) != SQLITE_OK) {
		avow_state_free(*st);
		*st = NULL;
		return sdb_err(log, db, "reading the saved state", err);
	}
	if (*st != NULL && fresh &&
	    (avow_state_count(*st) != held ||
	     avow_state_lazy(*st, read_chunk, log) < 0)) {
		avow_state_free(*st);
		*st = NULL;
	}
	if (*st == NULL || avow_state_count(*st) != size || size == 0) {
		avow_state_free(*st);
		*st = NULL;
		return AVOW_OK;
	}
	rc = avow_log_count(log, &n, err);
	if (rc == AVOW_OK && n < size)
		rc = avow_seterr(err, AVOW_ERR_AUDIT,
				 "%s holds %llu records, fewer than the %llu "
				 "audited before (state saved in %s): records "
				 "were removed; run avow-verify (if the log "
				 "was made anew on purpose, delete that "
				 "file)",
				 log->path, (unsigned long long)n,
				 (unsigned long long)size, log->saved_path);
	if (rc == AVOW_OK) {
		uint8_t got[32];
		log->trusted_size = size;
		memcpy(log->trusted_root, root, 32);
		rc = root_at(log, size, got, err);
	}
	if (rc != AVOW_OK) {
		log->trusted_size = 0;
		avow_state_free(*st);
		*st = NULL;
	}
	return rc;
}

/* Write the chunks of st's per-record part that changed since it was
 * loaded from db (all of them for a state made anew), and drop any
 * beyond its end. */
static int save_chunks(sqlite3 *db, const avow_state *st)
{
	sqlite3_stmt *q = NULL, *d = NULL;
	uint64_t n = avow_state_chunks(st);
	avow_buf b;
	int rc = -1;

	avow_buf_init(&b);
	if (sqlite3_prepare_v2(
		    db, "INSERT OR REPLACE INTO saved_chunk VALUES(?, ?)", -1,
		    &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM saved_chunk WHERE chunk >= ?",
			       -1, &d, NULL) != SQLITE_OK)
		goto out;
	for (uint64_t c = 0; c < n; c++) {
		avow_buf_reset(&b);
		if (!avow_state_chunk(st, c, 0, &b))
			continue;
		if (b.oom)
			goto out;
		sqlite3_bind_int64(q, 1, (sqlite3_int64)c);
		sqlite3_bind_blob64(q, 2, b.p, b.len, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			goto out;
		sqlite3_reset(q);
	}
	sqlite3_bind_int64(d, 1, (sqlite3_int64)n);
	if (sqlite3_step(d) == SQLITE_DONE)
		rc = 0;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(d);
	avow_buf_free(&b);
	return rc;
}

/* Save st (the audited state of the log's first avow_state_count(st)
 * records) and commit; or roll back when st is NULL. Closes db. */
avow_status avow_saved_close(avow_log *log, sqlite3 *db, avow_state *st,
			     avow_error *err)
{
	sqlite3_stmt *q = NULL;
	avow_buf blob;
	uint8_t g[32], root[32];
	avow_status rc = AVOW_OK;

	if (db == NULL)
		return AVOW_OK;
	if (st == NULL || avow_state_count(st) == 0 ||
	    avow_state_lazy_failed(st) || genesis_leaf(log, g)) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		close_saved(log, db);
		return AVOW_OK;
	}
	avow_buf_init(&blob);
	avow_state_save(st, &blob);
	avow_frontier_root(avow_state_frontier(st), root);
	if (blob.oom)
		rc = avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	else if (sqlite3_prepare_v2(
			 db,
			 "INSERT OR REPLACE INTO saved VALUES(1, '" SAVED_FORMAT
			 "', ?, ?, ?, ?, ?)",
			 -1, &q, NULL) != SQLITE_OK)
		rc = sdb_err(log, db, "saving the audited state", err);
	else {
		sqlite3_bind_text(q, 1, log->path, -1, SQLITE_STATIC);
		sqlite3_bind_blob(q, 2, g, 32, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)avow_state_count(st));
		sqlite3_bind_blob(q, 4, root, 32, SQLITE_STATIC);
		sqlite3_bind_blob64(q, 5, blob.p, blob.len, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE || save_chunks(db, st) < 0 ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			rc = sdb_err(log, db, "saving the audited state", err);
	}
	sqlite3_finalize(q);
	avow_buf_free(&blob);
	if (rc != AVOW_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	else {
		avow_state_saved(st);
		log->trusted_size = avow_state_count(st);
		memcpy(log->trusted_root, root, 32);
	}
	close_saved(log, db);
	return rc;
}

avow_status avow_saved_begin(avow_log *log, sqlite3 **db, avow_state **st,
			     avow_error *err)
{
	avow_status rc = saved_open(log, db, err);

	*st = NULL;
	if (rc == AVOW_OK)
		rc = load(log, *db, st, err);
	if (rc != AVOW_OK && *db != NULL) {
		sqlite3_exec(*db, "ROLLBACK", NULL, NULL, NULL);
		close_saved(log, *db);
		*db = NULL;
	}
	return rc;
}

avow_status avow_saved_audit(avow_log *log, const avow_audit_options *o,
			     avow_observer_fn obs, void *obs_ctx,
			     avow_audit **out, avow_error *err)
{
	sqlite3 *db = NULL;
	avow_state *st = NULL;
	avow_indexer *ix = NULL;
	avow_resume rs;
	avow_status rc;
	int moved;
	int src = sqlite3_exec(log->db, "BEGIN", NULL, NULL, NULL);

	*out = NULL;
	if (src != SQLITE_OK)
		return avow_store_err(log, src, "reading records", err);
	rc = avow_saved_begin(log, &db, &st, err);
	if (rc == AVOW_OK)
		rc = avow_indexer_open(&ix, db, log,
				       st == NULL ? AVOW_IX_REBUILD
						  : AVOW_IX_READ,
				       obs, obs_ctx, err);
	if (rc == AVOW_OK) {
		rs.st = st;
		rs.root_at = root_at;
		rs.ctx = log;
		st = NULL; /* the audit owns it now */
		rc = avow_store_audit(log, o, rs.st ? &rs : NULL,
				      avow_indexer_observe, ix, out, err);
	}
	avow_state_free(st);
	if (rc == AVOW_OK && avow_indexer_failed(ix))
		rc = avow_seterr(err, AVOW_ERR_IO,
				 "%s: cannot write the report index (%s); "
				 "use --no-saved-state, or free space",
				 log->saved_path, sqlite3_errmsg(db));
	moved = avow_indexer_changed(ix);
	avow_indexer_close(ix);
	/* The audit's state outlives the saved file: read the rest of it. */
	if (rc == AVOW_OK && *out != NULL &&
	    avow_state_load_rest(avow_audit_state(*out)) < 0)
		rc = avow_seterr(err, AVOW_ERR_IO,
				 "%s: a chunk of the saved state cannot be "
				 "read; use --no-saved-state, or remove that "
				 "file",
				 log->saved_path);
	if (*out != NULL)
		avow_state_set_fetch(avow_audit_state(*out), avow_saved_fetch,
				     log);
	if (rc == AVOW_OK && avow_audit_passed(*out) && log->hook != NULL)
		rc = log->hook(log->hook_ctx, db, log, *out,
			       avow_audit_started_at(*out), err);
	if (rc == AVOW_OK && avow_audit_passed(*out) &&
	    (avow_audit_started_at(*out) < avow_audit_size(*out) ||
	     avow_audit_started_at(*out) == 0)) {
		rc = avow_saved_close(log, db, avow_audit_state(*out), err);
	} else {
		/* Failed, or nothing new: the saved state stays as it is (the
		 * records appends left for later are kept, now indexed). */
		if (rc == AVOW_OK && moved && avow_audit_passed(*out) &&
		    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			rc = sdb_err(log, db,
				     "indexing what appends left for later",
				     err);
		avow_saved_close(log, db, NULL, NULL);
		if (rc == AVOW_OK && avow_audit_passed(*out)) {
			log->trusted_size = avow_audit_size(*out);
			avow_audit_root(*out, log->trusted_root);
		}
	}
	sqlite3_exec(log->db, "COMMIT", NULL, NULL, NULL);
	if (rc != AVOW_OK) {
		avow_audit_free(*out);
		*out = NULL;
	}
	return rc;
}

/* --------------------------------------------------------------------- */
/* The report index, kept beside the state for every record audited     */

static const char index_schema[] =
	"CREATE TABLE IF NOT EXISTS rx(seq INTEGER PRIMARY KEY,"
	" type INTEGER NOT NULL, target INTEGER, leaf BLOB NOT NULL,"
	" lo INTEGER, prec INTEGER);"
	"CREATE INDEX IF NOT EXISTS rx_target ON rx(target)"
	" WHERE target IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS rx_type ON rx(type);"
	"CREATE TABLE IF NOT EXISTS rx_actor(actor TEXT NOT NULL,"
	" lo INTEGER, prec INTEGER, seq INTEGER NOT NULL,"
	" PRIMARY KEY(actor, lo, prec, seq)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS rx_actor_seq ON rx_actor(seq);"
	"CREATE TABLE IF NOT EXISTS rx_actor_n(actor TEXT PRIMARY KEY,"
	" n INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE VIRTUAL TABLE IF NOT EXISTS rx_text USING fts5(body,"
	" tokenize='trigram case_sensitive 0');"
	"CREATE TABLE IF NOT EXISTS rx_pending(seq INTEGER PRIMARY KEY,"
	" leaf BLOB NOT NULL, amended TEXT);";

static const char index_drop[] = "DROP TABLE IF EXISTS rx;"
				 "DROP TABLE IF EXISTS rx_actor;"
				 "DROP TABLE IF EXISTS rx_actor_n;"
				 "DROP TABLE IF EXISTS rx_text;"
				 "DROP TABLE IF EXISTS rx_pending;";

enum {
	IX_RX,
	IX_ACTOR,
	IX_TEXT,
	IX_SPAN,
	IX_DEL_ACTOR,
	IX_DEL_TEXT,
	IX_COUNT_UP,
	IX_COUNT_DOWN,
	IX_PENDING,
	IX_N
};

static const char *const index_sql[IX_N] = {
	"INSERT INTO rx VALUES(?, ?, ?, ?, ?, ?)",
	"INSERT OR IGNORE INTO rx_actor VALUES(?, ?, ?, ?)",
	"INSERT INTO rx_text(rowid, body) VALUES(?, ?)",
	"UPDATE rx SET lo = ?, prec = ? WHERE seq = ?",
	"DELETE FROM rx_actor WHERE seq = ?",
	"DELETE FROM rx_text WHERE rowid = ?",
	"INSERT INTO rx_actor_n VALUES(?, 1)"
	" ON CONFLICT(actor) DO UPDATE SET n = n + 1",
	"UPDATE rx_actor_n SET n = n - 1"
	" WHERE actor IN (SELECT actor FROM rx_actor WHERE seq = ?)",
	"INSERT INTO rx_pending VALUES(?, ?, ?)",
};

struct avow_indexer {
	sqlite3 *db;
	sqlite3_stmt *q[IX_N];
	int failed;
	int defer;	       /* records go to rx_pending (AVOW_IX_APPEND) */
	int changed;	       /* records were indexed from rx_pending */
	avow_observer_fn next; /* the observer after this one */
	void *next_ctx;
};

static int ix_step(avow_indexer *ix, int i)
{
	int rc = sqlite3_step(ix->q[i]);

	sqlite3_reset(ix->q[i]);
	if (rc != SQLITE_DONE)
		ix->failed = 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *jstr_or(const cJSON *o, const char *k)
{
	const char *s = jstr(o, k);
	return s != NULL ? s : "";
}

/* The said_at span of statement body b (prec 0 when it has none). */
static void span_of(const cJSON *b, avow_span *sp)
{
	const char *said = jstr(b, "said_at");

	memset(sp, 0, sizeof *sp);
	if (said != NULL && !avow_parse_pdate(said, strlen(said), sp))
		memset(sp, 0, sizeof *sp);
}

/* Index statement seq with body b: its actors, and its words. */
static void index_statement(avow_indexer *ix, uint64_t seq, const cJSON *b)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(b, "with");
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(b, "source");
	const char *by = jstr(b, "by");
	avow_span sp;
	avow_buf t;

	span_of(b, &sp);
	for (const cJSON *a = by ? NULL : w; by != NULL || a != NULL;) {
		const char *id = by != NULL ? by : a->valuestring;
		sqlite3_stmt *q = ix->q[IX_ACTOR];
		if (id != NULL) {
			sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 2, sp.lo);
			sqlite3_bind_int(q, 3, sp.prec);
			sqlite3_bind_int64(q, 4, (sqlite3_int64)seq);
			if (ix_step(ix, IX_ACTOR) == 0 &&
			    sqlite3_changes(ix->db) == 1) {
				sqlite3_bind_text(ix->q[IX_COUNT_UP], 1, id, -1,
						  SQLITE_STATIC);
				ix_step(ix, IX_COUNT_UP);
			}
		}
		if (by != NULL) {
			by = NULL;
			a = w ? w->child : NULL;
		} else {
			a = a->next;
		}
	}
	avow_buf_init(&t);
	avow_buf_addf(&t, "%s\n%s\n%s\n%s\n", jstr_or(b, "text"),
		      jstr_or(b, "original"), jstr_or(src, "title"),
		      jstr_or(src, "publisher"));
	if (t.oom) {
		ix->failed = 1;
	} else {
		sqlite3_bind_int64(ix->q[IX_TEXT], 1, (sqlite3_int64)seq);
		sqlite3_bind_text(ix->q[IX_TEXT], 2, avow_buf_cstr(&t),
				  (int)t.len, SQLITE_STATIC);
		ix_step(ix, IX_TEXT);
	}
	avow_buf_free(&t);
}

/* Index record a now. */
static void index_record(avow_indexer *ix, const avow_accepted *a)
{
	const cJSON *tg = cJSON_GetObjectItemCaseSensitive(a->body, "target");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(tg, "seq");
	int64_t target = ts ? avow_json_int(ts) : -1;
	sqlite3_stmt *q = ix->q[IX_RX];
	int statement = a->type == AVOW_T_CLAIM || a->type == AVOW_T_RESPONSE;
	avow_span sp;

	if (statement)
		span_of(a->body, &sp);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)a->seq);
	sqlite3_bind_int(q, 2, a->type);
	if (target >= 0)
		sqlite3_bind_int64(q, 3, target);
	else
		sqlite3_bind_null(q, 3);
	sqlite3_bind_blob(q, 4, a->leaf, 32, SQLITE_STATIC);
	if (statement) {
		sqlite3_bind_int64(q, 5, sp.lo);
		sqlite3_bind_int(q, 6, sp.prec);
	} else {
		sqlite3_bind_null(q, 5);
		sqlite3_bind_null(q, 6);
	}
	ix_step(ix, IX_RX);
	if (statement)
		index_statement(ix, a->seq, a->body);
	if (a->type == AVOW_T_AMEND && a->amended != NULL && target >= 0) {
		/* The target's body changed: index it anew (an actor's
		 * rows are only its own: nothing to redo). */
		sqlite3_bind_int64(ix->q[IX_COUNT_DOWN], 1, target);
		sqlite3_bind_int64(ix->q[IX_DEL_ACTOR], 1, target);
		sqlite3_bind_int64(ix->q[IX_DEL_TEXT], 1, target);

		if (ix_step(ix, IX_COUNT_DOWN) == 0 &&
		    ix_step(ix, IX_DEL_ACTOR) == 0 &&
		    ix_step(ix, IX_DEL_TEXT) == 0 &&

		    jstr(a->amended, "said_at") != NULL) {
			span_of(a->amended, &sp);
			sqlite3_bind_int64(ix->q[IX_SPAN], 1, sp.lo);
			sqlite3_bind_int(ix->q[IX_SPAN], 2, sp.prec);
			sqlite3_bind_int64(ix->q[IX_SPAN], 3, target);
			ix_step(ix, IX_SPAN);
			index_statement(ix, (uint64_t)target, a->amended);
		}
	}
}

/* Keep record a for the next audit to index: its leaf hash (to know the
 * record again in the log), and an amend's result (which that audit's
 * state no longer holds). */
static void defer_record(avow_indexer *ix, const avow_accepted *a)
{
	sqlite3_stmt *q = ix->q[IX_PENDING];
	char *amended = NULL;

	if (a->type == AVOW_T_AMEND && a->amended != NULL &&
	    (amended = cJSON_PrintUnformatted(a->amended)) == NULL) {
		ix->failed = 1;
		return;
	}
	sqlite3_bind_int64(q, 1, (sqlite3_int64)a->seq);
	sqlite3_bind_blob(q, 2, a->leaf, 32, SQLITE_STATIC);
	if (amended != NULL)
		sqlite3_bind_text(q, 3, amended, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 3);
	ix_step(ix, IX_PENDING);
	cJSON_free(amended);
}

void avow_indexer_observe(void *ctx, const avow_accepted *a)
{
	avow_indexer *ix = ctx;

	if (ix->next != NULL)
		ix->next(ix->next_ctx, a);
	if (ix->failed)
		return;
	if (ix->defer)
		defer_record(ix, a);
	else
		index_record(ix, a);
}

/* Index, in seq order, the records that appends kept for later, read
 * from the log: each must be the record whose leaf hash the append saw. */
static avow_status index_pending(avow_indexer *ix, avow_log *log,
				 avow_error *err)
{
	sqlite3_stmt *q = NULL;
	avow_buf rec;
	avow_status st = AVOW_OK;
	int rc = sqlite3_prepare_v2(ix->db,
				    "SELECT seq, leaf, amended FROM rx_pending"
				    " ORDER BY seq",
				    -1, &q, NULL);

	avow_buf_init(&rec);
	while (rc == SQLITE_OK && st == AVOW_OK && !ix->failed &&
	       (rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(q, 0);
		const char *am = (const char *)sqlite3_column_text(q, 2);
		cJSON *root = NULL, *amended = NULL;
		uint8_t leaf[32];
		avow_accepted a;

		rc = SQLITE_OK;
		ix->changed = 1;
		st = avow_store_fetch(log, seq, &rec, err);
		if (st != AVOW_OK)
			break;
		avow_leaf_hash(leaf, rec.p, rec.len);
		if (sqlite3_column_bytes(q, 1) != 32 ||
		    sodium_memcmp(leaf, sqlite3_column_blob(q, 1), 32) != 0) {
			st = avow_seterr(err, AVOW_ERR_AUDIT,
					 "%s: record %llu is not the record "
					 "appended before (state saved in "
					 "%s): the log was changed since; "
					 "run avow-verify",
					 log->path, (unsigned long long)seq,
					 log->saved_path);
			break;
		}
		root = avow_json_parse((const char *)rec.p, rec.len, 0, NULL);
		amended = am ? avow_json_parse(am, strlen(am), 0, NULL) : NULL;
		memset(&a, 0, sizeof a);
		a.seq = seq;
		a.entry = cJSON_GetObjectItemCaseSensitive(root, "entry");
		a.type = avow_type_parse(jstr_or(a.entry, "type"));
		a.body = cJSON_GetObjectItemCaseSensitive(a.entry, "body");
		a.amended = amended;
		a.leaf = leaf;
		a.bytes = rec.p;
		a.len = rec.len;
		if (a.body == NULL || (am != NULL && amended == NULL))
			ix->failed = 1; /* out of memory */
		else
			index_record(ix, &a);
		cJSON_Delete(root);
		cJSON_Delete(amended);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		ix->failed = 1;
	sqlite3_finalize(q);
	avow_buf_free(&rec);
	if (st == AVOW_OK && ix->changed && !ix->failed &&
	    sqlite3_exec(ix->db, "DELETE FROM rx_pending", NULL, NULL, NULL) !=
		    SQLITE_OK)
		ix->failed = 1;
	return st;
}

avow_status avow_indexer_open(avow_indexer **out, sqlite3 *db, avow_log *log,
			      int mode, avow_observer_fn next, void *next_ctx,
			      avow_error *err)
{
	avow_indexer *ix = calloc(1, sizeof *ix);
	avow_status rc = AVOW_OK;

	*out = NULL;
	if (ix == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	ix->db = db;
	ix->next = next;
	ix->next_ctx = next_ctx;
	ix->defer = mode == AVOW_IX_APPEND;
	if ((mode == AVOW_IX_REBUILD &&
	     sqlite3_exec(db, index_drop, NULL, NULL, NULL) != SQLITE_OK) ||
	    sqlite3_exec(db, index_schema, NULL, NULL, NULL) != SQLITE_OK)
		ix->failed = 1;

	for (int i = 0; i < IX_N && !ix->failed; i++)
		if (sqlite3_prepare_v2(db, index_sql[i], -1, &ix->q[i], NULL) !=
		    SQLITE_OK)
			ix->failed = 1;
	if (!ix->failed && !ix->defer)
		rc = index_pending(ix, log, err);
	if (rc != AVOW_OK) {
		avow_indexer_close(ix);
		return rc;
	}
	if (ix->failed) {
		avow_status st = avow_seterr(
			err, AVOW_ERR_IO,
			"%s: the report index: %s (use "
			"--no-saved-state, or remove that file)",
			sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
		avow_indexer_close(ix);
		return st;
	}
	*out = ix;
	return AVOW_OK;
}

int avow_indexer_failed(const avow_indexer *ix)
{
	return ix != NULL && ix->failed;
}

int avow_indexer_changed(const avow_indexer *ix)
{
	return ix != NULL && ix->changed;
}

void avow_indexer_close(avow_indexer *ix)
{
	if (ix == NULL)
		return;
	for (int i = 0; i < IX_N; i++)
		sqlite3_finalize(ix->q[i]);
	free(ix);
}
