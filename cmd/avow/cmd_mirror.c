/*
 * cmd_mirror.c - receiving logs: avow import (keep a local mirror of a
 * colleague's bundle) and avow monitor (check that each new copy of a log
 * extends the last one trusted, as a transparency-log monitor does).
 */
#include "cli.h"

#include "audit_print.h"
#include "json.h"
#include "syntax.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const char usage_import[] =
	"usage: avow import BUNDLE [--checkpoint FILE --verifier-key KEY]...\n"
	"\n"
	"Keep the log given by --log (created when missing) as a mirror of a\n"
	"colleague's log: audit BUNDLE (as avow-verify --bundle does, with\n"
	"any checkpoints given) and append the records the mirror lacks,\n"
	"byte for byte. All or none: nothing is written unless the bundle\n"
	"passes its audit and the mirror's records are a prefix of it, so a\n"
	"bundle whose newest records were removed, or that was rewritten or\n"
	"forked since the last import, is refused with the record that\n"
	"differs.\n"
	"\n"
	"  --checkpoint FILE     a signed checkpoint the bundle must match\n"
	"  --verifier-key KEY    the verifier key you trust for the\n"
	"                        checkpoint before it (one key given once\n"
	"                        serves all)\n";

const char usage_monitor[] =
	"usage: avow monitor BUNDLE_OR_LOG --state DIR\n"
	"                    [--checkpoint FILE --verifier-key KEY]...\n"
	"\n"
	"Watch a log over time. Audit this copy (a bundle or a log file), "
	"then\n"
	"check that it extends the last tree head trusted, which "
	"DIR/state.json\n"
	"remembers: the copy must hold at least as many records, and its tree\n"
	"of that many records must be the one trusted (checked with a\n"
	"consistency proof). Then remember the new head: the largest\n"
	"checkpoint given, or without one the copy's own tree head (trust on\n"
	"first use: with checkpoints held elsewhere, a monitor also catches a\n"
	"log shown differently to different readers).\n"
	"\n"
	"  --state DIR           where the monitor keeps its state (created\n"
	"                        mode 0700; state.json is mode 0600)\n"
	"  --checkpoint FILE     a signed checkpoint the copy must match\n"
	"  --verifier-key KEY    the verifier key you trust for it\n"
	"\n"
	"Exit status: 0 the copy extends what was trusted, 1 it does not or "
	"it\n"
	"fails its audit (the state is then left as it was), 2 usage or I/O.\n";

typedef struct {
	cp_args cpa;
	const char *state;
} mirror_opts;

static int mirror_opt(int c, const char *arg, void *ctx)
{
	mirror_opts *o = ctx;

	switch (c) {
	case 'c':
	case 'k': return cp_args_add(&o->cpa, c == 'k', arg);
	case 's': o->state = arg; return 0;
	default: return -1;
	}
}

static const struct option mirror_longopts[] = {
	{"checkpoint", required_argument, NULL, 'c'},
	{"verifier-key", required_argument, NULL, 'k'},
	{"state", required_argument, NULL, 's'},
	{NULL, 0, NULL, 0},
};

/* Parse the options and one operand; loads the checkpoints. Returns the
 * operand, or NULL with *rc set. */
static const char *mirror_args(int argc, char **argv, const char *usage,
			       mirror_opts *o, cp_set *cs, int *rc)
{
	memset(o, 0, sizeof *o);
	memset(cs, 0, sizeof *cs);
	if (cp_args_init(&o->cpa, argc) < 0) {
		*rc = EXIT_FAIL;
		return NULL;
	}
	if (parse_opts(argc, argv, "", mirror_longopts, mirror_opt, o, usage,
		       rc))
		return NULL;
	*rc = EXIT_USAGE;
	if (argc - optind != 1) {
		errorf("%s: give one bundle or log (see --help)", argv[0]);
		return NULL;
	}
	if (cp_args_load(&o->cpa, cs) < 0)
		return NULL;
	return argv[optind];
}

static void mirror_free(mirror_opts *o, cp_set *cs)
{
	cp_set_free(cs);
	cp_args_free(&o->cpa);
}

/* Print an audit failure in one line. */
static void print_failure(const char *what, const avow_audit *a)
{
	const avow_failure *f = avow_audit_failure(a, 0);

	if (f == NULL)
		errorf("%s fails its audit", what);
	else if (f->seq == UINT64_MAX)
		errorf("%s fails its audit: %s: %s", what, f->check, f->detail);
	else
		errorf("%s fails its audit at record %llu (%s: %s)", what,
		       (unsigned long long)f->seq, f->check, f->detail);
}

int cmd_import(int argc, char **argv)
{
	mirror_opts o;
	cp_set cs;
	avow_audit_options ao;
	avow_audit *a = NULL;
	avow_log *log = NULL;
	avow_error err;
	const char *bundle, *path = default_log(g.log);
	uint64_t added = 0;
	int rc, created = 0;
	struct stat sb;

	bundle = mirror_args(argc, argv, usage_import, &o, &cs, &rc);
	if (bundle == NULL || o.state != NULL) {
		if (bundle != NULL)
			errorf("import: unknown option --state");
		mirror_free(&o, &cs);
		return bundle == NULL ? rc : EXIT_USAGE;
	}
	if (stat(path, &sb) != 0 && errno == ENOENT) {
		if (avow_log_create(&log, path, &err) != AVOW_OK) {
			mirror_free(&o, &cs);
			return report_error(&err);
		}
		created = 1;
	} else if ((log = open_log(0)) == NULL) {
		mirror_free(&o, &cs);
		return EXIT_USAGE;
	}
	memset(&ao, 0, sizeof ao);
	ao.checkpoints = cs.in;
	ao.ncheckpoints = cs.n;
	if (avow_log_import(log, bundle, &ao, &a, &added, &err) != AVOW_OK) {
		rc = report_error(&err);
	} else {
		uint8_t root[32];
		char r[45];
		avow_audit_root(a, root);
		b64(r, root, 32);
		printf("imported %llu record%s from %s into %s: %s now holds "
		       "%llu records, tree hash %s\n",
		       (unsigned long long)added, added == 1 ? "" : "s", bundle,
		       path, avow_audit_origin(a),
		       (unsigned long long)avow_audit_size(a), r);
		if (cs.n == 0)
			warnf("%s", no_checkpoint_warning);
		rc = EXIT_OK;
	}
	avow_audit_free(a);
	avow_log_close(log);
	if (rc != EXIT_OK && created) {
		/* Leave nothing behind for a first import that failed. */
		char side[4200];
		(void)remove(path); /* best effort, as are the two below */
		snprintf(side, sizeof side, "%s-wal", path);
		(void)remove(side);
		snprintf(side, sizeof side, "%s-shm", path);
		(void)remove(side);
	}
	mirror_free(&o, &cs);
	return rc;
}

/* --------------------------------------------------------------------- */
/* monitor                                                               */

typedef struct {
	char origin[256];
	uint64_t size;
	uint8_t root[32];
	char seen[21];
	char *checkpoint; /* the note trusted, or NULL */
} head;

/* Whether path is an SQLite file (else it is read as a bundle). */
static int is_sqlite(const char *path)
{
	char magic[16];
	FILE *f = fopen(path, "rb");
	int yes = 0;

	if (f != NULL) {
		yes = fread(magic, 1, 16, f) == 16 &&
		      memcmp(magic, "SQLite format 3", 16) == 0;
		(void)fclose(f); /* read only */
	}
	return yes;
}

/* Read DIR/state.json: 1 when there is one, 0 when not, -1 on error. */
static int load_head(const char *file, head *h)
{
	struct stat sb;
	avow_error err;
	char *text;
	size_t len;
	cJSON *o;
	const char *origin, *root, *seen;
	int64_t size;

	memset(h, 0, sizeof *h);
	if (stat(file, &sb) != 0 && errno == ENOENT)
		return 0;
	if (read_file(file, 1u << 20, &text, &len) < 0)
		return -1;
	o = avow_json_parse(text, len, 0, &err);
	free(text);
	origin = json_str(o, "origin");
	root = json_str(o, "root");
	seen = json_str(o, "seen");
	size = avow_json_int(cJSON_GetObjectItemCaseSensitive(o, "size"));
	if (o == NULL || origin == NULL || strlen(origin) > 255 ||
	    root == NULL || seen == NULL || strlen(seen) > 20 || size < 1 ||
	    !avow_b64_decode_exact(h->root, 32, root, strlen(root))) {
		errorf("%s: not a monitor state file (%s)", file,
		       o == NULL ? err.msg : "a member is missing or wrong");
		cJSON_Delete(o);
		return -1;
	}
	/* Both fit: their lengths were checked above. */
	// NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.strcpy)
	strcpy(h->origin, origin);
	// NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.strcpy)
	strcpy(h->seen, seen);
	h->size = (uint64_t)size;
	if (json_str(o, "checkpoint") != NULL)
		h->checkpoint = avow_strdup(json_str(o, "checkpoint"));
	cJSON_Delete(o);
	return 1;
}

static int save_head(const char *dir, const char *file, const head *h)
{
	cJSON *o = cJSON_CreateObject();
	char r[45], *text;
	mode_t old;
	int rc = EXIT_FAIL;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		errorf("%s: %s", dir, strerror(errno));
		cJSON_Delete(o);
		return EXIT_USAGE;
	}
	b64(r, h->root, 32);
	if (h->checkpoint != NULL)
		cJSON_AddStringToObject(o, "checkpoint", h->checkpoint);
	cJSON_AddStringToObject(o, "origin", h->origin);
	cJSON_AddStringToObject(o, "root", r);
	cJSON_AddStringToObject(o, "seen", h->seen);
	cJSON_AddNumberToObject(o, "size", (double)h->size);
	text = cJSON_Print(o);
	cJSON_Delete(o);
	if (text == NULL) {
		errorf("out of memory");
		return rc;
	}
	old = umask(077);
	rc = write_out(file, text, strlen(text));
	umask(old);
	cJSON_free(text);
	return rc;
}

/* The consistency proof from m records of the copy to all n of it, and
 * the copy's tree hash at m. */
static avow_status copy_proof(const char *path, int sqlite, uint64_t m,
			      uint64_t n, avow_consistency *p,
			      uint8_t old_root[32], avow_error *err)
{
	avow_log *log = NULL;
	avow_status st;

	if (!sqlite)
		return avow_bundle_consistency(path, m, n, p, old_root, err);
	st = avow_log_open(&log, path, AVOW_OPEN_READONLY, err);
	if (st == AVOW_OK)
		st = avow_log_consistency(log, m, n, p, err);
	if (st == AVOW_OK)
		st = avow_log_root(log, m, old_root, err);
	avow_log_close(log);
	return st;
}

/* Audit the copy with the given checkpoints (a log's stored tree must
 * agree too, since the proofs come from it). */
static int audit_copy(const char *path, int sqlite, const cp_set *cs,
		      avow_audit **a)
{
	avow_audit_options ao;
	avow_error err;
	avow_status st;

	memset(&ao, 0, sizeof ao);
	ao.checkpoints = cs->in;
	ao.ncheckpoints = cs->n;
	if (sqlite) {
		avow_log *log = NULL;
		st = avow_log_open(&log, path, AVOW_OPEN_READONLY, &err);
		if (st == AVOW_OK)
			st = avow_audit_log(log, &ao, a, &err);
		avow_log_close(log);
	} else {
		st = avow_audit_bundle(path, &ao, a, &err);
	}
	if (st != AVOW_OK)
		return report_error(&err);
	if (!avow_audit_passed(*a)) {
		print_failure(path, *a);
		return EXIT_FAIL;
	}
	if (avow_audit_index_problem(*a) != NULL) {
		errorf("%s: %s (its stored tree cannot be used; run `avow "
		       "reindex` on it or monitor its bundle)",
		       path, avow_audit_index_problem(*a));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Check that the copy (audited as a) extends the trusted head old. */
static int check_extends(const char *path, int sqlite, const avow_audit *a,
			 const head *old)
{
	avow_consistency p;
	avow_error err;
	uint8_t at_old[32], root[32];
	uint64_t n = avow_audit_size(a);

	if (strcmp(old->origin, avow_audit_origin(a)) != 0) {
		errorf("%s is of origin \"%s\"; this state watches \"%s\"",
		       path, avow_audit_origin(a), old->origin);
		return EXIT_FAIL;
	}
	if (n < old->size) {
		errorf("%s holds %llu records, fewer than the %llu trusted on "
		       "%s: records were removed",
		       path, (unsigned long long)n,
		       (unsigned long long)old->size, old->seen);
		return EXIT_FAIL;
	}
	avow_audit_root(a, root);
	if (copy_proof(path, sqlite, old->size, n, &p, at_old, &err) != AVOW_OK)
		return report_error(&err);
	if (memcmp(at_old, old->root, 32) != 0 ||
	    avow_consistency_verify(&p, old->root, root, &err) != AVOW_OK) {
		errorf("%s does not extend the tree of %llu records trusted on "
		       "%s: its first %llu records differ (the log was "
		       "rewritten or forked)",
		       path, (unsigned long long)old->size, old->seen,
		       (unsigned long long)old->size);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_monitor(int argc, char **argv)
{
	mirror_opts o;
	cp_set cs;
	avow_audit *a = NULL;
	head old, now;
	char file[4200];
	const char *path;
	int rc, sqlite, had;
	int64_t t = record_time();

	path = mirror_args(argc, argv, usage_monitor, &o, &cs, &rc);
	if (path == NULL) {
		mirror_free(&o, &cs);
		return rc;
	}
	memset(&old, 0, sizeof old);
	memset(&now, 0, sizeof now);
	rc = EXIT_USAGE;
	if (o.state == NULL) {
		errorf("monitor: --state DIR is required");
		goto out;
	}
	if (t == -2)
		goto out;
	snprintf(file, sizeof file, "%s/state.json", o.state);
	had = load_head(file, &old);
	if (had < 0)
		goto out;
	sqlite = is_sqlite(path);
	rc = audit_copy(path, sqlite, &cs, &a);
	if (rc == EXIT_OK && had)
		rc = check_extends(path, sqlite, a, &old);
	if (rc != EXIT_OK)
		goto out;

	/* The new trusted head: the largest checkpoint, or the copy's. */
	snprintf(now.origin, sizeof now.origin, "%s", avow_audit_origin(a));
	now.size = avow_audit_size(a);
	avow_audit_root(a, now.root);
	for (size_t i = 0; i < cs.n; i++) {
		avow_checkpoint cp;
		if (avow_audit_checkpoint(a, i, &cp) == AVOW_CP_OK &&
		    (now.checkpoint == NULL || cp.size >= now.size)) {
			now.size = cp.size;
			memcpy(now.root, cp.root, 32);
			now.checkpoint = cs.notes[i];
		}
	}
	if (had && now.size < old.size) {
		/* An older checkpoint than the one trusted: keep that. */
		now.size = old.size;
		memcpy(now.root, old.root, 32);
		now.checkpoint = old.checkpoint;
	}
	avow_format_time(t < 0 ? (int64_t)time(NULL) : t, now.seen);
	rc = save_head(o.state, file, &now);
	if (rc != EXIT_OK)
		goto out;
	if (had)
		printf("monitor: %s: %llu records; extends the tree of %llu "
		       "trusted on %s\n",
		       now.origin, (unsigned long long)avow_audit_size(a),
		       (unsigned long long)old.size, old.seen);
	else
		printf("monitor: %s: %llu records; first look, state kept in "
		       "%s\n",
		       now.origin, (unsigned long long)avow_audit_size(a),
		       file);
	printf("monitor: now trusting the tree of %llu records (%s)\n",
	       (unsigned long long)now.size,
	       now.checkpoint ? "a signed checkpoint" : "this copy's own");
	if (cs.n == 0)
		warnf("no checkpoint given: the monitor can tell that this "
		      "copy "
		      "extends the last one it saw, not that others see the "
		      "same log");
out:
	avow_audit_free(a);
	free(old.checkpoint);
	mirror_free(&o, &cs);
	return rc;
}
