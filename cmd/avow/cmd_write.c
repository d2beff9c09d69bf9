/*
 * cmd_write.c - the subcommands that append: init, key, actor, claim,
 * respond, deny, amend, append. Each builds the same JSON draft that
 * `avow append` reads and hands it to avow_log_append, so there is one
 * path for every record.
 */
#include "cli.h"

#include "json.h"
#include "syntax.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char usage_init[] =
	"usage: avow init --origin ORIGIN --holder TEXT [--description TEXT]\n"
	"                 [--log FILE] --key FILE\n"
	"\n"
	"Create a new log at --log (default $AVOW_LOG, then ./avow.db) and\n"
	"write its genesis record, signed by --key, which becomes the log's\n"
	"first admin key.\n"
	"\n"
	"  --origin ORIGIN     the log's name, carried by its checkpoints:\n"
	"                      1-255 printable ASCII characters, no space,\n"
	"                      such as claims.example.org/ukraine-2023\n"
	"  --holder TEXT       who holds the genesis key (free text)\n"
	"  --description TEXT  what the log is for\n";

const char usage_key[] =
	"usage: avow key generate NAME [-o FILE] [--no-passphrase]\n"
	"       avow key import C2SP_KEY_FILE [-o FILE] [--no-passphrase]\n"
	"       avow key possession --origin ORIGIN --key FILE\n"
	"       avow key add VERIFIER_KEY --possession PROOF\n"
	"                    --role admin|recorder --holder TEXT [--note "
	"TEXT]\n"
	"       avow key revoke KEY_ID --reason TEXT\n"
	"       avow key list\n"
	"\n"
	"generate    make a key pair; write the secret key to FILE (default\n"
	"            NAME.key), encrypted with a passphrase (Argon2id), mode\n"
	"            0600; print the verifier key (name+hash+key) to hand to\n"
	"            an admin. --no-passphrase writes it unencrypted.\n"
	"import      read a C2SP signer key (PRIVATE+KEY+name+hash+base64, as\n"
	"            Go's note.GenerateKey writes it) into an avow key file.\n"
	"possession  print the proof that you hold the key --key, for the log\n"
	"            called ORIGIN; hand it over with your verifier key.\n"
	"add         enrol a key (signed by an admin --key).\n"
	"revoke      revoke a key from the next record on (an admin key, or\n"
	"            the key itself).\n"
	"list        list the log's keys, their roles, holders and records.\n";

const char usage_actor[] =
	"usage: avow actor add ID --name TEXT --kind KIND [--alias A]...\n"
	"                      [--part-of ID] [--description TEXT]\n"
	"       avow actor update ID --name TEXT --kind KIND ... (the same)\n"
	"       avow actor list [--json]\n"
	"\n"
	"Declare who can assert things: a government, ministry, official,\n"
	"researcher or outlet. ID matches [a-z0-9][a-z0-9._-]{0,63}. KIND is\n"
	"one of government, agency, official, person, organization, media,\n"
	"group. An update re-declares the actor whole; reports show the\n"
	"latest declaration and keep the history.\n";

#define STATEMENT_HELP                                                         \
	"  --by ACTOR             who asserted it (a declared actor)\n"        \
	"  --with ACTOR           who asserted it jointly (repeatable)\n"      \
	"  --text TEXT            what was said\n"                             \
	"  --quote | --paraphrase verbatim words, or a paraphrase/summary\n"   \
	"  --lang TAG             language of TEXT (BCP 47, such as en)\n"     \
	"  --translated-from TEXT TEXT is a translation of these words\n"      \
	"  --said-at DATE         when: YYYY, YYYY-MM, YYYY-MM-DD or\n"        \
	"                         YYYY-MM-DDTHH:MM:SSZ (its precision "        \
	"counts)\n"                                                            \
	"  --url URL              the source's address\n"                      \
	"  --title TEXT           the source's title (a url or a title is\n"   \
	"                         required)\n"                                 \
	"  --publisher TEXT       who published the source\n"                  \
	"  --published DATE       when the source was published\n"             \
	"  --retrieved TIME       when you read it (YYYY-MM-DDTHH:MM:SSZ)\n"   \
	"  --archive FILE         your archived copy: its SHA-256 is "         \
	"recorded\n"                                                           \
	"  --via ACTOR            through whom it reached the source, "        \
	"nearest\n"                                                            \
	"                         the actor first (repeatable)\n"              \
	"  --about ACTOR          whom it is about (repeatable)\n"             \
	"  --topic TOPIC          a topic identifier (repeatable)\n"

const char usage_claim[] =
	"usage: avow claim --by ACTOR --text TEXT (--quote|--paraphrase)\n"
	"                  --said-at DATE (--url URL | --title TEXT) [...]\n"
	"\n"
	"Record what an actor asserted, citing the source. Prints the new\n"
	"record's seq.\n"
	"\n" STATEMENT_HELP;

const char usage_respond[] =
	"usage: avow respond SEQ --stance STANCE --by ACTOR --text TEXT\n"
	"                    (--quote|--paraphrase) --said-at DATE\n"
	"                    (--url URL | --title TEXT) [...]\n"
	"\n"
	"Record a response to claim or response SEQ. STANCE is one of denies,\n"
	"disputes, supports, retracts (only by the original actor),\n"
	"clarifies, declines-comment.\n"
	"\n" STATEMENT_HELP;

const char usage_deny[] =
	"usage: avow deny SEQ --by ACTOR --text TEXT (--quote|--paraphrase)\n"
	"                 --said-at DATE (--url URL | --title TEXT) [...]\n"
	"\n"
	"Shorthand for `avow respond SEQ --stance denies ...`.\n"
	"\n" STATEMENT_HELP;

const char usage_amend[] =
	"usage: avow amend SEQ --reason TEXT --set MEMBER=JSON...\n"
	"\n"
	"Correct a recording mistake in actor, claim or response SEQ: each\n"
	"--set gives a member of its body and the corrected value as JSON\n"
	"(a string in quotes: --set 'said_at=\"2023-07\"'); null removes an\n"
	"optional member. What an actor withdrew is a `retracts` response,\n"
	"not an amendment.\n";

const char usage_append[] =
	"usage: avow append [FILE|-]\n"
	"       avow append --stream [--group-lines N] [--group-ms MS] "
	"[FILE|-]\n"
	"\n"
	"Append entries from JSON Lines (standard input when FILE is - or\n"
	"absent): one {\"type\": ..., \"body\": {...}} per line; avow adds v,\n"
	"seq, prev, time and signer. A target is {\"seq\": n} (avow fills in\n"
	"the hash; a given hash must match) or {\"line\": k}, the record made\n"
	"from line k of the same input. All lines or none: any bad line is\n"
	"reported as FILE:LINE: what is wrong, and nothing is appended.\n"
	"Prints the seq of each new record. The whole input is one\n"
	"transaction: one durable commit (fsync) for all its records.\n"
	"\n"
	"  --stream          group commit for records that arrive over time:\n"
	"                    read lines as they come and commit a group when\n"
	"                    it holds N lines or no line came for MS ms (and\n"
	"                    at the end). Each group is all or nothing; a bad\n"
	"                    line stops the stream, earlier groups stay. A\n"
	"                    {\"line\": k} of an earlier group becomes its "
	"seq.\n"
	"  --group-lines N   most lines in a group (default 1000)\n"
	"  --group-ms MS     commit after MS quiet milliseconds (default "
	"200)\n";

typedef struct {
	int stream;
	long group_lines, group_ms;
} append_opts;

static int append_opt(int c, const char *arg, void *ctx)
{
	append_opts *o = ctx;
	uint64_t v;

	if (c == 's') {
		o->stream = 1;
		return 0;
	}
	if (parse_u64(arg, &v) || v == 0 || v > 1000000) {
		errorf("append: --%s %s: not a number from 1 to 1000000",
		       c == 'n' ? "group-lines" : "group-ms", arg);
		return -1;
	}
	if (c == 'n')
		o->group_lines = (long)v;
	else
		o->group_ms = (long)v;
	return 0;
}

static const struct option append_longopts[] = {
	{"stream", no_argument, NULL, 's'},
	{"group-lines", required_argument, NULL, 'n'},
	{"group-ms", required_argument, NULL, 'm'},
	{NULL, 0, NULL, 0},
};

/* --------------------------------------------------------------------- */

static int write_key_file(avow_key *key, const char *out, int no_pass)
{
	avow_error err;
	char *pass = NULL;
	size_t plen = 0;
	avow_status rc;

	if (!no_pass) {
		pass = get_passphrase("New passphrase for the key: ", 1, &plen);
		if (pass == NULL)
			return EXIT_USAGE;
	}
	rc = avow_key_save(key, out, pass, plen, &err);
	free_secret(pass, plen ? plen + 1 : 0);
	if (rc != AVOW_OK)
		return report_error(&err);
	fprintf(stderr, "%s: wrote the secret key %s to %s (%s, mode 0600)\n",
		prog, avow_key_id(key), out,
		no_pass ? "NOT encrypted" : "encrypted");
	printf("%s\n", avow_key_verifier(key));
	return EXIT_OK;
}

typedef struct {
	const char *out, *origin, *possession, *role, *holder, *note, *reason;
	int no_pass;
} key_opts;

static int key_opt(int c, const char *arg, void *ctx)
{
	key_opts *o = ctx;
	switch (c) {
	case 'o': o->out = arg; break;
	case 'n': o->no_pass = 1; break;
	case 'O': o->origin = arg; break;
	case 'p': o->possession = arg; break;
	case 'r': o->role = arg; break;
	case 'H': o->holder = arg; break;
	case 'N': o->note = arg; break;
	case 'R': o->reason = arg; break;
	default: return -1;
	}
	return 0;
}

static int key_list(void)
{
	avow_log *log = open_log(1);
	avow_audit *a = NULL;
	avow_error err;
	size_t admins = 0;
	int rc;

	if (log == NULL)
		return EXIT_USAGE;
	if (avow_audit_log(log, NULL, &a, &err) != AVOW_OK) {
		avow_log_close(log);
		return report_error(&err);
	}
	if (!avow_audit_passed(a)) {
		const avow_failure *f = avow_audit_failure(a, 0);
		errorf("the log fails its audit at record %llu (%s: %s)",
		       (unsigned long long)f->seq, f->check, f->detail);
		rc = EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < avow_audit_key_count(a); i++) {
		avow_key_summary k;
		avow_audit_key(a, i, &k);
		printf("%s\t%s\t%s\t%s\t%llu records\n", k.verifier,
		       k.admin ? "admin" : "recorder",
		       k.revoked == UINT64_MAX ? "active" : "revoked", k.holder,
		       (unsigned long long)k.records);
		if (k.admin && k.revoked == UINT64_MAX)
			admins++;
	}
	if (admins == 1)
		warnf("the log has a single admin key: if it is lost, no key "
		      "can be added or revoked and no checkpoint signed; add "
		      "a second admin key");
	rc = EXIT_OK;
out:
	avow_audit_free(a);
	avow_log_close(log);
	return rc;
}

/* A command with subcommands needs one in argv[1]; --help shows usage.
 * Returns 1 when argv[1] names one, else 0 with *rc the exit status. */
static int subcommand(int argc, char **argv, const char *usage,
		      const char *which, int *rc)
{
	if (argc >= 2 && argv[1][0] != '-')
		return 1;
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		*rc = EXIT_OK;
		return 0;
	}
	errorf("%s: which? %s (see avow %s --help)", argv[0], which, argv[0]);
	*rc = EXIT_USAGE;
	return 0;
}

int cmd_key(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"no-passphrase", no_argument, NULL, 'n'},
		{"origin", required_argument, NULL, 'O'},
		{"possession", required_argument, NULL, 'p'},
		{"role", required_argument, NULL, 'r'},
		{"holder", required_argument, NULL, 'H'},
		{"note", required_argument, NULL, 'N'},
		{"reason", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	key_opts o = {0};
	const char *sub;
	avow_error err;
	int rc;

	if (!subcommand(argc, argv, usage_key,
			"generate, import, possession, add, revoke or list",
			&rc))
		return rc;
	sub = argv[1];
	if (parse_opts(argc - 1, argv + 1, "o:", opts, key_opt, &o, usage_key,
		       &rc))
		return rc;
	argc -= 1;
	argv += 1;
	if (strcmp(sub, "generate") == 0 || strcmp(sub, "import") == 0) {
		avow_key *key = NULL;
		char out[512];
		if (optind + 1 != argc) {
			errorf("key %s: give exactly one %s", sub,
			       sub[0] == 'g' ? "NAME" : "FILE");
			return EXIT_USAGE;
		}
		if (sub[0] == 'g') {
			if (avow_key_generate(&key, argv[optind], &err) !=
			    AVOW_OK)
				return report_error(&err);
		} else {
			char *text;
			size_t len;
			if (read_file(argv[optind], 4096, &text, &len) < 0)
				return EXIT_USAGE;
			rc = avow_key_import_c2sp(&key, text, len, &err) !=
			     AVOW_OK;
			sodium_memzero(text, len);
			free(text);
			if (rc)
				return report_error(&err);
		}
		snprintf(out, sizeof out, "%s.key", avow_key_name(key));
		rc = write_key_file(key, o.out ? o.out : out, o.no_pass);
		avow_key_free(key);
		return rc;
	}
	if (strcmp(sub, "possession") == 0) {
		avow_key *key;
		char proof[89];
		if (o.origin == NULL) {
			errorf("key possession: --origin ORIGIN is required "
			       "(the log's name)");
			return EXIT_USAGE;
		}
		key = load_key();
		if (key == NULL)
			return EXIT_USAGE;
		rc = avow_key_possession(key, o.origin, proof, &err) != AVOW_OK;
		if (!rc)
			printf("%s\n", proof);
		else
			rc = report_error(&err);
		avow_key_free(key);
		return rc;
	}
	if (strcmp(sub, "add") == 0 || strcmp(sub, "revoke") == 0) {
		cJSON *d = cJSON_CreateObject(), *b;
		char *json;
		int add = sub[0] == 'a';
		if (optind + 1 != argc) {
			errorf("key %s: give exactly one %s", sub,
			       add ? "VERIFIER_KEY" : "KEY_ID");
			cJSON_Delete(d);
			return EXIT_USAGE;
		}
		if (add && (o.possession == NULL || o.role == NULL ||
			    o.holder == NULL)) {
			errorf("key add: --possession, --role and --holder are "
			       "required");
			cJSON_Delete(d);
			return EXIT_USAGE;
		}
		if (!add && o.reason == NULL) {
			errorf("key revoke: --reason is required");
			cJSON_Delete(d);
			return EXIT_USAGE;
		}
		cJSON_AddStringToObject(d, "type", "key");
		b = cJSON_AddObjectToObject(d, "body");
		cJSON_AddStringToObject(b, "action", add ? "add" : "revoke");
		if (add) {
			cJSON_AddStringToObject(b, "key", argv[optind]);
			cJSON_AddStringToObject(b, "possession", o.possession);
			cJSON_AddStringToObject(b, "role", o.role);
			cJSON_AddStringToObject(b, "holder", o.holder);
			if (o.note)
				cJSON_AddStringToObject(b, "note", o.note);
		} else {
			cJSON_AddStringToObject(b, "key_id", argv[optind]);
			cJSON_AddStringToObject(b, "reason", o.reason);
		}
		json = cJSON_PrintUnformatted(d);
		cJSON_Delete(d);
		rc = json ? append_one(json, sub) : EXIT_FAIL;
		cJSON_free(json);
		return rc;
	}
	if (strcmp(sub, "list") == 0)
		return key_list();
	errorf("key: unknown subcommand \"%s\" (see avow key --help)", sub);
	return EXIT_USAGE;
}

/* --------------------------------------------------------------------- */

typedef struct {
	const char *origin, *holder, *description;
} init_opts;

static int init_opt(int c, const char *arg, void *ctx)
{
	init_opts *o = ctx;
	switch (c) {
	case 'O': o->origin = arg; break;
	case 'H': o->holder = arg; break;
	case 'd': o->description = arg; break;
	default: return -1;
	}
	return 0;
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"origin", required_argument, NULL, 'O'},
		{"holder", required_argument, NULL, 'H'},
		{"description", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	init_opts o = {0};
	avow_key *key;
	avow_log *log = NULL;
	avow_error err;
	int64_t now = record_time();
	const char *path;
	int rc;

	if (parse_opts(argc, argv, "", opts, init_opt, &o, usage_init, &rc))
		return rc;
	if (optind != argc) {
		errorf("init: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if (o.origin == NULL || o.holder == NULL) {
		errorf("init: --origin and --holder are required");
		return EXIT_USAGE;
	}
	if (now == -2)
		return EXIT_USAGE;
	key = load_key();
	if (key == NULL)
		return EXIT_USAGE;
	path = default_log(g.log);
	if (avow_log_create(&log, path, &err) != AVOW_OK) {
		avow_key_free(key);
		return report_error(&err);
	}
	if (avow_log_init(log, key, o.origin, o.holder, o.description, now,
			  &err) != AVOW_OK) {
		rc = report_error(&err);
		avow_log_close(log);
		(void)remove(path); /* best effort, as are the two below */
		{
			char side[4200];
			snprintf(side, sizeof side, "%s-wal", path);
			(void)remove(side);
			snprintf(side, sizeof side, "%s-shm", path);
			(void)remove(side);
		}
	} else {
		char *saved = saved_state_path(path);
		fprintf(stderr, "%s: created %s, origin %s, genesis key %s\n",
			prog, path, o.origin, avow_key_id(key));
		rc = EXIT_OK;
		avow_log_close(log);
		/* A state saved for an earlier log at this path is not this
		 * one's. */
		if (saved != NULL)
			(void)remove(saved);
		free(saved);
	}
	avow_key_free(key);
	return rc;
}

/* --------------------------------------------------------------------- */
/* actor                                                                 */

typedef struct {
	cJSON *body;
	cJSON *aliases;
	int json;
} actor_opts;

static int actor_opt(int c, const char *arg, void *ctx)
{
	actor_opts *o = ctx;
	const char *name = c == 'n'   ? "name"
			   : c == 'k' ? "kind"
			   : c == 'p' ? "part_of"
			   : c == 'd' ? "description"
				      : NULL;
	if (c == 'j') {
		o->json = 1;
		return 0;
	}
	if (c == 'a') {
		if (o->aliases == NULL)
			o->aliases = cJSON_AddArrayToObject(o->body, "aliases");
		cJSON_AddItemToArray(o->aliases, cJSON_CreateString(arg));
		return 0;
	}
	if (name == NULL)
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(o->body, name);
	cJSON_AddStringToObject(o->body, name, arg);
	return 0;
}

int cmd_actor(int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"kind", required_argument, NULL, 'k'},
		{"alias", required_argument, NULL, 'a'},
		{"part-of", required_argument, NULL, 'p'},
		{"description", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	actor_opts o = {0};
	cJSON *d;
	char *json;
	const char *sub;
	int rc;

	if (!subcommand(argc, argv, usage_actor, "add, update or list", &rc))
		return rc;
	sub = argv[1];
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "type", "actor");
	o.body = cJSON_AddObjectToObject(d, "body");
	if (parse_opts(argc - 1, argv + 1, "", opts, actor_opt, &o, usage_actor,
		       &rc)) {
		cJSON_Delete(d);
		return rc;
	}
	argc -= 1;
	argv += 1;
	if (strcmp(sub, "list") == 0) {
		cJSON_Delete(d);
		if (optind != argc) {
			errorf("actor list: unexpected argument \"%s\"",
			       argv[optind]);
			return EXIT_USAGE;
		}
		return cmd_report_actors(o.json);
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "update") != 0) {
		cJSON_Delete(d);
		errorf("actor: unknown subcommand \"%s\" (see avow actor "
		       "--help)",
		       sub);
		return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cJSON_Delete(d);
		errorf("actor %s: give exactly one actor ID", sub);
		return EXIT_USAGE;
	}
	cJSON_AddStringToObject(o.body, "id", argv[optind]);
	json = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	rc = json ? append_one(json,
			       sub[0] == 'a' ? "actor add" : "actor update")
		  : EXIT_FAIL;
	cJSON_free(json);
	return rc;
}

/* --------------------------------------------------------------------- */
/* claim, respond, deny                                                  */

typedef struct {
	cJSON *body, *source;
	const char *stance;
	int quote; /* -1 unset */
	int bad;
} stmt_opts;

static void add_to_array(cJSON *body, const char *name, const char *v)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(body, name);
	if (a == NULL)
		a = cJSON_AddArrayToObject(body, name);
	cJSON_AddItemToArray(a, cJSON_CreateString(v));
}

static void set_str(cJSON *o, const char *name, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, name);
	cJSON_AddStringToObject(o, name, v);
}

static int archive_hash(const char *path, char out[45])
{
	FILE *f = fopen(path, "rb");
	crypto_hash_sha256_state st;
	uint8_t buf[65536], h[32];
	size_t n;

	if (f == NULL) {
		errorf("--archive %s: %s", path, strerror(errno));
		return -1;
	}
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	if (ferror(f)) {
		errorf("--archive %s: read error", path);
		(void)fclose(f); /* read only, as below */
		return -1;
	}
	(void)fclose(f);
	crypto_hash_sha256_final(&st, h);
	avow_b64_encode(out, h, 32);
	return 0;
}

static int stmt_opt(int c, const char *arg, void *ctx)
{
	stmt_opts *o = ctx;
	char h[45];

	switch (c) {
	case 'b': set_str(o->body, "by", arg); break;
	case 'w': add_to_array(o->body, "with", arg); break;
	case 't': set_str(o->body, "text", arg); break;
	case 'q': o->quote = 1; break;
	case 'P': o->quote = 0; break;
	case 'l': set_str(o->body, "lang", arg); break;
	case 'T':
		cJSON_DeleteItemFromObjectCaseSensitive(o->body, "translated");
		cJSON_AddTrueToObject(o->body, "translated");
		set_str(o->body, "original", arg);
		break;
	case 's': set_str(o->body, "said_at", arg); break;
	case 'u': set_str(o->source, "url", arg); break;
	case 'i': set_str(o->source, "title", arg); break;
	case 'B': set_str(o->source, "publisher", arg); break;
	case 'D': set_str(o->source, "published", arg); break;
	case 'r': set_str(o->source, "retrieved", arg); break;
	case 'a':
		if (archive_hash(arg, h) < 0)
			return -1;
		set_str(o->source, "sha256", h);
		break;
	case 'v': add_to_array(o->body, "via", arg); break;
	case 'A': add_to_array(o->body, "about", arg); break;
	case 'o': add_to_array(o->body, "topics", arg); break;
	case 'S': o->stance = arg; break;
	default: return -1;
	}
	return 0;
}

static int statement(int argc, char **argv, const char *type,
		     const char *stance, const char *usage)
{
	static const struct option opts[] = {
		{"by", required_argument, NULL, 'b'},
		{"with", required_argument, NULL, 'w'},
		{"text", required_argument, NULL, 't'},
		{"quote", no_argument, NULL, 'q'},
		{"paraphrase", no_argument, NULL, 'P'},
		{"lang", required_argument, NULL, 'l'},
		{"translated-from", required_argument, NULL, 'T'},
		{"said-at", required_argument, NULL, 's'},
		{"url", required_argument, NULL, 'u'},
		{"title", required_argument, NULL, 'i'},
		{"publisher", required_argument, NULL, 'B'},
		{"published", required_argument, NULL, 'D'},
		{"retrieved", required_argument, NULL, 'r'},
		{"archive", required_argument, NULL, 'a'},
		{"via", required_argument, NULL, 'v'},
		{"about", required_argument, NULL, 'A'},
		{"topic", required_argument, NULL, 'o'},
		{"stance", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	stmt_opts o = {0};
	cJSON *d = cJSON_CreateObject();
	char *json;
	int rc, response = strcmp(type, "response") == 0;
	uint64_t target = 0;

	cJSON_AddStringToObject(d, "type", type);
	o.body = cJSON_AddObjectToObject(d, "body");
	o.source = cJSON_CreateObject();
	o.quote = -1;
	o.stance = stance;
	if (parse_opts(argc, argv, "", opts, stmt_opt, &o, usage, &rc))
		goto fail;
	rc = EXIT_USAGE;
	if (response) {
		if (optind + 1 != argc || parse_u64(argv[optind], &target)) {
			errorf("%s: give the SEQ of the claim or response it "
			       "answers",
			       argv[0]);
			goto fail;
		}
	} else if (optind != argc) {
		errorf("%s: unexpected argument \"%s\"", argv[0], argv[optind]);
		goto fail;
	}
	if (!response && o.stance != NULL) {
		errorf("claim: --stance is for responses (avow respond)");
		goto fail;
	}
	if (response && o.stance == NULL) {
		errorf("respond: --stance is required (denies, disputes, "
		       "supports, retracts, clarifies, declines-comment)");
		goto fail;
	}
	{
		static const char *const need[] = {"by", "text", "said_at"};
		static const char *const flag[] = {"--by", "--text",
						   "--said-at"};
		for (int i = 0; i < 3; i++)
			if (!cJSON_GetObjectItemCaseSensitive(o.body,
							      need[i])) {
				errorf("%s: %s is required", argv[0], flag[i]);
				goto fail;
			}
	}
	if (o.quote < 0) {
		errorf("%s: say --quote (verbatim words) or --paraphrase",
		       argv[0]);
		goto fail;
	}
	if (!cJSON_GetObjectItemCaseSensitive(o.source, "url") &&
	    !cJSON_GetObjectItemCaseSensitive(o.source, "title")) {
		errorf("%s: a source needs --url or --title (missing source)",
		       argv[0]);
		goto fail;
	}
	cJSON_AddBoolToObject(o.body, "quote", o.quote);
	cJSON_AddItemToObject(o.body, "source", o.source);
	o.source = NULL;
	if (response) {
		cJSON *t = cJSON_AddObjectToObject(o.body, "target");
		cJSON_AddNumberToObject(t, "seq", (double)target);
		cJSON_AddStringToObject(o.body, "stance", o.stance);
	}
	json = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	rc = json ? append_one(json, argv[0]) : EXIT_FAIL;
	cJSON_free(json);
	return rc;
fail:
	cJSON_Delete(o.source);
	cJSON_Delete(d);
	return rc;
}

int cmd_claim(int argc, char **argv)
{
	return statement(argc, argv, "claim", NULL, usage_claim);
}

int cmd_respond(int argc, char **argv)
{
	return statement(argc, argv, "response", NULL, usage_respond);
}

int cmd_deny(int argc, char **argv)
{
	return statement(argc, argv, "response", "denies", usage_deny);
}

/* --------------------------------------------------------------------- */
/* amend                                                                 */

typedef struct {
	cJSON *set;
	const char *reason;
} amend_opts;

static int amend_opt(int c, const char *arg, void *ctx)
{
	amend_opts *o = ctx;
	const char *eq;
	avow_error err;
	cJSON *v;
	char name[128];

	if (c == 'r') {
		o->reason = arg;
		return 0;
	}
	if (c != 's')
		return -1;
	eq = strchr(arg, '=');
	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof name) {
		errorf("amend: --set takes MEMBER=JSON, such as "
		       "'said_at=\"2023-07\"'");
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = 0;
	v = avow_json_parse(eq + 1, strlen(eq + 1), AVOW_JSON_AVOW_STRINGS,
			    &err);
	if (v == NULL) {
		errorf("amend: --set %s: the value is not JSON (%s); quote "
		       "strings: %s='\"...\"'",
		       name, err.msg, name);
		return -1;
	}
	if (cJSON_GetObjectItemCaseSensitive(o->set, name) != NULL) {
		errorf("amend: --set %s given twice", name);
		cJSON_Delete(v);
		return -1;
	}
	cJSON_AddItemToObject(o->set, name, v);
	return 0;
}

int cmd_amend(int argc, char **argv)
{
	static const struct option opts[] = {
		{"reason", required_argument, NULL, 'r'},
		{"set", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	cJSON *d = cJSON_CreateObject(), *b, *t;
	amend_opts o = {0};
	uint64_t target;
	char *json;
	int rc;

	cJSON_AddStringToObject(d, "type", "amend");
	b = cJSON_AddObjectToObject(d, "body");
	o.set = cJSON_CreateObject();
	if (parse_opts(argc, argv, "", opts, amend_opt, &o, usage_amend, &rc))
		goto fail;
	rc = EXIT_USAGE;
	if (optind + 1 != argc || parse_u64(argv[optind], &target)) {
		errorf("amend: give the SEQ of the record to correct");
		goto fail;
	}
	if (o.reason == NULL || o.set->child == NULL) {
		errorf("amend: --reason and at least one --set are required");
		goto fail;
	}
	t = cJSON_AddObjectToObject(b, "target");
	cJSON_AddNumberToObject(t, "seq", (double)target);
	cJSON_AddStringToObject(b, "reason", o.reason);
	cJSON_AddItemToObject(b, "set", o.set);
	o.set = NULL;
	json = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	rc = json ? append_one(json, "amend") : EXIT_FAIL;
	cJSON_free(json);
	return rc;
fail:
	cJSON_Delete(o.set);
	cJSON_Delete(d);
	return rc;
}

/* --------------------------------------------------------------------- */
/* append                                                                */

/* "NAME:LINE" at lb (strlen(name) + 22 bytes), as snprintf would write
 * it but cheaper: splitting 10,000 lines took 1.5 ms with snprintf and
 * a malloc per label, 0.7 ms with this and one block. */
static void line_label(char *lb, const char *name, long line)
{
	char d[24];
	size_t k = sizeof d, nl = strlen(name);
	unsigned long v = line > 0 ? (unsigned long)line : 0;

	do
		d[--k] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memcpy(lb, name, nl);
	lb[nl] = ':';
	memcpy(lb + nl + 1, d + k, sizeof d - k);
	lb[nl + 1 + sizeof d - k] = 0;
}

int cmd_append(int argc, char **argv)
{
	const char *path = "-";
	char *text, *p, *end, *nl, *labels = NULL;
	const char *name;
	size_t len, n = 0, cap, lw;
	avow_draft *drafts = NULL;
	avow_key *key = NULL;
	avow_log *log = NULL;
	avow_error err;
	uint64_t first;
	int64_t now = record_time();
	long line = 0;
	int rc;

	append_opts ao = {0, 1000, 200};

	if (parse_opts(argc, argv, "", append_longopts, append_opt, &ao,
		       usage_append, &rc))
		return rc;
	if (optind + 1 < argc) {
		errorf("append: give one FILE (or - for standard input)");
		return EXIT_USAGE;
	}
	if (optind < argc)
		path = argv[optind];
	if (ao.stream)
		return append_stream(path, ao.group_lines, ao.group_ms);
	if (now == -2)
		return EXIT_USAGE;
	if (read_file(path, (size_t)1 << 30, &text, &len) < 0)
		return EXIT_USAGE;
	/* One draft and one label "FILE:LINE" per line, at most. */
	name = strcmp(path, "-") ? path : "stdin";
	lw = strlen(name) + 22; /* ":", 20 digits, NUL */
	cap = 1;
	for (p = text; (p = memchr(p, '\n', len - (size_t)(p - text))) != NULL;
	     p++)
		cap++;
	drafts = calloc(cap, sizeof *drafts);
	labels = cap <= SIZE_MAX / lw ? malloc(cap * lw) : NULL;
	if (drafts == NULL || labels == NULL) {
		errorf("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	avow_prefault(drafts, cap * sizeof *drafts);
	avow_prefault(labels, cap * lw);
	for (p = text, end = text + len; p < end; p = nl + 1) {
		char *lb = labels + n * lw;
		size_t ll;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end; /* (text[len] is a NUL) */
		*nl = 0;
		line++;
		ll = (size_t)(nl - p);
		if (ll > 0 && p[ll - 1] == '\r')
			p[--ll] = 0;
		if (ll == 0)
			continue; /* blank lines are allowed */
		line_label(lb, name, line);
		drafts[n].json = p;
		drafts[n].len = ll;
		drafts[n].label = lb;
		drafts[n].line = line;
		n++;
	}
	rc = EXIT_USAGE;
	if (n == 0) {
		errorf("%s: no entries to append", path);
		goto out;
	}
	key = load_key();
	log = key ? open_log(0) : NULL;
	if (key != NULL && log != NULL) {
		if (avow_log_append(log, key, drafts, n, now, &first, &err) !=
		    AVOW_OK) {
			rc = report_error(&err);
		} else {
			for (size_t i = 0; i < n; i++)
				printf("%llu\n", (unsigned long long)first + i);
			fprintf(stderr,
				"%s: appended %zu record%s (%llu..%llu)\n",
				prog, n, n == 1 ? "" : "s",
				(unsigned long long)first,
				(unsigned long long)(first + n - 1));
			rc = EXIT_OK;
		}
	}
out:
	avow_log_close(log);
	avow_key_free(key);
	free(labels);
	free(drafts);
	free(text);
	return rc;
}
