// The socket errors an application sees, printed with their POSIX names.
//
//   to_string(Errno::ConnRefused) == "ECONNREFUSED"
#pragma once

#include <array>
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

// Every errno, in declaration order (for tables with a column per errno).
inline constexpr std::array<Errno, 14> kAllErrnos{
    Errno::Ok,       Errno::InProgress, Errno::AddrInUse, Errno::AddrNotAvail, Errno::ConnRefused,
    Errno::ConnReset, Errno::TimedOut,  Errno::Pipe,      Errno::NotConn,      Errno::IsConn,
    Errno::Already,  Errno::Inval,      Errno::BadF,      Errno::Again};

std::string_view to_string(Errno e);
std::optional<Errno> parse_errno(std::string_view name);

}  // namespace tcpsim
