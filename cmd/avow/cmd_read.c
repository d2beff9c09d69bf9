/*
 * cmd_read.c - the subcommands that read: log, show, export, verify,
 * report, source check, actor list, reindex. Everything shown comes from
 * audited records: a log that fails its audit is refused.
 */
#include "model.h"
#include "saved_model.h"

#include "audit_print.h"
#include "json.h"
#include "state.h"
#include "store.h"
#include "syntax.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char usage_log[] =
	"usage: avow log [--json]\n"
	"\n"
	"List the records: seq, time, type, signer and a one-line summary\n"
	"(with --json: the stored records, one per line).\n";
const char usage_show[] =
	"usage: avow show SEQ [--json]\n"
	"\n"
	"Show record SEQ: its entry, signer and leaf hash (with --json: the\n"
	"stored bytes exactly as signed).\n";
const char usage_export[] =
	"usage: avow export [-o FILE]\n"
	"\n"
	"Write the log as a bundle (SPEC section 6): the records in seq "
	"order,\n"
	"each followed by a line feed. Audit it anywhere with\n"
	"`avow-verify --bundle FILE`.\n";
const char usage_verify[] =
	"usage: avow verify [--log FILE | --bundle FILE] [--checkpoint FILE\n"
	"                   --verifier-key KEY]... [--all] [--json] [--quiet]\n"
	"\n"
	"Audit the log as avow-verify does (see avow-verify --help).\n";
const char usage_source[] =
	"usage: avow source check SEQ FILE\n"
	"\n"
	"Does FILE match the archived copy (source.sha256) that record SEQ\n"
	"cites? Exit 0 when it does, 1 when it does not.\n";
const char usage_reindex[] =
	"usage: avow reindex\n"
	"\n"
	"Rebuild the log's derived table (the stored Merkle tree) from its\n"
	"records.\n";

/* --------------------------------------------------------------------- */
/* The model a report is built from                                      */

void model_observe(void *ctx, const avow_accepted *a)
{
	model *m = ctx;
	mrec *r;
	const cJSON *s, *t;

	if (a->type != AVOW_T_CLAIM && a->type != AVOW_T_RESPONSE &&
	    a->type != AVOW_T_AMEND && a->type != AVOW_T_ACTOR &&
	    a->type != AVOW_T_KEY && a->type != AVOW_T_GENESIS)
		return;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		mrec *nr = realloc(m->r, cap * sizeof *nr);
		if (nr == NULL) {
			m->oom = 1;
			return;
		}
		m->r = nr;
		m->cap = cap;
	}
	r = &m->r[m->n++];
	memset(r, 0, sizeof *r);
	r->seq = a->seq;
	r->type = a->type;
	r->time = a->time;
	s = cJSON_GetObjectItemCaseSensitive(a->entry, "signer");
	snprintf(r->signer, sizeof r->signer, "%s", s->valuestring);
	for (size_t i = 0; i < 4; i++)
		snprintf(r->leaf + 2 * i, 3, "%02x", a->leaf[i]);
	avow_b64_encode(r->leaf64, a->leaf, 32);
	t = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(a->body, "target"), "seq");
	r->target = t ? (uint64_t)avow_json_int(t) : UINT64_MAX;
	r->body = cJSON_Duplicate(a->body, 1);
	if (r->body == NULL)
		m->oom = 1;
}

void model_reset(model *m)
{
	for (size_t i = 0; i < m->n; i++)
		cJSON_Delete(m->r[i].body);
	free(m->r);
	memset(m, 0, sizeof *m);
}

mrec *model_find(model *m, uint64_t seq)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->r[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->r[lo].seq == seq ? &m->r[lo] : NULL;
}

int audit_for_reading(audited *x, int want_model)
{
	avow_error err;
	int saved;

	memset(x, 0, sizeof *x);
	x->log = open_log(1);
	if (x->log == NULL)
		return EXIT_USAGE;
	saved = x->log->saved_path != NULL;
	if (avow_audit_log_observe(x->log, NULL,
				   want_model && !saved ? model_observe : NULL,
				   &x->m, &x->audit, &err) != AVOW_OK)
		return report_error(&err);
	if (want_model && saved && avow_audit_passed(x->audit)) {
		sqlite3 *db = saved_index_open(x);
		int rc = db == NULL || model_from_saved(x, db, NULL) < 0;
		if (db == NULL)
			errorf("%s: cannot read the report index",
			       x->log->saved_path);
		saved_index_close(db);
		if (rc)
			return EXIT_FAIL;
	}
	if (x->m.oom) {
		errorf("out of memory");
		return EXIT_FAIL;
	}
	if (!avow_audit_passed(x->audit)) {
		const avow_failure *f = avow_audit_failure(x->audit, 0);
		errorf("%s fails its audit at record %llu (%s: %s); run "
		       "avow-verify --all for every failure",
		       default_log(g.log), (unsigned long long)f->seq, f->check,
		       f->detail);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

void audited_free(audited *x)
{
	model_reset(&x->m);
	avow_audit_free(x->audit);
	avow_log_close(x->log);
}

/* --------------------------------------------------------------------- */
/* log, show, export, verify, source, reindex                            */

typedef struct {
	int json;
	const char *out;
} read_opts;

static int read_opt(int c, const char *arg, void *ctx)
{
	read_opts *o = ctx;
	if (c == 'j')
		o->json = 1;
	else if (c == 'o')
		o->out = arg;
	else
		return -1;
	return 0;
}

static const struct option json_opts[] = {
	{"json", no_argument, NULL, 'j'},
	{NULL, 0, NULL, 0},
};

static const char *summary_of(const cJSON *entry, char *buf, size_t n)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(entry, "body");
	const char *type = json_str_or(entry, "type", "?");
#define S(name) json_str_or(b, name, "")
	if (strcmp(type, "genesis") == 0)
		snprintf(buf, n, "origin %s, key %s", S("origin"), S("key"));
	else if (strcmp(type, "key") == 0)
		snprintf(buf, n, "%s %s%s%s%s", S("action"), S("key"),
			 S("key_id"), *S("role") ? " as " : "", S("role"));
	else if (strcmp(type, "actor") == 0)
		snprintf(buf, n, "%s: %s (%s)", S("id"), S("name"), S("kind"));
	else if (strcmp(type, "claim") == 0)
		snprintf(buf, n, "%s (%s): %.60s", S("by"), S("said_at"),
			 S("text"));
	else if (strcmp(type, "response") == 0)
		snprintf(buf, n, "%s %s #%lld (%s): %.50s", S("by"),
			 S("stance"),
			 (long long)avow_json_int(
				 cJSON_GetObjectItemCaseSensitive(
					 cJSON_GetObjectItemCaseSensitive(
						 b, "target"),
					 "seq")),
			 S("said_at"), S("text"));
	else if (strcmp(type, "amend") == 0)
		snprintf(buf, n, "#%lld: %.60s",
			 (long long)avow_json_int(
				 cJSON_GetObjectItemCaseSensitive(
					 cJSON_GetObjectItemCaseSensitive(
						 b, "target"),
					 "seq")),
			 S("reason"));
	else
		snprintf(buf, n, "?");
#undef S
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return buf;
}

int cmd_log(int argc, char **argv)
{
	read_opts o = {0};
	avow_log *log;
	avow_error err;
	uint64_t n;
	int rc;

	if (parse_opts(argc, argv, "", json_opts, read_opt, &o, usage_log, &rc))
		return rc;
	if (optind != argc) {
		errorf("log: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	log = open_log(1);
	if (log == NULL)
		return EXIT_USAGE;
	if (avow_log_count(log, &n, &err) != AVOW_OK) {
		avow_log_close(log);
		return report_error(&err);
	}
	rc = EXIT_OK;
	for (uint64_t s = 0; s < n; s++) {
		char *bytes, sum[200];
		size_t len;
		cJSON *root;
		const cJSON *e;
		if (avow_log_record(log, s, &bytes, &len, &err) != AVOW_OK) {
			rc = report_error(&err);
			break;
		}
		if (o.json) {
			printf("%s\n", bytes);
			avow_free(bytes);
			continue;
		}
		root = cJSON_ParseWithLength(bytes, len);
		e = cJSON_GetObjectItemCaseSensitive(root, "entry");
#define F(name) json_str_or(e, name, "?")
		printf("%llu\t%s\t%s\t%s\t%s\n", (unsigned long long)s,
		       F("time"), F("type"), F("signer"),
		       summary_of(e, sum, sizeof sum));
#undef F
		cJSON_Delete(root);
		avow_free(bytes);
	}
	avow_log_close(log);
	return rc;
}

int cmd_show(int argc, char **argv)
{
	read_opts o = {0};
	avow_log *log;
	avow_error err;
	uint64_t seq;
	char *bytes;
	size_t len;
	int rc;

	if (parse_opts(argc, argv, "", json_opts, read_opt, &o, usage_show,
		       &rc))
		return rc;
	if (optind + 1 != argc || parse_u64(argv[optind], &seq)) {
		errorf("show: give one record SEQ");
		return EXIT_USAGE;
	}
	log = open_log(1);
	if (log == NULL)
		return EXIT_USAGE;
	if (avow_log_record(log, seq, &bytes, &len, &err) != AVOW_OK) {
		avow_log_close(log);
		return report_error(&err);
	}
	if (o.json) {
		printf("%s\n", bytes);
	} else {
		uint8_t leaf[32];
		char h[45];
		cJSON *root = cJSON_ParseWithLength(bytes, len);
		char *pretty = root ? cJSON_Print(root) : NULL;
		avow_leaf_hash(leaf, (const uint8_t *)bytes, len);
		b64(h, leaf, 32);
		printf("record %llu, %zu bytes, leaf hash %s\n%s\n",
		       (unsigned long long)seq, len, h,
		       pretty ? pretty : bytes);
		cJSON_free(pretty);
		cJSON_Delete(root);
	}
	avow_free(bytes);
	avow_log_close(log);
	return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	read_opts o = {0};
	avow_log *log;
	avow_error err;
	FILE *f = stdout;
	char tmp[4200];
	int rc;

	if (parse_opts(argc, argv, "o:", opts, read_opt, &o, usage_export, &rc))
		return rc;
	if (optind != argc) {
		errorf("export: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	log = open_log(1);
	if (log == NULL)
		return EXIT_USAGE;
	if (o.out != NULL) {
		/* Write beside, then rename: never a half-written bundle. */
		snprintf(tmp, sizeof tmp, "%s.tmp", o.out);
		f = fopen(tmp, "wbx");
		if (f == NULL) {
			errorf("%s: %s", tmp, strerror(errno));
			avow_log_close(log);
			return EXIT_USAGE;
		}
	}
	rc = avow_log_export(log, f, &err) != AVOW_OK;
	if (o.out != NULL) {
		if (fflush(f) != 0 || fsync(fileno(f)) != 0)
			rc = 1;
		if (fclose(f) != 0)
			rc = 1;
		if (!rc && rename(tmp, o.out) != 0) {
			errorf("%s: %s", o.out, strerror(errno));
			(void)remove(tmp); /* best effort */
			avow_log_close(log);
			return EXIT_USAGE;
		}
		if (rc)
			(void)remove(tmp); /* best effort */
	}
	avow_log_close(log);
	if (rc)
		return err.msg[0] ? report_error(&err) : EXIT_USAGE;
	return EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	prog = "avow verify";
	return verify_main(argc, argv, default_log(g.log), usage_verify);
}

int cmd_source(int argc, char **argv)
{
	audited x;
	avow_error err;
	uint64_t seq;
	cJSON *body;
	const cJSON *h;
	uint8_t want[32], got[32], buf[65536];
	crypto_hash_sha256_state st;
	FILE *f;
	size_t n;
	int rc;

	if (parse_opts(argc, argv, "", NULL, NULL, NULL, usage_source, &rc))
		return rc;
	if (argc - optind != 3 || strcmp(argv[optind], "check") != 0 ||
	    parse_u64(argv[optind + 1], &seq)) {
		errorf("source: usage: avow source check SEQ FILE");
		return EXIT_USAGE;
	}
	rc = audit_for_reading(&x, 0);
	if (rc != EXIT_OK) {
		audited_free(&x);
		return rc;
	}
	rc = EXIT_USAGE;
	{
		int t = avow_state_type_of(avow_audit_state(x.audit), seq);
		if (t != AVOW_T_CLAIM && t != AVOW_T_RESPONSE) {
			errorf("source check: record %llu is not a claim or "
			       "response",
			       (unsigned long long)seq);
			goto out;
		}
	}
	body = avow_state_body(avow_audit_state(x.audit), seq, &err);
	if (body == NULL) {
		rc = report_error(&err);
		goto out;
	}
	h = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(body, "source"), "sha256");
	if (!cJSON_IsString(h) ||
	    !avow_b64_decode_exact(want, 32, h->valuestring,
				   strlen(h->valuestring))) {
		errorf("source check: record %llu cites no archived copy "
		       "(source.sha256)",
		       (unsigned long long)seq);
		cJSON_Delete(body);
		goto out;
	}
	f = fopen(argv[optind + 2], "rb");
	if (f == NULL) {
		errorf("%s: %s", argv[optind + 2], strerror(errno));
		cJSON_Delete(body);
		goto out;
	}
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	if (ferror(f)) {
		/* a hash of part of it would read as a mismatch */
		errorf("%s: %s", argv[optind + 2], strerror(errno));
		(void)fclose(f);
		cJSON_Delete(body);
		goto out;
	}
	(void)fclose(f); /* read only */
	crypto_hash_sha256_final(&st, got);
	if (sodium_memcmp(want, got, 32) == 0) {
		printf("match: %s is the archived copy record %llu cites "
		       "(sha256 %s)\n",
		       argv[optind + 2], (unsigned long long)seq,
		       h->valuestring);
		rc = EXIT_OK;
	} else {
		char g64[45];
		b64(g64, got, 32);
		printf("MISMATCH: %s has sha256 %s; record %llu cites %s\n",
		       argv[optind + 2], g64, (unsigned long long)seq,
		       h->valuestring);
		rc = EXIT_FAIL;
	}
	cJSON_Delete(body);
out:
	audited_free(&x);
	return rc;
}

int cmd_reindex(int argc, char **argv)
{
	avow_log *log;
	avow_error err;
	int rc;

	if (parse_opts(argc, argv, "", NULL, NULL, NULL, usage_reindex, &rc))
		return rc;
	log = open_log(0);
	if (log == NULL)
		return EXIT_USAGE;
	rc = avow_log_reindex(log, &err) == AVOW_OK ? EXIT_OK
						    : report_error(&err);
	avow_log_close(log);
	return rc;
}
