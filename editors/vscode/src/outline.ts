// The Backlog view's model. Pure: the server's `backlog-ls/outline` answer in, the tree's nodes,
// labels and icons out (no `vscode` import, so it is unit-tested under node). The server parses
// the Markdown and counts the tasks; this module only chooses what to show.

export const OUTLINE_REQUEST = 'backlog-ls/outline';

export interface Position {
    line: number;
    character: number;
}

export interface Range {
    start: Position;
    end: Position;
}

export interface Counts {
    done: number;
    open: number;
    in_progress: number;
    cancelled: number;
    /** Every task but the cancelled ones. */
    total: number;
    /** done / total, rounded; null when the section holds no task. */
    percent: number | null;
}

/** "open", "in_progress", "done", "cancelled" or "deferred"; another value is drawn as open. */
export type TaskKind = string;

export interface OutlineTask {
    name: string;
    /** The checkbox as written: " ", "x", "~" ... */
    state: string;
    /** What the state means in words: "open", "done", "in progress" ... */
    meaning: string;
    kind: TaskKind;
    /** Open and waiting for nothing still open. */
    ready: boolean;
    range: Range;
    subtasks: OutlineTask[];
}

export interface OutlineSection {
    title: string;
    level: number;
    range: Range;
    counts: Counts;
    tasks: OutlineTask[];
    sections: OutlineSection[];
    /** A heading written as a task ("### Task 1.1: Parser ✅"): its own state. */
    task?: OutlineTask;
}

export interface OutlineFile {
    uri: string;
    path: string | null;
    counts: Counts;
    tasks: OutlineTask[];
    sections: OutlineSection[];
}

export interface Outline {
    files: OutlineFile[];
}

/** What the view lists: every task, the open ones (in progress included), or those ready to start. */
export type Filter = 'all' | 'open' | 'ready';

export const FILTERS: readonly Filter[] = ['all', 'open', 'ready'];

export type OutlineNode =
    | { type: 'file'; file: OutlineFile }
    | { type: 'section'; uri: string; section: OutlineSection }
    | { type: 'task'; uri: string; task: OutlineTask };

// --- reading the answer: never throws, drops what does not have the contract's shape ----------------

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function readPosition(value: unknown): Position | undefined {
    return isObject(value) && isNumber(value.line) && isNumber(value.character) ? { line: value.line, character: value.character } : undefined;
}

function readRange(value: unknown): Range | undefined {
    if (!isObject(value)) {
        return undefined;
    }
    const start = readPosition(value.start);
    const end = readPosition(value.end);
    return start && end ? { start, end } : undefined;
}

function readCounts(value: unknown): Counts | undefined {
    if (!isObject(value)) {
        return undefined;
    }
    const { done, open, in_progress, cancelled, total, percent } = value;
    if (![done, open, in_progress, cancelled, total].every(isNumber)) {
        return undefined;
    }
    return {
        done: done as number,
        open: open as number,
        in_progress: in_progress as number,
        cancelled: cancelled as number,
        total: total as number,
        percent: isNumber(percent) ? percent : null,
    };
}

function readList<T>(value: unknown, read: (item: unknown) => T | undefined): T[] {
    return Array.isArray(value) ? value.map(read).filter((item): item is T => item !== undefined) : [];
}

function readTask(value: unknown): OutlineTask | undefined {
    if (!isObject(value) || typeof value.name !== 'string') {
        return undefined;
    }
    const range = readRange(value.range);
    if (range === undefined) {
        return undefined;
    }
    return {
        name: value.name,
        state: typeof value.state === 'string' ? value.state : ' ',
        meaning: typeof value.meaning === 'string' ? value.meaning : 'open',
        kind: typeof value.kind === 'string' ? value.kind : 'open',
        ready: value.ready === true,
        range,
        subtasks: readList(value.subtasks, readTask),
    };
}

function readSection(value: unknown): OutlineSection | undefined {
    if (!isObject(value) || typeof value.title !== 'string') {
        return undefined;
    }
    const range = readRange(value.range);
    const counts = readCounts(value.counts);
    if (range === undefined || counts === undefined) {
        return undefined;
    }
    const task = value.task === undefined ? undefined : readTask(value.task);
    return {
        title: value.title,
        level: isNumber(value.level) ? value.level : 1,
        range,
        counts,
        tasks: readList(value.tasks, readTask),
        sections: readList(value.sections, readSection),
        ...(task ? { task } : {}),
    };
}

function readFile(value: unknown): OutlineFile | undefined {
    if (!isObject(value) || typeof value.uri !== 'string') {
        return undefined;
    }
    const counts = readCounts(value.counts);
    if (counts === undefined) {
        return undefined;
    }
    return {
        uri: value.uri,
        path: typeof value.path === 'string' ? value.path : null,
        counts,
        tasks: readList(value.tasks, readTask),
        sections: readList(value.sections, readSection),
    };
}

/** The server's answer as an Outline; undefined when it is not one. */
export function parseOutline(value: unknown): Outline | undefined {
    if (!isObject(value) || !Array.isArray(value.files)) {
        return undefined;
    }
    return { files: readList(value.files, readFile) };
}

/**
 * The outline with one file's answer in place of what it held for `uri`: the file updated, added
 * (in path order) or, when the answer lists nothing (no longer a backlog), removed.
 */
export function withFile(outline: Outline, uri: string, answer: Outline): Outline {
    const others = outline.files.filter((file) => file.uri !== uri);
    const files = [...others, ...answer.files.filter((file) => file.uri === uri)];
    const key = (file: OutlineFile) => [file.path === null ? 1 : 0, file.path ?? file.uri] as const;
    files.sort((a, b) => {
        const [aUntitled, aName] = key(a);
        const [bUntitled, bName] = key(b);
        return aUntitled - bUntitled || (aName < bName ? -1 : aName > bName ? 1 : 0);
    });
    return { files };
}

// --- what the tree shows ---------------------------------------------------------------------------

const NOT_OPEN = new Set(['done', 'cancelled', 'deferred']);

function taskMatches(task: OutlineTask, filter: Filter): boolean {
    if (filter === 'all') {
        return true;
    }
    return filter === 'ready' ? task.ready : !NOT_OPEN.has(task.kind);
}

/** Whether a task is listed: it matches, or one of its subtasks does (it is shown as their parent). */
export function showsTask(task: OutlineTask, filter: Filter): boolean {
    return taskMatches(task, filter) || task.subtasks.some((subtask) => showsTask(subtask, filter));
}

/** Whether a section is listed: it holds a task the filter shows (a section without tasks is prose). */
export function showsSection(section: OutlineSection, filter: Filter): boolean {
    if (section.task && taskMatches(section.task, filter)) {
        return true;
    }
    return section.tasks.some((task) => showsTask(task, filter)) || section.sections.some((child) => showsSection(child, filter));
}

function sectionNodes(uri: string, sections: OutlineSection[], filter: Filter): OutlineNode[] {
    return sections.filter((section) => showsSection(section, filter)).map((section) => ({ type: 'section', uri, section }));
}

function taskNodes(uri: string, tasks: OutlineTask[], filter: Filter): OutlineNode[] {
    return tasks.filter((task) => showsTask(task, filter)).map((task) => ({ type: 'task', uri, task }));
}

/**
 * Below a file: its sections, then the tasks before its first heading. A file whose one top-level
 * section is its title (holding subsections, no task of its own) shows the subsections directly.
 */
export function fileChildren(file: OutlineFile, filter: Filter): OutlineNode[] {
    let sections = file.sections.filter((section) => showsSection(section, filter));
    const [only] = sections;
    if (sections.length === 1 && only.tasks.length === 0 && only.task === undefined && only.sections.length > 0) {
        sections = only.sections;
    }
    return [...taskNodes(file.uri, file.tasks, filter), ...sectionNodes(file.uri, sections, filter)];
}

export function children(node: OutlineNode, filter: Filter): OutlineNode[] {
    switch (node.type) {
        case 'file':
            return fileChildren(node.file, filter);
        case 'section':
            return [...taskNodes(node.uri, node.section.tasks, filter), ...sectionNodes(node.uri, node.section.sections, filter)];
        case 'task':
            return taskNodes(node.uri, node.task.subtasks, filter);
    }
}

export function files(outline: Outline | undefined, filter: Filter): OutlineFile[] {
    return (outline?.files ?? []).filter((file) => file.tasks.some((task) => showsTask(task, filter)) || file.sections.some((section) => showsSection(section, filter)));
}

const BAR_WIDTH = 10;

/** A text progress bar: "██████░░░░" for 60 %. */
export function progressBar(percent: number, width: number = BAR_WIDTH): string {
    const filled = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
    return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/**
 * What a section or file shows beside its name: "3/5 · 60% ██████░░░░" (the figures first: a narrow
 * side bar cuts the end off), or "no tasks".
 */
export function progressText(counts: Counts): string {
    if (counts.total === 0 || counts.percent === null) {
        return counts.cancelled > 0 ? `${counts.cancelled} cancelled` : 'no tasks';
    }
    return `${counts.done}/${counts.total} · ${counts.percent}% ${progressBar(counts.percent)}`;
}

/** The hover of a section or file: every count by state. */
export function countsTooltip(title: string, counts: Counts): string {
    const parts = [`${counts.done} done`, `${counts.open} open`];
    if (counts.in_progress) {
        parts.push(`${counts.in_progress} in progress`);
    }
    if (counts.cancelled) {
        parts.push(`${counts.cancelled} cancelled (not counted)`);
    }
    return `${title}\n${parts.join(', ')}${counts.percent === null ? '' : ` · ${counts.percent}% done`}`;
}

export interface TaskIcon {
    /** A codicon id. */
    id: string;
    /** A theme colour id, or undefined for the default. */
    color?: string;
}

/** The icon of a task's state. An open task that waits for another is drawn locked. */
export function taskIcon(task: OutlineTask): TaskIcon {
    switch (task.kind) {
        case 'done':
            return { id: 'pass-filled', color: 'testing.iconPassed' };
        case 'in_progress':
            return { id: 'play-circle', color: 'charts.blue' };
        case 'cancelled':
            return { id: 'circle-slash', color: 'disabledForeground' };
        case 'deferred':
            return { id: 'clock', color: 'disabledForeground' };
        default:
            return task.ready ? { id: 'circle-large-outline' } : { id: 'lock', color: 'charts.orange' };
    }
}

/** The text beside a task's name: its state's meaning when the icon alone does not say it. */
export function taskDescription(task: OutlineTask): string {
    if (task.kind === 'done' || task.meaning === 'open') {
        return task.kind === 'open' && !task.ready ? 'waiting' : '';
    }
    return task.meaning;
}

export function filterDescription(filter: Filter): string | undefined {
    return filter === 'open' ? 'open tasks' : filter === 'ready' ? 'ready to start' : undefined;
}
