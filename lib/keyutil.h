/*
 * keyutil.h - key hashes, key ids and signature checks shared by the
 * signing side (keys.c) and the verify-only side (verifier.c); not
 * installed. Public keys only: nothing here touches a secret.
 */
#ifndef AVOW_KEYUTIL_H
#define AVOW_KEYUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Key hash: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || pk). */
void avow_key_hash(uint8_t out[4], const char *name, size_t namelen,
		   const uint8_t pk[32]);

/* Format "name+hhhhhhhh" into id (AVOW_KEY_ID_MAX + 1 bytes) and, when vkey
 * is not NULL, "name+hhhhhhhh+base64(0x01||pk)" into vkey
 * (AVOW_VERIFIER_KEY_MAX + 1 bytes). name must be valid (NUL-terminated,
 * at most AVOW_KEY_NAME_MAX bytes). */
void avow_key_format(char *id, char *vkey, const char *name,
		     const uint8_t pk[32]);

/* Verify an Ed25519 signature as libsodium 1.0.18's
 * crypto_sign_verify_detached does: S below the group order, R and the
 * public key canonical and not of small order. Returns 1 when valid, 0
 * otherwise. It does not require pk to pass
 * crypto_core_ed25519_is_valid_point; callers check keys where they are
 * enrolled. */
int avow_sig_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
		    const uint8_t pk[32]);

/* What is wrong with the key name s[0..n), as a phrase for a message
 * ("contains '+'"), or NULL when it is a valid name. */
const char *avow_key_name_problem(const char *s, size_t n);

/* Copy s[0..n) into out (outlen bytes, NUL-terminated) for an error
 * message: printable ASCII as is, other bytes as \xHH, cut with "..." when
 * longer than fits. */
void avow_show(char *out, size_t outlen, const char *s, size_t n);

#endif
