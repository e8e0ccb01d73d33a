// The SCALE-Sim v2 topology CSV reader: both formats, header spellings, row errors.
#include <string>

#include <gtest/gtest.h>

#include "workload_test_util.h"

namespace systole::test {
namespace {

// Spacing as in SCALE-Sim's own conv_nets/*.csv: cells padded with blanks, a trailing comma.
const char* kConv =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
    "Conv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4      ,\n"
    "Conv2     ,31          ,31         ,5            ,5           ,96      ,256       ,1      ,\n";

TEST(CsvLoader, ConvFormatLayersAreIndependent) {
  const Network net = load_csv_network(kConv, "dir/alex.csv");
  EXPECT_EQ(net.name, "alex");
  ASSERT_EQ(net.layers.size(), 2u);
  ASSERT_EQ(net.inputs.size(), 2u);
  EXPECT_EQ(net.inputs[1].name, "Conv2_ifmap");
  EXPECT_EQ(net.inputs[1].shape, (Shape{1, 96, 31, 31}));
  const Layer& c1 = net.layers[0];
  EXPECT_EQ(c1.kind, LayerKind::kConv2d);
  EXPECT_EQ(c1.source_line, 2);
  EXPECT_EQ(c1.inputs, (std::vector<std::string>{"Conv1_ifmap"}));
  // SCALE-Sim's E = ceil((224 - 11 + 4) / 4) = 55 (PyTorch's floor rule: 54), by 3 rows and columns
  // of implicit bottom/right padding (csv_output_size_test.cpp has the rule's cases).
  EXPECT_EQ(c1.output_shape, (Shape{1, 96, 55, 55}));
  EXPECT_EQ(c1.macs, int64_t{55} * 55 * 96 * 3 * 11 * 11);
  EXPECT_EQ(net.layers[1].output_shape, (Shape{1, 256, 27, 27}));  // (31 - 5 + 1) / 1 = 27
  EXPECT_EQ(net.layers[1].as<Conv2dAttrs>().pad_top, 0);
  EXPECT_EQ(net.layers[1].as<Conv2dAttrs>().pad_bottom, 0);
}

TEST(CsvLoader, HeaderSpellingsAndLayout) {
  // No trailing comma, other case, blank lines, CRLF.
  Network net = load_csv_network(
      "layer name,ifmap height,ifmap width,filter height,filter width,channels,num filter,strides\r\n\r\n"
      "L1,8,8,3,3,2,4,1\r\n",
      "x.csv");
  EXPECT_EQ(net.layers[0].output_shape, (Shape{1, 4, 6, 6}));
  EXPECT_EQ(net.layers[0].source_line, 3);
  for (const char* header : {"Layer, M, N, K,", "Layer Name, M, N, K,", "Layer,M,N,K"}) {
    Network g = load_csv_network(std::string(header) + "\nQK, 128, 96, 64,\n", "g.csv");
    ASSERT_EQ(g.layers.size(), 1u) << header;
  }
}

TEST(CsvLoader, GemmRowIsMByKTimesKByN) {
  const Network net = load_csv_network("Layer, M, N, K,\nQK, 1024, 512, 64,\nFF, 8, 3072, 768,\n", "g.csv");
  ASSERT_EQ(net.layers.size(), 2u);
  const Layer& qk = net.layers[0];
  EXPECT_EQ(qk.kind, LayerKind::kMatmul);
  EXPECT_EQ(qk.input_shapes[0], (Shape{1024, 64}));
  EXPECT_EQ(qk.output_shape, (Shape{1024, 512}));
  EXPECT_EQ(qk.macs, int64_t{1024} * 512 * 64);
  EXPECT_EQ(qk.weight_elements, 64 * 512);
  EXPECT_EQ(net.total_macs(), int64_t{1024} * 512 * 64 + int64_t{8} * 3072 * 768);
}

TEST(CsvLoader, CollectsEveryBadRow) {
  auto ds = workload_errors([] {
    load_csv_network("Layer, M, N, K,\nA, 1, 2, 3,\nB, x, 2, 3,\nC, 1, -2, 3,\nD, 1, 2,\nA, 1, 2, 3,\n",
                     "bad.csv");
  });
  EXPECT_TRUE(has_diag(ds, "B.M", "positive integer")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "C.N", ">= 1")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "row 4", "has 3 columns")) << all_text(ds);
  EXPECT_TRUE(has_diag(ds, "Layer", "duplicate")) << all_text(ds);
  ASSERT_EQ(ds.size(), 4u) << all_text(ds);
  EXPECT_EQ(ds[0].line, 3);
  EXPECT_EQ(ds[3].line, 6);
}

TEST(CsvLoader, EmptyOrHeaderOnly) {
  auto empty = workload_errors([] { load_csv_network("\n  \n", "e.csv"); });
  EXPECT_NE(empty[0].rule.find("no header"), std::string::npos);
  auto header_only = workload_errors([] { load_csv_network("Layer, M, N, K,\n", "h.csv"); });
  EXPECT_NE(header_only[0].rule.find("no layer rows"), std::string::npos);
}

TEST(CsvLoader, FilterWiderThanIfmap) {
  auto ds = workload_errors([] {
    load_csv_network(
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
        "L,9,4,3,5,1,1,1,\n",
        "w.csv");
  });
  EXPECT_TRUE(has_diag(ds, "L.Filter Width", "larger than the ifmap 9x4")) << all_text(ds);
}

}  // namespace
}  // namespace systole::test
