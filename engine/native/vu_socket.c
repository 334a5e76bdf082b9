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
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_ARGS 5

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

static napi_value int_value(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
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
  return int_value(env, fd);
}

/** The (fd, buffer, offset or length, timeoutMs, wakeFd) arguments of send and recv. */
typedef struct {
  int fd, n, timeout_ms, wake_fd;
  char* data;
  size_t cap;
} Io;

static Io io_args(napi_env env, napi_callback_info info) {
  Args a = args(env, info);
  Io io;
  void* data;
  io.fd = int_arg(&a, 0);
  napi_get_buffer_info(env, a.argv[1], &data, &io.cap);
  io.data = (char*)data;
  io.n = int_arg(&a, 2);
  io.timeout_ms = int_arg(&a, 3);
  io.wake_fd = int_arg(&a, 4);
  return io;
}

// send(fd, buffer, length, timeoutMs, wakeFd): all `length` bytes written, or a negative result
static napi_value Send(napi_env env, napi_callback_info info) {
  Io io = io_args(env, info);
  size_t done = 0;
  while (done < (size_t)io.n) {
    ssize_t w = send(io.fd, io.data + done, (size_t)io.n - done, MSG_NOSIGNAL);
    if (w >= 0) {
      done += (size_t)w;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return int_value(env, -errno);
    int r = wait_for(io.fd, POLLOUT, io.timeout_ms, io.wake_fd);
    if (r < 0) return int_value(env, r);
  }
  return int_value(env, (int32_t)done);
}

// recv(fd, buffer, offset, timeoutMs, wakeFd): bytes read into buffer[offset..] (0: the peer closed), or a negative result.
// It waits first: it is called when the answer is awaited, so a recv() before would mostly find nothing.
static napi_value Recv(napi_env env, napi_callback_info info) {
  Io io = io_args(env, info);
  for (;;) {
    int w = wait_for(io.fd, POLLIN, io.timeout_ms, io.wake_fd);
    if (w < 0) return int_value(env, w);
    ssize_t r = recv(io.fd, io.data + io.n, io.cap - (size_t)io.n, 0);
    if (r >= 0) return int_value(env, (int32_t)r);
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return int_value(env, -errno);
  }
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
  close(int_arg(&a, 0));
  return NULL;
}

NAPI_MODULE_INIT() {
  static const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"resolve", Resolve}, {"connect", Connect}, {"send", Send}, {"recv", Recv}, {"stale", Stale},
             {"pipe", Pipe},       {"wake", Wake},       {"drain", Drain}, {"close", Close}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
