/*
 * keys.c - secret signing keys (SPEC section 3): making, importing and
 * exporting, key files, signatures and possession proofs (section 4).
 * The verify-only half (verifier keys, signature checks) is verifier.c.
 *
 * Secrets (the seed, the 64-byte secret key, keys derived from a
 * passphrase, a key file's text) live only in sodium_malloc'ed memory,
 * which sodium_free wipes. A key's secret is made read-only once the key
 * is complete.
 *
 * Key file format (the tool's own; SPEC section 3 leaves it to us): at most
 * 4096 bytes of printable ASCII lines, each ended by one line feed, single
 * spaces between fields, in exactly this order:
 *
 *	avow-secret-key v1
 *	name <key name>
 *	public <base64 of the 32-byte public key>
 *	kdf argon2id <opslimit> <memlimit> <base64 of the 16-byte salt>
 *	nonce <base64 of the 24-byte nonce>
 *	secret <base64 of the 48-byte sealed seed>
 *
 * The seed is sealed with XChaCha20-Poly1305 (IETF) under the key that
 * Argon2id (crypto_pwhash, ALG_ARGON2ID13) derives from the passphrase with
 * the limits and salt of the kdf line; the associated data is the bytes of
 * the first four lines, line feeds included, so no header field can be
 * changed or swapped without the decryption failing. The limits (decimal,
 * no leading zero) are libsodium's interactive, moderate (the default) or
 * sensitive ones, chosen at save time by AVOW_KDF_LIMITS; a reader accepts
 * any value between interactive and sensitive.
 *
 * An unencrypted file, written only when the user asks for one, ends
 * instead with
 *
 *	kdf none
 *	seed <base64 of the 32-byte seed>
 *
 * A reader re-derives the public key from the seed and requires it to
 * equal the "public" line. Files are created 0600 and refused when their
 * mode grants anything to group or others.
 */
#include "internal.h"
#include "keyutil.h"
#include "note.h"
#include "syntax.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYFILE_MAX   4096
#define KEYFILE_MAGIC "avow-secret-key v1"
#define SALT_BYTES    crypto_pwhash_SALTBYTES
#define NONCE_BYTES   crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEALED_BYTES                                                           \
	(AVOW_SEED_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define KEK_BYTES	  crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define C2SP_PREFIX	  "PRIVATE+KEY+"
#define POSSESSION_PREFIX "avow/v1/possession\n"
#define ORIGIN_MAX	  255
#define ALG_ED25519	  0x01

/*
 * The secret half of a key. alg (always 0x01) sits right before the seed
 * so that 0x01 || seed, the C2SP encoding, is one span of guarded memory.
 */
struct avow_secret {
	uint8_t alg;
	uint8_t seed[AVOW_SEED_BYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
};

_Static_assert(sizeof(struct avow_secret) ==
		       1 + AVOW_SEED_BYTES + crypto_sign_SECRETKEYBYTES,
	       "struct avow_secret must have no padding");

struct avow_key {
	struct avow_secret *sec; /* sodium_malloc'ed; read-only when done */
	uint8_t pk[AVOW_PUBKEY_BYTES];
	char name[AVOW_KEY_NAME_MAX + 1];
	char id[AVOW_KEY_ID_MAX + 1];
	char vkey[AVOW_VERIFIER_KEY_MAX + 1];
};

/* ------------------------------------------------------------------
 * Making keys
 * ------------------------------------------------------------------ */

/* A new key with writable, zeroed secret memory and no name yet. */
static avow_status key_new(avow_key **out, avow_error *err)
{
	avow_key *k;

	*out = NULL;
	k = calloc(1, sizeof *k);
	if (k == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM, "key: out of memory");
	k->sec = sodium_malloc(sizeof *k->sec);
	if (k->sec == NULL) {
		free(k);
		return avow_seterr(err, AVOW_ERR_NOMEM,
				   "key: out of guarded memory for the secret");
	}
	sodium_memzero(k->sec, sizeof *k->sec);
	k->sec->alg = ALG_ED25519;
	*out = k;
	return AVOW_OK;
}

static avow_status key_set_name(avow_key *k, const char *name, avow_error *err)
{
	char show[160];
	const char *problem;
	size_t n;

	if (name == NULL)
		return avow_seterr(err, AVOW_ERR_USAGE, "key name is NULL");
	n = strnlen(name, AVOW_KEY_NAME_MAX + 1);
	problem = avow_key_name_problem(name, n);
	if (problem != NULL) {
		avow_show(show, sizeof show, name, n);
		return avow_seterr(
			err, AVOW_ERR_USAGE,
			"key name \"%s\" %s (want 1 to 128 printable "
			"ASCII characters, no space, no '+')",
			show, problem);
	}
	memcpy(k->name, name, n);
	k->name[n] = 0;
	return AVOW_OK;
}

/* Derive the key pair from the seed, format the id and verifier key, and
 * make the secret read-only. */
static void key_finish(avow_key *k)
{
	crypto_sign_seed_keypair(k->pk, k->sec->sk, k->sec->seed);
	avow_key_format(k->id, k->vkey, k->name, k->pk);
	(void)sodium_mprotect_readonly(k->sec);
}

void avow_key_free(avow_key *key)
{
	if (key == NULL)
		return;
	sodium_free(key->sec); /* wipes it, whatever its protection */
	free(key);
}

avow_status avow_key_generate(avow_key **out, const char *name, avow_error *err)
{
	avow_status st;
	avow_key *k;

	if (out == NULL)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_key_generate: out is NULL");
	*out = NULL;
	st = key_new(&k, err);
	if (st != AVOW_OK)
		return st;
	st = key_set_name(k, name, err);
	if (st != AVOW_OK) {
		avow_key_free(k);
		return st;
	}
	randombytes_buf(k->sec->seed, sizeof k->sec->seed);
	key_finish(k);
	*out = k;
	return AVOW_OK;
}

avow_status avow_key_from_seed(avow_key **out, const char *name,
			       const uint8_t seed[AVOW_SEED_BYTES],
			       avow_error *err)
{
	avow_status st;
	avow_key *k;

	if (out == NULL || seed == NULL) {
		if (out != NULL)
			*out = NULL;
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_key_from_seed: NULL argument");
	}
	*out = NULL;
	st = key_new(&k, err);
	if (st != AVOW_OK)
		return st;
	st = key_set_name(k, name, err);
	if (st != AVOW_OK) {
		avow_key_free(k);
		return st;
	}
	memcpy(k->sec->seed, seed, AVOW_SEED_BYTES);
	key_finish(k);
	*out = k;
	return AVOW_OK;
}

const char *avow_key_name(const avow_key *key)
{
	return key ? key->name : NULL;
}

const char *avow_key_id(const avow_key *key)
{
	return key ? key->id : NULL;
}

const char *avow_key_verifier(const avow_key *key)
{
	return key ? key->vkey : NULL;
}

const uint8_t *avow_key_public(const avow_key *key)
{
	return key ? key->pk : NULL;
}

/* ------------------------------------------------------------------
 * C2SP signer keys
 * ------------------------------------------------------------------ */

static int is_ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

static int is_lower_hex8(const char *s, size_t n)
{
	size_t i;

	if (n != 8)
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

avow_status avow_key_import_c2sp(avow_key **out, const char *text, size_t len,
				 avow_error *err)
{
	const char *name, *hash, *b64, *end, *p;
	size_t namelen, pfx = sizeof C2SP_PREFIX - 1;
	char show[160], want[9];
	const char *problem;
	avow_status st;
	avow_key *k;

	if (out == NULL || text == NULL) {
		if (out != NULL)
			*out = NULL;
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_key_import_c2sp: NULL argument");
	}
	*out = NULL;
	while (len > 0 && is_ascii_space(text[0])) {
		text++;
		len--;
	}
	while (len > 0 && is_ascii_space(text[len - 1]))
		len--;
	end = text + len;

	if (len < pfx || memcmp(text, C2SP_PREFIX, pfx) != 0)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "C2SP signer key: does not start with "
				   "\"" C2SP_PREFIX "\"");
	name = text + pfx;
	p = memchr(name, '+', (size_t)(end - name));
	if (p == NULL)
		return avow_seterr(
			err, AVOW_ERR_SYNTAX,
			"C2SP signer key: not of the form " C2SP_PREFIX
			"name+hhhhhhhh+base64");
	namelen = (size_t)(p - name);
	problem = avow_key_name_problem(name, namelen);
	if (problem != NULL) {
		avow_show(show, sizeof show, name, namelen);
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "C2SP signer key: key name \"%s\" %s", show,
				   problem);
	}
	avow_show(show, sizeof show, name, namelen); /* valid: shown as is */
	hash = p + 1;
	p = memchr(hash, '+', (size_t)(end - hash));
	if (p == NULL || !is_lower_hex8(hash, (size_t)(p - hash)))
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "C2SP signer key %s: the key hash is not 8 "
				   "lower-case hex digits followed by '+'",
				   show);
	b64 = p + 1;

	st = key_new(&k, err);
	if (st != AVOW_OK)
		return st;
	/* Decode 0x01 || seed straight into the guarded secret. */
	if (!avow_b64_decode_exact(&k->sec->alg, 1 + AVOW_SEED_BYTES, b64,
				   (size_t)(end - b64))) {
		avow_key_free(k);
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "C2SP signer key %s: the key is not "
				   "canonical base64 of 33 bytes",
				   show);
	}
	if (k->sec->alg != ALG_ED25519) {
		unsigned alg = k->sec->alg;

		avow_key_free(k);
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "C2SP signer key %s: algorithm byte 0x%02x "
				   "is not 0x01 (Ed25519)",
				   show, alg);
	}
	memcpy(k->name, name, namelen);
	k->name[namelen] = 0;
	key_finish(k);
	/* the id ends with the hash computed from the derived public key */
	memcpy(want, k->id + namelen + 1, 8);
	want[8] = 0;
	if (memcmp(hash, want, 8) != 0) {
		avow_key_free(k);
		return avow_seterr(
			err, AVOW_ERR_CRYPTO,
			"C2SP signer key %s+%.8s: key hash %.8s does "
			"not match the name and key (want %s)",
			show, hash, hash, want);
	}
	*out = k;
	return AVOW_OK;
}

avow_status avow_key_export_c2sp(const avow_key *key, char *out, size_t outlen,
				 avow_error *err)
{
	size_t pfx = sizeof C2SP_PREFIX - 1, idlen, need;

	if (key == NULL || out == NULL)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_key_export_c2sp: NULL argument");
	idlen = strlen(key->id);
	need = pfx + idlen + 1 + AVOW_B64_LEN(1 + AVOW_SEED_BYTES) + 1;
	if (outlen < need)
		return avow_seterr(
			err, AVOW_ERR_USAGE,
			"C2SP export of %s: a buffer of %zu bytes is "
			"too small (need %zu)",
			key->id, outlen, need);
	memcpy(out, C2SP_PREFIX, pfx);
	memcpy(out + pfx, key->id, idlen);
	out[pfx + idlen] = '+';
	avow_b64_encode(out + pfx + idlen + 1, &key->sec->alg,
			1 + AVOW_SEED_BYTES);
	return AVOW_OK;
}

/* ------------------------------------------------------------------
 * Signatures and possession proofs
 * ------------------------------------------------------------------ */

avow_status avow_key_sign(const avow_key *key, const uint8_t *msg, size_t len,
			  uint8_t sig[AVOW_SIG_BYTES], avow_error *err)
{
	if (key == NULL || sig == NULL || (msg == NULL && len != 0))
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_key_sign: NULL argument");
	if (crypto_sign_detached(sig, NULL, msg, len, key->sec->sk) != 0)
		return avow_seterr(err, AVOW_ERR_CRYPTO,
				   "signing with %s failed", key->id);
	return AVOW_OK;
}

/* What is wrong with a log origin (SPEC section 4, genesis), or NULL. */
static const char *origin_problem(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return "is empty";
	if (n > ORIGIN_MAX)
		return "is longer than 255 bytes";
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return "contains a space or a byte outside printable "
			       "ASCII";
	}
	if (n >= 5 && memcmp(s, "avow/", 5) == 0)
		return "starts with \"avow/\"";
	return NULL;
}

avow_status avow_checkpoint_sign(const avow_key *key, const char *origin,
				 uint64_t size, const uint8_t root[32],
				 char **note, avow_error *err)
{
	uint8_t blob[4 + AVOW_SIG_BYTES];
	char b64[AVOW_B64_LEN(sizeof blob) + 1];
	const char *problem;
	avow_checkpoint cp;
	avow_status st;
	avow_buf b;

	if (key == NULL || origin == NULL || root == NULL || note == NULL)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_checkpoint_sign: NULL argument");
	*note = NULL;
	problem = origin_problem(origin, strlen(origin));
	if (problem != NULL)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "checkpoint: the origin %s", problem);
	if (size == 0)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "checkpoint: the tree size must be at "
				   "least 1");
	avow_buf_init(&b);
	avow_checkpoint_text(&b, origin, size, root);
	avow_key_hash(blob, key->name, strlen(key->name), key->pk);
	st = avow_key_sign(key, b.p, b.len, blob + 4, err);
	if (st != AVOW_OK) {
		avow_buf_free(&b);
		return st;
	}
	avow_b64_encode(b64, blob, sizeof blob);
	avow_buf_addf(&b, "\n\xE2\x80\x94 %s %s\n", key->name, b64);
	if (b.oom) {
		avow_buf_free(&b);
		return avow_seterr(err, AVOW_ERR_NOMEM, "out of memory");
	}
	/* Sign, then open what was signed, as a reader will. */
	st = avow_checkpoint_verify(&cp, (const char *)b.p, b.len, key->vkey,
				    err);
	if (st != AVOW_OK || cp.size != size ||
	    memcmp(cp.root, root, 32) != 0) {
		avow_buf_free(&b);
		return avow_seterr(err, AVOW_ERR_CRYPTO,
				   "the checkpoint signed by %s does not "
				   "verify after signing",
				   key->id);
	}
	*note = avow_buf_cstr(&b);
	return AVOW_OK;
}

avow_status avow_key_possession(const avow_key *key, const char *origin,
				char out[89], avow_error *err)
{
	uint8_t sig[AVOW_SIG_BYTES];
	const char *problem;
	char show[300];
	avow_status st;
	avow_buf msg;
	size_t olen;

	if (key == NULL || origin == NULL || out == NULL)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_key_possession: NULL argument");
	out[0] = 0;
	olen = strlen(origin);
	problem = origin_problem(origin, olen);
	if (problem != NULL) {
		avow_show(show, sizeof show, origin, olen);
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "possession proof of %s: origin \"%s\" %s",
				   key->id, show, problem);
	}

	avow_buf_init(&msg);
	avow_buf_adds(&msg, POSSESSION_PREFIX);
	avow_buf_add(&msg, origin, olen);
	avow_buf_addc(&msg, '\n');
	avow_buf_adds(&msg, key->vkey);
	if (msg.oom) {
		avow_buf_free(&msg);
		return avow_seterr(err, AVOW_ERR_NOMEM,
				   "possession proof of %s: out of memory",
				   key->id);
	}
	st = avow_key_sign(key, msg.p, msg.len, sig, err);
	avow_buf_free(&msg);
	if (st != AVOW_OK)
		return st;
	avow_b64_encode(out, sig, sizeof sig);

	/* Sign, then verify what was signed, as the auditor will. */
	st = avow_possession_verify(origin, key->vkey, strlen(key->vkey), out,
				    strlen(out), err);
	if (st != AVOW_OK) {
		out[0] = 0;
		return avow_seterr(
			err, AVOW_ERR_CRYPTO,
			"possession proof of %s does not verify "
			"after signing: the key in memory is damaged",
			key->id);
	}
	return AVOW_OK;
}

/* ------------------------------------------------------------------
 * Key files
 * ------------------------------------------------------------------ */

/* The Argon2id limits of a key file. */
struct kdf_limits {
	unsigned long long ops;
	size_t mem;
};

/* A parsed key file. Nothing here is secret: the seed of an unencrypted
 * file goes straight into guarded memory. */
struct keyfile {
	char name[AVOW_KEY_NAME_MAX + 1];
	uint8_t pk[AVOW_PUBKEY_BYTES];
	int encrypted;
	struct kdf_limits kdf;
	uint8_t salt[SALT_BYTES];
	uint8_t nonce[NONCE_BYTES];
	uint8_t sealed[SEALED_BYTES];
	size_t adlen; /* bytes of the header lines: the associated data */
};

static const char *errstr(int e, char *buf, size_t n)
{
	if (strerror_r(e, buf, n) != 0)
		snprintf(buf, n, "error %d", e);
	return buf;
}

/* Limits chosen by AVOW_KDF_LIMITS (unset or empty: moderate). */
static avow_status kdf_limits_from_env(struct kdf_limits *l, avow_error *err)
{
	const char *v = getenv("AVOW_KDF_LIMITS");
	char show[80];

	if (v == NULL || v[0] == 0 || strcmp(v, "moderate") == 0) {
		l->ops = crypto_pwhash_OPSLIMIT_MODERATE;
		l->mem = crypto_pwhash_MEMLIMIT_MODERATE;
	} else if (strcmp(v, "interactive") == 0) {
		l->ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		l->mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	} else if (strcmp(v, "sensitive") == 0) {
		l->ops = crypto_pwhash_OPSLIMIT_SENSITIVE;
		l->mem = crypto_pwhash_MEMLIMIT_SENSITIVE;
	} else {
		avow_show(show, sizeof show, v, strlen(v));
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "AVOW_KDF_LIMITS=%s: want interactive, "
				   "moderate or sensitive",
				   show);
	}
	return AVOW_OK;
}

/* Derive the key-encryption key into guarded memory (*kek, freed by the
 * caller with sodium_free). */
static avow_status derive_kek(uint8_t **kek, const char *path, const char *pass,
			      size_t passlen, const uint8_t salt[SALT_BYTES],
			      const struct kdf_limits *l, avow_error *err)
{
	uint8_t *k;

	*kek = NULL;
	if (passlen > crypto_pwhash_PASSWD_MAX)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "%s: the passphrase is too long", path);
	k = sodium_malloc(KEK_BYTES);
	if (k == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM,
				   "%s: out of guarded memory", path);
	if (crypto_pwhash(k, KEK_BYTES, pass, passlen, salt, l->ops, l->mem,
			  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(k);
		return avow_seterr(err, AVOW_ERR_NOMEM,
				   "%s: Argon2id failed: it needs %zu MiB of "
				   "memory",
				   path, l->mem >> 20);
	}
	*kek = k;
	return AVOW_OK;
}

/* Open the sealed seed of kf (whose header lines are text[0..adlen)). */
static avow_status unseal(uint8_t seed[AVOW_SEED_BYTES], const char *path,
			  const struct keyfile *kf, const char *text,
			  const uint8_t *kek, avow_error *err)
{
	unsigned long long mlen = 0;

	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    seed, &mlen, NULL, kf->sealed, sizeof kf->sealed,
		    (const uint8_t *)text, kf->adlen, kf->nonce, kek) != 0 ||
	    mlen != AVOW_SEED_BYTES)
		return avow_seterr(err, AVOW_ERR_PASSPHRASE,
				   "%s: wrong passphrase, or the key file was "
				   "altered",
				   path);
	return AVOW_OK;
}

/* ---- parsing ---- */

/* A cursor over the lines of a key file. */
struct lines {
	const char *p;
	size_t len;
	size_t off;
	int no; /* number of the line last returned, from 1 */
};

/* The next line, without its line feed. Returns 1, 0 at the end, or -1
 * (error set) when the line is not printable ASCII ended by a line feed. */
static int next_line(struct lines *lx, const char *path, const char **line,
		     size_t *n, avow_error *err)
{
	const char *s = lx->p + lx->off, *nl;
	size_t i, rest = lx->len - lx->off;

	if (rest == 0)
		return 0;
	lx->no++;
	nl = memchr(s, '\n', rest);
	if (nl == NULL) {
		avow_seterr(err, AVOW_ERR_SYNTAX,
			    "%s: line %d: no line feed at its end", path,
			    lx->no);
		return -1;
	}
	for (i = 0; s + i < nl; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) {
			avow_seterr(err, AVOW_ERR_SYNTAX,
				    "%s: line %d: byte 0x%02x is not printable "
				    "ASCII",
				    path, lx->no, (unsigned char)s[i]);
			return -1;
		}
	}
	*line = s;
	*n = (size_t)(nl - s);
	lx->off += *n + 1;
	return 1;
}

/* The next line, which must be "<word> <value>" (or just "<word>" when
 * value is NULL). what says how the line should look, for messages. */
static avow_status want_line(struct lines *lx, const char *path,
			     const char *word, const char *what,
			     const char **value, size_t *vlen, avow_error *err)
{
	size_t wl = strlen(word), n;
	const char *line;
	int r;

	r = next_line(lx, path, &line, &n, err);
	if (r < 0)
		return AVOW_ERR_SYNTAX;
	if (r == 0)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "%s: line %d: missing, want \"%s\"", path,
				   lx->no + 1, what);
	if (value == NULL) {
		if (n == wl && memcmp(line, word, wl) == 0)
			return AVOW_OK;
	} else if (n > wl + 1 && memcmp(line, word, wl) == 0 &&
		   line[wl] == ' ') {
		*value = line + wl + 1;
		*vlen = n - wl - 1;
		return AVOW_OK;
	}
	return avow_seterr(err, AVOW_ERR_SYNTAX, "%s: line %d: want \"%s\"",
			   path, lx->no, what);
}

/* Split the first space-separated field off *s. Returns 0 when it is
 * empty. */
static int next_field(const char **s, size_t *n, const char **f, size_t *flen)
{
	const char *sp = memchr(*s, ' ', *n);
	size_t l = sp ? (size_t)(sp - *s) : *n;

	*f = *s;
	*flen = l;
	if (sp != NULL) {
		*s = sp + 1;
		*n -= l + 1;
	} else {
		*s += l;
		*n = 0;
	}
	return l > 0;
}

/* A decimal number without sign or leading zero, at most max. */
static int parse_dec(const char *s, size_t n, unsigned long long max,
		     unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (max - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

static avow_status parse_kdf(struct keyfile *kf, const char *path, int lineno,
			     const char *v, size_t n, avow_error *err)
{
	const char *f;
	size_t fl;
	unsigned long long mem;

	if (n == 4 && memcmp(v, "none", 4) == 0) {
		kf->encrypted = 0;
		return AVOW_OK;
	}
	if (!next_field(&v, &n, &f, &fl) || fl != 8 ||
	    memcmp(f, "argon2id", 8) != 0)
		return avow_seterr(
			err, AVOW_ERR_SYNTAX,
			"%s: line %d: want \"kdf argon2id <opslimit> "
			"<memlimit> <salt>\" or \"kdf none\"",
			path, lineno);
	kf->encrypted = 1;
	if (!next_field(&v, &n, &f, &fl) ||
	    !parse_dec(f, fl, ULLONG_MAX, &kf->kdf.ops) ||
	    !next_field(&v, &n, &f, &fl) || !parse_dec(f, fl, SIZE_MAX, &mem))
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "%s: line %d: the Argon2id limits are not "
				   "two decimal numbers",
				   path, lineno);
	kf->kdf.mem = (size_t)mem;
	if (kf->kdf.ops < crypto_pwhash_OPSLIMIT_INTERACTIVE ||
	    kf->kdf.ops > crypto_pwhash_OPSLIMIT_SENSITIVE)
		return avow_seterr(
			err, AVOW_ERR_INVALID,
			"%s: line %d: opslimit %llu is outside "
			"%llu..%llu",
			path, lineno, kf->kdf.ops,
			(unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE,
			(unsigned long long)crypto_pwhash_OPSLIMIT_SENSITIVE);
	if (kf->kdf.mem < crypto_pwhash_MEMLIMIT_INTERACTIVE ||
	    kf->kdf.mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "%s: line %d: memlimit %zu is outside "
				   "%zu..%zu",
				   path, lineno, kf->kdf.mem,
				   (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE,
				   (size_t)crypto_pwhash_MEMLIMIT_SENSITIVE);
	if (!next_field(&v, &n, &f, &fl) || n != 0 ||
	    !avow_b64_decode_exact(kf->salt, sizeof kf->salt, f, fl))
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "%s: line %d: the salt is not canonical "
				   "base64 of %d bytes, or more follows it",
				   path, lineno, (int)SALT_BYTES);
	return AVOW_OK;
}

/* A base64 field of exactly want bytes on the line just read. */
static avow_status b64_field(uint8_t *out, size_t want, const char *v, size_t n,
			     const char *path, int lineno, const char *what,
			     avow_error *err)
{
	if (!avow_b64_decode_exact(out, want, v, n))
		return avow_seterr(
			err, AVOW_ERR_SYNTAX,
			"%s: line %d: the %s is not canonical base64 "
			"of %zu bytes",
			path, lineno, what, want);
	return AVOW_OK;
}

/*
 * Parse the key file text[0..len) strictly. The seed of an unencrypted
 * file is decoded into seed (guarded memory); the sealed seed of an
 * encrypted one into kf->sealed.
 */
static avow_status parse_keyfile(struct keyfile *kf, uint8_t *seed,
				 const char *path, const char *text, size_t len,
				 avow_error *err)
{
	struct lines lx = {text, len, 0, 0};
	const char *v = NULL, *line, *problem;
	char show[160];
	avow_status st;
	size_t n = 0;
	int r;

	memset(kf, 0, sizeof *kf);
	r = next_line(&lx, path, &line, &n, err);
	if (r < 0)
		return AVOW_ERR_SYNTAX;
	if (r == 0 || n != sizeof KEYFILE_MAGIC - 1 ||
	    memcmp(line, KEYFILE_MAGIC, n) != 0)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "%s: line 1: not an avow secret key file "
				   "(want \"" KEYFILE_MAGIC "\")",
				   path);

	st = want_line(&lx, path, "name", "name <key name>", &v, &n, err);
	if (st != AVOW_OK)
		return st;
	problem = avow_key_name_problem(v, n);
	if (problem != NULL) {
		avow_show(show, sizeof show, v, n);
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "%s: line %d: key name \"%s\" %s", path,
				   lx.no, show, problem);
	}
	memcpy(kf->name, v, n);
	kf->name[n] = 0;

	st = want_line(&lx, path, "public", "public <base64>", &v, &n, err);
	if (st == AVOW_OK)
		st = b64_field(kf->pk, sizeof kf->pk, v, n, path, lx.no,
			       "public key", err);
	if (st != AVOW_OK)
		return st;

	st = want_line(&lx, path, "kdf",
		       "kdf argon2id <opslimit> <memlimit> <salt>", &v, &n,
		       err);
	if (st == AVOW_OK)
		st = parse_kdf(kf, path, lx.no, v, n, err);
	if (st != AVOW_OK)
		return st;
	kf->adlen = lx.off;

	if (kf->encrypted) {
		st = want_line(&lx, path, "nonce", "nonce <base64>", &v, &n,
			       err);
		if (st == AVOW_OK)
			st = b64_field(kf->nonce, sizeof kf->nonce, v, n, path,
				       lx.no, "nonce", err);
		if (st == AVOW_OK)
			st = want_line(&lx, path, "secret", "secret <base64>",
				       &v, &n, err);
		if (st == AVOW_OK)
			st = b64_field(kf->sealed, sizeof kf->sealed, v, n,
				       path, lx.no, "sealed secret", err);
	} else {
		st = want_line(&lx, path, "seed", "seed <base64>", &v, &n, err);
		if (st == AVOW_OK)
			st = b64_field(seed, AVOW_SEED_BYTES, v, n, path, lx.no,
				       "seed", err);
	}
	if (st != AVOW_OK)
		return st;

	r = next_line(&lx, path, &line, &n, err);
	if (r < 0)
		return AVOW_ERR_SYNTAX;
	if (r > 0)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "%s: line %d: unexpected line after the "
				   "last one",
				   path, lx.no);
	return AVOW_OK;
}

/* ---- reading ---- */

/* Read the key file at path into buf (guarded, KEYFILE_MAX + 1 bytes). */
static avow_status read_keyfile(const char *path, char *buf, size_t *len,
				int check_mode, avow_error *err)
{
	char es[128];
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd, e;

	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		return avow_seterr(
			err, e == ENOENT ? AVOW_ERR_NOT_FOUND : AVOW_ERR_IO,
			"%s: cannot open: %s", path, errstr(e, es, sizeof es));
	}
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		return avow_seterr(err, AVOW_ERR_IO, "%s: cannot stat: %s",
				   path, errstr(e, es, sizeof es));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return avow_seterr(err, AVOW_ERR_IO, "%s: not a regular file",
				   path);
	}
	if (check_mode && (st.st_mode & 077) != 0) {
		close(fd);
		return avow_seterr(
			err, AVOW_ERR_PERMISSIONS,
			"%s: mode %04o gives group or others access to "
			"the secret key; run chmod 600 %s",
			path, (unsigned)(st.st_mode & 07777), path);
	}
	if (st.st_size > KEYFILE_MAX) {
		close(fd);
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "%s: %lld bytes is too large for a key file "
				   "(at most %d)",
				   path, (long long)st.st_size, KEYFILE_MAX);
	}
	while (got <= KEYFILE_MAX) {
		r = read(fd, buf + got, KEYFILE_MAX + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			return avow_seterr(err, AVOW_ERR_IO,
					   "%s: cannot read: %s", path,
					   errstr(e, es, sizeof es));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got > KEYFILE_MAX)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "%s: too large for a key file (at most %d "
				   "bytes)",
				   path, KEYFILE_MAX);
	*len = got;
	return AVOW_OK;
}

int avow_key_file_encrypted(const char *path)
{
	struct avow_secret *scratch;
	struct keyfile kf;
	char *text;
	size_t len;
	int ret = -1;

	if (path == NULL)
		return -1;
	text = sodium_malloc(KEYFILE_MAX + 1);
	scratch = sodium_malloc(sizeof *scratch);
	if (text != NULL && scratch != NULL &&
	    read_keyfile(path, text, &len, 0, NULL) == AVOW_OK &&
	    parse_keyfile(&kf, scratch->seed, path, text, len, NULL) == AVOW_OK)
		ret = kf.encrypted;
	sodium_free(scratch);
	sodium_free(text);
	return ret;
}

avow_status avow_key_load(avow_key **out, const char *path,
			  const char *passphrase, size_t passlen,
			  avow_error *err)
{
	struct keyfile kf;
	uint8_t *kek = NULL;
	avow_key *k = NULL;
	char *text;
	avow_status st;
	size_t len;

	if (out == NULL || path == NULL) {
		if (out != NULL)
			*out = NULL;
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_key_load: NULL argument");
	}
	*out = NULL;
	text = sodium_malloc(KEYFILE_MAX + 1);
	if (text == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM,
				   "%s: out of guarded memory", path);
	st = read_keyfile(path, text, &len, 1, err);
	if (st == AVOW_OK)
		st = key_new(&k, err);
	if (st == AVOW_OK)
		st = parse_keyfile(&kf, k->sec->seed, path, text, len, err);
	if (st == AVOW_OK && kf.encrypted && passphrase == NULL)
		st = avow_seterr(err, AVOW_ERR_USAGE,
				 "%s is encrypted: a passphrase is needed",
				 path);
	if (st == AVOW_OK && kf.encrypted) {
		st = derive_kek(&kek, path, passphrase, passlen, kf.salt,
				&kf.kdf, err);
		if (st == AVOW_OK)
			st = unseal(k->sec->seed, path, &kf, text, kek, err);
		sodium_free(kek);
	}
	if (st == AVOW_OK) {
		memcpy(k->name, kf.name, sizeof k->name);
		key_finish(k);
		if (memcmp(k->pk, kf.pk, sizeof kf.pk) != 0)
			st = avow_seterr(err, AVOW_ERR_INVALID,
					 "%s: the public key does not match "
					 "the secret key",
					 path);
	}
	sodium_free(text);
	if (st != AVOW_OK) {
		avow_key_free(k);
		return st;
	}
	*out = k;
	return AVOW_OK;
}

/* ---- writing ---- */

/* Text being built in guarded memory of KEYFILE_MAX bytes. */
struct text {
	char *p;
	size_t len;
	int full;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->full || n >= KEYFILE_MAX - t->len) {
		t->full = 1;
		return;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
}

static void text_adds(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

static void text_add_b64(struct text *t, const uint8_t *in, size_t n)
{
	if (t->full || AVOW_B64_LEN(n) >= KEYFILE_MAX - t->len) {
		t->full = 1;
		return;
	}
	t->len += avow_b64_encode(t->p + t->len, in, n);
}

static void text_add_ull(struct text *t, unsigned long long v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%llu", v);

	text_add(t, num, (size_t)n);
}

/* Write len bytes to a new file at path, mode 0600, synced; on failure
 * nothing is left behind. */
static avow_status write_new_file(const char *path, const char *p, size_t len,
				  avow_error *err)
{
	char es[128];
	size_t done = 0;
	ssize_t r;
	int fd, e;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		e = errno;
		if (e == EEXIST)
			return avow_seterr(err, AVOW_ERR_EXISTS,
					   "%s: already exists; a key file is "
					   "never overwritten",
					   path);
		return avow_seterr(err,
				   e == ENOSPC ? AVOW_ERR_FULL : AVOW_ERR_IO,
				   "%s: cannot create: %s", path,
				   errstr(e, es, sizeof es));
	}
	if (fchmod(fd, 0600) != 0)
		goto fail;
	while (done < len) {
		r = write(fd, p + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		done += (size_t)r;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return AVOW_OK;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(path);
	return avow_seterr(err, e == ENOSPC ? AVOW_ERR_FULL : AVOW_ERR_IO,
			   "%s: cannot write: %s", path,
			   errstr(e, es, sizeof es));
}

/*
 * Read back the text about to be written, as avow_key_load would, with
 * the key-encryption key already derived: it must give this key again.
 */
static avow_status check_keyfile(const avow_key *key, const char *path,
				 const struct text *t, const uint8_t *kek,
				 avow_error *err)
{
	uint8_t pk[AVOW_PUBKEY_BYTES];
	struct avow_secret *sec;
	struct keyfile kf;
	avow_status st;

	sec = sodium_malloc(sizeof *sec);
	if (sec == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM,
				   "%s: out of guarded memory", path);
	st = parse_keyfile(&kf, sec->seed, path, t->p, t->len, err);
	if (st == AVOW_OK && kf.encrypted != (kek != NULL))
		st = AVOW_ERR_CRYPTO;
	if (st == AVOW_OK && kek != NULL)
		st = unseal(sec->seed, path, &kf, t->p, kek, err);
	if (st == AVOW_OK) {
		crypto_sign_seed_keypair(pk, sec->sk, sec->seed);
		if (sodium_memcmp(sec->seed, key->sec->seed, AVOW_SEED_BYTES) !=
			    0 ||
		    memcmp(pk, key->pk, sizeof pk) != 0 ||
		    memcmp(kf.pk, key->pk, sizeof pk) != 0 ||
		    strcmp(kf.name, key->name) != 0)
			st = AVOW_ERR_CRYPTO;
	}
	sodium_free(sec);
	if (st != AVOW_OK)
		return avow_seterr(err, AVOW_ERR_CRYPTO,
				   "%s: the key file made for %s does not read "
				   "back; nothing written",
				   path, key->id);
	return AVOW_OK;
}

avow_status avow_key_save(const avow_key *key, const char *path,
			  const char *passphrase, size_t passlen,
			  avow_error *err)
{
	uint8_t salt[SALT_BYTES], nonce[NONCE_BYTES], sealed[SEALED_BYTES];
	struct kdf_limits l = {0, 0};
	struct text t = {NULL, 0, 0};
	uint8_t *kek = NULL;
	unsigned long long clen;
	avow_status st;

	if (key == NULL || path == NULL)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_key_save: NULL argument");
	if (passphrase != NULL && passlen == 0)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "%s: the passphrase is empty (to write the "
				   "key unencrypted, ask for it by name)",
				   path);
	if (passphrase != NULL) {
		st = kdf_limits_from_env(&l, err);
		if (st != AVOW_OK)
			return st;
	}
	t.p = sodium_malloc(KEYFILE_MAX);
	if (t.p == NULL)
		return avow_seterr(err, AVOW_ERR_NOMEM,
				   "%s: out of guarded memory", path);

	text_adds(&t, KEYFILE_MAGIC "\nname ");
	text_adds(&t, key->name);
	text_adds(&t, "\npublic ");
	text_add_b64(&t, key->pk, sizeof key->pk);
	if (passphrase == NULL) {
		text_adds(&t, "\nkdf none\nseed ");
		text_add_b64(&t, key->sec->seed, AVOW_SEED_BYTES);
		text_adds(&t, "\n");
	} else {
		randombytes_buf(salt, sizeof salt);
		randombytes_buf(nonce, sizeof nonce);
		text_adds(&t, "\nkdf argon2id ");
		text_add_ull(&t, l.ops);
		text_adds(&t, " ");
		text_add_ull(&t, l.mem);
		text_adds(&t, " ");
		text_add_b64(&t, salt, sizeof salt);
		text_adds(&t, "\n");
		/* t holds the header lines: the associated data */
		st = derive_kek(&kek, path, passphrase, passlen, salt, &l, err);
		if (st != AVOW_OK)
			goto out;
		crypto_aead_xchacha20poly1305_ietf_encrypt(
			sealed, &clen, key->sec->seed, AVOW_SEED_BYTES,
			(const uint8_t *)t.p, t.len, NULL, nonce, kek);
		text_adds(&t, "nonce ");
		text_add_b64(&t, nonce, sizeof nonce);
		text_adds(&t, "\nsecret ");
		text_add_b64(&t, sealed, sizeof sealed);
		text_adds(&t, "\n");
	}
	if (t.full) {
		st = avow_seterr(err, AVOW_ERR_USAGE,
				 "%s: the key file would exceed %d bytes", path,
				 KEYFILE_MAX);
		goto out;
	}
	st = check_keyfile(key, path, &t, kek, err);
	if (st == AVOW_OK)
		st = write_new_file(path, t.p, t.len, err);
out:
	sodium_free(kek);
	sodium_free(t.p);
	return st;
}
