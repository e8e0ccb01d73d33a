// NumPy .npy files (format versions 1.0 and 2.0, C order, little-endian): int8 '<i1' ('|i1'),
// int16 '<i2', int32 '<i4', fp16 '<f2', fp32 '<f4'. bfloat16 has no NumPy dtype: it is written as
// '<u2' holding the bf16 bit patterns, and a '<u2' file is read as bf16 only when the caller
// expects bf16. Errors (missing file, bad magic, unsupported dtype, Fortran order, short data)
// throw UserError naming the file and what was expected.
#pragma once

#include <string>

#include "systole/numeric/tensor.h"

namespace systole {

// Reads `path`; when `expected` is given (non-null) the file's dtype must match it (or be '<u2'
// for bf16) and the result carries that dtype.
Tensor read_npy(const std::string& path, const DataType* expected = nullptr);
// Writes atomically (temporary file + rename). Throws UserError when it cannot write.
void write_npy(const std::string& path, const Tensor& t);

}  // namespace systole
