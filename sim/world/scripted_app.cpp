#include "tcpsim/world/scripted_app.hpp"

namespace tcpsim {

ScriptedApp::ScriptedApp(const AppConfig& config, Host& host, Engine& engine,
                         const std::map<std::string, Host*>& hosts)
    : config_(config), host_(host), engine_(engine), hosts_(hosts) {
    for (const AppAction& a : config_.actions) {
        if (a.trigger != Trigger::At) reactions_[a.socket][static_cast<std::size_t>(a.trigger)].push_back(&a);
    }
}

ScriptedApp::Instance ScriptedApp::make_instance(const std::string& name, SocketRef label) const {
    auto it = reactions_.find(name);
    return {name, label, it == reactions_.end() ? nullptr : &it->second};
}

void ScriptedApp::forget(SocketId s) {
    auto it = instances_.find(s);
    if (it == instances_.end()) return;
    // Only the socket's own name can point at it.
    if (auto l = latest_.find(it->second.name); l != latest_.end() && l->second == s) latest_.erase(l);
    instances_.erase(it);
    accept_names_.erase(s);
}

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
    SocketId acted_on = target;
    switch (a.call) {
        case CallKind::Listen: {
            const SocketSetup& l = *a.setup;
            SocketOptions options;
            l.options.apply_to(options);
            acted_on = host_.listen(a.socket, l.port, l.accept_as, l.autoread, options, err);
            if (acted_on >= 0) {
                instances_[acted_on] = make_instance(a.socket, host_.socket_ref(acted_on));
                latest_[a.socket] = acted_on;
                accept_names_[acted_on] = l.accept_as;
            }
            break;
        }
        case CallKind::Connect: {
            const SocketSetup& c = *a.setup;
            SocketOptions options;
            c.options.apply_to(options);
            options.isn = c.isn;
            options.timestamps = c.tcp_timestamps;
            const Ipv4 ip = c.to_ip ? *c.to_ip : hosts_.at(c.to_host)->ip();
            acted_on = host_.connect(a.socket, {ip, c.to_port}, c.from_port, c.autoread, options, err);
            if (acted_on >= 0) {
                instances_[acted_on] = make_instance(a.socket, host_.socket_ref(acted_on));
                latest_[a.socket] = acted_on;
            } else {
                latest_.erase(a.socket);
            }
            break;
        }
        case CallKind::Setsockopt:
            host_.setsockopt(target, a.setup->options);
            break;
        case CallKind::Send: {
            const std::vector<std::uint8_t> bytes =
                a.text.empty() ? host_.pattern_bytes(target, a.bytes)
                               : std::vector<std::uint8_t>(a.text.begin(), a.text.end());
            host_.send(target, bytes);
            break;
        }
        case CallKind::Recv:
            read_available(target, a.max_bytes);
            break;
        case CallKind::Shutdown:
            host_.shutdown(target, a.how);
            break;
        case CallKind::Close:
        case CallKind::Abort:
            if (a.call == CallKind::Close)
                host_.close(target);
            else
                host_.abort(target);
            forget(target);
            return;
        case CallKind::Reboot:
            host_.reboot();
            instances_.clear();  // pending reactions find their sockets gone
            latest_.clear();
            accept_names_.clear();
            return;
        case CallKind::SendSegment:
            send_crafted(*a.crafted);
            return;
        case CallKind::Accept:
        case CallKind::Bind:
            return;  // implicit: listen names the accepted sockets, listen/connect bind
    }
    if (a.every && instances_.count(acted_on)) schedule(a, acted_on, *a.every);
}

void ScriptedApp::send_crafted(const CraftedSegment& c) {
    Segment seg;
    seg.src = {host_.ip(), c.from_port};
    seg.dst = {c.to_ip ? *c.to_ip : hosts_.at(c.to_host)->ip(), c.to_port};
    std::optional<CraftedReference> ref;
    if (!c.of_host.empty()) ref = hosts_.at(c.of_host)->crafted_reference(c.of_socket);
    const CraftedReference* r = ref ? &*ref : nullptr;
    const auto seq = resolve(c.seq, r);
    const auto ack = has(c.flags, Flags::Ack) ? resolve(c.ack, r) : std::optional<std::uint32_t>{0};
    std::optional<TimestampOption> ts;
    if (c.timestamp) {
        const auto val = resolve(c.timestamp->val, r);
        const auto ecr = resolve(c.timestamp->ecr, r);
        if (val && ecr) ts = TimestampOption{*val, *ecr};
    }
    if (!seq || !ack || (c.timestamp && !ts)) {
        host_.record_crafted_unsent({seg.src, seg.dst});
        return;
    }
    seg.seq = Seq{*seq};
    seg.ack = Seq{*ack};
    seg.flags = c.flags;
    seg.window = c.window;
    seg.options.mss = c.mss;
    seg.options.wscale = c.wscale;
    seg.options.sack_permitted = c.sack_permitted;
    seg.options.timestamp = ts;
    if (c.len > 0) {
        seg.payload = std::make_shared<const std::vector<std::uint8_t>>(
            c.text.empty() ? std::vector<std::uint8_t>(c.len, 0) : std::vector<std::uint8_t>(c.text.begin(), c.text.end()));
    }
    host_.send_crafted(std::move(seg), c.stack_answers);
}

void ScriptedApp::schedule(const AppAction& a, SocketId target, Duration delay) {
    auto it = instances_.find(target);
    if (it == instances_.end()) return;
    const AppAction* ap = &a;
    auto run = [this, ap, target, label = it->second.label] {
        // The socket may have been closed (and its number reused) meanwhile.
        auto cur = instances_.find(target);
        if (cur == instances_.end() || cur->second.label != label) return;
        perform(*ap, target);
    };
    // Even after 0 s: run inline, a reaction that reads (recv -> data -> recv ...) would nest
    // once per read. As its own event it runs once the current one is done, as an event loop
    // would run it.
    engine_.schedule(engine_.now() + delay, run);
}

void ScriptedApp::note_activity(SocketId s) {
    auto it = instances_.find(s);
    if (it == instances_.end()) return;
    if (!it->second.reactions) return;
    const std::uint64_t activity = ++it->second.activity;
    for (const AppAction* ap : (*it->second.reactions)[static_cast<std::size_t>(Trigger::Idle)]) {
        engine_.schedule(engine_.now() + ap->after, [this, ap, s, activity, label = it->second.label] {
            auto cur = instances_.find(s);
            if (cur == instances_.end() || cur->second.label != label || cur->second.activity != activity)
                return;  // closed, or data came since: not idle
            perform(*ap, s);
        });
    }
}

void ScriptedApp::react(Trigger trigger, SocketId s) {
    auto it = instances_.find(s);
    if (it == instances_.end() || !it->second.reactions) return;
    if (trigger == Trigger::Connected || trigger == Trigger::Data) note_activity(s);
    for (const AppAction* a : (*it->second.reactions)[static_cast<std::size_t>(trigger)])
        schedule(*a, s, a->after);
}

void ScriptedApp::on_connected(SocketId s) { react(Trigger::Connected, s); }

void ScriptedApp::on_accepted(SocketId listener, SocketId s) {
    auto it = accept_names_.find(listener);
    if (it == accept_names_.end()) return;
    instances_[s] = make_instance(it->second, host_.socket_ref(s));
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
    const SocketRef label = it->second.label;
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
