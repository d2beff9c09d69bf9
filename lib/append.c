/*
 * append.c - build, validate, sign and store new records, all or none.
 *
 * The one path for bytes: an entry is made canonical once, signed, framed
 * as a record, fed to the same state machine the audit uses (so nothing
 * the audit would reject is ever written), and stored exactly as signed.
 */
#include "json.h"
#include "state.h"
#include "store.h"
#include "syntax.h"
#include "tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What record_index gets for a new record, copied from the entry the
 * state machine accepted (so nothing is parsed a third time). */
typedef struct {
	char *type, *by, *said_at;
	uint8_t leaf[32];
} index_copy;

typedef struct {
	avow_log *log;
	uint64_t base;	   /* records in the log before this batch */
	avow_buf *pending; /* records made so far */
	index_copy *rows;  /* their index rows */
	size_t npending;
	int oom;
} batch;

static void keep_row(void *ctx, const avow_accepted *a)
{
	batch *b = ctx;
	index_copy *c = &b->rows[a->seq - b->base];
	avow_index_row r;

	avow_index_row_of(&r, a->entry, a->leaf);
	c->type = avow_strdup(r.type);
	c->by = avow_strdup(r.by);
	c->said_at = avow_strdup(r.said_at);
	memcpy(c->leaf, a->leaf, 32);
	if (c->type == NULL || (r.by && !c->by) || (r.said_at && !c->said_at))
		b->oom = 1;
}

static avow_status bfetch(void *ctx, uint64_t seq, avow_buf *out,
			  avow_error *err)
{
	batch *b = ctx;

	if (seq >= b->base) {
		size_t i = (size_t)(seq - b->base);
		if (i >= b->npending)
			return avow_seterr(err, AVOW_ERR_NOT_FOUND,
					   "no record %llu",
					   (unsigned long long)seq);
		avow_buf_reset(out);
		avow_buf_add(out, b->pending[i].p, b->pending[i].len);
		return out->oom ? avow_seterr(err, AVOW_ERR_NOMEM,
					      "out of memory")
				: AVOW_OK;
	}
	return avow_saved_fetch(b->log, seq, out, err);
}

/* Audit the records that others appended since the saved state st: fully
 * (signatures too), since st is saved again with them. */
static avow_status catch_up(avow_log *log, avow_state *st, avow_error *err)
{
	sqlite3_stmt *q = NULL;
	int src = sqlite3_prepare_v2(
		log->db,
		"SELECT seq, data FROM records WHERE seq >= ? ORDER BY seq", -1,
		&q, NULL);

	if (src == SQLITE_OK)
		sqlite3_bind_int64(q, 1, (sqlite3_int64)avow_state_count(st));
	while (src == SQLITE_OK && (src = sqlite3_step(q)) == SQLITE_ROW) {
		avow_failure f = {0, "seq", "out of order"};
		const void *p = sqlite3_column_blob(q, 1);
		if ((uint64_t)sqlite3_column_int64(q, 0) !=
			    avow_state_count(st) ||
		    avow_state_feed(st, p ? p : "",
				    (size_t)sqlite3_column_bytes(q, 1), 0,
				    &f) != AVOW_OK) {
			sqlite3_finalize(q);
			return avow_seterr(
				err, AVOW_ERR_AUDIT,
				"%s fails its audit at record %llu (%s: %s); "
				"nothing was appended (run avow-verify)",
				log->path,
				(unsigned long long)avow_state_count(st),
				f.check, f.detail);
		}
		src = SQLITE_OK;
	}
	sqlite3_finalize(q);
	if (src != SQLITE_DONE && src != SQLITE_OK)
		return avow_store_err(log, src, "reading records", err);
	return AVOW_OK;
}

static const char *label_of(const avow_draft *d, char buf[32], size_t i)
{
	if (d->label != NULL)
		return d->label;
	snprintf(buf, 32, "entry %zu", i + 1);
	return buf;
}

/* Replace a draft's target by {"seq": n, "hash": leaf hash}. */
static avow_status resolve_target(batch *b, const avow_draft *drafts, size_t i,
				  cJSON *body, avow_buf *scratch,
				  avow_error *err)
{
	cJSON *t = cJSON_GetObjectItemCaseSensitive(body, "target");
	const cJSON *seq, *line, *hash;
	uint64_t s;
	uint8_t leaf[32];
	char h[45];
	int members = 0;
	avow_status st;

	if (t == NULL || !cJSON_IsObject(t))
		return AVOW_OK; /* the validator reports it */
	for (const cJSON *c = t->child; c != NULL; c = c->next)
		members++;
	seq = cJSON_GetObjectItemCaseSensitive(t, "seq");
	line = cJSON_GetObjectItemCaseSensitive(t, "line");
	hash = cJSON_GetObjectItemCaseSensitive(t, "hash");
	if (line != NULL) {
		int64_t k = avow_json_int(line);
		size_t j;
		if (members != 1 || k <= 0)
			return avow_seterr(err, AVOW_ERR_SYNTAX,
					   "body.target: {\"line\": k} takes "
					   "a positive line number and nothing "
					   "else");
		for (j = 0; j < i; j++)
			if (drafts[j].line == k)
				break;
		if (j == i)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "body.target.line: %lld is not an "
					   "earlier line of this input",
					   (long long)k);
		s = b->base + j;
	} else {
		int64_t k = avow_json_int(seq);
		if (seq == NULL || k < 0 || members > 2 ||
		    (members == 2 && hash == NULL))
			return avow_seterr(err, AVOW_ERR_SYNTAX,
					   "body.target: give {\"seq\": n}, "
					   "{\"seq\": n, \"hash\": h} or "
					   "{\"line\": k}");
		s = (uint64_t)k;
		if (hash != NULL)
			return AVOW_OK; /* checked as given */
		if (s >= b->base + b->npending)
			return avow_seterr(err, AVOW_ERR_INVALID,
					   "body.target.seq: no record %llu "
					   "yet",
					   (unsigned long long)s);
	}
	st = bfetch(b, s, scratch, err);
	if (st != AVOW_OK)
		return st;
	avow_leaf_hash(leaf, scratch->p, scratch->len);
	avow_b64_encode(h, leaf, 32);
	cJSON_DeleteItemFromObjectCaseSensitive(body, "target");
	t = cJSON_AddObjectToObject(body, "target");
	if (t == NULL || !cJSON_AddNumberToObject(t, "seq", (double)s) ||
	    !cJSON_AddStringToObject(t, "hash", h))
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	return AVOW_OK;
}

/* Make the signed record for one draft into out. */
static avow_status make_record(batch *b, avow_state *st, const avow_key *key,
			       const avow_draft *drafts, size_t i,
			       int allow_genesis, const char *time_s,
			       avow_buf *out, avow_buf *scratch,
			       avow_error *err)
{
	const avow_draft *d = &drafts[i];
	cJSON *root, *entry = NULL, *body, *sig = NULL;
	const cJSON *type;
	uint8_t s[AVOW_SIG_BYTES];
	char sb[AVOW_B64_LEN(64) + 1], lh[45];
	uint64_t seq = avow_state_count(st);
	avow_status rc;
	int members = 0, t;

	root = avow_json_parse(d->json, d->len, AVOW_JSON_AVOW_STRINGS, err);
	if (root == NULL)
		return err ? err->code : AVOW_ERR_SYNTAX;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "expected a JSON object {\"type\": ..., "
				   "\"body\": {...}}");
	}
	for (const cJSON *c = root->child; c != NULL; c = c->next) {
		members++;
		if (strcmp(c->string, "type") != 0 &&
		    strcmp(c->string, "body") != 0) {
			rc = avow_seterr(err, AVOW_ERR_SYNTAX,
					 "unknown member \"%.40s\" (a line "
					 "holds only \"type\" and \"body\")",
					 c->string);
			cJSON_Delete(root);
			return rc;
		}
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	body = cJSON_DetachItemFromObjectCaseSensitive(root, "body");
	t = cJSON_IsString(type) ? avow_type_parse(type->valuestring)
				 : AVOW_T_NONE;
	if (t == AVOW_T_NONE || body == NULL || !cJSON_IsObject(body) ||
	    (t == AVOW_T_GENESIS && !allow_genesis)) {
		rc = avow_seterr(
			err, AVOW_ERR_SYNTAX,
			t == AVOW_T_GENESIS
				? "type: genesis is written only by `avow init`"
			: t == AVOW_T_NONE
				? "type: must be one of key, actor, claim, "
				  "response, amend"
				: "body: missing, or not an object");
		cJSON_Delete(body);
		cJSON_Delete(root);
		return rc;
	}
	rc = resolve_target(b, drafts, i, body, scratch, err);
	if (rc != AVOW_OK) {
		cJSON_Delete(body);
		cJSON_Delete(root);
		return rc;
	}
	entry = cJSON_CreateObject();
	if (entry == NULL || !cJSON_AddNumberToObject(entry, "v", 1) ||
	    !cJSON_AddNumberToObject(entry, "seq", (double)seq) ||
	    !cJSON_AddStringToObject(entry, "time", time_s) ||
	    !cJSON_AddStringToObject(entry, "type", type->valuestring) ||
	    !cJSON_AddStringToObject(entry, "signer", avow_key_id(key))) {
		cJSON_Delete(entry);
		cJSON_Delete(body);
		cJSON_Delete(root);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	if (seq == 0) {
		cJSON_AddNullToObject(entry, "prev");
	} else {
		avow_b64_encode(lh, avow_state_last_leaf(st), 32);
		cJSON_AddStringToObject(entry, "prev", lh);
	}
	cJSON_AddItemToObject(entry, "body", body);
	cJSON_Delete(root);

	/* Sign "avow/v1/entry\n" || canonical entry. */
	avow_buf_reset(scratch);
	avow_buf_adds(scratch, "avow/v1/entry\n");
	avow_json_canon(scratch, entry);
	if (scratch->oom) {
		cJSON_Delete(entry);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	rc = avow_key_sign(key, scratch->p, scratch->len, s, err);
	if (rc != AVOW_OK) {
		cJSON_Delete(entry);
		return rc;
	}
	avow_b64_encode(sb, s, sizeof s);
	avow_buf_reset(out);
	avow_buf_adds(out, "{\"entry\":");
	avow_buf_add(out, scratch->p + 14, scratch->len - 14);
	avow_buf_adds(out, ",\"sigs\":[{\"key\":");
	sig = cJSON_CreateString(avow_key_id(key));
	if (sig != NULL)
		avow_json_canon(out, sig);
	cJSON_Delete(sig);
	avow_buf_adds(out, ",\"sig\":\"");
	avow_buf_adds(out, sb);
	avow_buf_adds(out, "\"}]}");
	cJSON_Delete(entry);
	if (out->oom || sig == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	return AVOW_OK;
}

static avow_status rollback(avow_log *log, avow_status rc)
{
	sqlite3_exec(log->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static avow_status append(avow_log *log, const avow_key *key,
			  const avow_draft *drafts, size_t n, int64_t now,
			  int allow_genesis, uint64_t *first_seq,
			  avow_error *err)
{
	batch b;
	avow_state *st = NULL;
	sqlite3_stmt *q = NULL, *ins = NULL;
	avow_buf scratch;
	avow_status rc = AVOW_OK;
	char ts[21];
	int src;
	avow_frontier tf;
	avow_tree_writer tw = {log, AVOW_OK, err};
	sqlite3 *sdb = NULL; /* the saved state's file, when kept */
	avow_indexer *ix = NULL;
	int saved = 0; /* st came from it: save st after the append */

	if (log->flags & AVOW_OPEN_READONLY)
		return avow_seterr(err, AVOW_ERR_READONLY,
				   "%s: opened read-only", log->path);
	if (n == 0)
		return avow_seterr(err, AVOW_ERR_USAGE, "nothing to append");
	if (now < 0)
		now = (int64_t)time(NULL);
	if (avow_format_time(now, ts) != 0)
		return avow_seterr(err, AVOW_ERR_CLOCK,
				   "the time %lld is outside years 0001 to "
				   "9999",
				   (long long)now);
	memset(&b, 0, sizeof b);
	b.log = log;
	b.base = UINT64_MAX; /* while replaying, every record is stored */
	b.pending = calloc(n, sizeof *b.pending);
	b.rows = calloc(n, sizeof *b.rows);
	avow_buf_init(&scratch);
	if (b.pending == NULL || b.rows == NULL) {
		free(b.pending);
		free(b.rows);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}

	src = sqlite3_exec(log->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		rc = avow_store_err(log, src, "starting the append", err);
		goto out;
	}
	if (log->saved_path != NULL) {
		rc = avow_saved_begin(log, &sdb, &st, err);
		if (rc == AVOW_OK && st != NULL) {
			saved = 1;
			avow_state_set_fetch(st, bfetch, &b);
			rc = avow_indexer_open(&ix, sdb, 0, NULL, NULL, err);
			if (rc == AVOW_OK) {
				avow_state_observe(st, avow_indexer_observe,
						   ix);
				rc = catch_up(log, st, err);
			}
		}
		if (rc != AVOW_OK) {
			rollback(log, rc);
			goto out;
		}
	}
	if (st == NULL) {
		/* Replay the log into the state the audit would hold. The audit
		 * checks the signatures; here the rest suffices. */
		st = avow_state_new(bfetch, &b);
		if (st == NULL) {
			rc = rollback(log, avow_seterr(err, AVOW_ERR_NOMEM,
						       "out of memory"));
			goto out;
		}
		src = sqlite3_prepare_v2(
			log->db, "SELECT data FROM records ORDER BY seq", -1,
			&q, NULL);
		while (src == SQLITE_OK &&
		       (src = sqlite3_step(q)) == SQLITE_ROW) {
			avow_failure f;
			const void *p = sqlite3_column_blob(q, 0);
			if (avow_state_feed(st, p ? p : "",
					    (size_t)sqlite3_column_bytes(q, 0),
					    AVOW_FEED_TRUSTED, &f) != AVOW_OK) {
				rc = rollback(
					log,
					avow_seterr(err, AVOW_ERR_AUDIT,
						    "%s fails its audit at "
						    "record %llu "
						    "(%s: %s); nothing was "
						    "appended "
						    "(run avow-verify)",
						    log->path,
						    (unsigned long long)f.seq,
						    f.check, f.detail));
				goto out;
			}
			src = SQLITE_OK;
		}
		if (src != SQLITE_DONE && src != SQLITE_OK) {
			rc = rollback(log,
				      avow_store_err(log, src,
						     "reading records", err));
			goto out;
		}
		sqlite3_finalize(q);
		q = NULL;
	}
	b.base = avow_state_count(st);
	if (b.base == 0 && !allow_genesis) {
		rc = rollback(log, avow_seterr(err, AVOW_ERR_USAGE,
					       "%s has no genesis record; run "
					       "`avow init` first",
					       log->path));
		goto out;
	}
	if (b.base > 0 && allow_genesis) {
		rc = rollback(log, avow_seterr(err, AVOW_ERR_EXISTS,
					       "%s already has a genesis "
					       "record",
					       log->path));
		goto out;
	}
	if (avow_state_last_time(st) > now) {
		char last[21];
		avow_format_time(avow_state_last_time(st), last);
		rc = rollback(log, avow_seterr(err, AVOW_ERR_CLOCK,
					       "the time to record, %s, is "
					       "earlier than the last record's "
					       "time %s; fix the clock or "
					       "SOURCE_DATE_EPOCH",
					       ts, last));
		goto out;
	}
	if (ix != NULL)
		avow_indexer_chain(ix, keep_row, &b);
	else
		avow_state_observe(st, keep_row, &b);
	tf = *avow_state_frontier(st);
	for (size_t i = 0; i < n; i++) {
		avow_failure f;
		char lb[32];

		rc = make_record(&b, st, key, drafts, i, allow_genesis, ts,
				 &b.pending[i], &scratch, err);
		if (rc == AVOW_OK &&
		    avow_state_feed(st, b.pending[i].p, b.pending[i].len,
				    AVOW_FEED_TRUSTED, &f) != AVOW_OK) {
			rc = avow_seterr(err, AVOW_ERR_INVALID, "%s", f.detail);
			if (strcmp(f.check, "key") == 0 ||
			    strcmp(f.check, "role") == 0)
				avow_errprefix(err, rc,
					       "key %s: ", avow_key_id(key));
		}
		if (rc != AVOW_OK) {
			avow_errprefix(err, rc,
				       "%s: ", label_of(&drafts[i], lb, i));
			rollback(log, rc);
			goto out;
		}
		b.npending++;
		if (b.oom) {
			rc = rollback(log, avow_seterr(err, AVOW_ERR_NOMEM,
						       "out of memory"));
			goto out;
		}
	}
	src = sqlite3_prepare_v2(log->db,
				 "INSERT INTO records(seq, data) VALUES(?, ?)",
				 -1, &ins, NULL);
	for (size_t i = 0; src == SQLITE_OK && i < n; i++) {
		uint64_t rowseq = b.base + i;
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)rowseq);
		sqlite3_bind_blob(ins, 2, b.pending[i].p, (int)b.pending[i].len,
				  SQLITE_STATIC);
		src = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (src == SQLITE_DONE)
			src = SQLITE_OK;
		if (src == SQLITE_OK) {
			avow_index_row r = {b.rows[i].type, b.rows[i].by,
					    b.rows[i].said_at, b.rows[i].leaf};
			rc = avow_store_index_put(log, b.base + i, &r, err);
			if (rc == AVOW_OK) {
				avow_frontier_add_nodes(&tf, b.rows[i].leaf,
							avow_store_node_put,
							&tw);
				rc = tw.st;
			}
			if (rc != AVOW_OK) {
				rollback(log, rc);
				goto out;
			}
		}
	}
	if (src == SQLITE_OK)
		src = sqlite3_exec(log->db, "COMMIT", NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		rc = rollback(log, avow_store_err(log, src, "appending", err));
		goto out;
	}
	if (first_seq != NULL)
		*first_seq = b.base;
	/* The records are in; a state that cannot be saved is only slower
	 * next time. */
	avow_saved_close(log, sdb,
			 saved && !avow_indexer_failed(ix) ? st : NULL, NULL);
	sdb = NULL;
out:
	avow_saved_close(log, sdb, NULL, NULL);
	avow_indexer_close(ix);
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	avow_state_free(st);
	for (size_t i = 0; i < n; i++) {
		avow_buf_free(&b.pending[i]);
		free(b.rows[i].type);
		free(b.rows[i].by);
		free(b.rows[i].said_at);
	}
	free(b.pending);
	free(b.rows);
	avow_buf_free(&scratch);
	return rc;
}

avow_status avow_log_append(avow_log *log, const avow_key *key,
			    const avow_draft *drafts, size_t n, int64_t now,
			    uint64_t *first_seq, avow_error *err)
{
	return append(log, key, drafts, n, now, 0, first_seq, err);
}

avow_status avow_log_init(avow_log *log, const avow_key *key,
			  const char *origin, const char *holder,
			  const char *description, int64_t now, avow_error *err)
{
	cJSON *d = cJSON_CreateObject(), *b;
	avow_draft draft;
	avow_status rc;
	char *text;

	b = cJSON_AddObjectToObject(d, "body");
	if (d == NULL || b == NULL ||
	    !cJSON_AddStringToObject(d, "type", "genesis") ||
	    !cJSON_AddStringToObject(b, "origin", origin) ||
	    !cJSON_AddStringToObject(b, "key", avow_key_verifier(key)) ||
	    !cJSON_AddStringToObject(b, "holder", holder) ||
	    (description != NULL &&
	     !cJSON_AddStringToObject(b, "description", description))) {
		cJSON_Delete(d);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	text = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	if (text == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	draft.json = text;
	draft.len = strlen(text);
	draft.label = "genesis";
	draft.line = 0;
	rc = append(log, key, &draft, 1, now, 1, NULL, err);
	cJSON_free(text);
	return rc;
}
