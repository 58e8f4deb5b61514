// What a process that holds card-data keys does to itself before it serves: no core
// dumps, no ptrace by same-uid peers, and never serving as root. Key bytes themselves
// live in Botan's locked pool (mlock + MADV_DONTDUMP; crypto/secret.h), which
// locked_key_memory() reports on.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace paygate::gateway {

// RLIMIT_CORE 0 and PR_SET_DUMPABLE 0: a crash leaves no image of memory (TLS private
// keys live in OpenSSL's heap, request bodies with PANs in ours), and /proc/<pid>/mem
// cannot be read by another process of the same user. Returns why it failed, if it did.
std::optional<std::string> forbid_core_dumps();

// Started as root: with a user, paygate drops to it once its listeners are bound;
// without one it refuses unless explicitly allowed. Not root: nothing to decide, but
// naming a user is then an error (it could not be honoured).
struct PrivilegePlan {
  std::optional<std::string> run_as;  // --user
  bool allow_root = false;            // --allow-root
};
std::optional<std::string> check_privilege_plan(const PrivilegePlan& plan, bool is_root);

// The uid of a user that may own paygate's secret files (the --user to drop to).
std::optional<uid_t> user_id(const std::string& user);

// setgroups/setgid/setuid to `user` (all threads: glibc applies set*id process-wide),
// then proves root cannot be regained. Dumpability is set again afterwards: the kernel
// resets it on a credential change.
std::optional<std::string> drop_privileges(const std::string& user);

// Raises the soft descriptor limit to the hard one (each connection is a descriptor; a
// default soft limit of 1024 would cap a gateway meant for 10,000). Returns the limit now.
std::uint64_t raise_descriptor_limit();

// Bytes of the mlock'ed, never-dumped pool Botan keeps key material in (0 when the
// system refused to lock memory: the keys then live in ordinary, still zeroized, heap).
std::size_t locked_key_memory();

}  // namespace paygate::gateway
