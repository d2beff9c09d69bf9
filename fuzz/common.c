/*
 * common.c - shared set-up of the fuzz targets: fixed keys, a scratch
 * directory, and the prefix log (fuzz.h) written through the public API.
 */
#include "fuzz.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line,
		what);
	abort();
}

void fuzz_init(void)
{
	static int done;

	if (!done) {
		if (avow_init() != AVOW_OK)
			fuzz_fail(__FILE__, __LINE__, "avow_init");
		done = 1;
	}
}

static char scratch[256];

static void remove_scratch(void)
{
	DIR *d;
	struct dirent *e;
	char p[512];

	if (scratch[0] == 0)
		return;
	d = opendir(scratch);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof p, "%s/%s", scratch, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(scratch);
}

const char *fuzz_dir(void)
{
	const char *base;

	if (scratch[0] != 0)
		return scratch;
	base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	if (base == NULL || base[0] == 0)
		base = "/tmp";
	snprintf(scratch, sizeof scratch, "%s/avow-fuzz.XXXXXX", base);
	if (mkdtemp(scratch) == NULL)
		fuzz_fail(__FILE__, __LINE__, "mkdtemp");
	atexit(remove_scratch);
	return scratch;
}

void fuzz_write_file(const char *path, const void *data, size_t size)
{
	const uint8_t *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		fuzz_fail(__FILE__, __LINE__, "open for writing");
	while (size > 0) {
		ssize_t w = write(fd, p, size);
		if (w <= 0)
			fuzz_fail(__FILE__, __LINE__, "write");
		p += w;
		size -= (size_t)w;
	}
	if (close(fd) != 0)
		fuzz_fail(__FILE__, __LINE__, "close");
}

static avow_key *seed_key(const char *name, uint8_t fill)
{
	uint8_t seed[AVOW_SEED_BYTES];
	avow_key *k = NULL;

	memset(seed, fill, sizeof seed);
	if (avow_key_from_seed(&k, name, seed, NULL) != AVOW_OK)
		fuzz_fail(__FILE__, __LINE__, "avow_key_from_seed");
	return k;
}

const fuzz_keys *fuzz_get_keys(void)
{
	static fuzz_keys k;

	if (k.admin == NULL) {
		fuzz_init();
		k.admin = seed_key("admin", 0x11);
		k.rec = seed_key("rec", 0x22);
		k.admin2 = seed_key("admin2", 0x33);
		k.outsider = seed_key("outsider", 0x44);
	}
	return &k;
}

#define SOURCE                                                                 \
	"\"source\":{\"url\":\"https://example.org/a?b=c#d\",\"title\":"      \
	"\"A report\",\"publisher\":\"Example Times\",\"published\":"         \
	"\"2023-09\",\"retrieved\":\"2023-09-18T10:00:00Z\",\"sha256\":"      \
	"\"uCxIBkXKa1vtmE1aZjiNoSM1J5HjkIo6Q9EczRfN0tI=\"}"

static void append1(avow_log *log, const avow_key *k, const char *json,
		    int64_t now)
{
	avow_draft d = {json, strlen(json), "prefix", 0};
	avow_error err;

	if (avow_log_append(log, k, &d, 1, now, NULL, &err) != AVOW_OK) {
		fprintf(stderr, "fuzz prefix: append: %s\n", err.msg);
		fuzz_fail(__FILE__, __LINE__, "prefix append");
	}
}

static void key_add(avow_log *log, const avow_key *by, const avow_key *k,
		    const char *role, int64_t now)
{
	char proof[89], json[1024];

	if (avow_key_possession(k, FUZZ_ORIGIN, proof, NULL) != AVOW_OK)
		fuzz_fail(__FILE__, __LINE__, "possession");
	snprintf(json, sizeof json,
		 "{\"type\":\"key\",\"body\":{\"action\":\"add\",\"key\":\"%s\","
		 "\"role\":\"%s\",\"holder\":\"Holder of %s\",\"possession\":"
		 "\"%s\",\"note\":\"enrolled\\tfor fuzzing\"}}",
		 avow_key_verifier(k), role, avow_key_name(k), proof);
	append1(log, by, json, now);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		fuzz_fail(__FILE__, __LINE__, "read the prefix log");
	p = malloc((size_t)n + 1);
	if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n)
		fuzz_fail(__FILE__, __LINE__, "read the prefix log");
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void unlink_db(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[512];

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static void build_prefix(fuzz_prefix *px)
{
	const fuzz_keys *k = fuzz_get_keys();
	char path[512], rkey[512];
	avow_log *log = NULL;
	avow_audit *a = NULL;
	avow_error err;
	FILE *f;
	uint64_t n = 0;
	int64_t t = FUZZ_T0;

	snprintf(path, sizeof path, "%s/prefix.db", fuzz_dir());
	unlink_db(path);
	if (avow_log_create(&log, path, &err) != AVOW_OK ||
	    avow_log_init(log, k->admin, FUZZ_ORIGIN, "The admin",
			  "A log for fuzzing.\nTwo lines.", t, &err) != AVOW_OK) {
		fprintf(stderr, "fuzz prefix: %s\n", err.msg);
		fuzz_fail(__FILE__, __LINE__, "prefix init");
	}
	key_add(log, k->admin, k->rec, "recorder", t += 60);
	key_add(log, k->admin, k->admin2, "admin", t += 60);
	append1(log, k->rec,
		"{\"type\":\"actor\",\"body\":{\"id\":\"a1\",\"name\":\"Actor "
		"One\",\"kind\":\"government\",\"aliases\":[\"One\",\"Un\"]}}",
		t += 60);
	append1(log, k->rec,
		"{\"type\":\"actor\",\"body\":{\"id\":\"a2\",\"name\":\"Actor "
		"Two\",\"kind\":\"agency\",\"part_of\":\"a1\",\"description\":"
		"\"Part of one.\"}}",
		t += 60);
	append1(log, k->rec,
		"{\"type\":\"actor\",\"body\":{\"id\":\"tv\",\"name\":\"A TV "
		"channel\",\"kind\":\"media\"}}",
		t += 60);
	append1(log, k->rec,
		"{\"type\":\"claim\",\"body\":{\"by\":\"a1\",\"with\":[\"a2\"],"
		"\"text\":\"The sky is green.\\nReally.\",\"quote\":true,"
		"\"lang\":\"en-GB\",\"translated\":true,\"original\":\"Le ciel "
		"est vert.\",\"said_at\":\"2023-09-17\"," SOURCE
		",\"via\":[\"tv\"],\"about\":[\"a2\"],\"topics\":[\"sky\","
		"\"colour\"]}}",
		t += 60);
	append1(log, k->rec,
		"{\"type\":\"response\",\"body\":{\"by\":\"a2\",\"stance\":"
		"\"disputes\",\"target\":{\"seq\":6},\"text\":\"It is blue.\","
		"\"quote\":false,\"said_at\":\"2023-09-18T08:00:00Z\","
		"\"source\":{\"title\":\"Radio\"}}}",
		t += 60);
	append1(log, k->admin,
		"{\"type\":\"response\",\"body\":{\"by\":\"a1\",\"stance\":"
		"\"retracts\",\"target\":{\"seq\":6},\"text\":\"We withdraw "
		"it.\",\"quote\":false,\"said_at\":\"2023\",\"source\":{"
		"\"url\":\"https://example.org/w\"}}}",
		t += 60);
	append1(log, k->rec,
		"{\"type\":\"amend\",\"body\":{\"target\":{\"seq\":6},"
		"\"reason\":\"recording error\",\"set\":{\"topics\":[\"sky\"],"
		"\"about\":null}}}",
		t += 60);
	append1(log, k->rec,
		"{\"type\":\"actor\",\"body\":{\"id\":\"a2\",\"name\":\"Actor "
		"Two, renamed\",\"kind\":\"organization\",\"part_of\":\"a1\"}}",
		t += 60);
	snprintf(rkey, sizeof rkey,
		 "{\"type\":\"key\",\"body\":{\"action\":\"revoke\",\"key_id\":"
		 "\"%s\",\"reason\":\"rotated\"}}",
		 avow_key_id(k->admin2));
	append1(log, k->admin2, rkey, t += 60);

	if (avow_log_count(log, &n, &err) != AVOW_OK || n != FUZZ_PREFIX_N)
		fuzz_fail(__FILE__, __LINE__, "prefix count");
	for (uint64_t i = 0; i < n; i++)
		if (avow_log_record(log, i, &px->recs[i], &px->lens[i], &err) !=
		    AVOW_OK)
			fuzz_fail(__FILE__, __LINE__, "prefix record");
	f = open_memstream(&px->bundle, &px->bundle_len);
	if (f == NULL || avow_log_export(log, f, &err) != AVOW_OK)
		fuzz_fail(__FILE__, __LINE__, "prefix export");
	fclose(f);
	if (avow_audit_log(log, NULL, &a, &err) != AVOW_OK ||
	    !avow_audit_passed(a))
		fuzz_fail(__FILE__, __LINE__, "prefix audit");
	avow_audit_root(a, px->root);
	avow_audit_free(a);
	if (avow_checkpoint_sign(k->admin, FUZZ_ORIGIN, n, px->root,
				 &px->checkpoint, &err) != AVOW_OK)
		fuzz_fail(__FILE__, __LINE__, "prefix checkpoint");
	avow_log_close(log);
	px->db = slurp(path, &px->db_len);
	unlink_db(path);
}

const fuzz_prefix *fuzz_get_prefix(void)
{
	static fuzz_prefix px;

	if (px.db == NULL)
		build_prefix(&px);
	return &px;
}

void fuzz_prefix_db_to(const char *path)
{
	const fuzz_prefix *px = fuzz_get_prefix();

	unlink_db(path);
	fuzz_write_file(path, px->db, px->db_len);
}
