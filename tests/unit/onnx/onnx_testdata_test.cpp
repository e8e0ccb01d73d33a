// ONNX's own node tests (Debian's libonnx-testdata): each model of a supported operator, with its
// parameter inputs turned into initializers holding the test's data, imports to a workload whose
// output has the shape of the test's expected output -- or is refused with the stated reason.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "systole/common/error.h"
#include "systole/onnx/importer.h"
#include "systole/workload/loader.h"

namespace systole {
namespace {

const char* const kNodeTests = "/usr/share/libonnx-testdata/data/node/";

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Case {
  const char* test;          // folder under kNodeTests
  int dynamic;               // leading inputs kept as graph inputs; the rest become initializers
  const char* refusal = "";  // "" = imports; else a part of the WorkloadError's message
};

// What importing the case gives: "" and the output shape, or the refusal.
std::string run_case(const Case& c, Shape* out_shape, Shape* expected) {
  const std::string dir = std::string(kNodeTests) + c.test;
  onnx::ModelProto m;
  if (!m.ParseFromString(read_file(dir + "/model.onnx"))) return "cannot read " + dir;
  onnx::GraphProto* g = m.mutable_graph();
  for (int i = g->input_size() - 1; i >= c.dynamic; --i) {
    onnx::TensorProto t;
    if (!t.ParseFromString(read_file(dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb")))
      return "no data for input " + std::to_string(i);
    t.set_name(g->input(i).name());
    *g->add_initializer() = t;
    g->mutable_input()->DeleteSubrange(i, 1);
  }
  onnx::TensorProto want;
  want.ParseFromString(read_file(dir + "/test_data_set_0/output_0.pb"));
  expected->assign(want.dims().begin(), want.dims().end());
  try {
    const auto r = onnx_import::import_onnx_bytes(m.SerializeAsString(), c.test, {});
    const Network n = load_yaml_network(r.yaml, c.test);
    const std::string& out = r.outputs.at(0).second;  // a layer (split parts are layers "<split>:<i>")
    const Layer* l = n.find_layer(out);
    if (l == nullptr) return "output 0 is not a layer: '" + out + "'";
    *out_shape = l->output_shape;
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

const Case kCases[] = {
    {"test_conv_with_autopad_same", 1},
    {"test_conv_with_strides_and_asymmetric_padding", 1},
    {"test_conv_with_strides_no_padding", 1},
    {"test_conv_with_strides_padding", 1},
    {"test_averagepool_2d_ceil", 1},
    {"test_averagepool_2d_default", 1},
    {"test_averagepool_2d_pads", 1},
    {"test_averagepool_2d_pads_count_include_pad", 1},
    {"test_averagepool_2d_precomputed_pads", 1},
    {"test_averagepool_2d_precomputed_same_upper", 1},
    {"test_averagepool_2d_precomputed_strides", 1},
    {"test_averagepool_2d_same_lower", 1},
    {"test_averagepool_2d_same_upper", 1},
    {"test_averagepool_2d_strides", 1},
    {"test_averagepool_1d_default", 1, "a 1-D pool"},
    {"test_averagepool_3d_default", 1, "a 3-D pool"},
    {"test_maxpool_2d_ceil", 1},
    {"test_maxpool_2d_default", 1},
    {"test_maxpool_2d_pads", 1},
    {"test_maxpool_2d_precomputed_pads", 1},
    {"test_maxpool_2d_precomputed_same_upper", 1},
    {"test_maxpool_2d_precomputed_strides", 1},
    {"test_maxpool_2d_same_lower", 1},
    {"test_maxpool_2d_same_upper", 1},
    {"test_maxpool_2d_strides", 1},
    {"test_maxpool_2d_dilations", 1, "a dilated pool"},
    {"test_maxpool_with_argmax_2d_precomputed_pads", 1, "MaxPool with an Indices output"},
    {"test_globalaveragepool", 1},
    {"test_gemm_alpha", 1},
    {"test_gemm_beta", 1},
    {"test_gemm_default_matrix_bias", 1},
    {"test_gemm_default_no_bias", 1},
    {"test_gemm_default_vector_bias", 1},
    {"test_gemm_transposeB", 1},
    {"test_gemm_transposeA", 1, "Gemm with transA = 1"},
    {"test_matmul_2d", 2},
    {"test_matmul_3d", 2},
    {"test_matmul_4d", 2},
    {"test_softmax_axis_2", 1},
    {"test_softmax_default_axis", 1},
    {"test_softmax_example", 1},
    {"test_softmax_negative_axis", 1},
    {"test_softmax_axis_0", 1, "Softmax over axis 0 of [3, 4, 5]"},
    {"test_softmax_axis_2_expanded", 1, "(ReduceMax, opset 13)"},
    {"test_layer_normalization_2d_axis_negative_1", 1},
    {"test_layer_normalization_3d_axis2_epsilon", 1},
    {"test_layer_normalization_4d_axis3", 1},
    {"test_layer_normalization_default_axis", 1},
    {"test_layer_normalization_4d_axis1", 1, "LayerNormalization from axis 1 of [2, 3, 4, 5]"},
    {"test_relu", 1},
    {"test_sigmoid", 1},
    {"test_tanh", 1},
    {"test_clip", 1, "Clip to [-1, 1]"},
    {"test_transpose_default", 1},
    {"test_transpose_all_permutations_1", 1},
    {"test_transpose_all_permutations_3", 1},
    {"test_concat_2d_axis_1", 2},
    {"test_concat_3d_axis_negative_2", 2},
    {"test_split_equal_parts_2d", 1},
    {"test_split_variable_parts_2d", 1},
    {"test_split_zero_size_splits", 1, "dimensions must be >= 1"},
    {"test_slice", 1},
    {"test_slice_default_axes", 1},
    {"test_slice_end_out_of_bounds", 1},
    {"test_slice_neg", 1},
    {"test_slice_negative_axes", 1},
    {"test_slice_neg_steps", 1, "Slice with step -1"},
    {"test_gather_1", 1, "Gather at non-contiguous constant indices"},
    {"test_resize_upsample_scales_nearest", 1},
    {"test_resize_upsample_scales_linear", 1},
    {"test_resize_upsample_sizes_nearest", 1},
    {"test_resize_downsample_scales_linear", 1},
    {"test_resize_upsample_scales_cubic", 1, "Resize mode 'cubic'"},
    {"test_flatten_axis2", 1},
    {"test_flatten_default_axis", 1},
    {"test_reshape_negative_dim", 1},
    {"test_reshape_reordered_all_dims", 1},
    {"test_squeeze", 1},
    {"test_unsqueeze_two_axes", 1},
    {"test_batchnorm_example", 1, "a BatchNormalization that does not directly follow a Conv"},
    {"test_add", 2},
    {"test_add_bcast", 2},
    {"test_sub", 2},
    {"test_sub_bcast", 2},
    {"test_sub_example", 2},
    {"test_mul", 2},
    {"test_mul_bcast", 2},
    {"test_mul_example", 2},
    {"test_div", 2},
    {"test_div_bcast", 2},
    {"test_div_example", 2},
};

TEST(OnnxNodeTests, EachImportsWithTheExpectedOutputShapeOrIsRefusedWithItsReason) {
  ASSERT_TRUE(std::filesystem::is_directory(kNodeTests))
      << "libonnx-testdata is missing (scripts/setup-deps)";
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.test);
    Shape got, want;
    const std::string refusal = run_case(c, &got, &want);
    if (std::string(c.refusal).empty()) {
      EXPECT_EQ(refusal, "");
      if (refusal.empty()) {
        EXPECT_EQ(got, want);
      }
    } else {
      EXPECT_NE(refusal.find(c.refusal), std::string::npos) << refusal;
    }
  }
}

}  // namespace
}  // namespace systole
