/*
 * avow.h - the public interface of libavow, a tamper-evident, signed,
 * append-only log of who asserted what, and when (format: docs/FORMAT.md).
 *
 * Conventions
 * - Every call that can fail returns an avow_status and, when `err` is not
 *   NULL, fills it with a one-line message saying what and where. Success
 *   is AVOW_OK (0).
 * - Handles are opaque. A failed constructor leaves *out = NULL. Freeing
 *   NULL does nothing.
 * - Memory returned to the caller is freed with avow_free() unless the
 *   comment says otherwise.
 * - There is no global mutable state: distinct handles may be used from
 *   distinct threads at once; one handle is not to be shared between
 *   threads without a lock. avow_init() must be called once first.
 */
#ifndef AVOW_H
#define AVOW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(AVOW_NO_VISIBILITY)
#define AVOW_API	 __attribute__((visibility("default")))
#define AVOW_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define AVOW_API
#define AVOW_WARN_UNUSED
#endif

#define AVOW_VERSION	    "0.1.0"
#define AVOW_FORMAT_VERSION 1

#define AVOW_HASH_BYTES	      32		       /* SHA-256 */
#define AVOW_PUBKEY_BYTES     32		       /* Ed25519 public key */
#define AVOW_SEED_BYTES	      32		       /* Ed25519 seed */
#define AVOW_SIG_BYTES	      64		       /* Ed25519 signature */
#define AVOW_KEY_NAME_MAX     128		       /* bytes of a key name */
#define AVOW_KEY_ID_MAX	      (AVOW_KEY_NAME_MAX + 10) /* name+hhhhhhhh */
#define AVOW_VERIFIER_KEY_MAX (AVOW_KEY_ID_MAX + 1 + 44) /* +base64 */

/* Status codes: stable numbers, appended to, never renumbered. */
typedef enum {
	AVOW_OK = 0,
	AVOW_ERR_NOMEM = 1,   /* out of memory */
	AVOW_ERR_IO = 2,      /* a file could not be read or written */
	AVOW_ERR_USAGE = 3,   /* a caller's argument is not acceptable */
	AVOW_ERR_SYNTAX = 4,  /* malformed JSON, encoding or field */
	AVOW_ERR_INVALID = 5, /* well formed, but breaks a rule of the format */
	AVOW_ERR_CRYPTO = 6,  /* a signature or key does not verify */
	AVOW_ERR_PASSPHRASE = 7,   /* wrong passphrase, or key file tampered */
	AVOW_ERR_NOT_LOG = 8,	   /* the file is not an avow log */
	AVOW_ERR_VERSION = 9,	   /* the log is of a newer format version */
	AVOW_ERR_CORRUPT = 10,	   /* storage reports corruption */
	AVOW_ERR_BUSY = 11,	   /* another writer held the log too long */
	AVOW_ERR_CLOCK = 12,	   /* the clock is behind the last record */
	AVOW_ERR_EXISTS = 13,	   /* would overwrite something that exists */
	AVOW_ERR_NOT_FOUND = 14,   /* no such record, key, actor or file */
	AVOW_ERR_AUDIT = 15,	   /* the log fails its audit */
	AVOW_ERR_PERMISSIONS = 16, /* a key file is readable by others */
	AVOW_ERR_FULL = 17,	   /* the disk or database is full */
	AVOW_ERR_READONLY = 18,	   /* the log cannot be written */
} avow_status;

/* A short, static, English description of a status code. */
AVOW_API const char *avow_strerror(avow_status code);

/* The detail of a failure: which thing, where, and why. */
typedef struct {
	avow_status code;
	char msg[1024];
} avow_error;

/* Initialise the library (libsodium). Safe to call more than once.
 * Returns AVOW_OK, or AVOW_ERR_CRYPTO when libsodium cannot start. */
AVOW_API avow_status avow_init(void);

/* Free memory that libavow returned. */
AVOW_API void avow_free(void *p);

/* ---------------------------------------------------------------------
 * Keys (SPEC section 3)
 * ------------------------------------------------------------------ */

/* A secret signing key with its name. The secret part lives in
 * sodium_malloc'ed, guarded memory and is wiped by avow_key_free(). */
typedef struct avow_key avow_key;

/* Check a key name: 1..128 printable ASCII characters, no space, no '+'.
 * Returns 1 when valid. */
AVOW_API int avow_key_name_valid(const char *name);

/* Make a new random key called `name`. */
AVOW_API avow_status avow_key_generate(avow_key **out, const char *name,
				       avow_error *err) AVOW_WARN_UNUSED;

/* Make the key called `name` whose Ed25519 seed is `seed` (for fixed test
 * keys and imports). */
AVOW_API avow_status avow_key_from_seed(avow_key **out, const char *name,
					const uint8_t seed[AVOW_SEED_BYTES],
					avow_error *err) AVOW_WARN_UNUSED;

/* Read a C2SP signed-note signer key,
 * "PRIVATE+KEY+<name>+<hhhhhhhh>+<base64(0x01 || 32-byte seed)>", as Go's
 * golang.org/x/mod/sumdb/note.GenerateKey writes it (surrounding white
 * space is ignored). The key hash is checked against the name and key. */
AVOW_API avow_status avow_key_import_c2sp(avow_key **out, const char *text,
					  size_t len,
					  avow_error *err) AVOW_WARN_UNUSED;

/* Write the key as a C2SP signed-note signer key,
 * "PRIVATE+KEY+<name>+<hhhhhhhh>+<base64(0x01 || 32-byte seed)>", the form
 * avow_key_import_c2sp() reads, into out: NUL-terminated, no newline. out
 * holds outlen bytes; AVOW_KEY_ID_MAX + 58 always suffice (smaller is
 * AVOW_ERR_USAGE). The text is the secret key: the caller wipes it. */
AVOW_API avow_status avow_key_export_c2sp(const avow_key *key, char *out,
					  size_t outlen,
					  avow_error *err) AVOW_WARN_UNUSED;

/* Write the key to a new file at `path`, created 0600 with O_EXCL (an
 * existing file is AVOW_ERR_EXISTS). When passphrase is not NULL the secret
 * is encrypted with a key derived by Argon2id (crypto_pwhash, moderate
 * limits) and sealed with XChaCha20-Poly1305; when it is NULL the file is
 * written unencrypted (only when the user asked for it by name). */
AVOW_API avow_status avow_key_save(const avow_key *key, const char *path,
				   const char *passphrase, size_t passlen,
				   avow_error *err) AVOW_WARN_UNUSED;

/* Whether the key file at `path` is encrypted: 1 yes, 0 no, -1 when it
 * cannot be read or is not a key file. Does not check its mode. */
AVOW_API int avow_key_file_encrypted(const char *path);

/* Read a key file. Refuses (AVOW_ERR_PERMISSIONS) a file whose mode grants
 * any permission to group or others. For an encrypted file a wrong
 * passphrase is AVOW_ERR_PASSPHRASE; passphrase may be NULL only for an
 * unencrypted file. */
AVOW_API avow_status avow_key_load(avow_key **out, const char *path,
				   const char *passphrase, size_t passlen,
				   avow_error *err) AVOW_WARN_UNUSED;

/* Wipe and free a key. */
AVOW_API void avow_key_free(avow_key *key);

/* The key's name, key id ("name+hhhhhhhh") and verifier key
 * ("name+hhhhhhhh+base64(0x01||pk)"); owned by the key. */
AVOW_API const char *avow_key_name(const avow_key *key);
AVOW_API const char *avow_key_id(const avow_key *key);
AVOW_API const char *avow_key_verifier(const avow_key *key);
AVOW_API const uint8_t *avow_key_public(const avow_key *key);

/* Sign msg with the key: sig receives 64 bytes. */
AVOW_API avow_status avow_key_sign(const avow_key *key, const uint8_t *msg,
				   size_t len, uint8_t sig[AVOW_SIG_BYTES],
				   avow_error *err) AVOW_WARN_UNUSED;

/* The proof of possession of SPEC section 4 for a log called `origin`:
 * base64 of the signature of "avow/v1/possession\n" origin "\n" verifier
 * key. out holds at least 89 bytes (88 + NUL). The signature is verified
 * before it is returned. */
AVOW_API avow_status avow_key_possession(const avow_key *key,
					 const char *origin, char out[89],
					 avow_error *err) AVOW_WARN_UNUSED;

/* A parsed verifier key. */
typedef struct {
	char name[AVOW_KEY_NAME_MAX + 1];
	char id[AVOW_KEY_ID_MAX + 1];
	uint8_t hash[4];
	uint8_t pk[AVOW_PUBKEY_BYTES];
} avow_verifier;

/* Parse "name+hhhhhhhh+base64(0x01||pk)": valid name, 8 lower-case hex
 * digits equal to the recomputed key hash, canonical base64 of exactly 33
 * bytes starting 0x01, and a public key that passes
 * crypto_core_ed25519_is_valid_point. */
AVOW_API avow_status avow_verifier_parse(avow_verifier *out, const char *s,
					 size_t len,
					 avow_error *err) AVOW_WARN_UNUSED;

/* Verify the possession proof `proof` (base64) of the verifier key string
 * `vkey` for log `origin`. Returns AVOW_OK or AVOW_ERR_CRYPTO. */
AVOW_API avow_status avow_possession_verify(const char *origin,
					    const char *vkey, size_t vkeylen,
					    const char *proof, size_t prooflen,
					    avow_error *err) AVOW_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Audit results (SPEC section 7)
 * ------------------------------------------------------------------ */

/* One failed check: the record (seq), a short stable name for the check
 * ("json", "canonical", "members", "seq", "prev", "time", "body", "key",
 * "role", "signature", "framing", "storage", "checkpoint", "index"), and
 * the detail. */
typedef struct {
	uint64_t seq;
	const char *check;
	char detail[768];
} avow_failure;

/* A checkpoint's content (SPEC section 6). */
typedef struct {
	char origin[256];
	uint64_t size;
	uint8_t root[32];
	size_t text_len; /* bytes of the signed text, final newline included */
} avow_checkpoint;

/* A checkpoint to check against the log, with the verifier key the user
 * trusts for it. */
typedef struct {
	const char *note; /* the signed note's bytes */
	size_t len;
	const char *vkey;  /* "name+hhhhhhhh+base64" */
	const char *label; /* for messages, such as the file name */
} avow_checkpoint_in;

typedef struct {
	int all; /* go on after a failure and list every one */
	const avow_checkpoint_in *checkpoints;
	size_t ncheckpoints;
	/* Called now and then with the number of records read (may be NULL). */
	void (*progress)(void *ctx, uint64_t done);
	void *progress_ctx;
	/* Threads that verify signatures and hash records ahead of the
	 * audit: 0 for one per core, 1 for none. The verdict is the same. */
	unsigned jobs;
} avow_audit_options;

/* The result of an audit. */
typedef struct avow_audit avow_audit;

/* Audit the bundle file at path (SPEC section 6). A file that cannot be
 * read is AVOW_ERR_IO; any other outcome is AVOW_OK with the verdict in
 * *out (free with avow_audit_free). */
AVOW_API avow_status avow_audit_bundle(const char *path,
				       const avow_audit_options *opts,
				       avow_audit **out,
				       avow_error *err) AVOW_WARN_UNUSED;

/* 1 when every record and every checkpoint passed. */
AVOW_API int avow_audit_passed(const avow_audit *a);
/* Failures, lowest seq first (checkpoint failures last, seq UINT64_MAX). */
AVOW_API size_t avow_audit_failure_count(const avow_audit *a);
AVOW_API const avow_failure *avow_audit_failure(const avow_audit *a, size_t i);
/* Plausibility warnings (SPEC section 7), in seq order. */
AVOW_API size_t avow_audit_warning_count(const avow_audit *a);
AVOW_API const char *avow_audit_warning(const avow_audit *a, size_t i,
					uint64_t *seq);
/* Records read, the log's origin (NULL without a valid genesis), and the
 * tree hash of all records read. */
AVOW_API uint64_t avow_audit_size(const avow_audit *a);
AVOW_API const char *avow_audit_origin(const avow_audit *a);
AVOW_API void avow_audit_root(const avow_audit *a, uint8_t root[32]);
/* Number of checkpoints given that verified. */
AVOW_API size_t avow_audit_checkpoints_ok(const avow_audit *a);
/* How checkpoint i of the options fared, with its content in *cp (may be
 * NULL) when it was read and its signature verified. */
typedef enum {
	AVOW_CP_OK = 0,	    /* verified, and the log matches it */
	AVOW_CP_UNREADABLE, /* malformed, or no valid signature by its key */
	AVOW_CP_FOREIGN,    /* another origin, or not an admin key of this
			       log authorised at its size */
	AVOW_CP_BEYOND,	    /* larger than the log: records were removed */
	AVOW_CP_DIFFERS,    /* the log's tree hash at its size differs */
	AVOW_CP_UNCHECKED,  /* the audit stopped before it could be judged */
} avow_cp_result;
AVOW_API avow_cp_result avow_audit_checkpoint(const avow_audit *a, size_t i,
					      avow_checkpoint *cp);

/* Accepted records of a type ("genesis", "key", "actor", "claim",
 * "response", "amend"). */
AVOW_API uint64_t avow_audit_type_count(const avow_audit *a, const char *type);

/* A key of the log as the audit left it. */
typedef struct {
	const char *id;
	const char *verifier;
	const char *holder;
	const char *note; /* NULL when none */
	int admin;
	uint64_t added;	     /* seq of its genesis or key add */
	uint64_t revoked;    /* seq of its revoke, or UINT64_MAX */
	uint64_t records;    /* accepted records it signed */
	int64_t first, last; /* their times (seconds since 1970), -1 if none */
} avow_key_summary;
AVOW_API size_t avow_audit_key_count(const avow_audit *a);
AVOW_API void avow_audit_key(const avow_audit *a, size_t i,
			     avow_key_summary *out);

AVOW_API void avow_audit_free(avow_audit *a);

/* ---------------------------------------------------------------------
 * Merkle tree proofs and checkpoints (SPEC section 6)
 * ------------------------------------------------------------------ */

/* Most hashes a proof may hold (a tree of 2^63 leaves needs 63 for an
 * inclusion proof and at most 64 for a consistency proof). */
#define AVOW_PROOF_MAX 128

/* An RFC 9162 inclusion proof of the leaf at index in a tree of
 * tree_size leaves: the sibling hashes, lowest first. */
typedef struct {
	uint64_t index;
	uint64_t tree_size;
	uint8_t leaf_hash[32];
	size_t len;
	uint8_t proof[AVOW_PROOF_MAX][32];
} avow_inclusion;

/* An RFC 9162 consistency proof between tree sizes old_size and new_size
 * (0 < old_size <= new_size; empty when they are equal). */
typedef struct {
	uint64_t old_size;
	uint64_t new_size;
	size_t len;
	uint8_t proof[AVOW_PROOF_MAX][32];
} avow_consistency;

/* Check that p leads from its leaf hash to root, consuming every hash
 * (RFC 9162 section 2.1.3.2). AVOW_ERR_INVALID with a reason otherwise. */
AVOW_API avow_status avow_inclusion_verify(const avow_inclusion *p,
					   const uint8_t root[32],
					   avow_error *err) AVOW_WARN_UNUSED;

/* Check that the tree of old_size leaves with hash old_root is a prefix of
 * the tree of new_size leaves with hash new_root, consuming every hash of
 * p (RFC 9162 section 2.1.4.2). AVOW_ERR_INVALID with a reason otherwise:
 * "the proof does not reproduce the old tree hash" names which side
 * differs. */
AVOW_API avow_status avow_consistency_verify(const avow_consistency *p,
					     const uint8_t old_root[32],
					     const uint8_t new_root[32],
					     avow_error *err) AVOW_WARN_UNUSED;

/* For old_size not a power of two (and below new_size): check that p
 * reproduces new_root and set old_root to the old tree hash it implies,
 * the only one consistent with new_root. AVOW_ERR_USAGE when old_size is
 * a power of two (the proof then holds no trace of the old tree). */
AVOW_API avow_status avow_consistency_old_root(
	const avow_consistency *p, const uint8_t new_root[32],
	uint8_t old_root[32], avow_error *err) AVOW_WARN_UNUSED;

/* Parse the JSON of SPEC section 6 ({"index", "tree_size", "leaf_hash",
 * "proof"} and {"old_size", "new_size", "proof"}), strictly: no other
 * member, canonical base64 of 32 bytes, sizes in range. */
AVOW_API avow_status avow_inclusion_parse(avow_inclusion *out, const char *json,
					  size_t len,
					  avow_error *err) AVOW_WARN_UNUSED;
AVOW_API avow_status avow_consistency_parse(avow_consistency *out,
					    const char *json, size_t len,
					    avow_error *err) AVOW_WARN_UNUSED;

/* The canonical JSON of a proof (malloc'ed, NUL-terminated, no final
 * newline; free with avow_free), or NULL when out of memory. */
AVOW_API char *avow_inclusion_json(const avow_inclusion *p);
AVOW_API char *avow_consistency_json(const avow_consistency *p);

/* Parse a checkpoint note and check that it carries a valid signature by
 * the verifier key vkey ("name+hhhhhhhh+base64"). Signature lines of other
 * keys are ignored when well formed. Says nothing about whether the key
 * belongs to any log: the audit checks that. */
AVOW_API avow_status avow_checkpoint_verify(avow_checkpoint *out,
					    const char *note, size_t len,
					    const char *vkey,
					    avow_error *err) AVOW_WARN_UNUSED;

/* Misbehaviour evidence (docs/FORMAT.md): a self-contained JSON file
 * proving that two checkpoints of one origin cannot both be true.
 * avow_evidence_make builds it from the older and the newer note with
 * their verifier keys and, when the sizes differ, the consistency proof p
 * from the older size to the newer and old_root, the tree hash at the
 * older size that the newer tree implies (p and old_root NULL for equal
 * sizes). It checks what it made and returns AVOW_ERR_INVALID when that
 * proves nothing. avow_evidence_check returns AVOW_OK when the file
 * proves misbehaviour, with a one-line account in what; AVOW_ERR_INVALID
 * (with the reason) when it does not; AVOW_ERR_SYNTAX when malformed. */
AVOW_API avow_status avow_evidence_make(const char *older, const char *older_vk,
					const char *newer, const char *newer_vk,
					const avow_consistency *p,
					const uint8_t old_root[32], char **json,
					avow_error *err) AVOW_WARN_UNUSED;
AVOW_API avow_status avow_evidence_check(const char *json, size_t len,
					 char *what, size_t what_len,
					 avow_error *err) AVOW_WARN_UNUSED;

/* The consistency proof from m to n records of a bundle file, and the
 * tree hash of its first m records (reads the bundle's first n records;
 * keeps 64 bytes a record in memory). */
AVOW_API avow_status avow_bundle_consistency(const char *path, uint64_t m,
					     uint64_t n, avow_consistency *p,
					     uint8_t old_root[32],
					     avow_error *err) AVOW_WARN_UNUSED;

/* Sign a checkpoint note for (origin, size, root) with key: the C2SP
 * signed-note text, malloc'ed and NUL-terminated in *note (free with
 * avow_free). */
AVOW_API avow_status avow_checkpoint_sign(const avow_key *key,
					  const char *origin, uint64_t size,
					  const uint8_t root[32], char **note,
					  avow_error *err) AVOW_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Logs (SQLite files)
 * ------------------------------------------------------------------ */

typedef struct avow_log avow_log;

enum {
	AVOW_OPEN_READONLY = 1u
			     << 0, /* never write the database (SQLite may still
				    create the -wal and -shm files beside it) */
};

/* Create a new, empty log file at path (AVOW_ERR_EXISTS when something is
 * there). The log holds no record until avow_log_init() writes genesis. */
AVOW_API avow_status avow_log_create(avow_log **out, const char *path,
				     avow_error *err) AVOW_WARN_UNUSED;

/* Open an existing log. A missing file is AVOW_ERR_NOT_FOUND; a file that
 * is not SQLite, or not an avow log, is AVOW_ERR_NOT_LOG; a log of a newer
 * format is AVOW_ERR_VERSION. */
AVOW_API avow_status avow_log_open(avow_log **out, const char *path,
				   unsigned flags,
				   avow_error *err) AVOW_WARN_UNUSED;

/* Close a log (NULL does nothing). */
AVOW_API void avow_log_close(avow_log *log);

/* Keep the audited state of this log in the file at path (an SQLite file
 * of the caller's own, created 0600 when missing; a file open to group or
 * others is AVOW_ERR_PERMISSIONS), or stop when path is NULL. Then
 * avow_audit_log checks, in O(log n) reads, that the log still extends
 * the tree hash audited before (AVOW_ERR_AUDIT when it does not), audits
 * only the records added since, from the saved state, and saves the new
 * state when the audit passes; records read again later are checked
 * against the audited tree hash. avow_log_append starts from the saved
 * state instead of replaying the log. A file saved for another log (its
 * genesis differs) is replaced after a full audit. See
 * docs/PERFORMANCE.md, "The saved audited state". */
AVOW_API avow_status avow_log_use_saved_state(avow_log *log, const char *path,
					      avow_error *err) AVOW_WARN_UNUSED;

/* Number of records. */
AVOW_API avow_status avow_log_count(avow_log *log, uint64_t *n,
				    avow_error *err) AVOW_WARN_UNUSED;

/* The stored bytes of record seq (malloc'ed, NUL-terminated; free with
 * avow_free). */
AVOW_API avow_status avow_log_record(avow_log *log, uint64_t seq, char **bytes,
				     size_t *len,
				     avow_error *err) AVOW_WARN_UNUSED;

/* Write the bundle of the log (SPEC section 6) to the stream `f` (a
 * FILE *). */
AVOW_API avow_status avow_log_export(avow_log *log, void *f,
				     avow_error *err) AVOW_WARN_UNUSED;

/* Audit the log's records, and check its derived index against them.
 * Storage corruption fails the audit at the record it touches. */
AVOW_API avow_status avow_audit_log(avow_log *log,
				    const avow_audit_options *opts,
				    avow_audit **out,
				    avow_error *err) AVOW_WARN_UNUSED;

/* For an audit of a log: NULL when the derived index agrees with the
 * records, else a message naming the table and the first row that
 * disagrees. The records' verdict does not depend on it. */
AVOW_API const char *avow_audit_index_problem(const avow_audit *a);

/* The tree hash of the log's first size records (1 <= size <= count),
 * read from the stored tree in O(log n) reads. The stored tree is derived
 * data: an audit of the log checks it against the records. */
AVOW_API avow_status avow_log_root(avow_log *log, uint64_t size,
				   uint8_t root[32],
				   avow_error *err) AVOW_WARN_UNUSED;

/* The inclusion proof of record index in the tree of the first size
 * records, and the consistency proof between sizes old_size and new_size,
 * each from the stored tree in O(log n) reads. */
AVOW_API avow_status avow_log_inclusion(avow_log *log, uint64_t index,
					uint64_t size, avow_inclusion *out,
					avow_error *err) AVOW_WARN_UNUSED;
AVOW_API avow_status avow_log_consistency(avow_log *log, uint64_t old_size,
					  uint64_t new_size,
					  avow_consistency *out,
					  avow_error *err) AVOW_WARN_UNUSED;

/* Keep log as a mirror of someone else's: audit the bundle file (with the
 * checkpoints in opts) and append the records the log lacks, exactly as
 * they are. All or none: unless the bundle passes its audit and the log's
 * records are a prefix of the bundle's, nothing is written
 * (AVOW_ERR_AUDIT or AVOW_ERR_INVALID, saying which record differs or
 * that records were removed). *audit is the bundle's audit (free it);
 * *added the number of records appended. */
AVOW_API avow_status avow_log_import(avow_log *log, const char *bundle,
				     const avow_audit_options *opts,
				     avow_audit **audit, uint64_t *added,
				     avow_error *err) AVOW_WARN_UNUSED;

/* Rebuild the log's derived index from its records. */
AVOW_API avow_status avow_log_reindex(avow_log *log,
				      avow_error *err) AVOW_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Appending
 * ------------------------------------------------------------------ */

/* One entry to append: a JSON object {"type": T, "body": B} (white space
 * and member order as the caller likes; strings are never altered). The
 * library adds v, seq, prev, time and signer. A body's "target" may be
 * {"seq": n} (the library fills in the leaf hash), {"seq": n, "hash": h}
 * (the hash must match), or {"line": k}: the record made from the earlier
 * draft of this batch whose `line` is k. */
typedef struct {
	const char *json;
	size_t len;
	const char *label; /* for messages, such as "claims.jsonl:3" */
	long line;	   /* this draft's line number, or 0 */
} avow_draft;

/* Append drafts as one transaction: all or none. Each is validated
 * against the log's state exactly as the audit will judge it (SPEC
 * sections 2 to 5), signed with key, and stored. The log is replayed and
 * the seq, prev and time taken inside a BEGIN IMMEDIATE transaction, so
 * concurrent appenders never fork the chain. now is the time to record
 * (seconds since 1970; -1 for the clock); a time behind the last record's
 * is AVOW_ERR_CLOCK. On success *first_seq (may be NULL) is the seq of the
 * first new record. On failure err names the draft's label and member,
 * and the log is unchanged. */
AVOW_API avow_status avow_log_append(avow_log *log, const avow_key *key,
				     const avow_draft *drafts, size_t n,
				     int64_t now, uint64_t *first_seq,
				     avow_error *err) AVOW_WARN_UNUSED;

/* Write the genesis record of an empty log: origin (1..255 printable
 * ASCII, no space, not "avow/..."), holder (who holds key), description
 * (may be NULL). */
AVOW_API avow_status avow_log_init(avow_log *log, const avow_key *key,
				   const char *origin, const char *holder,
				   const char *description, int64_t now,
				   avow_error *err) AVOW_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
