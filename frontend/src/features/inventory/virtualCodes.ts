import type { Problem } from "../../api/types";
/** The codes typed or pasted one a line, and the line (1-based) each came from. */
export interface ParsedCodes {
  codes: string[];
  lines: number[];
}

/** One code a line; surrounding spaces go (the server trims them too) and blank lines are skipped. */
export function parseCodes(text: string): ParsedCodes {
  const codes: string[] = [];
  const lines: number[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const code = line.trim();
    if (code) {
      codes.push(code);
      lines.push(i + 1);
    }
  });
  return { codes, lines };
}

export interface LineError {
  /** The textarea line, or null for an error about the whole list. */
  line: number | null;
  message: string;
}

/**
 * The problem's errors by textarea line. The server names entries of the list it received
 * (`codes[3]`, also inside messages such as "the same code as codes[0]"); blank lines were not
 * sent, so each index is mapped back to the line it came from.
 */
export function lineErrors(
  problem: Problem,
  lines: number[],
  lineRef: (line: number) => string,
): LineError[] {
  const lineOf = (index: string) => lines[Number(index)] ?? Number(index) + 1;
  return problem.errors.map((error) => {
    const at = /^codes\[(\d+)\]$/.exec(error.field);
    return {
      line: at?.[1] !== undefined ? lineOf(at[1]) : null,
      message: error.message.replace(/codes\[(\d+)\]/g, (_, i: string) => lineRef(lineOf(i))),
    };
  });
}
