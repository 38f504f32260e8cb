// A user's mistake, as a value with a place: which file, which field (JSON pointer), what
// was expected and what was found. Bugs in tcpsim itself are assertions, not UserErrors.
//
//   scenarios/nat.json: /hosts/server/msl: expected a duration such as "30s", found 30
#pragma once

#include <string>

namespace tcpsim {

struct UserError {
    std::string file;
    std::string pointer;  // JSON pointer of the offending field, "" for the whole document
    std::string expected;
    std::string found;

    // "file: /pointer: expected X, found Y"
    std::string message() const;
};

}  // namespace tcpsim
