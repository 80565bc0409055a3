/**
 * The boards of the game page: Go drawn by Shudan's Goban (stones, coordinates, the last move
 * marked, the network's policy as a heat map) and Connect Four as a grid of discs with the
 * policy's share of each column above it. Both carry the test hooks: `data-testid="board"` with
 * `data-ply`, `data-width` and `data-height`, and for Connect Four one `data-testid="cell"` per
 * cell, row by row from the top.
 */
import { Goban, type HeatVertex, type Marker } from "@sabaki/shudan";
import type { Evaluation, Position } from "./api.js";

/** What a board draws: one position of a game of `height × width` cells, maybe with a policy. */
export interface BoardProps {
  position: Position;
  width: number;
  height: number;
  /** The network's evaluation of this position, when there is one. */
  evaluation: Evaluation | null;
}

/** How many of the likeliest moves get their percentage written on the board. */
const LABELLED_MOVES = 3;

/** A probability as a short percentage: "42%", "3.5%", "<1%". */
export function shortPercent(p: number): string {
  const percent = 100 * p;
  if (percent >= 9.95) return `${Math.round(percent)}%`;
  if (percent >= 0.95) return `${percent.toFixed(1)}%`;
  return percent > 0 ? "<1%" : "0%";
}

/** The stone on each cell of a position: the digit of `cells` at row × width + column. */
function cellValue(position: Position, index: number): number {
  const digit = position.cells.charCodeAt(index) - 48;
  return digit === 1 || digit === 2 ? digit : 0;
}

/** A Go position drawn by Shudan. */
export function GoBoard({ position, width, height, evaluation }: BoardProps) {
  const vertexSize = Math.max(18, Math.min(44, Math.floor(540 / (Math.max(width, height) + 1))));
  const signMap: (0 | 1 | -1)[][] = [];
  const markerMap: (Marker | null)[][] = [];
  const heatMap: (HeatVertex | null)[][] = [];
  for (let row = 0; row < height; row++) {
    const signs: (0 | 1 | -1)[] = [];
    for (let col = 0; col < width; col++) {
      const value = cellValue(position, row * width + col);
      signs.push(value === 1 ? 1 : value === 2 ? -1 : 0);
    }
    signMap.push(signs);
    markerMap.push(new Array<Marker | null>(width).fill(null));
    heatMap.push(new Array<HeatVertex | null>(width).fill(null));
  }
  if (position.last !== null && position.last >= 0 && position.last < width * height) {
    markerMap[Math.floor(position.last / width)]![position.last % width] = { type: "circle" };
  }
  const onBoard = evaluation?.policy.filter((m) => m.cell !== null && m.cell >= 0 && m.cell < width * height) ?? [];
  const max = Math.max(0, ...onBoard.map((m) => m.p));
  if (max > 0) {
    const labelled = new Set([...onBoard].sort((a, b) => b.p - a.p).slice(0, LABELLED_MOVES));
    for (const move of onBoard) {
      const strength = Math.round((9 * move.p) / max);
      if (strength === 0 && !labelled.has(move)) continue;
      heatMap[Math.floor(move.cell! / width)]![move.cell! % width] = { strength, text: labelled.has(move) ? shortPercent(move.p) : null };
    }
  }
  return (
    <div class="board go-board" data-testid="board" data-ply={String(position.ply)} data-width={String(width)} data-height={String(height)}>
      <Goban vertexSize={vertexSize} signMap={signMap} markerMap={markerMap} heatMap={evaluation === null ? undefined : heatMap} showCoordinates />
    </div>
  );
}

/** The column a Connect Four policy entry plays: from its cell, else from its text (columns 1–7). */
function policyColumn(move: { move: string; cell: number | null }, width: number): number | null {
  if (move.cell !== null && move.cell >= 0) return move.cell % width;
  const text = move.move.trim();
  return /^\d+$/.test(text) ? Number(text) - 1 : null;
}

/** A Connect Four position: discs in a grid, the last one ringed, the policy above the columns. */
export function ConnectFourBoard({ position, width, height, evaluation }: BoardProps) {
  const shares: (number | null)[] = new Array<number | null>(width).fill(null);
  if (evaluation !== null) {
    for (const move of evaluation.policy) {
      const col = policyColumn(move, width);
      if (col !== null && col >= 0 && col < width) shares[col] = (shares[col] ?? 0) + move.p;
    }
  }
  const max = Math.max(0, ...shares.map((p) => p ?? 0));
  const columns = { gridTemplateColumns: `repeat(${width}, var(--disc-cell))` };
  const cells = [];
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const index = row * width + col;
      const value = cellValue(position, index);
      const last = position.last === index;
      cells.push(
        <div
          key={index}
          class={`cell disc-${value}${last ? " last" : ""}`}
          data-testid="cell"
          data-row={String(row)}
          data-col={String(col)}
          data-value={String(value)}
          title={`column ${col + 1}, row ${height - row}`}
        />,
      );
    }
  }
  return (
    <div class="board connect-four" data-testid="board" data-ply={String(position.ply)} data-width={String(width)} data-height={String(height)}>
      {evaluation !== null && (
        <div class="column-policy" style={columns}>
          {shares.map((p, col) => (
            <div key={col} class="column-share" data-col={String(col)} style={{ opacity: p === null ? 0.35 : 0.45 + (0.55 * p) / Math.max(max, 1e-9) }}>
              {p === null ? "" : shortPercent(p)}
            </div>
          ))}
        </div>
      )}
      <div class="grid" style={columns}>
        {cells}
      </div>
      <div class="column-numbers" style={columns}>
        {shares.map((_, col) => (
          <div key={col}>{col + 1}</div>
        ))}
      </div>
    </div>
  );
}
