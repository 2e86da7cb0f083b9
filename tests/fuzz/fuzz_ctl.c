/*
 * Fuzz target: the daemon's control server.  Each input is the byte
 * stream of one client connection, pushed through a socket pair into the
 * real server code (frame checks, JSON, argv, command table, handlers).
 * The daemon must answer or drop the client, never crash or hang.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct daemon *fuzz_d;

static const char fuzz_conf[] =
    "hostname fuzz\n"
    "control socket /tmp/fleetvpn-fuzz-%ld.sock\n"
    "ike proposal p1\n encryption aes-128\n hash sha1\n group 14\n"
    "ike peer hq\n address 203.0.113.2\n pre-shared-key \"fuzz-psk\"\n"
    " proposal p1\n"
    "ipsec proposal p2\n esp aes-128-gcm\n"
    "tunnel tun0\n peer hq\n proposal p2\n"
    " local-network 192.168.10.0/24\n remote-network 192.168.20.0/24\n";

static void
fuzz_ctl_init(void)
{
	struct conf_errors errs;
	char text[1024], err[256];

	fuzz_d = calloc(1, sizeof(*fuzz_d));
	snprintf(text, sizeof(text), fuzz_conf, (long)getpid());
	memset(&errs, 0, sizeof(errs));
	if ((fuzz_d->conf =
		 conf_parse("fuzz.conf", text, strlen(text), &errs)) == NULL)
		abort();
	/* "reload" re-reads this path: make it fail cleanly, not exit. */
	fuzz_d->conf_path = "/nonexistent/fleetvpn-fuzz.conf";
	fuzz_d->loop = ev_loop_new();
	log_init();
	log_ring_resize(100);
	reload_initial(fuzz_d, "fuzz.conf");
	if ((fuzz_d->ctl = control_open(fuzz_d, fuzz_d->conf->ctl_path, "", err,
					sizeof(err))) == NULL)
		abort();
	/* The socket file is not needed: inputs come through socketpairs. */
	unlink(fuzz_d->conf->ctl_path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_stats st;
	uint8_t sink[65536];
	size_t off = 0;
	int sv[2], spins;
	ssize_t n;

	if (fuzz_d == NULL)
		fuzz_ctl_init();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		abort();
	if (control_adopt(fuzz_d->ctl, sv[0], 0) == -1)
		abort();
	for (spins = 0; spins < 10000; spins++) {
		if (off < size) {
			n = write(sv[1], data + off, size - off);
			if (n > 0)
				off += (size_t)n;
		} else if (off == size) {
			shutdown(sv[1], SHUT_WR); /* end of request */
			off++;
		}
		ev_run_once(fuzz_d->loop, 0);
		while (read(sv[1], sink, sizeof(sink)) > 0)
			;
		control_stats(fuzz_d->ctl, &st);
		if (st.clients == 0)
			break;
	}
	if (st.clients != 0)
		abort(); /* the server hung on this input */
	close(sv[1]);
	return 0;
}
