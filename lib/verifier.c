/*
 * verifier.c - the verify-only side of keys (SPEC section 3 and the
 * possession proofs of section 4): key names, key hashes, verifier keys,
 * signature checks. It holds no secret key and is linked into the
 * standalone auditor; signing lives in keys.c.
 */
#include "internal.h"
#include "keyutil.h"
#include "syntax.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POSSESSION_PREFIX "avow/v1/possession\n"
#define SIG_B64_LEN	  AVOW_B64_LEN(AVOW_SIG_BYTES) /* 88 */
#define ALG_ED25519	  0x01

avow_status avow_init(void)
{
	if (sodium_init() < 0)
		return AVOW_ERR_CRYPTO;
	return AVOW_OK;
}

void avow_free(void *p)
{
	free(p);
}

const char *avow_strerror(avow_status code)
{
	switch (code) {
	case AVOW_OK: return "success";
	case AVOW_ERR_NOMEM: return "out of memory";
	case AVOW_ERR_IO: return "a file could not be read or written";
	case AVOW_ERR_USAGE: return "an argument is not acceptable";
	case AVOW_ERR_SYNTAX: return "malformed JSON, encoding or field";
	case AVOW_ERR_INVALID: return "breaks a rule of the format";
	case AVOW_ERR_CRYPTO: return "a signature or key does not verify";
	case AVOW_ERR_PASSPHRASE:
		return "wrong passphrase, or the key file was altered";
	case AVOW_ERR_NOT_LOG: return "not an avow log";
	case AVOW_ERR_VERSION: return "the log is of a newer format version";
	case AVOW_ERR_CORRUPT: return "the storage is corrupt";
	case AVOW_ERR_BUSY: return "another writer held the log too long";
	case AVOW_ERR_CLOCK: return "the clock is behind the last record";
	case AVOW_ERR_EXISTS: return "would overwrite something that exists";
	case AVOW_ERR_NOT_FOUND: return "not found";
	case AVOW_ERR_AUDIT: return "the log fails its audit";
	case AVOW_ERR_PERMISSIONS: return "a key file is readable by others";
	case AVOW_ERR_FULL: return "the disk or database is full";
	case AVOW_ERR_READONLY: return "the log cannot be written";
	}
	return "unknown status";
}

/* ------------------------------------------------------------------ */

static int is_print(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e;
}

const char *avow_key_name_problem(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return "is empty";
	if (n > AVOW_KEY_NAME_MAX)
		return "is longer than 128 bytes";
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+')
			return "contains '+'";
		if (c == ' ')
			return "contains a space";
		if (!is_print(c))
			return "contains a byte outside printable ASCII";
	}
	return NULL;
}

int avow_key_name_valid(const char *name)
{
	if (name == NULL)
		return 0;
	return avow_key_name_problem(
		       name, strnlen(name, AVOW_KEY_NAME_MAX + 1)) == NULL;
}

/* Length of the escaped spelling of byte c in avow_show. */
static size_t show_len(unsigned char c)
{
	return is_print(c) && c != '\\' ? 1 : 4;
}

void avow_show(char *out, size_t outlen, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, full = 0;
	int cut;

	if (outlen == 0)
		return;
	for (i = 0; i < n; i++)
		full += show_len((unsigned char)s[i]);
	cut = full >= outlen;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t l = show_len(c);

		if (o + l + (cut ? 3 : 0) + 1 > outlen)
			break;
		if (l == 1) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (cut && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
}

/* How a verifier key is named in messages: up to and including its second
 * '+' (name and key hash), then "...". */
static void show_vkey(char *out, size_t outlen, const char *s, size_t n)
{
	const char *p1 = memchr(s, '+', n);
	const char *p2 = NULL;
	size_t shown;

	if (p1 != NULL)
		p2 = memchr(p1 + 1, '+', n - (size_t)(p1 + 1 - s));
	if (p2 == NULL || (size_t)(p2 + 1 - s) == n) {
		avow_show(out, outlen, s, n);
		return;
	}
	shown = (size_t)(p2 + 1 - s);
	avow_show(out, outlen > 3 ? outlen - 3 : outlen, s, shown);
	if (outlen > 3) /* avow_show() left room for it */
		// NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.strcpy)
		strcat(out, "...");
}

void avow_key_hash(uint8_t out[4], const char *name, size_t namelen,
		   const uint8_t pk[32])
{
	static const uint8_t sep[2] = {0x0a, ALG_ED25519};
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, namelen);
	crypto_hash_sha256_update(&st, sep, sizeof sep);
	crypto_hash_sha256_update(&st, pk, 32);
	crypto_hash_sha256_final(&st, h);
	memcpy(out, h, 4);
}

void avow_key_format(char *id, char *vkey, const char *name,
		     const uint8_t pk[32])
{
	size_t namelen = strnlen(name, AVOW_KEY_NAME_MAX);
	uint8_t h[4], raw[1 + AVOW_PUBKEY_BYTES];
	size_t idlen;

	avow_key_hash(h, name, namelen, pk);
	snprintf(id, AVOW_KEY_ID_MAX + 1, "%.*s+%02x%02x%02x%02x", (int)namelen,
		 name, h[0], h[1], h[2], h[3]);
	if (vkey == NULL)
		return;
	idlen = strlen(id);
	memcpy(vkey, id, idlen);
	vkey[idlen] = '+';
	raw[0] = ALG_ED25519;
	memcpy(raw + 1, pk, AVOW_PUBKEY_BYTES);
	avow_b64_encode(vkey + idlen + 1, raw, sizeof raw);
}

/* The group order L = 2^252 + 27742317777372353535851937790883648493,
 * little-endian. */
static const uint8_t ed25519_l[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
	0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

/* Whether the little-endian scalar s is below L (public data: no need
 * for constant time). */
static int scalar_canonical(const uint8_t s[32])
{
	int i;

	for (i = 31; i >= 0; i--) {
		if (s[i] != ed25519_l[i])
			return s[i] < ed25519_l[i];
	}
	return 0;
}

int avow_sig_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
		    const uint8_t pk[32])
{
	/*
	 * libsodium >= 1.0.16 built without ED25519_COMPAT (every ordinary
	 * build) checks S < L, that R and pk are not of small order, and that
	 * pk is canonical; R is canonical because it must equal the canonical
	 * encoding it recomputes. The S check is repeated here so that no
	 * build of libsodium can accept a malleated S + L.
	 */
	if (!scalar_canonical(sig + 32))
		return 0;
	return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

static int is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

avow_status avow_verifier_parse(avow_verifier *out, const char *s, size_t len,
				avow_error *err)
{
	uint8_t raw[1 + AVOW_PUBKEY_BYTES];
	uint8_t want[4];
	char show[200], nshow[160];
	const char *p1, *p2, *problem, *b64;
	size_t namelen, b64len;
	char hex[9];

	if (out == NULL || s == NULL)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_verifier_parse: NULL argument");
	memset(out, 0, sizeof *out);
	show_vkey(show, sizeof show, s, len);

	p1 = memchr(s, '+', len);
	p2 = p1 ? memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - s)) : NULL;
	if (p2 == NULL)
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "verifier key %s: not of the form "
				   "name+hhhhhhhh+base64",
				   show);

	namelen = (size_t)(p1 - s);
	problem = avow_key_name_problem(s, namelen);
	if (problem != NULL) {
		avow_show(nshow, sizeof nshow, s, namelen);
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "verifier key %s: key name \"%s\" %s", show,
				   nshow, problem);
	}

	if (p2 - p1 - 1 != 8 || !is_lower_hex(p1 + 1, 8)) {
		avow_show(nshow, sizeof nshow, p1 + 1, (size_t)(p2 - p1 - 1));
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "verifier key %s: key hash \"%s\" is not 8 "
				   "lower-case hex digits",
				   show, nshow);
	}
	memcpy(hex, p1 + 1, 8);
	hex[8] = 0;

	b64 = p2 + 1;
	b64len = len - (size_t)(b64 - s);
	if (!avow_b64_decode_exact(raw, sizeof raw, b64, b64len))
		return avow_seterr(err, AVOW_ERR_SYNTAX,
				   "verifier key %s: the public key is not "
				   "canonical base64 of 33 bytes",
				   show);
	if (raw[0] != ALG_ED25519)
		return avow_seterr(err, AVOW_ERR_INVALID,
				   "verifier key %s: algorithm byte 0x%02x is "
				   "not 0x01 (Ed25519)",
				   show, raw[0]);

	avow_key_hash(want, s, namelen, raw + 1);
	if (sodium_hex2bin(out->hash, sizeof out->hash, hex, 8, NULL, NULL,
			   NULL) != 0 ||
	    memcmp(out->hash, want, sizeof want) != 0) {
		memset(out, 0, sizeof *out);
		return avow_seterr(
			err, AVOW_ERR_CRYPTO,
			"verifier key %s: key hash %s does not match "
			"the name and key (want %02x%02x%02x%02x)",
			show, hex, want[0], want[1], want[2], want[3]);
	}
	if (!crypto_core_ed25519_is_valid_point(raw + 1)) {
		memset(out, 0, sizeof *out);
		return avow_seterr(err, AVOW_ERR_CRYPTO,
				   "verifier key %s: the public key is not a "
				   "valid Ed25519 point (small order, not "
				   "canonical, or outside the prime-order "
				   "subgroup)",
				   show);
	}

	memcpy(out->name, s, namelen);
	out->name[namelen] = 0;
	memcpy(out->id, s, (size_t)(p2 - s));
	out->id[p2 - s] = 0;
	memcpy(out->pk, raw + 1, AVOW_PUBKEY_BYTES);
	return AVOW_OK;
}

avow_status avow_possession_verify(const char *origin, const char *vkey,
				   size_t vkeylen, const char *proof,
				   size_t prooflen, avow_error *err)
{
	uint8_t sig[AVOW_SIG_BYTES];
	avow_verifier v;
	avow_buf msg;
	char show[200];
	int ok;

	if (origin == NULL || vkey == NULL || proof == NULL)
		return avow_seterr(err, AVOW_ERR_USAGE,
				   "avow_possession_verify: NULL argument");
	if (avow_verifier_parse(&v, vkey, vkeylen, err) != AVOW_OK) {
		if (err != NULL)
			err->code = AVOW_ERR_CRYPTO;
		return AVOW_ERR_CRYPTO;
	}
	if (prooflen != SIG_B64_LEN ||
	    !avow_b64_decode_exact(sig, sizeof sig, proof, prooflen))
		return avow_seterr(
			err, AVOW_ERR_CRYPTO,
			"possession proof of %s: not canonical base64 "
			"of a 64-byte signature",
			v.id);

	avow_buf_init(&msg);
	avow_buf_adds(&msg, POSSESSION_PREFIX);
	avow_buf_adds(&msg, origin);
	avow_buf_addc(&msg, '\n');
	avow_buf_add(&msg, vkey, vkeylen);
	if (msg.oom) {
		avow_buf_free(&msg);
		return avow_seterr(err, AVOW_ERR_NOMEM,
				   "possession proof of %s: out of memory",
				   v.id);
	}
	ok = avow_sig_verify(sig, msg.p, msg.len, v.pk);
	avow_buf_free(&msg);
	if (!ok) {
		avow_show(show, sizeof show, origin, strlen(origin));
		return avow_seterr(err, AVOW_ERR_CRYPTO,
				   "possession proof of %s for log \"%s\" does "
				   "not verify",
				   v.id, show);
	}
	return AVOW_OK;
}
