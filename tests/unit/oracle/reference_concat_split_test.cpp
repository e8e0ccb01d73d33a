// The reference concat and split (src/ops/concat.cpp, split.cpp) on hand-made tensors.
#include <gtest/gtest.h>

#include "numeric_test_util.h"
#include "systole/common/error.h"
#include "systole/oracle/reference.h"
#include "systole/workload/loader.h"

namespace systole::test {
namespace {

const ReferenceOptions kNoOpts{};

Network net_of(const std::string& layers) {
  return load_yaml_network(
      "name: n\ninputs:\n  - {name: a, shape: [2, 2, 2]}\n  - {name: b, shape: [2, 1, 2]}\nlayers:\n" +
          layers,
      "mem.yaml");
}

TEST(ReferenceConcat, JoinsRowsOfEveryInputInOrder) {
  const Network net = net_of("  - {name: c, type: concat, inputs: [a, b, a], axis: 1}\n");
  const Tensor a = ints(DataType::kInt8, {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor b = ints(DataType::kInt8, {2, 1, 2}, {-1, -2, -3, -4});
  const Tensor out = reference_layer(*net.find_layer("c"), {&a, &b, &a}, nullptr, kNoOpts);
  EXPECT_EQ(out.shape, (Shape{2, 5, 2}));
  EXPECT_EQ(int_values(out),
            (std::vector<int64_t>{1, 2, 3, 4, -1, -2, 1, 2, 3, 4, 5, 6, 7, 8, -3, -4, 5, 6, 7, 8}));
}

TEST(ReferenceConcat, LastAxisAndFloats) {
  const Network net = load_yaml_network(
      "name: n\ninputs:\n  - {name: a, shape: [2, 2]}\n  - {name: b, shape: [2, 1]}\nlayers:\n"
      "  - {name: c, type: concat, inputs: [a, b], axis: -1}\n",
      "mem.yaml");
  const Tensor a = floats(DataType::kFp16, {2, 2}, {0.5f, 1.5f, -2.0f, 3.25f});
  const Tensor b = floats(DataType::kFp16, {2, 1}, {7.0f, -0.125f});
  const Tensor out = reference_layer(*net.find_layer("c"), {&a, &b}, nullptr, kNoOpts);
  EXPECT_EQ(out.shape, (Shape{2, 3}));
  EXPECT_EQ(float_values(out), (std::vector<float>{0.5f, 1.5f, 7.0f, -2.0f, 3.25f, -0.125f}));
}

TEST(ReferenceConcat, RefusesMismatchedOperands) {
  const Network net = net_of("  - {name: c, type: concat, inputs: [a, b], axis: 1}\n");
  const Tensor a = ints(DataType::kInt8, {2, 2, 2}, {});
  const Tensor wrong = ints(DataType::kInt8, {3, 1, 2}, {});
  EXPECT_THROW(reference_layer(*net.find_layer("c"), {&a, &wrong}, nullptr, kNoOpts), UserError);
  const Tensor w = ints(DataType::kInt8, {1}, {});
  EXPECT_THROW(reference_layer(*net.find_layer("c"), {&a, &a}, &w, kNoOpts), UserError);
}

TEST(ReferenceSplit, EveryPartIsItsSlice) {
  const Network net = net_of(
      "  - {name: s, type: split, input: a, axis: 2, sizes: [1, 1]}\n"
      "  - {name: t, type: split, input: a, axis: 0, parts: 2}\n");
  const Tensor a = ints(DataType::kInt16, {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor s0 = reference_layer(*net.find_layer("s:0"), {&a}, nullptr, kNoOpts);
  const Tensor s1 = reference_layer(*net.find_layer("s:1"), {&a}, nullptr, kNoOpts);
  EXPECT_EQ(s0.shape, (Shape{2, 2, 1}));
  EXPECT_EQ(int_values(s0), (std::vector<int64_t>{1, 3, 5, 7}));
  EXPECT_EQ(int_values(s1), (std::vector<int64_t>{2, 4, 6, 8}));
  const Tensor t1 = reference_layer(*net.find_layer("t:1"), {&a}, nullptr, kNoOpts);
  EXPECT_EQ(t1.shape, (Shape{1, 2, 2}));
  EXPECT_EQ(int_values(t1), (std::vector<int64_t>{5, 6, 7, 8}));
}

TEST(ReferenceSplit, RefusesAnInputItsSizesDoNotFit) {
  const Network net = net_of("  - {name: s, type: split, input: a, axis: 1, sizes: [1, 1]}\n");
  const Tensor wide = ints(DataType::kInt8, {2, 3, 2}, {});
  EXPECT_THROW(reference_layer(*net.find_layer("s:0"), {&wide}, nullptr, kNoOpts), UserError);
}

}  // namespace
}  // namespace systole::test
