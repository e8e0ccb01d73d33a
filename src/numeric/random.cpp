#include "systole/numeric/random.h"

#include "systole/common/error.h"

namespace systole {

uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t splitmix64_next(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Tensor random_tensor(DataType t, const Shape& shape, uint64_t seed, const std::string& stream) {
  Tensor out(t, shape);
  uint64_t state = fnv1a64(stream) ^ seed;
  const int64_t n = out.elements();
  if (is_integer(t)) {
    const int bits = t == DataType::kInt8 ? 8 : 16;  // int32 is capped at 16 bits (see random.h)
    const int64_t offset = int64_t{1} << (bits - 1);
    for (int64_t i = 0; i < n; ++i) {
      out.set_int(i, static_cast<int64_t>(splitmix64_next(&state) >> (64 - bits)) - offset);
    }
    return out;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t u24 = static_cast<int64_t>(splitmix64_next(&state) >> 40);    // [0, 2^24)
    out.set_float(i, static_cast<float>(u24 - (int64_t{1} << 23)) * 0x1p-23f);  // [-1, 1 - 2^-23]
  }
  return out;
}

Tensor random_indices(const Shape& shape, int64_t limit, uint64_t seed, const std::string& stream) {
  if (limit < 1 || limit > (int64_t{1} << 31)) throw InternalError("random_indices: limit outside 1..2^31");
  Tensor out(DataType::kInt32, shape);
  uint64_t state = fnv1a64(stream) ^ seed;
  const auto bound = static_cast<uint64_t>(limit);
  for (int64_t i = 0; i < out.elements(); ++i) {
    out.set_int(i, static_cast<int64_t>(((splitmix64_next(&state) >> 32) * bound) >> 32));
  }
  return out;
}

}  // namespace systole
