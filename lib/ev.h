/*
 * The event loop: one epoll instance per process that everything plugs into
 * (control socket, IKE sockets, Net-SNMP, libcurl).  File-descriptor
 * watchers, one-shot timers on a min-heap of monotonic deadlines, signals
 * through signalfd, cross-thread wakeups through eventfd, and hooks that run
 * before each wait (where Net-SNMP recomputes its descriptors).
 *
 * Only ev_async_send() may be called from another thread.
 */
#ifndef FLEETVPN_EV_H
#define FLEETVPN_EV_H

#include <stdint.h>
#include <sys/epoll.h>

struct ev_loop;
struct ev_io;
struct ev_timer;
struct ev_async;

typedef void ev_io_cb(struct ev_io *, int fd, uint32_t events, void *arg);
typedef void ev_timer_cb(struct ev_timer *, void *arg);
typedef void ev_signal_cb(int signo, void *arg);
typedef void ev_async_cb(struct ev_async *, void *arg);
typedef void ev_hook_cb(struct ev_loop *, void *arg);

struct ev_loop *ev_loop_new(void);
void ev_loop_free(struct ev_loop *);
int ev_run(struct ev_loop *);
int ev_run_once(struct ev_loop *, int timeout_ms);
void ev_break(struct ev_loop *);
uint64_t ev_now(struct ev_loop *);
uint64_t ev_time_ms(void);
int ev_hook_add(struct ev_loop *, ev_hook_cb *, void *);
void ev_hook_remove(struct ev_loop *, ev_hook_cb *, void *);

struct ev_io *ev_io_new(struct ev_loop *, int, uint32_t, ev_io_cb *, void *);
int ev_io_set(struct ev_io *, uint32_t);
int ev_io_fd(const struct ev_io *);
void ev_io_free(struct ev_io *);

struct ev_timer *ev_timer_new(struct ev_loop *, ev_timer_cb *, void *);
void ev_timer_start(struct ev_timer *, uint64_t ms);
void ev_timer_stop(struct ev_timer *);
int ev_timer_pending(const struct ev_timer *);
uint64_t ev_timer_remaining(const struct ev_timer *);
void ev_timer_free(struct ev_timer *);

int ev_signal(struct ev_loop *, int, ev_signal_cb *, void *);

struct ev_async *ev_async_new(struct ev_loop *, ev_async_cb *, void *);
void ev_async_send(struct ev_async *);
void ev_async_free(struct ev_async *);

#endif
