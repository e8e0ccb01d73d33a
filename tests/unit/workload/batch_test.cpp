// A network's batch (workload/batch.h): every shipped workload takes any batch with its MACs
// scaling exactly; networks that write the batch into a shape, move it, or have inputs of
// different batches are refused naming the layer or input.
#include <gtest/gtest.h>

#include <string>

#include "systole/common/error.h"
#include "systole/workload/batch.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

std::string error_of(const Network& net, int64_t batch) {
  try {
    with_batch(net, batch);
  } catch (const WorkloadError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Batch, EveryShippedWorkloadTakesAnyBatchWithItsMacsScaled) {
  for (const char* name : {"alexnet", "resnet18", "resnet50", "mobilenet_v2", "vgg16", "bert_base_encoder"}) {
    SCOPED_TRACE(name);
    const Network one = load_network(std::string(SYSTOLE_SOURCE_DIR) + "/workloads/" + name + ".yaml");
    EXPECT_EQ(network_batch(one), 1);
    for (const int64_t b : {2, 3, 8}) {
      const Network n = with_batch(one, b);
      EXPECT_EQ(network_batch(n), b);
      EXPECT_EQ(n.total_macs(), b * one.total_macs());
      for (size_t i = 0; i < n.layers.size(); ++i) {
        EXPECT_EQ(n.layers[i].output_shape[0], b) << n.layers[i].name;
        EXPECT_EQ(n.layers[i].weight_elements, one.layers[i].weight_elements) << n.layers[i].name;
      }
      // And back.
      EXPECT_EQ(with_batch(n, 1).total_macs(), one.total_macs());
    }
  }
}

TEST(Batch, RefusesNetworksWhoseLayersDoNotKeepTheBatchLeading) {
  const Network fixed = load_network_from_string(R"(name: fixed
dtype: int8
inputs:
  - {name: x, shape: [2, 4, 4, 4]}
layers:
  - {name: flat, type: reshape, shape: [2, 64]}
  - {name: fc, type: fc, out_features: 8}
)",
                                                 "fixed.yaml");
  std::string e = error_of(fixed, 3);
  EXPECT_NE(e.find("flat"), std::string::npos) << e;
  EXPECT_NE(e.find("starts with -1"), std::string::npos) << e;
  // [1, -1] reshapes at batch 4 into [1, 256]: valid shapes, but the images are mixed.
  const Network ones = load_network_from_string(R"(name: ones
dtype: int8
inputs:
  - {name: x, shape: [1, 4, 4, 4]}
layers:
  - {name: flat, type: reshape, shape: [1, -1]}
)",
                                                "ones.yaml");
  e = error_of(ones, 4);
  EXPECT_NE(e.find("layer 'flat' mixes the images: its output is [1, 64] for a batch of 1 but [1, 256]"),
            std::string::npos)
      << e;
  const Network moved = load_network_from_string(R"(name: moved
dtype: int8
inputs:
  - {name: x, shape: [4, 16]}
layers:
  - {name: t, type: transpose, perm: [1, 0]}
)",
                                                 "moved.yaml");
  e = error_of(moved, 2);
  EXPECT_NE(e.find("layer 't' mixes the images"), std::string::npos) << e;
  const Network two = load_network_from_string(R"(name: two
dtype: int8
inputs:
  - {name: a, shape: [2, 8]}
  - {name: b, shape: [3, 8]}
layers:
  - {name: fa, type: fc, input: a, out_features: 8}
  - {name: fb, type: fc, input: b, out_features: 8}
)",
                                               "two.yaml");
  e = error_of(two, 2);
  EXPECT_NE(e.find("input 'a' is [2, 8] and input 'b' is [3, 8]"), std::string::npos) << e;
}

}  // namespace
}  // namespace systole
