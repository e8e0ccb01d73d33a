// ONNX shape inference in a child process (onnx_graph.h). libonnx's inference functions trust a
// model's attribute values and shapes: a zero stride divides by zero, an undefined input is
// dereferenced. Systole must refuse such a model with an error, never crash, so the inference
// runs in a fork()ed child that sends the inferred model back through a pipe; a child that dies
// is reported as a malformed model. The cost is one fork per import (about a millisecond; the
// operator schemas are registered before the first fork and inherited).
#include <fmt/format.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "onnx_graph.h"

namespace systole::onnx_import {
namespace {

constexpr char kOk = 'K', kFailed = 'E';

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

[[noreturn]] void child(onnx::ModelProto model, int fd) {
  std::string reply;
  try {
    onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*error_mode=*/0, /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
    reply = kOk + model.SerializeAsString();
  } catch (const std::exception& e) {
    reply = kFailed + std::string(e.what());
  }
  _exit(write_all(fd, reply.data(), reply.size()) ? 0 : 3);
}

}  // namespace

void infer_shapes_isolated(onnx::ModelProto* model, const std::string& source) {
  auto fail = [&](const std::string& why) {
    throw WorkloadError(Diagnostic{source, 0, "", "", "ONNX shape inference " + why});
  };
  // The operator schemas are registered on first use. Registering them here, once, before any
  // fork, lets every child inherit them: a child would otherwise build the whole registry again
  // for each import (seconds under a sanitizer), and would take its lock in a copy of a process
  // whose other threads may hold it.
  static const bool registered = !onnx::OpSchemaRegistry::get_all_schemas().empty();
  (void)registered;
  int fds[2];
  if (::pipe(fds) != 0) fail(std::string("could not start: pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    fail(std::string("could not start: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child(*model, fds[1]);
  }
  ::close(fds[1]);
  std::string reply;
  char buf[65536];
  for (;;) {
    const ssize_t r = ::read(fds[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    reply.append(buf, static_cast<size_t>(r));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    fail(
        fmt::format("crashed on this model (signal {}, {}): an attribute or shape is malformed (e.g. a zero "
                    "stride)",
                    WTERMSIG(status), strsignal(WTERMSIG(status))));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || reply.empty()) {
    fail("stopped on this model without a result: an attribute or shape is malformed");
  }
  if (reply[0] == kFailed) fail("failed: " + reply.substr(1));
  if (reply[0] != kOk || !model->ParseFromString(reply.substr(1)))
    throw InternalError("onnx import: bad inference reply");
}

}  // namespace systole::onnx_import
