// tsvmm_kvm: the thin native layer under packages/vmm's KVM binding (crosvm's `kvm_sys` role, minus
// the layouts). It does only what JavaScript cannot: open(2)/close(2), ioctl(2) with an integer or a
// pointer to a caller's buffer, mmap(2) exposed to JavaScript as external ArrayBuffers (no copies),
// the calling thread's id and CPU affinity, and a signal to kick a thread out of a blocking KVM_RUN.
//
// Every struct layout, ioctl number and policy lives in TypeScript (src/kvm_sys, src/kvm). Failures
// are returned as negative errno values (never thrown) so the hot path (KVM_RUN, EINTR) stays cheap
// and TypeScript turns them into typed errors naming the ioctl.
//
// Mappings live in a process-wide registry keyed by a small integer handle, so every thread (the
// main thread and each vCPU worker, each with its own V8 isolate) can make its own ArrayBuffer over
// the same pages. A mapping is unmapped only when it has been released AND every ArrayBuffer made
// over it has been garbage-collected, so no isolate is ever left holding a view of unmapped memory.
#include <node_api.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>

#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

struct Mapping {
  void* addr;
  size_t length;
  int views;      // live ArrayBuffers over this mapping, in any isolate
  bool released;  // unmap() was called: munmap when views reaches 0
};

std::mutex g_lock;
std::map<int32_t, Mapping> g_mappings;
int32_t g_next_handle = 1;

// Unmaps `handle` if it is released and unviewed. Caller holds g_lock.
void MaybeUnmapLocked(int32_t handle) {
  auto it = g_mappings.find(handle);
  if (it == g_mappings.end()) return;
  if (it->second.released && it->second.views == 0) {
    munmap(it->second.addr, it->second.length);
    g_mappings.erase(it);
  }
}

#define CHECK_NAPI(call)                                       \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      napi_throw_error(env, "TSVMM_KVM_NAPI", "N-API failure: " #call); \
      return nullptr;                                          \
    }                                                          \
  } while (0)

napi_value Int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

// Reads argument `i` as an int64 (numbers only). Throws a TypeError and returns false otherwise.
bool ArgInt64(napi_env env, napi_value* argv, size_t argc, size_t i, int64_t* out) {
  napi_valuetype t = napi_undefined;
  if (i < argc) napi_typeof(env, argv[i], &t);
  if (t == napi_number) return napi_get_value_int64(env, argv[i], out) == napi_ok;
  if (t == napi_bigint) {
    bool lossless;
    return napi_get_value_bigint_int64(env, argv[i], out, &lossless) == napi_ok;
  }
  char msg[64];
  snprintf(msg, sizeof msg, "argument %zu must be a number", i);
  napi_throw_type_error(env, "TSVMM_KVM_ARG", msg);
  return false;
}

// open(path: string, flags: number): fd | -errno
napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  char path[4096];
  size_t len = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, "TSVMM_KVM_ARG", "argument 0 must be a string");
    return nullptr;
  }
  int64_t flags;
  if (!ArgInt64(env, argv, argc, 1, &flags)) return nullptr;
  int fd = open(path, static_cast<int>(flags) | O_CLOEXEC);
  return Int(env, fd < 0 ? -errno : fd);
}

// close(fd: number): 0 | -errno
napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd;
  if (!ArgInt64(env, argv, argc, 0, &fd)) return nullptr;
  return Int(env, close(static_cast<int>(fd)) < 0 ? -errno : 0);
}

// ioctl(fd: number, request: number, arg?: number | bigint | ArrayBuffer | ArrayBufferView): result | -errno
// A buffer argument passes a pointer to its bytes (the kernel reads and/or writes them in place).
napi_value Ioctl(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd, request;
  if (!ArgInt64(env, argv, argc, 0, &fd) || !ArgInt64(env, argv, argc, 1, &request)) return nullptr;
  unsigned long arg = 0;
  if (argc >= 3) {
    napi_valuetype t;
    CHECK_NAPI(napi_typeof(env, argv[2], &t));
    bool is_ab = false, is_view = false;
    napi_is_arraybuffer(env, argv[2], &is_ab);
    if (!is_ab) {
      bool is_ta = false, is_dv = false;
      napi_is_typedarray(env, argv[2], &is_ta);
      napi_is_dataview(env, argv[2], &is_dv);
      is_view = is_ta || is_dv;
    }
    if (is_ab) {
      void* data;
      size_t n;
      CHECK_NAPI(napi_get_arraybuffer_info(env, argv[2], &data, &n));
      arg = reinterpret_cast<unsigned long>(data);
    } else if (is_view) {
      bool is_ta = false;
      napi_is_typedarray(env, argv[2], &is_ta);
      void* data;
      if (is_ta) {
        napi_typedarray_type type;
        size_t length, offset;
        napi_value ab;
        CHECK_NAPI(napi_get_typedarray_info(env, argv[2], &type, &length, &data, &ab, &offset));
      } else {
        size_t length, offset;
        napi_value ab;
        CHECK_NAPI(napi_get_dataview_info(env, argv[2], &length, &data, &ab, &offset));
      }
      arg = reinterpret_cast<unsigned long>(data);
    } else if (t == napi_number || t == napi_bigint) {
      int64_t v;
      if (!ArgInt64(env, argv, argc, 2, &v)) return nullptr;
      arg = static_cast<unsigned long>(v);
    } else if (t != napi_undefined) {
      napi_throw_type_error(env, "TSVMM_KVM_ARG", "argument 2 must be a number, bigint or buffer");
      return nullptr;
    }
  }
  int r = ioctl(static_cast<int>(fd), static_cast<unsigned long>(static_cast<uint32_t>(request)), arg);
  return Int(env, r < 0 ? -errno : r);
}

// mmap(length, prot, flags, fd, offset, align = 0): handle (> 0) | -errno
// With `align` (a power of two, anonymous mappings only) the mapping starts at a multiple of it:
// guest RAM aligned to 2 MiB can be backed by transparent huge pages, as QEMU aligns its RAM.
napi_value Mmap(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t length, prot, flags, fd, offset, align = 0;
  if (!ArgInt64(env, argv, argc, 0, &length) || !ArgInt64(env, argv, argc, 1, &prot) ||
      !ArgInt64(env, argv, argc, 2, &flags) || !ArgInt64(env, argv, argc, 3, &fd) ||
      !ArgInt64(env, argv, argc, 4, &offset))
    return nullptr;
  if (argc >= 6 && !ArgInt64(env, argv, argc, 5, &align)) return nullptr;
  if (length <= 0 || align < 0 || (align & (align - 1)) != 0 || (align > 0 && fd != -1)) return Int(env, -EINVAL);
  size_t len = static_cast<size_t>(length);
  size_t extra = static_cast<size_t>(align);
  void* raw = mmap(nullptr, len + extra, static_cast<int>(prot), static_cast<int>(flags), static_cast<int>(fd),
                   static_cast<off_t>(offset));
  if (raw == MAP_FAILED) return Int(env, -errno);
  void* addr = raw;
  if (extra > 0) {
    uintptr_t start = reinterpret_cast<uintptr_t>(raw);
    uintptr_t aligned = (start + extra - 1) & ~(static_cast<uintptr_t>(extra) - 1);
    if (aligned > start) munmap(raw, aligned - start);
    uintptr_t tail = aligned + len;
    uintptr_t end = start + len + extra;
    if (end > tail) munmap(reinterpret_cast<void*>(tail), end - tail);
    addr = reinterpret_cast<void*>(aligned);
  }
  std::lock_guard<std::mutex> guard(g_lock);
  int32_t handle = g_next_handle++;
  g_mappings[handle] = Mapping{addr, static_cast<size_t>(length), 0, false};
  return Int(env, handle);
}

void FinalizeView(napi_env, void*, void* hint) {
  int32_t handle = static_cast<int32_t>(reinterpret_cast<intptr_t>(hint));
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_mappings.find(handle);
  if (it == g_mappings.end()) return;
  it->second.views--;
  MaybeUnmapLocked(handle);
}

// view(handle): ArrayBuffer over the whole mapping, in the calling isolate (throws on a bad handle)
napi_value View(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t handle;
  if (!ArgInt64(env, argv, argc, 0, &handle)) return nullptr;
  void* addr;
  size_t length;
  {
    std::lock_guard<std::mutex> guard(g_lock);
    auto it = g_mappings.find(static_cast<int32_t>(handle));
    if (it == g_mappings.end() || it->second.released) {
      napi_throw_range_error(env, "TSVMM_KVM_HANDLE", "no such mapping (unmapped or never mapped)");
      return nullptr;
    }
    it->second.views++;
    addr = it->second.addr;
    length = it->second.length;
  }
  napi_value ab;
  napi_status s = napi_create_external_arraybuffer(env, addr, length, FinalizeView,
                                                   reinterpret_cast<void*>(static_cast<intptr_t>(handle)), &ab);
  if (s != napi_ok) {
    std::lock_guard<std::mutex> guard(g_lock);
    g_mappings[static_cast<int32_t>(handle)].views--;
    napi_throw_error(env, "TSVMM_KVM_NAPI", "napi_create_external_arraybuffer failed");
    return nullptr;
  }
  return ab;
}

// address(handle): bigint, the mapping's user-space address (for KVM_SET_USER_MEMORY_REGION)
napi_value Address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t handle;
  if (!ArgInt64(env, argv, argc, 0, &handle)) return nullptr;
  uint64_t addr;
  {
    std::lock_guard<std::mutex> guard(g_lock);
    auto it = g_mappings.find(static_cast<int32_t>(handle));
    if (it == g_mappings.end() || it->second.released) {
      napi_throw_range_error(env, "TSVMM_KVM_HANDLE", "no such mapping (unmapped or never mapped)");
      return nullptr;
    }
    addr = reinterpret_cast<uint64_t>(it->second.addr);
  }
  napi_value out;
  CHECK_NAPI(napi_create_bigint_uint64(env, addr, &out));
  return out;
}

// unmap(handle): 0 | -EBADF. The pages go away once no ArrayBuffer over them is alive.
napi_value Unmap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t handle;
  if (!ArgInt64(env, argv, argc, 0, &handle)) return nullptr;
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_mappings.find(static_cast<int32_t>(handle));
  if (it == g_mappings.end() || it->second.released) return Int(env, -EBADF);
  it->second.released = true;
  MaybeUnmapLocked(static_cast<int32_t>(handle));
  return Int(env, 0);
}

// madvise(handle, advice): 0 | -errno, over the whole mapping (MADV_HUGEPAGE = 14 for guest RAM)
napi_value Madvise(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t handle, advice;
  if (!ArgInt64(env, argv, argc, 0, &handle) || !ArgInt64(env, argv, argc, 1, &advice)) return nullptr;
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_mappings.find(static_cast<int32_t>(handle));
  if (it == g_mappings.end() || it->second.released) return Int(env, -EBADF);
  return Int(env, madvise(it->second.addr, it->second.length, static_cast<int>(advice)) < 0 ? -errno : 0);
}

// gettid(): the calling thread's kernel thread id (a vCPU worker records it so it can be kicked)
napi_value GetTid(napi_env env, napi_callback_info) {
  return Int(env, static_cast<int64_t>(syscall(SYS_gettid)));
}

// setAffinity(tid, cpus: number[]): 0 | -errno. sched_setaffinity(2) for one thread (0 = the caller).
napi_value SetAffinity(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t tid;
  if (!ArgInt64(env, argv, argc, 0, &tid)) return nullptr;
  bool is_array = false;
  if (argc >= 2) napi_is_array(env, argv[1], &is_array);
  if (!is_array) {
    napi_throw_type_error(env, "TSVMM_KVM_ARG", "argument 1 must be an array of CPU numbers");
    return nullptr;
  }
  uint32_t n;
  CHECK_NAPI(napi_get_array_length(env, argv[1], &n));
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    int32_t cpu;
    CHECK_NAPI(napi_get_element(env, argv[1], i, &v));
    if (napi_get_value_int32(env, v, &cpu) != napi_ok || cpu < 0 || cpu >= CPU_SETSIZE) return Int(env, -EINVAL);
    CPU_SET(cpu, &set);
  }
  return Int(env, sched_setaffinity(static_cast<pid_t>(tid), sizeof set, &set) < 0 ? -errno : 0);
}

// getAffinity(tid): number[] (the CPUs the thread may run on; 0 = the caller) | -errno
napi_value GetAffinity(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t tid;
  if (!ArgInt64(env, argv, argc, 0, &tid)) return nullptr;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(static_cast<pid_t>(tid), sizeof set, &set) < 0) return Int(env, -errno);
  napi_value out;
  CHECK_NAPI(napi_create_array(env, &out));
  uint32_t k = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (!CPU_ISSET(cpu, &set)) continue;
    napi_value v;
    CHECK_NAPI(napi_create_int32(env, cpu, &v));
    CHECK_NAPI(napi_set_element(env, out, k++, v));
  }
  return out;
}

// The kick signal: a real-time signal whose handler does nothing, installed without SA_RESTART so
// a blocking ioctl (KVM_RUN) in the signalled thread returns EINTR.
int KickSignal() { return SIGRTMIN + 2; }

void OnKick(int) {}

// kick(tid): 0 | -errno. Sends the kick signal to one thread of this process.
napi_value Kick(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t tid;
  if (!ArgInt64(env, argv, argc, 0, &tid)) return nullptr;
  long r = syscall(SYS_tgkill, static_cast<long>(getpid()), static_cast<long>(tid), static_cast<long>(KickSignal()));
  return Int(env, r < 0 ? -errno : 0);
}

std::once_flag g_signal_once;

}  // namespace

NAPI_MODULE_INIT() {
  std::call_once(g_signal_once, [] {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = OnKick;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: interrupted ioctls return EINTR
    sigaction(KickSignal(), &sa, nullptr);
  });
  napi_property_descriptor props[] = {
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"ioctl", nullptr, Ioctl, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"mmap", nullptr, Mmap, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"view", nullptr, View, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"address", nullptr, Address, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"madvise", nullptr, Madvise, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unmap", nullptr, Unmap, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setAffinity", nullptr, SetAffinity, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"getAffinity", nullptr, GetAffinity, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gettid", nullptr, GetTid, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"kick", nullptr, Kick, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value sig;
  napi_create_int32(env, KickSignal(), &sig);
  napi_set_named_property(env, exports, "kickSignal", sig);
  return exports;
}
