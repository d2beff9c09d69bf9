/*
 * fuzz_keyfile.c - secret key files and C2SP signer keys (lib/keys.c).
 * The input is written to a 0600 file and read with avow_key_load and a
 * fixed passphrase (Argon2id is replaced by fuzz/kdf_stub.c, see there;
 * AVOW_KDF_LIMITS is set to interactive, the cheapest, for anything
 * written). The input is also read as a C2SP signer key
 * (avow_key_import_c2sp). Invariants:
 *  - avow_key_file_encrypted agrees with the load: a file it calls
 *    unencrypted loads the same without a passphrase, and one it calls
 *    encrypted needs one;
 *  - a loaded or imported key signs, and the signature verifies with its
 *    public key; its verifier key parses back to the same key id;
 *  - an imported C2SP key exports to text that imports to the same key.
 */
#include "fuzz.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASS "fuzz passphrase"

static void check_key(const avow_key *k)
{
	static const uint8_t msg[] = "avow fuzz";
	uint8_t sig[AVOW_SIG_BYTES];
	avow_verifier vk;
	const char *v = avow_key_verifier(k);

	FUZZ_ASSERT(avow_key_sign(k, msg, sizeof msg, sig, NULL) == AVOW_OK);
	FUZZ_ASSERT(crypto_sign_verify_detached(sig, msg, sizeof msg,
						avow_key_public(k)) == 0);
	FUZZ_ASSERT(avow_verifier_parse(&vk, v, strlen(v), NULL) == AVOW_OK);
	FUZZ_ASSERT(strcmp(vk.id, avow_key_id(k)) == 0);
	FUZZ_ASSERT(avow_key_name_valid(avow_key_name(k)));
}

static void keyfile(const uint8_t *data, size_t size)
{
	static char path[512];
	avow_key *k = NULL, *k2 = NULL;
	avow_status st, st2;
	int enc;

	if (path[0] == 0) {
		snprintf(path, sizeof path, "%s/input.key", fuzz_dir());
		setenv("AVOW_KDF_LIMITS", "interactive", 1);
	}
	fuzz_write_file(path, data, size);
	st = avow_key_load(&k, path, PASS, strlen(PASS), NULL);
	enc = avow_key_file_encrypted(path);
	FUZZ_ASSERT(enc >= -1 && enc <= 1);
	if (st == AVOW_OK) {
		FUZZ_ASSERT(k != NULL && enc >= 0);
		check_key(k);
	} else {
		FUZZ_ASSERT(k == NULL);
	}
	if (enc >= 0) {
		st2 = avow_key_load(&k2, path, NULL, 0, NULL);
		if (enc == 1)
			FUZZ_ASSERT(st2 == AVOW_ERR_USAGE);
		else
			FUZZ_ASSERT(st2 == st);
		if (k != NULL && k2 != NULL)
			FUZZ_ASSERT(memcmp(avow_key_public(k),
					   avow_key_public(k2), 32) == 0);
	}
	avow_key_free(k);
	avow_key_free(k2);
}

static void c2sp(const uint8_t *data, size_t size)
{
	char text[AVOW_KEY_ID_MAX + 58];
	avow_key *k = NULL, *k2 = NULL;

	if (avow_key_import_c2sp(&k, (const char *)data, size, NULL) !=
	    AVOW_OK) {
		FUZZ_ASSERT(k == NULL);
		return;
	}
	check_key(k);
	FUZZ_ASSERT(avow_key_export_c2sp(k, text, sizeof text, NULL) ==
		    AVOW_OK);
	FUZZ_ASSERT(avow_key_import_c2sp(&k2, text, strlen(text), NULL) ==
		    AVOW_OK);
	FUZZ_ASSERT(strcmp(avow_key_id(k), avow_key_id(k2)) == 0);
	FUZZ_ASSERT(memcmp(avow_key_public(k), avow_key_public(k2), 32) == 0);
	sodium_memzero(text, sizeof text);
	avow_key_free(k);
	avow_key_free(k2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	keyfile(data, size);
	c2sp(data, size);
	return 0;
}
