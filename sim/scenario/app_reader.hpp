// Reading "apps": each host's script of socket calls, and the socket names it declares.
//
//   std::map<std::string, SocketNames> sockets;
//   scenario.apps = read_apps(apps_node, scenario, sockets);
//   sockets["server"].knows_label("s.2")
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "json_reader.hpp"
#include "tcpsim/scenario/scenario.hpp"

namespace tcpsim::scenario_json {

enum class SocketRole : std::uint8_t { Listening, Connecting, Accepted };

// The socket names one host's script declares, in declaration order.
class SocketNames {
  public:
    // A name keeps one role: "l" cannot be both a listening and a connecting socket.
    void declare(const Node& where, const std::string& name, SocketRole role);
    bool knows(std::string_view name) const { return find(name) != nullptr; }
    // Also "s.2", "s.3", ...: later connections accepted as "s" (for expectations).
    bool knows_label(std::string_view label) const;
    // What a reference to a socket of `host` must be; `labels` adds the "s.2" form.
    std::string expected(const std::string& host, bool labels) const;

  private:
    struct Declared {
        std::string name;
        SocketRole role;
        std::string pointer;
    };
    const Declared* find(std::string_view name) const;
    std::vector<Declared> declared_;
    // Positions in declared_: every action looks its socket up, so a scan would be quadratic.
    std::map<std::string, std::size_t, std::less<>> index_;
};

// "one of the hosts client, server".
std::string hosts_expected(const Scenario& s);

// One AppConfig per host, in file order; `sockets` receives each host's declared names.
// Needs s.hosts.
std::vector<AppConfig> read_apps(const Node& apps, const Scenario& s,
                                 std::map<std::string, SocketNames>& sockets);

}  // namespace tcpsim::scenario_json
