#include "systole/hw/dram/dram_channel.h"

#include <cstring>

namespace systole::hw {

bool IDramChannel::move_data(tlm::tlm_generic_payload& trans) {
  unsigned char* data = trans.get_data_ptr();
  if (data == nullptr) return true;
  const uint64_t addr = trans.get_address();
  const uint64_t len = trans.get_data_length();
  if (m_contents == nullptr || addr > m_contents->size() || len > m_contents->size() - addr) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (len == 0) return true;
  uint8_t* mem = m_contents->data() + addr;
  if (trans.is_write()) {
    std::memcpy(mem, data, len);
  } else {
    std::memcpy(data, mem, len);
  }
  return true;
}

}  // namespace systole::hw
