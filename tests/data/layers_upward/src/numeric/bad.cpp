// A numeric source that reaches up into config: check-layers must refuse it.
#include "systole/config/types.h"
