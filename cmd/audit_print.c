/*
 * audit_print.c - the verdict, failures, warnings and summary of an audit,
 * as text or as one JSON object.
 */
#include "audit_print.h"

#include "common.h"
#include "json.h"
#include "syntax.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const types[] = {"genesis", "key",	   "actor",
				    "claim",   "response", "amend"};

static void fmt_time(int64_t t, char out[21])
{
	if (t < 0 || avow_format_time(t, out) != 0)
		// NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.strcpy)
		strcpy(out, "-"); /* fits out[21] */
}

static void print_text(const audit_view *v, const avow_audit *a,
		       const char *source)
{
	uint8_t root[32];
	char r[45];
	int pass = avow_audit_passed(a);
	size_t nf = avow_audit_failure_count(a);

	avow_audit_root(a, root);
	b64(r, root, 32);
	for (size_t i = 0; i < nf; i++) {
		const avow_failure *f = avow_audit_failure(a, i);
		if (f->seq == UINT64_MAX)
			printf("FAIL %s: %s\n", f->check, f->detail);
		else
			printf("FAIL record %llu (%s): %s\n",
			       (unsigned long long)f->seq, f->check, f->detail);
	}
	if (!v->quiet || !pass) {
		const char *origin = avow_audit_origin(a);
		printf("%s: %s, origin %s, %llu records, tree hash %s\n",
		       pass ? "PASS" : "FAIL", source,
		       origin ? origin : "(none)",
		       (unsigned long long)avow_audit_size(a), r);
	}
	if (!v->quiet && pass) {
		printf("records:");
		for (size_t i = 0; i < 6; i++)
			printf("%s %llu %s", i ? "," : "",
			       (unsigned long long)avow_audit_type_count(
				       a, types[i]),
			       types[i]);
		printf("\nrecorded by:\n");
		for (size_t i = 0; i < avow_audit_key_count(a); i++) {
			avow_key_summary k;
			char f[21], l[21];
			avow_audit_key(a, i, &k);
			fmt_time(k.first, f);
			fmt_time(k.last, l);
			printf("  %s (%s%s), %s: %llu records", k.id,
			       k.admin ? "admin" : "recorder",
			       k.revoked != UINT64_MAX ? ", revoked" : "",
			       k.holder, (unsigned long long)k.records);
			if (k.records)
				printf(", %s to %s", f, l);
			putchar('\n');
		}
		if (v->ncp)
			printf("checkpoints: %zu verified\n",
			       avow_audit_checkpoints_ok(a));
	}
	for (size_t i = 0; i < avow_audit_warning_count(a); i++) {
		uint64_t seq;
		const char *w = avow_audit_warning(a, i, &seq);
		warnf("record %llu: %s", (unsigned long long)seq, w);
	}
}

static void print_json_verdict(const audit_view *v, const avow_audit *a,
			       const char *source)
{
	cJSON *o = cJSON_CreateObject(), *arr, *x;
	uint8_t root[32];
	char r[45];
	size_t nf = avow_audit_failure_count(a);

	avow_audit_root(a, root);
	b64(r, root, 32);
	cJSON_AddStringToObject(o, "verdict",
				avow_audit_passed(a) ? "pass" : "fail");
	cJSON_AddStringToObject(o, v->bundle ? "bundle" : "log", source);
	if (avow_audit_origin(a) != NULL)
		cJSON_AddStringToObject(o, "origin", avow_audit_origin(a));
	else
		cJSON_AddNullToObject(o, "origin");
	cJSON_AddNumberToObject(o, "size", (double)avow_audit_size(a));
	cJSON_AddStringToObject(o, "tree_hash", r);
	arr = cJSON_AddArrayToObject(o, "failures");
	for (size_t i = 0; i < nf; i++) {
		const avow_failure *f = avow_audit_failure(a, i);
		x = cJSON_CreateObject();
		if (f->seq == UINT64_MAX)
			cJSON_AddNullToObject(x, "seq");
		else
			cJSON_AddNumberToObject(x, "seq", (double)f->seq);
		cJSON_AddStringToObject(x, "check", f->check);
		cJSON_AddStringToObject(x, "detail", f->detail);
		cJSON_AddItemToArray(arr, x);
	}
	x = cJSON_AddObjectToObject(o, "records");
	for (size_t i = 0; i < 6; i++)
		cJSON_AddNumberToObject(
			x, types[i],
			(double)avow_audit_type_count(a, types[i]));
	arr = cJSON_AddArrayToObject(o, "keys");
	for (size_t i = 0; i < avow_audit_key_count(a); i++) {
		avow_key_summary k;
		char f[21], l[21];
		avow_audit_key(a, i, &k);
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "key_id", k.id);
		cJSON_AddStringToObject(x, "verifier_key", k.verifier);
		cJSON_AddStringToObject(x, "holder", k.holder);
		cJSON_AddStringToObject(x, "role",
					k.admin ? "admin" : "recorder");
		cJSON_AddNumberToObject(x, "added", (double)k.added);
		if (k.revoked == UINT64_MAX)
			cJSON_AddNullToObject(x, "revoked");
		else
			cJSON_AddNumberToObject(x, "revoked",
						(double)k.revoked);
		cJSON_AddNumberToObject(x, "records", (double)k.records);
		if (k.records) {
			fmt_time(k.first, f);
			fmt_time(k.last, l);
			cJSON_AddStringToObject(x, "first", f);
			cJSON_AddStringToObject(x, "last", l);
		}
		cJSON_AddItemToArray(arr, x);
	}
	arr = cJSON_AddArrayToObject(o, "warnings");
	for (size_t i = 0; i < avow_audit_warning_count(a); i++) {
		uint64_t seq;
		const char *w = avow_audit_warning(a, i, &seq);
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "seq", (double)seq);
		cJSON_AddStringToObject(x, "message", w);
		cJSON_AddItemToArray(arr, x);
	}
	x = cJSON_AddObjectToObject(o, "checkpoints");
	cJSON_AddNumberToObject(x, "given", (double)v->ncp);
	cJSON_AddNumberToObject(x, "verified",
				(double)avow_audit_checkpoints_ok(a));
	if (v->ncp == 0)
		cJSON_AddStringToObject(o, "no_checkpoint_warning",
					no_checkpoint_warning);
	if (avow_audit_index_problem(a) != NULL)
		cJSON_AddStringToObject(o, "index_problem",
					avow_audit_index_problem(a));
	else if (v->log != NULL)
		cJSON_AddNullToObject(o, "index_problem");
	print_json(stdout, o);
	cJSON_Delete(o);
}

/* A proof from the log or bundle under audit: the consistency proof
 * from m to n records and the tree hash at m. The log's stored tree has
 * been checked by the audit; a bundle is read again. */
static avow_status source_proof(const audit_view *v, uint64_t m, uint64_t n,
				avow_consistency *p, uint8_t old_root[32],
				avow_error *err)
{
	avow_log *log = NULL;
	avow_status st;

	if (v->bundle != NULL)
		return avow_bundle_consistency(v->bundle, m, n, p, old_root,
					       err);
	st = avow_log_open(&log, v->log, AVOW_OPEN_READONLY, err);
	if (st == AVOW_OK)
		st = avow_log_consistency(log, m, n, p, err);
	if (st == AVOW_OK)
		st = avow_log_root(log, m, old_root, err);
	avow_log_close(log);
	return st;
}

/* Two checkpoints of this log that cannot both be true: equal sizes with
 * different tree hashes, or an older one that the log contradicts while
 * a newer one matches it (the log's consistency proof then shows that no
 * tree could satisfy both). Says so on stderr and, with --evidence,
 * writes the proof of it. Returns 1 when misbehaviour was found. */
static int find_misbehaviour(const audit_view *v, const avow_audit *a,
			     char **notes)
{
	for (size_t i = 0; i < v->ncp; i++)
		for (size_t j = 0; j < v->ncp; j++) {
			avow_checkpoint ci, cj;
			avow_cp_result ri = avow_audit_checkpoint(a, i, &ci);
			avow_cp_result rj = avow_audit_checkpoint(a, j, &cj);
			avow_consistency p;
			uint8_t old_root[32];
			avow_error err;
			char *json = NULL, what[1024];
			int same, ok;

			if (i == j || ri == AVOW_CP_UNREADABLE ||
			    rj == AVOW_CP_UNREADABLE ||
			    strcmp(ci.origin, cj.origin) != 0)
				continue;
			same = ci.size == cj.size &&
			       memcmp(ci.root, cj.root, 32) != 0 && i < j;
			ok = ci.size < cj.size && ri == AVOW_CP_DIFFERS &&
			     rj == AVOW_CP_OK;
			if (!same && !ok)
				continue;
			if (ok && source_proof(v, ci.size, cj.size, &p,
					       old_root, &err) != AVOW_OK) {
				warnf("cannot make the proof of misbehaviour: "
				      "%s",
				      err.msg);
				continue;
			}
			if (avow_evidence_make(notes[i], v->cp_keys[i],
					       notes[j], v->cp_keys[j],
					       same ? NULL : &p,
					       same ? NULL : old_root, &json,
					       &err) != AVOW_OK ||
			    avow_evidence_check(json, strlen(json), what,
						sizeof what, &err) != AVOW_OK) {
				avow_free(json);
				continue;
			}
			warnf("misbehaviour: checkpoints %s and %s cannot both "
			      "be true: %s",
			      v->cp_files[i], v->cp_files[j], what);
			if (v->evidence != NULL) {
				size_t n = strlen(json);
				char *t = realloc(json, n + 2);
				if (t != NULL) {
					json = t;
					json[n++] = '\n';
				}
				if (write_out(v->evidence, json, n) == EXIT_OK)
					warnf("evidence written to %s; anyone "
					      "can check it with `avow-verify "
					      "evidence %s`",
					      v->evidence, v->evidence);
			}
			avow_free(json);
			return 1;
		}
	return 0;
}

int cp_set_load(cp_set *c, const char **files, const char **keys, size_t n)
{
	memset(c, 0, sizeof *c);
	if (n == 0)
		return 0;
	c->in = calloc(n, sizeof *c->in);
	c->notes = calloc(n, sizeof *c->notes);
	if (c->in == NULL || c->notes == NULL) {
		errorf("out of memory");
		return -1;
	}
	c->n = n;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		if (read_file(files[i], 65536, &c->notes[i], &len) < 0)
			return -1;
		c->in[i].note = c->notes[i];
		c->in[i].len = len;
		c->in[i].vkey = keys[i];
		c->in[i].label = files[i];
	}
	return 0;
}

void cp_set_free(cp_set *c)
{
	for (size_t i = 0; c->notes && i < c->n; i++)
		free(c->notes[i]);
	free(c->notes);
	free(c->in);
	memset(c, 0, sizeof *c);
}

/* A progress bar on standard error, for audits longer than a second on a
 * terminal: records done, rate and time left. */
typedef struct {
	struct timespec start, last;
	uint64_t total; /* 0 when unknown */
	int shown;
} progress;

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void on_progress(void *ctx, uint64_t done)
{
	progress *p = ctx;
	struct timespec now;
	double t, rate;
	char bar[31];
	int fill = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	t = since(&p->start, &now);
	if (t < 1.0 || (p->shown && since(&p->last, &now) < 0.1))
		return;
	p->last = now;
	p->shown = 1;
	rate = (double)done / t;
	if (p->total > done)
		fill = (int)(30.0 * (double)done / (double)p->total);
	else if (p->total)
		fill = 30;
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(30 - fill));
	bar[30] = 0;
	if (p->total > done) {
		double left = (double)(p->total - done) / (rate > 0 ? rate : 1);
		fprintf(stderr,
			"\r[%s] %3d%% %llu/%llu records, %.0f/s, %d:%02d left ",
			bar, (int)(100.0 * (double)done / (double)p->total),
			(unsigned long long)done, (unsigned long long)p->total,
			rate, (int)left / 60, (int)left % 60);
	} else {
		fprintf(stderr, "\r%llu records, %.0f/s ",
			(unsigned long long)done, rate);
	}
}

/* The number of records to expect: the log's count, or for a bundle its
 * size divided by the mean record size of its first MiB. */
static uint64_t expected_records(const audit_view *v)
{
	avow_log *log = NULL;
	avow_error err;
	uint64_t n = 0;

	if (v->bundle == NULL) {
		if (avow_log_open(&log, v->log, AVOW_OPEN_READONLY, &err) ==
			    AVOW_OK &&
		    avow_log_count(log, &n, &err) != AVOW_OK)
			n = 0;
		avow_log_close(log);
		return n;
	} else {
		FILE *f = fopen(v->bundle, "rb");
		static char buf[1 << 20];
		size_t got, lines = 0;
		long size;
		if (f == NULL)
			return 0;
		got = fread(buf, 1, sizeof buf, f);
		for (size_t i = 0; i < got; i++)
			lines += buf[i] == '\n';
		size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
		(void)fclose(f); /* read only */
		if (lines == 0 || size <= 0)
			return 0;
		return (uint64_t)((double)size * (double)lines / (double)got);
	}
}

int audit_and_print(const audit_view *v)
{
	progress bar_state;
	cp_set cs;
	avow_audit_options o;
	avow_audit *a = NULL;
	avow_error err;
	avow_status st;
	int rc = EXIT_USAGE;

	memset(&o, 0, sizeof o);
	memset(&err, 0, sizeof err);
	if (cp_set_load(&cs, v->cp_files, v->cp_keys, v->ncp) < 0)
		goto out;
	o.all = v->all;
	o.jobs = v->jobs;
	o.checkpoints = cs.in;
	o.ncheckpoints = v->ncp;
	memset(&bar_state, 0, sizeof bar_state);
	if (isatty(STDERR_FILENO)) {
		clock_gettime(CLOCK_MONOTONIC, &bar_state.start);
		bar_state.total = expected_records(v);
		o.progress = on_progress;
		o.progress_ctx = &bar_state;
	}
	if (avow_init() != AVOW_OK) {
		errorf("libsodium failed to start");
		goto out;
	}
	if (v->bundle != NULL) {
		st = avow_audit_bundle(v->bundle, &o, &a, &err);
	} else {
		avow_log *log = NULL;
		st = avow_log_open(&log, v->log, AVOW_OPEN_READONLY, &err);
		if (st == AVOW_OK)
			st = avow_audit_log(log, &o, &a, &err);
		avow_log_close(log);
	}
	if (bar_state.shown)
		fputs("\r\033[K", stderr);
	if (st != AVOW_OK) {
		rc = report_error(&err);
		goto out;
	}
	if (v->json)
		print_json_verdict(v, a, v->bundle ? v->bundle : v->log);
	else
		print_text(v, a, v->bundle ? v->bundle : v->log);
	if (avow_audit_index_problem(a) != NULL)
		warnf("derived data: %s (the records are not affected; "
		      "`avow reindex` rebuilds it)",
		      avow_audit_index_problem(a));
	if (v->ncp == 0)
		warnf("%s", no_checkpoint_warning);
	rc = avow_audit_passed(a) ? EXIT_OK : EXIT_FAIL;
	if (!find_misbehaviour(v, a, cs.notes) && v->evidence != NULL)
		warnf("no two checkpoints contradict each other; no evidence "
		      "written");
out:
	avow_audit_free(a);
	cp_set_free(&cs);
	return rc;
}

int cp_args_init(cp_args *a, int argc)
{
	a->ncp = a->nkeys = 0;
	a->files = calloc((size_t)argc + 1, sizeof *a->files);
	a->keys = calloc((size_t)argc + 1, sizeof *a->keys);
	if (a->files == NULL || a->keys == NULL) {
		cp_args_free(a);
		errorf("out of memory");
		return -1;
	}
	return 0;
}

void cp_args_free(cp_args *a)
{
	free(a->files);
	free(a->keys);
	a->files = a->keys = NULL;
}

int cp_args_add(cp_args *a, int is_key, const char *arg)
{
	if (!is_key) {
		a->files[a->ncp++] = arg;
	} else if (a->ncp > 0 && a->keys[a->ncp - 1] == NULL) {
		a->keys[a->ncp - 1] = arg;
		a->nkeys++;
	} else if (a->ncp == 0 && a->nkeys == 0) {
		a->keys[0] = arg;
		a->nkeys++;
	} else {
		errorf("--verifier-key %s follows no --checkpoint", arg);
		return -1;
	}
	return 0;
}

int cp_args_pair(cp_args *a)
{
	if (a->ncp == 0 && a->nkeys > 0) {
		errorf("--verifier-key needs a --checkpoint");
		return -1;
	}
	if (a->nkeys == 1) {
		const char *only = NULL;
		for (size_t i = 0; i < a->ncp + 1; i++)
			if (a->keys[i] != NULL)
				only = a->keys[i];
		for (size_t i = 0; i < a->ncp; i++)
			a->keys[i] = only;
	}
	for (size_t i = 0; i < a->ncp; i++)
		if (a->keys[i] == NULL) {
			errorf("--checkpoint %s has no --verifier-key",
			       a->files[i]);
			return -1;
		}
	return 0;
}

int cp_args_load(cp_args *a, cp_set *c)
{
	memset(c, 0, sizeof *c);
	if (cp_args_pair(a) < 0)
		return -1;
	return cp_set_load(c, a->files, a->keys, a->ncp);
}

int verify_main(int argc, char **argv, const char *log, const char *usage)
{
	static const struct option opts[] = {
		{"log", required_argument, NULL, 'l'},
		{"bundle", required_argument, NULL, 'b'},
		{"checkpoint", required_argument, NULL, 'c'},
		{"verifier-key", required_argument, NULL, 'k'},
		{"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"evidence", required_argument, NULL, 'e'},
		{"jobs", required_argument, NULL, 'J'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *log_path = NULL;
	cp_args cpa;
	audit_view view;
	int c, rc = EXIT_USAGE;

	memset(&view, 0, sizeof view);
	if (cp_args_init(&cpa, argc) < 0)
		return EXIT_FAIL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': log_path = optarg; break;
		case 'b': view.bundle = optarg; break;
		case 'c':
		case 'k':
			if (cp_args_add(&cpa, c == 'k', optarg) < 0)
				goto out;
			break;
		case 'a': view.all = 1; break;
		case 'j': view.json = 1; break;
		case 'q': view.quiet = 1; break;
		case 'e': view.evidence = optarg; break;
		case 'J': {
			uint64_t j;
			if (parse_u64(optarg, &j) || j < 1 || j > 64) {
				errorf("--jobs %s: give 1 to 64 threads",
				       optarg);
				goto out;
			}
			view.jobs = (unsigned)j;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			rc = EXIT_OK;
			goto out;
		case ':':
			errorf("%s needs a value (see --help)",
			       argv[optind - 1]);
			goto out;
		default:
			errorf("unknown option %s (see --help)",
			       argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		errorf("unexpected argument \"%s\" (see --help)", argv[optind]);
		goto out;
	}
	if (log_path != NULL && view.bundle != NULL) {
		errorf("give --log or --bundle, not both");
		goto out;
	}
	if (cp_args_pair(&cpa) < 0)
		goto out;
	view.log = view.bundle ? NULL : log_path ? log_path : log;
	view.cp_files = cpa.files;
	view.cp_keys = cpa.keys;
	view.ncp = cpa.ncp;
	rc = audit_and_print(&view);
out:
	cp_args_free(&cpa);
	return rc;
}
