// Which positions a multi-cursor command acts on. Pure.

export interface CursorPosition {
    line: number;
    character: number;
}

/** One position per line (the first cursor on it), top to bottom: toggling a line twice would undo it. */
export function distinctCursorLines(cursors: readonly CursorPosition[]): CursorPosition[] {
    const byLine = new Map<number, CursorPosition>();
    for (const cursor of cursors) {
        if (!byLine.has(cursor.line)) {
            byLine.set(cursor.line, { line: cursor.line, character: cursor.character });
        }
    }
    return [...byLine.values()].sort((a, b) => a.line - b.line);
}
