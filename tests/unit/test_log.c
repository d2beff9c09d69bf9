/*
 * test_log.c - the public API end to end (include/avow.h): logs in a
 * temporary directory, genesis, appends of drafts, records, export,
 * audits of the log and of its bundle, failed appends that change
 * nothing, read-only logs, two logs at once, and files that are not logs.
 *
 * The README's walkthrough is replayed through the library: with the
 * fixture keys and the fixed time it must give the tree hash the README
 * prints (made with the CLI: build/avow ... then build/avow-verify).
 */
#include "avow.h"
#include "check.h"
#include "tree.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ORIGIN "claims.example.org/wang-yi-moscow-2023"
/* 2023-09-19T00:00:00Z, the README's SOURCE_DATE_EPOCH */
#define T0	    1695081600
#define README_ROOT "D6NCZvDNEC0JvUZ3zSYK+3l1Ckmgt0VU4VjwbBeqa4o="

static char dir[64];
static avow_error err;

static const char *path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
	return buf;
}

static int has(const char *needle)
{
	if (strstr(err.msg, needle) != NULL)
		return 1;
	fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, needle);
	return 0;
}

/* A whole file, NUL-terminated (malloc'ed), or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) != NULL) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = 0;
			if (len != NULL)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

/* The bundle of the log, in memory (malloc'ed). */
static char *export_mem(avow_log *log, size_t *len)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);
	avow_status st;

	if (f == NULL)
		abort();
	st = avow_log_export(log, f, &err);
	fclose(f);
	CHECK(st == AVOW_OK);
	*len = n;
	return p;
}

static uint64_t count(avow_log *log)
{
	uint64_t n = UINT64_MAX;

	CHECK(avow_log_count(log, &n, &err) == AVOW_OK);
	return n;
}

static avow_key *seed_key(const char *name, uint8_t fill)
{
	uint8_t seed[AVOW_SEED_BYTES];
	avow_key *k = NULL;

	memset(seed, fill, sizeof seed);
	if (avow_key_from_seed(&k, name, seed, NULL) != AVOW_OK)
		abort();
	return k;
}

static avow_key *c2sp_key(const char *file)
{
	size_t n = 0;
	char *text = slurp(file, &n);
	avow_key *k = NULL;

	if (text == NULL || avow_key_import_c2sp(&k, text, n, NULL) != AVOW_OK)
		abort();
	sodium_memzero(text, n);
	free(text);
	return k;
}

static avow_draft draft(const char *json, const char *label, long line)
{
	avow_draft d;

	d.json = json;
	d.len = strlen(json);
	d.label = label;
	d.line = line;
	return d;
}

/* A key add of k into a log called origin, signed later by an admin. */
static char *key_add_json(const avow_key *k, const char *origin,
			  const char *role, const char *holder)
{
	char proof[89];
	char *json = malloc(1024);

	if (json == NULL ||
	    avow_key_possession(k, origin, proof, NULL) != AVOW_OK)
		abort();
	snprintf(
		json, 1024,
		"{\"type\":\"key\",\"body\":{\"action\":\"add\",\"key\":\"%s\","
		"\"role\":\"%s\",\"holder\":\"%s\",\"possession\":\"%s\"}}",
		avow_key_verifier(k), role, holder, proof);
	return json;
}

/* Audit the log; NULL when the audit itself could not run. */
static avow_audit *audit(avow_log *log)
{
	avow_audit *a = NULL;
	avow_audit_options o;

	memset(&o, 0, sizeof o);
	CHECK(avow_audit_log(log, &o, &a, &err) == AVOW_OK);
	CHECK(a != NULL);
	return a;
}

/* The exported bundle's lines are the stored records, in order; the
 * frontier over their leaf hashes gives root. */
static void check_records(avow_log *log, const char *bundle, size_t len,
			  uint64_t n, uint8_t root[32])
{
	const char *p = bundle, *end = bundle + len;
	avow_frontier f;
	uint8_t leaf[32];
	uint64_t seq = 0;
	int same = 1;
	char *rec;
	size_t rl;

	avow_frontier_init(&f);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			same = 0;
			break;
		}
		rec = NULL;
		if (avow_log_record(log, seq, &rec, &rl, &err) != AVOW_OK ||
		    rl != (size_t)(nl - p) || memcmp(rec, p, rl) != 0 ||
		    rec[rl] != 0)
			same = 0;
		avow_free(rec);
		avow_leaf_hash(leaf, (const uint8_t *)p, (size_t)(nl - p));
		avow_frontier_add(&f, leaf);
		seq++;
		p = nl + 1;
	}
	CHECK(same);
	CHECK(seq == n);
	CHECK(len > 0 && bundle[len - 1] == '\n');
	avow_frontier_root(&f, root);
}

static void test_walkthrough(void)
{
	avow_key *news = c2sp_key("../fixtures/keys/newsdesk.c2sp");
	avow_key *alice = c2sp_key("../fixtures/keys/alice.c2sp");
	char path[128], bpath[128], labels[40][32];
	avow_draft drafts[40];
	avow_key_summary ks;
	avow_log *log = NULL;
	avow_audit *a, *b;
	uint8_t root[32], root2[32], want[32];
	uint64_t first = 0;
	char *seed, *p, *add, *bundle, *rec;
	size_t n = 0, blen, rl;
	FILE *f;

	CHECK_STR(avow_key_id(news), "newsdesk+0223fce6");
	CHECK_STR(avow_key_id(alice), "alice+7f099a5b");

	/* avow init */
	CHECK(avow_log_create(&log, path_in(path, sizeof path, "demo.db"),
			      &err) == AVOW_OK);
	CHECK(log != NULL);
	if (log == NULL)
		return;
	CHECK(count(log) == 0);
	CHECK(avow_log_init(log, news, ORIGIN, "Example Newsroom claims desk",
			    NULL, T0, &err) == AVOW_OK);
	CHECK(count(log) == 1);

	/* avow key add */
	add = key_add_json(alice, ORIGIN, "recorder", "Alice, researcher");
	drafts[0] = draft(add, "key add", 0);
	CHECK(avow_log_append(log, news, drafts, 1, T0, &first, &err) ==
	      AVOW_OK);
	CHECK(first == 1);
	free(add);

	/* avow append fixtures/seed.jsonl: 40 lines, all or none */
	seed = slurp("../fixtures/seed.jsonl", &n);
	CHECK(seed != NULL);
	if (seed == NULL)
		return;
	p = seed;
	for (int i = 0; i < 40; i++) {
		char *nl = strchr(p, '\n');
		CHECK(nl != NULL);
		if (nl == NULL)
			break;
		snprintf(labels[i], sizeof labels[i], "seed.jsonl:%d", i + 1);
		drafts[i].json = p;
		drafts[i].len = (size_t)(nl - p);
		drafts[i].label = labels[i];
		drafts[i].line = i + 1;
		p = nl + 1;
	}
	CHECK(*p == 0); /* exactly 40 lines */
	first = 0;
	CHECK(avow_log_append(log, alice, drafts, 40, T0, &first, &err) ==
	      AVOW_OK);
	CHECK(first == 2);
	CHECK(count(log) == 42);

	/* avow-verify --log */
	a = audit(log);
	if (a == NULL)
		return;
	CHECK(avow_audit_passed(a));
	CHECK(avow_audit_failure_count(a) == 0);
	CHECK(avow_audit_warning_count(a) == 0);
	CHECK(avow_audit_size(a) == 42);
	CHECK_STR(avow_audit_origin(a), ORIGIN);
	CHECK(avow_audit_index_problem(a) == NULL);
	CHECK(avow_audit_checkpoints_ok(a) == 0);
	avow_audit_root(a, root);
	CHECK(sodium_base642bin(want, 32, README_ROOT, strlen(README_ROOT),
				NULL, NULL, NULL,
				sodium_base64_VARIANT_ORIGINAL) == 0);
	CHECK(memcmp(root, want, 32) == 0);
	CHECK(avow_audit_type_count(a, "genesis") == 1);
	CHECK(avow_audit_type_count(a, "key") == 1);
	CHECK(avow_audit_type_count(a, "actor") == 19);
	CHECK(avow_audit_type_count(a, "claim") == 13);
	CHECK(avow_audit_type_count(a, "response") == 7);
	CHECK(avow_audit_type_count(a, "amend") == 1);
	CHECK(avow_audit_key_count(a) == 2);
	if (avow_audit_key_count(a) == 2) {
		avow_audit_key(a, 0, &ks);
		CHECK_STR(ks.id, "newsdesk+0223fce6");
		CHECK_STR(ks.holder, "Example Newsroom claims desk");
		CHECK(ks.admin && ks.added == 0 && ks.revoked == UINT64_MAX);
		CHECK(ks.records == 2 && ks.first == T0 && ks.last == T0);
		avow_audit_key(a, 1, &ks);
		CHECK_STR(ks.id, "alice+7f099a5b");
		CHECK_STR(ks.verifier, avow_key_verifier(alice));
		CHECK_STR(ks.holder, "Alice, researcher");
		CHECK(ks.note == NULL);
		CHECK(!ks.admin && ks.added == 1 && ks.revoked == UINT64_MAX);
		CHECK(ks.records == 40);
	}

	/* records and export agree, and give the audit's root */
	bundle = export_mem(log, &blen);
	check_records(log, bundle, blen, 42, root2);
	CHECK(memcmp(root, root2, 32) == 0);
	CHECK(avow_log_record(log, 42, &rec, &rl, &err) == AVOW_ERR_NOT_FOUND);
	CHECK(rec == NULL && rl == 0);
	CHECK(avow_log_record(log, 0, &rec, &rl, &err) == AVOW_OK);
	CHECK(rec != NULL && strncmp(rec, "{\"entry\":{\"body\":{", 18) == 0);
	CHECK(rec != NULL && strlen(rec) == rl);
	avow_free(rec);

	/* the bundle file audits the same */
	f = fopen(path_in(bpath, sizeof bpath, "demo.bundle"), "wb");
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK(avow_log_export(log, f, &err) == AVOW_OK);
		CHECK(fclose(f) == 0);
	}
	{
		size_t fl = 0;
		char *fb = slurp(bpath, &fl);
		CHECK(fb != NULL && fl == blen &&
		      memcmp(fb, bundle, blen) == 0);
		free(fb);
	}
	b = NULL;
	CHECK(avow_audit_bundle(bpath, NULL, &b, &err) == AVOW_OK);
	CHECK(b != NULL && avow_audit_passed(b));
	CHECK(b != NULL && avow_audit_size(b) == 42);
	if (b != NULL) {
		avow_audit_root(b, root2);
		CHECK(memcmp(root, root2, 32) == 0);
		CHECK_STR(avow_audit_origin(b), ORIGIN);
		CHECK(avow_audit_type_count(b, "actor") == 19);
		CHECK(avow_audit_type_count(b, "response") == 7);
		CHECK(avow_audit_index_problem(b) == NULL);
	}
	avow_audit_free(b);
	avow_audit_free(a);

	/* reindex keeps the index in agreement */
	CHECK(avow_log_reindex(log, &err) == AVOW_OK);
	a = audit(log);
	CHECK(a != NULL && avow_audit_passed(a) &&
	      avow_audit_index_problem(a) == NULL);
	avow_audit_free(a);

	free(bundle);
	free(seed);
	avow_log_close(log);
	avow_key_free(news);
	avow_key_free(alice);
}

#define ACTOR(id)                                                              \
	"{\"type\":\"actor\",\"body\":{\"id\":\"" id                           \
	"\",\"name\":\"N\",\"kind\":\"person\"}}"
#define CLAIM(by)                                                              \
	"{\"type\":\"claim\",\"body\":{\"by\":\"" by "\",\"text\":\"Said.\","  \
	"\"quote\":false,\"said_at\":\"2023\",\"source\":{\"title\":\"T\"}}}"
/* A response by `by` with stance, to record seq (a string literal). */
#define RESPONSE(by, stance, seq)                                              \
	"{\"type\":\"response\",\"body\":{\"by\":\"" by                        \
	"\",\"stance\":\"" stance "\",\"target\":{\"seq\":" seq                \
	"},\"text\":\"No.\",\"quote\":false,"                                  \
	"\"said_at\":\"2023\",\"source\":{\"title\":\"T\"}}}"

/* A failed append changes nothing: neither the count nor one byte of
 * the bundle; and the log takes the next good append. */
static void test_failed_append(void)
{
	avow_key *admin = seed_key("admin", 0x11);
	avow_key *rec = seed_key("rec", 0x22);
	avow_key *stranger = seed_key("stranger", 0x33);
	char path[128], *before, *after, *add;
	size_t blen, alen;
	avow_log *log = NULL;
	avow_draft d[3];
	uint64_t first;
	avow_audit *a;
	int same;

	CHECK(avow_log_create(&log, path_in(path, sizeof path, "fail.db"),
			      &err) == AVOW_OK);
	if (log == NULL)
		return;
	/* nothing may be appended before genesis */
	d[0] = draft(ACTOR("early"), "x.jsonl:1", 1);
	CHECK(avow_log_append(log, admin, d, 1, T0, NULL, &err) ==
	      AVOW_ERR_USAGE);
	CHECK(has("genesis"));
	CHECK(count(log) == 0);
	CHECK(avow_log_init(log, admin, "fail.example.org/log", "Admin",
			    "a log for failures", T0, &err) == AVOW_OK);
	add = key_add_json(rec, "fail.example.org/log", "recorder", "Rec");
	d[0] = draft(add, NULL, 0);
	d[1] = draft(ACTOR("a1"), NULL, 0);
	CHECK(avow_log_append(log, admin, d, 2, T0 + 10, &first, &err) ==
	      AVOW_OK);
	free(add);
	CHECK(first == 1 && count(log) == 3);
	before = export_mem(log, &blen);

#define UNCHANGED()                                                            \
	do {                                                                   \
		after = export_mem(log, &alen);                                \
		same = alen == blen && memcmp(after, before, blen) == 0;       \
		CHECK(same);                                                   \
		free(after);                                                   \
		CHECK(count(log) == 3);                                        \
	} while (0)

	/* an undeclared actor in the 3rd draft of 3 */
	d[0] = draft(ACTOR("a2"), "batch.jsonl:1", 1);
	d[1] = draft(CLAIM("a2"), "batch.jsonl:2", 2);
	d[2] = draft(CLAIM("nobody"), "batch.jsonl:3", 3);
	first = 99;
	CHECK(avow_log_append(log, rec, d, 3, T0 + 20, &first, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(err.code == AVOW_ERR_INVALID);
	CHECK(strncmp(err.msg, "batch.jsonl:3: ", 15) == 0);
	CHECK(has("\"nobody\"") && has("not declared"));
	CHECK(first == 99);
	UNCHANGED();
	/* without labels, the draft's place */
	d[0].label = d[1].label = d[2].label = NULL;
	CHECK(avow_log_append(log, rec, d, 3, T0 + 20, NULL, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(strncmp(err.msg, "entry 3: ", 9) == 0);
	UNCHANGED();

	/* now earlier than the last record's time */
	d[0] = draft(ACTOR("a3"), "late.jsonl:1", 1);
	CHECK(avow_log_append(log, rec, d, 1, T0 + 9, NULL, &err) ==
	      AVOW_ERR_CLOCK);
	CHECK(has("earlier") && has("2023-09-19T00:00:10Z") &&
	      has("2023-09-19T00:00:09Z"));
	UNCHANGED();
	/* a time no entry can hold */
	CHECK(avow_log_append(log, rec, d, 1, 253402300800LL, NULL, &err) ==
	      AVOW_ERR_CLOCK);
	UNCHANGED();

	/* malformed JSON in the 2nd draft */
	d[0] = draft(ACTOR("a4"), "j.jsonl:1", 1);
	d[1] = draft("{\"type\":\"actor\",\"body\":", "j.jsonl:2", 2);
	CHECK(avow_log_append(log, rec, d, 2, T0 + 20, NULL, &err) ==
	      AVOW_ERR_SYNTAX);
	CHECK(strncmp(err.msg, "j.jsonl:2: ", 11) == 0);
	UNCHANGED();
	/* duplicate members, unknown members, genesis, unknown type */
	d[1] = draft("{\"type\":\"actor\",\"type\":\"claim\",\"body\":{}}",
		     "j.jsonl:2", 2);
	CHECK(avow_log_append(log, rec, d, 2, T0 + 20, NULL, &err) ==
	      AVOW_ERR_SYNTAX);
	CHECK(has("j.jsonl:2"));
	d[1] = draft("{\"type\":\"actor\",\"body\":{},\"x\":1}", "j.jsonl:2",
		     2);
	CHECK(avow_log_append(log, rec, d, 2, T0 + 20, NULL, &err) ==
	      AVOW_ERR_SYNTAX);
	CHECK(has("j.jsonl:2") && has("\"x\""));
	d[1] = draft("{\"type\":\"genesis\",\"body\":{}}", "j.jsonl:2", 2);
	CHECK(avow_log_append(log, admin, d, 2, T0 + 20, NULL, &err) ==
	      AVOW_ERR_SYNTAX);
	CHECK(has("j.jsonl:2") && has("genesis"));
	d[1] = draft("{\"type\":\"note\",\"body\":{}}", "j.jsonl:2", 2);
	CHECK(avow_log_append(log, rec, d, 2, T0 + 20, NULL, &err) ==
	      AVOW_ERR_SYNTAX);
	UNCHANGED();
	/* a body rule: missing member */
	d[1] = draft("{\"type\":\"actor\",\"body\":{\"id\":\"a5\",\"kind\":"
		     "\"person\"}}",
		     "j.jsonl:2", 2);
	CHECK(avow_log_append(log, rec, d, 2, T0 + 20, NULL, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(has("j.jsonl:2") && has("\"name\""));
	UNCHANGED();

	/* targets: a later line, a line not in the input, a seq not there,
	 * a wrong hash */
	d[0] = draft(CLAIM("a1"), "t.jsonl:1", 1);
	d[1] = draft("{\"type\":\"response\",\"body\":{\"by\":\"a1\","
		     "\"stance\":\"denies\",\"target\":{\"line\":3},"
		     "\"text\":\"No.\",\"quote\":false,\"said_at\":\"2023\","
		     "\"source\":{\"title\":\"T\"}}}",
		     "t.jsonl:2", 2);
	CHECK(avow_log_append(log, rec, d, 2, T0 + 20, NULL, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(has("t.jsonl:2") && has("earlier line"));
	UNCHANGED();
	d[1] = draft("{\"type\":\"response\",\"body\":{\"by\":\"a1\","
		     "\"stance\":\"denies\",\"target\":{\"seq\":77},"
		     "\"text\":\"No.\",\"quote\":false,\"said_at\":\"2023\","
		     "\"source\":{\"title\":\"T\"}}}",
		     "t.jsonl:2", 2);
	CHECK(avow_log_append(log, rec, d, 2, T0 + 20, NULL, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(has("t.jsonl:2") && has("77"));
	UNCHANGED();
	d[1] = draft("{\"type\":\"response\",\"body\":{\"by\":\"a1\","
		     "\"stance\":\"denies\",\"target\":{\"seq\":3,\"hash\":"
		     "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"},"
		     "\"text\":\"No.\",\"quote\":false,\"said_at\":\"2023\","
		     "\"source\":{\"title\":\"T\"}}}",
		     "t.jsonl:2", 2);
	CHECK(avow_log_append(log, rec, d, 2, T0 + 20, NULL, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(has("t.jsonl:2"));
	UNCHANGED();

	/* keys: a recorder may not add keys; a stranger may not sign */
	add = key_add_json(stranger, "fail.example.org/log", "recorder", "S");
	d[0] = draft(add, "k.jsonl:1", 1);
	CHECK(avow_log_append(log, rec, d, 1, T0 + 20, NULL, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(has("k.jsonl:1") && has(avow_key_id(rec)) && has("admin"));
	UNCHANGED();
	free(add);
	d[0] = draft(ACTOR("a6"), "k.jsonl:1", 1);
	CHECK(avow_log_append(log, stranger, d, 1, T0 + 20, NULL, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(has("k.jsonl:1") && has(avow_key_id(stranger)));
	UNCHANGED();

	/* arguments */
	CHECK(avow_log_append(log, rec, d, 0, T0 + 20, NULL, &err) ==
	      AVOW_ERR_USAGE);
	UNCHANGED();
	CHECK(avow_log_init(log, admin, "fail.example.org/log", "Admin", NULL,
			    T0 + 20, &err) == AVOW_ERR_EXISTS);
	UNCHANGED();

	/* after all that, the log takes a good batch at the same time as its
	 * last record, and still audits */
	d[0] = draft(ACTOR("a2"), "ok.jsonl:1", 1);
	d[1] = draft(CLAIM("a2"), "ok.jsonl:2", 2);
	d[2] = draft("{\"type\":\"response\",\"body\":{\"by\":\"a1\","
		     "\"stance\":\"denies\",\"target\":{\"line\":2},"
		     "\"text\":\"No.\",\"quote\":false,\"said_at\":\"2023\","
		     "\"source\":{\"title\":\"T\"}}}",
		     "ok.jsonl:3", 3);
	CHECK(avow_log_append(log, rec, d, 3, T0 + 10, &first, &err) ==
	      AVOW_OK);
	CHECK(first == 3 && count(log) == 6);
	after = export_mem(log, &alen);
	CHECK(alen > blen && memcmp(after, before, blen) == 0);
	free(after);
	a = audit(log);
	CHECK(a != NULL && avow_audit_passed(a) && avow_audit_size(a) == 6);
	CHECK(a != NULL && avow_audit_type_count(a, "response") == 1);
	CHECK(a != NULL && avow_audit_index_problem(a) == NULL);
	avow_audit_free(a);
#undef UNCHANGED
	free(before);
	avow_log_close(log);
	avow_key_free(admin);
	avow_key_free(rec);
	avow_key_free(stranger);
}

/* Two logs open at once, appended to in turn. */
static void test_two_logs(void)
{
	avow_key *k1 = seed_key("one", 0x41), *k2 = seed_key("two", 0x42);
	char p1[128], p2[128];
	avow_log *l1 = NULL, *l2 = NULL, *l1b = NULL;
	avow_draft d[1];
	avow_audit *a1, *a2;
	uint8_t r1[32], r2[32];
	char *rec = NULL;
	size_t rl;

	CHECK(avow_log_create(&l1, path_in(p1, sizeof p1, "one.db"), &err) ==
	      AVOW_OK);
	CHECK(avow_log_create(&l2, path_in(p2, sizeof p2, "two.db"), &err) ==
	      AVOW_OK);
	if (l1 == NULL || l2 == NULL)
		return;
	CHECK(avow_log_init(l1, k1, "one.example.org/a", "One", NULL, T0,
			    &err) == AVOW_OK);
	CHECK(avow_log_init(l2, k2, "two.example.org/b", "Two", NULL, T0,
			    &err) == AVOW_OK);
	for (int i = 0; i < 5; i++) {
		d[0] = draft(ACTOR("x"), NULL, 0);
		CHECK(avow_log_append(l1, k1, d, 1, T0 + i, NULL, &err) ==
		      AVOW_OK);
		if (i % 2 == 0) {
			d[0] = draft(ACTOR("y"), NULL, 0);
			CHECK(avow_log_append(l2, k2, d, 1, T0 + i, NULL,
					      &err) == AVOW_OK);
		}
	}
	/* a key may not sign in the other log */
	d[0] = draft(ACTOR("z"), "cross", 0);
	CHECK(avow_log_append(l2, k1, d, 1, T0 + 9, NULL, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(count(l1) == 6 && count(l2) == 4);
	/* the same file open twice in one process */
	CHECK(avow_log_open(&l1b, p1, 0, &err) == AVOW_OK);
	if (l1b != NULL) {
		d[0] = draft(ACTOR("w"), NULL, 0);
		CHECK(avow_log_append(l1b, k1, d, 1, T0 + 9, NULL, &err) ==
		      AVOW_OK);
		CHECK(count(l1) == 7);
	}
	a1 = audit(l1);
	a2 = audit(l2);
	if (a1 == NULL || a2 == NULL)
		return;
	CHECK(avow_audit_passed(a1) && avow_audit_passed(a2));
	CHECK(avow_audit_size(a1) == 7 && avow_audit_size(a2) == 4);
	CHECK_STR(avow_audit_origin(a1), "one.example.org/a");
	CHECK_STR(avow_audit_origin(a2), "two.example.org/b");
	CHECK(avow_audit_type_count(a1, "actor") == 6);
	CHECK(avow_audit_type_count(a2, "actor") == 3);
	avow_audit_root(a1, r1);
	avow_audit_root(a2, r2);
	CHECK(memcmp(r1, r2, 32) != 0);
	avow_audit_free(a1);
	avow_audit_free(a2);
	CHECK(avow_log_record(l2, 3, &rec, &rl, &err) == AVOW_OK);
	CHECK(rec != NULL && strstr(rec, avow_key_id(k2)) != NULL &&
	      strstr(rec, avow_key_id(k1)) == NULL);
	avow_free(rec);
	avow_log_close(l1b);
	avow_log_close(l1);
	/* l2 works after l1 is gone */
	d[0] = draft(ACTOR("y2"), NULL, 0);
	CHECK(avow_log_append(l2, k2, d, 1, T0 + 9, NULL, &err) == AVOW_OK);
	CHECK(count(l2) == 5);
	avow_log_close(l2);
	avow_key_free(k1);
	avow_key_free(k2);
}

static void test_readonly(void)
{
	avow_key *k = seed_key("ro", 0x51);
	char path[128], *db1, *db2, *b1, *b2;
	size_t n1 = 0, n2 = 0, bl1, bl2;
	avow_log *log = NULL;
	avow_draft d[1];
	avow_audit *a;

	CHECK(avow_log_create(&log, path_in(path, sizeof path, "ro.db"),
			      &err) == AVOW_OK);
	if (log == NULL)
		return;
	CHECK(avow_log_init(log, k, "ro.example.org/log", "RO", NULL, T0,
			    &err) == AVOW_OK);
	d[0] = draft(ACTOR("r1"), NULL, 0);
	CHECK(avow_log_append(log, k, d, 1, T0, NULL, &err) == AVOW_OK);
	b1 = export_mem(log, &bl1);
	avow_log_close(log);
	db1 = slurp(path, &n1);

	log = NULL;
	CHECK(avow_log_open(&log, path, AVOW_OPEN_READONLY, &err) == AVOW_OK);
	if (log != NULL) {
		CHECK(count(log) == 2);
		a = audit(log);
		CHECK(a != NULL && avow_audit_passed(a) &&
		      avow_audit_size(a) == 2);
		avow_audit_free(a);
		d[0] = draft(ACTOR("r2"), "ro.jsonl:1", 1);
		CHECK(avow_log_append(log, k, d, 1, T0, NULL, &err) ==
		      AVOW_ERR_READONLY);
		CHECK(has(path) && has("read-only"));
		CHECK(avow_log_init(log, k, "ro.example.org/log", "RO", NULL,
				    T0, &err) == AVOW_ERR_READONLY);
		CHECK(avow_log_reindex(log, &err) != AVOW_OK);
		CHECK(count(log) == 2);
		b2 = export_mem(log, &bl2);
		CHECK(bl1 == bl2 && memcmp(b1, b2, bl1) == 0);
		free(b2);
		avow_log_close(log);
	}
	/* not one byte of the file changed */
	db2 = slurp(path, &n2);
	CHECK(db1 != NULL && db2 != NULL && n1 == n2 &&
	      memcmp(db1, db2, n1) == 0);
	free(db1);
	free(db2);
	free(b1);

	/* writable again */
	log = NULL;
	CHECK(avow_log_open(&log, path, 0, &err) == AVOW_OK);
	d[0] = draft(ACTOR("r2"), NULL, 0);
	if (log != NULL)
		CHECK(avow_log_append(log, k, d, 1, T0, NULL, &err) == AVOW_OK);
	CHECK(log != NULL && count(log) == 3);
	avow_log_close(log);
	avow_key_free(k);
}

static int sql(const char *path, const char *q)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, q, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* A handle keeps its state machine between appends, so the next append
 * need not replay the log: it must still take in what another handle
 * appended meanwhile, and refuse a log that no longer holds what it
 * appended. */
static void test_kept_state(void)
{
	avow_key *k = seed_key("kept", 0x61);
	char path[128];
	avow_log *h1 = NULL, *h2 = NULL;
	avow_draft d[2];
	avow_audit *a;
	uint64_t first = 0;

	CHECK(avow_log_create(&h1, path_in(path, sizeof path, "kept.db"),
			      &err) == AVOW_OK);
	CHECK(avow_log_open(&h2, path, 0, &err) == AVOW_OK);
	if (h1 == NULL || h2 == NULL)
		return;
	CHECK(avow_log_init(h1, k, "kept.example.org/log", "Kept", NULL, T0,
			    &err) == AVOW_OK);
	d[0] = draft(ACTOR("a1"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0, NULL, &err) == AVOW_OK);
	/* another handle: an actor and its claim (records 2 and 3) */
	d[0] = draft(ACTOR("a2"), NULL, 0);
	d[1] = draft(CLAIM("a2"), NULL, 0);
	CHECK(avow_log_append(h2, k, d, 2, T0 + 1, NULL, &err) == AVOW_OK);
	/* the first handle answers that claim, which its kept state did not
	 * hold */
	d[0] = draft(RESPONSE("a1", "denies", "3"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0 + 2, &first, &err) == AVOW_OK);
	CHECK(first == 4 && count(h1) == 5);
	d[0] = draft(CLAIM("nobody"), "again.jsonl:1", 1);
	CHECK(avow_log_append(h1, k, d, 1, T0 + 2, NULL, &err) ==
	      AVOW_ERR_INVALID);
	CHECK(has("again.jsonl:1") && count(h1) == 5);
	/* a failed append drops the kept state; the next one replays */
	d[0] = draft(ACTOR("a3"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0 + 3, NULL, &err) == AVOW_OK);
	a = audit(h1);
	CHECK(a != NULL && avow_audit_passed(a) && avow_audit_size(a) == 6);
	CHECK(a != NULL && avow_audit_type_count(a, "response") == 1);
	avow_audit_free(a);
	/* naming a saved state (even none) drops the kept state */
	CHECK(avow_log_use_saved_state(h1, NULL, &err) == AVOW_OK);
	d[0] = draft(ACTOR("a4"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0 + 4, NULL, &err) == AVOW_OK);
	CHECK(count(h1) == 7);
	/* a record rewritten under the first handle (7 records: no stored
	 * tree node covers it, so its leaf hash is read from it) */
	CHECK(sql(path,
		  "DROP TRIGGER records_no_update;"
		  "UPDATE records SET data = data || ' ' WHERE seq = 2") ==
	      SQLITE_OK);
	d[0] = draft(ACTOR("a5"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0 + 5, NULL, &err) ==
	      AVOW_ERR_AUDIT);
	CHECK(has(path) && has("no longer holds the 7 records"));
	CHECK(count(h1) == 7);
	avow_log_close(h1);
	avow_log_close(h2);
	avow_key_free(k);
}

/* The saved state, as avow_saved_close left it: its row and its chunks,
 * hex, one line each. */
static char *saved_dump(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (f != NULL && sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db,
			       "SELECT size || hex(root) || hex(state) FROM"
			       " saved UNION ALL SELECT chunk || hex(data)"
			       " FROM (SELECT * FROM saved_chunk ORDER BY"
			       " chunk)",
			       -1, &q, NULL) == SQLITE_OK)
		while (sqlite3_step(q) == SQLITE_ROW)
			fprintf(f, "%s\n", sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	sqlite3_close(db);
	if (f != NULL)
		fclose(f);
	return out;
}

/* With a saved state, a handle keeps the state it saved: its next
 * append need not read it back, unless another handle saved another
 * since. What is saved is what a whole audit saves. */
static void test_kept_saved_state(void)
{
	avow_key *k = seed_key("kept2", 0x62);
	char path[128], st1[128], st2[128];
	avow_log *h1 = NULL, *h2 = NULL, *h3 = NULL;
	avow_draft d[2];
	avow_audit *a;
	char *s1, *s2;

	path_in(st1, sizeof st1, "kept2.state");
	path_in(st2, sizeof st2, "kept2-whole.state");
	CHECK(avow_log_create(&h1, path_in(path, sizeof path, "kept2.db"),
			      &err) == AVOW_OK);
	CHECK(avow_log_open(&h2, path, 0, &err) == AVOW_OK);
	CHECK(avow_log_open(&h3, path, 0, &err) == AVOW_OK);
	if (h1 == NULL || h2 == NULL || h3 == NULL)
		return;
	CHECK(avow_log_use_saved_state(h1, st1, &err) == AVOW_OK);
	CHECK(avow_log_use_saved_state(h2, st1, &err) == AVOW_OK);
	CHECK(avow_log_use_saved_state(h3, st2, &err) == AVOW_OK);
	CHECK(avow_log_init(h1, k, "kept2.example.org/log", "Kept", NULL, T0,
			    &err) == AVOW_OK);
	d[0] = draft(ACTOR("a1"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0, NULL, &err) == AVOW_OK);
	a = audit(h1); /* makes the saved state */
	avow_audit_free(a);
	d[0] = draft(CLAIM("a1"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0 + 1, NULL, &err) == AVOW_OK);
	/* from the state it kept: an answer to its own claim (record 2) */
	d[0] = draft(RESPONSE("a1", "supports", "2"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0 + 2, NULL, &err) == AVOW_OK);
	/* another handle saves the state further */
	d[0] = draft(ACTOR("a2"), NULL, 0);
	d[1] = draft(CLAIM("a2"), NULL, 0);
	CHECK(avow_log_append(h2, k, d, 2, T0 + 3, NULL, &err) == AVOW_OK);
	/* the first handle's kept state is behind the file's: it reads the
	 * file's, and answers the other handle's claim (record 5) */
	d[0] = draft(RESPONSE("a1", "denies", "5"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0 + 4, NULL, &err) == AVOW_OK);
	d[0] = draft(ACTOR("a3"), NULL, 0);
	CHECK(avow_log_append(h1, k, d, 1, T0 + 5, NULL, &err) == AVOW_OK);
	CHECK(count(h1) == 8);
	a = audit(h3); /* a whole audit into another file */
	CHECK(a != NULL && avow_audit_passed(a) && avow_audit_size(a) == 8);
	CHECK(a != NULL && avow_audit_type_count(a, "response") == 2);
	avow_audit_free(a);
	s1 = saved_dump(st1);
	s2 = saved_dump(st2);
	CHECK(s1 != NULL && s2 != NULL && strncmp(s1, "8", 1) == 0 &&
	      strcmp(s1, s2) == 0);
	free(s1);
	free(s2);
	avow_log_close(h1);
	avow_log_close(h2);
	avow_log_close(h3);
	avow_key_free(k);
}

/* Roots and proofs read from a log (table tree holds the nodes of 8
 * records or more; lower ones are hashed from the records) are the ones
 * a whole tree in memory gives, for every size, index and old size. */
static void test_stored_tree(void)
{
	enum { N = 45 };
	avow_key *k = seed_key("tree", 0x62);
	char path[128], id[16], json[8][160];
	avow_log *log = NULL;
	avow_memtree mt;
	avow_draft d[8];
	uint64_t n = 1, rows = 0;
	int same_root = 1, same_inc = 1, same_cons = 1, ok = 1;

	CHECK(avow_log_create(&log, path_in(path, sizeof path, "tree.db"),
			      &err) == AVOW_OK);
	if (log == NULL)
		return;
	CHECK(avow_log_init(log, k, "tree.example.org/log", "Tree", NULL, T0,
			    &err) == AVOW_OK);
	/* batches of 1 to 8, so that nodes are completed across appends */
	for (size_t b = 1; n < N; b = b % 8 + 1) {
		size_t m = N - n < b ? (size_t)(N - n) : b;
		for (size_t j = 0; j < m; j++) {
			snprintf(id, sizeof id, "a%llu",
				 (unsigned long long)(n + j));
			snprintf(json[j], sizeof json[j],
				 "{\"type\":\"actor\",\"body\":{\"id\":"
				 "\"%s\",\"name\":\"N\",\"kind\":"
				 "\"person\"}}",
				 id);
			d[j] = draft(json[j], NULL, 0);
		}
		ok &= avow_log_append(log, k, d, m, T0, NULL, &err) == AVOW_OK;
		n += m;
	}
	CHECK(ok && count(log) == N);
	avow_memtree_init(&mt);
	for (uint64_t i = 0; i < N; i++) {
		char *rec = NULL;
		size_t len = 0;
		uint8_t leaf[32];

		ok &= avow_log_record(log, i, &rec, &len, &err) == AVOW_OK;
		avow_leaf_hash(leaf, (const uint8_t *)(rec ? rec : ""), len);
		ok &= avow_memtree_add(&mt, leaf) == 0;
		avow_free(rec);
	}
	CHECK(ok);
	for (uint64_t size = 1; size <= N; size++) {
		uint8_t got[32], want[32];
		avow_inclusion gi, wi;
		avow_consistency gc, wc;

		same_root &= avow_log_root(log, size, got, &err) == AVOW_OK &&
			     avow_tree_hash(avow_memtree_read, &mt, 0, size,
					    want, &err) == AVOW_OK &&
			     memcmp(got, want, 32) == 0;
		for (uint64_t i = 0; i < size; i++) {
			memset(&wi, 0, sizeof wi);
			same_inc &=
				avow_log_inclusion(log, i, size, &gi, &err) ==
					AVOW_OK &&
				avow_tree_inclusion(avow_memtree_read, &mt, i,
						    size, &wi,
						    &err) == AVOW_OK &&
				gi.len == wi.len &&
				memcmp(gi.proof, wi.proof, 32 * wi.len) == 0 &&
				memcmp(gi.leaf_hash, mt.lv[0][i], 32) == 0;
		}
		for (uint64_t m = 1; m <= size; m++) {
			memset(&wc, 0, sizeof wc);
			same_cons &=
				avow_log_consistency(log, m, size, &gc, &err) ==
					AVOW_OK &&
				avow_tree_consistency(avow_memtree_read, &mt, m,
						      size, &wc,
						      &err) == AVOW_OK &&
				gc.len == wc.len &&
				memcmp(gc.proof, wc.proof, 32 * wc.len) == 0;
		}
	}
	CHECK(same_root);
	CHECK(same_inc);
	CHECK(same_cons);
	avow_memtree_free(&mt);
	avow_log_close(log);
	/* one row per node of 8 records or more: 5 + 2 + 1 for 45 */
	for (unsigned l = 3; l < 64; l++)
		rows += (uint64_t)N >> l;
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *q = NULL;
		long long got = -1, low = -1, page = -1;

		if (sqlite3_open(path, &db) == SQLITE_OK &&
		    sqlite3_prepare_v2(db,
				       "SELECT count(*), sum(level < 3), "
				       "(SELECT page_size FROM "
				       "pragma_page_size) FROM tree",
				       -1, &q, NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW) {
			got = sqlite3_column_int64(q, 0);
			low = sqlite3_column_int64(q, 1);
			page = sqlite3_column_int64(q, 2);
		}
		sqlite3_finalize(q);
		sqlite3_close(db);
		CHECK(got == (long long)rows && rows == 8 && low == 0);
		/* a new log's pages (store.h) */
		CHECK(page == 16384);
	}
	avow_key_free(k);
}

static void test_not_logs(void)
{
	char path[128], p2[128];
	avow_log *log;
	avow_key *k = seed_key("nl", 0x61);
	FILE *f;

	/* missing */
	log = (avow_log *)&err; /* must be set to NULL */
	CHECK(avow_log_open(&log, path_in(path, sizeof path, "missing.db"), 0,
			    &err) == AVOW_ERR_NOT_FOUND);
	CHECK(log == NULL);
	CHECK(err.code == AVOW_ERR_NOT_FOUND && has("missing.db"));
	/* a directory */
	CHECK(avow_log_open(&log, dir, 0, &err) == AVOW_ERR_NOT_LOG);
	CHECK(log == NULL);
	/* a text file, read-write and read-only */
	f = fopen(path_in(path, sizeof path, "text.db"), "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs("this is not a database, but it is long enough to look "
		      "like a header of one: SQLite format 2\n",
		      f);
		fclose(f);
	}
	CHECK(avow_log_open(&log, path, 0, &err) == AVOW_ERR_NOT_LOG);
	CHECK(log == NULL && has("text.db") && has("not an avow log"));
	CHECK(avow_log_open(&log, path, AVOW_OPEN_READONLY, &err) ==
	      AVOW_ERR_NOT_LOG);
	CHECK(log == NULL);
	/* an empty file */
	f = fopen(path_in(path, sizeof path, "empty.db"), "w");
	if (f != NULL)
		fclose(f);
	CHECK(avow_log_open(&log, path, 0, &err) == AVOW_ERR_NOT_LOG);
	CHECK(log == NULL);
	/* an SQLite database of something else */
	path_in(path, sizeof path, "other.db");
	CHECK(sql(path, "CREATE TABLE t(x); INSERT INTO t VALUES(1);") ==
	      SQLITE_OK);
	CHECK(avow_log_open(&log, path, 0, &err) == AVOW_ERR_NOT_LOG);
	CHECK(log == NULL && has("other.db") && has("not an avow log"));
	CHECK(avow_log_open(&log, path, AVOW_OPEN_READONLY, &err) ==
	      AVOW_ERR_NOT_LOG);
	CHECK(log == NULL);
	/* ... even with avow's application_id */
	CHECK(sql(path, "PRAGMA application_id = 1635151735;") == SQLITE_OK);
	CHECK(avow_log_open(&log, path, 0, &err) == AVOW_ERR_NOT_LOG);
	CHECK(log == NULL);
	/* ... or with avow's tables but another application_id */
	CHECK(avow_log_create(&log, path_in(p2, sizeof p2, "appid.db"), &err) ==
	      AVOW_OK);
	if (log != NULL) {
		CHECK(avow_log_init(log, k, "n.example.org/l", "H", NULL, T0,
				    &err) == AVOW_OK);
		avow_log_close(log);
	}
	CHECK(sql(p2, "PRAGMA application_id = 7;") == SQLITE_OK);
	log = NULL;
	CHECK(avow_log_open(&log, p2, 0, &err) == AVOW_ERR_NOT_LOG);
	CHECK(log == NULL);

	/* a log of a newer format version */
	log = NULL;
	CHECK(avow_log_create(&log, path_in(p2, sizeof p2, "v2.db"), &err) ==
	      AVOW_OK);
	if (log != NULL) {
		CHECK(avow_log_init(log, k, "n.example.org/l", "H", NULL, T0,
				    &err) == AVOW_OK);
		avow_log_close(log);
	}
	/* the header is fixed by a trigger */
	CHECK(sql(p2, "UPDATE avow_meta SET value = '2' WHERE name = "
		      "'version';") != SQLITE_OK);
	log = NULL;
	CHECK(avow_log_open(&log, p2, 0, &err) == AVOW_OK);
	avow_log_close(log);
	CHECK(sql(p2, "DROP TRIGGER meta_no_update; UPDATE avow_meta SET "
		      "value = '2' WHERE name = 'version';") == SQLITE_OK);
	log = NULL;
	CHECK(avow_log_open(&log, p2, 0, &err) == AVOW_ERR_VERSION);
	CHECK(log == NULL && has("version 2"));

	/* create never overwrites */
	log = (avow_log *)&err;
	CHECK(avow_log_create(&log, path, &err) == AVOW_ERR_EXISTS);
	CHECK(log == NULL);
	CHECK(avow_log_create(&log, dir, &err) == AVOW_ERR_EXISTS);
	CHECK(avow_log_create(&log, path_in(path, sizeof path, "no/such.db"),
			      &err) != AVOW_OK);
	CHECK(log == NULL);

	/* an empty log: no records, and the audit says so */
	log = NULL;
	CHECK(avow_log_create(&log, path_in(path, sizeof path, "bare.db"),
			      &err) == AVOW_OK);
	if (log != NULL) {
		avow_audit *a = audit(log);
		CHECK(a != NULL && !avow_audit_passed(a));
		CHECK(a != NULL && avow_audit_failure_count(a) >= 1);
		if (a != NULL && avow_audit_failure_count(a) >= 1)
			CHECK(avow_audit_failure(a, 0)->seq == 0);
		CHECK(a != NULL && avow_audit_origin(a) == NULL);
		avow_audit_free(a);
		avow_log_close(log);
	}
	/* ... which opens as a log */
	log = NULL;
	CHECK(avow_log_open(&log, path, 0, &err) == AVOW_OK);
	CHECK(log != NULL && count(log) == 0);
	avow_log_close(log);

	/* a bundle that is not there */
	{
		avow_audit *a = (avow_audit *)&err;
		CHECK(avow_audit_bundle(path_in(path, sizeof path, "no.bundle"),
					NULL, &a, &err) == AVOW_ERR_IO);
	}
	avow_key_free(k);
}

/* Remove what the tests made (no subdirectories are made). */
static void cleanup(void)
{
	static const char *const names[] = {
		"demo.db",  "demo.bundle", "fail.db",	  "one.db",
		"two.db",   "ro.db",	   "text.db",	  "empty.db",
		"other.db", "appid.db",	   "v2.db",	  "bare.db",
		"kept.db",  "kept2.db",	   "kept2.state", "kept2-whole.state",
		"tree.db",
	};
	char p[160];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
		snprintf(p, sizeof p, "%s/%s-wal", dir, names[i]);
		unlink(p);
		snprintf(p, sizeof p, "%s/%s-shm", dir, names[i]);
		unlink(p);
		snprintf(p, sizeof p, "%s/%s-journal", dir, names[i]);
		unlink(p);
	}
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	if (avow_init() != AVOW_OK)
		return 1;
	strcpy(dir, "/tmp/test_log.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_walkthrough();
	test_failed_append();
	test_two_logs();
	test_readonly();
	test_kept_state();
	test_kept_saved_state();
	test_stored_tree();
	test_not_logs();
	cleanup();
	return check_done("log");
}
