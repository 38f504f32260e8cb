#include "tcpsim/world/scripted_app.hpp"

namespace tcpsim {

ScriptedApp::ScriptedApp(const AppConfig& config, Host& host, Engine& engine,
                         const std::map<std::string, Ipv4>& addresses)
    : config_(config), host_(host), engine_(engine), addresses_(addresses) {}

void ScriptedApp::start() {
    for (const AppAction& a : config_.actions) {
        if (a.trigger != Trigger::At) continue;
        const AppAction* ap = &a;
        engine_.schedule(a.at, [this, ap] { perform(*ap, socket_named(ap->socket)); });
    }
}

SocketId ScriptedApp::socket_named(const std::string& name) const {
    auto it = latest_.find(name);
    return it == latest_.end() ? -1 : it->second;
}

void ScriptedApp::perform(const AppAction& a, SocketId target) {
    Errno err = Errno::Ok;
    switch (a.call) {
        case CallKind::Listen: {
            const SocketId s = host_.listen(a.socket, a.port, a.accept_as, a.autoread, err);
            if (s >= 0) {
                instances_[s] = {a.socket, a.socket};
                latest_[a.socket] = s;
                accept_names_[s] = a.accept_as;
            }
            return;
        }
        case CallKind::Connect: {
            Ipv4 ip = a.to_ip ? *a.to_ip : addresses_.at(a.to_host);
            const SocketId s = host_.connect(a.socket, {ip, a.to_port}, a.from_port, a.autoread, err);
            if (s >= 0) {
                instances_[s] = {a.socket, a.socket};
                latest_[a.socket] = s;
            } else {
                latest_.erase(a.socket);
            }
            return;
        }
        case CallKind::Send: {
            const std::vector<std::uint8_t> bytes =
                a.text.empty() ? host_.pattern_bytes(target, a.bytes)
                               : std::vector<std::uint8_t>(a.text.begin(), a.text.end());
            host_.send(target, bytes);
            return;
        }
        case CallKind::Recv:
            read_available(target, a.max_bytes);
            return;
        case CallKind::Shutdown:
            host_.shutdown(target, a.how);
            return;
        case CallKind::Close:
        case CallKind::Abort:
            if (a.call == CallKind::Close)
                host_.close(target);
            else
                host_.abort(target);
            instances_.erase(target);
            for (auto it = latest_.begin(); it != latest_.end();) {
                it = it->second == target ? latest_.erase(it) : std::next(it);
            }
            accept_names_.erase(target);
            return;
        case CallKind::Accept:
            return;  // accepting is implicit: listen names the accepted sockets
    }
}

void ScriptedApp::react(Trigger trigger, SocketId s) {
    auto it = instances_.find(s);
    if (it == instances_.end()) return;
    const Instance inst = it->second;
    for (const AppAction& a : config_.actions) {
        if (a.trigger != trigger || a.socket != inst.name) continue;
        const AppAction* ap = &a;
        auto run = [this, ap, s, label = inst.label] {
            // The socket may have been closed (and its number reused) meanwhile.
            auto cur = instances_.find(s);
            if (cur == instances_.end() || cur->second.label != label) return;
            perform(*ap, s);
        };
        if (a.after.ns == 0)
            run();
        else
            engine_.schedule(engine_.now() + a.after, run);
    }
}

void ScriptedApp::on_connected(SocketId s) { react(Trigger::Connected, s); }

void ScriptedApp::on_accepted(SocketId listener, SocketId s) {
    auto it = accept_names_.find(listener);
    if (it == accept_names_.end()) return;
    instances_[s] = {it->second, host_.label(s)};
    latest_[it->second] = s;
    react(Trigger::Connected, s);
}

void ScriptedApp::on_readable(SocketId s) {
    auto it = instances_.find(s);
    if (it == instances_.end()) return;
    if (!host_.autoread(s)) {
        react(Trigger::Data, s);
        return;
    }
    // As an event loop would: read what is there, then notice end-of-stream.
    const std::string label = it->second.label;
    if (host_.has_unread(s)) read_available(s, 0);
    auto cur = instances_.find(s);
    if (cur != instances_.end() && cur->second.label == label && !cur->second.eof_reported &&
        host_.at_eof(s))
        read_available(s, 0);
}

void ScriptedApp::read_available(SocketId s, std::uint64_t max_bytes) {
    const RecvResult r = host_.recv(s, max_bytes);
    if (!r.bytes.empty()) {
        react(Trigger::Data, s);
        return;
    }
    auto it = instances_.find(s);
    if (r.eof && it != instances_.end() && !it->second.eof_reported) {
        it->second.eof_reported = true;
        react(Trigger::PeerClosed, s);
    }
}

void ScriptedApp::on_error(SocketId s, Errno /*e*/) { react(Trigger::Error, s); }

}  // namespace tcpsim
