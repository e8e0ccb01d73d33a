// libsystemc.so refers to sc_main (its own main() calls it), so every executable linking SystemC
// must define one, although Systole never enters through sc_elab_and_sim: simulate() elaborates
// and calls sc_start itself. Weak, so that a platform embedding NpuTop keeps its own sc_main.
// src/CMakeLists.txt links with --undefined=sc_main so this member of the static library is always
// pulled in, even into programs that never call simulate().
extern "C" __attribute__((weak)) int sc_main(int /*argc*/, char* /*argv*/[]) {
  return 1;
}
