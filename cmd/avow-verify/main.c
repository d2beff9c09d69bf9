/*
 * avow-verify - the standalone auditor of avow logs and bundles.
 *
 * It links only the verify-only part of the library: no signing code, no
 * key files. Exit status: 0 intact, 1 a check failed, 2 usage or I/O.
 */
#include "audit_print.h"
#include "common.h"
#include "standalone.h"

#include <string.h>

const char *prog = "avow-verify";

static const char usage[] =
	"usage: avow-verify [--log FILE | --bundle FILE]\n"
	"                   [--checkpoint FILE --verifier-key KEY]...\n"
	"                   [--evidence FILE] [--all] [--json] [--quiet]\n"
	"       avow-verify inclusion PROOF.json ...   (see its --help)\n"
	"       avow-verify consistency PROOF.json ... (see its --help)\n"
	"       avow-verify evidence FILE\n"
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
	"  --evidence FILE       when two checkpoints cannot both be true,\n"
	"                        write the proof of it to FILE (check it with\n"
	"                        `avow-verify evidence FILE`)\n"
	"  --jobs N              threads that verify signatures (default: one\n"
	"                        per core; 1 for none)\n"
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
	if (argc > 1 && strcmp(argv[1], "inclusion") == 0)
		return inclusion_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "consistency") == 0)
		return consistency_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "evidence") == 0)
		return evidence_main(argc - 1, argv + 1);
	return verify_main(argc, argv, default_log(NULL), usage);
}
