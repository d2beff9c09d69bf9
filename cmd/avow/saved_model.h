/*
 * saved_model.h - a report's model from the report index of the saved
 * audited state (see saved_model.c and lib/saved.c).
 */
#ifndef AVOW_CMD_SAVED_MODEL_H
#define AVOW_CMD_SAVED_MODEL_H

#include "model.h"

#include <sqlite3.h>

/* A growable list of seqs. */
typedef struct {
	uint64_t *v;
	size_t n, cap;
} seqs;

int seqs_add(seqs *s, uint64_t v);
void seqs_free(seqs *s);
/* Sort and drop duplicates. */
void seqs_sort(seqs *s);

/* The report index of the state saved for x's log, opened read-only in
 * one read transaction; NULL when the log keeps no saved state (or the
 * audit did not pass). */
sqlite3 *saved_index_open(const audited *x);
void saved_index_close(sqlite3 *db);

/* Add to out: the genesis, key and actor records and their amends
 * (saved_frame); the records of `of` and their threads, from each
 * claim down, with every response and amend in them (saved_threads); the
 * seqs that query sql returns, with binds as its texts (saved_words).
 * Records from size on are left out. -1 when the index cannot be read. */
int saved_frame(sqlite3 *db, uint64_t size, seqs *out);
int saved_threads(sqlite3 *db, const seqs *of, uint64_t size, seqs *out);
int saved_words(sqlite3 *db, const char *sql, const char *const *binds,
		size_t nbinds, uint64_t size, seqs *out);

/* A page of the statements by or with an actor, up to seq last, in time
 * order: said_at's start, then its precision (coarser first), then seq,
 * as the index's rx_actor and cmd_report.c's hit_cmp order them. */
typedef struct {
	const char *actor;
	uint64_t last;
	/* The page starts just after statement `after` (one seek), or, when
	 * after is UINT64_MAX, `offset` statements in (O(offset)). */
	uint64_t after, offset;
	uint64_t limit; /* UINT64_MAX: no limit */
	seqs page;	/* out: the page, in order */
	uint64_t total; /* out: the actor's statements up to last */
	int more;	/* out: statements follow the page */
	int missing;	/* out: after is not one of them (no page) */
} actor_page;

/* Fill p's page from the index; -1 when it cannot be read. */
int saved_actor_page(sqlite3 *db, uint64_t size, actor_page *p);

/* The same for the statements up to p->last that sql finds (a SELECT of
 * seqs, whose ? parameters take binds; p->actor and p->after unused):
 * sorted and paged in the index, so that a word found in a million
 * statements costs a page, not a million records read. */
int saved_found_page(sqlite3 *db, const char *sql, const char *const *binds,
		     size_t nbinds, actor_page *p);

/* Whether a statement up to seq last was amended by a record after it
 * (and before size): then the index, which holds each statement as last
 * amended, no longer tells its actors and said_at as of last. 1 or 0;
 * -1 when the index cannot be read. */
int saved_amended_after(sqlite3 *db, uint64_t last, uint64_t size);

/* Fill x->m with the records of want (sorted; NULL: every record the
 * audit saw), read from the log and checked against the leaf hashes the
 * audit recorded. Prints the problem and returns -1 on failure. */
int model_from_saved(audited *x, sqlite3 *db, const seqs *want);

#endif
