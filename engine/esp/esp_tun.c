/*
 * TUN devices: one per route-based tunnel, layer 3, no packet-info
 * header.  Each read() and write() carries a virtio_net_hdr
 * (ESP_TUN_HDR bytes) and then one IPv4 or IPv6 packet, which with TCP
 * segmentation offload may hold many TCP segments (esp_gso.c).
 *
 * The device is not made persistent (no TUNSETPERSIST): it lives exactly
 * as long as its descriptor.  When the descriptor closes, the kernel
 * unregisters the device, and every route and address through it goes
 * with it.  That is why the daemon needs no cleanup after a crash and a
 * restart finds no stale interface in its way.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "esp.h"
#include "str.h"

#define TUN_DEV	     "/dev/net/tun"
#define TUN_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

/*
 * A name the kernel takes as it is: TUNSETIFF expands "%d" into a free
 * number, and we must know the name of what we created.
 */
static int
tun_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < IFNAMSIZ && strchr(name, '%') == NULL &&
	       strchr(name, '/') == NULL;
}

static int
tun_ifreq(const char *name, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	if (!tun_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	str_lcpy(ifr->ifr_name, name, sizeof(ifr->ifr_name));
	return 0;
}

/* Interface ioctls go through any socket of the caller's namespace. */
static int
tun_sock_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s, rv, saved;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rv = ioctl(s, req, ifr);
	saved = errno;
	close(s);
	errno = saved;
	return rv;
}

int
esp_tun_set_mtu(const char *name, uint32_t mtu)
{
	struct ifreq ifr;

	if (tun_ifreq(name, &ifr) == -1)
		return -1;
	if (mtu > INT_MAX) {
		errno = EINVAL;
		return -1;
	}
	ifr.ifr_mtu = (int)mtu;
	return tun_sock_ioctl(SIOCSIFMTU, &ifr);
}

/* IFF_UP is enough: the kernel sets RUNNING itself while we hold the fd. */
static int
tun_up(const char *name)
{
	struct ifreq ifr;

	if (tun_ifreq(name, &ifr) == -1 ||
	    tun_sock_ioctl(SIOCGIFFLAGS, &ifr) == -1)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	return tun_sock_ioctl(SIOCSIFFLAGS, &ifr);
}

int
esp_tun_open(const char *name, uint32_t mtu, char *err, size_t errlen)
{
	struct ifreq ifr;
	const char *step;
	int fd = -1, hdrsz = ESP_TUN_HDR;

	step = "bad interface name";
	if (tun_ifreq(name, &ifr) == -1)
		goto fail;
	step = "open " TUN_DEV;
	if ((fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1)
		goto fail;
	/*
	 * One queue: a single data-plane thread reads each tunnel.  EXCL
	 * refuses a device of that name that exists already (someone's
	 * persistent TUN): adopting it would break the lifetime above.
	 */
	ifr.ifr_flags =
	    (short)(IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL | IFF_VNET_HDR);
	step = "TUNSETIFF";
	if (ioctl(fd, TUNSETIFF, &ifr) == -1)
		goto fail;
	step = "TUNSETVNETHDRSZ";
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) == -1)
		goto fail;
	/*
	 * TCP segmentation offload: the kernel hands over up to 64 KiB of
	 * one TCP stream in one read, and takes as much in one write; we cut
	 * and merge segments ourselves (esp_gso.c).  A kernel that refuses
	 * still works, one packet per read.
	 */
	if (ioctl(fd, TUNSETOFFLOAD, TUN_OFFLOADS) == -1)
		(void)ioctl(fd, TUNSETOFFLOAD, 0);
	step = "set MTU";
	if (esp_tun_set_mtu(name, mtu) == -1)
		goto fail;
	step = "set link up";
	if (tun_up(name) == -1)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "tun %s: %s: %s", name, step, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

int
esp_tun_ifindex(const char *name)
{
	unsigned idx;

	if (!tun_name_ok(name) || (idx = if_nametoindex(name)) == 0 ||
	    idx > INT_MAX)
		return -1;
	return (int)idx;
}
