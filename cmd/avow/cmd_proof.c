/*
 * cmd_proof.c - avow checkpoint, prove and consistency: signed tree heads
 * and RFC 9162 proofs from a log (SPEC section 6).
 */
#include "model.h"
#include "store.h"

#include "audit.h"

#include <stdlib.h>
#include <string.h>

const char usage_checkpoint[] =
	"usage: avow checkpoint [--size N] [-o FILE]\n"
	"\n"
	"Sign a checkpoint of the log (a C2SP tlog-checkpoint, signed as a\n"
	"C2SP signed note) with the admin key given by --key or $AVOW_KEY:\n"
	"\n"
	"  <origin>\n"
	"  <tree size>\n"
	"  <base64 tree hash>\n"
	"\n"
	"  \xE2\x80\x94 <key name> <base64 key hash and signature>\n"
	"\n"
	"The log is audited first, and nothing is signed unless it passes and\n"
	"its stored tree agrees with its records.\n"
	"\n"
	"  --size N     a checkpoint of the first N records (default: all);\n"
	"               refused unless the key was an admin key authorised\n"
	"               for record N-1\n"
	"  -o, --output FILE\n"
	"               write the note to FILE (default: standard output)\n"
	"\n"
	"Hand each checkpoint to someone outside your control (publish it,\n"
	"mail it, give it to a colleague): with it, `avow-verify "
	"--checkpoint`\n"
	"proves that no record up to its size was later removed or "
	"rewritten.\n";

const char usage_prove[] =
	"usage: avow prove SEQ [--size N | --checkpoint FILE] [-o FILE]\n"
	"\n"
	"Write a proof that record SEQ is in the log, as one JSON object:\n"
	"\n"
	"  {\"checkpoint\": the signed checkpoint note,\n"
	"   \"inclusion\": the RFC 9162 inclusion proof (SPEC section 6),\n"
	"   \"origin\": the log's origin,\n"
	"   \"record\": the record's exact bytes}\n"
	"\n"
	"A reader checks it with `avow-verify inclusion`, without the log.\n"
	"\n"
	"  --size N         prove against a checkpoint of the first N "
	"records,\n"
	"                   signed now with --key (an admin key)\n"
	"  --checkpoint FILE\n"
	"                   prove against this existing checkpoint (no key\n"
	"                   needed, so recorders can use it); it must be\n"
	"                   signed by an admin key of the log and match it\n"
	"  -o, --output FILE\n"
	"                   write to FILE (default: standard output)\n"
	"\n"
	"Without --size or --checkpoint, a checkpoint of the whole log is\n"
	"signed with --key.\n";

const char usage_consistency[] =
	"usage: avow consistency OLD_SIZE [NEW_SIZE] [-o FILE]\n"
	"\n"
	"Write the RFC 9162 consistency proof that the log's first OLD_SIZE\n"
	"records are a prefix of its first NEW_SIZE records (default: all), "
	"as\n"
	"the JSON of SPEC section 6: {\"new_size\": n, \"old_size\": m,\n"
	"\"proof\": [base64, ...]}. A reader holding checkpoints of both "
	"sizes\n"
	"checks it with `avow-verify consistency`, without the log.\n"
	"\n"
	"  -o, --output FILE   write to FILE (default: standard output)\n";

typedef struct {
	const char *out;
	const char *checkpoint;
	const char *size;
} proof_opts;

static int proof_opt(int c, const char *arg, void *ctx)
{
	proof_opts *o = ctx;

	switch (c) {
	case 'o': o->out = arg; return 0;
	case 'c': o->checkpoint = arg; return 0;
	case 's': o->size = arg; return 0;
	default: return -1;
	}
}

static const struct option proof_longopts[] = {
	{"output", required_argument, NULL, 'o'},
	{"checkpoint", required_argument, NULL, 'c'},
	{"size", required_argument, NULL, 's'},
	{NULL, 0, NULL, 0},
};

/* Write s and a line feed with write_out. */
static int write_line(const char *path, const char *s)
{
	size_t n = strlen(s);
	char *t = malloc(n + 1);
	int rc;

	if (t == NULL) {
		errorf("out of memory");
		return EXIT_FAIL;
	}
	/* t is bytes for write_out(), not a string: no terminating 0. */
	memcpy(t, s, n); // NOLINT(bugprone-not-null-terminated-result)
	t[n] = '\n';
	rc = write_out(path, t, n + 1);
	free(t);
	return rc;
}

/* Audit the log for signing or proving: the records must pass and the
 * stored tree (derived data) must agree with them. */
static int audit_for_proofs(audited *x)
{
	const char *problem;
	int rc = audit_for_reading(x, 0);

	if (rc != EXIT_OK)
		return rc;
	problem = avow_audit_index_problem(x->audit);
	if (problem != NULL) {
		errorf("%s: %s; run `avow reindex` to rebuild the derived "
		       "tables from the records",
		       default_log(g.log), problem);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Parse a size option: 1..max. */
static int get_size(const char *arg, uint64_t max, uint64_t *out)
{
	if (parse_u64(arg, out) || *out == 0 || *out > max) {
		errorf("--size %s: not a tree size from 1 to the log's %llu "
		       "records",
		       arg, (unsigned long long)max);
		return -1;
	}
	return 0;
}

/* Sign a checkpoint of the first size records with the loaded key, after
 * checking the key was an admin key authorised for record size - 1. */
static int sign_checkpoint(audited *x, const avow_key *key, uint64_t size,
			   char **note)
{
	avow_state *st = avow_audit_state(x->audit);
	avow_error err;
	uint8_t root[32];
	int admin = 0;

	if (!avow_state_key_authorised(st, avow_key_id(key), size - 1,
				       &admin) ||
	    !admin) {
		errorf("key %s was not an admin key of this log authorised "
		       "for record %llu; only such a key can sign a "
		       "checkpoint of size %llu",
		       avow_key_id(key), (unsigned long long)size - 1,
		       (unsigned long long)size);
		return EXIT_USAGE;
	}
	/* With a saved state, the stored tree was checked only where the
	 * audit read it: an earlier size's root must prove itself against
	 * the audited root first. */
	if ((x->log->trusted_size >= size
		     ? avow_saved_root(x->log, size, root, &err)
		     : avow_log_root(x->log, size, root, &err)) != AVOW_OK)
		return report_error(&err);
	if (size == avow_audit_size(x->audit)) {
		uint8_t audited_root[32];
		avow_audit_root(x->audit, audited_root);
		if (memcmp(root, audited_root, 32) != 0) {
			errorf("the stored tree disagrees with the audited "
			       "records; run `avow reindex`");
			return EXIT_FAIL;
		}
	}
	if (avow_checkpoint_sign(key, avow_audit_origin(x->audit), size, root,
				 note, &err) != AVOW_OK)
		return report_error(&err);
	return EXIT_OK;
}

int cmd_checkpoint(int argc, char **argv)
{
	proof_opts o = {0};
	audited x;
	avow_key *key;
	uint64_t size;
	char *note = NULL;
	int rc;

	if (parse_opts(argc, argv, "o:", proof_longopts, proof_opt, &o,
		       usage_checkpoint, &rc))
		return rc;
	if (optind != argc || o.checkpoint != NULL) {
		errorf("checkpoint: unexpected argument \"%s\"",
		       optind != argc ? argv[optind] : "--checkpoint");
		return EXIT_USAGE;
	}
	key = load_key();
	if (key == NULL)
		return EXIT_USAGE;
	rc = audit_for_proofs(&x);
	size = rc == EXIT_OK ? avow_audit_size(x.audit) : 0;
	if (rc == EXIT_OK && o.size != NULL && get_size(o.size, size, &size))
		rc = EXIT_USAGE;
	if (rc == EXIT_OK)
		rc = sign_checkpoint(&x, key, size, &note);
	/* sign_checkpoint() sets note when it returns EXIT_OK. */
	if (rc == EXIT_OK)
		// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
		rc = write_out(o.out, note, strlen(note));
	avow_free(note);
	avow_key_free(key);
	audited_free(&x);
	return rc;
}

/* Open a given checkpoint with whichever admin key of the log signed it,
 * and check that it matches the log. */
static int open_given_checkpoint(audited *x, const char *note, size_t len,
				 const char *path, avow_checkpoint *cp)
{
	avow_state *st = avow_audit_state(x->audit);
	avow_error err;
	uint8_t root[32];
	size_t n = avow_audit_key_count(x->audit);
	const char *why = "it carries no valid signature by an admin key of "
			  "this log";

	for (size_t i = 0; i < n; i++) {
		avow_key_summary k;
		int admin = 0;
		avow_audit_key(x->audit, i, &k);
		if (!k.admin ||
		    avow_checkpoint_verify(cp, note, len, k.verifier, &err) !=
			    AVOW_OK)
			continue;
		if (!avow_state_key_authorised(st, k.id, cp->size - 1,
					       &admin) ||
		    !admin) {
			why = "the key that signed it was not an admin key "
			      "authorised at its size";
			continue;
		}
		if (strcmp(cp->origin, avow_audit_origin(x->audit)) != 0) {
			errorf("%s: origin \"%s\" is not this log's (\"%s\")",
			       path, cp->origin, avow_audit_origin(x->audit));
			return EXIT_FAIL;
		}
		if (cp->size > avow_audit_size(x->audit)) {
			errorf("%s: tree size %llu is larger than the log's "
			       "%llu records",
			       path, (unsigned long long)cp->size,
			       (unsigned long long)avow_audit_size(x->audit));
			return EXIT_FAIL;
		}
		if (avow_log_root(x->log, cp->size, root, &err) != AVOW_OK)
			return report_error(&err);
		if (memcmp(root, cp->root, 32) != 0) {
			errorf("%s: the log's tree hash at size %llu differs "
			       "from the checkpoint's: this log is not the "
			       "one it was signed for",
			       path, (unsigned long long)cp->size);
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	errorf("%s: %s", path, why);
	return EXIT_FAIL;
}

/* {"checkpoint", "inclusion", "origin", "record"}: canonical, one line. */
static char *prove_json(const char *note, const avow_inclusion *p,
			const char *origin, const char *rec)
{
	char *inc = avow_inclusion_json(p), *out = NULL;
	cJSON *o = cJSON_CreateObject(), *io = inc ? cJSON_Parse(inc) : NULL;

	if (o != NULL && io != NULL &&
	    cJSON_AddStringToObject(o, "checkpoint", note) &&
	    cJSON_AddItemToObject(o, "inclusion", io) &&
	    cJSON_AddStringToObject(o, "origin", origin) &&
	    cJSON_AddStringToObject(o, "record", rec)) {
		io = NULL;
		out = cJSON_PrintUnformatted(o);
	}
	cJSON_Delete(io);
	cJSON_Delete(o);
	avow_free(inc);
	return out;
}

int cmd_prove(int argc, char **argv)
{
	proof_opts o = {0};
	audited x;
	avow_key *key = NULL;
	avow_inclusion p;
	avow_checkpoint cp = {0};
	avow_error err;
	uint64_t seq, size;
	char *note = NULL, *rec = NULL, *json = NULL;
	size_t len = 0;
	int rc;

	if (parse_opts(argc, argv, "o:", proof_longopts, proof_opt, &o,
		       usage_prove, &rc))
		return rc;
	if (argc - optind != 1 || parse_u64(argv[optind], &seq)) {
		errorf("prove: usage: avow prove SEQ [--size N | --checkpoint "
		       "FILE] [-o FILE]");
		return EXIT_USAGE;
	}
	if (o.size != NULL && o.checkpoint != NULL) {
		errorf("prove: give --size or --checkpoint, not both");
		return EXIT_USAGE;
	}
	if (o.checkpoint != NULL) {
		if (read_file(o.checkpoint, 65536, &note, &len))
			return EXIT_USAGE;
	} else if ((key = load_key()) == NULL) {
		return EXIT_USAGE;
	}
	rc = audit_for_proofs(&x);
	size = rc == EXIT_OK ? avow_audit_size(x.audit) : 0;
	if (rc == EXIT_OK && o.checkpoint != NULL) {
		rc = open_given_checkpoint(&x, note, len, o.checkpoint, &cp);
		size = cp.size;
	} else if (rc == EXIT_OK) {
		if (o.size != NULL && get_size(o.size, size, &size))
			rc = EXIT_USAGE;
		else
			rc = sign_checkpoint(&x, key, size, &note);
	}
	if (rc == EXIT_OK && seq >= size) {
		errorf("prove: record %llu is not among the first %llu records "
		       "that the checkpoint covers",
		       (unsigned long long)seq, (unsigned long long)size);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK &&
	    (avow_log_inclusion(x.log, seq, size, &p, &err) != AVOW_OK ||
	     avow_log_record(x.log, seq, &rec, &len, &err) != AVOW_OK))
		rc = report_error(&err);
	if (rc == EXIT_OK) {
		uint8_t root[32];
		/* Check the proof as a reader will before handing it out. */
		if (avow_log_root(x.log, size, root, &err) != AVOW_OK ||
		    avow_inclusion_verify(&p, root, &err) != AVOW_OK)
			rc = report_error(&err);
	}
	if (rc == EXIT_OK) {
		json = prove_json(note, &p, avow_audit_origin(x.audit), rec);
		if (json == NULL) {
			errorf("out of memory");
			rc = EXIT_FAIL;
		}
	}
	if (rc == EXIT_OK)
		rc = write_line(o.out, json);
	cJSON_free(json);
	avow_free(rec);
	free(note);
	avow_key_free(key);
	audited_free(&x);
	return rc;
}

int cmd_consistency(int argc, char **argv)
{
	proof_opts o = {0};
	avow_consistency p;
	avow_error err;
	avow_log *log;
	uint64_t m, n;
	uint8_t r1[32], r2[32];
	char *json = NULL;
	int rc = EXIT_OK;

	if (parse_opts(argc, argv, "o:", proof_longopts, proof_opt, &o,
		       usage_consistency, &rc))
		return rc;
	if (argc - optind < 1 || argc - optind > 2 || o.size || o.checkpoint ||
	    parse_u64(argv[optind], &m) ||
	    (argc - optind == 2 && parse_u64(argv[optind + 1], &n))) {
		errorf("consistency: usage: avow consistency OLD_SIZE "
		       "[NEW_SIZE] [-o FILE]");
		return EXIT_USAGE;
	}
	log = open_log(1);
	if (log == NULL)
		return EXIT_USAGE;
	if (argc - optind == 1 && avow_log_count(log, &n, &err) != AVOW_OK)
		rc = report_error(&err);
	if (rc == EXIT_OK && (m == 0 || m > n)) {
		errorf("consistency: need 0 < OLD_SIZE <= NEW_SIZE (got %llu "
		       "and %llu)",
		       (unsigned long long)m, (unsigned long long)n);
		rc = EXIT_USAGE;
	}
	/* The proof comes from the stored tree; check it against the
	 * stored roots so that a damaged table is reported here, not by
	 * the reader. */
	if (rc == EXIT_OK &&
	    (avow_log_consistency(log, m, n, &p, &err) != AVOW_OK ||
	     avow_log_root(log, m, r1, &err) != AVOW_OK ||
	     avow_log_root(log, n, r2, &err) != AVOW_OK ||
	     avow_consistency_verify(&p, r1, r2, &err) != AVOW_OK))
		rc = report_error(&err);
	if (rc == EXIT_OK) {
		json = avow_consistency_json(&p);
		if (json == NULL) {
			errorf("out of memory");
			rc = EXIT_FAIL;
		}
	}
	if (rc == EXIT_OK)
		rc = write_line(o.out, json);
	avow_free(json);
	avow_log_close(log);
	return rc;
}
