// The HTML step-through report: one self-contained page (inline SVG, CSS and script, a
// Content-Security-Policy that forbids every fetch) a student steps through: the ladder
// (ladder_svg.hpp) with the current step highlighted and the steps to come faded, beside
// it the step's text, its explanation and the rule behind it, every socket's state after
// the step, and a band per socket coloured by state over simulated time. Buttons and
// keys (ArrowRight, ArrowLeft, Space to play, Home, End) move; the address keeps the
// step, so page.html#step=7 opens at step 7 (steps count from 1).
//
//   LadderView view(options);            // the report draws the ladder's model
//   stream.add(view);
//   World(scenario, stream).run();
//   write_html_report(file, view.ladder(), {scenario.name, scenario.description});
//
// The data is one JSON block, <script type="application/json" id="tcpsim-data">:
//   {"title", "description", "capped", "fills": {state: colour},
//    "steps": [{"t", "t_ns", "host", "socket", "kind", "text", "explanation", "rule", "x"}],
//    "bands": [{"label", "host", "socket", "initial", "changes": [[step, state], ...]}]}
// kind is send, arrive, lose, state, timer, decision or call; "explanation" is the step's
// why without the rule, "rule" the clause (describe(cause).clause) or ""; "x" is where the
// step's time is in the state bands. A band's state after step k is its last change at or
// before k, else "initial" (null: the socket does not exist yet) — kept as changes, not
// as a table per step, so the file grows with the run and not with steps x sockets.
// Strings go through script_json_string (escape.hpp); the script reads them with
// JSON.parse and writes them with textContent only.
//
// The ladder keeps the run and caps itself (LadderOptions::max_segments); its message
// (Ladder::capped) is shown at the top of the page.
#pragma once

#include <ostream>
#include <string>

#include "tcpsim/views/ladder.hpp"

namespace tcpsim {

struct HtmlReportOptions {
    std::string title;        // the scenario's name
    std::string description;  // the scenario's description
};

void write_html_report(std::ostream& out, const Ladder& ladder, const HtmlReportOptions& options = {});

}  // namespace tcpsim
