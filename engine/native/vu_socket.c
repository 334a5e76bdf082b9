// Blocking TCP for a VU's worker thread (docs/engine-vu-sockets.md): the VU sends its own request
// and sleeps in poll() until the answer, its deadline or an interrupt comes, with no main-thread
// hop. Every wait also watches the VU's wake pipe, which the main thread writes to interrupt it.
// Results are numbers: >= 0 done, -errno failed, -ETIMEDOUT past the deadline, -EINTR woken.
// Node-API only (stable across Node versions); built by engine/native/build.mjs.
#define _GNU_SOURCE  // pipe2, SOCK_NONBLOCK
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 7

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
} Args;

static Args args(napi_env env, napi_callback_info info) {
  Args a;
  size_t argc = MAX_ARGS;
  a.env = env;
  napi_get_cb_info(env, info, &argc, a.argv, NULL, NULL);
  return a;
}

static int32_t int_arg(Args* a, int i) {
  int32_t v = 0;
  napi_get_value_int32(a->env, a->argv[i], &v);
  return v;
}

static double double_arg(Args* a, int i) {
  double v = 0;
  napi_get_value_double(a->env, a->argv[i], &v);
  return v;
}

/** A Buffer argument's bytes and their count. */
static char* buffer_arg(Args* a, int i, size_t* cap) {
  void* data = NULL;
  *cap = 0;
  napi_get_buffer_info(a->env, a->argv[i], &data, cap);
  return (char*)data;
}

static napi_value int_value(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

/**
 * The sockets a thread (a Node environment) has open, closed with it: a VU's worker terminated by
 * the engine runs no JavaScript to close them, and the process may go on (an engine run in a test).
 */
typedef struct {
  int* fds;
  size_t n, cap;
} Open;

static Open* open_of(napi_env env) {
  void* d = NULL;
  napi_get_instance_data(env, &d);
  return (Open*)d;
}

static void track(napi_env env, int fd) {
  Open* o = open_of(env);
  if (!o) return;
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 8;
    int* more = realloc(o->fds, cap * sizeof *more);
    if (!more) return;
    o->fds = more;
    o->cap = cap;
  }
  o->fds[o->n++] = fd;
}

static void untrack(napi_env env, int fd) {
  Open* o = open_of(env);
  if (!o) return;
  for (size_t i = 0; i < o->n; i++)
    if (o->fds[i] == fd) {
      o->fds[i] = o->fds[--o->n];
      return;
    }
}

static void close_all(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  Open* o = (Open*)data;
  for (size_t i = 0; i < o->n; i++) close(o->fds[i]);
  free(o->fds);
  free(o);
}

/** Waits until fd is ready for `events`, the deadline passes (-ETIMEDOUT) or the wake pipe is written (-EINTR). */
static int wait_for(int fd, short events, int timeout_ms, int wake_fd) {
  struct pollfd p[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
  for (;;) {
    int r = poll(p, wake_fd >= 0 ? 2 : 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -errno;
    if (r == 0) return -ETIMEDOUT;
    if (wake_fd >= 0 && (p[1].revents & POLLIN)) return -EINTR;
    return 0;
  }
}

// resolve(host): the host's addresses, IPv4 and IPv6 in the resolver's order; or a getaddrinfo error (a negative number)
static napi_value Resolve(napi_env env, napi_callback_info info) {
  Args a = args(env, info);
  char host[256];
  size_t len;
  napi_get_value_string_utf8(env, a.argv[0], host, sizeof host, &len);
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(host, NULL, &hints, &res);
  if (rc != 0) return int_value(env, rc < 0 ? rc : -rc);
  napi_value list;
  napi_create_array(env, &list);
  uint32_t n = 0;
  for (struct addrinfo* ai = res; ai; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN];
    const void* addr = ai->ai_family == AF_INET ? (const void*)&((struct sockaddr_in*)ai->ai_addr)->sin_addr
                                                : (const void*)&((struct sockaddr_in6*)ai->ai_addr)->sin6_addr;
    if (!inet_ntop(ai->ai_family, addr, text, sizeof text)) continue;
    napi_value s;
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, list, n++, s);
  }
  freeaddrinfo(res);
  return list;
}

// connect(ip, port, timeoutMs, wakeFd): a connected non-blocking socket with TCP_NODELAY, or a negative result
static napi_value Connect(napi_env env, napi_callback_info info) {
  Args a = args(env, info);
  char ip[INET6_ADDRSTRLEN];
  size_t len;
  napi_get_value_string_utf8(env, a.argv[0], ip, sizeof ip, &len);
  int port = int_arg(&a, 1), timeout_ms = int_arg(&a, 2), wake_fd = int_arg(&a, 3);
  struct sockaddr_storage ss;
  socklen_t ss_len;
  memset(&ss, 0, sizeof ss);
  struct sockaddr_in* v4 = (struct sockaddr_in*)&ss;
  struct sockaddr_in6* v6 = (struct sockaddr_in6*)&ss;
  if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    ss_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    ss_len = sizeof *v6;
  } else {
    return int_value(env, -EINVAL);
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return int_value(env, -errno);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr*)&ss, ss_len) < 0) {
    if (errno != EINPROGRESS) {
      int e = errno;
      close(fd);
      return int_value(env, -e);
    }
    int w = wait_for(fd, POLLOUT, timeout_ms, wake_fd);
    int err = 0;
    socklen_t err_len = sizeof err;
    if (w == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0) err = errno;
    if (w < 0 || err) {
      close(fd);
      return int_value(env, w < 0 ? w : -err);
    }
  }
  track(env, fd);
  return int_value(env, fd);
}

/** CLOCK_MONOTONIC in ms: performance.now()'s clock (libuv's hrtime), with another origin. */
static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

// monoMs(): the clock exchange() times with, for the caller to put on performance.now()'s origin
static napi_value MonoMs(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_double(env, mono_ms(), &out);
  return out;
}

/** The state exchange() and recvUntil() take up and update: a Float64Array of these slots. */
enum { SENT, GOT, SCAN_FROM, HEAD_END, SEND_MS, SENT_MS, FIRST_MS, STATE_SLOTS };
/** Results besides -errno, WOKEN and TIMED_OUT. */
enum { DONE = 0, PEER_CLOSED = 1 };

static double* state_arg(napi_env env, napi_value v) {
  napi_typedarray_type type;
  size_t length;
  void* data = NULL;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok) return NULL;
  return type == napi_float64_array && length >= STATE_SLOTS ? (double*)data : NULL;
}

/** The milliseconds left until `deadline` (monoMs()), at least 1: poll()'s timeout. */
static int left_ms(double deadline) {
  double left = deadline - mono_ms();
  return left < 1 ? 1 : left > 2e9 ? 2000000000 : (int)left + 1;
}

/** Reads what comes into in[got..cap) once the socket has it: DONE, PEER_CLOSED or a negative result. */
static int recv_some(int fd, char* in, size_t cap, double* st, double deadline, int wake_fd) {
  for (;;) {
    int w = wait_for(fd, POLLIN, left_ms(deadline), wake_fd);
    if (w < 0) return w;
    size_t got = (size_t)st[GOT];
    ssize_t r = recv(fd, in + got, cap - got, 0);
    if (r == 0) return PEER_CLOSED;
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return -errno;
    }
    if (st[FIRST_MS] == 0) st[FIRST_MS] = mono_ms();
    st[GOT] = (double)(got + (size_t)r);
    return DONE;
  }
}

// exchange(fd, out, outLength, in, deadline, wakeFd, state): sends out[state.sent..outLength), then reads
// into in[state.got..] until a head's end ("\r\n\r\n") lies at or after state.scanFrom: DONE with
// state.headEnd; or -ENOBUFS (in is full), PEER_CLOSED, WOKEN, TIMED_OUT (at `deadline`, a monoMs()
// time), -errno. The state keeps what was done: the next call takes up one a wake or a full buffer cut.
static napi_value Exchange(napi_env env, napi_callback_info info) {
  Args a = args(env, info);
  size_t out_cap, in_cap;
  int fd = int_arg(&a, 0), out_len = int_arg(&a, 2), wake_fd = int_arg(&a, 5);
  char* out = buffer_arg(&a, 1, &out_cap);
  char* in = buffer_arg(&a, 3, &in_cap);
  double deadline = double_arg(&a, 4);
  double* st = state_arg(env, a.argv[6]);
  if (!st || (size_t)out_len > out_cap) return int_value(env, -EINVAL);
  if (st[SEND_MS] == 0) st[SEND_MS] = mono_ms();
  while ((long)st[SENT] < out_len) {
    long sent = (long)st[SENT];
    ssize_t w = send(fd, out + sent, (size_t)(out_len - sent), MSG_NOSIGNAL);
    if (w >= 0) {
      st[SENT] = (double)(sent + w);
      if (sent + w == out_len) st[SENT_MS] = mono_ms();
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return int_value(env, -errno);
    int r = wait_for(fd, POLLOUT, left_ms(deadline), wake_fd);
    if (r < 0) return int_value(env, r);
  }
  for (;;) {
    long got = (long)st[GOT], from = (long)st[SCAN_FROM];
    for (long i = from; i + 3 < got; i++) {
      const char* d = in + i;
      if (d[0] == '\r' && d[1] == '\n' && d[2] == '\r' && d[3] == '\n') {
        st[HEAD_END] = (double)i;
        return int_value(env, DONE);
      }
    }
    if (got - 3 > from) st[SCAN_FROM] = (double)(got - 3);
    if ((size_t)got == in_cap) return int_value(env, -ENOBUFS);
    int r = recv_some(fd, in, in_cap, st, deadline, wake_fd);
    if (r != DONE) return int_value(env, r);
  }
}

// recvUntil(fd, in, need, deadline, wakeFd, state): reads into in[state.got..] until state.got >= need
// (in must hold need bytes): DONE, PEER_CLOSED, WOKEN, TIMED_OUT or -errno.
static napi_value RecvUntil(napi_env env, napi_callback_info info) {
  Args a = args(env, info);
  size_t in_cap;
  int fd = int_arg(&a, 0), need = int_arg(&a, 2), wake_fd = int_arg(&a, 4);
  char* in = buffer_arg(&a, 1, &in_cap);
  double deadline = double_arg(&a, 3);
  double* st = state_arg(env, a.argv[5]);
  if (!st || (size_t)need > in_cap) return int_value(env, -EINVAL);
  while ((long)st[GOT] < need) {
    int r = recv_some(fd, in, in_cap, st, deadline, wake_fd);
    if (r != DONE) return int_value(env, r);
  }
  return int_value(env, DONE);
}

// stale(fd): 1 when an idle kept-alive connection has something to read (the server closed it, or sent what no request asked)
static napi_value Stale(napi_env env, napi_callback_info info) {
  Args a = args(env, info);
  struct pollfd p = {int_arg(&a, 0), POLLIN, 0};
  return int_value(env, poll(&p, 1, 0) != 0);
}

// pipe(): [readFd, writeFd], both non-blocking: the wake pipe of one VU
static napi_value Pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) return int_value(env, -errno);
  napi_value out;
  napi_create_array_with_length(env, 2, &out);
  napi_set_element(env, out, 0, int_value(env, fds[0]));
  napi_set_element(env, out, 1, int_value(env, fds[1]));
  return out;
}

// wake(fd): one byte into a wake pipe (a full pipe is already awake)
static napi_value Wake(napi_env env, napi_callback_info info) {
  Args a = args(env, info);
  char b = 1;
  ssize_t r = write(int_arg(&a, 0), &b, 1);
  (void)r;
  return NULL;
}

// drain(fd): empties a wake pipe
static napi_value Drain(napi_env env, napi_callback_info info) {
  Args a = args(env, info);
  char buf[64];
  while (read(int_arg(&a, 0), buf, sizeof buf) > 0) {
  }
  return NULL;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  Args a = args(env, info);
  int fd = int_arg(&a, 0);
  untrack(env, fd);
  close(fd);
  return NULL;
}

NAPI_MODULE_INIT() {
  if (!open_of(env)) {
    Open* o = calloc(1, sizeof *o);
    if (o) napi_set_instance_data(env, o, close_all, NULL);
  }
  static const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"resolve", Resolve}, {"connect", Connect}, {"exchange", Exchange}, {"recvUntil", RecvUntil},
             {"monoMs", MonoMs}, {"stale", Stale},
             {"pipe", Pipe},       {"wake", Wake},       {"drain", Drain}, {"close", Close}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
