// The reference gather (src/ops/gather.cpp) on a hand-made table.
#include <gtest/gtest.h>

#include "numeric_test_util.h"
#include "systole/common/error.h"
#include "systole/numeric/random.h"
#include "systole/oracle/reference.h"
#include "systole/workload/loader.h"

namespace systole::test {
namespace {

Network embedding() {
  return load_yaml_network(
      "name: n\ninputs:\n  - {name: ids, shape: [2, 2], dtype: int32}\nlayers:\n"
      "  - {name: emb, type: gather, vocab: 4, dim: 3}\n",
      "mem.yaml");
}

TEST(ReferenceGather, OutputRowsAreTheIndexedTableRows) {
  const Network net = embedding();
  const Tensor table = ints(DataType::kInt8, {4, 3}, {0, 1, 2, 10, 11, 12, 20, 21, 22, -30, -31, -32});
  const Tensor ids = ints(DataType::kInt32, {2, 2}, {3, 0, 1, 3});
  const Tensor out = reference_layer(net.layers[0], {&ids}, &table, ReferenceOptions{});
  EXPECT_EQ(out.shape, (Shape{2, 2, 3}));
  EXPECT_EQ(out.dtype, DataType::kInt8);
  EXPECT_EQ(int_values(out), (std::vector<int64_t>{-30, -31, -32, 0, 1, 2, 10, 11, 12, -30, -31, -32}));
}

TEST(ReferenceGather, RefusesIndicesOutsideTheTableAndMissingTables) {
  const Network net = embedding();
  const Tensor table = ints(DataType::kInt8, {4, 3}, {});
  const Tensor bad = ints(DataType::kInt32, {2, 2}, {0, 1, 4, 2});
  try {
    reference_layer(net.layers[0], {&bad}, &table, ReferenceOptions{});
    ADD_FAILURE() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("index 4 at position 2 is outside the table's 4 rows"),
              std::string::npos)
        << e.what();
  }
  const Tensor ok = ints(DataType::kInt32, {2, 2}, {0, 1, 2, 3});
  EXPECT_THROW(reference_layer(net.layers[0], {&ok}, nullptr, ReferenceOptions{}), UserError);
  const Tensor narrow = ints(DataType::kInt8, {4, 2}, {});
  EXPECT_THROW(reference_layer(net.layers[0], {&ok}, &narrow, ReferenceOptions{}), UserError);
}

TEST(RandomIndices, UniformInRangeAndReproducible) {
  const Tensor a = random_indices({1000}, 7, 1, "ids");
  const Tensor b = random_indices({1000}, 7, 1, "ids");
  EXPECT_EQ(a.dtype, DataType::kInt32);
  EXPECT_EQ(a.bytes, b.bytes);
  std::vector<int> seen(7, 0);
  for (int64_t i = 0; i < a.elements(); ++i) {
    ASSERT_GE(a.get_int(i), 0);
    ASSERT_LT(a.get_int(i), 7);
    ++seen[static_cast<size_t>(a.get_int(i))];
  }
  for (int s : seen) EXPECT_GT(s, 100);  // each of 7 values ~143 times
  EXPECT_NE(random_indices({1000}, 7, 2, "ids").bytes, a.bytes);
}

}  // namespace
}  // namespace systole::test
