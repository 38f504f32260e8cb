// The socket errors an application sees, printed with their POSIX names.
//
//   to_string(Errno::ConnRefused) == "ECONNREFUSED"
#pragma once

#include <optional>
#include <string_view>

namespace tcpsim {

enum class Errno {
    Ok,
    InProgress,    // EINPROGRESS: non-blocking connect started
    AddrInUse,     // EADDRINUSE
    AddrNotAvail,  // EADDRNOTAVAIL
    ConnRefused,   // ECONNREFUSED
    ConnReset,     // ECONNRESET
    TimedOut,      // ETIMEDOUT
    Pipe,          // EPIPE
    NotConn,       // ENOTCONN
    IsConn,        // EISCONN
    Already,       // EALREADY
    Inval,         // EINVAL
    BadF,          // EBADF
    Again,         // EAGAIN
};

std::string_view to_string(Errno e);
std::optional<Errno> parse_errno(std::string_view name);

}  // namespace tcpsim
