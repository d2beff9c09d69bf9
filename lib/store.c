/*
 * store.c - logs in SQLite: schema, open, read, export, audit, index.
 *
 * Schema (format version 1, table layout 2 in PRAGMA user_version):
 *   avow_meta(name, value)        format = avow-log, version = 1
 *   records(seq, data)            the record bytes exactly as signed;
 *                                 triggers abort UPDATE and DELETE and
 *                                 any INSERT out of seq order
 *   tree(size, level, hash)       derived: the hash of every perfect
 *                                 subtree (RFC 9162) of at least
 *                                 2^AVOW_TREE_LOW leaves, the node at
 *                                 level l and index i keyed by the tree
 *                                 size at which it is complete,
 *                                 (i + 1) << l, so that appends and audits
 *                                 walk the table in key order; roots and
 *                                 proofs read O(log n) rows, and hash the
 *                                 records of lower nodes (fewer than
 *                                 2^AVOW_TREE_LOW each) themselves
 * Layout 1, written by earlier versions, also had table record_index and
 * the tree's lower levels. Nothing reads them; the first write (append,
 * import, reindex) drops them.
 */
#include "store.h"

#include "json.h"
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define APP_ID 0x61766f77 /* "avow" */

static const char schema[] =
	"PRAGMA application_id = 1635151735;"
	"PRAGMA user_version = 2;"
	"CREATE TABLE avow_meta(name TEXT PRIMARY KEY NOT NULL,"
	" value TEXT NOT NULL) WITHOUT ROWID;"
	"INSERT INTO avow_meta VALUES('format', 'avow-log'), ('version', '1');"
	"CREATE TABLE records(seq INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	"CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN"
	" SELECT RAISE(ABORT, 'avow: records are append-only'); END;"
	"CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN"
	" SELECT RAISE(ABORT, 'avow: records are append-only'); END;"
	"CREATE TRIGGER records_in_order BEFORE INSERT ON records"
	" WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM records) + 1, 0)"
	" BEGIN SELECT RAISE(ABORT, 'avow: records are appended in seq order');"
	" END;"
	"CREATE TRIGGER meta_no_update BEFORE UPDATE ON avow_meta BEGIN"
	" SELECT RAISE(ABORT, 'avow: the log header is fixed'); END;"
	"CREATE TRIGGER meta_no_delete BEFORE DELETE ON avow_meta BEGIN"
	" SELECT RAISE(ABORT, 'avow: the log header is fixed'); END;"
	"CREATE TABLE tree(size INTEGER NOT NULL, level INTEGER NOT NULL,"
	" hash BLOB NOT NULL, PRIMARY KEY(size, level)) WITHOUT ROWID;";

avow_status avow_store_err(avow_log *log, int rc, const char *what,
			   avow_error *err)
{
	const char *msg =
		log && log->db ? sqlite3_errmsg(log->db) : sqlite3_errstr(rc);
	const char *path = log && log->path ? log->path : "log";

	switch (rc & 0xFF) {
	case SQLITE_NOTADB:
		return avow_seterr(err, AVOW_ERR_NOT_LOG,
				   "%s: not an avow log (not an SQLite "
				   "database)",
				   path);
	case SQLITE_CORRUPT:
		return avow_seterr(err, AVOW_ERR_CORRUPT,
				   "%s: %s: the database is corrupt (%s)", path,
				   what, msg);
	case SQLITE_FULL:
		return avow_seterr(err, AVOW_ERR_FULL,
				   "%s: %s: the disk or database is full; "
				   "nothing was written",
				   path, what);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return avow_seterr(err, AVOW_ERR_BUSY,
				   "%s: %s: another process held the log for "
				   "too long; try again",
				   path, what);
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		return avow_seterr(err, AVOW_ERR_READONLY,
				   "%s: %s: cannot write the log (%s)", path,
				   what, msg);
	case SQLITE_NOMEM:
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	case SQLITE_IOERR:
		/* e.g. no room to make the -shm file beside the log */
		if (log && log->db && sqlite3_system_errno(log->db) == ENOSPC)
			return avow_seterr(err, AVOW_ERR_FULL,
					   "%s: %s: the disk is full; nothing "
					   "was written",
					   path, what);
		return avow_seterr(err, AVOW_ERR_IO, "%s: %s: I/O error (%s)",
				   path, what, msg);
	default:
		return avow_seterr(err, AVOW_ERR_IO, "%s: %s: %s", path, what,
				   msg);
	}
}

static avow_status log_alloc(avow_log **out, const char *path, avow_error *err)
{
	avow_log *log = calloc(1, sizeof *log);

	*out = NULL;
	if (log == NULL || (log->path = avow_strdup(path)) == NULL) {
		free(log);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	*out = log;
	return AVOW_OK;
}

static avow_status setup(avow_log *log, int readonly, avow_error *err)
{
	int rc;

	sqlite3_busy_timeout(log->db, 60000);
	sqlite3_extended_result_codes(log->db, 0);
	if (!readonly) {
		rc = sqlite3_exec(log->db,
				  "PRAGMA journal_mode=WAL;"
				  "PRAGMA synchronous=FULL;",
				  NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return avow_store_err(log, rc, "setting up", err);
	}
	rc = sqlite3_prepare_v2(log->db,
				"SELECT data FROM records WHERE seq = ?", -1,
				&log->get, NULL);
	if (rc != SQLITE_OK)
		return avow_store_err(log, rc, "reading records", err);
	return AVOW_OK;
}

avow_status avow_log_create(avow_log **out, const char *path, avow_error *err)
{
	avow_log *log;
	avow_status st;
	struct stat sb;
	int rc;

	*out = NULL;
	if (stat(path, &sb) == 0)
		return avow_seterr(err, AVOW_ERR_EXISTS,
				   "%s already exists; choose another path or "
				   "remove it",
				   path);
	st = log_alloc(&log, path, err);
	if (st != AVOW_OK)
		return st;
	rc = sqlite3_open_v2(path, &log->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOFOLLOW,
			     NULL);
	if (rc != SQLITE_OK) {
		st = avow_store_err(log, rc, "creating", err);
		avow_log_close(log);
		return st;
	}
	/* 16 KiB pages: a bulk append's commit copies a quarter as many
	 * WAL frames into the file (docs/PERFORMANCE.md, fifth round). */
	rc = sqlite3_exec(log->db,
			  "PRAGMA page_size=" AVOW_PAGE_SIZE ";"
			  "PRAGMA journal_mode=WAL;",
			  NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(log->db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(log->db, schema, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(log->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		st = avow_store_err(log, rc, "creating", err);
		avow_log_close(log);
		(void)remove(path); /* best effort */
		return st;
	}
	st = setup(log, 0, err);
	if (st != AVOW_OK) {
		avow_log_close(log);
		return st;
	}
	*out = log;
	return AVOW_OK;
}

/* Whether the file path + sfx exists with at least min bytes. */
static int beside(const char *path, const char *sfx, off_t min)
{
	char *w = malloc(strlen(path) + strlen(sfx) + 1);
	struct stat sb;
	int r;

	if (w == NULL)
		return 1; /* (do not guess) */
	sprintf(w, "%s%s", path, sfx);
	r = stat(w, &sb) == 0 && sb.st_size >= min;
	free(w);
	return r;
}

/* Open path read-only as an immutable file: SQLite then neither creates
 * nor reads the -shm and -wal files beside it, which a log on read-only
 * storage cannot have made for it. Right only when there is no -wal with
 * records in it (they would be left out). */
static int open_immutable(avow_log *log, const char *path)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(path);
	char *uri = malloc(3 * n + 32), *u;
	int rc;

	if (uri == NULL)
		return SQLITE_NOMEM;
	u = uri + sprintf(uri, path[0] == '/' ? "file://" : "file:");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (*c == '%' || *c == '?' || *c == '#' || *c < 0x21 ||
		    *c > 0x7e) {
			*u++ = '%';
			*u++ = hex[*c >> 4];
			*u++ = hex[*c & 15];
		} else {
			*u++ = (char)*c;
		}
	}
	memcpy(u, "?immutable=1", sizeof "?immutable=1");
	sqlite3_close(log->db);
	log->db = NULL;
	if (stat(path, &log->imm) != 0) {
		free(uri);
		return SQLITE_CANTOPEN;
	}
	log->immutable = 1;
	rc = sqlite3_open_v2(uri, &log->db,
			     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	free(uri);
	return rc;
}

int avow_store_changed(const avow_log *log)
{
	struct stat now;

	if (!log->immutable)
		return 0;
	return stat(log->path, &now) != 0 || now.st_ino != log->imm.st_ino ||
	       now.st_dev != log->imm.st_dev ||
	       now.st_size != log->imm.st_size ||
	       now.st_mtim.tv_sec != log->imm.st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != log->imm.st_mtim.tv_nsec ||
	       beside(log->path, "-wal", 1);
}

/* The error when a log read as immutable changed under its reader. */
static avow_status changed_err(const avow_log *log, avow_error *err)
{
	return avow_seterr(err, AVOW_ERR_IO,
			   "%s: the log changed while it was read (it is "
			   "being written through another path): nothing can "
			   "be concluded from this read; read it again",
			   log->path);
}

avow_status avow_log_open(avow_log **out, const char *path, unsigned flags,
			  avow_error *err)
{
	avow_log *log;
	avow_status st;
	struct stat sb;
	sqlite3_stmt *q = NULL;
	int rc, ro = (flags & AVOW_OPEN_READONLY) != 0;
	long version = 0;
	int app_ok = 0;

	*out = NULL;
	if (stat(path, &sb) != 0)
		return avow_seterr(
			err, errno == ENOENT ? AVOW_ERR_NOT_FOUND : AVOW_ERR_IO,
			"%s: %s%s", path, strerror(errno),
			errno == ENOENT ? " (create a log with "
					  "`avow init`)"
					: "");
	if (!S_ISREG(sb.st_mode))
		return avow_seterr(err, AVOW_ERR_NOT_LOG,
				   "%s: not an avow log (not a regular file)",
				   path);
	st = log_alloc(&log, path, err);
	if (st != AVOW_OK)
		return st;
	log->flags = flags;
	rc = sqlite3_open_v2(path, &log->db,
			     ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
			     NULL);
	if (rc != SQLITE_OK) {
		st = avow_store_err(log, rc, "opening", err);
		goto fail;
	}
	for (int again = ro;; again = 0) {
		sqlite3_busy_timeout(log->db, 60000);
		rc = sqlite3_prepare_v2(log->db, "PRAGMA application_id", -1,
					&q, NULL);
		if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
			app_ok = sqlite3_column_int(q, 0) == APP_ID;
		else if (rc == SQLITE_OK)
			rc = sqlite3_errcode(log->db);
		sqlite3_finalize(q);
		q = NULL;
		/* A log on read-only storage (an archive, a mounted image,
		 * a directory this user may not write) or on a full disk
		 * cannot have its -shm file made, so SQLite cannot read it as
		 * a WAL database (CANTOPEN, READONLY when the -shm cannot be
		 * set up, IOERR with ENOSPC): read it as a file that cannot
		 * change, unless a -wal file holds records. Whether it did
		 * not change is checked again at the end of an audit or an
		 * export (avow_store_changed). */
		if (!again || ((rc & 0xFF) != SQLITE_CANTOPEN &&
			       (rc & 0xFF) != SQLITE_READONLY &&
			       ((rc & 0xFF) != SQLITE_IOERR ||
				sqlite3_system_errno(log->db) != ENOSPC)))
			break;
		if (beside(path, "-wal", 1)) {
			st = avow_seterr(err, AVOW_ERR_READONLY,
					 "%s: cannot be read where it is (no "
					 "-shm file can be made beside it: "
					 "read-only or full storage), and its "
					 "write-ahead file %s-wal has records "
					 "not yet in the log file; copy both "
					 "to writable storage",
					 path, path);
			goto fail;
		}
		/* A wal-index (a -shm of 32 KiB or more) that SQLite could
		 * not use (another user's, say) means the log may be open for
		 * writing right now: a file read as immutable must not change
		 * under the reader. (A full disk leaves a few bytes.) */
		if (beside(path, "-shm", 32768)) {
			st = avow_seterr(
				err, AVOW_ERR_READONLY,
				"%s: cannot be read where it is: its "
				"-shm file %s-shm cannot be used by "
				"this user, and the log may be in use; "
				"read it as the user that writes it, "
				"or copy it to writable storage",
				path, path);
			goto fail;
		}
		rc = open_immutable(log, path);
		if (rc != SQLITE_OK) {
			st = avow_store_err(log, rc, "opening", err);
			goto fail;
		}
	}
	if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
		st = avow_store_err(log, rc, "opening", err);
		goto fail;
	}
	rc = sqlite3_prepare_v2(log->db,
				"SELECT value FROM avow_meta WHERE name = "
				"'version'",
				-1, &q, NULL);
	if (rc != SQLITE_OK) {
		if ((rc & 0xFF) == SQLITE_ERROR || !app_ok) {
			st = avow_seterr(err, AVOW_ERR_NOT_LOG,
					 "%s: not an avow log (an SQLite "
					 "database without avow's tables)",
					 path);
			goto fail;
		}
		st = avow_store_err(log, rc, "opening", err);
		goto fail;
	}
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		version = strtol((const char *)sqlite3_column_text(q, 0), NULL,
				 10);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		st = avow_store_err(log, rc, "opening", err);
		goto fail;
	}
	if (!app_ok || version < 1) {
		st = avow_seterr(err, AVOW_ERR_NOT_LOG,
				 "%s: not an avow log (no avow format header)",
				 path);
		goto fail;
	}
	if (version > AVOW_FORMAT_VERSION) {
		st = avow_seterr(err, AVOW_ERR_VERSION,
				 "%s: log format version %ld is newer than "
				 "this avow understands (%d); upgrade avow",
				 path, version, AVOW_FORMAT_VERSION);
		goto fail;
	}
	st = setup(log, ro, err);
	if (st != AVOW_OK)
		goto fail;
	*out = log;
	return AVOW_OK;
fail:
	avow_log_close(log);
	return st;
}

void avow_log_close(avow_log *log)
{
	if (log == NULL)
		return;
	sqlite3_finalize(log->get);
	sqlite3_finalize(log->nput);
	sqlite3_finalize(log->nget);
	sqlite3_close(log->db);
	avow_state_free(log->cache);
	free(log->path);
	free(log->saved_path);
	free(log);
}

avow_status avow_log_count(avow_log *log, uint64_t *n, avow_error *err)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(
		log->db, "SELECT coalesce(max(seq) + 1, 0) FROM records", -1,
		&q, NULL);

	*n = 0;
	if (rc != SQLITE_OK)
		return avow_store_err(log, rc, "counting records", err);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return avow_store_err(log, rc, "counting records", err);
	return AVOW_OK;
}

avow_status avow_store_fetch(void *ctx, uint64_t seq, avow_buf *out,
			     avow_error *err)
{
	avow_log *log = ctx;
	int rc;

	avow_buf_reset(out);
	sqlite3_reset(log->get);
	sqlite3_bind_int64(log->get, 1, (sqlite3_int64)seq);
	rc = sqlite3_step(log->get);
	if (rc == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(log->get, 0);
		int n = sqlite3_column_bytes(log->get, 0);
		avow_buf_add(out, p, (size_t)n);
		avow_buf_cstr(out);
		sqlite3_reset(log->get);
		if (out->oom)
			return avow_seterr(err, AVOW_ERR_NOMEM,
					   "out of memory");
		return AVOW_OK;
	}
	sqlite3_reset(log->get);
	if (rc == SQLITE_DONE)
		return avow_seterr(err, AVOW_ERR_NOT_FOUND,
				   "no record %llu in %s",
				   (unsigned long long)seq, log->path);
	return avow_store_err(log, rc, "reading a record", err);
}

avow_status avow_log_record(avow_log *log, uint64_t seq, char **bytes,
			    size_t *len, avow_error *err)
{
	avow_buf b;
	avow_status st;

	*bytes = NULL;
	*len = 0;
	avow_buf_init(&b);
	st = avow_store_fetch(log, seq, &b, err);
	if (st != AVOW_OK) {
		avow_buf_free(&b);
		return st;
	}
	*len = b.len;
	*bytes = avow_buf_cstr(&b);
	return AVOW_OK;
}

avow_status avow_log_export(avow_log *log, void *stream, avow_error *err)
{
	FILE *f = stream;
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(
		log->db, "SELECT data FROM records ORDER BY seq", -1, &q, NULL);

	if (rc != SQLITE_OK)
		return avow_store_err(log, rc, "reading records", err);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(q, 0);
		size_t n = (size_t)sqlite3_column_bytes(q, 0);
		if (fwrite(p, 1, n, f) != n || fputc('\n', f) == EOF) {
			sqlite3_finalize(q);
			return avow_seterr(err, AVOW_ERR_IO,
					   "writing the bundle: %s",
					   strerror(errno));
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return avow_store_err(log, rc, "reading records", err);
	if (avow_store_changed(log))
		return changed_err(log, err);
	return AVOW_OK;
}

/* --------------------------------------------------------------------- */
/* Audit source over the records table                                   */

typedef struct {
	avow_source src;
	avow_log *log;
	sqlite3_stmt *q;
	uint64_t n;
} log_source;

static avow_status lnext(avow_source *s, const uint8_t **rec, size_t *len,
			 avow_error *err)
{
	log_source *ls = s->ctx;
	int rc = sqlite3_step(ls->q);
	sqlite3_int64 seq;

	*rec = NULL;
	*len = 0;
	if (rc == SQLITE_DONE) {
		if (ls->n == 0)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "the log holds no records: no "
					   "genesis record");
		return AVOW_ERR_NOT_FOUND;
	}
	if (rc != SQLITE_ROW)
		return avow_store_err(ls->log, rc, "reading records", err);
	seq = sqlite3_column_int64(ls->q, 0);
	*rec = sqlite3_column_blob(ls->q, 1);
	*len = (size_t)sqlite3_column_bytes(ls->q, 1);
	if (*rec == NULL)
		*rec = (const uint8_t *)"";
	ls->n++;
	if (seq != (sqlite3_int64)ls->n - 1)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "the records table holds seq %lld where "
				   "record %llu was due",
				   (long long)seq,
				   (unsigned long long)ls->n - 1);
	return AVOW_OK;
}

static avow_status lfetch(void *ctx, uint64_t seq, avow_buf *out,
			  avow_error *err)
{
	log_source *ls = ctx;
	return avow_store_fetch(ls->log, seq, out, err);
}

/* The audit's check of table tree, done as each record is accepted: the
 * stored nodes that the record completes must be the next rows of the
 * table, in (size, level) order. */
typedef struct {
	char problem[256];
	avow_observer_fn obs;
	void *obs_ctx;
	sqlite3_stmt *tq; /* SELECT size, level, hash FROM tree in order */
	avow_frontier tf;
} index_check;

static void tree_node_check(void *ctx, unsigned level, uint64_t idx,
			    const uint8_t hash[32])
{
	index_check *ic = ctx;
	uint64_t size = (idx + 1) << level;
	int rc;

	if (ic->problem[0] || level < AVOW_TREE_LOW)
		return;
	rc = sqlite3_step(ic->tq);
	if (rc != SQLITE_ROW) {
		snprintf(ic->problem, sizeof ic->problem,
			 "table tree has no row for the level %u node "
			 "complete at size %llu",
			 level, (unsigned long long)size);
		return;
	}
	if ((uint64_t)sqlite3_column_int64(ic->tq, 0) != size ||
	    sqlite3_column_int64(ic->tq, 1) != (sqlite3_int64)level)
		snprintf(ic->problem, sizeof ic->problem,
			 "table tree holds a row (size %lld, level %lld) "
			 "where the level %u node complete at size %llu was "
			 "due",
			 (long long)sqlite3_column_int64(ic->tq, 0),
			 (long long)sqlite3_column_int64(ic->tq, 1), level,
			 (unsigned long long)size);
	else if (sqlite3_column_bytes(ic->tq, 2) != 32 ||
		 memcmp(sqlite3_column_blob(ic->tq, 2), hash, 32) != 0)
		snprintf(ic->problem, sizeof ic->problem,
			 "table tree disagrees with the records at size %llu "
			 "level %u",
			 (unsigned long long)size, level);
}

static void index_observe(void *ctx, const avow_accepted *a)
{
	index_check *ic = ctx;

	if (ic->obs != NULL)
		ic->obs(ic->obs_ctx, a);
	if (ic->problem[0] == '\0' && ic->tq != NULL)
		avow_frontier_add_nodes(&ic->tf, a->leaf, tree_node_check, ic);
}

/* After the records: the table holds no row beyond them. */
static void index_count(avow_log *log, index_check *ic, uint64_t size)
{
	if (ic->problem[0])
		return;
	if (ic->tq == NULL)
		snprintf(ic->problem, sizeof ic->problem,
			 "table tree cannot be read (%s)",
			 sqlite3_errmsg(log->db));
	else if (sqlite3_step(ic->tq) == SQLITE_ROW)
		snprintf(ic->problem, sizeof ic->problem,
			 "table tree has rows beyond the %llu records "
			 "(size %lld)",
			 (unsigned long long)size,
			 (long long)sqlite3_column_int64(ic->tq, 0));
}

avow_status avow_audit_log(avow_log *log, const avow_audit_options *o,
			   avow_audit **out, avow_error *err)
{
	return avow_audit_log_observe(log, o, NULL, NULL, out, err);
}

avow_status avow_store_audit(avow_log *log, const avow_audit_options *o,
			     const avow_resume *rs, avow_observer_fn obs,
			     void *obs_ctx, avow_audit **out, avow_error *err)
{
	log_source ls;
	index_check ic;
	avow_status st;
	uint64_t from = rs != NULL ? avow_state_count(rs->st) : 0;
	int rc;

	*out = NULL;
	memset(&ls, 0, sizeof ls);
	ls.log = log;
	ls.n = from;
	ls.src.next = lnext;
	ls.src.fetch = lfetch;
	ls.src.ctx = &ls;
	rc = sqlite3_prepare_v2(log->db,
				"SELECT seq, data FROM records WHERE seq >= ?"
				" ORDER BY seq",
				-1, &ls.q, NULL);
	if (rc != SQLITE_OK) {
		if (rs != NULL)
			avow_state_free(rs->st);
		return avow_store_err(log, rc, "reading records", err);
	}
	sqlite3_bind_int64(ls.q, 1, (sqlite3_int64)from);
	memset(&ic, 0, sizeof ic);
	ic.obs = obs;
	ic.obs_ctx = obs_ctx;
	if (rs != NULL)
		ic.tf = *avow_state_frontier(rs->st);
	else
		avow_frontier_init(&ic.tf);
	/* (rows below AVOW_TREE_LOW are a layout 1 log's, not read) */
	if (sqlite3_prepare_v2(log->db,
			       "SELECT size, level, hash FROM tree"
			       " WHERE size > ? AND level >= ?"
			       " ORDER BY size, level",
			       -1, &ic.tq, NULL) != SQLITE_OK) {
		ic.tq = NULL;
	} else {
		sqlite3_bind_int64(ic.tq, 1, (sqlite3_int64)from);
		sqlite3_bind_int(ic.tq, 2, AVOW_TREE_LOW);
	}
	st = avow_audit_resume(&ls.src, o, rs, index_observe, &ic, out, err);
	sqlite3_finalize(ls.q);
	if (*out != NULL) /* the source dies here; the log lives on */
		avow_state_set_fetch(avow_audit_state(*out), avow_store_fetch,
				     log);
	if (st == AVOW_OK && avow_audit_passed(*out)) {
		index_count(log, &ic, avow_audit_size(*out));
		if (ic.problem[0])
			avow_audit_set_index_problem(*out, ic.problem);
	}
	sqlite3_finalize(ic.tq);
	/* A verdict on pages read while the file changed is no verdict. */
	if (avow_store_changed(log)) {
		avow_audit_free(*out);
		*out = NULL;
		st = changed_err(log, err);
	}
	return st;
}

avow_status avow_audit_log_observe(avow_log *log, const avow_audit_options *o,
				   avow_observer_fn obs, void *obs_ctx,
				   avow_audit **out, avow_error *err)
{
	avow_status st;
	int rc;

	*out = NULL;
	if (log->saved_path != NULL)
		return avow_saved_audit(log, o, obs, obs_ctx, out, err);
	rc = sqlite3_exec(log->db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return avow_store_err(log, rc, "reading records", err);
	st = avow_store_audit(log, o, NULL, obs, obs_ctx, out, err);
	sqlite3_exec(log->db, "COMMIT", NULL, NULL, NULL);
	return st;
}

/* Start a write transaction; a layout 1 log (an earlier version's) loses
 * what layout 2 does not keep, in the same transaction. */
avow_status avow_store_write_begin(avow_log *log, const char *what,
				   avow_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_exec(log->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	int layout = 0;

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(log->db, "PRAGMA user_version", -1, &q,
					NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			layout = sqlite3_column_int(q, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(q);
	}
	_Static_assert(AVOW_TREE_LOW == 3, "the SQL below says 3");
	if (rc == SQLITE_OK && layout < 2)
		rc = sqlite3_exec(log->db,
				  "DROP TABLE IF EXISTS record_index;"
				  "DELETE FROM tree WHERE level < 3;"
				  "PRAGMA user_version = 2;",
				  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		avow_status st = avow_store_err(log, rc, what, err);
		sqlite3_exec(log->db, "ROLLBACK", NULL, NULL, NULL);
		return st;
	}
	return AVOW_OK;
}

avow_status avow_log_reindex(avow_log *log, avow_error *err)
{
	sqlite3_stmt *q = NULL;
	avow_frontier tf;
	avow_tree_writer tw = {log, AVOW_OK, err};
	avow_status st =
		avow_store_write_begin(log, "rebuilding table tree", err);
	int rc;

	if (st != AVOW_OK)
		return st;
	rc = sqlite3_exec(log->db, "DELETE FROM tree", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(log->db,
					"SELECT data FROM records ORDER BY seq",
					-1, &q, NULL);
	avow_frontier_init(&tf);
	while (rc == SQLITE_OK && tw.st == AVOW_OK &&
	       (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const uint8_t *d = sqlite3_column_blob(q, 0);
		uint8_t leaf[32];

		avow_leaf_hash(leaf, d ? d : (const uint8_t *)"",
			       (size_t)sqlite3_column_bytes(q, 0));
		avow_frontier_add_nodes(&tf, leaf, avow_store_node_put, &tw);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	st = tw.st;
	if (st == AVOW_OK && rc == SQLITE_OK)
		rc = sqlite3_exec(log->db, "COMMIT", NULL, NULL, NULL);
	if (st == AVOW_OK && rc != SQLITE_OK)
		st = avow_store_err(log, rc, "rebuilding table tree", err);
	if (st != AVOW_OK)
		sqlite3_exec(log->db, "ROLLBACK", NULL, NULL, NULL);
	return st;
}

void avow_store_node_put(void *ctx, unsigned level, uint64_t idx,
			 const uint8_t hash[32])
{
	avow_tree_writer *w = ctx;
	avow_log *log = w->log;
	uint64_t size = (idx + 1) << level; /* the tree size it completes */
	int rc = SQLITE_OK;

	if (w->st != AVOW_OK || level < AVOW_TREE_LOW)
		return;
	if (log->nput == NULL)
		rc = sqlite3_prepare_v2(log->db,
					"INSERT OR REPLACE INTO tree(size, "
					"level, hash) VALUES(?, ?, ?)",
					-1, &log->nput, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_reset(log->nput);
		sqlite3_bind_int64(log->nput, 1, (sqlite3_int64)size);
		sqlite3_bind_int(log->nput, 2, (int)level);
		sqlite3_bind_blob(log->nput, 3, hash, 32, SQLITE_STATIC);
		rc = sqlite3_step(log->nput);
		sqlite3_reset(log->nput);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		w->st = avow_store_err(log, rc, "writing table tree", w->err);
}

/* A node below AVOW_TREE_LOW, from the records it covers (at most
 * 2^(AVOW_TREE_LOW - 1) of them). */
static avow_status node_of_records(avow_log *log, unsigned level, uint64_t idx,
				   uint8_t out[32], avow_error *err)
{
	uint8_t l[32], r[32];
	avow_status st;
	int rc;

	if (level > 0) {
		st = node_of_records(log, level - 1, 2 * idx, l, err);
		if (st == AVOW_OK)
			st = node_of_records(log, level - 1, 2 * idx + 1, r,
					     err);
		if (st == AVOW_OK)
			avow_node_hash(out, l, r);
		return st;
	}
	sqlite3_reset(log->get);
	sqlite3_bind_int64(log->get, 1, (sqlite3_int64)idx);
	rc = sqlite3_step(log->get);
	if (rc == SQLITE_ROW) {
		const uint8_t *d = sqlite3_column_blob(log->get, 0);
		avow_leaf_hash(out, d ? d : (const uint8_t *)"",
			       (size_t)sqlite3_column_bytes(log->get, 0));
	}
	sqlite3_reset(log->get);
	if (rc == SQLITE_DONE)
		return avow_seterr(err, AVOW_ERR_CORRUPT,
				   "%s: table records has no record %llu (run "
				   "`avow verify`)",
				   log->path, (unsigned long long)idx);
	if (rc != SQLITE_ROW)
		return avow_store_err(log, rc, "reading a record", err);
	return AVOW_OK;
}

avow_status avow_store_node_read(void *ctx, unsigned level, uint64_t idx,
				 uint8_t out[32], avow_error *err)
{
	avow_log *log = ctx;
	uint64_t size = (idx + 1) << level; /* the tree size it completes */
	int rc = SQLITE_OK;

	if (level < AVOW_TREE_LOW)
		return node_of_records(log, level, idx, out, err);
	if (log->nget == NULL)
		rc = sqlite3_prepare_v2(log->db,
					"SELECT hash FROM tree WHERE size = ? "
					"AND level = ?",
					-1, &log->nget, NULL);
	if (rc != SQLITE_OK)
		return avow_store_err(log, rc, "reading table tree", err);
	sqlite3_reset(log->nget);
	sqlite3_bind_int64(log->nget, 1, (sqlite3_int64)size);
	sqlite3_bind_int(log->nget, 2, (int)level);
	rc = sqlite3_step(log->nget);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(log->nget, 0) == 32) {
		memcpy(out, sqlite3_column_blob(log->nget, 0), 32);
		sqlite3_reset(log->nget);
		return AVOW_OK;
	}
	sqlite3_reset(log->nget);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return avow_seterr(err, AVOW_ERR_CORRUPT,
				   "%s: table tree has no valid row for the "
				   "level %u node complete at size %llu (run "
				   "`avow verify`, then `avow reindex`)",
				   log->path, level, (unsigned long long)size);
	return avow_store_err(log, rc, "reading table tree", err);
}

/* Check that size is 1..count. */
static avow_status check_size(avow_log *log, uint64_t size, const char *what,
			      avow_error *err)
{
	uint64_t n;
	avow_status st = avow_log_count(log, &n, err);

	if (st != AVOW_OK)
		return st;
	if (size == 0 || size > n)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "%s %llu is not between 1 and the log's "
				   "%llu records",
				   what, (unsigned long long)size,
				   (unsigned long long)n);
	return AVOW_OK;
}

/* Proofs read inside one read transaction, so that every row belongs to
 * the same state of the log. */
static avow_status begin_read(avow_log *log, uint64_t size, avow_error *err)
{
	int rc = sqlite3_exec(log->db, "BEGIN", NULL, NULL, NULL);
	avow_status st;

	if (rc != SQLITE_OK)
		return avow_store_err(log, rc, "reading", err);
	st = check_size(log, size, "tree size", err);
	if (st != AVOW_OK)
		sqlite3_exec(log->db, "COMMIT", NULL, NULL, NULL);
	return st;
}

static avow_status end_read(avow_log *log, avow_status st)
{
	sqlite3_exec(log->db, "COMMIT", NULL, NULL, NULL);
	return st;
}

avow_status avow_log_root(avow_log *log, uint64_t size, uint8_t root[32],
			  avow_error *err)
{
	avow_status st = begin_read(log, size, err);

	if (st != AVOW_OK)
		return st;
	return end_read(log, avow_tree_hash(avow_store_node_read, log, 0, size,
					    root, err));
}

avow_status avow_log_inclusion(avow_log *log, uint64_t index, uint64_t size,
			       avow_inclusion *out, avow_error *err)
{
	avow_status st = begin_read(log, size, err);

	memset(out, 0, sizeof *out);
	if (st != AVOW_OK)
		return st;
	return end_read(log, avow_tree_inclusion(avow_store_node_read, log,
						 index, size, out, err));
}

avow_status avow_log_consistency(avow_log *log, uint64_t old_size,
				 uint64_t new_size, avow_consistency *out,
				 avow_error *err)
{
	avow_status st = begin_read(log, new_size, err);

	memset(out, 0, sizeof *out);
	if (st != AVOW_OK)
		return st;
	return end_read(log,
			avow_tree_consistency(avow_store_node_read, log,
					      old_size, new_size, out, err));
}
