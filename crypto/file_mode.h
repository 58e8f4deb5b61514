// Who may read or replace the files paygate trusts. A private key readable by others is
// a key already given away; a CA bundle or certificate others may write is a trust
// decision anyone on the host can make. Messages name the file and its mode, never the
// file's content.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace paygate::crypto {

// Any file paygate reads: it exists and is a regular file.
std::optional<std::string> regular_file_problem(const std::string& path, const std::string& what);

// Secret files (key files, TLS private keys): a regular file, no access at all for group
// or others, owned by root, this process's user, or the service user named here (a
// gateway started as root reads the files the user it drops to owns, and must still
// read them on a reload after the drop). Set once, before any key file is read.
void allow_secret_file_owner(uid_t uid);
std::optional<std::string> private_file_problem(const std::string& path, const std::string& what);

// Trusted public files (certificates, CA bundles, CRLs): a regular file that group and
// others cannot write.
std::optional<std::string> trusted_file_problem(const std::string& path, const std::string& what);

}  // namespace paygate::crypto
