/*
 * The event loop; see ev.h.
 *
 * Watchers freed while a batch of epoll events is being dispatched are only
 * unlinked; their memory goes after the batch, so a pending event for a
 * freed watcher is skipped instead of touching freed memory.  Free a
 * watcher before closing its descriptor: a closed and reused descriptor
 * number must never be taken off epoll on behalf of the old owner.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"

#define EV_BATCH       64
#define EV_HOOKS_MAX   8
#define EV_SIGNALS_MAX 16

struct ev_io {
	struct ev_loop *loop;
	int fd;
	uint32_t events;
	ev_io_cb *cb;
	void *arg;
	int dead;
	struct ev_io *next_dead;
};

struct ev_timer {
	struct ev_loop *loop;
	uint64_t deadline;
	size_t slot; /* heap index + 1; 0 = not pending */
	ev_timer_cb *cb;
	void *arg;
};

struct ev_async {
	struct ev_io *io;
	int fd;
	ev_async_cb *cb;
	void *arg;
};

struct ev_loop {
	int epfd;
	int stop;
	int dispatching;
	uint64_t now;
	struct ev_timer **heap;
	size_t nheap;
	size_t capheap;
	struct ev_io *dead;
	struct {
		ev_hook_cb *cb;
		void *arg;
	} hooks[EV_HOOKS_MAX];
	int nhooks;
	int sigfd;
	struct ev_io *sigio;
	sigset_t sigmask;
	struct {
		int signo;
		ev_signal_cb *cb;
		void *arg;
	} sigs[EV_SIGNALS_MAX];
	int nsigs;
};

uint64_t
ev_time_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct ev_loop *
ev_loop_new(void)
{
	struct ev_loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(l);
		return NULL;
	}
	l->sigfd = -1;
	sigemptyset(&l->sigmask);
	l->now = ev_time_ms();
	return l;
}

static void
ev_reap(struct ev_loop *l)
{
	struct ev_io *io;

	while ((io = l->dead) != NULL) {
		l->dead = io->next_dead;
		free(io);
	}
}

void
ev_loop_free(struct ev_loop *l)
{
	size_t i;

	if (l == NULL)
		return;
	if (l->sigio != NULL)
		ev_io_free(l->sigio);
	if (l->sigfd != -1)
		close(l->sigfd);
	for (i = 0; i < l->nheap; i++)
		l->heap[i]->slot = 0;
	free(l->heap);
	ev_reap(l);
	close(l->epfd);
	free(l);
}

uint64_t
ev_now(struct ev_loop *l)
{
	return l->now;
}

int
ev_hook_add(struct ev_loop *l, ev_hook_cb *cb, void *arg)
{
	if (l->nhooks == EV_HOOKS_MAX)
		return -1;
	l->hooks[l->nhooks].cb = cb;
	l->hooks[l->nhooks].arg = arg;
	l->nhooks++;
	return 0;
}

void
ev_hook_remove(struct ev_loop *l, ev_hook_cb *cb, void *arg)
{
	int i;

	for (i = 0; i < l->nhooks; i++) {
		if (l->hooks[i].cb != cb || l->hooks[i].arg != arg)
			continue;
		memmove(&l->hooks[i], &l->hooks[i + 1],
			(size_t)(l->nhooks - i - 1) * sizeof(l->hooks[0]));
		l->nhooks--;
		return;
	}
}

/* --- descriptors --- */

struct ev_io *
ev_io_new(struct ev_loop *l, int fd, uint32_t events, ev_io_cb *cb, void *arg)
{
	struct epoll_event ee;
	struct ev_io *io;

	if ((io = calloc(1, sizeof(*io))) == NULL)
		return NULL;
	io->loop = l;
	io->fd = fd;
	io->events = events;
	io->cb = cb;
	io->arg = arg;
	memset(&ee, 0, sizeof(ee));
	ee.events = events;
	ee.data.ptr = io;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ee) == -1) {
		free(io);
		return NULL;
	}
	return io;
}

int
ev_io_set(struct ev_io *io, uint32_t events)
{
	struct epoll_event ee;

	if (io->events == events)
		return 0;
	memset(&ee, 0, sizeof(ee));
	ee.events = events;
	ee.data.ptr = io;
	if (epoll_ctl(io->loop->epfd, EPOLL_CTL_MOD, io->fd, &ee) == -1)
		return -1;
	io->events = events;
	return 0;
}

int
ev_io_fd(const struct ev_io *io)
{
	return io->fd;
}

void
ev_io_free(struct ev_io *io)
{
	struct ev_loop *l;

	if (io == NULL || io->dead)
		return;
	l = io->loop;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->dead = 1;
	io->next_dead = l->dead;
	l->dead = io;
	if (!l->dispatching)
		ev_reap(l);
}

/* --- timers: a binary min-heap on the deadline --- */

static void
ev_heap_set(struct ev_loop *l, size_t i, struct ev_timer *t)
{
	l->heap[i] = t;
	t->slot = i + 1;
}

static void
ev_heap_up(struct ev_loop *l, size_t i)
{
	struct ev_timer *t = l->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (l->heap[p]->deadline <= t->deadline)
			break;
		ev_heap_set(l, i, l->heap[p]);
		i = p;
	}
	ev_heap_set(l, i, t);
}

static void
ev_heap_down(struct ev_loop *l, size_t i)
{
	struct ev_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap &&
		    l->heap[c + 1]->deadline < l->heap[c]->deadline)
			c++;
		if (t->deadline <= l->heap[c]->deadline)
			break;
		ev_heap_set(l, i, l->heap[c]);
		i = c;
	}
	ev_heap_set(l, i, t);
}

static void
ev_heap_remove(struct ev_loop *l, struct ev_timer *t)
{
	size_t i = t->slot - 1;
	struct ev_timer *last;

	t->slot = 0;
	last = l->heap[--l->nheap];
	if (i == l->nheap)
		return;
	ev_heap_set(l, i, last);
	ev_heap_up(l, i);
	ev_heap_down(l, last->slot - 1);
}

struct ev_timer *
ev_timer_new(struct ev_loop *l, ev_timer_cb *cb, void *arg)
{
	struct ev_timer *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->loop = l;
	t->cb = cb;
	t->arg = arg;
	return t;
}

/* (Re)arm a one-shot timer "ms" milliseconds from now. */
void
ev_timer_start(struct ev_timer *t, uint64_t ms)
{
	struct ev_loop *l = t->loop;

	if (t->slot != 0)
		ev_heap_remove(l, t);
	if (l->nheap == l->capheap) {
		size_t ncap = l->capheap ? l->capheap * 2 : 64;
		struct ev_timer **nh;

		/* Out of memory here would silently lose a timer. */
		if ((nh = reallocarray(l->heap, ncap,
				       sizeof(struct ev_timer *))) == NULL)
			abort();
		l->heap = nh;
		l->capheap = ncap;
	}
	t->deadline = ev_time_ms() + ms;
	l->heap[l->nheap++] = t;
	ev_heap_up(l, l->nheap - 1);
}

void
ev_timer_stop(struct ev_timer *t)
{
	if (t->slot != 0)
		ev_heap_remove(t->loop, t);
}

int
ev_timer_pending(const struct ev_timer *t)
{
	return t->slot != 0;
}

uint64_t
ev_timer_remaining(const struct ev_timer *t)
{
	uint64_t now;

	if (t->slot == 0)
		return 0;
	now = ev_time_ms();
	return t->deadline > now ? t->deadline - now : 0;
}

void
ev_timer_free(struct ev_timer *t)
{
	if (t == NULL)
		return;
	ev_timer_stop(t);
	free(t);
}

static void
ev_timers_run(struct ev_loop *l)
{
	struct ev_timer *t;

	while (l->nheap > 0 && l->heap[0]->deadline <= l->now) {
		t = l->heap[0];
		ev_heap_remove(l, t);
		t->cb(t, t->arg);
	}
}

static int
ev_timeout(struct ev_loop *l, int timeout_ms)
{
	uint64_t d;

	if (l->nheap == 0)
		return timeout_ms;
	d = l->heap[0]->deadline > l->now ? l->heap[0]->deadline - l->now : 0;
	if (timeout_ms < 0 || d < (uint64_t)timeout_ms)
		return d > INT32_MAX ? INT32_MAX : (int)d;
	return timeout_ms;
}

/* --- signals --- */

static void
ev_signal_read(struct ev_io *io, int fd, uint32_t events, void *arg)
{
	struct ev_loop *l = arg;
	struct signalfd_siginfo si;
	int i;

	(void)io;
	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		for (i = 0; i < l->nsigs; i++)
			if (l->sigs[i].signo == (int)si.ssi_signo)
				l->sigs[i].cb((int)si.ssi_signo,
					      l->sigs[i].arg);
	}
}

/* Deliver "signo" through the loop; the signal is blocked for the thread. */
int
ev_signal(struct ev_loop *l, int signo, ev_signal_cb *cb, void *arg)
{
	sigset_t one;
	int fd;

	if (l->nsigs == EV_SIGNALS_MAX)
		return -1;
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (sigprocmask(SIG_BLOCK, &one, NULL) == -1)
		return -1;
	sigaddset(&l->sigmask, signo);
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -1;
	if (l->sigfd == -1) {
		l->sigfd = fd;
		l->sigio = ev_io_new(l, fd, EPOLLIN, ev_signal_read, l);
		if (l->sigio == NULL)
			return -1;
	}
	l->sigs[l->nsigs].signo = signo;
	l->sigs[l->nsigs].cb = cb;
	l->sigs[l->nsigs].arg = arg;
	l->nsigs++;
	return 0;
}

/* --- cross-thread wakeups --- */

static void
ev_async_read(struct ev_io *io, int fd, uint32_t events, void *arg)
{
	struct ev_async *a = arg;
	uint64_t n;

	(void)io;
	(void)events;
	if (read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		a->cb(a, a->arg);
}

struct ev_async *
ev_async_new(struct ev_loop *l, ev_async_cb *cb, void *arg)
{
	struct ev_async *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->cb = cb;
	a->arg = arg;
	if ((a->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		goto fail;
	if ((a->io = ev_io_new(l, a->fd, EPOLLIN, ev_async_read, a)) == NULL)
		goto fail;
	return a;
fail:
	if (a->fd != -1)
		close(a->fd);
	free(a);
	return NULL;
}

/* Thread-safe; wakeups coalesce until the loop runs the callback. */
void
ev_async_send(struct ev_async *a)
{
	uint64_t one = 1;
	ssize_t n;

	n = write(a->fd, &one, sizeof(one));
	(void)n; /* EAGAIN: the counter is saturated, a wakeup is due */
}

void
ev_async_free(struct ev_async *a)
{
	if (a == NULL)
		return;
	ev_io_free(a->io);
	close(a->fd);
	free(a);
}

/* --- the loop --- */

int
ev_run_once(struct ev_loop *l, int timeout_ms)
{
	struct epoll_event evs[EV_BATCH];
	int i, n;

	for (i = 0; i < l->nhooks; i++)
		l->hooks[i].cb(l, l->hooks[i].arg);
	l->now = ev_time_ms();
	n = epoll_wait(l->epfd, evs, EV_BATCH, ev_timeout(l, timeout_ms));
	if (n == -1 && errno != EINTR)
		return -1;
	l->now = ev_time_ms();
	l->dispatching = 1;
	for (i = 0; i < n; i++) {
		struct ev_io *io = evs[i].data.ptr;

		if (!io->dead)
			io->cb(io, io->fd, evs[i].events, io->arg);
	}
	ev_timers_run(l);
	l->dispatching = 0;
	ev_reap(l);
	return 0;
}

int
ev_run(struct ev_loop *l)
{
	l->stop = 0;
	while (!l->stop)
		if (ev_run_once(l, -1) == -1)
			return -1;
	return 0;
}

void
ev_break(struct ev_loop *l)
{
	l->stop = 1;
}
