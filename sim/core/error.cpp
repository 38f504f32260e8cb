#include "tcpsim/core/error.hpp"

namespace tcpsim {

std::string UserError::message() const {
    std::string m = file.empty() ? std::string("<input>") : file;
    m += ": ";
    m += pointer.empty() ? std::string("(document)") : pointer;
    m += ": expected " + expected;
    if (!found.empty()) m += ", found " + found;
    return m;
}

}  // namespace tcpsim
