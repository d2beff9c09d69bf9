/*
 * state.h - the audit state machine (SPEC sections 3 to 7).
 *
 * Records are fed in seq order. Each is checked completely against the
 * state that the records before it built (authorised keys, declared actors,
 * bodies as amended, the chain) and, when it passes, applied. A record that
 * fails leaves the state as if it were absent, except that its bytes still
 * feed the chain (the next prev check) and the Merkle tree.
 *
 * Memory: a few bytes per record plus what is amended, declared or keyed;
 * earlier records' bodies are re-read through a fetch callback when a
 * target needs them, so a log of a million records audits in well under
 * 64 MiB.
 */
#ifndef AVOW_STATE_H
#define AVOW_STATE_H

#include "internal.h"
#include "json.h"
#include "tree.h"

/* Record types. */
enum {
	AVOW_T_NONE = 0,
	AVOW_T_GENESIS,
	AVOW_T_KEY,
	AVOW_T_ACTOR,
	AVOW_T_CLAIM,
	AVOW_T_RESPONSE,
	AVOW_T_AMEND,
	AVOW_T_COUNT
};
const char *avow_type_name(int type);
int avow_type_parse(const char *s);

/* Fetch the stored bytes of earlier record `seq` into out (reset first). */
typedef avow_status (*avow_fetch_fn)(void *ctx, uint64_t seq, avow_buf *out,
				     avow_error *err);

/* What a record passes to an observer once it is accepted. */
typedef struct {
	uint64_t seq;
	int type;
	const cJSON *entry;   /* the whole entry */
	const cJSON *body;    /* entry.body as recorded */
	const cJSON *amended; /* for an amend: the target's body after it */
	const uint8_t *leaf;  /* 32-byte leaf hash */
	int64_t time;
	const uint8_t *bytes; /* the record's bytes */
	size_t len;
} avow_accepted;

typedef void (*avow_observer_fn)(void *ctx, const avow_accepted *rec);

typedef struct avow_state avow_state;

/* Flags for avow_state_feed. */
enum {
	/* Skip signature checks: for records this process just signed, and
	 * for replaying a log before an append (the audit checks them). */
	AVOW_FEED_TRUSTED = 1u << 0,
};

avow_state *avow_state_new(avow_fetch_fn fetch, void *ctx);
void avow_state_free(avow_state *st);
void avow_state_observe(avow_state *st, avow_observer_fn fn, void *ctx);
/* Report every node of the Merkle tree that a fed record completes (as
 * avow_frontier_add_nodes does), or stop with fn NULL. */
void avow_state_tree_nodes(avow_state *st, avow_node_fn fn, void *ctx);
/* Change how earlier records are read (when the source goes away). */
void avow_state_set_fetch(avow_state *st, avow_fetch_fn fetch, void *ctx);

/* Check record number avow_state_count(st) and apply it. On failure
 * returns the status and fills f (seq, check, detail). Out-of-memory is
 * AVOW_ERR_NOMEM with f->check "memory". */
avow_status avow_state_feed(avow_state *st, const uint8_t *rec, size_t len,
			    unsigned flags, avow_failure *f);

/* Work on a record done ahead of avow_state_feed, on another thread: its
 * leaf hash, and whether its signature verifies under public key pk (the
 * key its signer id named when the work was done). The state uses the
 * signature result only when pk is the key it finds authorised. */
typedef struct {
	int have_leaf;
	uint8_t leaf[32];
	int sig_checked;
	int sig_ok;
	uint8_t pk[32];
} avow_feed_hint;

/* avow_state_feed with a hint (may be NULL). */
avow_status avow_state_feed_hint(avow_state *st, const uint8_t *rec, size_t len,
				 unsigned flags, const avow_feed_hint *hint,
				 avow_failure *f);

/* Record a framing or storage fault at the next position: it counts as a
 * failed record with no bytes (the chain goes on from the last bytes). */
void avow_state_skip(avow_state *st, const char *check, const char *detail,
		     avow_failure *f);

uint64_t avow_state_count(const avow_state *st);
const char *avow_state_origin(const avow_state *st);
const uint8_t *avow_state_last_leaf(const avow_state *st); /* NULL at 0 */
int64_t avow_state_last_time(const avow_state *st);	   /* -1 at 0 */
const avow_frontier *avow_state_frontier(const avow_state *st);

/* Key queries, as of the next record (avow_state_count). */

size_t avow_state_key_count(const avow_state *st);
void avow_state_key_at(const avow_state *st, size_t i, avow_key_summary *out);
/* Whether key `id` is authorised for entry `seq`, and an admin there;
 * only valid for seq <= avow_state_count(st). */
int avow_state_key_authorised(const avow_state *st, const char *id,
			      uint64_t seq, int *admin);
/* Number of authorised admin keys for the next entry. */
size_t avow_state_admin_count(const avow_state *st);

/* Accepted-record counts by type. */
uint64_t avow_state_type_count(const avow_state *st, int type);
/* Type of accepted record seq, or AVOW_T_NONE (failed or beyond). */
int avow_state_type_of(const avow_state *st, uint64_t seq);

/* Whether actor `id` is declared, and the seq of its latest declaration. */
int avow_state_actor(const avow_state *st, const char *id, uint64_t *seq);

/* Compute the plausibility warnings of SPEC section 7 (bodies as amended)
 * and call fn for each, in seq order. */
typedef void (*avow_warning_fn)(void *ctx, uint64_t seq, const char *msg);
avow_status avow_state_warnings(avow_state *st, avow_warning_fn fn, void *ctx,
				avow_error *err);

/* The current (amended) body of accepted record seq: a new tree the
 * caller deletes, or NULL with err set. */
cJSON *avow_state_body(avow_state *st, uint64_t seq, avow_error *err);

/* Parse and check the record-level structure of rec (encoding, members,
 * canonical form); on success returns the record tree, sets *entry, and
 * leaves the entry's signed message ("avow/v1/entry\n" and its canonical
 * form) in msg. scratch is working space. */
cJSON *avow_record_parse(const uint8_t *rec, size_t len, const cJSON **entry,
			 avow_buf *msg, avow_buf *scratch, avow_failure *f);

/* Save the state (everything but the fetch and observer callbacks), and
 * make a state from saved bytes. The per-record part, the one that grows
 * with the log, is saved in chunks of AVOW_STATE_CHUNK records apart from
 * the rest, so that a save after an append rewrites only the chunks that
 * changed since the state was loaded or last saved:
 *   avow_state_save        the rest, to out;
 *   avow_state_chunks      how many chunks there are;
 *   avow_state_chunk       chunk c to out, or 0 when it is unchanged
 *                          (all: every chunk, changed or not);
 *   avow_state_saved       all is saved now: every chunk is unchanged;
 *   avow_state_load        a state from the rest, of at most max_n records
 *                          (what the chunks at hand hold), NULL when the
 *                          bytes are not a state this version saved, are
 *                          cut short, or memory runs out; its chunks are
 *                          then read as records in them are needed:
 *   avow_state_lazy        read chunk c (as saved) through fn when a record
 *                          in it is first needed (fn's bytes are used at
 *                          once); -1 when memory runs out;
 *   avow_state_load_rest   read every chunk not read yet and forget fn:
 *                          -1 when one could not be read, now or before;
 *   avow_state_lazy_failed 1 when a chunk could not be read (its records
 *                          then read as failed ones: the caller must not
 *                          trust or save the state);
 *   avow_state_partial     1 while chunks are unread, or one failed. */
#define AVOW_STATE_CHUNK 4096
void avow_state_save(const avow_state *st, avow_buf *out);
uint64_t avow_state_chunks(const avow_state *st);
int avow_state_chunk(const avow_state *st, uint64_t c, int all, avow_buf *out);
void avow_state_saved(avow_state *st);
avow_state *avow_state_load(const uint8_t *p, size_t len, uint64_t max_n,
			    avow_fetch_fn fetch, void *ctx);
typedef int (*avow_chunk_fn)(void *ctx, uint64_t c, const uint8_t **p,
			     size_t *len);
int avow_state_lazy(avow_state *st, avow_chunk_fn fn, void *ctx);
int avow_state_load_rest(avow_state *st);
int avow_state_lazy_failed(const avow_state *st);
int avow_state_partial(const avow_state *st);

#endif
