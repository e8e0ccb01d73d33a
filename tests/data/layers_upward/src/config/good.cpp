// config may include numeric (downward): fine.
#include "systole/numeric/data_type.h"
