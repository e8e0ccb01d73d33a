// Layer pipelining (compiler.partition: pipeline; docs/multicore.md "Layer pipelining"): each core
// runs whole consecutive layers (a stage) and the batch's images stream through the stages, so
// that core s works on image b while core s + 1 works on image b - 1.
//
// How the program is built:
//   - The batch is the leading dimension of every network input; every layer must keep it as its
//     output's leading dimension with the rest independent of it (so that an image's slice of
//     every tensor is one contiguous block, and no layer mixes images). The network is
//     re-inferred at batch 1 and compiled for one core of each core class, as a single-core
//     program with every tensor in DRAM.
//   - Stages: contiguous runs of layers, one per core (min(cores, layers that emit instructions)
//     stages), chosen to minimise the largest stage estimate per image, by dynamic programming
//     over the batch-1 layer estimates of each stage's core (compiler/residency.h
//     estimate_program), ties to the earliest cut. A layer that emits no instruction (a view, a
//     fused activation) joins the stage of the layer before it.
//   - Core s's stream is, per image b in order: [a SYNC waiting for core s - 1's token b], the
//     batch-1 instructions of its layers with every DRAM address moved into image b's slice of
//     its tensor (weights stay shared), and a SYNC that retires after all of them and signals
//     token b to core s + 1 (isa.h SyncOp). An instruction of the image that depends on nothing
//     else in it waits for the image's first SYNC (or, on core 0, the previous image's last), so
//     a core takes one image at a time, and core s + 1 starts image b once core s has stored it.
// Activations pass between stages through DRAM, in the batch's own tensors: no image
// overwrites another's, so a stage needs no flow control from the stage after it.
#pragma once

#include "systole/compiler/compiler.h"

namespace systole {

// The program above for arch (cores.count >= 2) and net; ConfigError (exit 2) at
// compiler.partition when the network has no batch to stream or a layer mixes images, naming the
// input or layer; what compile() throws for a stage's layers otherwise.
Program compile_pipelined(const ArchSpec& arch, const Network& net, const UserMapping* mapping,
                          const EnergyPrices* prices);

}  // namespace systole
