/*
 * store.h - the SQLite side of a log, shared by the audit (store.c) and
 * appends (append.c); only these two files include sqlite3.h.
 */
#ifndef AVOW_STORE_H
#define AVOW_STORE_H

#include "audit.h"
#include "tree.h"

#include <sqlite3.h>

struct avow_log {
	sqlite3 *db;
	char *path;
	unsigned flags;
	sqlite3_stmt *get;  /* SELECT data FROM records WHERE seq = ? */
	sqlite3_stmt *put;  /* INSERT OR REPLACE INTO record_index ... */
	sqlite3_stmt *nput; /* INSERT OR REPLACE INTO tree ... */
	sqlite3_stmt *nget; /* SELECT hash FROM tree WHERE ... */
};

/* Map an SQLite result code to a status and message. */
avow_status avow_store_err(avow_log *log, int rc, const char *what,
			   avow_error *err);

/* Fetch callback over a log (ctx is the avow_log). */
avow_status avow_store_fetch(void *ctx, uint64_t seq, avow_buf *out,
			     avow_error *err);

/* The row of record_index that a record implies: its type, leaf hash,
 * and the by and said_at of its body as recorded (NULL when absent).
 * The strings point into entry. */
typedef struct {
	const char *type;
	const char *by;
	const char *said_at;
	const uint8_t *leaf;
} avow_index_row;

void avow_index_row_of(avow_index_row *r, const cJSON *entry,
		       const uint8_t *leaf);

/* Write (or replace) the index row of record seq. */
avow_status avow_store_index_put(avow_log *log, uint64_t seq,
				 const avow_index_row *r, avow_error *err);

/* Write (or replace) the tree node (level, idx); an avow_node_fn whose
 * ctx is a tree_writer. */
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

/* avow_audit_log with an observer of accepted records. */
avow_status avow_audit_log_observe(avow_log *log, const avow_audit_options *o,
				   avow_observer_fn obs, void *obs_ctx,
				   avow_audit **out, avow_error *err);

#endif
