/*
 * The data plane, control side: it runs on the event loop, creates the
 * TUN devices and routes of the configured tunnels, turns SAD installs
 * into keyed SA objects for the two worker threads (esp_tx.c, esp_rx.c),
 * and takes what the workers send back (acquires, IKE datagrams met on
 * UDP 4500, rekey requests, deleted objects to free).
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "esp_dp.h"
#include "json.h"
#include "log.h"
#include "str.h"

struct dp_ix {
	struct dp_ix *next;
	uint32_t spi;
	enum sad_dir dir;
	void *obj; /* struct dp_out or struct dp_in */
};

uint64_t
esp_dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --- commands to a worker --- */

/*
 * Queue a command; with "sync", wait until the worker has run it (the
 * caller is about to close or free something the worker uses).
 */
static int
dp_cmd(struct dp_worker *w, const struct dp_cmd *tmpl, int sync)
{
	struct dp_cmd *c;
	uint64_t one = 1;

	if (!w->running || (c = malloc(sizeof(*c))) == NULL)
		return -1;
	*c = *tmpl;
	c->next = NULL;
	c->sync = sync;
	c->done = 0;
	pthread_mutex_lock(&w->lock);
	*w->cmds_tail = c;
	w->cmds_tail = &c->next;
	(void)!write(w->wake, &one, sizeof(one));
	while (sync && !c->done)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	if (sync)
		free(c);
	return 0;
}

/* Worker side: take the queued commands and run each. */
void
esp_dp_cmds_run(struct dp_worker *w,
		void (*run)(struct dp_worker *, struct dp_cmd *))
{
	struct dp_cmd *list, *c, *next;
	uint64_t n;

	(void)!read(w->wake, &n, sizeof(n));
	pthread_mutex_lock(&w->lock);
	list = w->cmds;
	w->cmds = NULL;
	w->cmds_tail = &w->cmds;
	pthread_mutex_unlock(&w->lock);
	for (c = list; c != NULL; c = next) {
		next = c->next;
		run(w, c);
		if (!c->sync) {
			free(c);
			continue;
		}
		pthread_mutex_lock(&w->lock);
		c->done = 1;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
	}
}

/* --- the way back --- */

struct dp_up *
esp_dp_up_new(enum dp_up_type type, size_t len)
{
	struct dp_up *u;

	if ((u = calloc(1, sizeof(*u) + len)) == NULL)
		return NULL;
	u->type = type;
	u->len = len;
	return u;
}

/* From a worker: queue for the event loop and wake it. */
void
esp_dp_up_send(struct esp_dp *dp, struct dp_up *u)
{
	pthread_mutex_lock(&dp->up_lock);
	u->next = NULL;
	*dp->up_tail = u;
	dp->up_tail = &u->next;
	pthread_mutex_unlock(&dp->up_lock);
	ev_async_send(dp->up_async);
}

static void
dp_out_free(struct dp_out *o)
{
	crypto_esp_free(o->sa.cx);
	crypto_wipe(o, sizeof(*o));
	free(o);
}

static void
dp_in_free(struct dp_in *i)
{
	crypto_esp_free(i->sa.cx);
	crypto_wipe(i, sizeof(*i));
	free(i);
}

static void
dp_up_run(struct esp_dp *dp, struct dp_up *u)
{
	const struct esp_dp_hooks *h = &dp->hooks;

	switch (u->type) {
	case DP_UP_ACQUIRE:
		h->acquire(h->arg, u->tunnel);
		break;
	case DP_UP_IKE:
		h->ike_input(h->arg, &u->local, u->lport, &u->remote, u->rport,
			     u->data, u->len);
		break;
	case DP_UP_REKEY:
		h->rekey(h->arg, u->spi);
		break;
	case DP_UP_EXPIRE:
		h->expire(h->arg, u->spi);
		break;
	case DP_UP_FREE_OUT:
		dp_out_free(u->obj);
		break;
	case DP_UP_FREE_IN:
		dp_in_free(u->obj);
		break;
	}
}

static void
dp_up_drain(struct ev_async *a, void *arg)
{
	struct esp_dp *dp = arg;
	struct dp_up *list, *u;

	(void)a;
	pthread_mutex_lock(&dp->up_lock);
	list = dp->up;
	dp->up = NULL;
	dp->up_tail = &dp->up;
	pthread_mutex_unlock(&dp->up_lock);
	while ((u = list) != NULL) {
		list = u->next;
		dp_up_run(dp, u);
		free(u);
	}
}

/* --- control's index of what the workers hold --- */

static struct dp_ix **
dp_ix_slot(struct esp_dp *dp, uint32_t spi, enum sad_dir dir)
{
	struct dp_ix **p = &dp->index[(spi * 2654435761u) % DP_IN_BUCKETS];

	while (*p != NULL && ((*p)->spi != spi || (*p)->dir != dir))
		p = &(*p)->next;
	return p;
}

static void *
dp_ix_get(struct esp_dp *dp, uint32_t spi, enum sad_dir dir)
{
	struct dp_ix *x = *dp_ix_slot(dp, spi, dir);

	return x != NULL ? x->obj : NULL;
}

static int
dp_ix_put(struct esp_dp *dp, uint32_t spi, enum sad_dir dir, void *obj)
{
	struct dp_ix **p = dp_ix_slot(dp, spi, dir), *x;

	if (*p != NULL) {
		(*p)->obj = obj;
		return 0;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	x->spi = spi;
	x->dir = dir;
	x->obj = obj;
	*p = x;
	return 0;
}

static void *
dp_ix_del(struct esp_dp *dp, uint32_t spi, enum sad_dir dir)
{
	struct dp_ix **p = dp_ix_slot(dp, spi, dir), *x = *p;
	void *obj;

	if (x == NULL)
		return NULL;
	obj = x->obj;
	*p = x->next;
	free(x);
	return obj;
}

/* --- SA install and delete (the SAD's ops) --- */

static struct dp_tunnel *
dp_tunnel_find(struct esp_dp *dp, const char *name)
{
	struct dp_tunnel *t;

	TAILQ_FOREACH(t, &dp->tunnels, entry)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static struct crypto_esp *
dp_crypto(const struct sad_entry *e)
{
	static const enum crypto_hash h[] = {
	    [CONF_INTEG_MD5] = CRYPTO_MD5,
	    [CONF_INTEG_SHA1] = CRYPTO_SHA1,
	    [CONF_INTEG_SHA256] = CRYPTO_SHA256,
	    [CONF_INTEG_SHA384] = CRYPTO_SHA384,
	    [CONF_INTEG_SHA512] = CRYPTO_SHA512,
	};
	struct crypto_esp_params p;

	memset(&p, 0, sizeof(p));
	p.aead = conf_esp_is_aead(e->enc);
	p.key = e->enckey;
	p.keylen = e->enckeylen;
	if (!p.aead) {
		p.cbc = e->enc == CONF_ESP_3DES	    ? CRYPTO_3DES_CBC
			: e->enc == CONF_ESP_AES128 ? CRYPTO_AES128_CBC
			: e->enc == CONF_ESP_AES192 ? CRYPTO_AES192_CBC
						    : CRYPTO_AES256_CBC;
		p.integ = h[e->integ];
		p.authkey = e->authkey;
		p.authkeylen = e->authkeylen;
		/* RFC 2404/4868: MD5 and SHA1 cut to 96 bits, SHA2 to half. */
		p.icvlen = e->integ <= CONF_INTEG_SHA1 ? 12 : e->authkeylen / 2;
	}
	return crypto_esp_new(&p);
}

/* The route MTU towards the peer: what one outer packet may be. */
static uint32_t
dp_pmtu(const struct addr *dst)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_sock_to(dst, 9, &ss);
	int fd, mtu = 0;
	socklen_t ml = sizeof(mtu);

	if ((fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 1500;
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    getsockopt(fd, dst->family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       dst->family == AF_INET6 ? IPV6_MTU : IP_MTU, &mtu,
		       &ml) == -1 ||
	    mtu < 576)
		mtu = 1500;
	close(fd);
	return (uint32_t)mtu;
}

static int
dp_install_out(struct esp_dp *dp, struct dp_tunnel *t,
	       const struct sad_entry *e)
{
	struct dp_cmd c = {.type = DP_CMD_OUT_ADD};
	struct dp_out *o;

	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->sa.cx = dp_crypto(e)) == NULL) {
		free(o);
		return -1;
	}
	o->sa.spi = e->spi;
	o->sa.local = e->local;
	o->sa.remote = e->remote;
	o->tun = t;
	o->family = e->dst.family;
	o->src = e->src;
	o->dst = e->dst;
	o->sport = e->sport;
	o->dport = e->dport;
	o->pmtu = dp_pmtu(&e->dst);
	o->life_bytes = e->life_bytes;
	c.obj = o;
	if (dp_ix_put(dp, e->spi, SAD_OUT, o) == -1 ||
	    dp_cmd(&dp->tx, &c, 0) == -1) {
		dp_ix_del(dp, e->spi, SAD_OUT);
		dp_out_free(o);
		return -1;
	}
	return 0;
}

static int
dp_install_in(struct esp_dp *dp, struct dp_tunnel *t, const struct sad_entry *e)
{
	struct dp_cmd c = {.type = DP_CMD_IN_ADD};
	struct dp_in *i;

	if ((i = calloc(1, sizeof(*i))) == NULL ||
	    (i->sa.cx = dp_crypto(e)) == NULL) {
		free(i);
		return -1;
	}
	i->sa.spi = e->spi;
	i->sa.local = e->local;
	i->sa.remote = e->remote;
	esp_replay_init(&i->sa.replay, e->replay_window);
	i->tun = t;
	c.obj = i;
	if (dp_ix_put(dp, e->spi, SAD_IN, i) == -1 ||
	    dp_cmd(&dp->rx, &c, 0) == -1) {
		dp_ix_del(dp, e->spi, SAD_IN);
		dp_in_free(i);
		return -1;
	}
	return 0;
}

static void dp_key_export(struct esp_dp *, const struct sad_entry *);

static int
dp_sad_install(void *arg, const struct sad_entry *e)
{
	struct esp_dp *dp = arg;
	struct dp_tunnel *t;

	if ((t = dp_tunnel_find(dp, e->tunnel)) == NULL) {
		log_event(EV_ESP_ERROR,
			  "IPsec SA 0x%08x for %s: the tunnel "
			  "has no interface; no traffic will flow",
			  e->spi, e->tunnel);
		return 0; /* negotiated all the same; say so above */
	}
	if (e->dst.family == AF_INET6 &&
	    (e->dport ? dp->udp6 : dp->esp6) == -1) {
		log_event(EV_ESP_ERROR,
			  "IPsec SA 0x%08x for %s: no IPv6 %s socket; no "
			  "traffic will flow",
			  e->spi, e->tunnel, e->dport ? "UDP" : "ESP");
		return 0;
	}
	dp_key_export(dp, e);
	if (e->dir == SAD_OUT)
		return dp_install_out(dp, t, e);
	return dp_install_in(dp, t, e);
}

static void
dp_sad_remove(void *arg, uint32_t spi, enum sad_dir dir)
{
	struct esp_dp *dp = arg;
	struct dp_cmd c;

	if (dp_ix_del(dp, spi, dir) == NULL)
		return;
	memset(&c, 0, sizeof(c));
	c.type = dir == SAD_OUT ? DP_CMD_OUT_DEL : DP_CMD_IN_DEL;
	c.spi = spi;
	dp_cmd(dir == SAD_OUT ? &dp->tx : &dp->rx, &c, 0);
}

static void
dp_sad_stats(void *arg, uint32_t spi, enum sad_dir dir, uint64_t *pkts,
	     uint64_t *bytes)
{
	struct esp_dp *dp = arg;
	void *obj = dp_ix_get(dp, spi, dir);

	if (obj == NULL)
		return;
	if (dir == SAD_OUT) {
		*pkts = DP_GET(((struct dp_out *)obj)->pkts);
		*bytes = DP_GET(((struct dp_out *)obj)->bytes);
	} else {
		*pkts = DP_GET(((struct dp_in *)obj)->pkts);
		*bytes = DP_GET(((struct dp_in *)obj)->bytes);
	}
}

const struct sad_ops *
esp_dp_sad_ops(struct esp_dp *dp)
{
	return &dp->sad_ops;
}

/*
 * "ipsec key-export FILE": a test and debugging aid, off by default.
 * One JSON line per SA direction, for an independent ESP implementation
 * or a packet analyser to decrypt traffic.  It writes keys to disk: never
 * enable it on a production box.
 */
static void
dp_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static void
dp_key_export(struct esp_dp *dp, const struct sad_entry *e)
{
	char s[ADDR_STR_MAX], d[ADDR_STR_MAX];
	FILE *f;

	if (dp->key_export[0] == '\0' ||
	    (f = fopen(dp->key_export, "ae")) == NULL)
		return;
	fprintf(f,
		"{\"spi\":\"0x%08x\",\"dir\":\"%s\",\"tunnel\":\"%s\","
		"\"src\":\"%s\",\"dst\":\"%s\",\"sport\":%u,\"dport\":%u,"
		"\"enc\":\"%s\",\"integ\":\"%s\",\"enckey\":\"",
		e->spi, e->dir == SAD_IN ? "in" : "out", e->tunnel,
		addr_fmt(&e->src, s, sizeof(s)),
		addr_fmt(&e->dst, d, sizeof(d)), e->sport, e->dport,
		conf_esp_enc_name(e->enc), conf_esp_integ_name(e->integ));
	dp_hex(f, e->enckey, e->enckeylen);
	fprintf(f, "\",\"authkey\":\"");
	dp_hex(f, e->authkey, e->authkeylen);
	fprintf(f, "\"}\n");
	fclose(f);
}

int
esp_dp_key_export(struct esp_dp *dp, const char *path)
{
	str_lcpy(dp->key_export, path != NULL ? path : "",
		 sizeof(dp->key_export));
	if (dp->key_export[0] != '\0')
		log_event(EV_ESP_KEY_EXPORT,
			  "ipsec key-export %s: IPsec keys "
			  "are written to disk (testing only)",
			  dp->key_export);
	return 0;
}

/* --- tunnels --- */

/*
 * The source of ICMP "too big" messages we answer into the tunnel's LAN:
 * our own address inside one of its local networks, if we have one.
 */
static void
dp_icmp_src(const struct conf_tunnel *ct, struct dp_tunset *set)
{
	struct ifaddrs *ifa, *i;
	struct addr a;
	int n;

	memset(&set->icmp_src4, 0, sizeof(set->icmp_src4));
	memset(&set->icmp_src6, 0, sizeof(set->icmp_src6));
	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		memset(&a, 0, sizeof(a));
		if (i->ifa_addr->sa_family == AF_INET) {
			a.family = AF_INET;
			a.v4 = ((struct sockaddr_in *)(void *)i->ifa_addr)
				   ->sin_addr;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a.family = AF_INET6;
			a.v6 = ((struct sockaddr_in6 *)(void *)i->ifa_addr)
				   ->sin6_addr;
		} else {
			continue;
		}
		for (n = 0; n < ct->nlocal; n++)
			if (prefix_contains(&ct->local[n], &a))
				*(a.family == AF_INET ? &set->icmp_src4
						      : &set->icmp_src6) = a;
	}
	freeifaddrs(ifa);
}

static void
dp_tunset(const struct conf_tunnel *ct, struct dp_tunset *set)
{
	memset(set, 0, sizeof(*set));
	set->mtu = ct->mtu;
	set->mss = ct->mss;
	set->mss_value = ct->mss_value;
	set->frag = ct->frag;
	set->df = ct->df;
	set->nlocal = ct->nlocal;
	set->nremote = ct->nremote;
	memcpy(set->local, ct->local, sizeof(set->local));
	memcpy(set->remote, ct->remote, sizeof(set->remote));
	dp_icmp_src(ct, set);
}

static void
dp_routes(struct dp_tunnel *t, const struct conf_tunnel *ct)
{
	char err[128], pf[PREFIX_STR_MAX];
	int i;

	for (i = 0; i < ct->nremote; i++) {
		if (esp_route(1, &ct->remote[i], t->ifindex, NULL, err,
			      sizeof(err)) == -1) {
			log_event(
			    EV_TUN_ERROR, "tunnel %s: route to %s: %s", t->name,
			    prefix_fmt(&ct->remote[i], pf, sizeof(pf)), err);
			continue;
		}
		t->routes[t->nroutes++] = ct->remote[i];
	}
}

static struct dp_tunnel *
dp_tunnel_new(struct esp_dp *dp, const struct conf_tunnel *ct)
{
	struct dp_cmd c = {.type = DP_CMD_TUN_ADD};
	struct dp_tunnel *t;
	char err[128];

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	str_lcpy(t->name, ct->name, sizeof(t->name));
	if ((t->fd = esp_tun_open(ct->name, ct->mtu, err, sizeof(err))) == -1) {
		log_event(EV_TUN_ERROR,
			  "tunnel %s: cannot create the "
			  "interface: %s",
			  ct->name, err);
		free(t);
		return NULL;
	}
	t->ifindex = esp_tun_ifindex(ct->name);
	dp_tunset(ct, &t->set);
	t->txset = t->set;
	t->rxset = t->set;
	dp_routes(t, ct);
	TAILQ_INSERT_TAIL(&dp->tunnels, t, entry);
	c.obj = t;
	dp_cmd(&dp->tx, &c, 1);
	dp_cmd(&dp->rx, &c, 1);
	log_event(EV_TUN_CREATED, "tunnel interface %s: mtu %u, %d route%s",
		  t->name, ct->mtu, t->nroutes, t->nroutes == 1 ? "" : "s");
	return t;
}

/*
 * Gone from the configuration: the workers let go first; closing the
 * TUN descriptor removes the device and its routes with it.
 */
/* Forget the index entries of a tunnel's SAs: the workers free them. */
static void
dp_ix_forget(struct esp_dp *dp, const struct dp_tunnel *t)
{
	struct dp_ix **p, *x;
	int i;

	for (i = 0; i < DP_IN_BUCKETS; i++)
		for (p = &dp->index[i]; (x = *p) != NULL;) {
			const struct dp_tunnel *xt =
			    x->dir == SAD_OUT ? ((struct dp_out *)x->obj)->tun
					      : ((struct dp_in *)x->obj)->tun;

			if (xt != t) {
				p = &x->next;
				continue;
			}
			*p = x->next;
			free(x);
		}
}

static void
dp_tunnel_free(struct esp_dp *dp, struct dp_tunnel *t)
{
	struct dp_cmd c = {.type = DP_CMD_TUN_DEL};
	int i;

	dp_ix_forget(dp, t);
	c.obj = t;
	dp_cmd(&dp->tx, &c, 1);
	dp_cmd(&dp->rx, &c, 1);
	TAILQ_REMOVE(&dp->tunnels, t, entry);
	close(t->fd);
	for (i = 0; i < t->npend; i++)
		free(t->pend[i].pkt);
	log_event(EV_TUN_REMOVED, "tunnel interface %s removed", t->name);
	free(t);
}

static void
dp_tunnel_update(struct esp_dp *dp, struct dp_tunnel *t,
		 const struct conf_tunnel *ct)
{
	struct dp_cmd c = {.type = DP_CMD_TUN_SET};
	char err[128];
	int i;

	if (ct->mtu != t->set.mtu && esp_tun_set_mtu(ct->name, ct->mtu) == -1)
		log_event(EV_TUN_ERROR, "tunnel %s: cannot set mtu %u",
			  ct->name, ct->mtu);
	for (i = 0; i < t->nroutes; i++)
		esp_route(0, &t->routes[i], t->ifindex, NULL, err, sizeof(err));
	t->nroutes = 0;
	dp_routes(t, ct);
	c.obj = t;
	dp_tunset(ct, &t->set);
	c.set = t->set;
	dp_cmd(&dp->tx, &c, 0);
	dp_cmd(&dp->rx, &c, 0);
}

/* Bring the tunnel interfaces in line with the configuration. */
int
esp_dp_apply(struct esp_dp *dp, const struct conf *c)
{
	const struct conf_tunnel *ct;
	struct dp_tunnel *t, *next;

	TAILQ_FOREACH(t, &dp->tunnels, entry)
		t->seen = 0;
	TAILQ_FOREACH(ct, &c->tunnels, entry) {
		if ((t = dp_tunnel_find(dp, ct->name)) != NULL) {
			dp_tunnel_update(dp, t, ct);
			t->seen = 1;
		} else if ((t = dp_tunnel_new(dp, ct)) != NULL) {
			t->seen = 1;
		}
	}
	for (t = TAILQ_FIRST(&dp->tunnels); t != NULL; t = next) {
		next = TAILQ_NEXT(t, entry);
		if (!t->seen)
			dp_tunnel_free(dp, t);
	}
	return 0;
}

/* --- UDP 4500: IKE's sockets, read by the RX worker --- */

/*
 * Room for bursts while the RX thread decrypts: a raw socket that is
 * full does not only drop, the kernel then answers the peer with ICMP
 * "protocol unreachable" or "unknown next header" as if no one listened.
 * Beyond net.core.rmem_max when we may (CAP_NET_ADMIN).
 */
static void
dp_rcvbuf(int fd)
{
	int n = DP_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &n, sizeof(n)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &n, sizeof(n));
}

int
esp_dp_udp_add(struct esp_dp *dp, int fd, const struct addr *bound,
	       uint16_t port)
{
	struct dp_cmd c = {.type = DP_CMD_UDP_ADD};

	dp_rcvbuf(fd);
	c.fd = fd;
	c.bound = *bound;
	c.port = port;
	return dp_cmd(&dp->rx, &c, 1);
}

/* Synchronous: the caller closes the descriptor right after. */
void
esp_dp_udp_remove(struct esp_dp *dp, int fd)
{
	struct dp_cmd c = {.type = DP_CMD_UDP_DEL};

	c.fd = fd;
	dp_cmd(&dp->rx, &c, 1);
}

/* --- show --- */

static void
dp_show_counters(struct json_w *w, const char *key, const struct dp_counters *c)
{
	int i;

	json_key(w, key);
	json_obj_open(w);
	json_kv_uint(w, "packets", DP_GET(c->pkts));
	json_kv_uint(w, "bytes", DP_GET(c->bytes));
	json_kv_uint(w, "fragments", DP_GET(c->frags));
	json_kv_uint(w, "mss_rewrites", DP_GET(c->mss));
	json_kv_uint(w, "icmp_too_big", DP_GET(c->icmp));
	json_key(w, "drops");
	json_obj_open(w);
	for (i = 1; i < ESP_DROP_COUNT; i++)
		json_kv_uint(w, esp_drop_name((enum esp_drop)i),
			     DP_GET(c->drops[i]));
	json_obj_close(w);
	json_obj_close(w);
}

void
esp_dp_show(struct esp_dp *dp, struct json_w *w, const char *name)
{
	const struct dp_tunnel *t;

	json_key(w, "interfaces");
	json_arr_open(w);
	TAILQ_FOREACH(t, &dp->tunnels, entry) {
		if (name != NULL && strcmp(t->name, name) != 0)
			continue;
		json_obj_open(w);
		json_kv_str(w, "name", t->name);
		json_kv_int(w, "ifindex", t->ifindex);
		json_kv_uint(w, "mtu", t->set.mtu);
		json_kv_str(w, "tcp_mss",
			    t->set.mss == CONF_MSS_OFF	  ? "off"
			    : t->set.mss == CONF_MSS_AUTO ? "auto"
							  : "fixed");
		json_kv_uint(w, "tcp_mss_value", t->set.mss_value);
		json_kv_str(w, "fragment", conf_frag_name(t->set.frag));
		json_kv_str(w, "df_bit", conf_df_name(t->set.df));
		dp_show_counters(w, "out", &t->tx);
		dp_show_counters(w, "in", &t->rx);
		json_obj_close(w);
	}
	json_arr_close(w);
	dp_show_counters(w, "unassigned", &dp->rx_global);
}

/* --- life --- */

static int
dp_worker_start(struct esp_dp *dp, struct dp_worker *w, void *(*fn)(void *))
{
	w->dp = dp;
	w->cmds = NULL;
	w->cmds_tail = &w->cmds;
	w->wake = w->epfd = -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->inited = 1;
	if ((w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	if (pthread_create(&w->thread, NULL, fn, w) != 0)
		return -1;
	w->running = 1;
	return 0;
}

static void
dp_worker_stop(struct dp_worker *w)
{
	struct dp_cmd c = {.type = DP_CMD_STOP};

	if (!w->inited)
		return;
	if (w->running) {
		dp_cmd(w, &c, 1);
		pthread_join(w->thread, NULL);
		w->running = 0;
	}
	if (w->wake != -1)
		close(w->wake);
	if (w->epfd != -1)
		close(w->epfd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
}

/*
 * IPv6 outer packets: the kernel writes the IPv6 header and fragments
 * what exceeds the path MTU ("fragment post"); fleetvpnd writes ESP, or
 * UDP and ESP.  A raw UDP socket would get a copy of every UDP datagram
 * the box receives: a filter that accepts nothing keeps it send-only,
 * and the kernel fills in the UDP checksum IPv6 requires (RFC 8200 8.1).
 */
static int
dp_send_only(int fd)
{
	struct sock_filter none = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = {.len = 1, .filter = &none};
	int off = 6; /* the UDP checksum field */

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ==
		-1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off)) ==
		-1)
		return -1;
	return 0;
}

static int
dp_sockets(struct esp_dp *dp, char *err, size_t errlen)
{
	/* IPPROTO_RAW implies IP_HDRINCL: our own outer IPv4 headers. */
	dp->raw4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	dp->esp4 = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  IPPROTO_ESP);
	dp->esp6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  IPPROTO_ESP);
	dp->udp6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  IPPROTO_UDP);
	if (dp->raw4 == -1 || dp->esp4 == -1) {
		snprintf(err, errlen,
			 "raw sockets: %s (root or CAP_NET_RAW "
			 "needed)",
			 strerror(errno));
		return -1;
	}
	dp_rcvbuf(dp->esp4);
	if (dp->esp6 != -1)
		dp_rcvbuf(dp->esp6);
	if (dp->udp6 != -1 && dp_send_only(dp->udp6) == -1) {
		close(dp->udp6);
		dp->udp6 = -1;
	}
	return 0;
}

struct esp_dp *
esp_dp_new(struct ev_loop *loop, const struct esp_dp_hooks *hooks, char *err,
	   size_t errlen)
{
	struct esp_dp *dp;

	if ((dp = calloc(1, sizeof(*dp))) == NULL) {
		str_lcpy(err, "out of memory", errlen);
		return NULL;
	}
	dp->loop = loop;
	dp->hooks = *hooks;
	dp->raw4 = dp->esp4 = dp->esp6 = dp->udp6 = -1;
	TAILQ_INIT(&dp->tunnels);
	pthread_mutex_init(&dp->up_lock, NULL);
	dp->up_tail = &dp->up;
	dp->sad_ops = (struct sad_ops){.install = dp_sad_install,
				       .remove = dp_sad_remove,
				       .stats = dp_sad_stats,
				       .arg = dp};
	if ((dp->up_async = ev_async_new(loop, dp_up_drain, dp)) == NULL ||
	    dp_sockets(dp, err, errlen) == -1 ||
	    dp_worker_start(dp, &dp->tx, esp_tx_main) == -1 ||
	    dp_worker_start(dp, &dp->rx, esp_rx_main) == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "data plane: %s",
				 strerror(errno));
		esp_dp_free(dp);
		return NULL;
	}
	return dp;
}

void
esp_dp_free(struct esp_dp *dp)
{
	struct dp_tunnel *t;
	int i;

	if (dp == NULL)
		return;
	/* Objects still installed come back through the up queue. */
	for (i = 0; i < DP_IN_BUCKETS; i++)
		while (dp->index[i] != NULL)
			dp_sad_remove(dp, dp->index[i]->spi, dp->index[i]->dir);
	while ((t = TAILQ_FIRST(&dp->tunnels)) != NULL)
		dp_tunnel_free(dp, t);
	dp_worker_stop(&dp->tx);
	dp_worker_stop(&dp->rx);
	if (dp->up_async != NULL) {
		dp_up_drain(NULL, dp);
		ev_async_free(dp->up_async);
	}
	if (dp->raw4 != -1)
		close(dp->raw4);
	if (dp->esp4 != -1)
		close(dp->esp4);
	if (dp->esp6 != -1)
		close(dp->esp6);
	if (dp->udp6 != -1)
		close(dp->udp6);
	pthread_mutex_destroy(&dp->up_lock);
	free(dp);
}
