// Giving a process started by the runtime the signal state of a fresh process.
#include "process/signal_reset.h"

#include <signal.h>

namespace ocirun::process {

void reset_signals() {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            sigaction(sig, &default_action, nullptr);
        }
    }
}

}  // namespace ocirun::process
