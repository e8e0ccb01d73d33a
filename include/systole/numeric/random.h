// Seeded, platform-independent tensor initialisation (splitmix64; no std:: distributions, whose
// output differs between standard libraries). The same (seed, name) gives the same tensor
// everywhere. No SystemC here.
#pragma once

#include <cstdint>
#include <string>

#include "systole/numeric/tensor.h"

namespace systole {

// Integers uniform in [-2^(b-1), 2^(b-1) - 1] for int8/int16/int32 (b = the dtype's bits, capped
// at 16 for int32); floats uniform in [-1, 1) then rounded to the dtype. `stream` names the
// tensor (e.g. "conv1.weight") so that every tensor gets an independent sequence.
// Element i takes the i-th output of splitmix64 started from state fnv1a64(stream) ^ seed:
// integers use the top b bits (v = (x >> (64 - b)) - 2^(b-1), exactly uniform), floats the top 24
// bits (v = (x >> 40) * 2^-23 - 1, exact in fp32). Rounding to fp16/bf16 can give +1.0.
Tensor random_tensor(DataType t, const Shape& shape, uint64_t seed, const std::string& stream);

// Indices uniform in [0, limit) as an int32 tensor (gather's index inputs; 1 <= limit <= 2^31):
// element i is ((x >> 32) * limit) >> 32 for the i-th splitmix64 output x of the same stream as
// random_tensor (exactly uniform up to limit / 2^32).
Tensor random_indices(const Shape& shape, int64_t limit, uint64_t seed, const std::string& stream);

// The building blocks, exposed for tests and for anyone who needs the same sequence.
uint64_t fnv1a64(const std::string& s);  // FNV-1a, 64-bit (offset 0xcbf29ce484222325, prime 0x100000001b3)
// splitmix64 (Steele, Lea, Flood 2014): advances *state by 0x9e3779b97f4a7c15 and returns the
// mixed value.
uint64_t splitmix64_next(uint64_t* state);

}  // namespace systole
