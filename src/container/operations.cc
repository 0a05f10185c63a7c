// The place for commands whose machinery has not landed yet; every command of operations.h
// now has its own file, so none is left here.
#include "container/operations.h"
