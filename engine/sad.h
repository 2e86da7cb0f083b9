/*
 * The security association database: the one narrow interface through
 * which keys reach the ESP data plane.  The IKE engine installs and
 * deletes entries; a data plane registered with sad_set_ops() receives
 * each install and delete and answers for the counters.  An entry is one
 * direction of an IPsec SA.  Keys are wiped when an entry is deleted.
 */
#ifndef FLEETVPN_SAD_H
#define FLEETVPN_SAD_H

#include <stdint.h>

#include "addr.h"
#include "conf.h"
#include "crypto.h"

#define SAD_KEY_MAX  (CRYPTO_KEY_MAX) /* cipher key (+ GCM salt) */
#define SAD_AUTH_MAX CRYPTO_HASH_MAX

enum sad_dir { SAD_IN, SAD_OUT };

struct sad_entry {
	uint32_t spi; /* host order */
	enum sad_dir dir;
	char tunnel[CONF_IFNAME_MAX];
	enum conf_esp_enc enc;
	enum conf_esp_integ integ;
	uint8_t enckey[SAD_KEY_MAX]; /* GCM: key then 4-byte salt */
	size_t enckeylen;
	uint8_t authkey[SAD_AUTH_MAX];
	size_t authkeylen;
	struct addr src; /* outer addresses */
	struct addr dst;
	uint16_t sport; /* UDP encapsulation; 0 = raw ESP */
	uint16_t dport;
	struct prefix local; /* proxy IDs (inner) */
	struct prefix remote;
	uint32_t replay_window;
	uint64_t life_bytes; /* hard limit; 0 = none */
	/* counters: the data plane's, read by show and SNMP */
	uint64_t packets;
	uint64_t bytes;
};

struct sad;

/* What a data plane plugs in: it gets every install and delete. */
struct sad_ops {
	int (*install)(void *, const struct sad_entry *);
	void (*remove)(void *, uint32_t, enum sad_dir);
	void (*stats)(void *, uint32_t, enum sad_dir, uint64_t *, uint64_t *);
	void *arg;
};

struct sad *sad_new(void);
void sad_free(struct sad *);
int sad_install(struct sad *, const struct sad_entry *);
int sad_delete(struct sad *, uint32_t, enum sad_dir);
const struct sad_entry *sad_lookup(const struct sad *, uint32_t, enum sad_dir);
int sad_spi_in_use(const struct sad *, uint32_t);
unsigned sad_count(const struct sad *);
void sad_set_ops(struct sad *, const struct sad_ops *);
void sad_stats(const struct sad *, uint32_t, enum sad_dir, uint64_t *,
	       uint64_t *);

#endif
