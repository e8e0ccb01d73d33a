// Fuzz target: a NumPy .npy file (read_npy, what workload `npy:` / `weights_npy:` name). The first
// input byte picks the dtype the caller expects (0-5: int8, int16, int32, fp16, bf16, fp32; any
// other value: none); the rest is the file, written to a scratch file in /dev/shm because
// read_npy takes only a path. Contract: only UserError escapes; an accepted tensor holds exactly
// elements x bytes_of(dtype) bytes, has the expected dtype, and write_npy -> read_npy gives the
// same tensor (dtype, shape and bytes).
#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "fuzz_support.h"
#include "systole/numeric/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace systole;
  if (size == 0) return 0;
  static const DataType kTypes[] = {DataType::kInt8, DataType::kInt16, DataType::kInt32,
                                    DataType::kFp16, DataType::kBf16,  DataType::kFp32};
  const DataType* expected = data[0] < 6 ? &kTypes[data[0]] : nullptr;
  const std::string path = fuzz::scratch().write("in.npy", data + 1, size - 1);
  Tensor t;
  if (!fuzz::accepts("read_npy", [&] { t = read_npy(path, expected); })) return 0;
  fuzz::holds("round trip", [&] {
    if (expected != nullptr && t.dtype != *expected) {
      fuzz::fail(fmt::format("read_npy returned {} where {} was expected", to_string(t.dtype),
                             to_string(*expected)));
    }
    if (static_cast<int64_t>(t.bytes.size()) != t.elements() * bytes_of(t.dtype)) {
      fuzz::fail(fmt::format("tensor {} of {} holds {} bytes", shape_str(t.shape), to_string(t.dtype),
                             t.bytes.size()));
    }
    const std::string out = fuzz::scratch().path("out.npy");
    write_npy(out, t);
    const DataType dt = t.dtype;
    const Tensor again = read_npy(out, &dt);
    FUZZ_CHECK(again.dtype == t.dtype && again.shape == t.shape && again.bytes == t.bytes,
               fmt::format("write_npy -> read_npy changes the tensor: {} {} -> {} {}", to_string(t.dtype),
                           shape_str(t.shape), to_string(again.dtype), shape_str(again.shape)));
  });
  return 0;
}
