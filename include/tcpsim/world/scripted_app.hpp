// The application on one host, as the scenario scripts it: calls at given times and
// reactions to socket events (connected, data, peer closed, error, idle), optionally
// repeated ("every"), e.g. an application heartbeat.
//
// Reactions name a socket by its scenario name; accepted connections ("s", "s.2", ...)
// all answer to their accept_as name, so one script serves every accepted connection.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "tcpsim/core/engine.hpp"
#include "tcpsim/host/host.hpp"
#include "tcpsim/host/socket_events.hpp"
#include "tcpsim/scenario/scenario.hpp"

namespace tcpsim {

class ScriptedApp final : public SocketEvents {
public:
    // `hosts` resolves host names: "connect" targets, and the sockets a crafted segment
    // counts its numbers from.
    ScriptedApp(const AppConfig& config, Host& host, Engine& engine, const std::map<std::string, Host*>& hosts);

    // Schedules the timed actions; reactions wait for their events.
    void start();

    void on_connected(SocketId s) override;
    void on_accepted(SocketId listener, SocketId s) override;
    void on_readable(SocketId s) override;
    void on_error(SocketId s, Errno e) override;

private:
    // The reactions of one socket name, by trigger, in script order: an event finds its
    // reactions here instead of scanning the whole script (65,535 sockets took minutes).
    using Reactions = std::array<std::vector<const AppAction*>, kTriggerCount>;

    struct Instance {
        std::string name;  // the scenario name reactions use
        SocketRef label;   // this connection's own name in the trace ("s.2")
        const Reactions* reactions = nullptr;  // those of `name`, if it has any
        bool eof_reported = false;  // peer_closed fires once
        std::uint64_t activity = 0;  // bumped by connect and data: stale idle checks see it
    };

    void perform(const AppAction& a, SocketId target);
    // send_segment: builds the segment, reading relative numbers from its "of" socket now.
    void send_crafted(const CraftedSegment& c);
    // Runs `a` on `target` as an engine event after `delay` (0 s: later at the same time),
    // unless the socket is gone by then.
    void schedule(const AppAction& a, SocketId target, Duration delay);
    void react(Trigger trigger, SocketId s);
    // Data or a new connection: idle reactions count from now.
    void note_activity(SocketId s);
    // One recv call and the reactions it triggers.
    void read_available(SocketId s, std::uint64_t max_bytes);
    SocketId socket_named(const std::string& name) const;
    Instance make_instance(const std::string& name, SocketRef label) const;
    // The socket is closed or aborted: nothing refers to it any more.
    void forget(SocketId s);

    const AppConfig& config_;
    Host& host_;
    Engine& engine_;
    const std::map<std::string, Host*>& hosts_;
    std::map<std::string, Reactions> reactions_;  // by socket name
    std::map<SocketId, Instance> instances_;
    std::map<std::string, SocketId> latest_;  // scenario name -> newest socket with it
    std::map<SocketId, std::string> accept_names_;  // listener -> accept_as
};

}  // namespace tcpsim
