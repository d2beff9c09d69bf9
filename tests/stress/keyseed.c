/*
 * keyseed.c - a test helper for tests/stress/secrets.sh: print the 32-byte
 * seed held by an avow key file, in lower-case hex, so that the test can
 * look for it everywhere avow writes. It reads the file as the top comment
 * of lib/keys.c (docs/FORMAT.md, section (i)) describes it, independently
 * of lib/keys.c: for "kdf none" the seed line; for "kdf argon2id" it derives
 * the key with crypto_pwhash (Argon2id 1.3) from the passphrase in
 * PASSPHRASE_FILE (its first line, without the line end, as avow reads it)
 * and opens the sealed seed with XChaCha20-Poly1305 (IETF), the first four
 * lines being the associated data. It then checks that the seed gives the
 * "public" line's key.
 *
 *   keyseed KEY_FILE [PASSPHRASE_FILE]
 *
 * Exit status: 0 with the seed printed; 1 when the file does not open
 * (wrong passphrase, or not in that format); 2 on a usage or I/O error.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXFILE 4096

static int read_all(const char *path, char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = 0;
	*len = n;
	return 0;
}

/* The text after "prefix" on line number `line` (0-based), up to its LF. */
static const char *field(char *text, int line, const char *prefix)
{
	char *p = text;

	for (int i = 0; i < line; i++) {
		p = strchr(p, '\n');
		if (p == NULL)
			return NULL;
		p++;
	}
	if (strncmp(p, prefix, strlen(prefix)) != 0)
		return NULL;
	return p + strlen(prefix);
}

/* Decode base64 up to the end of the line into exactly n bytes. */
static int b64(const char *s, unsigned char *out, size_t n)
{
	size_t len = strcspn(s, "\n"), got = 0;

	if (sodium_base642bin(out, n, s, len, NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != n)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static char text[MAXFILE], pass[1100];
	unsigned char seed[32], pk[32], sk[64], want_pk[32];
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char sealed[32 + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned char kek[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned long long ops, mem, outlen;
	size_t len, plen;
	const char *f;
	char hex[65];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: keyseed KEY_FILE [PASSPHRASE_FILE]\n");
		return 2;
	}
	if (sodium_init() < 0 || read_all(argv[1], text, sizeof text, &len))
		return 2;
	if (strncmp(text, "avow-secret-key v1\n", 19) != 0 ||
	    field(text, 1, "name ") == NULL ||
	    (f = field(text, 2, "public ")) == NULL || b64(f, want_pk, 32)) {
		fprintf(stderr, "keyseed: %s: not an avow key file\n", argv[1]);
		return 1;
	}
	if ((f = field(text, 3, "kdf none\n")) != NULL) {
		if ((f = field(text, 4, "seed ")) == NULL || b64(f, seed, 32)) {
			fprintf(stderr, "keyseed: %s: bad seed line\n",
				argv[1]);
			return 1;
		}
	} else if ((f = field(text, 3, "kdf argon2id ")) != NULL) {
		char saltb64[64];
		const char *ad_end;

		if (argc != 3) {
			fprintf(stderr,
				"keyseed: %s is encrypted: give a "
				"passphrase file\n",
				argv[1]);
			return 2;
		}
		if (sscanf(f, "%llu %llu %63s", &ops, &mem, saltb64) != 3 ||
		    b64(saltb64, salt, sizeof salt) ||
		    (f = field(text, 4, "nonce ")) == NULL ||
		    b64(f, nonce, sizeof nonce) ||
		    (f = field(text, 5, "secret ")) == NULL ||
		    b64(f, sealed, sizeof sealed)) {
			fprintf(stderr,
				"keyseed: %s: bad kdf, nonce or "
				"secret line\n",
				argv[1]);
			return 1;
		}
		if (read_all(argv[2], pass, sizeof pass, &plen))
			return 2;
		plen = strcspn(pass, "\n");
		if (plen > 0 && pass[plen - 1] == '\r')
			plen--;
		if (crypto_pwhash(kek, sizeof kek, pass, plen, salt, ops,
				  (size_t)mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
			fprintf(stderr, "keyseed: Argon2id failed\n");
			return 2;
		}
		ad_end = field(text, 4, "");
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(
			    seed, &outlen, NULL, sealed, sizeof sealed,
			    (const unsigned char *)text,
			    (unsigned long long)(ad_end - text), nonce,
			    kek) != 0 ||
		    outlen != 32) {
			fprintf(stderr,
				"keyseed: %s: does not open with that "
				"passphrase\n",
				argv[1]);
			return 1;
		}
	} else {
		fprintf(stderr, "keyseed: %s: unknown kdf line\n", argv[1]);
		return 1;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	if (memcmp(pk, want_pk, 32) != 0) {
		fprintf(stderr,
			"keyseed: %s: the seed does not give the public "
			"key\n",
			argv[1]);
		return 1;
	}
	sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
	puts(hex);
	return 0;
}
