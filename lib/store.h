/*
 * store.h - the SQLite side of a log, shared by the audit (store.c) and
 * appends (append.c); only these two files include sqlite3.h.
 */
#ifndef AVOW_STORE_H
#define AVOW_STORE_H

#include "audit.h"
#include "tree.h"

#include <sqlite3.h>
#include <sys/stat.h>

/* Called by an audit through the saved state once it passed, before the
 * state is saved, in the saved file's write transaction (db): records from
 * `from` on were audited now (0: the whole log, so tables of the caller's
 * are to be rebuilt). A failure rolls the saved file back. */
typedef avow_status (*avow_saved_hook)(void *ctx, sqlite3 *db, avow_log *log,
				       const avow_audit *a, uint64_t from,
				       avow_error *err);

struct avow_log {
	sqlite3 *db;
	char *path;
	unsigned flags;
	sqlite3_stmt *get;     /* SELECT data FROM records WHERE seq = ? */
	sqlite3_stmt *nput;    /* INSERT OR REPLACE INTO tree ... */
	sqlite3_stmt *nget;    /* SELECT hash FROM tree WHERE ... */
	sqlite3_stmt *chunk_q; /* the saved state's chunk c, while loading */
	/* The saved audited state (lib/saved.c), when the caller keeps one:
	 * its file, and the size and tree hash this process last audited or
	 * loaded (trusted_size 0: none). */
	char *saved_path;
	uint64_t trusted_size;
	uint8_t trusted_root[32];
	/* Without a saved state: the state machine after this handle's last
	 * append, of trusted_size records, so that the next append need not
	 * replay the log (append.c). */
	avow_state *cache;
	avow_saved_hook hook;
	void *hook_ctx;
	/* Read as an immutable file (read-only or full storage): the file as
	 * it was when opened, which nothing must change while it is read. */
	int immutable;
	struct stat imm;
};

/* 1 when a log read as immutable has changed since it was opened (written
 * through another path): what was read from it cannot be trusted. */
int avow_store_changed(const avow_log *log);

/* Map an SQLite result code to a status and message. */
avow_status avow_store_err(avow_log *log, int rc, const char *what,
			   avow_error *err);

/* Fetch callback over a log (ctx is the avow_log). */
avow_status avow_store_fetch(void *ctx, uint64_t seq, avow_buf *out,
			     avow_error *err);

/* The page size of a new log. Logs made before keep theirs: SQLite
 * reads any. */
#define AVOW_PAGE_SIZE "16384"

/* Table tree holds the nodes of this level and above; lower ones are
 * hashed from the records when read (FORMAT.md (g)). */
#define AVOW_TREE_LOW 3

/* BEGIN IMMEDIATE, bringing a log of table layout 1 to layout 2 in the
 * same transaction; on failure, rolled back, and what names the step in
 * the error. */
avow_status avow_store_write_begin(avow_log *log, const char *what,
				   avow_error *err);

/* Write (or replace) the tree node (level, idx), if it is stored (level
 * AVOW_TREE_LOW or above); an avow_node_fn whose ctx is a tree_writer. */
typedef struct {
	avow_log *log;
	avow_status st;
	avow_error *err;
} avow_tree_writer;
void avow_store_node_put(void *ctx, unsigned level, uint64_t idx,
			 const uint8_t hash[32]);

/* An avow_node_reader over the log's table tree (ctx is the avow_log). */
avow_status avow_store_node_read(void *ctx, unsigned level, uint64_t idx,
				 uint8_t out[32], avow_error *err);

/* The audit of the log's records from rs (NULL: from the start), in the
 * caller's read transaction; takes rs->st over. */
avow_status avow_store_audit(avow_log *log, const avow_audit_options *o,
			     const avow_resume *rs, avow_observer_fn obs,
			     void *obs_ctx, avow_audit **out, avow_error *err);

/* lib/saved.c: the audit through the saved state, and a fetch (ctx: the
 * log) that checks records below trusted_size against trusted_root. */
avow_status avow_saved_audit(avow_log *log, const avow_audit_options *o,
			     avow_observer_fn obs, void *obs_ctx,
			     avow_audit **out, avow_error *err);
avow_status avow_saved_fetch(void *ctx, uint64_t seq, avow_buf *out,
			     avow_error *err);
void avow_log_saved_hook(avow_log *log, avow_saved_hook fn, void *ctx);
/* The audited tree hash of the first size records (1..trusted_size),
 * read from table tree and checked against the audited root. */
avow_status avow_saved_root(avow_log *log, uint64_t size, uint8_t out[32],
			    avow_error *err);
/* For appends: open the saved file (write-locked) and load the state that
 * the log, in the caller's transaction, still extends (*st NULL: none
 * usable); then save st and commit, or roll back when st is NULL. */
avow_status avow_saved_begin(avow_log *log, sqlite3 **db, avow_state **st,
			     avow_error *err);
avow_status avow_saved_close(avow_log *log, sqlite3 *db, avow_state *st,
			     avow_error *err);

/* The report index in the saved file (tables rx, rx_actor, rx_text: see
 * lib/saved.c): an observer (ctx: the indexer) that indexes each record
 * accepted, then calls next. How it opens:
 *   AVOW_IX_READ     for an audit: first indexes the records appends
 *                    kept for later (avow_indexer_changed says so);
 *   AVOW_IX_REBUILD  the same, from empty tables;
 *   AVOW_IX_APPEND   for an append: keeps each record's leaf hash for
 *                    the next audit to index it, read again from log
 *                    (the index, full-text most of all, costs more than
 *                    signing). */
typedef struct avow_indexer avow_indexer;
enum { AVOW_IX_READ, AVOW_IX_REBUILD, AVOW_IX_APPEND };
avow_status avow_indexer_open(avow_indexer **out, sqlite3 *db, avow_log *log,
			      int mode, avow_observer_fn next, void *next_ctx,
			      avow_error *err);
void avow_indexer_observe(void *ctx, const avow_accepted *a);
int avow_indexer_failed(const avow_indexer *ix);
int avow_indexer_changed(const avow_indexer *ix);
void avow_indexer_close(avow_indexer *ix);

/* avow_audit_log with an observer of accepted records. */
avow_status avow_audit_log_observe(avow_log *log, const avow_audit_options *o,
				   avow_observer_fn obs, void *obs_ctx,
				   avow_audit **out, avow_error *err);

#endif
