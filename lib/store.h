/*
 * store.h - the SQLite side of a log, shared by the audit (store.c) and
 * appends (append.c); only these two files include sqlite3.h.
 */
#ifndef AVOW_STORE_H
#define AVOW_STORE_H

#include "audit.h"

#include <sqlite3.h>

struct avow_log {
	sqlite3 *db;
	char *path;
	unsigned flags;
	sqlite3_stmt *get; /* SELECT data FROM records WHERE seq = ? */
};

/* Map an SQLite result code to a status and message. */
avow_status avow_store_err(avow_log *log, int rc, const char *what,
			   avow_error *err);

/* Fetch callback over a log (ctx is the avow_log). */
avow_status avow_store_fetch(void *ctx, uint64_t seq, avow_buf *out,
			     avow_error *err);

/* The index row a record implies: type, by and said_at as recorded. */
int avow_store_index_row(avow_log *log, uint64_t seq, const uint8_t *rec,
			 size_t len, avow_error *err);

/* avow_audit_log with an observer of accepted records. */
avow_status avow_audit_log_observe(avow_log *log, const avow_audit_options *o,
				   avow_observer_fn obs, void *obs_ctx,
				   avow_audit **out, avow_error *err);

#endif
