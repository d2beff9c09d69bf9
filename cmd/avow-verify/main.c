/*
 * avow-verify - the standalone auditor of avow logs and bundles.
 *
 * It links only the verify-only part of the library: no signing code, no
 * key files. Exit status: 0 intact, 1 a check failed, 2 usage or I/O.
 */
#include "audit_print.h"
#include "common.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char *prog = "avow-verify";

static const char usage[] =
	"usage: avow-verify [--log FILE | --bundle FILE]\n"
	"                   [--checkpoint FILE --verifier-key KEY]...\n"
	"                   [--all] [--json] [--quiet]\n"
	"\n"
	"Audit an avow log (SPEC section 7): every record's encoding, chain,\n"
	"time, body and signature, and each checkpoint given against the\n"
	"Merkle tree of the records. On success print a provenance summary:\n"
	"the origin, how many records of each type, and who recorded them\n"
	"when.\n"
	"\n"
	"  --log FILE            the SQLite log (default: $AVOW_LOG, then\n"
	"                        ./avow.db); opened read-only\n"
	"  --bundle FILE         a bundle (records, one per line) instead\n"
	"  --checkpoint FILE     a signed checkpoint to check the log against\n"
	"  --verifier-key KEY    the verifier key (name+hash+key) you trust\n"
	"                        for the checkpoint before it; one key given\n"
	"                        once serves every checkpoint\n"
	"  --all                 go on after a failure and list every one\n"
	"  --json                print the verdict as one JSON object\n"
	"  -q, --quiet           print only failures and warnings that must\n"
	"                        not be hidden\n"
	"  -h, --help            show this help\n"
	"\n"
	"Without a trusted checkpoint held outside the log, no audit can tell\n"
	"the log from a copy whose newest records were cut off; avow-verify\n"
	"always says so.\n"
	"\n"
	"Exit status: 0 the log is intact, 1 a check failed, 2 usage or I/O\n"
	"error.\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"log", required_argument, NULL, 'l'},
		{"bundle", required_argument, NULL, 'b'},
		{"checkpoint", required_argument, NULL, 'c'},
		{"verifier-key", required_argument, NULL, 'k'},
		{"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *log_path = NULL, *bundle = NULL;
	const char **cp_files = NULL, **cp_keys = NULL;
	size_t ncp = 0, nkeys = 0;
	audit_view view = {0};
	int c, rc;

	cp_files = calloc((size_t)argc, sizeof *cp_files);
	cp_keys = calloc((size_t)argc, sizeof *cp_keys);
	if (cp_files == NULL || cp_keys == NULL) {
		errorf("out of memory");
		return EXIT_FAIL;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			log_path = optarg;
			break;
		case 'b':
			bundle = optarg;
			break;
		case 'c':
			cp_files[ncp++] = optarg;
			break;
		case 'k':
			/* A key pairs with the checkpoint before it. */
			if (ncp == 0 || cp_keys[ncp - 1] != NULL) {
				if (nkeys == 0 && ncp == 0) {
					cp_keys[0] = optarg;
					nkeys++;
					break;
				}
				errorf("--verifier-key %s follows no "
				       "--checkpoint",
				       optarg);
				rc = EXIT_USAGE;
			goto out;
			}
			cp_keys[ncp - 1] = optarg;
			nkeys++;
			break;
		case 'a':
			view.all = 1;
			break;
		case 'j':
			view.json = 1;
			break;
		case 'q':
			view.quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			rc = EXIT_OK;
			goto out;
		case ':':
			errorf("%s needs a value (see --help)", argv[optind - 1]);
			rc = EXIT_USAGE;
			goto out;
		default:
			errorf("unknown option %s (see --help)",
			       argv[optind - 1]);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (optind < argc) {
		errorf("unexpected argument \"%s\" (see --help)", argv[optind]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (log_path != NULL && bundle != NULL) {
		errorf("give --log or --bundle, not both");
		rc = EXIT_USAGE;
		goto out;
	}
	/* One key given once serves every checkpoint. */
	if (ncp > 0 && nkeys == 1) {
		const char *only = NULL;
		for (size_t i = 0; i < ncp; i++)
			if (cp_keys[i] != NULL)
				only = cp_keys[i];
		for (size_t i = 0; i < ncp; i++)
			cp_keys[i] = only;
	}
	for (size_t i = 0; i < ncp; i++)
		if (cp_keys[i] == NULL) {
			errorf("--checkpoint %s has no --verifier-key",
			       cp_files[i]);
			rc = EXIT_USAGE;
			goto out;
		}
	if (ncp == 0 && nkeys > 0) {
		errorf("--verifier-key needs a --checkpoint");
		rc = EXIT_USAGE;
		goto out;
	}
	view.bundle = bundle;
	view.log = bundle ? NULL : default_log(log_path);
	view.cp_files = cp_files;
	view.cp_keys = cp_keys;
	view.ncp = ncp;
	rc = audit_and_print(&view);
out:
	free(cp_files);
	free(cp_keys);
	return rc;
}
