/*
 * bench.c - avow's benchmark harness (issue 6). Not a test: bench/run.sh
 * builds it with -DAVOW_BENCH=ON and runs it; ctest never does.
 *
 * In one process and one run it measures
 *   - the baselines: libsodium Ed25519 sign (1 thread) and verify (1 thread
 *     and one thread per core), SQLite inserts of 500-byte blobs in one WAL
 *     transaction, a durable SQLite commit of one row, and two minimal
 *     loops written here without avow: build + SHA-256 + sign + insert, and
 *     read + hash + verify + link check (1 thread and all cores);
 *   - avow through its public API (include/avow.h), for each log size N:
 *     bulk append (avow_log_append), export, audit of the log
 *     (avow_audit_log) and of the bundle (avow_audit_bundle), single
 *     appends (one draft per call, each a durable commit), and the latency
 *     of avow_log_root, avow_log_inclusion and avow_log_consistency;
 * and prints each avow figure with its ratio to the matching baseline.
 *
 *   avow-bench [--sizes 10000,100000] [--runs 3] [--one-run-from 1000000]
 *              [--chunk 50000] [--workdir DIR] [--data FILE]
 *              [--threads N] [--proof-calls N] [--single-max N]
 *              [--single-budget SECONDS] [--cli-files MAX_N]
 *              [--signer recorder|genesis]
 *   avow-bench exec OUT [--timeout SECONDS] -- PROGRAM [ARGS...]
 *
 * --sizes falls back to $AVOW_BENCH_SIZES, then 10000,100000. Sizes of
 * --one-run-from and above are measured once, smaller ones --runs times
 * (the median is printed). A log of N records is the README's shape:
 * genesis by the admin key, the enrolment of a recorder key, then two
 * actors and statements (nine claims to one response) signed by the
 * recorder; with --signer genesis the genesis key signs everything and
 * there is no key record. Drafts go to avow_log_append in batches of
 * --chunk (a batch is held in memory whole). The logs stay in --workdir
 * (log-N.db, bundle-N.txt) with the key files bench.key (admin) and
 * signer.key, bench.vkey, base.db (the records before the first draft),
 * first-draft-seq, and, for sizes up to --cli-files, the JSON Lines
 * drafts-N.jsonl (the drafts of log-N), plus extra-10000.jsonl (10,000
 * statements for any log), so that bench/run.sh can time the
 * command-line tools on the same logs.
 * --data writes every figure as "N<TAB>metric<TAB>value" lines.
 *
 * `exec` runs one program, writes "wall_seconds peak_rss_kib status
 * cpu_seconds" to the file OUT (the program's own output is left alone)
 * and exits with the program's status, or 124 when --timeout stopped it:
 * bench/run.sh's stopwatch, with no dependency on GNU time.
 */
#include <avow.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZES    16
#define NOW	     ((int64_t)1695081600) /* 2023-09-19T00:00:00Z */
#define ORIGIN	     "bench.example.org/avow-bench"
#define MSG_BYTES    500   /* baseline messages and blobs */
#define SODIUM_COUNT 20000 /* signatures a baseline run makes or checks */
#define SODIUM_POOL  2000  /* distinct messages they sign */

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("avow-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	fputs("[bench] ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v). */
static double median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory (%zu bytes)", n);
	return p;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* xorshift64*: fixed seed, so every run asks for the same indices. */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1du;
}

static void remove_db(const char *path)
{
	char p[4096];

	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-journal", path);
	unlink(p);
}

static void copy_file(const char *from, const char *to)
{
	static char buf[1 << 20];
	int in = open(from, O_RDONLY), out;
	ssize_t r;

	if (in < 0)
		die("%s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
		die("%s: %s", to, strerror(errno));
	while ((r = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)r) != r)
			die("%s: %s", to, strerror(errno));
	if (r < 0)
		die("%s: %s", from, strerror(errno));
	close(in);
	close(out);
}

static double file_mib(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (double)st.st_size / 1048576.0 : 0;
}

/* Peak RSS of a phase: Linux resets the high-water mark (VmHWM) when "5"
 * is written to /proc/self/clear_refs. Where that fails, the figure is the
 * process's peak so far (getrusage), and rss_resettable says so. */
static int rss_resettable = 1;

static void rss_reset(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY);

	if (fd < 0 || write(fd, "5", 1) != 1)
		rss_resettable = 0;
	if (fd >= 0)
		close(fd);
}

static double rss_peak_mib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (f != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, "VmHWM:", 6) == 0) {
				kib = strtol(line + 6, NULL, 10);
				break;
			}
		(void)fclose(f);
	}
	if (kib < 0) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		kib = ru.ru_maxrss;
		rss_resettable = 0;
	}
	return (double)kib / 1024.0;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* A phase: its peak RSS and how many cores it kept busy (CPU time of all
 * the process's threads over wall time). The peak RSS is the whole
 * process's, harness included (about 5 MiB with nothing allocated). */
static double phase_cpu0, phase_wall0;

static void phase_begin(void)
{
#ifdef __GLIBC__
	malloc_trim(0); /* what earlier phases freed leaves the RSS */
#endif
	rss_reset();
	phase_cpu0 = cpu_s();
	phase_wall0 = now_s();
}

static void phase_end(double *rss, double *cores)
{
	double wall = now_s() - phase_wall0;

	*cores = wall > 0 ? (cpu_s() - phase_cpu0) / wall : 0;
	*rss = rss_peak_mib();
}

/* ------------------------------------------------------------------ */
/* Options and results                                                  */

typedef struct {
	uint64_t sizes[MAX_SIZES];
	size_t nsizes;
	int runs;
	uint64_t one_run_from;
	size_t chunk;
	const char *workdir;
	const char *data;
	int threads;
	int proof_calls;
	int single_max;
	double single_budget;
	uint64_t cli_files;
	int signer_genesis;
} options;

typedef struct {
	double sign1, verify1, verifyall;
	double sqlite_insert;
	double commit_ms; /* median durable commit of one row */
	double minwrite, minread1, minreadall;
	double minwrite_tree; /* the write loop, also storing tree nodes */
	double min_bytes;     /* mean record size of the minimal loops */
} baselines;

typedef struct {
	uint64_t n;
	int runs;
	double record_bytes; /* mean stored record size */
	double append, append_rss, append_cores, append_calls;
	double audit_log, audit_log_rss, audit_log_cores;
	double audit_bundle, audit_bundle_rss, audit_bundle_cores;
	/* ratios to a spot check of the baseline just before each run (the
	 * bulk append: before each of its calls) */
	double append_spot, audit_log_spot, audit_bundle_spot;
	double export_rate;
	double single_ms;
	int single_calls;
	double root_us, incl_us, cons_us;
	double log_mib, bundle_mib;
} sized;

static FILE *data_out;

static void datum(uint64_t n, const char *metric, double v)
{
	if (data_out != NULL)
		fprintf(data_out, "%" PRIu64 "\t%s\t%.6g\n", n, metric, v);
}

/* ------------------------------------------------------------------ */
/* Baselines: libsodium                                                 */

typedef struct {
	const uint8_t *msgs; /* SODIUM_POOL messages of MSG_BYTES */
	const uint8_t *sigs; /* count signatures */
	const uint8_t *pk;
	size_t from, to;
	int bad;
} verify_job;

static void *verify_worker(void *arg)
{
	verify_job *j = arg;

	for (size_t i = j->from; i < j->to; i++)
		if (crypto_sign_verify_detached(
			    j->sigs + 64 * i,
			    j->msgs + MSG_BYTES * (i % SODIUM_POOL), MSG_BYTES,
			    j->pk) != 0)
			j->bad++;
	return NULL;
}

/* Verify count signatures on nthreads threads; returns verifications/s. */
static double verify_rate(const uint8_t *msgs, const uint8_t *sigs,
			  const uint8_t *pk, size_t count, int nthreads)
{
	pthread_t tid[64];
	verify_job job[64];
	double t0, t;

	t0 = now_s();
	for (int i = 0; i < nthreads; i++) {
		job[i] =
			(verify_job){msgs,
				     sigs,
				     pk,
				     count * (size_t)i / (size_t)nthreads,
				     count * (size_t)(i + 1) / (size_t)nthreads,
				     0};
		if (pthread_create(&tid[i], NULL, verify_worker, &job[i]) != 0)
			die("pthread_create failed");
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		if (job[i].bad)
			die("baseline: %d signatures did not verify",
			    job[i].bad);
	}
	t = now_s() - t0;
	return (double)count / t;
}

/* The baselines' messages (a pool of SODIUM_POOL, reused) and signatures,
 * kept for the spot checks. */
#define SOD_MSG(i) (sod_msgs + MSG_BYTES * ((i) % SODIUM_POOL))
static uint8_t *sod_msgs, *sod_sigs, sod_pk[32], sod_sk[64];
static int spot_threads;

static double sign_rate(size_t count)
{
	double t0 = now_s();

	for (size_t i = 0; i < count; i++)
		crypto_sign_detached(sod_sigs + 64 * i, NULL, SOD_MSG(i),
				     MSG_BYTES, sod_sk);
	return (double)count / (now_s() - t0);
}

/* The key, the messages and room for their signatures, once. */
static void sodium_pool(int threads)
{
	uint8_t seed[32];

	if (sod_msgs != NULL)
		return;
	memset(seed, 7, sizeof seed);
	crypto_sign_seed_keypair(sod_pk, sod_sk, seed);
	sod_msgs = xmalloc((size_t)SODIUM_POOL * MSG_BYTES);
	sod_sigs = xmalloc((size_t)SODIUM_COUNT * 64);
	randombytes_buf(sod_msgs, (size_t)SODIUM_POOL * MSG_BYTES);
	spot_threads = threads;
}

static void bench_sodium(const options *o, baselines *b)
{
	double s[16], v1[16], va[16];
	int runs = o->runs < 16 ? o->runs : 15;

	sodium_pool(o->threads);
	for (int r = 0; r < runs; r++) {
		s[r] = sign_rate(SODIUM_COUNT);
		v1[r] = verify_rate(sod_msgs, sod_sigs, sod_pk, SODIUM_COUNT,
				    1);
		va[r] = verify_rate(sod_msgs, sod_sigs, sod_pk, SODIUM_COUNT,
				    o->threads);
	}
	b->sign1 = median(s, (size_t)runs);
	b->verify1 = median(v1, (size_t)runs);
	b->verifyall = median(va, (size_t)runs);
	note("Ed25519: sign %.0f/s, verify %.0f/s (1 thread), %.0f/s (%d "
	     "threads)",
	     b->sign1, b->verify1, b->verifyall, o->threads);
}

/* Spot checks just before a measurement, for ratios that the machine's
 * changing load moves less: 0.1 to 0.3 s each. */
static double spot_sign(void)
{
	return sign_rate(4000);
}

static double spot_verifyall(void)
{
	return verify_rate(sod_msgs, sod_sigs, sod_pk, 6000, spot_threads);
}

/* ------------------------------------------------------------------ */
/* Baselines: SQLite                                                    */

static sqlite3 *db_open(const char *path, int readonly)
{
	sqlite3 *db;
	int flags = readonly ? SQLITE_OPEN_READONLY
			     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		die("%s: %s", path, sqlite3_errmsg(db));
	/* The minimal read loop's threads open the file at once, and one of
	 * them may be recovering the WAL index while another asks. */
	sqlite3_busy_timeout(db, 10000);
	if (!readonly &&
	    sqlite3_exec(
		    db,
		    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		    "CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY "
		    "KEY, data BLOB NOT NULL);",
		    NULL, NULL, NULL) != SQLITE_OK)
		die("%s: %s", path, sqlite3_errmsg(db));
	return db;
}

static void db_exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die("sqlite: %s: %s", sql, sqlite3_errmsg(db));
}

static void db_insert(sqlite3_stmt *st, sqlite3 *db, int64_t seq, const void *p,
		      int len)
{
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_blob(st, 2, p, len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		die("sqlite insert: %s", sqlite3_errmsg(db));
	sqlite3_reset(st);
}

static void bench_sqlite(const options *o, baselines *b)
{
	const int rows = 200000, commits = 100;
	char path[4096];
	uint8_t blob[MSG_BYTES];
	double r[16], c[128];
	int runs = o->runs < 16 ? o->runs : 15;

	snprintf(path, sizeof path, "%s/sqlite-baseline.db", o->workdir);
	randombytes_buf(blob, sizeof blob);
	for (int k = 0; k < runs; k++) {
		sqlite3 *db;
		sqlite3_stmt *st;
		double t0;

		remove_db(path);
		db = db_open(path, 0);
		if (sqlite3_prepare_v2(db, "INSERT INTO records VALUES(?,?)",
				       -1, &st, NULL) != SQLITE_OK)
			die("sqlite: %s", sqlite3_errmsg(db));
		t0 = now_s();
		db_exec(db, "BEGIN IMMEDIATE");
		for (int i = 0; i < rows; i++) {
			blob[i % MSG_BYTES] ^= 1;
			db_insert(st, db, i, blob, MSG_BYTES);
		}
		db_exec(db, "COMMIT");
		r[k] = rows / (now_s() - t0);
		if (k == 0) /* one row per durable transaction */
			for (int i = 0; i < commits; i++) {
				t0 = now_s();
				db_exec(db, "BEGIN IMMEDIATE");
				db_insert(st, db, rows + i, blob, MSG_BYTES);
				db_exec(db, "COMMIT");
				c[i] = (now_s() - t0) * 1e3;
			}
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	remove_db(path);
	b->sqlite_insert = median(r, (size_t)runs);
	b->commit_ms = median(c, (size_t)commits);
	note("SQLite: %.0f inserts/s in one WAL transaction; durable commit of "
	     "one row %.2f ms",
	     b->sqlite_insert, b->commit_ms);
}

/* ------------------------------------------------------------------ */
/* Baselines: the minimal loops, written without avow                  */

/* A record much like avow's: {"entry":E,"sigs":[{"key":ID,"sig":B64}]},
 * with E naming the base64 leaf hash of the record before. */
#define ENTRY_PREFIX  "avow/v1/entry\n"
#define MIN_KEY_ID    "bench+00000000"
#define SIGS_OPEN     ",\"sigs\":[{\"key\":\"" MIN_KEY_ID "\",\"sig\":\""
#define RECORD_OPEN   "{\"entry\":"
#define B64_HASH      45 /* 44 + NUL */
#define B64_SIG	      89 /* 88 + NUL */
#define MIN_TEXT_FILL "The figures are right."

static size_t min_build_entry(char *buf, size_t cap, uint64_t seq,
			      const char *prev_b64)
{
	int n = snprintf(buf, cap,
			 "{\"body\":{\"by\":\"actor-a\",\"lang\":\"en\","
			 "\"quote\":false,\"said_at\":\"2023-09\",\"source\":{"
			 "\"published\":\"2023-09-18\",\"title\":\"Benchmark "
			 "source %" PRIu64
			 "\"},\"text\":\"Statement s%07" PRIu64
			 ": %s\",\"topics\":[\"benchmark\"]},\"prev\":\"%s\","
			 "\"seq\":%" PRIu64 ",\"signer\":\"" MIN_KEY_ID
			 "\",\"time\":\"2023-09-19T00:00:00Z\",\"type\":"
			 "\"claim\",\"v\":1}",
			 seq, seq, MIN_TEXT_FILL, prev_b64, seq);

	if (n < 0 || (size_t)n >= cap)
		die("minimal loop: entry too long");
	return (size_t)n;
}

static double min_total_bytes;

/* The stored tree of the minimal loop: the hash of every perfect subtree
 * of 8 leaves or more (levels 3 and up), keyed as avow's table `tree` is
 * (FORMAT.md (g), layout 2), from a frontier. */
typedef struct {
	uint8_t frontier[64][32];
	sqlite3_stmt *st;
	sqlite3 *db;
} min_tree;

static void min_tree_row(min_tree *t, uint64_t size, int level,
			 const uint8_t h[32])
{
	sqlite3_bind_int64(t->st, 1, (int64_t)size);
	sqlite3_bind_int(t->st, 2, level);
	sqlite3_bind_blob(t->st, 3, h, 32, SQLITE_STATIC);
	if (sqlite3_step(t->st) != SQLITE_DONE)
		die("sqlite insert: %s", sqlite3_errmsg(t->db));
	sqlite3_reset(t->st);
}

/* Add leaf i: store every node of level 3 or more that it completes. */
static void min_tree_add(min_tree *t, uint64_t i, const uint8_t leaf[32])
{
	uint8_t h[32];
	int level = 0;

	memcpy(h, leaf, 32);
	for (uint64_t m = i; m & 1; m >>= 1) {
		crypto_hash_sha256_state s;

		crypto_hash_sha256_init(&s);
		crypto_hash_sha256_update(&s, (const uint8_t *)"\x01", 1);
		crypto_hash_sha256_update(&s, t->frontier[level], 32);
		crypto_hash_sha256_update(&s, h, 32);
		crypto_hash_sha256_final(&s, h);
		level++;
		if (level >= 3)
			min_tree_row(t, i + 1, level, h);
	}
	memcpy(t->frontier[level], h, 32);
}

/* Build, SHA-256, sign and insert count records in one transaction; with
 * tree, also store the Merkle tree's nodes. */
static double min_write(const char *path, size_t count, const uint8_t sk[64],
			int tree)
{
	char entry[2048], msg[2100], rec[2400], prev[B64_HASH], sigb64[B64_SIG];
	uint8_t sig[64], leaf[32];
	sqlite3 *db;
	sqlite3_stmt *st;
	min_tree mt;
	double t0;

	remove_db(path);
	db = db_open(path, 0);
	if (sqlite3_prepare_v2(db, "INSERT INTO records VALUES(?,?)", -1, &st,
			       NULL) != SQLITE_OK)
		die("sqlite: %s", sqlite3_errmsg(db));
	mt.db = db;
	mt.st = NULL;
	if (tree) {
		db_exec(db, "CREATE TABLE tree(size INTEGER NOT NULL, level "
			    "INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY "
			    "KEY(size, level)) WITHOUT ROWID");
		if (sqlite3_prepare_v2(db, "INSERT INTO tree VALUES(?,?,?)", -1,
				       &mt.st, NULL) != SQLITE_OK)
			die("sqlite: %s", sqlite3_errmsg(db));
	}
	memset(leaf, 0, sizeof leaf);
	min_total_bytes = 0;
	t0 = now_s();
	db_exec(db, "BEGIN IMMEDIATE");
	for (size_t i = 0; i < count; i++) {
		size_t elen, rlen;
		crypto_hash_sha256_state h;

		sodium_bin2base64(prev, sizeof prev, leaf, sizeof leaf,
				  sodium_base64_VARIANT_ORIGINAL);
		elen = min_build_entry(entry, sizeof entry, i, prev);
		memcpy(msg, ENTRY_PREFIX, sizeof ENTRY_PREFIX - 1);
		memcpy(msg + sizeof ENTRY_PREFIX - 1, entry, elen);
		crypto_sign_detached(sig, NULL, (const uint8_t *)msg,
				     sizeof ENTRY_PREFIX - 1 + elen, sk);
		sodium_bin2base64(sigb64, sizeof sigb64, sig, sizeof sig,
				  sodium_base64_VARIANT_ORIGINAL);
		rlen = (size_t)snprintf(rec, sizeof rec,
					RECORD_OPEN "%s" SIGS_OPEN "%s\"}]}",
					entry, sigb64);
		crypto_hash_sha256_init(&h);
		crypto_hash_sha256_update(&h, (const uint8_t *)"", 1);
		crypto_hash_sha256_update(&h, (const uint8_t *)rec, rlen);
		crypto_hash_sha256_final(&h, leaf);
		db_insert(st, db, (int64_t)i, rec, (int)rlen);
		if (tree)
			min_tree_add(&mt, i, leaf);
		min_total_bytes += (double)rlen;
	}
	db_exec(db, "COMMIT");
	t0 = now_s() - t0;
	sqlite3_finalize(st);
	sqlite3_finalize(mt.st);
	sqlite3_close(db);
	return (double)count / t0;
}

typedef struct {
	const char *path;
	const uint8_t *pk;
	int64_t from, to;
	uint8_t first_prev[32], last_leaf[32];
	int bad;
} read_job;

static const char *find_last(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle);

	for (size_t i = len >= nl ? len - nl + 1 : 0; i-- > 0;)
		if (memcmp(s + i, needle, nl) == 0)
			return s + i;
	return NULL;
}

/* Read records [from, to): hash each, check the link to the one before,
 * locate and verify the signature. */
static void *min_read_worker(void *arg)
{
	read_job *j = arg;
	sqlite3 *db = db_open(j->path, 1);
	sqlite3_stmt *st;
	char msg[2400];
	uint8_t leaf[32], prev[32], sig[64];
	int first = 1;

	if (sqlite3_prepare_v2(
		    db,
		    "SELECT data FROM records WHERE seq >= ? AND seq "
		    "< ? ORDER BY seq",
		    -1, &st, NULL) != SQLITE_OK)
		die("sqlite: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, j->from);
	sqlite3_bind_int64(st, 2, j->to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *rec = (const char *)sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0), elen;
		const char *sigs, *p;
		crypto_hash_sha256_state h;
		size_t bl;

		sigs = find_last(rec, len, SIGS_OPEN);
		if (sigs == NULL ||
		    len < sizeof RECORD_OPEN + sizeof SIGS_OPEN + 88)
			die("minimal loop: bad record");
		elen = (size_t)(sigs - rec) - (sizeof RECORD_OPEN - 1);
		memcpy(msg, ENTRY_PREFIX, sizeof ENTRY_PREFIX - 1);
		memcpy(msg + sizeof ENTRY_PREFIX - 1,
		       rec + sizeof RECORD_OPEN - 1, elen);
		msg[sizeof ENTRY_PREFIX - 1 + elen] = '\0';
		/* the link: prev names the leaf hash of the record before */
		p = strstr(msg, "\"prev\":\"");
		if (p == NULL ||
		    sodium_base642bin(prev, 32, p + 8, 44, NULL, &bl, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    bl != 32)
			die("minimal loop: no prev");
		if (first)
			memcpy(j->first_prev, prev, 32);
		else if (memcmp(prev, leaf, 32) != 0)
			j->bad++;
		first = 0;
		if (sodium_base642bin(sig, 64, sigs + sizeof SIGS_OPEN - 1, 88,
				      NULL, &bl, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    bl != 64)
			die("minimal loop: bad signature encoding");
		if (crypto_sign_verify_detached(sig, (const uint8_t *)msg,
						sizeof ENTRY_PREFIX - 1 + elen,
						j->pk) != 0)
			j->bad++;
		crypto_hash_sha256_init(&h);
		crypto_hash_sha256_update(&h, (const uint8_t *)"", 1);
		crypto_hash_sha256_update(&h, (const uint8_t *)rec, len);
		crypto_hash_sha256_final(&h, leaf);
	}
	memcpy(j->last_leaf, leaf, 32);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return NULL;
}

static double min_read(const char *path, size_t count, const uint8_t *pk,
		       int nthreads)
{
	pthread_t tid[64];
	read_job job[64];
	double t0 = now_s();

	for (int i = 0; i < nthreads; i++) {
		memset(&job[i], 0, sizeof job[i]);
		job[i].path = path;
		job[i].pk = pk;
		job[i].from = (int64_t)(count * (size_t)i / (size_t)nthreads);
		job[i].to =
			(int64_t)(count * (size_t)(i + 1) / (size_t)nthreads);
		if (pthread_create(&tid[i], NULL, min_read_worker, &job[i]) !=
		    0)
			die("pthread_create failed");
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < nthreads; i++)
		if (job[i].bad ||
		    (i > 0 &&
		     memcmp(job[i].first_prev, job[i - 1].last_leaf, 32) != 0))
			die("minimal loop: the chain does not verify");
	return (double)count / (now_s() - t0);
}

static void bench_minimal(const options *o, baselines *b)
{
	const size_t count = 50000;
	uint8_t pk[32], sk[64], seed[32];
	char path[4096];
	double w[16], wt[16], r1[16], ra[16];
	int runs = o->runs < 16 ? o->runs : 15;

	memset(seed, 9, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	snprintf(path, sizeof path, "%s/minimal.db", o->workdir);
	for (int k = 0; k < runs; k++) {
		wt[k] = min_write(path, count, sk, 1);
		w[k] = min_write(path, count, sk, 0);
		r1[k] = min_read(path, count, pk, 1);
		ra[k] = min_read(path, count, pk, o->threads);
	}
	remove_db(path);
	sodium_memzero(sk, sizeof sk);
	b->minwrite = median(w, (size_t)runs);
	b->minwrite_tree = median(wt, (size_t)runs);
	b->minread1 = median(r1, (size_t)runs);
	b->minreadall = median(ra, (size_t)runs);
	b->min_bytes = min_total_bytes / (double)count;
	note("minimal loops: write %.0f/s (%.0f/s with the stored tree); "
	     "read+verify %.0f/s (1 thread), %.0f/s (%d threads)",
	     b->minwrite, b->minwrite_tree, b->minread1, b->minreadall,
	     o->threads);
}

/* ------------------------------------------------------------------ */
/* avow's drafts                                                        */

#define TEXT_FILL "The figures are right."

/* The seq of draft 0: 2 when a recorder key enrolled at seq 1 signs the
 * drafts (the README's shape), 1 when the genesis key signs them all. */
static uint64_t draft_seq0 = 2;

/* Draft g of a log (draft 0 is record draft_seq0): two actors, then
 * statements; every tenth statement is a response denying the one before
 * it, by {"line": line - 1} when that is in the same batch, else by
 * {"seq": s}, s the record that draft g - 1 became. */
static size_t make_draft(char *buf, size_t cap, uint64_t g, long line)
{
	int n;

	if (g == 0)
		n = snprintf(buf, cap,
			     "{\"type\":\"actor\",\"body\":{\"id\":\"actor-a\","
			     "\"name\":\"Ministry of Benchmarks\",\"kind\":"
			     "\"agency\"}}");
	else if (g == 1)
		n = snprintf(buf, cap,
			     "{\"type\":\"actor\",\"body\":{\"id\":\"actor-b\","
			     "\"name\":\"Opposition Benchmark Party\",\"kind\":"
			     "\"group\"}}");
	else if ((g - 2) % 10 != 9)
		n = snprintf(buf, cap,
			     "{\"type\":\"claim\",\"body\":{\"by\":\"actor-a\","
			     "\"text\":\"Statement s%07" PRIu64 ": " TEXT_FILL
			     "\",\"quote\":false,\"lang\":\"en\",\"said_at\":"
			     "\"2023-09\",\"source\":{\"title\":\"Benchmark "
			     "source %" PRIu64
			     "\",\"published\":\"2023-09-18\"}"
			     ",\"topics\":[\"benchmark\"]}}",
			     g, g);
	else {
		char target[64];

		if (line > 1)
			snprintf(target, sizeof target, "{\"line\":%ld}",
				 line - 1);
		else
			snprintf(target, sizeof target, "{\"seq\":%" PRIu64 "}",
				 g - 1 + draft_seq0);
		n = snprintf(buf, cap,
			     "{\"type\":\"response\",\"body\":{\"by\":"
			     "\"actor-b\",\"text\":\"Statement s%07" PRIu64
			     ": The party denies it. " TEXT_FILL
			     "\",\"quote\":false,\"lang\":\"en\",\"said_at\":"
			     "\"2023-09\",\"source\":{\"title\":\"Benchmark "
			     "source %" PRIu64
			     "\",\"published\":\"2023-09-18\"}"
			     ",\"target\":%s,\"stance\":\"denies\"}}",
			     g, g, target);
	}
	if (n < 0 || (size_t)n >= cap)
		die("draft too long");
	return (size_t)n;
}

#define DRAFT_CAP 1024

/* A batch of drafts, packed one after another (about 330 bytes each), as
 * a caller holding a JSON Lines file in memory would have them. */
typedef struct {
	char *text; /* cap * DRAFT_AVG bytes, grown when needed */
	size_t text_cap;
	avow_draft *drafts; /* cap */
	size_t cap;
} batch;

#define DRAFT_AVG 400

static void batch_init(batch *b, size_t cap)
{
	b->text_cap = cap * DRAFT_AVG + DRAFT_CAP;
	b->text = xmalloc(b->text_cap);
	b->drafts = xmalloc(cap * sizeof *b->drafts);
	b->cap = cap;
}

static void batch_free(batch *b)
{
	free(b->text);
	free(b->drafts);
}

/* Fill the batch with drafts g0 .. g0+n-1. */
static void batch_fill(batch *b, uint64_t g0, size_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		if (b->text_cap - used < DRAFT_CAP)
			die("draft batch overflow");
		b->drafts[i].json = b->text + used;
		b->drafts[i].len = make_draft(b->text + used, DRAFT_CAP, g0 + i,
					      (long)i + 1);
		used += b->drafts[i].len;
		b->drafts[i].label = "bench";
		b->drafts[i].line = (long)i + 1;
	}
}

static void write_jsonl(const char *path, uint64_t g0, uint64_t n)
{
	FILE *f = fopen(path, "w");
	char buf[DRAFT_CAP];

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	for (uint64_t i = 0; i < n; i++) {
		size_t len = make_draft(buf, sizeof buf, g0 + i, (long)i + 1);

		if (fwrite(buf, 1, len, f) != len)
			die("%s: %s", path, strerror(errno));
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

/* ------------------------------------------------------------------ */
/* avow through its API                                                 */

static avow_key *admin_key;  /* genesis: the log's admin (bench.key) */
static avow_key *signer_key; /* signs the drafts (signer.key) */

static void check(avow_status rc, const avow_error *err, const char *what)
{
	if (rc != AVOW_OK)
		die("%s: %s", what, err->msg);
}

/* A new log at path holding what comes before the drafts: genesis, signed
 * by the admin key, and (unless the genesis key signs the drafts) the
 * enrolment of the recorder key. */
static avow_log *make_base(const char *path)
{
	avow_log *log;
	avow_error err;

	remove_db(path);
	check(avow_log_create(&log, path, &err), &err, path);
	check(avow_log_init(log, admin_key, ORIGIN, "avow benchmark", NULL, NOW,
			    &err),
	      &err, "init");
	if (signer_key != admin_key) {
		char poss[89], json[1024];
		avow_draft d;
		int len;

		check(avow_key_possession(signer_key, ORIGIN, poss, &err), &err,
		      "possession");
		len = snprintf(
			json, sizeof json,
			"{\"type\":\"key\",\"body\":{\"action\":\"add\","
			"\"key\":\"%s\",\"role\":\"recorder\",\"holder\":"
			"\"Benchmark recorder\",\"possession\":\"%s\"}}",
			avow_key_verifier(signer_key), poss);
		if (len < 0 || (size_t)len >= sizeof json)
			die("key draft too long");
		d.json = json;
		d.len = (size_t)len;
		d.label = "key add";
		d.line = 0;
		check(avow_log_append(log, admin_key, &d, 1, NOW, NULL, &err),
		      &err, "key add");
	}
	return log;
}

/* A log of n records (genesis, maybe a key add, then drafts) at path:
 * drafts/s of the avow_log_append calls, the calls made, and the peak
 * RSS. */
/* Bulk append n records in calls of chunk drafts: the rate, with the
 * phase's peak RSS and cores, and in *spot the rate against a spot check
 * of the sign rate taken before each call: the time signing alone would
 * have taken at each call's moment, over the time the calls took. (The
 * spot checks are left out of the phase's wall and CPU time.) */
static double bulk_append(const char *path, uint64_t n, size_t chunk,
			  double *rss, double *cores, double *calls,
			  double *spot)
{
	avow_log *log;
	avow_error err;
	batch b;
	double t = 0, ideal = 0;
	uint64_t g = 0, total = n - draft_seq0;
	size_t bsz = total < chunk ? (size_t)total : chunk;

	log = make_base(path);
	batch_init(&b, bsz);
	*calls = 0;
	phase_begin();
	while (g < total) {
		size_t k = total - g < bsz ? (size_t)(total - g) : bsz;
		double t0;

		batch_fill(&b, g, k);
		{
			double w0 = now_s(), c0 = cpu_s();

			ideal += (double)k / spot_sign();
			phase_wall0 += now_s() - w0;
			phase_cpu0 += cpu_s() - c0;
		}
		t0 = now_s();
		check(avow_log_append(log, signer_key, b.drafts, k, NOW, NULL,
				      &err),
		      &err, "append");
		t += now_s() - t0;
		g += k;
		*calls += 1;
		if (total > 100000)
			note("  append: %" PRIu64 " of %" PRIu64
			     " drafts, %.0f/s so far",
			     g, total, (double)g / t);
	}
	phase_end(rss, cores);
	batch_free(&b);
	avow_log_close(log);
	*spot = ideal / t;
	return (double)total / t;
}

static double audit_log(const char *path, uint64_t n, double *rss,
			double *cores)
{
	avow_log *log;
	avow_audit *a;
	avow_error err;
	avow_audit_options ao;
	double t0, t;

	memset(&ao, 0,
	       sizeof ao); /* jobs 0: one thread per core, the default */
	check(avow_log_open(&log, path, AVOW_OPEN_READONLY, &err), &err, path);
	phase_begin();
	t0 = now_s();
	check(avow_audit_log(log, &ao, &a, &err), &err, "audit");
	t = now_s() - t0;
	phase_end(rss, cores);
	if (!avow_audit_passed(a) || avow_audit_size(a) != n)
		die("%s: the audit did not pass (%" PRIu64 " records read)",
		    path, avow_audit_size(a));
	avow_audit_free(a);
	avow_log_close(log);
	return (double)n / t;
}

static double audit_bundle(const char *path, uint64_t n, double *rss,
			   double *cores)
{
	avow_audit *a;
	avow_error err;
	avow_audit_options ao;
	double t0, t;

	memset(&ao, 0, sizeof ao);
	phase_begin();
	t0 = now_s();
	check(avow_audit_bundle(path, &ao, &a, &err), &err, "audit bundle");
	t = now_s() - t0;
	phase_end(rss, cores);
	if (!avow_audit_passed(a) || avow_audit_size(a) != n)
		die("%s: the audit did not pass", path);
	avow_audit_free(a);
	return (double)n / t;
}

static double export_bundle(const char *log_path, const char *path, uint64_t n)
{
	avow_log *log;
	avow_error err;
	FILE *f;
	double t0;

	check(avow_log_open(&log, log_path, AVOW_OPEN_READONLY, &err), &err,
	      log_path);
	f = fopen(path, "w");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	t0 = now_s();
	check(avow_log_export(log, f, &err), &err, "export");
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
	t0 = now_s() - t0;
	avow_log_close(log);
	return (double)n / t0;
}

/* One draft per avow_log_append call on a copy of the log that keeps a
 * saved audited state (built by one audit first, not timed), as the
 * command line does: the median latency in ms of at most max calls,
 * stopping after budget seconds (at least 3 calls). */
static double single_appends(const options *o, const char *log_path, uint64_t n,
			     int *calls)
{
	char path[4096], buf[DRAFT_CAP];
	avow_log *log;
	avow_error err;
	double *lat = xmalloc(sizeof(double) * (size_t)o->single_max);
	double start, m;
	int k = 0;

	char state[4200];
	avow_audit *a = NULL;

	snprintf(path, sizeof path, "%s/single.db", o->workdir);
	snprintf(state, sizeof state, "%s/single-state.db", o->workdir);
	remove_db(path);
	remove_db(state);
	copy_file(log_path, path);
	check(avow_log_open(&log, path, 0, &err), &err, path);
	check(avow_log_use_saved_state(log, state, &err), &err, state);
	check(avow_audit_log(log, NULL, &a, &err), &err, "the first audit");
	if (!avow_audit_passed(a))
		die("%s fails its audit", path);
	avow_audit_free(a);
	start = now_s();
	while (k < o->single_max &&
	       (k < 3 || now_s() - start < o->single_budget)) {
		avow_draft d;
		double t0;

		/* a claim: g - 2 is a multiple of 10 */
		d.len = make_draft(buf, sizeof buf,
				   2 + 10 * (n / 10 + (uint64_t)k), 0);
		d.json = buf;
		d.label = "single";
		d.line = 0;
		t0 = now_s();
		check(avow_log_append(log, signer_key, &d, 1, NOW, NULL, &err),
		      &err, "single append");
		lat[k++] = (now_s() - t0) * 1e3;
	}
	avow_log_close(log);
	remove_db(path);
	remove_db(state);
	m = median(lat, (size_t)k);
	free(lat);
	*calls = k;
	return m;
}

/* The median latency in microseconds of avow_log_root, avow_log_inclusion
 * and avow_log_consistency at random sizes and indices of a log of n
 * records; one proof of each kind is verified (outside the timing). */
static void proofs(const options *o, const char *path, uint64_t n, sized *s)
{
	avow_log *log;
	avow_error err;
	uint8_t root[32], full[32];
	avow_inclusion incl;
	avow_consistency cons;
	int calls = o->proof_calls;
	double *lr = xmalloc(sizeof(double) * (size_t)calls);
	double *li = xmalloc(sizeof(double) * (size_t)calls);
	double *lc = xmalloc(sizeof(double) * (size_t)calls);

	check(avow_log_open(&log, path, AVOW_OPEN_READONLY, &err), &err, path);
	check(avow_log_root(log, n, full, &err), &err, "root");
	for (int i = 0; i < calls; i++) {
		uint64_t size = 1 + rng() % n, idx = rng() % n;
		uint64_t old = 1 + rng() % (n - 1);
		double t0;

		t0 = now_s();
		check(avow_log_root(log, size, root, &err), &err, "root");
		lr[i] = (now_s() - t0) * 1e6;
		t0 = now_s();
		check(avow_log_inclusion(log, idx, n, &incl, &err), &err,
		      "inclusion");
		li[i] = (now_s() - t0) * 1e6;
		t0 = now_s();
		check(avow_log_consistency(log, old, n, &cons, &err), &err,
		      "consistency");
		lc[i] = (now_s() - t0) * 1e6;
		if (i == 0) {
			uint8_t oldroot[32];

			check(avow_inclusion_verify(&incl, full, &err), &err,
			      "inclusion proof");
			check(avow_log_root(log, old, oldroot, &err), &err,
			      "root");
			check(avow_consistency_verify(&cons, oldroot, full,
						      &err),
			      &err, "consistency proof");
		}
	}
	avow_log_close(log);
	s->root_us = median(lr, (size_t)calls);
	s->incl_us = median(li, (size_t)calls);
	s->cons_us = median(lc, (size_t)calls);
	free(lr);
	free(li);
	free(lc);
}

static double mean_record_bytes(const char *bundle, uint64_t n)
{
	return file_mib(bundle) * 1048576.0 / (double)n - 1; /* minus LF */
}

static void bench_size(const options *o, uint64_t n, sized *s)
{
	char logp[4096], bpath[4096], tmp[4096];
	int runs = n >= o->one_run_from ? 1 : o->runs;
	double ap[16], apr[16], apx[16], apc[16], al[16], alr[16], alx[16];
	double ab[16], abr[16], abx[16], ex[16];
	double spa[16], spl[16], spb[16]; /* ratios to the spot checks */

	if (runs > 15)
		runs = 15;
	memset(s, 0, sizeof *s);
	s->n = n;
	s->runs = runs;
	snprintf(logp, sizeof logp, "%s/log-%" PRIu64 ".db", o->workdir, n);
	snprintf(bpath, sizeof bpath, "%s/bundle-%" PRIu64 ".txt", o->workdir,
		 n);
	snprintf(tmp, sizeof tmp, "%s/append-run.db", o->workdir);
	for (int r = 0; r < runs; r++) {
		note("N=%" PRIu64 ": bulk append, run %d of %d", n, r + 1,
		     runs);
		ap[r] = bulk_append(r == 0 ? logp : tmp, n, o->chunk, &apr[r],
				    &apx[r], &apc[r], &spa[r]);
		note("  %.0f drafts/s, peak RSS %.0f MiB", ap[r], apr[r]);
	}
	remove_db(tmp);
	for (int r = 0; r < runs; r++) {
		ex[r] = export_bundle(logp, bpath, n);
		note("N=%" PRIu64 ": audit, run %d of %d", n, r + 1, runs);
		double v = spot_verifyall();

		al[r] = audit_log(logp, n, &alr[r], &alx[r]);
		spl[r] = al[r] / v;
		v = spot_verifyall();
		ab[r] = audit_bundle(bpath, n, &abr[r], &abx[r]);
		spb[r] = ab[r] / v;
		note("  log %.0f/s (%.0f MiB), bundle %.0f/s (%.0f MiB)", al[r],
		     alr[r], ab[r], abr[r]);
	}
	s->append = median(ap, (size_t)runs);
	s->append_rss = median(apr, (size_t)runs);
	s->append_cores = median(apx, (size_t)runs);
	s->append_spot = median(spa, (size_t)runs);
	s->audit_log_spot = median(spl, (size_t)runs);
	s->audit_bundle_spot = median(spb, (size_t)runs);
	s->audit_log_cores = median(alx, (size_t)runs);
	s->audit_bundle_cores = median(abx, (size_t)runs);
	s->append_calls = apc[0];
	s->audit_log = median(al, (size_t)runs);
	s->audit_log_rss = median(alr, (size_t)runs);
	s->audit_bundle = median(ab, (size_t)runs);
	s->audit_bundle_rss = median(abr, (size_t)runs);
	s->export_rate = median(ex, (size_t)runs);
	s->record_bytes = mean_record_bytes(bpath, n);
	s->log_mib = file_mib(logp);
	s->bundle_mib = file_mib(bpath);
	note("N=%" PRIu64 ": proofs (%d calls each)", n, o->proof_calls);
	proofs(o, logp, n, s);
	note("  root %.1f us, inclusion %.1f us, consistency %.1f us",
	     s->root_us, s->incl_us, s->cons_us);
	note("N=%" PRIu64 ": single appends", n);
	s->single_ms = single_appends(o, logp, n, &s->single_calls);
	note("  %.2f ms median over %d calls", s->single_ms, s->single_calls);
	if (n <= o->cli_files) {
		snprintf(tmp, sizeof tmp, "%s/drafts-%" PRIu64 ".jsonl",
			 o->workdir, n);
		write_jsonl(tmp, 0, n - draft_seq0);
	}
}

/* ------------------------------------------------------------------ */
/* Output                                                               */

static void fmt_num(char *out, size_t cap, double v)
{
	char digits[64], *p = out;
	int len, lead;

	if (v >= 100 || v == 0) {
		len = snprintf(digits, sizeof digits, "%.0f", v);
		lead = len % 3 ? len % 3 : 3;
		for (int i = 0; i < len && (size_t)(p - out) + 2 < cap; i++) {
			if (i && (i - lead) % 3 == 0 && i >= lead)
				*p++ = ',';
			*p++ = digits[i];
		}
		*p = '\0';
	} else if (v >= 10)
		snprintf(out, cap, "%.1f", v);
	else if (v >= 0.1)
		snprintf(out, cap, "%.2f", v);
	else
		snprintf(out, cap, "%.2g", v);
}

static const char *num(double v)
{
	static char ring[16][64];
	static int i;

	i = (i + 1) % 16;
	fmt_num(ring[i], sizeof ring[i], v);
	return ring[i];
}

static void row(const sized *s, size_t ns, const char *label,
		double (*get)(const sized *), const char *unit, const char *ref)
{
	printf("  %-34s", label);
	for (size_t i = 0; i < ns; i++) {
		double v = get(&s[i]);

		printf(" %14s", num(v));
	}
	printf("  %-5s %s\n", unit, ref);
}

static const baselines *B;
static const sized *S0;

#define GETTER(name, expr)                                                     \
	static double name(const sized *s)                                     \
	{                                                                      \
		return (expr);                                                 \
	}
GETTER(g_append, s->append)
GETTER(g_append_sign, s->append / B->sign1)
GETTER(g_append_min, s->append / B->minwrite)
GETTER(g_append_rss, s->append_rss)
GETTER(g_append_calls, s->append_calls)
GETTER(g_append_cores, s->append_cores)
GETTER(g_append_spot, s->append_spot)
GETTER(g_audit_log_spot, s->audit_log_spot)
GETTER(g_audit_bundle_spot, s->audit_bundle_spot)
GETTER(g_audit_log_cores, s->audit_log_cores)
GETTER(g_audit_bundle_cores, s->audit_bundle_cores)
GETTER(g_audit_log, s->audit_log)
GETTER(g_audit_log_v, s->audit_log / B->verifyall)
GETTER(g_audit_log_min, s->audit_log / B->minreadall)
GETTER(g_audit_log_rss, s->audit_log_rss)
GETTER(g_audit_bundle, s->audit_bundle)
GETTER(g_audit_bundle_v, s->audit_bundle / B->verifyall)
GETTER(g_audit_bundle_rss, s->audit_bundle_rss)
GETTER(g_export, s->export_rate)
GETTER(g_single_ms, s->single_ms)
GETTER(g_single_rate, 1e3 / s->single_ms)
GETTER(g_single_commit, B->commit_ms / s->single_ms)
GETTER(g_root, s->root_us)
GETTER(g_root_x, s->root_us / S0->root_us)
GETTER(g_incl, s->incl_us)
GETTER(g_incl_x, s->incl_us / S0->incl_us)
GETTER(g_cons, s->cons_us)
GETTER(g_cons_x, s->cons_us / S0->cons_us)
GETTER(g_rec, s->record_bytes)
GETTER(g_logmib, s->log_mib)

static const char *verdict(int ok)
{
	return ok ? "meets" : "BELOW";
}

static void print_report(const options *o, const baselines *b,
			 const baselines *b_end, const sized *s, size_t ns,
			 double elapsed)
{
	struct utsname u;
	char date[64], cpu[256] = "unknown CPU";
	time_t t = time(NULL);
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (f != NULL) {
		char line[512];

		while (fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, "model name", 10) == 0) {
				char *p = strchr(line, ':');

				if (p != NULL) {
					snprintf(cpu, sizeof cpu, "%s", p + 2);
					cpu[strcspn(cpu, "\n")] = '\0';
				}
				break;
			}
		(void)fclose(f);
	}
	uname(&u);
	(void)strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	B = b;
	S0 = &s[0];

	printf("avow benchmark (bench/bench.c), %s\n", date);
	printf("machine: %s, %ld cores online (%s), Linux %s\n", u.nodename,
	       sysconf(_SC_NPROCESSORS_ONLN), cpu, u.release);
	printf("avow %s, libsodium %s, SQLite %s; %d threads for all-core "
	       "figures\n",
	       AVOW_VERSION, sodium_version_string(), sqlite3_libversion(),
	       o->threads);
	printf("medians of %d runs (1 run for N >= %" PRIu64
	       "); bulk append in calls of at most %zu drafts; warm page "
	       "cache\n",
	       o->runs, o->one_run_from, o->chunk);
	printf("log: genesis (admin key)%s, then 2 actors and statements "
	       "(9 claims : 1 response) signed by the %s key\n\n",
	       o->signer_genesis ? "" : ", key add of a recorder key",
	       o->signer_genesis ? "genesis" : "recorder");

	printf("Baselines (this run)\n");
	printf("  %-58s %12s /s\n", "Ed25519 sign, 1 thread (libsodium)",
	       num(b->sign1));
	printf("  %-58s %12s /s\n", "Ed25519 verify, 1 thread",
	       num(b->verify1));
	printf("  %-58s %12s /s\n",
	       "Ed25519 verify, all cores (one thread each)",
	       num(b->verifyall));
	printf("  %-58s %12s /s\n",
	       "SQLite insert, 500-byte blobs, one WAL transaction",
	       num(b->sqlite_insert));
	printf("  %-58s %12s ms (%s /s)\n",
	       "SQLite durable commit of one row (WAL, synchronous=FULL)",
	       num(b->commit_ms), num(1e3 / b->commit_ms));
	printf("  %-58s %12s /s\n",
	       "minimal loop: build + SHA-256 + sign + insert, 1 thread",
	       num(b->minwrite));
	printf("  %-58s %12s /s (%.0f%% slower)\n",
	       "  the same, also storing the Merkle tree's nodes",
	       num(b->minwrite_tree),
	       100 * (1 - b->minwrite_tree / b->minwrite));
	printf("  %-58s %12s /s\n",
	       "minimal loop: read + hash + verify + link check, 1 thread",
	       num(b->minread1));
	printf("  %-58s %12s /s\n",
	       "minimal loop: read + hash + verify + link, all cores",
	       num(b->minreadall));
	printf("  %-58s %12s bytes\n", "(minimal loop records: mean size)",
	       num(b->min_bytes));
	printf("  %-58s %12s /s\n",
	       "again at the end of the run: sign, 1 thread",
	       num(b_end->sign1));
	printf("  %-58s %12s /s\n",
	       "again at the end of the run: verify, all cores",
	       num(b_end->verifyall));

	printf("\navow through include/avow.h, by log size N (records)\n");
	printf("  %-34s", "");
	for (size_t i = 0; i < ns; i++)
		printf(" %14s", num((double)s[i].n));
	printf("  %-5s %s\n", "unit", "compared with");
	row(s, ns, "mean record size", g_rec, "bytes", "");
	row(s, ns, "log file size", g_logmib, "MiB", "");
	row(s, ns, "bulk append (avow_log_append)", g_append, "/s", "");
	row(s, ns, "  x sign rate, 1 thread", g_append_sign, "x",
	    "target >= 0.75, aim 0.9");
	row(s, ns, "  x sign rate before each call", g_append_spot, "x",
	    "(spot checks)");
	row(s, ns, "  x minimal write loop", g_append_min, "x", "");
	row(s, ns, "  peak RSS", g_append_rss, "MiB", "");
	row(s, ns, "  cores busy (CPU time / wall)", g_append_cores, "", "");
	row(s, ns, "  avow_log_append calls", g_append_calls, "", "");
	row(s, ns, "audit log (avow_audit_log)", g_audit_log, "/s", "");
	row(s, ns, "  x verify rate, all cores", g_audit_log_v, "x",
	    "target >= 0.75, aim 0.85");
	row(s, ns, "  x verify rate just before (spot)", g_audit_log_spot, "x",
	    "");
	row(s, ns, "  x minimal read loop, all cores", g_audit_log_min, "x",
	    "");
	row(s, ns, "  peak RSS", g_audit_log_rss, "MiB", "target < 64 MiB");
	row(s, ns, "  cores busy (CPU time / wall)", g_audit_log_cores, "", "");
	row(s, ns, "audit bundle (avow_audit_bundle)", g_audit_bundle, "/s",
	    "");
	row(s, ns, "  x verify rate, all cores", g_audit_bundle_v, "x",
	    "target >= 0.75");
	row(s, ns, "  x verify rate just before (spot)", g_audit_bundle_spot,
	    "x", "");
	row(s, ns, "  peak RSS", g_audit_bundle_rss, "MiB", "target < 64 MiB");
	row(s, ns, "  cores busy (CPU time / wall)", g_audit_bundle_cores, "",
	    "");
	row(s, ns, "export (avow_log_export)", g_export, "/s", "");
	row(s, ns, "single append (saved state), median", g_single_ms, "ms",
	    "one draft per call, durable");
	row(s, ns, "  as a rate", g_single_rate, "/s", "");
	row(s, ns, "  x durable SQLite commit rate", g_single_commit, "x",
	    "(= commit latency / append latency)");
	row(s, ns, "avow_log_root, median", g_root, "us", "");
	row(s, ns, "  x smallest N", g_root_x, "x", "target < 3");
	row(s, ns, "avow_log_inclusion, median", g_incl, "us", "");
	row(s, ns, "  x smallest N", g_incl_x, "x", "target < 3");
	row(s, ns, "avow_log_consistency, median", g_cons, "us", "");
	row(s, ns, "  x smallest N", g_cons_x, "x", "target < 3");
	printf("  single appends made per size:");
	for (size_t i = 0; i < ns; i++)
		printf(" %d", s[i].single_calls);
	printf("\n");

	printf("\nAgainst the targets of issue 6 (largest N = %s)\n",
	       num((double)s[ns - 1].n));
	{
		const sized *l = &s[ns - 1];
		double ar = l->append / b->sign1,
		       vr = l->audit_log / b->verifyall;
		double pr = l->incl_us / s[0].incl_us;

		if (l->cons_us / s[0].cons_us > pr)
			pr = l->cons_us / s[0].cons_us;
		if (l->root_us / s[0].root_us > pr)
			pr = l->root_us / s[0].root_us;
		printf("  bulk append >= 0.75 x sign rate:         %5.2f  %s "
		       "(%.2f against the spot check)\n",
		       ar, verdict(ar >= 0.75), l->append_spot);
		printf("  audit >= 0.75 x all-core verify rate:    %5.2f  %s "
		       "(%.2f against the spot check)\n",
		       vr, verdict(vr >= 0.75), l->audit_log_spot);
		printf("  audit peak RSS < 64 MiB:              %5.0f MiB  "
		       "%s\n",
		       l->audit_log_rss, verdict(l->audit_log_rss < 64));
		printf("  proofs at largest N < 3 x smallest N:    %5.2f  %s\n",
		       pr, verdict(pr < 3));
	}
	if (!rss_resettable)
		printf("\nnote: peak RSS could not be reset between phases; "
		       "figures are the process's peak so far\n");
	printf("\nharness time: %.0f s\n", elapsed);

	datum(0, "sign1", b->sign1);
	datum(0, "verify1", b->verify1);
	datum(0, "verifyall", b->verifyall);
	datum(0, "sqlite_insert", b->sqlite_insert);
	datum(0, "commit_ms", b->commit_ms);
	datum(0, "minwrite", b->minwrite);
	datum(0, "minwrite_tree", b->minwrite_tree);
	datum(0, "minread1", b->minread1);
	datum(0, "minreadall", b->minreadall);
	datum(0, "sign1_end", b_end->sign1);
	datum(0, "verifyall_end", b_end->verifyall);
	for (size_t i = 0; i < ns; i++) {
		uint64_t n = s[i].n;

		datum(n, "append", s[i].append);
		datum(n, "append_rss", s[i].append_rss);
		datum(n, "audit_log", s[i].audit_log);
		datum(n, "audit_log_rss", s[i].audit_log_rss);
		datum(n, "audit_bundle", s[i].audit_bundle);
		datum(n, "audit_bundle_rss", s[i].audit_bundle_rss);
		datum(n, "append_cores", s[i].append_cores);
		datum(n, "append_x_spot", s[i].append_spot);
		datum(n, "audit_log_x_spot", s[i].audit_log_spot);
		datum(n, "audit_bundle_x_spot", s[i].audit_bundle_spot);
		datum(n, "audit_log_cores", s[i].audit_log_cores);
		datum(n, "audit_bundle_cores", s[i].audit_bundle_cores);
		datum(n, "export", s[i].export_rate);
		datum(n, "single_ms", s[i].single_ms);
		datum(n, "root_us", s[i].root_us);
		datum(n, "incl_us", s[i].incl_us);
		datum(n, "cons_us", s[i].cons_us);
		datum(n, "record_bytes", s[i].record_bytes);
	}
}

/* ------------------------------------------------------------------ */
/* exec: a stopwatch for bench/run.sh                                  */

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* Run argv, killing it after timeout seconds (0: never); status 124 means
 * it was stopped. With spot "sign" or "verify", first measure that
 * baseline (single-core signing, verifying on all cores) for a ratio that
 * the machine's changing load moves less. */
static int run_exec(const char *out, unsigned timeout, const char *spot,
		    char **argv)
{
	struct rusage ru;
	struct sigaction sa;
	double t0, t, rate = 0;
	int status, code;
	FILE *f;
	pid_t pid;

	if (spot != NULL) {
		if (sodium_init() < 0)
			die("libsodium failed to initialise");
		sodium_pool((int)sysconf(_SC_NPROCESSORS_ONLN));
		if (strcmp(spot, "sign") == 0) {
			rate = spot_sign();
		} else if (strcmp(spot, "verify") == 0) {
			(void)sign_rate(6000); /* the signatures to check */
			rate = spot_verifyall();
		} else {
			die("exec --spot: sign or verify, not %s", spot);
		}
	}
	t0 = now_s();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: waitpid returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "avow-bench exec: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	alarm(timeout);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
		if (timed_out)
			kill(pid, SIGKILL);
	}
	alarm(0);
	t = now_s() - t0;
	getrusage(RUSAGE_CHILDREN, &ru);
	code = timed_out ? 124
			 : (WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	f = fopen(out, "w");
	if (f == NULL)
		die("%s: %s", out, strerror(errno));
	fprintf(f, "%.6f %ld %d %.6f %.1f\n", t, ru.ru_maxrss, code,
		(double)ru.ru_utime.tv_sec +
			(double)ru.ru_utime.tv_usec * 1e-6 +
			(double)ru.ru_stime.tv_sec +
			(double)ru.ru_stime.tv_usec * 1e-6,
		rate);
	if (fclose(f) != 0)
		die("%s: %s", out, strerror(errno));
	return code;
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
	fputs("usage: avow-bench [--sizes N,N,...] [--runs R] [--one-run-from "
	      "N]\n"
	      "                  [--chunk N] [--workdir DIR] [--data FILE]\n"
	      "                  [--threads N] [--proof-calls N]\n"
	      "                  [--single-max N] [--single-budget SECONDS]\n"
	      "                  [--cli-files MAX_N] [--signer "
	      "recorder|genesis]\n"
	      "       avow-bench exec OUT [--timeout SECONDS] "
	      "[--spot sign|verify]\n"
	      "                  -- PROGRAM [ARGS...]\n",
	      stderr);
	exit(2);
}

static void parse_sizes(options *o, const char *s)
{
	o->nsizes = 0;
	while (*s) {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);

		if (end == s || v < 100 || o->nsizes == MAX_SIZES)
			die("bad size list (each at least 100, at most %d): %s",
			    MAX_SIZES, s);
		o->sizes[o->nsizes++] = v;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			die("bad size list: %s", s);
	}
	if (o->nsizes == 0)
		die("empty size list");
	for (size_t i = 1; i < o->nsizes; i++)
		if (o->sizes[i] <= o->sizes[i - 1])
			die("sizes must increase");
}

int main(int argc, char **argv)
{
	options o = {.runs = 3,
		     .one_run_from = 1000000,
		     .chunk = 50000,
		     .workdir = "bench-work",
		     .proof_calls = 2001,
		     .single_max = 200,
		     .single_budget = 10,
		     .cli_files = 100000};
	const char *env = getenv("AVOW_BENCH_SIZES");
	baselines b, b_end;
	sized s[MAX_SIZES];
	avow_error err;
	uint8_t seed[AVOW_SEED_BYTES];
	char path[4096];
	double t0 = now_s();

	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		unsigned timeout = 0;
		const char *spot = NULL;
		int i = 3;

		for (;;) {
			if (argc > i + 2 && strcmp(argv[i], "--timeout") == 0)
				timeout = (unsigned)strtoul(argv[i + 1], NULL,
							    10);
			else if (argc > i + 2 && strcmp(argv[i], "--spot") == 0)
				spot = argv[i + 1];
			else
				break;
			i += 2;
		}
		if (argc < i + 2 || strcmp(argv[i], "--") != 0)
			usage();
		return run_exec(argv[2], timeout, spot, argv + i + 1);
	}
	parse_sizes(&o, env != NULL && *env ? env : "10000,100000");
	o.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (strcmp(a, "--sizes") == 0)
			parse_sizes(&o, v);
		else if (strcmp(a, "--runs") == 0)
			o.runs = atoi(v);
		else if (strcmp(a, "--one-run-from") == 0)
			o.one_run_from = strtoull(v, NULL, 10);
		else if (strcmp(a, "--chunk") == 0)
			o.chunk = (size_t)strtoull(v, NULL, 10);
		else if (strcmp(a, "--workdir") == 0)
			o.workdir = v;
		else if (strcmp(a, "--data") == 0)
			o.data = v;
		else if (strcmp(a, "--threads") == 0)
			o.threads = atoi(v);
		else if (strcmp(a, "--proof-calls") == 0)
			o.proof_calls = atoi(v);
		else if (strcmp(a, "--single-max") == 0)
			o.single_max = atoi(v);
		else if (strcmp(a, "--single-budget") == 0)
			o.single_budget = atof(v);
		else if (strcmp(a, "--cli-files") == 0)
			o.cli_files = strtoull(v, NULL, 10);
		else if (strcmp(a, "--signer") == 0 &&
			 strcmp(v, "genesis") == 0)
			o.signer_genesis = 1;
		else if (strcmp(a, "--signer") == 0 &&
			 strcmp(v, "recorder") == 0)
			o.signer_genesis = 0;
		else
			usage();
		i++;
	}
	if (o.runs < 1 || o.runs > 15 || o.chunk < 1 || o.threads < 1 ||
	    o.threads > 64 || o.proof_calls < 1 || o.single_max < 3)
		die("an option is out of range");
	if (mkdir(o.workdir, 0700) != 0 && errno != EEXIST)
		die("%s: %s", o.workdir, strerror(errno));
	if (o.data != NULL && (data_out = fopen(o.data, "w")) == NULL)
		die("%s: %s", o.data, strerror(errno));
	if (avow_init() != AVOW_OK || sodium_init() < 0)
		die("cannot initialise libsodium");

	memset(seed, 0x42, sizeof seed);
	check(avow_key_from_seed(&admin_key, "bench", seed, &err), &err, "key");
	if (o.signer_genesis) {
		signer_key = admin_key;
		draft_seq0 = 1;
	} else {
		memset(seed, 0x43, sizeof seed);
		check(avow_key_from_seed(&signer_key, "recorder", seed, &err),
		      &err, "key");
	}
	snprintf(path, sizeof path, "%s/bench.key", o.workdir);
	unlink(path);
	check(avow_key_save(admin_key, path, NULL, 0, &err), &err, path);
	snprintf(path, sizeof path, "%s/signer.key", o.workdir);
	unlink(path);
	check(avow_key_save(signer_key, path, NULL, 0, &err), &err, path);
	snprintf(path, sizeof path, "%s/bench.vkey", o.workdir);
	{
		FILE *f = fopen(path, "w");

		if (f == NULL)
			die("%s: %s", path, strerror(errno));
		fprintf(f, "%s\n", avow_key_verifier(admin_key));
		if (fclose(f) != 0)
			die("%s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof path, "%s/first-draft-seq", o.workdir);
	{
		FILE *f = fopen(path, "w");

		if (f == NULL)
			die("%s: %s", path, strerror(errno));
		fprintf(f, "%" PRIu64 "\n", draft_seq0);
		if (fclose(f) != 0)
			die("%s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof path, "%s/base.db", o.workdir);
	avow_log_close(make_base(path));
	snprintf(path, sizeof path, "%s/extra-10000.jsonl", o.workdir);
	write_jsonl(path, 2, 10000);

	note("baselines (%d runs each)", o.runs);
	bench_sodium(&o, &b);
	bench_sqlite(&o, &b);
	bench_minimal(&o, &b);
	for (size_t i = 0; i < o.nsizes; i++)
		bench_size(&o, o.sizes[i], &s[i]);
	note("Ed25519 again, to see how much the machine's load moved");
	bench_sodium(&o, &b_end);
	print_report(&o, &b, &b_end, s, o.nsizes, now_s() - t0);
	if (data_out != NULL)
		if (fclose(data_out) != 0)
			die("%s: %s", o.data, strerror(errno));
	if (signer_key != admin_key)
		avow_key_free(signer_key);
	avow_key_free(admin_key);
	sodium_memzero(sod_sk, sizeof sod_sk);
	free(sod_msgs);
	free(sod_sigs);
	return 0;
}
