/*
 * kdf_stub.c - a cheap stand-in for libsodium's crypto_pwhash (Argon2id),
 * linked into fuzz_keyfile (and gen_corpus, which writes its encrypted
 * seeds) unless AVOW_FUZZ_REAL_KDF is defined. A key file names its own
 * Argon2id limits and a reader accepts any between libsodium's
 * interactive and sensitive ones (lib/keys.c), so AVOW_KDF_LIMITS, which
 * only chooses the limits of files being written, cannot make reading
 * cheap: each read of a well-formed encrypted file would cost 64 MiB to
 * 1 GiB of Argon2id. The stub derives the key with keyed BLAKE2b instead,
 * and checks what lib/keys.c must guarantee before it calls Argon2id: the
 * algorithm, the output length, and limits within interactive..sensitive
 * (abort otherwise). Key files written under the stub only open under the
 * stub.
 */
#ifndef AVOW_FUZZ_REAL_KDF
#include "fuzz.h"

#include <sodium.h>

int crypto_pwhash(unsigned char *const out, unsigned long long outlen,
		  const char *const passwd, unsigned long long passwdlen,
		  const unsigned char *const salt, unsigned long long opslimit,
		  size_t memlimit, int alg)
{
	crypto_generichash_state st;
	unsigned char lim[16];

	FUZZ_ASSERT(alg == crypto_pwhash_ALG_ARGON2ID13);
	FUZZ_ASSERT(outlen >= 16 && outlen <= crypto_generichash_BYTES_MAX);
	FUZZ_ASSERT(passwdlen <= crypto_pwhash_PASSWD_MAX);
	FUZZ_ASSERT(opslimit >= crypto_pwhash_OPSLIMIT_INTERACTIVE &&
		    opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE);
	FUZZ_ASSERT(memlimit >= crypto_pwhash_MEMLIMIT_INTERACTIVE &&
		    memlimit <= crypto_pwhash_MEMLIMIT_SENSITIVE);
	for (int i = 0; i < 8; i++) {
		lim[i] = (unsigned char)(opslimit >> (8 * i));
		lim[8 + i] = (unsigned char)((unsigned long long)memlimit >>
					     (8 * i));
	}
	crypto_generichash_init(&st, salt, crypto_pwhash_SALTBYTES,
				(size_t)outlen);
	crypto_generichash_update(&st, lim, sizeof lim);
	crypto_generichash_update(&st, (const unsigned char *)passwd,
				  (unsigned long long)passwdlen);
	crypto_generichash_final(&st, out, (size_t)outlen);
	return 0;
}
#endif
