/*
 * avow - append sourced claims and counter-statements to a signed,
 * hash-chained log, and read them back.
 *
 * main.c: the command table, global options, and what every subcommand
 * shares (opening the log, unlocking the key, the passphrase prompt).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

const char *prog = "avow";
globals g;

static const command commands[] = {
	{"init", cmd_init, "create a log and write its genesis record",
	 usage_init},
	{"key", cmd_key, "generate, import, enrol, revoke and list keys",
	 usage_key},
	{"actor", cmd_actor, "declare, update and list actors", usage_actor},
	{"claim", cmd_claim, "record what an actor asserted", usage_claim},
	{"respond", cmd_respond, "record a response to a claim or response",
	 usage_respond},
	{"deny", cmd_deny, "record a denial (respond --stance denies)",
	 usage_deny},
	{"amend", cmd_amend, "correct a recording mistake", usage_amend},
	{"append", cmd_append, "append entries from JSON Lines, all or none",
	 usage_append},
	{"log", cmd_log, "list the records", usage_log},
	{"show", cmd_show, "show one record", usage_show},
	{"export", cmd_export, "write the log as a bundle", usage_export},
	{"verify", cmd_verify, "audit the log (as avow-verify does)",
	 usage_verify},
	{"report", cmd_report, "who asserted what, when, and who answered",
	 usage_report},
	{"search", cmd_search, "find statements by their words", usage_search},
	{"source", cmd_source, "check a file against a record's archived hash",
	 usage_source},
	{"checkpoint", cmd_checkpoint, "sign a checkpoint of the log",
	 usage_checkpoint},
	{"prove", cmd_prove, "prove that a record is in the log", usage_prove},
	{"consistency", cmd_consistency,
	 "prove that an older tree is a prefix of a newer one",
	 usage_consistency},
	{"import", cmd_import, "audit a bundle and keep it as a local mirror",
	 usage_import},
	{"monitor", cmd_monitor,
	 "check that a log extends the last trusted "
	 "tree head",
	 usage_monitor},
	{"reindex", cmd_reindex, "rebuild the log's derived index",
	 usage_reindex},
};

static void main_usage(FILE *f)
{
	fprintf(f,
		"usage: avow [--log FILE] [--key FILE] [--passphrase-file FILE]"
		"\n            [--no-saved-state] COMMAND [ARGS]\n"
		"\n"
		"avow keeps a tamper-evident record of who asserted what, and "
		"when:\n"
		"every claim and counter-statement is a signed record naming "
		"the\nhash of the record before it.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f,
		"\nglobal options:\n"
		"  --log FILE              the log (default: $AVOW_LOG, then "
		"./avow.db)\n"
		"  --key FILE              the secret key file that signs "
		"(default: $AVOW_KEY)\n"
		"  --passphrase-file FILE  read the key's passphrase from FILE"
		"\n                          (its first line, at most 1023 "
		"bytes;\n                          else $AVOW_PASSPHRASE, else "
		"a "
		"prompt)\n"
		"  --no-saved-state        audit the whole log, without the "
		"saved audited\n"
		"                          state (see AVOW_STATE_DIR)\n"
		"  -h, --help              show help; `avow COMMAND --help` "
		"for a command\n"
		"  --version               print the version\n"
		"\nenvironment: AVOW_LOG, AVOW_KEY, AVOW_PASSPHRASE, "
		"SOURCE_DATE_EPOCH\n(fixes the recorded time, for "
		"reproducible logs), AVOW_STATE_DIR (where the\n"
		"audited state of each log is kept, so that a command "
		"audits only the\nrecords added since; default "
		"$XDG_STATE_HOME/avow or ~/.local/state/avow;\n"
		"empty: keep none).\n"
		"Exit status: 0 success, 1 a check or validation failed, 2 "
		"usage or I/O error.\n");
}

int parse_opts(int argc, char **argv, const char *shortopts,
	       const struct option *opts, opt_fn fn, void *ctx,
	       const char *usage, int *rc)
{
	struct option all[64];
	char sopts[64];
	size_t n = 0;
	int c;

	static const struct option gl[] = {
		{"log", required_argument, NULL, 0x101},
		{"key", required_argument, NULL, 0x102},
		{"passphrase-file", required_argument, NULL, 0x103},
		{"no-saved-state", no_argument, NULL, 0x104},
		{"help", no_argument, NULL, 'h'},
	};
	for (; opts != NULL && opts[n].name != NULL && n < 56; n++)
		all[n] = opts[n];
	for (size_t i = 0; i < sizeof gl / sizeof *gl; i++)
		all[n++] = gl[i];
	memset(&all[n], 0, sizeof all[n]);
	snprintf(sopts, sizeof sopts, ":h%s", shortopts ? shortopts : "");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, all, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			*rc = EXIT_OK;
			return 1;
		case 0x101: g.log = optarg; break;
		case 0x102: g.key = optarg; break;
		case 0x103: g.passphrase_file = optarg; break;
		case 0x104: g.no_saved = 1; break;
		case ':':
			errorf("%s: %s needs a value (see avow %s --help)",
			       argv[0], argv[optind - 1], argv[0]);
			*rc = EXIT_USAGE;
			return 1;
		case '?':
			errorf("%s: unknown option %s (see avow %s --help)",
			       argv[0], argv[optind - 1], argv[0]);
			*rc = EXIT_USAGE;
			return 1;
		default:
			if (fn(c, optarg, ctx) != 0) {
				*rc = EXIT_USAGE;
				return 1;
			}
		}
	}
	return 0;
}

/* Whether the saved-state file at path can be used: it opens for
 * writing (created 0600 when missing) and is open to no one else. Warns
 * when not: the command then audits the whole log. */
static int saved_usable(const char *path)
{
	struct stat sb;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		warnf("%s: %s; the saved audited state is not used, so the "
		      "whole log is audited",
		      path, strerror(errno));
		return 0;
	}
	if (fstat(fd, &sb) != 0 || (sb.st_mode & 077) != 0) {
		warnf("%s: open to group or others (mode %03o); the saved "
		      "audited state is not used (chmod 600 it)",
		      path, (unsigned)(sb.st_mode & 0777));
		close(fd);
		return 0;
	}
	close(fd);
	return 1;
}

avow_log *open_log(int readonly)
{
	avow_log *log = NULL;
	avow_error err;
	const char *path = default_log(g.log);

	char *saved;

	if (avow_log_open(&log, path, readonly ? AVOW_OPEN_READONLY : 0,
			  &err) != AVOW_OK) {
		report_error(&err);
		return NULL;
	}
	saved = g.no_saved ? NULL : saved_state_path(path);
	if (saved != NULL && !saved_usable(saved)) {
		free(saved);
		saved = NULL;
	}
	if (saved != NULL && avow_log_use_saved_state(log, saved, &err)) {
		report_error(&err);
		avow_log_close(log);
		log = NULL;
	}
	free(saved);
	return log;
}

/* A malloc'ed a followed by b. */
static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s%s", a, b);
	return s;
}

/* mkdir -p dir, 0700 for what it makes. */
static int make_dirs(char *dir)
{
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != 0)
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			*p = c;
			return -1;
		}
		*p = c;
		if (c == 0)
			return 0;
	}
}

char *saved_state_path(const char *log_path)
{
	const char *env = getenv("AVOW_STATE_DIR");
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof h + 1], *real, *dir, *out;
	size_t n;

	if (env != NULL && env[0] == 0)
		return NULL;
	if (env != NULL)
		dir = join(env, "");
	else if (xdg != NULL && xdg[0] == '/')
		dir = join(xdg, "/avow");
	else if (home != NULL && home[0] == '/')
		dir = join(home, "/.local/state/avow");
	else
		return NULL;
	real = realpath(log_path, NULL);
	if (dir == NULL || real == NULL) {
		free(dir);
		free(real);
		return NULL;
	}
	if (make_dirs(dir) != 0) {
		warnf("%s: %s; the saved audited state is not kept, so "
		      "the whole log is audited (set AVOW_STATE_DIR)",
		      dir, strerror(errno));
		free(dir);
		free(real);
		return NULL;
	}
	crypto_hash_sha256(h, (const unsigned char *)real, strlen(real));
	sodium_bin2hex(hex, sizeof hex, h, 16);
	n = strlen(dir) + strlen(hex) + 8;
	out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "%s/%s.db", dir, hex);
	free(dir);
	free(real);
	return out;
}

void free_secret(char *s, size_t len)
{
	if (s == NULL)
		return;
	sodium_memzero(s, len);
	sodium_free(s);
}

#define SECRET_MAX 1023 /* bytes of a passphrase */

/* One line from fd, without its end (\n or \r\n), in guarded memory; NULL
 * when memory runs out, or with *toolong set when the line is longer than
 * SECRET_MAX bytes (rather than cut it, which would make another key's
 * passphrase from a longer one). */
static char *read_secret_line(int fd, size_t *len, int *toolong)
{
	char *buf = sodium_malloc(SECRET_MAX + 2);
	size_t n = 0;

	*len = 0;
	*toolong = 0;
	if (buf == NULL)
		return NULL;
	/* one byte more than the limit: a \r before the \n fits */
	while (n < SECRET_MAX + 1) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > SECRET_MAX) {
		sodium_memzero(buf, SECRET_MAX + 2);
		sodium_free(buf);
		*toolong = 1;
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static char *prompt(const char *text, size_t *len, int *toolong)
{
	struct termios old, noecho;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	char *s;

	*toolong = 0;
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) < 0) {
		close(fd);
		return NULL;
	}
	if (tcgetattr(fd, &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &noecho);
	}
	s = read_secret_line(fd, len, toolong);
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* nothing to do */
	}
	close(fd);
	return s;
}

char *get_passphrase(const char *what, int confirm, size_t *len)
{
	const char *env = getenv("AVOW_PASSPHRASE");
	char *p, *q;
	size_t qlen;
	int toolong;

	*len = 0;
	if (g.passphrase_file != NULL) {
		int fd = open(g.passphrase_file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			errorf("%s: %s", g.passphrase_file, strerror(errno));
			return NULL;
		}
		p = read_secret_line(fd, len, &toolong);
		close(fd);
		if (toolong) {
			errorf("%s: line 1: the passphrase is longer than %d "
			       "bytes",
			       g.passphrase_file, SECRET_MAX);
			return NULL;
		}
		if (p == NULL || *len == 0) {
			errorf("%s: no passphrase in the file",
			       g.passphrase_file);
			free_secret(p, SECRET_MAX + 2);
			return NULL;
		}
		return p;
	}
	if (env != NULL && *env) {
		size_t n = strlen(env);
		p = sodium_malloc(n + 1);
		if (p == NULL)
			return NULL;
		memcpy(p, env, n + 1);
		*len = n;
		return p;
	}
	p = prompt(what, len, &toolong);
	if (toolong) {
		errorf("the passphrase is longer than %d bytes", SECRET_MAX);
		return NULL;
	}
	if (p == NULL) {
		errorf("a passphrase is needed: set AVOW_PASSPHRASE, use "
		       "--passphrase-file, or run on a terminal");
		return NULL;
	}
	if (*len == 0) {
		errorf("empty passphrase");
		free_secret(p, SECRET_MAX + 2);
		return NULL;
	}
	if (confirm) {
		q = prompt("Repeat the passphrase: ", &qlen, &toolong);
		if (q == NULL || qlen != *len || sodium_memcmp(p, q, qlen)) {
			errorf("the passphrases do not match");
			free_secret(p, SECRET_MAX + 2);
			free_secret(q, SECRET_MAX + 2);
			return NULL;
		}
		free_secret(q, SECRET_MAX + 2);
	}
	return p;
}

avow_key *load_key(void)
{
	const char *path = g.key ? g.key : getenv("AVOW_KEY");
	avow_key *key = NULL;
	avow_error err;
	char *pass = NULL;
	size_t plen = 0;
	avow_status rc;
	int enc;

	if (path == NULL || *path == 0) {
		errorf("no signing key: give --key FILE or set AVOW_KEY");
		return NULL;
	}
	enc = avow_key_file_encrypted(path);
	if (enc == 1) {
		char what[300];
		snprintf(what, sizeof what, "Passphrase for %s: ", path);
		pass = get_passphrase(what, 0, &plen);
		if (pass == NULL)
			return NULL;
	}
	rc = avow_key_load(&key, path, pass, plen, &err);
	free_secret(pass, plen ? plen + 1 : 0);
	if (rc != AVOW_OK) {
		report_error(&err);
		return NULL;
	}
	return key;
}

int64_t record_time(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (s == NULL || *s == 0)
		return -1;
	if (parse_u64(s, &v) != 0 || v > 253402300799ULL) {
		errorf("SOURCE_DATE_EPOCH=\"%s\" is not a number of seconds "
		       "since 1970 (up to year 9999)",
		       s);
		return -2;
	}
	return (int64_t)v;
}

int append_one(const char *json, const char *label)
{
	avow_key *key;
	avow_log *log;
	avow_draft d;
	avow_error err;
	uint64_t seq;
	int64_t now = record_time();
	int rc;

	if (now == -2)
		return EXIT_USAGE;
	key = load_key();
	if (key == NULL)
		return EXIT_USAGE;
	log = open_log(0);
	if (log == NULL) {
		avow_key_free(key);
		return EXIT_USAGE;
	}
	d.json = json;
	d.len = strlen(json);
	d.label = label;
	d.line = 0;
	if (avow_log_append(log, key, &d, 1, now, &seq, &err) != AVOW_OK) {
		rc = report_error(&err);
	} else {
		printf("%llu\n", (unsigned long long)seq);
		rc = EXIT_OK;
	}
	avow_log_close(log);
	avow_key_free(key);
	return rc;
}

int main(int argc, char **argv)
{
	int i = 1;

	if (avow_init() != AVOW_OK) {
		errorf("libsodium failed to start");
		return EXIT_FAIL;
	}
	/* Global options before the command. */
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			main_usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(a, "--version") == 0) {
			printf("avow %s (log format %d)\n", AVOW_VERSION,
			       AVOW_FORMAT_VERSION);
			return EXIT_OK;
		}
		if (strcmp(a, "--no-saved-state") == 0) {
			g.no_saved = 1;
			i++;
			continue;
		}
		if (i + 1 >= argc ||
		    (strcmp(a, "--log") != 0 && strcmp(a, "--key") != 0 &&
		     strcmp(a, "--passphrase-file") != 0)) {
			errorf("unknown or incomplete option %s (see avow "
			       "--help)",
			       a);
			return EXIT_USAGE;
		}
		if (strcmp(a, "--log") == 0)
			g.log = argv[i + 1];
		else if (strcmp(a, "--key") == 0)
			g.key = argv[i + 1];
		else
			g.passphrase_file = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		main_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 < argc)
			for (size_t k = 0;
			     k < sizeof commands / sizeof *commands; k++)
				if (strcmp(commands[k].name, argv[i + 1]) ==
				    0) {
					fputs(commands[k].usage, stdout);
					return EXIT_OK;
				}
		main_usage(stdout);
		return EXIT_OK;
	}
	for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
		if (strcmp(commands[k].name, argv[i]) == 0)
			return commands[k].fn(argc - i, argv + i);
	errorf("unknown command \"%s\" (see avow --help)", argv[i]);
	return EXIT_USAGE;
}
