/*
 * The pid file, locked for the daemon's life: a second instance with the
 * same pid file finds the lock and names the running one.  A file left by
 * a crash is not locked and is simply taken over.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "str.h"

struct pidfile {
	int fd;
	char path[CONF_PATH_MAX];
};

static void
pidfile_owner(int fd, char *err, size_t errlen, const char *path)
{
	char buf[32];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(err, errlen, "%s: fleetvpnd already running (pid %s)", path,
		 buf[0] ? buf : "unknown");
}

struct pidfile *
pidfile_open(const char *path, char *err, size_t errlen)
{
	char dir[CONF_PATH_MAX], line[32];
	struct pidfile *pf;
	int n;

	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return NULL;
	str_lcpy(pf->path, path, sizeof(pf->path));
	str_lcpy(dir, path, sizeof(dir));
	if (mkdir(dirname(dir), 0755) == -1 && errno != EEXIST)
		goto syserr;
	if ((pf->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		goto syserr;
	if (flock(pf->fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			pidfile_owner(pf->fd, err, errlen, path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(pf->fd);
		free(pf);
		return NULL;
	}
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (ftruncate(pf->fd, 0) == -1 ||
	    pwrite(pf->fd, line, (size_t)n, 0) != n)
		goto syserr_open;
	return pf;
syserr_open:
	close(pf->fd);
syserr:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	free(pf);
	return NULL;
}

void
pidfile_close(struct pidfile *pf)
{
	if (pf == NULL)
		return;
	unlink(pf->path);
	close(pf->fd);
	free(pf);
}
