// systemd's service notification protocol (sd_notify(3)), spoken directly: one datagram
// per state change to the Unix socket named by $NOTIFY_SOCKET (a path, or "@name" for
// the abstract namespace). No libsystemd. Without $NOTIFY_SOCKET every call does nothing,
// so the same binary runs under systemd (Type=notify), another supervisor or a shell.
//
//   ready("serving generation 1")    READY=1, STATUS=...   every listener bound, first snapshot live
//   reloading()                      RELOADING=1, MONOTONIC_USEC=...   a reload begins
//   ready("reloaded ...")            READY=1, STATUS=...   after it, success or refusal
//   stopping()                       STOPPING=1            drain begins
//   watchdog()                       WATCHDOG=1            every watchdog_interval()
//
// Errors are ignored (systemd may be gone; the service keeps serving). Thread-safe; each
// call is one non-blocking sendto.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace paygate::service {

void ready(std::string_view status);
void reloading();
void stopping();
void watchdog();

// Half of $WATCHDOG_USEC when systemd asks this process for keep-alives ($WATCHDOG_PID
// unset or ours); nullopt otherwise.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace paygate::service
