/*
 * standalone.c - avow-verify's modes that need no log: inclusion and
 * consistency proofs checked against signed checkpoints, and
 * misbehaviour evidence.
 */
#include "standalone.h"

#include "common.h"
#include "json.h"
#include "syntax.h"
#include "tree.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char usage_inclusion[] =
	"usage: avow-verify inclusion PROOF.json [--checkpoint FILE]\n"
	"                   --verifier-key KEY --origin ORIGIN\n"
	"\n"
	"Check, without the log, that a record is in the tree that a signed\n"
	"checkpoint commits to. PROOF.json is what `avow prove` writes (the\n"
	"record, its inclusion proof and a checkpoint), or a bare inclusion\n"
	"proof of SPEC section 6 (then only the leaf hash is proved in).\n"
	"\n"
	"  --checkpoint FILE   the checkpoint to check against (default: the\n"
	"                      one inside PROOF.json)\n"
	"  --verifier-key KEY  the key you trust to sign the log's "
	"checkpoints\n"
	"  --origin ORIGIN     the log you expect\n"
	"\n"
	"Without the log it cannot check that the key is an admin key of the\n"
	"log, nor that the record is valid under SPEC sections 2 to 5: audit\n"
	"the log (avow-verify --log or --bundle) for that.\n"
	"\n"
	"Exit status: 0 proved, 1 a check failed, 2 usage or I/O error.\n";

const char usage_consistency[] =
	"usage: avow-verify consistency PROOF.json --old FILE --new FILE\n"
	"                   --verifier-key KEY [--verifier-key KEY]\n"
	"                   --origin ORIGIN [--evidence FILE]\n"
	"\n"
	"Check, without the log, that the tree of the older checkpoint is a\n"
	"prefix of the tree of the newer one: nothing the older one covered\n"
	"was removed or rewritten. PROOF.json is what `avow consistency`\n"
	"writes (SPEC section 6).\n"
	"\n"
	"  --old FILE, --new FILE   the two signed checkpoints\n"
	"  --verifier-key KEY       the key you trust for both, or given "
	"twice:\n"
	"                           for --old, then for --new\n"
	"  --origin ORIGIN          the log you expect\n"
	"  --evidence FILE          when the proof shows that the two\n"
	"                           checkpoints cannot both be true, write "
	"the\n"
	"                           proof of it to FILE\n"
	"\n"
	"Exit status: 0 consistent, 1 a check failed, 2 usage or I/O error.\n";

const char usage_evidence[] =
	"usage: avow-verify evidence FILE\n"
	"\n"
	"Check a misbehaviour evidence file (written by avow-verify\n"
	"--evidence): two signed checkpoints of one origin that cannot both "
	"be\n"
	"true. It needs nothing else: the file holds both notes, their\n"
	"verifier keys and, for different sizes, a consistency proof.\n"
	"\n"
	"Exit status: 0 the evidence holds, 1 it does not, 2 usage or I/O\n"
	"error.\n";

typedef struct {
	const char *checkpoint, *old, *new_, *origin, *evidence;
	const char *keys[2];
	int nkeys;
} sa_opts;

/* Parse argv: exactly one operand (the file), the options above. Returns
 * the operand, or NULL with *rc set (0 after --help). */
static const char *sa_parse(int argc, char **argv, const char *usage,
			    sa_opts *o, int *rc)
{
	static const struct option opts[] = {
		{"checkpoint", required_argument, NULL, 'c'},
		{"old", required_argument, NULL, 'O'},
		{"new", required_argument, NULL, 'N'},
		{"verifier-key", required_argument, NULL, 'k'},
		{"origin", required_argument, NULL, 'g'},
		{"evidence", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof *o);
	*rc = EXIT_USAGE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->checkpoint = optarg; break;
		case 'O': o->old = optarg; break;
		case 'N': o->new_ = optarg; break;
		case 'g': o->origin = optarg; break;
		case 'e': o->evidence = optarg; break;
		case 'k':
			if (o->nkeys == 2) {
				errorf("--verifier-key given more than twice");
				return NULL;
			}
			o->keys[o->nkeys++] = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			*rc = EXIT_OK;
			return NULL;
		case ':':
			errorf("%s needs a value (see --help)",
			       argv[optind - 1]);
			return NULL;
		default:
			errorf("unknown option %s (see --help)",
			       argv[optind - 1]);
			return NULL;
		}
	}
	if (argc - optind != 1) {
		errorf("%s: give one file (see --help)", argv[0]);
		return NULL;
	}
	return argv[optind];
}

/* Open a checkpoint note with key and check its origin. */
static int open_note(const char *label, const char *note, size_t len,
		     const char *key, const char *origin, avow_checkpoint *cp)
{
	avow_error err;

	if (avow_checkpoint_verify(cp, note, len, key, &err) != AVOW_OK) {
		errorf("%s: %s", label, err.msg);
		return err.code == AVOW_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
	}
	if (strcmp(cp->origin, origin) != 0) {
		errorf("%s: origin \"%s\" is not the expected \"%s\"", label,
		       cp->origin, origin);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int need(const char *v, const char *opt)
{
	if (v == NULL) {
		errorf("%s is required (see --help)", opt);
		return -1;
	}
	return 0;
}

/* What the record says about itself, for the report: seq, type, signer. */
static void describe_record(const char *rec, size_t len, uint64_t index,
			    int *rc)
{
	avow_error err;
	cJSON *r = avow_json_parse(rec, len, AVOW_JSON_AVOW_STRINGS, &err);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "entry");
	int64_t seq = avow_json_int(cJSON_GetObjectItemCaseSensitive(e, "seq"));

	if (r == NULL || e == NULL || seq < 0) {
		errorf("the record is not an avow record: %s",
		       r == NULL ? err.msg : "no entry.seq");
		*rc = EXIT_FAIL;
	} else if ((uint64_t)seq != index) {
		errorf("the record says seq %lld but is proved at index %llu",
		       (long long)seq, (unsigned long long)index);
		*rc = EXIT_FAIL;
	} else {
		printf("record: seq %lld, type %s, signed by %s, time %s\n",
		       (long long)seq, json_str_or(e, "type", "?"),
		       json_str_or(e, "signer", "?"),
		       json_str_or(e, "time", "?"));
	}
	cJSON_Delete(r);
}

int inclusion_main(int argc, char **argv)
{
	sa_opts o;
	avow_inclusion p;
	avow_checkpoint cp;
	avow_error err;
	cJSON *w = NULL;
	char *text = NULL, *note = NULL, *inc = NULL;
	const char *label, *rec = NULL, *path;
	size_t len, nlen;
	int rc;

	path = sa_parse(argc, argv, usage_inclusion, &o, &rc);
	if (path == NULL)
		return rc;
	rc = EXIT_USAGE;
	if (need(o.keys[0], "--verifier-key") || need(o.origin, "--origin"))
		return rc;
	if (o.nkeys > 1 || o.old || o.new_ || o.evidence) {
		errorf("inclusion takes --checkpoint, one --verifier-key and "
		       "--origin (see --help)");
		return rc;
	}
	if (read_file(path, 4u << 20, &text, &len))
		return rc;
	w = avow_json_parse(text, len, 0, &err);
	if (w == NULL) {
		errorf("%s: %s", path, err.msg);
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(w, "inclusion") != NULL) {
		/* The wrapper `avow prove` writes. */
		const char *wo = json_str(w, "origin");
		rec = json_str(w, "record");
		inc = cJSON_PrintUnformatted(
			cJSON_GetObjectItemCaseSensitive(w, "inclusion"));
		if (wo != NULL && strcmp(wo, o.origin) != 0) {
			errorf("%s: origin \"%s\" is not the expected \"%s\"",
			       path, wo, o.origin);
			rc = EXIT_FAIL;
			goto out;
		}
		if (o.checkpoint == NULL && json_str(w, "checkpoint") != NULL)
			note = avow_strdup(json_str(w, "checkpoint"));
	} else {
		inc = avow_strdup(text);
	}
	if (inc == NULL ||
	    avow_inclusion_parse(&p, inc, strlen(inc), &err) != AVOW_OK) {
		errorf("%s: %s", path, inc ? err.msg : "out of memory");
		goto out;
	}
	label = o.checkpoint ? o.checkpoint : "the checkpoint in the proof";
	if (o.checkpoint != NULL) {
		if (read_file(o.checkpoint, 65536, &note, &nlen))
			goto out;
	} else if (note == NULL) {
		errorf("%s holds no checkpoint: give --checkpoint FILE", path);
		goto out;
	}
	rc = open_note(label, note, strlen(note), o.keys[0], o.origin, &cp);
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	if (p.tree_size != cp.size) {
		errorf("the proof is for a tree of %llu records, the "
		       "checkpoint for %llu",
		       (unsigned long long)p.tree_size,
		       (unsigned long long)cp.size);
		goto out;
	}
	if (rec != NULL) {
		uint8_t leaf[32];
		avow_leaf_hash(leaf, (const uint8_t *)rec, strlen(rec));
		if (memcmp(leaf, p.leaf_hash, 32) != 0) {
			errorf("the record's leaf hash is not the proof's "
			       "leaf_hash: the record was altered");
			goto out;
		}
	}
	if (avow_inclusion_verify(&p, cp.root, &err) != AVOW_OK) {
		errorf("%s", err.msg);
		goto out;
	}
	rc = EXIT_OK;
	printf("PASS: %s record %llu is in the tree of %llu records signed "
	       "by %s\n",
	       cp.origin, (unsigned long long)p.index,
	       (unsigned long long)cp.size, o.keys[0]);
	if (rec != NULL)
		describe_record(rec, strlen(rec), p.index, &rc);
	else
		printf("record: not given (a bare proof proves its leaf hash "
		       "only)\n");
	warnf("not checked without the log: that this key is an admin key "
	      "of %s, and that the record is valid (audit the log with "
	      "avow-verify --log or --bundle for that)",
	      cp.origin);
out:
	cJSON_Delete(w);
	free(text);
	free(note);
	free(inc);
	return rc;
}

int consistency_main(int argc, char **argv)
{
	sa_opts o;
	avow_consistency p;
	avow_checkpoint c[2];
	avow_error err;
	char *text = NULL, *notes[2] = {NULL, NULL};
	const char *files[2], *keys[2], *path;
	size_t len, nlen[2];
	int rc;

	path = sa_parse(argc, argv, usage_consistency, &o, &rc);
	if (path == NULL)
		return rc;
	rc = EXIT_USAGE;
	if (need(o.old, "--old") || need(o.new_, "--new") ||
	    need(o.keys[0], "--verifier-key") || need(o.origin, "--origin"))
		return rc;
	if (o.checkpoint != NULL) {
		errorf("consistency takes --old and --new, not --checkpoint");
		return rc;
	}
	files[0] = o.old;
	files[1] = o.new_;
	keys[0] = o.keys[0];
	keys[1] = o.nkeys == 2 ? o.keys[1] : o.keys[0];
	if (read_file(path, 1u << 20, &text, &len) ||
	    read_file(files[0], 65536, &notes[0], &nlen[0]) ||
	    read_file(files[1], 65536, &notes[1], &nlen[1]))
		goto out;
	if (avow_consistency_parse(&p, text, len, &err) != AVOW_OK) {
		errorf("%s: %s", path, err.msg);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		rc = open_note(files[i], notes[i], nlen[i], keys[i], o.origin,
			       &c[i]);
		if (rc != EXIT_OK)
			goto out;
	}
	rc = EXIT_FAIL;
	if (p.old_size != c[0].size || p.new_size != c[1].size) {
		errorf("the proof is from %llu to %llu records, the "
		       "checkpoints are of %llu and %llu",
		       (unsigned long long)p.old_size,
		       (unsigned long long)p.new_size,
		       (unsigned long long)c[0].size,
		       (unsigned long long)c[1].size);
		goto out;
	}
	if (avow_consistency_verify(&p, c[0].root, c[1].root, &err) ==
	    AVOW_OK) {
		rc = EXIT_OK;
		printf("PASS: %s: the tree of %llu records (%s) is a prefix of "
		       "the tree of %llu records (%s)\n",
		       o.origin, (unsigned long long)c[0].size, files[0],
		       (unsigned long long)c[1].size, files[1]);
		warnf("not checked without the log: that these keys are admin "
		      "keys of %s",
		      o.origin);
		goto out;
	}
	errorf("%s", err.msg);
	{
		/* Does the proof fix a different old tree? Then the two
		 * checkpoints cannot both be true. */
		uint8_t implied[32];
		avow_error e2;
		char *json = NULL, what[1024];
		const avow_consistency *pp = &p;
		const uint8_t *ir = implied;
		if (c[0].size == c[1].size) {
			pp = NULL;
			ir = NULL;
		} else if (avow_consistency_old_root(&p, c[1].root, implied,
						     &e2) != AVOW_OK) {
			goto out;
		}
		if (avow_evidence_make(notes[0], keys[0], notes[1], keys[1], pp,
				       ir, &json, &e2) != AVOW_OK ||
		    avow_evidence_check(json, strlen(json), what, sizeof what,
					&e2) != AVOW_OK) {
			free(json);
			goto out;
		}
		warnf("misbehaviour: %s and %s cannot both be true: %s",
		      files[0], files[1], what);
		if (o.evidence != NULL &&
		    write_out(o.evidence, json, strlen(json)) == EXIT_OK)
			warnf("evidence written to %s", o.evidence);
		free(json);
	}
out:
	free(text);
	free(notes[0]);
	free(notes[1]);
	return rc;
}

int evidence_main(int argc, char **argv)
{
	sa_opts o;
	avow_error err;
	char *text = NULL, what[1024];
	const char *path;
	avow_status st;
	size_t len;
	int rc;

	path = sa_parse(argc, argv, usage_evidence, &o, &rc);
	if (path == NULL)
		return rc;
	if (o.checkpoint || o.old || o.new_ || o.nkeys || o.origin ||
	    o.evidence) {
		errorf("evidence takes only the file (see --help)");
		return EXIT_USAGE;
	}
	if (read_file(path, 1u << 20, &text, &len))
		return EXIT_USAGE;
	st = avow_evidence_check(text, len, what, sizeof what, &err);
	if (st == AVOW_OK) {
		printf("PROVEN: %s\n", what);
		rc = EXIT_OK;
	} else if (st == AVOW_ERR_INVALID || st == AVOW_ERR_CRYPTO) {
		errorf("%s: the evidence does not hold: %s", path, err.msg);
		rc = EXIT_FAIL;
	} else {
		errorf("%s: %s", path, err.msg);
		rc = EXIT_USAGE;
	}
	free(text);
	return rc;
}
