// Reads a scenario file into a Scenario, or says exactly what is wrong with it.
//
// Every problem is a UserError naming the file, the JSON pointer of the field, what was
// expected and what was found. Unknown keys are errors (a typo must not be ignored).
//
//   auto loaded = load_scenario_file("scenarios/lost_final_ack.json", {"/seed=7"});
//   if (auto* err = std::get_if<UserError>(&loaded)) { print(err->message()); return 2; }
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tcpsim/core/error.hpp"
#include "tcpsim/scenario/scenario.hpp"

namespace tcpsim {

using LoadResult = std::variant<Scenario, UserError>;

// `overrides` are "POINTER=VALUE" strings applied to the JSON before validation:
// POINTER is a JSON pointer ("/links/0/delay") or a dotted path ("links.0.delay");
// VALUE is parsed as JSON when it is valid JSON, else taken as a string ("20ms").
// `path` "-" reads standard input; messages then name it kStdinLabel.
inline constexpr std::string_view kStdinLabel = "<stdin>";
LoadResult load_scenario_file(const std::string& path, const std::vector<std::string>& overrides = {});
LoadResult load_scenario_text(std::string_view json_text, const std::string& file_label,
                              const std::vector<std::string>& overrides = {});

}  // namespace tcpsim
