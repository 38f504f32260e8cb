// The ladder diagram as one self-contained SVG (inline <style>, no fonts, scripts or links
// to fetch): a vertical line per host, time going down, an arrow per segment sloped by its
// delay, a cross where one was lost, a dashed arrow for a duplicate's second copy, a box
// on the line where a state changes, bars beside the line for timed states (TIME_WAIT,
// retransmission timeouts, keepalive, the orphan FIN_WAIT_2 timeout) with their length.
//
//   write_ladder_svg(file, view.ladder(), {scenario.name, scenario.description});
//
// Time: a stretch with nothing happening longer than Ladder::idle_gap() is drawn as a
// short grey band with the time that passed written in it; shorter gaps are drawn to
// scale (a typical delay is 60 px), and every step has a row of its own, so an arrow's
// slope shows its delay against its neighbours'.
//
// For a step-through report: each element drawn for a step carries data-step="N" (an
// index into Ladder::steps) and, when it shows several, data-steps="N M ..."; arrows
// also data-segment (the id), data-from, data-to and data-fate; every element has its
// explanation as a tooltip (<title>). All scenario text goes through xml_escape.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "tcpsim/views/ladder.hpp"

namespace tcpsim {

struct LadderSvgOptions {
    std::string title;        // the scenario's name
    std::string description;  // the scenario's description
    // Each step's row (its y, in order of Ladder::steps) as data-rows="y0 y1 ..." on the
    // root, so a step-through page can mark and scroll to the step's own row.
    bool step_rows = false;
};

void write_ladder_svg(std::ostream& out, const Ladder& ladder, const LadderSvgOptions& options = {});

// The fill of a state's box, shared with the HTML report's state bands so a state has
// one colour everywhere: grey CLOSED, blue opening, green ESTABLISHED, yellow closing,
// orange TIME_WAIT.
std::string_view state_fill(State s);

}  // namespace tcpsim
