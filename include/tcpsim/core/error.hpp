// The two kinds of error. A user's mistake is a UserError, a value with a place: which
// file, which field (JSON pointer), what was expected and what was found. A bug in tcpsim
// itself, caught at run time in every build (an assert vanishes from Release), is thrown
// as an InternalError; the command line reports it and exits 3.
//
//   scenarios/nat.json: /hosts/server/msl: expected a duration such as "30s", found 30
//   throw InternalError("event scheduled at 1.000000000 s, before now (5.000000000 s)");
#pragma once

#include <stdexcept>
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

struct InternalError : std::logic_error {
    using std::logic_error::logic_error;
};

}  // namespace tcpsim
