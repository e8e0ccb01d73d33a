// Functional simulation around the SystemC run (docs/functional.md): what is supported, the
// initial DRAM contents, and the per-layer verification against oracle/reference.h. No SystemC
// here.
//
// Supported: number formats int8 / int16 inputs and weights with an int32 accumulator (width
// <= 32 bits, saturating or wrapping), or fp16 / bf16 / fp32 inputs and weights with an fp32
// accumulator; every layer its operator supports (IOperatorReference::functional_support, e.g.
// softmax only on floats). A transpose that only matmuls read stays a view (they read it by
// strides); any other reader gets the compiler's materialised copy (workload/layout.h).
// docs/functional.md lists them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "systole/compiler/program.h"
#include "systole/config/arch_spec.h"
#include "systole/stats/sim_result.h"
#include "systole/workload/network.h"

namespace systole::oracle {

// Throws UserError (ConfigError for the number formats, WorkloadError naming the layer and its
// type otherwise) when the run cannot be simulated functionally.
void check_functional_support(const ArchSpec& arch, const Network& net);

// The DRAM contents before the run: every tensor of Program::tensors at its dram_addr (size =
// the end of the last tensor); network inputs from npy_inputs (tensor name -> .npy path), else the workload's
// TensorInput::npy_path, else random_tensor(input_type, shape, seed, name); index inputs (read as
// indices, workload/operator.h) as int32, random_indices(shape, limit, seed, name) when no file
// gives them; weights from Layer::weights_npy_path, else random_tensor(weight_type, shape, seed,
// "<layer>.weight") in the operator's weight_shape (conv [oc, C/groups, kh, kw], matmul [K, N],
// others flat); the rest zero.
// Throws UserError for a .npy whose shape or dtype does not match, that names no input, or whose
// indices fall outside [0, limit).
std::vector<uint8_t> initial_dram(const ArchSpec& arch, const Network& net, const Program& program,
                                  uint64_t seed, const std::map<std::string, std::string>& npy_inputs);

// Per layer: reads its inputs (and weights) and its output from `dram`, computes reference_layer
// on those inputs (so errors do not compound), and fills verified / max_abs_error /
// first_mismatch of result->layers. A GEMM layer with a fused activation is checked after the
// activation, and the activation layer gets the same verdict. Integers must match exactly; floats
// within |got - expected| <= (1e-5 * K + eps(dtype)) * max(1, |expected|), K = the reduction
// length (1 for vector layers), eps = 2^-10 (fp16), 2^-7 (bf16), 2^-23 (fp32).
// keep_tensors: every computed layer's output into result->tensors.
void verify_layers(const ArchSpec& arch, const Network& net, const Program& program,
                   const std::vector<uint8_t>& dram, bool keep_tensors, SimResult* result);

}  // namespace systole::oracle
