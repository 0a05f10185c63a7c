// `create` as a step of `create` and `run`.
#pragma once

#include <sys/types.h>

#include "container/operations.h"

namespace ocirun::container {

// Creates the container and returns its init's host pid; the process waits on exec.fifo.
pid_t create_container(const GlobalOptions& global, const CreateOptions& options);

}  // namespace ocirun::container
