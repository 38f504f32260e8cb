// What a host tells the application owning a socket. Calls arrive as their own engine
// events (never from inside segment processing), so an application may call back into
// the host freely.
#pragma once

#include <cstdint>

#include "tcpsim/core/errno.hpp"

namespace tcpsim {

using SocketId = int;

enum class ShutdownHow : std::uint8_t { Read, Write, Both };

class SocketEvents {
public:
    virtual ~SocketEvents() = default;
    virtual void on_connected(SocketId s) = 0;
    virtual void on_accepted(SocketId listener, SocketId s) = 0;
    virtual void on_readable(SocketId s) = 0;
    virtual void on_error(SocketId s, Errno e) = 0;
};

}  // namespace tcpsim
