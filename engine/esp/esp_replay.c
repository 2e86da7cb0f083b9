/*
 * The anti-replay window of RFC 4303 3.4.3, kept as in RFC 6479: one bit
 * per sequence number in a ring of ESP_REPLAY_MAX bits, indexed by the
 * sequence number itself, so sliding the window never shifts the bitmap;
 * it only clears the bits of the numbers that enter it.
 *
 * RFC 6479 clears whole 64-bit blocks and keeps one block more than the
 * window; here the ring is exactly ESP_REPLAY_MAX bits (the size of the
 * struct in esp.h) so that a window of ESP_REPLAY_MAX still fits, and the
 * slide clears exactly the bits of the numbers passed over, a word at a
 * time.
 *
 * Pure and unlocked: one data-plane thread owns each SA's window.
 * esp_replay_check() only reads, so a packet that fails authentication
 * leaves no trace; esp_replay_update() records one that passed.
 */
#include <stdint.h>
#include <string.h>

#include "esp.h"

#define REPLAY_BITS ((uint32_t)ESP_REPLAY_MAX)

/* The ring must tile the 32-bit sequence space for the modulo to hold. */
_Static_assert(ESP_REPLAY_MAX % 64 == 0 &&
		   (ESP_REPLAY_MAX & (ESP_REPLAY_MAX - 1)) == 0,
	       "ESP_REPLAY_MAX must be a power of two, at least 64");

/* A window larger than the ring is clamped to it. */
void
esp_replay_init(struct esp_replay *r, uint32_t window)
{
	memset(r, 0, sizeof(*r));
	r->window = window > REPLAY_BITS ? REPLAY_BITS : window;
}

static int
replay_seen(const struct esp_replay *r, uint32_t seq)
{
	uint32_t bit = seq % REPLAY_BITS;

	return (r->bits[bit / 64] >> (bit % 64)) & 1;
}

/* Returns 0 when seq may be accepted, -1 for a replay or one too old. */
int
esp_replay_check(const struct esp_replay *r, uint32_t seq)
{
	if (r == NULL || seq == 0)
		return -1;
	if (r->window == 0 || seq > r->top)
		return 0;
	if (r->top - seq >= r->window)
		return -1;
	return replay_seen(r, seq) ? -1 : 0;
}

/* Clears the bits of n sequence numbers from "from" on (n <= ring). */
static void
replay_clear(struct esp_replay *r, uint32_t from, uint32_t n)
{
	uint32_t bit, off, take;
	uint64_t mask;

	while (n > 0) {
		bit = from % REPLAY_BITS;
		off = bit % 64;
		take = 64 - off < n ? 64 - off : n;
		mask = take == 64 ? ~(uint64_t)0
				  : (((uint64_t)1 << take) - 1) << off;
		r->bits[bit / 64] &= ~mask;
		from += take; /* may wrap past 2^32: still the right bit */
		n -= take;
	}
}

/* Moves the right edge to seq, forgetting the numbers it passes over. */
static void
replay_slide(struct esp_replay *r, uint32_t seq)
{
	if (seq - r->top >= REPLAY_BITS)
		memset(r->bits, 0, sizeof(r->bits));
	else
		replay_clear(r, r->top + 1, seq - r->top);
	r->top = seq;
}

/* Records an authenticated packet; the window slides when it is new. */
void
esp_replay_update(struct esp_replay *r, uint32_t seq)
{
	uint32_t bit = seq % REPLAY_BITS;

	if (r == NULL || seq == 0)
		return;
	if (r->window == 0) {
		/* Off: the highest number received is still worth knowing. */
		if (seq > r->top)
			r->top = seq;
		return;
	}
	if (seq > r->top)
		replay_slide(r, seq);
	else if (r->top - seq >= r->window)
		return; /* too old: esp_replay_check() said so */
	r->bits[bit / 64] |= (uint64_t)1 << (bit % 64);
}
