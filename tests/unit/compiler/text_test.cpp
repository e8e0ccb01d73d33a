// to_text / to_json: exact lines for a tiny program and byte-stable output across compilations.
#include <gtest/gtest.h>

#include "test_networks.h"

namespace systole {
namespace {

using testnet::Builder;

Network tiny() {
  // x [1, 4, 4, 4] int8 at 0x0 (64 B); c [1, 8, 4, 4] at 0x40 (128 B); c.weight [8, 4] at 0xc0.
  return Builder("tiny").input("x", {1, 4, 4, 4}).conv("c", "x", 8, 1, 1).build();
}

TEST(ProgramText, TinyConvLines) {
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary, 64, 64, 64);
  const Program p = compile(arch, tiny());
  const std::string text = to_text(p);
  EXPECT_NE(text.find("# tensor x dram=0x0 bytes=64\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# tensor c dram=0x40 bytes=128\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# tensor c.weight dram=0xc0 bytes=32\n"), std::string::npos) << text;
  EXPECT_NE(
      text.find("# L0 c (conv2d) macs=512 vector_ops=0 dataflow=ws gemm m=16 n=8 k=4 groups=1 tile m=16 "
                "n=8 k=4 order="),
      std::string::npos)
      << text;
  // The ifmap (4 channel planes x 4 rows x 4 B), the weights (pre-arranged [4][8]) and the
  // output (8 planes of 16 B) are each contiguous in DRAM, so coalesced() merges each into one
  // row; the 1 x 1 conv's ifmap and its accumulators are channel-last in the scratchpads.
  EXPECT_NE(text.find("0 LOAD L0 c ifmap[A] dram=0x0 spm=0x0 1x1x64B channel_last=4 deps=[]\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1 LOAD L0 c weight[A] dram=0xc0 spm=0x0 1x1x32B deps=[]\n"), std::string::npos)
      << text;
  EXPECT_NE(
      text.find("2 MATMUL L0 c ws m=16 n=8 k=4 acc=0 layer_last ifmap[A] weight[A] ofmap[A] deps=[0,1]\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("3 STORE L0 c ofmap[A] dram=0x40 spm=0x0 1x1x128B channel_last=8 deps=[2]\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("4 SYNC L0 c deps=[3]\n"), std::string::npos) << text;
}

TEST(ProgramText, JsonCarriesMappingAndPayloads) {
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kWeightStationary, 64, 64, 64);
  const nlohmann::json j = to_json(compile(arch, tiny()));
  EXPECT_EQ(j["network"], "tiny");
  ASSERT_EQ(j["layers"].size(), 1u);
  EXPECT_EQ(j["layers"][0]["gemm"]["k"], 4);
  EXPECT_EQ(j["layers"][0]["dataflow"], "ws");
  ASSERT_EQ(j["instructions"].size(), 5u);
  const auto& mm = j["instructions"][2];
  EXPECT_EQ(mm["op"], "MATMUL");
  EXPECT_EQ(mm["deps"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(mm["m"], 16);
  EXPECT_EQ(mm["layer_last"], true);
  EXPECT_EQ(j["instructions"][0]["bytes"], 64);
  EXPECT_EQ(j["instructions"][0]["buffer"], "ifmap");
  EXPECT_EQ(j["tensors"][2]["name"], "c.weight");
  EXPECT_EQ(j["instructions"][0]["slot"], "A");
  EXPECT_EQ(mm["ifmap_slot"], "A");
  EXPECT_EQ(mm["weight_slot"], "A");
  EXPECT_EQ(mm["ofmap_slot"], "A");
  EXPECT_EQ(j["instructions"][3]["slot"], "A");
  EXPECT_FALSE(j["instructions"][4].contains("slot"));  // SYNC
  // The 1 x 1 conv's channel-last tiles: 4 input channels in, 8 output channels out; the weights
  // are pre-arranged [k][n] and need no transpose.
  EXPECT_EQ(j["instructions"][0]["channel_last_channels"], 4);
  EXPECT_FALSE(j["instructions"][1].contains("channel_last_channels"));
  EXPECT_EQ(j["instructions"][3]["channel_last_channels"], 8);
  EXPECT_EQ(j["layers"][0]["weights_kn"], true);
  EXPECT_EQ(j["layers"][0]["conv_k_block"], 4);
}

TEST(ProgramText, StridePhasedLoadsSayTheirPhases) {
  // A 3 x 3 stride-2 conv under OS: its ifmap LOADs hold each channel plane in (2, 2) phases.
  const ArchSpec arch = testnet::arch(4, 4, Dataflow::kOutputStationary, 64, 64, 64);
  const Program p =
      compile(arch, Builder("s2").input("x", {1, 2, 6, 6}).conv("c", "x", 4, 3, 3, 2, 1).build());
  EXPECT_NE(to_text(p).find(" phases=2x2"), std::string::npos) << to_text(p);
  const nlohmann::json j = to_json(p);
  const nlohmann::json& load = j["instructions"][0];
  ASSERT_EQ(load["op"], "LOAD");
  EXPECT_EQ(load["row_phases"], 2);
  EXPECT_EQ(load["col_phases"], 2);
  EXPECT_EQ(load["phase_cols"], 6);
  EXPECT_NE(j["layers"][0]["layouts"].get<std::string>().find("2 x 2 stride phases"), std::string::npos);
}

TEST(ProgramText, StableAcrossCompilations) {
  const ArchSpec arch = testnet::arch(8, 8, Dataflow::kInputStationary, 4, 4, 4);
  const Network net = Builder("n")
                          .input("x", {1, 16, 14, 14})
                          .conv("c", "x", 24, 3, 3, 1, 1)
                          .activation("r", "c")
                          .pool("p", "r", 2, 2)
                          .reshape("f", "p", {1, 24 * 7 * 7})
                          .matmul("fc", {"f"}, 10)
                          .softmax("s", "fc")
                          .build();
  const Program a = compile(arch, net), b = compile(arch, net);
  EXPECT_EQ(to_text(a), to_text(b));
  EXPECT_EQ(to_json(a).dump(), to_json(b).dump());
  // Every instruction appears once in the text, in order.
  const std::string text = to_text(a);
  size_t pos = 0;
  for (const Instruction& in : a.instructions) {
    const std::string head =
        "\n" + std::to_string(in.id) + " " + to_string(in.op) + " L" + std::to_string(in.layer);
    const size_t at = text.find(head, pos);
    ASSERT_NE(at, std::string::npos) << head;
    pos = at + 1;
  }
}

}  // namespace
}  // namespace systole
