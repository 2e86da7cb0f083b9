/*
 * The security association database; see sad.h.  A chained hash table on
 * (SPI, direction) that doubles when it fills.  The IKE engine is its only
 * writer and runs on the event-loop thread.
 */
#include <stdlib.h>
#include <string.h>

#include "sad.h"

#define SAD_BUCKETS_MIN 256

struct sad_node {
	struct sad_node *next;
	struct sad_entry e;
};

struct sad {
	struct sad_node **bucket;
	size_t nbucket; /* a power of two */
	unsigned count;
	struct sad_ops ops;
	int has_ops;
};

static size_t
sad_hash(const struct sad *s, uint32_t spi, enum sad_dir dir)
{
	/* SPIs are random; mixing in the direction is enough. */
	uint32_t h = spi * 2654435761u ^ (uint32_t)dir;

	return h & (s->nbucket - 1);
}

struct sad *
sad_new(void)
{
	struct sad *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->nbucket = SAD_BUCKETS_MIN;
	if ((s->bucket = calloc(s->nbucket, sizeof(struct sad_node *))) ==
	    NULL) {
		free(s);
		return NULL;
	}
	return s;
}

static void
sad_node_free(struct sad_node *n)
{
	crypto_wipe(&n->e, sizeof(n->e));
	free(n);
}

void
sad_free(struct sad *s)
{
	struct sad_node *n;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nbucket; i++)
		while ((n = s->bucket[i]) != NULL) {
			s->bucket[i] = n->next;
			sad_node_free(n);
		}
	free(s->bucket);
	free(s);
}

static struct sad_node **
sad_slot(const struct sad *s, uint32_t spi, enum sad_dir dir)
{
	struct sad_node **np = &s->bucket[sad_hash(s, spi, dir)];

	while (*np != NULL && ((*np)->e.spi != spi || (*np)->e.dir != dir))
		np = &(*np)->next;
	return np;
}

static void
sad_grow(struct sad *s)
{
	struct sad_node **old = s->bucket, *n;
	size_t i, oldn = s->nbucket;

	if ((s->bucket = calloc(oldn * 2, sizeof(struct sad_node *))) == NULL) {
		s->bucket = old; /* stay slower, still correct */
		return;
	}
	s->nbucket = oldn * 2;
	for (i = 0; i < oldn; i++)
		while ((n = old[i]) != NULL) {
			old[i] = n->next;
			n->next = s->bucket[sad_hash(s, n->e.spi, n->e.dir)];
			s->bucket[sad_hash(s, n->e.spi, n->e.dir)] = n;
		}
	free(old);
}

/* Install or replace the entry for (SPI, direction). */
int
sad_install(struct sad *s, const struct sad_entry *e)
{
	struct sad_node **np, *n;

	if (s->count >= s->nbucket)
		sad_grow(s);
	np = sad_slot(s, e->spi, e->dir);
	if ((n = *np) == NULL) {
		if ((n = calloc(1, sizeof(*n))) == NULL)
			return -1;
		*np = n;
		s->count++;
	}
	n->e = *e;
	if (s->has_ops && s->ops.install(s->ops.arg, e) == -1) {
		sad_delete(s, e->spi, e->dir);
		return -1;
	}
	return 0;
}

int
sad_delete(struct sad *s, uint32_t spi, enum sad_dir dir)
{
	struct sad_node **np = sad_slot(s, spi, dir), *n;

	if ((n = *np) == NULL)
		return -1;
	*np = n->next;
	sad_node_free(n);
	s->count--;
	if (s->has_ops)
		s->ops.remove(s->ops.arg, spi, dir);
	return 0;
}

const struct sad_entry *
sad_lookup(const struct sad *s, uint32_t spi, enum sad_dir dir)
{
	struct sad_node *n = *sad_slot(s, spi, dir);

	return n != NULL ? &n->e : NULL;
}

int
sad_spi_in_use(const struct sad *s, uint32_t spi)
{
	return sad_lookup(s, spi, SAD_IN) != NULL;
}

unsigned
sad_count(const struct sad *s)
{
	return s->count;
}

void
sad_set_ops(struct sad *s, const struct sad_ops *ops)
{
	s->has_ops = ops != NULL;
	if (ops != NULL)
		s->ops = *ops;
}

/* Packets and bytes through one direction: the data plane's count. */
void
sad_stats(const struct sad *s, uint32_t spi, enum sad_dir dir, uint64_t *pkts,
	  uint64_t *bytes)
{
	const struct sad_entry *e = sad_lookup(s, spi, dir);

	*pkts = e != NULL ? e->packets : 0;
	*bytes = e != NULL ? e->bytes : 0;
	if (e != NULL && s->has_ops)
		s->ops.stats(s->ops.arg, spi, dir, pkts, bytes);
}
