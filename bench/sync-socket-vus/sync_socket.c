// Blocking TCP sockets for a worker thread (the sync-socket VU experiment, issue 15): a VU thread
// that sends its own request and sleeps in recv() until the answer comes, with no main-thread hop.
// Node-API, plain C; built by bench/sync-socket-vus/run.ts with the machine's compiler.
#include <node_api.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>

static napi_value throw_errno(napi_env env, const char* what) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/** The (fd, buffer, n) arguments send and recv share. */
typedef struct {
  int32_t fd, n;
  char* data;
  size_t cap;
} FdBuffer;

static FdBuffer fd_buffer_args(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  FdBuffer a;
  void* data;
  napi_get_value_int32(env, argv[0], &a.fd);
  napi_get_buffer_info(env, argv[1], &data, &a.cap);
  napi_get_value_int32(env, argv[2], &a.n);
  a.data = (char*)data;
  return a;
}

static napi_value int_value(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

// connect(ipv4: string, port: number): fd
static napi_value Connect(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char ip[64];
  size_t len;
  int32_t port;
  napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, &len);
  napi_get_value_int32(env, argv[1], &port);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return throw_errno(env, "socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
    close(fd);
    napi_throw_error(env, NULL, "connect: not an IPv4 address");
    return NULL;
  }
  if (connect(fd, (struct sockaddr*)&a, sizeof a) < 0) {
    close(fd);
    return throw_errno(env, "connect");
  }
  return int_value(env, fd);
}

// send(fd, buffer, length): bytes written (all of them)
static napi_value Send(napi_env env, napi_callback_info info) {
  FdBuffer a = fd_buffer_args(env, info);
  size_t done = 0;
  while (done < (size_t)a.n) {
    ssize_t w = send(a.fd, a.data + done, (size_t)a.n - done, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return throw_errno(env, "send");
    }
    done += (size_t)w;
  }
  return int_value(env, (int32_t)done);
}

// recv(fd, buffer, offset): bytes read into buffer[offset..] (0: the peer closed); blocks
static napi_value Recv(napi_env env, napi_callback_info info) {
  FdBuffer a = fd_buffer_args(env, info);
  ssize_t r;
  do r = recv(a.fd, a.data + a.n, a.cap - (size_t)a.n, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, "recv");
  return int_value(env, (int32_t)r);
}

static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  napi_get_value_int32(env, argv[0], &fd);
  close(fd);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"connect", NULL, Connect, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, Send, NULL, NULL, NULL, napi_default, NULL},
      {"recv", NULL, Recv, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
