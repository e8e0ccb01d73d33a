// Layer pipelining (compiler.partition: pipeline; docs/multicore.md "Layer pipelining"): each core
// runs whole consecutive layers (a stage) and the batch streams through the stages in steps of a
// few images (a micro-batch), so that core s works on step b while core s + 1 works on step b - 1.
//
// How the program is built:
//   - The batch is the leading dimension of every network input; every layer must keep it as its
//     output's leading dimension with the rest independent of it (workload/batch.h), so that a
//     step's slice of every tensor is one contiguous block and no layer mixes images.
//   - For a micro-batch of m images (compiler.pipeline_microbatch, a divisor of the batch; 0: each
//     divisor is estimated and the smallest estimate kept, ties to the smaller m), the network
//     is re-inferred at batch m and compiled for one core of each core class, as a single-core
//     program with every tensor in DRAM.
//   - Stages: contiguous runs of layers, one per core (min(cores, layers that emit instructions)
//     stages), chosen to minimise the largest stage estimate per step, by dynamic programming
//     over the layer estimates of each stage's core (compiler/residency.h estimate_program), ties
//     to the earliest cut. A layer that emits no instruction (a view, a fused activation) joins
//     the stage of the layer before it. The estimate of the whole batch is
//       max(fill + (steps - 1) x slowest stage, steps x DRAM bytes / DRAM bytes per cycle).
//   - Core s's stream is, per step b in order: [a SYNC waiting for core s - 1's token b], the
//     micro-batch instructions of its layers with every DRAM address moved into step b's slice
//     of its tensor (weights stay shared), and a SYNC that retires after all of them and signals
//     token b to core s + 1 (isa.h SyncOp). An instruction of the step that depends on nothing
//     else in it waits for the step's first SYNC (or, on core 0, the previous step's last), so a
//     core takes one step at a time, and core s + 1 starts step b once core s has stored it.
//   - Links (compiler/pipeline_links.h; under compiler.residency auto): a tensor that stage s
//     writes and only stage s + 1 reads passes core to core on chip, when the estimate with the
//     links is no larger than without them. Its STOREs on core s are on_chip with store_core
//     s + 1, into step b's slot (b mod 2) of core s + 1's incoming region at the top of its tensor
//     store, and its LOADs on core s + 1 read that slot; every class is compiled with its region
//     kept out of the working buffers. For b >= 2 those STOREs wait for a SYNC waiting for core
//     s + 1's credit token b - 2, which core s + 1 sends (a SYNC signalling core s after the step's
//     closing SYNC) once it has finished step b - 2, the slot's last reader.
// Every other activation passes between stages through DRAM, in the batch's own tensors: no step
// overwrites another's, so it needs no flow control from the stage after it.
#pragma once

#include "systole/compiler/compiler.h"

namespace systole {

// The program above for arch (cores.count >= 2) and net; ConfigError (exit 2) at
// compiler.partition when the network has no batch to stream or a layer mixes images, naming the
// input or layer; what compile() throws for a stage's layers otherwise.
Program compile_pipelined(const ArchSpec& arch, const Network& net, const UserMapping* mapping,
                          const EnergyPrices* prices);

}  // namespace systole
