#include "tcpsim/core/errno.hpp"

#include <array>
#include <utility>

namespace tcpsim {
namespace {

constexpr std::array<std::pair<Errno, std::string_view>, 14> kNames{{
    {Errno::Ok, "0"},
    {Errno::InProgress, "EINPROGRESS"},
    {Errno::AddrInUse, "EADDRINUSE"},
    {Errno::AddrNotAvail, "EADDRNOTAVAIL"},
    {Errno::ConnRefused, "ECONNREFUSED"},
    {Errno::ConnReset, "ECONNRESET"},
    {Errno::TimedOut, "ETIMEDOUT"},
    {Errno::Pipe, "EPIPE"},
    {Errno::NotConn, "ENOTCONN"},
    {Errno::IsConn, "EISCONN"},
    {Errno::Already, "EALREADY"},
    {Errno::Inval, "EINVAL"},
    {Errno::BadF, "EBADF"},
    {Errno::Again, "EAGAIN"},
}};

}  // namespace

std::string_view to_string(Errno e) {
    for (const auto& [code, name] : kNames) {
        if (code == e) return name;
    }
    return "E?";
}

std::optional<Errno> parse_errno(std::string_view name) {
    for (const auto& [code, n] : kNames) {
        if (n == name) return code;
    }
    return std::nullopt;
}

}  // namespace tcpsim
