/*
 * Message bodies under the ISAKMP SA's keys (RFC 2409 appendix B): CBC
 * over everything after the header, zero padding to the block size (the
 * receiver ignores what follows the payload chain), and the IV chain: the
 * next IV is the last ciphertext block of the previous message of the
 * same exchange.  Phase 2 and informational exchanges start from
 * hash(last phase-1 block | M-ID).
 */
#include <string.h>

#include "ike.h"

/*
 * Encrypt msg->data[IKE_HDR_LEN..] in place (after padding it), with *iv,
 * and leave the last ciphertext block in *iv.  The header's length field
 * is patched to the padded length.
 */
int
ike_crypt_encrypt(struct ike_sa *sa, uint8_t *iv, struct buf *msg)
{
	size_t bs = crypto_cipher_blocklen(sa->keys.cipher), body, pad;
	uint8_t *p;

	if (msg->len < IKE_HDR_LEN)
		return -1;
	body = msg->len - IKE_HDR_LEN;
	pad = (bs - body % bs) % bs;
	if (buf_reserve(msg, pad) == -1)
		return -1;
	memset(msg->data + msg->len, 0, pad);
	msg->len += pad;
	body += pad;
	p = msg->data + IKE_HDR_LEN;
	if (crypto_cbc(sa->keys.cipher, 1, sa->keys.enckey, iv, p, body, p) ==
	    -1)
		return -1;
	memcpy(iv, p + body - bs, bs);
	msg->data[IKE_HDR_LEN - 4] = (uint8_t)(msg->len >> 24);
	msg->data[IKE_HDR_LEN - 3] = (uint8_t)(msg->len >> 16);
	msg->data[IKE_HDR_LEN - 2] = (uint8_t)(msg->len >> 8);
	msg->data[IKE_HDR_LEN - 1] = (uint8_t)msg->len;
	return 0;
}

/*
 * Decrypt "len" bytes of body with "iv" into "out"; the block that will
 * be the next IV goes to "next_iv".  The caller commits it only once the
 * message is accepted, so a forged or corrupt message cannot derail the
 * chain of a good exchange.
 */
int
ike_crypt_decrypt(struct ike_sa *sa, const uint8_t *iv, const uint8_t *body,
		  size_t len, uint8_t *out, uint8_t *next_iv)
{
	size_t bs = crypto_cipher_blocklen(sa->keys.cipher);

	if (!sa->have_keys || len == 0 || len % bs != 0)
		return -1;
	memcpy(next_iv, body + len - bs, bs);
	return crypto_cbc(sa->keys.cipher, 0, sa->keys.enckey, iv, body, len,
			  out);
}

/* The first IV of the exchange "msgid" under an established SA. */
void
ike_crypt_iv_p2(struct ike_sa *sa, uint32_t msgid, uint8_t *iv)
{
	ike_keys_iv_p2(&sa->keys, sa->p1_last, msgid, iv);
}
