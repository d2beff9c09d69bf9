/*
 * note.h - C2SP signed notes and tlog checkpoints (SPEC section 6).
 */
#ifndef AVOW_NOTE_H
#define AVOW_NOTE_H

#include "internal.h"

#define AVOW_NOTE_MAX 65536 /* 64 KiB */

/* avow_checkpoint is in avow.h. */

/* Parse a checkpoint note and verify that it carries a valid signature by
 * the verifier key vk (a parsed "name+hash+key"). Every signature line
 * must have the form "— name base64"; lines of other keys are ignored.
 * On failure err says what is wrong ("line 2: size has a leading zero"). */
avow_status avow_checkpoint_open(avow_checkpoint *out, const char *note,
				 size_t len, const avow_verifier *vk,
				 avow_error *err);

/* Format the body of a checkpoint (origin, size, base64 root, each with a
 * final newline) into b. */
void avow_checkpoint_text(avow_buf *b, const char *origin, uint64_t size,
			  const uint8_t root[32]);

#endif
