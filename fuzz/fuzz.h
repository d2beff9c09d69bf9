/*
 * fuzz.h - what the fuzz targets share (fuzz/common.c). Every target
 * defines LLVMFuzzerTestOneInput; the same source builds either as a
 * libFuzzer binary (AVOW_FUZZ=ON, clang) or, with fuzz/driver.c, as a
 * plain program that replays files (the fuzz.regress.* ctests).
 *
 * A target checks its invariants with FUZZ_ASSERT, which prints the
 * failed expression and calls abort(), so libFuzzer keeps the input and
 * the replay driver fails the test.
 */
#ifndef AVOW_FUZZ_H
#define AVOW_FUZZ_H

#include "avow.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(expr)                                                      \
	do {                                                                   \
		if (!(expr))                                                   \
			fuzz_fail(__FILE__, __LINE__, #expr);                  \
	} while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* The time of the prefix log's first record (2023-09-19T00:00:00Z); its
 * record k has time FUZZ_T0 + 60 * k. */
#define FUZZ_T0	    1695081600
#define FUZZ_ORIGIN "fuzz.example.org/prefix"

/* avow_init(), once; aborts when libsodium cannot start. */
void fuzz_init(void);

/* A directory of our own for scratch files (under /dev/shm when it is
 * writable, else $TMPDIR or /tmp), made once and removed at exit. */
const char *fuzz_dir(void);

/* Write size bytes to path (created 0600, truncated). Aborts on error. */
void fuzz_write_file(const char *path, const void *data, size_t size);

/* The fixed keys: admin (genesis, admin), rec (recorder), admin2 (an
 * admin that revokes itself at the prefix's last record). Made once. */
typedef struct {
	avow_key *admin, *rec, *admin2, *outsider;
} fuzz_keys;
const fuzz_keys *fuzz_get_keys(void);

/* The prefix log: a small valid log written once through the public API
 * (avow_log_create, avow_log_init, avow_log_append) with every entry type:
 *    0 genesis (admin)             1 key add rec (recorder)
 *    2 key add admin2 (admin)      3 actor a1
 *    4 actor a2, part_of a1        5 actor tv (media)
 *    6 claim by a1, via tv, ...    7 response by a2 to 6, disputes
 *    8 response by a1 to 6, retracts
 *    9 amend of 6 (topics)        10 actor a2 again (update)
 *   11 key revoke admin2 (by itself)
 * db is the SQLite file's bytes (closed cleanly, no -wal), recs[k] the
 * stored record bytes, bundle the exported bundle, root the tree hash and
 * checkpoint a note for all records signed by admin. */
#define FUZZ_PREFIX_N 12
typedef struct {
	uint8_t *db;
	size_t db_len;
	char *recs[FUZZ_PREFIX_N];
	size_t lens[FUZZ_PREFIX_N];
	char *bundle;
	size_t bundle_len;
	uint8_t root[32];
	char *checkpoint;
} fuzz_prefix;
const fuzz_prefix *fuzz_get_prefix(void);

/* Copy the prefix log's database to path (removing any -wal and -shm
 * beside it first). */
void fuzz_prefix_db_to(const char *path);

#endif
