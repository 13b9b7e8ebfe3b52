#pragma once
// Bit-line IR drop, first-order model. One column of a tile is a
// resistive ladder: pair node j (j = 0 farthest from the sense amplifier,
// j = P-1 nearest) joins the next node, and the last node the sense amplifier,
// through a wire of 2 r (two cell pitches per weight pair); the amplifier
// holds the bit line at virtual ground. Each node draws the current of one
// driven cell, modelled as a uniform load g (the mean driven conductance),
// from the row voltage V. Kirchhoff at node j, with u_j = bit-line voltage / V:
//   -u_{j-1} [j > 0] + (1 + [j > 0] + 2 r g) u_j - u_{j+1} [j < P-1] = 2 r g,
// solved once per tile height (tridiagonal, Thomas algorithm). A cell at node
// j then sees V (1 - u_j): its current, and its read noise, scale by the
// attenuation a_j = 1 - u_j. Not modelled: the load's dependence on the data
// (which cells are LRS), word-line resistance, and the drivers' resistance.
#include <vector>

namespace xbg {

// Attenuation a_j in (0, 1] of each of `pairs` nodes; all 1 when r or g is 0.
std::vector<double> bitline_attenuation(int pairs, double wire_resistance_ohm, double load_conductance_s);

}  // namespace xbg
