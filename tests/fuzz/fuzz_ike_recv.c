/*
 * Fuzz target: the IKE engine's receive path, datagram to exchange
 * handler, with the state it keeps between datagrams.  The input is a
 * sequence of records: one byte choosing the source (the configured
 * main-mode peer or an unknown address; port 500 or 4500), two bytes of
 * length, the datagram.  The engine runs in a private network namespace
 * (root), so whatever it answers goes nowhere.  After each input every SA
 * is cleared and reaped, so inputs do not pile up state.
 */
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ike.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_conf[] =
    "hostname fuzz\n"
    "ike proposal p1\n encryption aes-128\n hash sha1\n group 14\n"
    "ike proposal p2\n encryption aes-256\n hash sha256\n group 19\n"
    "ike peer hq\n address 203.0.113.1\n local-address 203.0.113.2\n"
    " pre-shared-key \"lab-only-psk-not-secret-0123456789\"\n"
    " proposal p1 p2\n dpd 10s 3\n"
    "ike peer dyn\n address any\n mode aggressive\n"
    " remote-id fqdn:br.example.net\n"
    " pre-shared-key \"lab-only-psk-not-secret-0123456789\"\n"
    " proposal p1\n"
    "ipsec proposal p3\n esp aes-128 sha1\n esp aes-128-gcm\n"
    "tunnel tun0\n peer hq\n proposal p3\n"
    " local-network 192.168.20.0/24\n remote-network 192.168.10.0/24\n"
    " initiate never\n"
    "tunnel tun1\n peer dyn\n proposal p3\n"
    " local-network 192.168.20.0/24\n remote-network 192.168.30.0/24\n";

static struct ev_loop *fuzz_loop;
static struct ike *fuzz_ike;
static struct conf *fuzz_c;

static void
fuzz_init(void)
{
	struct conf_errors errs;
	struct ifreq ifr;
	char err[128];
	int fd;

	if (unshare(CLONE_NEWNET) == -1) {
		fprintf(stderr, "fuzz_ike_recv: needs root (unshare)\n");
		exit(1);
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) != -1) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
		ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
		(void)ioctl(fd, SIOCSIFFLAGS, &ifr);
		close(fd);
	}
	log_init();
	log_ring_resize(0);
	fuzz_loop = ev_loop_new();
	if ((fuzz_c = conf_parse("fuzz.conf", fuzz_conf, strlen(fuzz_conf),
				 &errs)) == NULL ||
	    (fuzz_ike = ike_new(fuzz_loop, err, sizeof(err))) == NULL ||
	    ike_apply(fuzz_ike, fuzz_c) == -1)
		abort();
}

static void
fuzz_clear(void)
{
	struct ike_tunnel *t;
	struct ike_sa *sa, *next;

	TAILQ_FOREACH(t, &fuzz_ike->tunnels, entry)
		while (!TAILQ_EMPTY(&t->sas))
			ipsec_sa_delete(TAILQ_FIRST(&t->sas), "fuzz", 0);
	for (sa = TAILQ_FIRST(&fuzz_ike->sas); sa != NULL; sa = next) {
		next = TAILQ_NEXT(sa, entry);
		ike_sa_delete(sa, "fuzz", 0);
		ike_sa_free(sa);
	}
	ev_run_once(fuzz_loop, 0); /* the reaper */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t dgram[IKE_MSG_MAX];
	struct ike_ep local, remote;
	size_t off = 0, len;

	if (fuzz_ike == NULL)
		fuzz_init();
	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	addr_parse("203.0.113.2", &local.addr);
	while (size - off >= 3) {
		uint8_t sel = data[off];

		len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		addr_parse(sel & 1 ? "198.51.100.7" : "203.0.113.1",
			   &remote.addr);
		local.port = remote.port = sel & 2 ? IKE_NATT_PORT : IKE_PORT;
		memcpy(dgram, data + off, len); /* ike_recv may write */
		ike_recv(fuzz_ike, &local, &remote, dgram, len);
		ev_run_once(fuzz_loop, 0);
		off += len;
	}
	fuzz_clear();
	return 0;
}
