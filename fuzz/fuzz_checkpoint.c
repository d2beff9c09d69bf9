/*
 * fuzz_checkpoint.c - signed notes (lib/note.c) and verifier keys
 * (lib/verifier.c). The input is checked as a checkpoint note against
 * two fixed verifier keys: the fuzz admin key that signs the prefix log's
 * checkpoint (fuzz.h), and fixtures/keys/newsdesk, which signs the demo
 * log's checkpoints in the seed corpus. The input, cut at its first NUL
 * or line feed, is also tried as the verifier key of the prefix
 * checkpoint, and parsed with avow_verifier_parse. Invariants:
 *  - a note that verifies has a non-empty origin, a size of at least 1,
 *    and its signed text is a prefix of the input ended by "\n\n";
 *  - the prefix checkpoint verifies under a key string only if that
 *    string names the admin key (same key id and public key).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#define NEWSDESK_VKEY "newsdesk+0223fce6+AT5GMuW/icLee8gqoOlDA+uLRU6RW+kaKL36kCSZl30n"

static void as_note(const uint8_t *data, size_t size, const char *vkey)
{
	avow_checkpoint cp;
	avow_error err;
	avow_status st;

	st = avow_checkpoint_verify(&cp, (const char *)data, size, vkey, &err);
	if (st != AVOW_OK) {
		FUZZ_ASSERT(err.msg[0] != 0);
		return;
	}
	FUZZ_ASSERT(cp.origin[0] != 0 && cp.size >= 1);
	FUZZ_ASSERT(cp.text_len >= 1 && cp.text_len < size);
	FUZZ_ASSERT(data[cp.text_len - 1] == '\n' && data[cp.text_len] == '\n');
	FUZZ_ASSERT(memchr(data, 0, size) == NULL);
}

static void as_key(const uint8_t *data, size_t size)
{
	const fuzz_prefix *px = fuzz_get_prefix();
	const avow_key *admin = fuzz_get_keys()->admin;
	avow_verifier vk;
	avow_checkpoint cp;
	avow_error err;
	size_t n = 0;
	char *s;

	while (n < size && data[n] != 0 && data[n] != '\n')
		n++;
	s = malloc(n + 1);
	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, n);
	s[n] = 0;
	if (avow_verifier_parse(&vk, s, n, &err) == AVOW_OK) {
		FUZZ_ASSERT(vk.name[0] != 0);
		FUZZ_ASSERT(strncmp(vk.id, vk.name, strlen(vk.name)) == 0);
	}
	if (avow_checkpoint_verify(&cp, px->checkpoint,
				   strlen(px->checkpoint), s,
				   &err) == AVOW_OK) {
		FUZZ_ASSERT(avow_verifier_parse(&vk, s, n, &err) == AVOW_OK);
		FUZZ_ASSERT(strcmp(vk.id, avow_key_id(admin)) == 0);
		FUZZ_ASSERT(memcmp(vk.pk, avow_key_public(admin), 32) == 0);
		FUZZ_ASSERT(cp.size == FUZZ_PREFIX_N);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	as_note(data, size, avow_key_verifier(fuzz_get_keys()->admin));
	as_note(data, size, NEWSDESK_VKEY);
	as_key(data, size);
	return 0;
}
