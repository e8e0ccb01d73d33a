// The functional vector unit's elementwise arithmetic (VectorFunc kAdd, kSub, kMul, kDiv), with
// the reference layers' semantics (src/ops/elementwise.cpp; the scalar steps are
// numeric/vector_math.h's arith_int and arith_fp). Internal to hw/vector.
#pragma once

#include <cstdint>

#include "systole/isa/isa.h"
#include "systole/numeric/data_type.h"

namespace systole::hw {

bool is_arithmetic(VectorFunc f);

// The input_type elements an arithmetic VECTOR reads from src_spm_addr: `operands` blocks of
// `elements`, or, with a broadcast geometry, the sum of the operands' runs.
uint64_t arithmetic_operand_elements(const VectorOp& op);

// Computes op.elements results of type t at dst from the operands at src (laid out as
// arithmetic_operand_elements says): left to right over the operands, integers exact and
// saturated once to t, floats in fp32 and rounded to t.
void arithmetic(const VectorOp& op, DataType t, const uint8_t* src, uint8_t* dst);

}  // namespace systole::hw
