// The register-level array model (core.array.fidelity: rtl): every tile runs through
// rtl::run_tile, which moves the operands through every PE register each cycle; its cycle count
// equals the closed form by contract (tests/fidelity/rtl_equivalence_test.cpp). Timing-only runs
// give it zero operands: the engine still steps every register.
#include "systole/array/array_model.h"
#include "systole/rtl/run_tile.h"

namespace systole {
namespace {

class RtlArrayModel final : public IArrayModel {
 public:
  explicit RtlArrayModel(const ArrayModelParams& p) : m_p(p) {}
  bool needs_values() const override { return true; }
  TileRun run(const MatmulOp& op, hw::TileValues* v, int64_t start_cycle) override {
    if (m_p.observer) m_p.observer->set_start_cycle(start_cycle);  // VCD time = run time
    const rtl::TileRequest req{m_p.geometry, op, m_p.numerics.acc};
    const rtl::TileResult r =
        v->is_float ? rtl::run_tile(req, v->a_fp.data(), v->w_fp.data(), v->out_fp.data(), m_p.observer)
                    : rtl::run_tile(req, v->a_int.data(), v->w_int.data(), v->out_int.data(), m_p.observer);
    return {r.cycles, r.pe_cycles};
  }

 private:
  ArrayModelParams m_p;
};

}  // namespace

void register_array_model_rtl(ArrayModelRegistry& registry) {
  registry.add("rtl", [](const ArrayModelParams& p) { return std::make_unique<RtlArrayModel>(p); });
}

}  // namespace systole
